from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import raaderum.cli.benchmark  # noqa: F401  (registers `raaderum benchmark`)
from raaderum.analysis.benchmark import REFERENCES
from raaderum.cli._common import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    r = runner.invoke(app, ["benchmark", *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_json_shape() -> None:
    d = _json(["Aarhus", "--year", "2024"])
    assert d["municipality"]["code"] == 751 and d["municipality"]["name"] == "Aarhus"
    assert d["year"] == 2024 and d["reference"]["id"] == "peer_mean"
    assert {"municipality", "year", "reference", "summary", "denominators", "peers", "stability", "areas", "total",
            "method", "provenance"} <= set(d)
    assert d["denominators"]["dagtilbud"]["target_group"] == "0-5"
    members = d["peers"]["members"]
    assert len(members) == 10 and 751 not in [m["code"] for m in members]
    for m in members:
        assert m["distance"] > 0 and sum(m["contributions"].values()) == pytest.approx(1.0)
    assert d["stability"]["draws"] >= 200 and set(d["stability"]["per_peer"]) == {str(m["code"]) for m in members}
    for a in d["areas"]:
        assert {"id", "unit_cost", "target", "references", "potential", "band", "flags", "denominator"} <= set(a)
        assert set(a["references"]) == set(REFERENCES)
        for ref in a["references"].values():
            assert {"value", "potential", "band"} <= set(ref)
    assert d["total"]["potential"] == pytest.approx(sum(a["potential"] or 0 for a in d["areas"]))
    assert set(d["total"]["by_reference"]) == set(REFERENCES)
    assert d["method"]["bootstrap"]["B"] == 1000 and d["method"]["peers"]["k"] == 10
    assert d["provenance"]["attribution"] == "Kilde: Danmarks Statistik"


def test_json_options_reach_the_core() -> None:
    d = _json(["Høje Taastrup", "--year", "2022", "--reference", "median", "--peers", "Gentofte,Ballerup,101",
               "--weights", "ln_population=2", "--need-corrected"])
    assert d["municipality"]["code"] == 169 and d["reference"]["id"] == "peer_median"
    assert [m["code"] for m in d["peers"]["members"]] and d["peers"]["kind"] == "list"
    assert {m["code"] for m in d["peers"]["members"]} == {157, 151, 101}
    assert d["method"]["peers"]["weights"]["ln_population"] == 2.0
    assert d["method"]["need_corrected"] is True
    assert all(a["need"] is not None for a in d["areas"])
    assert "need_corrected" in d["total"]


def test_text_output() -> None:
    r = runner.invoke(app, ["benchmark", "Læsø", "--year", "2024", "--reference", "p25"])
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Råderumsbenchmark for Læsø Kommune (825)" in out
    assert "nedre kvartil (p25) af sammenligningskommunerne" in out
    assert "I alt:" in out and "Spænd over referenceniveauer" in out
    assert "udgift ≤ 0" in out and "lille kommune" in out
    assert "Kilde: Danmarks Statistik" in out


@pytest.mark.parametrize("args, message", [
    (["Atlantis"], "Ukendt kommune"),
    (["Aarhus", "--weights", "udgift=2"], "Ukendt strukturvariabel"),
    (["Aarhus", "--reference", "gæt"], "Ukendt referenceniveau"),
    (["Aarhus", "--year", "1999"], "1999"),
    (["Aarhus", "--bootstrap", "10"], "1.000"),
])
def test_errors_are_clear(args: list[str], message: str) -> None:
    r = runner.invoke(app, ["benchmark", *args])
    assert r.exit_code == 2 and message in r.stderr


def test_xlsx_workbook(tmp_path: Path) -> None:
    path = tmp_path / "bench.xlsx"
    r = runner.invoke(app, ["benchmark", "Frederiksberg", "--year", "2024", "--xlsx", str(path), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[0] == "Overblik" and names[-1] == "Metode og kilder" and "Sammenligningskommuner" in names
    assert len(names) == len(d["areas"]) + 3
    assert all(len(n) <= 31 for n in names)
    ws = wb["Overblik"]
    assert ws.freeze_panes == "B5" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A4:")
    assert ws["A4"].value == "Område"
    first = d["areas"][0]
    assert ws["A5"].value == first["name"]
    assert ws["D5"].value == pytest.approx(first["unit_cost"]) and ws["D5"].number_format == "#,##0"
    assert ws["F5"].value == pytest.approx(first["potential"]) and ws["F5"].number_format == "#,##0"
    header = [ws.cell(row=4, column=c).value for c in range(1, ws.max_column + 1)]
    status_col = header.index("Status") + 1
    estimated = [a for a in d["areas"] if a["status"] == "estimated"]
    assert estimated  # age-based target groups in 2024 are estimates
    row = 5 + d["areas"].index(estimated[0])
    assert ws.cell(row=row, column=status_col).value == "skøn"  # estimated labelled
    assert ws.cell(row=5, column=header.index("Potentiale: status") + 1).value == "afledt"
    assert ws.cell(row=5, column=header.index("Potentiale: præcision ±, kr.") + 1).value == pytest.approx(
        first["expenditure_precision"])
    area_ws = wb[names[2]]
    assert area_ws.freeze_panes == "B5" and area_ws.auto_filter.ref
    peer_names = {area_ws.cell(row=r_, column=1).value for r_ in range(6, 6 + len(d["peers"]["members"]))}
    assert peer_names == {m["name"] for m in d["peers"]["members"]}
    meta = wb["Metode og kilder"]
    values = {meta.cell(row=r_, column=1).value: meta.cell(row=r_, column=2).value for r_ in range(5, meta.max_row + 1)}
    assert values["metode.bootstrap.B"] == "1000" and values["metode.reference"] == "peer_mean"
    assert values["kildeangivelse"] == "Kilde: Danmarks Statistik"
    assert any(k.startswith("metode.peers.weights.") for k in values)
    assert meta.freeze_panes == "B5" and meta.auto_filter.ref
