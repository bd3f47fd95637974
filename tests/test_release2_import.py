"""`raaderum data import-noegletal FILE.csv`: a noegletal.dk export into a new release, or nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from raaderum.errors import DataReleaseError, InputError
from raaderum.release.noegletal import import_noegletal, parse_export, parse_number_da
from raaderum.release.reader import Release, current_release_dir, embedded_release_dir, open_release, releases_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "noegletal"
SOCIO = FIXTURES / "socioekonomisk_indeks_2022_2024.csv"
POPULATION = FIXTURES / "indbyggertal_1jan_2020_2024.csv"


def _noegletal(rel: Release) -> dict[tuple[int, int, str], tuple[float | None, str | None]]:
    return {(m, y, i): (v, mk) for m, y, i, v, mk in rel.query(
        "SELECT municipality_code, year, indicator, value, marker FROM noegletal")}


def test_danish_numbers_and_markers() -> None:
    assert parse_number_da("1.251,60", "x") == (1251.6, None)
    assert parse_number_da("466.129", "x") == (466129.0, None)
    assert parse_number_da("0,95", "x") == (0.95, None)
    assert parse_number_da("-3,5", "x") == (-3.5, None)
    assert parse_number_da("M", "x") == (None, "M") and parse_number_da("U", "x") == (None, "U")
    assert parse_number_da("-", "x") == (0.0, None)  # the report's legend: a true zero
    with pytest.raises(InputError, match="linje 7"):
        parse_number_da("12.5", "linje 7")  # a decimal point is ambiguous in a Danish export


@pytest.mark.parametrize("fixture", [SOCIO, POPULATION])
def test_the_fixtures_cut_from_the_shipped_export_equal_the_release(release: Release, fixture: Path) -> None:
    data = fixture.read_bytes()
    assert "ø".encode("latin-1") in data and "ø".encode() not in data  # Latin-1, as noegletal.dk exports
    export = parse_export(data, name=fixture.name, codes=set(release.register.codes()))
    assert export.exported == "30. marts 2024" and len(export.indicators) == 1
    shipped = _noegletal(release)
    d = export.table.to_pydict()
    assert len(d["year"]) == 99 * len(export.years)  # 98 municipalities + the report's average/total row
    for m, y, i, v, mk in zip(*d.values(), strict=True):
        assert shipped[(m, y, i)] == (v, mk), (m, y, i)


def test_import_builds_checks_and_switches(release: Release, tmp_path: Path) -> None:
    text = SOCIO.read_bytes().decode("latin-1")
    changed = text.replace("Aarhus Kommune;751;0,94;0,94;0,95", "Aarhus Kommune;751;0,94;0,94;0,96")
    assert changed != text
    f = tmp_path / "socio.csv"
    f.write_bytes(changed.encode("latin-1"))
    result = import_noegletal(f)
    assert current_release_dir() == result.release_dir and result.previous_id == release.id
    new = open_release()
    assert new.id.startswith("noegletal-") and new.id != release.id
    assert _noegletal(new)[(751, 2024, "socioekonomisk_indeks")] == (0.96, None)
    assert new.query("SELECT value FROM structure WHERE municipality_code = 751 AND year = 2024 AND "
                     "variable = 'socioeconomic_index'") == [(0.96,)]
    # Everything else is as before: the same expenditure and population, the other key figures untouched.
    for table in ("expenditure", "population", "series", "population_by_age"):
        assert new.manifest["files"][f"{table}.parquet"]["sha256"] == release.manifest["files"][
            f"{table}.parquet"]["sha256"]
    old, got = _noegletal(release), _noegletal(new)
    assert {k for k in old if old[k] != got[k]} == {(751, 2024, "socioekonomisk_indeks")}
    src = new.manifest["sources"][-1]
    assert src["table"] == "noegletal.dk" and src["files"][0]["path"] == "socio.csv" and "30. marts 2024" in \
        src["provenance"]


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("Aarhus Kommune;751;0,94;0,94;0,95\n", ""), "97 kommuner"),
    (lambda t: t.replace("Aarhus Kommune;751;0,94;0,94;0,95", "Aarhus Kommune;751;0,94;0,94;0.95"), "0.95"),
    (lambda t: t.replace("Socioøkonomisk indeks", "Hemmeligt indeks"), "ukendt nøgletal"),
    (lambda t: t.replace(";Kom.nr;", ";Nummer;"), "Kom.nr"),
    (lambda t: t.replace("Aarhus Kommune;751;", "Aarhus Kommune;9751;"), "9751"),
])
def test_a_broken_export_is_refused_and_nothing_switches(tmp_path: Path, damage, message: str) -> None:  # noqa: ANN001
    f = tmp_path / "bad.csv"
    f.write_bytes(damage(SOCIO.read_bytes().decode("latin-1")).encode("latin-1"))
    with pytest.raises(InputError, match=message):
        import_noegletal(f)
    assert current_release_dir() == embedded_release_dir()
    assert not releases_dir().exists() or not any(releases_dir().iterdir())


def test_an_import_that_fails_the_checks_leaves_the_release_in_use(tmp_path: Path) -> None:
    text = SOCIO.read_bytes().decode("latin-1")
    lines = []
    for line in text.split("\n"):  # every municipality's 2024 index × 1.5: the mean is no longer 1
        parts = line.split(";")
        if len(parts) == 5 and parts[1].isdigit():
            parts[4] = f"{float(parts[4].replace(',', '.')) * 1.5:.2f}".replace(".", ",")
        lines.append(";".join(parts))
    f = tmp_path / "wrong.csv"
    f.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(DataReleaseError, match="uændret"):
        import_noegletal(f)
    assert current_release_dir() == embedded_release_dir()
    assert not releases_dir().exists() or not any(p for p in releases_dir().iterdir() if p.name != "CURRENT")


def test_cli_import_noegletal(tmp_path: Path) -> None:
    from raaderum.cli import app

    r = CliRunner().invoke(app, ["data", "import-noegletal", str(POPULATION)])
    assert r.exit_code == 0, r.output
    assert "Ny datarelease i brug: noegletal-" in r.stdout and "indbyggertal_1jan" in r.stderr
    r = CliRunner().invoke(app, ["data", "import-noegletal", str(tmp_path / "findes-ikke.csv")])
    assert r.exit_code == 2 and "Kan ikke læse" in r.stderr
