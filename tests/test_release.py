"""The embedded data release: exact agreement with the raw files, estimates marked, checks that refuse bad data."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from raaderum.errors import DataReleaseError, ReleaseCheckFailed
from raaderum.release.build import build_release
from raaderum.release.raw_inputs import read_raw_inputs
from raaderum.release.reader import Release, check_release, embedded_release_dir, open_release, switch_current

RAW_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"


def _raw_regk31(year: int) -> dict[tuple[str, str], int]:
    text = (RAW_DIR / "marieleth_regk31" / f"{year}.csv").read_text(encoding="utf-8")
    return {(row[3], row[2].split(" ")[0]): int(row[4]) for row in csv.reader(io.StringIO(text)) if row}


@pytest.mark.parametrize("year", [2016, 2019, 2021, 2024])
@pytest.mark.parametrize(("name", "code"), [("København", 101), ("Læsø", 825), ("Aarhus", 751),
                                            ("Høje-Taastrup", 169), ("Hele landet", 0), ("Vesthimmerlands", 820)])
def test_shipped_figures_equal_the_raw_files(release: Release, year: int, name: str, code: int) -> None:
    raw = _raw_regk31(year)
    rows = release.query("SELECT function, per_inhabitant, per_inhabitant_status FROM expenditure "
                         "WHERE municipality_code = ? AND year = ?", [code, year])
    assert len(rows) == 25
    for function, value, status in rows:
        expected = raw[(name, function)]
        if status == "missing":
            assert function in ("5.30.26", "5.30.27", "5.30.28") and year < 2018
            assert value is None
        else:
            assert status == "observed"
            assert value == expected, (name, function, year)


def test_functions_that_did_not_exist_are_missing_not_zero(release: Release) -> None:
    rows = release.query("SELECT DISTINCT year, per_inhabitant_status, per_inhabitant_method FROM expenditure "
                         "WHERE function = '5.30.26' AND year <= 2018 ORDER BY year")
    assert rows == [(2016, "missing", "function_not_in_chart"), (2017, "missing", "function_not_in_chart"),
                    (2018, "observed", None)]
    assert release.query("SELECT count(*) FROM expenditure WHERE function = '5.30.27' AND year = 2017 "
                         "AND per_inhabitant IS NOT NULL")[0][0] == 0
    # A genuine 0 in the source stays 0 (Læsø reports no special schools of its own).
    assert release.query("SELECT per_inhabitant, per_inhabitant_status FROM expenditure WHERE "
                         "municipality_code = 825 AND function = '3.22.08' AND year = 2017") == [(0.0, "observed")]


def test_population_is_observed_2007_to_2026(release: Release) -> None:
    # Data release 2: 2023-2026 come from FOLK1AM (they were trend estimates in the first release).
    raw = (RAW_DIR / "noegletal_leafletexploration/kommune_indbyggere_2007_2022.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    kbh = next(r for r in rows if r[1] == "101")
    got = dict(release.query("SELECT year, population FROM population WHERE municipality_code = 101"))
    for i, y in enumerate(range(2007, 2023)):
        assert got[y] == int(kbh[2 + i].replace(".", ""))
    folk1am = (RAW_DIR / "hedegreen_danish_politics/folk1am_population_by_municipality.csv").read_text("utf-8-sig")
    jan = {r[3][:4]: float(r[4]) for r in csv.reader(io.StringIO(folk1am), delimiter=";")
           if r and r[0] == "Copenhagen" and r[3].endswith("M01")}
    for y in range(2022, 2027):
        assert got[y] == jan[str(y)]
    assert release.query("SELECT DISTINCT status FROM population") == [("observed",)]
    assert release.manifest["methods"]["population_trend"]  # still a method of the builder, for other inputs


def test_target_groups_observed_in_2021_estimated_elsewhere(release: Release) -> None:
    # 0-5-year-olds in Aarhus on 1 January 2021, summed from the raw single-year file.
    total = 0
    for rel in ("DKfolketal2021_Statistikbanken_Del1.csv", "DKfolketal2021_Statistikbanken_Del2.csv"):
        for row in csv.reader(io.StringIO((RAW_DIR / "pandemix_folketal2021" / rel).read_text("utf-8")),
                              delimiter=";"):
            if row and row[0] == "Aarhus" and int(row[1].split()[0]) <= 5:
                total += int(row[2])
    got = release.query("SELECT year, persons, status, method FROM target_groups WHERE municipality_code = 751 "
                        "AND target_group = '0-5' AND year IN (2020, 2021) ORDER BY year")
    assert got[1] == (2021, float(total), "observed", None)
    assert got[0][2:] == ("estimated", "age_share")
    national = release.query("SELECT persons FROM target_groups WHERE municipality_code = 0 AND year = 2021 "
                             "AND target_group = 'alle'")[0][0]
    assert national == 5_839_955  # DST's 5,840,045 minus Christiansø's 90, which is not a municipality


def test_totals_derived_from_per_inhabitant_are_marked_derived(release: Release) -> None:
    v, pop = release.query("""SELECT e.total_1000kr, p.population FROM expenditure e JOIN population p
        USING (municipality_code, year) WHERE e.municipality_code = 751 AND e.function = '3.22.01'
        AND e.year = 2021""")[0]
    per = release.query("SELECT per_inhabitant FROM expenditure WHERE municipality_code = 751 AND "
                        "function = '3.22.01' AND year = 2021")[0][0]
    assert v == pytest.approx(per * pop / 1000)
    assert release.query("SELECT DISTINCT total_status, total_method FROM expenditure WHERE "
                         "per_inhabitant_status = 'observed'") == [("derived", "total_from_per_inhabitant")]
    # With the precision its inputs carry: kr. per inhabitant is published in whole kroner.
    prec = release.query("SELECT total_precision_1000kr FROM expenditure WHERE municipality_code = 751 AND "
                         "function = '3.22.01' AND year = 2021")[0][0]
    assert prec == pytest.approx(0.5 * pop / 1000)


def test_weighted_mean_reproduces_the_national_row(release: Release) -> None:
    rows = release.query("""
        SELECT e.function, e.year, sum(e.per_inhabitant * p.population) / sum(p.population), n.per_inhabitant
        FROM expenditure e JOIN population p USING (municipality_code, year)
        JOIN expenditure n ON n.municipality_code = 0 AND n.function = e.function AND n.year = e.year
        WHERE e.municipality_code <> 0 AND p.status = 'observed' AND e.per_inhabitant IS NOT NULL
        GROUP BY e.function, e.year, n.per_inhabitant""")
    assert len(rows) == 219  # 2023 and 2024 are observed now (169 in the first release, to 2022)
    assert max(abs(w - n) for _, y, w, n in rows if y <= 2022) < 1.5
    # First check of 2023-2024 against observed populations: at most 2.4 kr. (daycare 2024, 0.06 %), well inside
    # the load tolerance max(5 kr., 0.5 %); a transposed value in a sizeable municipality would show far more.
    assert max(abs(w - n) for _, _, w, n in rows) < 2.5


def test_manifest_has_provenance_for_every_input(release: Release) -> None:
    m = release.manifest
    assert m["attribution"] == "Kilde: Danmarks Statistik"
    paths = {f["path"] for s in m["sources"] for f in s["files"]}
    assert "marieleth_regk31/2024.csv" in paths and "dkstat_rOpenGov/komgrp.csv" in paths
    from raaderum.release.raw_inputs import sha256_file

    for s in m["sources"]:
        assert s["provenance"] and s["licence"]
        for f in s["files"]:
            assert f["sha256"] == sha256_file(RAW_DIR / f["path"]), f["path"]
    assert m["years"]["expenditure"] == [2016, 2024]
    assert m["years"]["population_observed"] == [2007, 2026]
    assert m["years"]["age_observed"] == [2008, 2011, 2015, 2019, 2021, 2022]


def test_the_build_is_reproducible(tmp_path: Path, release: Release) -> None:
    out = build_release(read_raw_inputs(RAW_DIR), tmp_path / "rebuilt")
    rebuilt = json.loads((out / "manifest.json").read_text("utf-8"))
    assert rebuilt["release_id"] == release.id
    assert rebuilt["files"] == release.manifest["files"]


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(embedded_release_dir(), dst)
    return dst


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    p = d / "expenditure.parquet"
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(DataReleaseError, match="expenditure.parquet er ændret eller beskadiget"):
        Release(d)


def test_a_partial_release_is_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "population.parquet").unlink()
    with pytest.raises(DataReleaseError, match="population.parquet mangler"):
        check_release(d)
    d2 = _copy(tmp_path / "b")
    (d2 / "manifest.json").unlink()
    with pytest.raises(DataReleaseError, match="mangler manifest.json"):
        open_release(d2)
    (d2 / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataReleaseError, match="JSON"):
        Release(d2)


def _tampered(column_filter, new_value) -> object:  # type: ignore[no-untyped-def]
    inputs = read_raw_inputs(RAW_DIR)
    t = inputs.expenditure
    mask = column_filter(t)
    values = pc.if_else(mask, pa.scalar(new_value, pa.float64()), t.column("value"))
    inputs.expenditure = t.set_column(t.schema.get_field_index("value"), "value", values)
    return inputs


def test_inconsistent_data_is_refused_and_nothing_is_left_behind(tmp_path: Path) -> None:
    inputs = _tampered(lambda t: pc.and_(pc.and_(pc.equal(t.column("municipality_code"), 751),
                                                 pc.equal(t.column("function"), "3.22.01")),
                                         pc.equal(t.column("year"), 2019)), 60000.0)
    with pytest.raises(ReleaseCheckFailed, match=r"3\.22\.01 i 2019"):
        build_release(inputs, tmp_path / "bad")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_register_without_98_municipalities_is_refused(tmp_path: Path) -> None:
    inputs = read_raw_inputs(RAW_DIR)
    inputs.municipalities = inputs.municipalities[:-1]
    with pytest.raises(DataReleaseError, match="97 forskellige koder"):
        build_release(inputs, tmp_path / "bad")
    assert list(tmp_path.iterdir()) == []


def test_releases_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    with pytest.raises(DataReleaseError, match="findes allerede"):
        build_release(read_raw_inputs(RAW_DIR), tmp_path / "r")


def test_switching_the_release_in_use(tmp_path: Path, _isolated_home: Path) -> None:
    from raaderum.release.reader import current_release_dir, releases_dir

    assert current_release_dir() == embedded_release_dir()
    new = build_release(read_raw_inputs(RAW_DIR), releases_dir() / "r2")
    switch_current(new)
    assert current_release_dir() == new
    assert open_release().path == new


def test_many_processes_read_the_release_at_once() -> None:
    import subprocess
    import sys

    code = ("from raaderum.release.reader import open_release, embedded_release_dir; "
            "r = open_release(embedded_release_dir()); "
            "print(r.query('SELECT count(*) FROM expenditure')[0][0])")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert set(outs) == {str(98 * 25 * 9 + 25 * 9)}
