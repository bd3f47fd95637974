"""The benchmark workbook: flag explanations in their own table, derived potentials marked, price basis stated."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from raaderum.analysis.benchmark import FLAGS, REFERENCES, run_benchmark
from raaderum.analysis.key_figures import round_to_precision
from raaderum.release.reader import Release
from raaderum.reports.benchmark_xlsx import FLAG_COL, NEED_COL, REF_COL, write_benchmark_xlsx


def test_flags_have_their_own_table_beside_the_reference_levels(release: Release, tmp_path: Path) -> None:
    res = run_benchmark(release, "Læsø", 2024, need_corrected=True, peer_model="auto", prices="faste")
    wb = openpyxl.load_workbook(write_benchmark_xlsx(res, tmp_path / "b.xlsx"))
    names = [REFERENCES[r].name for r in REFERENCES]
    for a in res.areas:
        ws = wb[next(n for n in wb.sheetnames if n.startswith(a.name[:25]))]
        col = [ws.cell(row=r, column=REF_COL + 1).value for r in range(4, ws.max_row + 1)]
        assert col[0] == "Referenceniveau" and col[1:1 + len(names)] == names
        assert all(v is None for v in col[1 + len(names):]), a.id  # nothing under the levels
        assert ws.cell(row=4, column=FLAG_COL + 1).value == "Bemærkning"
        texts = [ws.cell(row=r, column=FLAG_COL + 2).value for r in range(5, ws.max_row + 1)]
        for f in a.flags:
            assert FLAGS[f] in texts, (a.id, f)
        for meth in a.methods:  # every estimate names its method
            assert meth["text"] in texts and meth["text"] == release.method_text(meth["id"])
        if "estimated" in a.flags:
            assert a.methods, a.id
        if a.need:
            assert ws.cell(row=4, column=NEED_COL + 1).value == "Behovskorrektion"
        assert a.peer_model_name in ws.cell(row=2, column=1).value
        assert "Faste 2023-priser" in ws.cell(row=3, column=1).value
    over = wb["Overblik"]
    header = [over.cell(row=4, column=c).value for c in range(1, over.max_column + 1)]
    assert {"Potentiale: status", "Potentiale: præcision ±, kr.", "Sammenligningsmodel"} <= set(header)
    texts = [over.cell(row=r, column=1).value or "" for r in range(1, over.max_row + 1)]
    assert any(t.startswith("Fortegn: potentialer er positive") for t in texts)
    assert any("forbrugerprisindeks, ikke kommunernes pris- og lønindeks" in t for t in texts)
    meta = wb["Metode og kilder"]
    keys = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value for r in range(5, meta.max_row + 1)}
    assert keys["metode.prices.basis"] == "faste" and keys["metode.peer_model.id"] == "auto"


def test_round_to_precision() -> None:
    assert round_to_precision(47_456_307.6, 103_363.4) == 47_500_000.0
    assert round_to_precision(1_234.0, 5.0) == 1_234.0
    assert round_to_precision(None, 5.0) is None and round_to_precision(12.3, 0.0) == 12.3
    assert round_to_precision(-12_345.0, 500.0) == pytest.approx(-12_300.0)
