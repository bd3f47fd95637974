"""Issue 14: `raaderum demografi`, `raaderum dea` and their API endpoints under /api/v1."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import conftest_accounts as ca
from openpyxl import load_workbook
from typer.testing import CliRunner

from raaderum.cli import app

runner = CliRunner()


def test_demografi_json_has_budget_years_bands_and_provenance() -> None:
    r = runner.invoke(app, ["demografi", "Aarhus", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["municipality"] == {"code": 751, "name": "Aarhus"}
    assert d["budget_years"] == [2027, 2028, 2029, 2030] and d["labels"]["2027"] == "B"
    assert d["provenance"]["status"] == "projection" and "Faste" in d["provenance"]["price_basis"]
    eld = next(a for a in d["areas"] if a["id"] == "aeldre")
    assert eld["weighted"]["assumption"] is True and len(eld["weighted"]["years"]) == 4
    y = eld["years"][-1]
    assert y["status"] == "projection" and y["band"]["low"] < y["change"] < y["band"]["high"]
    assert "fremskrivning" in d["method"]["projection"].lower()


def test_demografi_text_and_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "demografi.xlsx"
    r = runner.invoke(app, ["demografi", "751", "--omraade", "aeldre", "--xlsx", str(out)])
    assert r.exit_code == 0, r.output
    assert "Fremskrivning" in r.stdout and "Kilde: Danmarks Statistik" in r.stdout and "ANTAGELSE" in r.stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["Demografiregulering", "I alt", "Metode og kilder"]
    ws = wb["Demografiregulering"]
    assert "fremskrivning" in str(ws["A1"].value) and ws.cell(5, 1).value == "Ældrepleje"
    assert ws.max_row == 4 + 8  # header + 4 years × (unweighted, age-weighted)


def test_demografi_errors() -> None:
    r = runner.invoke(app, ["demografi", "Århuus"])
    assert r.exit_code == 2 and "Ukendt kommune" in r.stderr
    r = runner.invoke(app, ["demografi", "Aarhus", "--omraade", "nej"])
    assert r.exit_code == 2 and "Ukendt serviceområde" in r.stderr


def test_dea_overview_spec_and_municipality() -> None:
    r = runner.invoke(app, ["dea", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["aeldre"]["summary"]["units"] == 98
    r = runner.invoke(app, ["dea", "--omraade", "aeldre", "--year", "2024"])
    assert r.exit_code == 0 and "Effektive" in r.stdout
    r = runner.invoke(app, ["dea", "--omraade", "aeldre", "--kommune", "Aarhus", "--bootstrap", "100", "--json"])
    assert r.exit_code == 0, r.output
    u = json.loads(r.stdout)["unit"]
    assert u["code"] == 751 and u["bootstrap"]["theta_band"]["p10"] <= u["bootstrap"]["theta_band"]["p90"]
    assert u["references"] or u["super_references"]
    r = runner.invoke(app, ["dea", "--omraade", "ukendt"])
    assert r.exit_code == 2 and "Ukendt DEA-specifikation" in r.stderr
    r = runner.invoke(app, ["dea", "--omraade", "aeldre", "--year", "2016"])
    assert r.exit_code == 2


def test_api_demografi_json_csv_xlsx(engine: Any) -> None:
    c = ca.new_client()
    r = c.get("/api/v1/demografi/751?omraade=aeldre")
    assert r.status_code == 200 and r.json()["areas"][0]["id"] == "aeldre"
    r = c.get("/api/v1/demografi/751?format=csv&prices=løbende&base_year=2020")  # base year ignored, no 400
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "FREMSKRIVNING" in r.text and "Ældrepleje" in r.text
    r = c.get("/api/v1/demografi/Aarhus?format=xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Demografiregulering"
    r = c.get("/api/v1/demografi?omraade=folkeskole")
    assert r.status_code == 200 and len(r.json()["municipalities"]) == 98
    assert c.get("/api/v1/demografi/9999").status_code == 404
    assert c.get("/api/v1/demografi/751?omraade=nej").status_code == 400
    r = c.get("/api/v1/befolkning-tilbagetest")
    assert r.status_code == 200 and "rows" not in r.json() and r.json()["summary"]
    assert c.get("/api/v1/befolkning/825").json()["status"]["2030"] == "projection"


def test_api_dea(engine: Any) -> None:
    c = ca.new_client()
    r = c.get("/api/v1/dea/aeldre?year=2024")
    assert r.status_code == 200 and r.json()["summary"]["units"] == 98
    assert c.get("/api/v1/dea/aeldre?year=2016").status_code == 404  # the functions exist from 2018
    r = c.get("/api/v1/dea/aeldre/Aarhus?bootstrap=1")  # rounded up to the minimum
    assert r.status_code == 200 and r.json()["unit"]["bootstrap"] is not None
    assert c.get("/api/v1/dea/specialundervisning/825").status_code == 404  # Læsø is left out: E ≤ 0
    assert c.get("/api/v1/dea/ukendt").status_code == 400
    assert c.get("/api/v1/dea").status_code == 200
    schema = c.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/demografi/{kommune}"]["get"]
    assert {"200", "400", "404", "503"} <= set(op["responses"])
    assert "text/csv" in op["responses"]["200"]["content"]


def test_benchmark_against_the_dea_reference_municipalities(release: Any) -> None:
    from raaderum.analysis.dea import dea_peers

    r = CliRunner().invoke(app, ["benchmark", "Aarhus", "--peers", "dea:aeldre", "--json"])
    assert r.exit_code == 0, r.output
    peers = json.loads(r.output)["peers"]
    expected = dea_peers(release, 751, "aeldre")
    assert peers["kind"] == "dea" and {m["code"] for m in peers["members"]} == set(expected.codes)
    assert expected.codes and 751 not in expected.codes
    r = CliRunner().invoke(app, ["benchmark", "Aarhus", "--peers", "dea:intet"])
    assert r.exit_code == 2 and "Ukendt DEA-specifikation" in r.output
