"""The demografiregulering table as an Excel workbook or CSV (one row per area × variant × budget year).

Numbers are written as numbers with formats (``#,##0`` for kroner); every sheet says that the figures are a
projection, its method, the price basis and the source. The CSV uses ``;`` and a decimal comma (Danish Excel opens it
as it is), UTF-8 with a byte-order mark.

    >>> from raaderum.analysis.demography import demographic_pressure         # doctest: +SKIP
    >>> write_demography_xlsx(demographic_pressure(rel, "Aarhus"), "aarhus-demografi.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import xlsxwriter

from raaderum.analysis.demography import DemographicPressure

KR = "#,##0"
PCT = "0.0%"
COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("område", "Område", None), ("variant", "Variant", None), ("målgruppe", "Målgruppe", None),
    ("år", "År", None), ("budgetår", "Budgetår", None), ("status", "Status", None),
    ("målgruppe_antal", "Målgruppe (fremskrevet; aldersvægtet: vægtede personer)", "#,##0"),
    ("enhedsudgift", "Udgift pr. person i målgruppen, kr.", KR), ("forventet_udgift", "Forventet udgift, kr.", KR),
    ("ændring_fra_basisår", "Ændring fra basisår, kr.", KR), ("bånd_lav", "Bånd, lav, kr.", KR),
    ("bånd_høj", "Bånd, høj, kr.", KR), ("relativ_fejl", "Relativ fejl (P90, tilbagetest)", PCT),
)
STATUS_WORDS = {"projection": "fremskrivning"}


def _notes(res: DemographicPressure) -> list[str]:
    prov, meth = res.provenance, res.method
    return [
        f"Demografiregulering for {res.municipality.name} Kommune ({res.municipality.code}): FREMSKRIVNING, ikke "
        f"observerede tal. Basisår {res.base_year}, budgetår {', '.join(map(str, res.budget_years))} (B, BO1-BO3).",
        f"Udgift pr. person i målgruppen fra regnskab {res.accounts_year}; {prov['price_basis']}.",
        f"Fortegn: {res.to_dict()['sign_convention']}",
        f"Formel: {meth['formula']}", f"Bånd: {meth['band']}", f"Antagelse: {meth['assumption']}",
        f"Fremskrivning ({meth['projection_method']}): {meth['projection']}",
        f"Kilde: {prov['source']} ({', '.join(prov['tables'])}); datarelease {prov['release_id']}.",
    ]


def csv_text(res: DemographicPressure) -> str:
    """The table as CSV (``;``, decimal comma), with the notes as comment lines above it."""
    buf = io.StringIO()
    for line in _notes(res):
        buf.write("# " + line.replace("\n", " ") + "\r\n")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["Kommune", "Kommunekode", *(label for _, label, _ in COLUMNS)])
    for r in res.rows():
        out = [r["kommune"], r["kommunekode"]]
        for key, _, fmt in COLUMNS:
            v = r[key]
            if key == "status":
                v = STATUS_WORDS.get(v, v)
            if isinstance(v, float):
                v = (f"{v:.4f}" if fmt == PCT else f"{v:.0f}").replace(".", ",")
            out.append("" if v is None else v)
        w.writerow(out)
    return "\ufeff" + buf.getvalue()


def xlsx_bytes(res: DemographicPressure) -> bytes:
    buf = io.BytesIO()
    _write(res, buf)
    return buf.getvalue()


def write_demography_xlsx(res: DemographicPressure, path: Path | str) -> Path:
    path = Path(path)
    with open(path, "wb") as f:
        _write(res, f)
    return path


def _write(res: DemographicPressure, target: Any) -> None:
    wb = xlsxwriter.Workbook(target, {"in_memory": True, "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    fmts = {KR: wb.add_format({"num_format": KR}), PCT: wb.add_format({"num_format": PCT}),
            "#,##0": wb.add_format({"num_format": "#,##0"})}
    ws = wb.add_worksheet("Demografiregulering")
    ws.write(0, 0, f"Demografiregulering, {res.municipality.name} Kommune: fremskrivning "
                   f"{res.budget_years[0]}-{res.budget_years[-1]}", bold)
    ws.write(1, 0, f"{res.provenance['price_basis']}. Kilde: Danmarks Statistik. Se arket 'Metode og kilder'.")
    header = 3
    for c, (_, label, _) in enumerate(COLUMNS):
        ws.write(header, c, label, bold)
        ws.set_column(c, c, 14 if c > 2 else 26)
    rows = res.rows()
    for r, row in enumerate(rows, start=header + 1):
        for c, (key, _, fmt) in enumerate(COLUMNS):
            v = row[key]
            if key == "status":
                v = STATUS_WORDS.get(v, v)
            if v is None:
                ws.write_blank(r, c, None)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(r, c, float(v), fmts.get(fmt or "") if fmt else None)
            else:
                ws.write_string(r, c, str(v))
    ws.freeze_panes(header + 1, 1)
    ws.autofilter(header, 0, header + max(len(rows), 1), len(COLUMNS) - 1)
    tot = wb.add_worksheet("I alt")
    tot.write(0, 0, "Demografisk pres i alt (summen af områderne, ældrepleje uvægtet), kr. — fremskrivning", bold)
    for c, label in enumerate(("År", "Budgetår", "Ændring fra basisår, kr.", "Bånd, lav, kr.", "Bånd, høj, kr.")):
        tot.write(2, c, label, bold)
        tot.set_column(c, c, 20)
    for r, t in enumerate(res.total, start=3):
        tot.write_number(r, 0, t["year"])
        tot.write_string(r, 1, t["label"])
        tot.write_number(r, 2, t["change"], fmts[KR])
        tot.write_number(r, 3, t["band"]["low"], fmts[KR])
        tot.write_number(r, 4, t["band"]["high"], fmts[KR])
    meta = wb.add_worksheet("Metode og kilder")
    meta.set_column(0, 0, 140, wrap)
    lines = _notes(res)
    for a in res.areas:
        if a.weighted:
            lines.append(f"Aldersvægtet variant ({a.name}): {a.weighted['method']} Kilde for vægtene: "
                         f"{a.weighted['source']} Vægte: " + ", ".join(
                             f"{b['lo']}{'-' + str(b['hi']) if b['hi'] is not None else '+'}: {b['weight']:g}"
                             for b in a.weighted["bands"]))
        lines.extend(f"{a.name}: {n}" for n in a.notes)
    for r, line in enumerate(lines):
        meta.write_string(r, 0, line)
    wb.close()


__all__ = ["csv_text", "write_demography_xlsx", "xlsx_bytes"]
