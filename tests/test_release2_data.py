"""Data release 2: every new table equals the raw files for a sample, and the load checks refuse bad data."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import defaultdict
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from raaderum.analysis.key_figures import key_figures
from raaderum.errors import ReleaseCheckFailed
from raaderum.release.build import build_release
from raaderum.release.carry import inputs_from_release
from raaderum.release.noegletal import parse_export
from raaderum.release.raw_inputs import read_raw_inputs
from raaderum.release.reader import PUBLISHED_POPULATION, Release, embedded_release_dir
from raaderum.release.schema import NEW_TABLE_COLUMNS, sha256_file

RAW_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"
HEDE = RAW_DIR / "hedegreen_danish_politics"
NOEG = RAW_DIR / "asgeringemann_noegletal"
SAMPLE = {"Copenhagen": 101, "Aarhus": 751, "Læsø": 825, "Ishøj": 183, "Vesthimmerlands": 820}


def _dst(name: str) -> list[dict[str, str]]:
    text = (HEDE / name).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r]


# ------------------------------------------------------------------------------------------ population


def test_population_totals_equal_denmarks_published_figures(release: Release) -> None:
    rows = release.query("SELECT year, municipalities, christiansoe, denmark FROM population_totals ORDER BY 1")
    assert [r[0] for r in rows] == [2022, 2023, 2024, 2025, 2026]
    for year, munis, chr_, dk in rows:
        assert dk == PUBLISHED_POPULATION[year] == munis + chr_  # the municipal sum excludes Christiansø
        national = release.query("SELECT population FROM population WHERE municipality_code = 0 AND year = ?",
                                 [year])[0][0]
        assert national == munis  # Hele landet in the release = the 98, without Christiansø
    assert "Christiansø" in release.manifest["population_totals"]["national_row"]
    raw = {r["TID"][:4]: float(r["INDHOLD"]) for r in _dst("folk1am_population_by_municipality.csv")
           if r["OMRÅDE"] == "Christiansø" and r["TID"].endswith("M01")}
    assert {str(y): c for y, _, c, _ in rows} == raw


def test_single_ages_65_plus_equal_folk1a(release: Release) -> None:
    raw = {(r["OMRÅDE"], int(r["TID"][:4]), int(r["ALDER"].split()[0])): float(r["INDHOLD"])
           for r in _dst("folk1a_65plus.csv")}
    got = {(m, y, a): p for m, y, a, p in release.query(
        "SELECT municipality_code, year, age, persons FROM population_by_age WHERE year <> 2021")}
    assert {y for (_, y, _) in got} == {2008, 2011, 2015, 2019, 2022}
    assert min(a for (_, _, a) in got) == 65
    for name, code in SAMPLE.items():
        for y in (2008, 2011, 2015, 2019, 2022):
            for a in (65, 66, 67, 79, 80, 95, 105):
                assert got.get((code, y, a), 0.0) == raw[(name, y, a)], (name, y, a)


@pytest.mark.parametrize("tg, lo", [("65+", 65), ("67+", 67), ("80+", 80)])
def test_oldest_target_groups_are_observed_on_every_date_with_single_ages(release: Release, tg: str,
                                                                           lo: int) -> None:
    raw: dict[tuple[str, int], float] = defaultdict(float)
    for r in _dst("folk1a_65plus.csv"):
        if int(r["ALDER"].split()[0]) >= lo:
            raw[(r["OMRÅDE"], int(r["TID"][:4]))] += float(r["INDHOLD"])
    for name, code in SAMPLE.items():
        rows = dict((y, (p, s, m)) for y, p, s, m in release.query(
            "SELECT year, persons, status, method FROM target_groups WHERE municipality_code = ? AND "
            "target_group = ?", [code, tg]))
        for y in (2008, 2011, 2015, 2019, 2022):
            assert rows[y] == (raw[(name, y)], "observed", None), (name, y)
        assert rows[2021][1] == "observed"  # all ages on 1 January 2021 (section 8)
        assert rows[2020][1:] == ("estimated", "age_share_interpolated")
        assert rows[2023][1:] == ("estimated", "cohort_ageing")
        assert rows[2007][1:] == ("estimated", "age_share_trend")


# ------------------------------------------------------------------------------------------ series


def _annual_mean(rows: list[dict[str, str]], area_col: str, keep) -> dict[tuple[str, int], float]:  # noqa: ANN001
    q: dict[tuple[str, int], list[float]] = defaultdict(list)
    for r in rows:
        if keep(r):
            q[(r[area_col], int(r["TID"][:4]))].append(float(r["INDHOLD"]))
    return {k: sum(v) / 4 for k, v in q.items() if len(v) == 4}


def _series(release: Release, name: str) -> dict[tuple[int, int], float]:
    return {(m, y): v for m, y, v in release.query(
        "SELECT municipality_code, year, value FROM series WHERE series = ?", [name])}


def test_series_equal_the_statbank_pulls(release: Release) -> None:
    auk = _annual_mean(_dst("auk01_social_assistance.csv"), "OMRÅDE",
                       lambda r: r["YDELSESTYPE"].startswith("Net unemployed"))
    lb = _annual_mean(_dst("lbesk69_employees_by_municipality.csv"), "BOPKOM",
                      lambda r: r["TAL"] == "Full-time employees")
    inc = {(r["OMRÅDE"], int(r["TID"])): float(r["INDHOLD"]) for r in _dst("indkp101_income_by_municipality.csv")
           if r["INDKOMSTTYPE"].startswith("1 Disposable")}
    unemp = {(r["municipality"], int(r["year"])): float(r["value"])
             for r in csv.DictReader(io.StringIO((HEDE / "unemployment_pct.csv").read_text("utf-8")))}
    tot = {(r["BOPOMR"], int(r["TID"])): float(r["INDHOLD"]) for r in _dst("hfudd11_tot.csv")}
    higher: dict[tuple[str, int], float] = defaultdict(float)
    for lv in ("h40", "h50", "h60", "h70", "h80"):
        for r in _dst(f"hfudd11_{lv}.csv"):
            higher[(r["BOPOMR"], int(r["TID"]))] += float(r["INDHOLD"])
    got = {s: _series(release, s) for s in ("social_assistance_fte", "employees_fte", "disposable_income",
                                             "unemployment_rate", "education_15_69_total",
                                             "education_15_69_higher")}
    for name, code in SAMPLE.items():
        for y in (2016, 2020, 2024):
            assert got["social_assistance_fte"][(code, y)] == pytest.approx(auk[(name, y)])
            assert got["employees_fte"][(code, y)] == pytest.approx(lb[(name, y)])
            assert got["disposable_income"][(code, y)] == inc[(name, y)]
            assert got["unemployment_rate"][(code, y)] == unemp[(name, y)]
        for y in (2008, 2015, 2022):
            assert got["education_15_69_total"][(code, y)] == tot[(name, y)]
            assert got["education_15_69_higher"][(code, y)] == higher[(name, y)]
    assert (751, 2025) not in got["employees_fte"]  # 2025 has three quarters only: not a year mean
    assert {y for (_, y) in got["social_assistance_fte"]} == set(range(2007, 2026))


# ------------------------------------------------------------------------------------------ noegletal


def test_noegletal_equals_the_reports(release: Release) -> None:
    got = {(m, y, i): (v, mk, st) for m, y, i, v, mk, st in release.query(
        "SELECT municipality_code, year, indicator, value, marker, status FROM noegletal")}
    long = {(int(r["kom_nr"]), int(r["aar"]), r["noegletal"]): r["vaerdi"]
            for r in csv.DictReader(io.StringIO((NOEG / "noegletal_long.csv").read_text("utf-8")))}
    for key, cell in long.items():
        if key[1] < 2007:
            assert key not in got
            continue
        v, mk, st = got[key]
        if cell in ("M", "U"):
            assert (v, mk, st) == (None, cell, "missing")
        else:
            assert (v, mk, st) == (float(cell), None, "observed"), key
    # The tidy copy against the Ministry's own files: the socio-economic index cell by cell (xlsx) …
    wb = openpyxl.load_workbook(NOEG / "socioekonomisk_indeks_1993_2024.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    years = list(rows[2])
    for row in rows[5:103]:
        for y in (2007, 2016, 2024):
            assert got[(int(row[1]), y, "socioekonomisk_indeks")][0] == row[years.index(y)]
    # … and the population, read from noegletal's own CSV with the import parser.
    export = parse_export((NOEG / "indbyggertal_1jan_1993_2024.csv").read_bytes())
    d = export.table.to_pydict()
    for m, y, v in zip(d["municipality_code"], d["year"], d["value"], strict=True):
        if y >= 2007:
            assert got[(m, y, "indbyggertal_1jan")][0] == v
    # Service expenditure per inhabitant is missing ('M') in 2024 in the source: null, never 0.
    assert got[(751, 2024, "serviceudgifter_pr_indb")] == (None, "M", "missing")


def test_socioeconomic_index_averages_one_and_reaches_the_structure(release: Release) -> None:
    rows = release.query("""SELECT n.year, sum(n.value * p.population) / sum(p.population) FROM noegletal n
        JOIN population p USING (municipality_code, year) WHERE n.indicator = 'socioekonomisk_indeks'
        AND n.municipality_code <> 0 GROUP BY 1""")
    assert len(rows) == 18 and all(abs(w - 1) < 0.006 for _, w in rows)
    assert release.query("SELECT value, status FROM structure WHERE municipality_code = 183 AND year = 2022 AND "
                         "variable = 'socioeconomic_index'") == release.query(
        "SELECT value, status FROM noegletal WHERE municipality_code = 183 AND year = 2022 AND "
        "indicator = 'socioekonomisk_indeks'")


def test_area_is_the_official_figure(release: Release) -> None:
    area = {(m, y): (v, s, me) for m, y, v, s, me in release.query(
        "SELECT municipality_code, year, value, status, method FROM structure WHERE variable = 'area_km2'")}
    official = {(m, y): v for m, y, v in release.query(
        "SELECT municipality_code, year, value FROM noegletal WHERE indicator = 'areal_km2' AND value IS NOT NULL")}
    for (m, y), v in official.items():
        if (m, y) in area:
            assert area[(m, y)] == (v, "observed", None)
    assert area[(825, 2024)] == (official[(825, 2023)], "estimated", "area_carried_forward")  # 2024 'M'
    # round(population / area) reproduces the density of section 7 (an integer in the source) in 2022.
    raw = (RAW_DIR / "noegletal_leafletexploration/kommune_befolkningstaethed_2007_2022.csv").read_text("utf-8-sig")
    dens = {int(r[1]): int(r[-1].replace(".", "")) for r in csv.reader(io.StringIO(raw), delimiter=";")
            if r and r[1].isdigit()}
    got = dict(release.query("SELECT municipality_code, value FROM structure WHERE variable = 'density' AND "
                             "year = 2022"))
    assert all(round(got[m]) == d for m, d in dens.items())


def test_price_index_is_the_cpi_annual_mean(release: Release) -> None:
    months: dict[int, list[float]] = defaultdict(list)
    for r in csv.DictReader(io.StringIO((NOEG / "dst_pris113_cpi_2015_100_monthly.csv").read_text("utf-8"))):
        months[int(r["tid"][:4])].append(float(r["cpi_2015_100"]))
    got = {y: (v, s, m) for y, v, s, m in release.query("SELECT year, value, status, method FROM price_index")}
    for y in range(1980, 2024):
        assert got[y][0] == pytest.approx(sum(months[y]) / 12, abs=1e-6) and got[y][1:] == ("observed", None)
    assert got[2015][0] == pytest.approx(100.0)
    assert got[2024][1:] == ("estimated", "cpi_partial_year")  # only January 2024 in the source
    info = release.manifest["price_index"]
    assert info["fallback"] is True and info["label"] == "forbrugerprisindeks, ikke kommunernes pris- og lønindeks"
    assert info["default_base_year"] == 2023


def test_measure_says_what_the_source_says(release: Release) -> None:
    m = release.manifest
    assert "dranst 1 + 2" not in json.dumps(m, ensure_ascii=False)
    assert "angiver ikke dranst" in m["measure"] and "I alt (netto)" in m["measure"]
    regk = release.source_for("regk31")
    assert "angiver ikke dranst" in regk["title"]
    kf = key_figures(release, "Aarhus", 2024)
    assert kf.provenance["measure"] == m["measure"]


# ------------------------------------------------------------------------------------------ checks on load


def _build_tampered(tmp_path: Path, change) -> None:  # noqa: ANN001
    inputs = read_raw_inputs(RAW_DIR)
    change(inputs)
    build_release(inputs, tmp_path / "bad")


def test_wrong_population_totals_are_refused(tmp_path: Path) -> None:
    def change(inputs) -> None:  # noqa: ANN001
        t = inputs.population_totals
        inputs.population_totals = t.set_column(2, "christiansoe", pc.add(t.column("christiansoe"), 1.0))
    with pytest.raises(ReleaseCheckFailed, match="Christiansø"):
        _build_tampered(tmp_path, change)
    assert list(tmp_path.iterdir()) == []


def test_a_socioeconomic_index_that_does_not_average_one_is_refused(tmp_path: Path) -> None:
    def change(inputs) -> None:  # noqa: ANN001
        t = inputs.noegletal
        bump = pc.and_(pc.equal(t.column("indicator"), "socioekonomisk_indeks"), pc.equal(t.column("year"), 2020))
        inputs.noegletal = t.set_column(3, "value", pc.if_else(bump, pc.multiply(t.column("value"), 1.1),
                                                               t.column("value")))
    with pytest.raises(ReleaseCheckFailed, match="socioøkonomiske indeks"):
        _build_tampered(tmp_path, change)


def test_a_series_year_with_97_municipalities_is_refused(tmp_path: Path) -> None:
    def change(inputs) -> None:  # noqa: ANN001
        t = inputs.series
        drop = pc.and_(pc.equal(t.column("municipality_code"), 825), pc.equal(t.column("year"), 2019))
        inputs.series = t.filter(pc.invert(drop))
    with pytest.raises(ReleaseCheckFailed, match="series har 97 kommuner"):
        _build_tampered(tmp_path, change)


def test_a_corrupt_new_table_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "copy"
    shutil.copytree(embedded_release_dir(), d)
    p = d / "noegletal.parquet"
    data = bytearray(p.read_bytes())
    data[len(data) // 3] ^= 0xFF
    p.write_bytes(bytes(data))
    from raaderum.errors import DataReleaseError

    with pytest.raises(DataReleaseError, match="noegletal.parquet er ændret"):
        Release(d)


def test_a_schema_1_release_still_opens(tmp_path: Path) -> None:
    d = tmp_path / "v1"
    shutil.copytree(embedded_release_dir(), d)
    m = json.loads((d / "manifest.json").read_text("utf-8"))
    m["schema_version"] = 1
    for name in NEW_TABLE_COLUMNS:
        (d / f"{name}.parquet").unlink()
        del m["files"][f"{name}.parquet"]
    for k in ("price_index", "method_validation", "population_totals"):
        m.pop(k)
    (d / "manifest.json").write_text(json.dumps(m), "utf-8")
    rel = Release(d)
    assert rel.query("SELECT count(*) FROM noegletal")[0][0] == 0
    kf = key_figures(rel, "Aarhus", 2022)
    assert kf.areas and kf.provenance["prices"]["basis"] == "løbende"
    assert rel.method_validation() == []


def test_inputs_read_back_from_the_release_rebuild_it_exactly(tmp_path: Path, release: Release) -> None:
    out = build_release(inputs_from_release(release), tmp_path / "again")
    rebuilt = json.loads((out / "manifest.json").read_text("utf-8"))
    assert rebuilt["files"] == release.manifest["files"] and rebuilt["release_id"] == release.id
    for name, f in release.manifest["files"].items():
        assert sha256_file(out / name) == f["sha256"]


def test_every_new_raw_file_is_in_the_manifest_with_its_sha256(release: Release) -> None:
    paths = {f["path"]: f["sha256"] for s in release.manifest["sources"] for f in s["files"]}
    for rel in ("hedegreen_danish_politics/folk1am_population_by_municipality.csv",
                "hedegreen_danish_politics/folk1a_65plus.csv", "hedegreen_danish_politics/auk01_social_assistance.csv",
                "hedegreen_danish_politics/lbesk69_employees_by_municipality.csv",
                "hedegreen_danish_politics/indkp101_income_by_municipality.csv",
                "hedegreen_danish_politics/unemployment_pct.csv", "hedegreen_danish_politics/hfudd11_h70.csv",
                "asgeringemann_noegletal/noegletal_long.csv",
                "asgeringemann_noegletal/dst_pris113_cpi_2015_100_monthly.csv"):
        assert paths[rel] == sha256_file(RAW_DIR / rel)
    text = (RAW_DIR / "SOURCES.md").read_text("utf-8")
    for rel, sha in paths.items():
        assert sha in text, rel


def test_tables_have_98_municipalities_in_every_year(release: Release) -> None:
    for table, key in (("population", "year"), ("target_groups", "year, target_group"),
                       ("structure", "year, variable"), ("series", "year, series"), ("noegletal", "year, indicator")):
        counts = {r[-1] for r in release.query(
            f"SELECT {key}, count(DISTINCT municipality_code) FROM {table} WHERE municipality_code <> 0 GROUP BY ALL")}
        assert counts == {98}, table
    assert pa is not None
