from __future__ import annotations

import json

from typer.testing import CliRunner

from raaderum.cli import app

runner = CliRunner()


def test_kommuner_json() -> None:
    r = runner.invoke(app, ["kommuner", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["municipalities"]) == 98
    assert {"code": 751, "name": "Aarhus", "region_code": 1082, "region": "Region Midtjylland", "group_code": 2,
            "group": "Storbykommuner"} in data["municipalities"]


def test_noegletal_json_has_figures_with_provenance() -> None:
    r = runner.invoke(app, ["noegletal", "Høje Taastrup", "--year", "2021", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["municipality"] == {"code": 169, "name": "Høje-Taastrup"}
    assert data["year"] == 2021
    assert len(data["functions"]) == 25 and len(data["areas"]) >= 12
    assert data["provenance"]["table"] == "REGK31" and "Løbende" in data["provenance"]["price_basis"]
    a = data["areas"][0]
    assert {"per_inhabitant", "national_per_inhabitant", "rank", "per_target", "target_group", "status"} <= set(a)


def test_noegletal_text_says_source_and_estimates() -> None:
    r = runner.invoke(app, ["noegletal", "aarhus", "--year", "2024"])
    assert r.exit_code == 0, r.output
    assert "Kilde: Danmarks Statistik" in r.stdout
    assert "Skøn" in r.stdout and "fremskrevet" in r.stdout


def test_unknown_municipality_exit_code_and_suggestions() -> None:
    r = runner.invoke(app, ["noegletal", "Århuus"])
    assert r.exit_code == 2
    assert "Ukendt kommune" in r.stderr and "Aarhus" in r.stderr


def test_unknown_year() -> None:
    r = runner.invoke(app, ["noegletal", "Aarhus", "--year", "1999"])
    assert r.exit_code == 2 and "1999" in r.stderr


def test_data_info_shows_provenance() -> None:
    r = runner.invoke(app, ["data", "info"])
    assert r.exit_code == 0, r.output
    assert "embedded-" in r.stdout and "sha256" in r.stdout and "Kilde: Danmarks Statistik" in r.stdout
    r = runner.invoke(app, ["data", "info", "--json"])
    assert json.loads(r.stdout)["checks"]["municipalities"] == 98
