"""`raaderum ideas …` through Typer's CliRunner on the sub-app (the lead registers it in the main CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest_ideas import HEADER, row, write_xlsx
from openpyxl import load_workbook
from typer.testing import CliRunner

from raaderum.cli.ideas import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.sqlite"
    monkeypatch.setenv("RAADERUM_DATABASE_URL", f"sqlite:///{db}")
    return db


def _file(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "forslag.xlsx", {"Budget 2020": [
        ["Råderumsforslag"], HEADER,
        row(kommune="Århus", title="Gadelys slukkes om natten", area="Veje", typ="Servicetilpasning"),
        [],
        row(kommune="Vejle", title="Skærmbesøg", b="halvdelen"),
        [], [],  # trailing blank rows are not rows of the table
    ]})


def test_import_dry_run_json_then_import_and_list(tmp_path: Path) -> None:
    path = _file(tmp_path)
    res = runner.invoke(app, ["import", str(path), "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["dry_run"] and data["counts"]["imported"] == 1 and data["counts"]["rejected"] == 1
    (rej,) = data["rejected"]
    assert (rej["sheet"], rej["row"]) == ("Budget 2020", 5) and "halvdelen" in rej["reason"]
    assert {(s["sheet"], s["row"]) for s in data["skipped"]} == {("Budget 2020", 1), ("Budget 2020", 4)}

    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    assert all(p["is_sample"] for p in listed["proposals"])  # dry run stored nothing; the sample fills the view

    res = runner.invoke(app, ["import", str(path)])
    assert res.exit_code == 0
    assert "1 importeret, 1 afvist, 2 sprunget over" in res.stdout
    assert "Budget 2020!5: ugyldigt beløb" in res.stdout
    again = json.loads(runner.invoke(app, ["import", str(path), "--json"]).stdout)
    assert again["counts"]["imported"] == 0

    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    (p,) = [p for p in listed["proposals"] if not p["is_sample"]]  # the sample stays, labelled
    assert (p["municipality_code"], p["municipality_name"], p["budget_year"]) == (751, "Aarhus", 2020)
    assert (p["source_sheet"], p["source_row"], p["area_id"], p["type_id"]) == ("Budget 2020", 3, "veje_trafik",
                                                                                  "servicetilpasning")
    assert p["amount_b"] == -100 and not p["is_sample"]


def test_list_and_search_label_sample_data() -> None:
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 0 and "Eksempeldata" in res.stdout and "[EKSEMPEL]" in res.stdout
    res = runner.invoke(app, ["search", "gadelys", "--limit", "3"])
    assert res.exit_code == 0 and "[EKSEMPEL]" in res.stdout and "vejbelysning" in res.stdout.lower()
    data = json.loads(runner.invoke(app, ["search", "gadelys", "--json", "--year", "2020", "--limit", "3"]).stdout)
    assert data["sample_notice"] and 0 < len(data["hits"]) <= 3
    assert all(h["proposal"]["budget_year"] == 2020 for h in data["hits"])
    assert "<mark>" in " ".join(h["title_html"] + h["snippet_html"] for h in data["hits"])
    assert {"area", "type", "municipality", "year", "committee", "amount_band"} <= set(data["facets"])


def test_search_filters_and_similar() -> None:
    data = json.loads(runner.invoke(app, ["search", "hjemmepleje", "--json", "--area", "aeldre", "--type",
                                          "investering", "--kommune", "Odense"]).stdout)
    assert data["hits"] and all(h["proposal"]["municipality_name"] == "Odense" for h in data["hits"])
    pid = data["hits"][0]["id"]
    sim = json.loads(runner.invoke(app, ["similar", str(pid), "--json"]).stdout)
    assert sim["proposal"]["id"] == pid and sim["similar"]
    assert all(s["id"] != pid for s in sim["similar"])
    res = runner.invoke(app, ["similar", str(pid)])
    assert res.exit_code == 0 and "ligner" in res.stdout


def test_clusters_command() -> None:
    data = json.loads(runner.invoke(app, ["clusters", "--json"]).stdout)
    assert data["clusters"] and all(len(c["ids"]) >= 2 for c in data["clusters"])


def test_template_command(tmp_path: Path) -> None:
    out = tmp_path / "skabelon.xlsx"
    res = runner.invoke(app, ["template", "--xlsx", str(out)])
    assert res.exit_code == 0 and out.exists()
    wb = load_workbook(out, read_only=True)
    try:
        assert wb.sheetnames == ["Forslag", "Lister", "Vejledning"]
    finally:
        wb.close()


@pytest.mark.parametrize(("args", "message"), [
    (["import", "findes-ikke.xlsx"], "findes ikke"),
    (["similar", "999999"], "findes ikke"),
    (["search", "x", "--kommune", "Gotham"], "Ukendt kommune"),
    (["template", "--xlsx", "skabelon.csv"], ".xlsx"),
])
def test_errors_exit_2_with_a_message(args: list[str], message: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert message in res.stderr and res.stderr.startswith("Fejl:")


def test_import_of_a_non_workbook_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    res = runner.invoke(app, ["import", str(bad)])
    assert res.exit_code == 2 and "kan ikke læses" in res.stderr
