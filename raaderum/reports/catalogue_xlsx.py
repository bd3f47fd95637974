"""The committee material of a råderumskatalog as an Excel workbook (xlsxwriter), from the same
:class:`CatalogueReport` as the PDF and the Word document.

Sheets: "Oversigt" (totals per year and committee against the targets), "Forslag" (one row per proposal with
every field, its benchmark gap and the share it would close; frozen header, autofilter), "Opfølgning" (expected
effect next to the observed development in the accounts, labelled as a comparison, not proof of effect) and
"Metode og kilder". Amounts are numbers with a format that always shows the sign (+1.250 / -1.250 in Danish
Excel). Every text is written as text: never a formula, a link or a number parsed from a string.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from raaderum.reports.catalogue_report import XLSX_SIGNED, XLSX_SIGNED1, CatalogueReport, fmt_when
from raaderum.store.catalogue import full_year_amount, status_label


def _cell(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "ja" if value else "nej", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, float(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def committee_xlsx(report: CatalogueReport) -> bytes:
    """The workbook as bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    wb.set_properties({"title": f"{report.title} – {report.committee_label}",
                       "author": f"{report.municipality_name} Kommune", "comments": "Dannet af Råderum"})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E4E8EC", "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    signed = wb.add_format({"num_format": XLSX_SIGNED, "valign": "top"})
    signed1 = wb.add_format({"num_format": XLSX_SIGNED1, "valign": "top"})
    kr = wb.add_format({"num_format": "#,##0", "valign": "top"})
    pct = wb.add_format({"num_format": "0.0%", "valign": "top"})
    periods = report.periods

    ws = wb.add_worksheet("Oversigt")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 8, 14)
    ws.write_string(0, 0, f"{report.title}: udvalgsmateriale, {report.committee_label}", title)
    ws.write_string(1, 0, f"{report.municipality_name} Kommune · budget {report.budget_year} med overslagsår · "
                          f"scenarie: {report.scenario_label} · dannet {report.generated_text}")
    ws.write_string(2, 0, report.sign_note)
    header = ["Udvalg", "Linje", *(label for _, label in periods), "Engangsinvestering", "Årsværk", "Antal forslag"]
    for j, h in enumerate(header):
        ws.write_string(4, j, h, head)
    row = 5
    for r in report.totals:
        _cell(ws, row, 0, r.label, bold if not r.committee else None)
        _cell(ws, row, 1, "Forslag i alt")
        for j, (p, _) in enumerate(periods):
            _cell(ws, row, 2 + j, r.amounts[p], signed)
        _cell(ws, row, 6, r.one_off_investment, signed)
        _cell(ws, row, 7, r.staff_effect, signed1)
        _cell(ws, row, 8, r.count)
        row += 1
        if r.has_target:
            _cell(ws, row, 0, r.label)
            _cell(ws, row, 1, "Mål")
            for j, (p, _) in enumerate(periods):
                _cell(ws, row, 2 + j, r.target[p], signed)
            row += 1
            _cell(ws, row, 0, r.label)
            _cell(ws, row, 1, "Forskel (sum − mål; positiv = ikke nået)")
            for j, (p, _) in enumerate(periods):
                _cell(ws, row, 2 + j, r.remaining[p], signed)
            row += 1
    ws.freeze_panes(5, 0)

    ws = wb.add_worksheet("Forslag")
    cols = [("Nr.", 6), ("Titel", 40), ("Udvalg", 24), ("Område", 20), ("Status", 14), ("Status siden", 12),
            ("Ansvarlig", 18), *((f"{label}, 1.000 kr.", 12) for _, label in periods),
            ("Engangsinvestering, 1.000 kr.", 14), ("Personaleeffekt, årsværk", 12),
            ("Fuld årsvirkning, 1.000 kr.", 12),
            ("Gab i området, kr. om året", 16), ("Andel af gabet", 10), ("Benchmark", 50), ("Beskrivelse", 60),
            ("Konsekvenser for service", 40), ("Konsekvenser for personale", 40), ("Konsekvenser for borgerne", 40),
            ("Scenarier", 24), ("Kilde", 40), ("Tæller med i summer", 10)]
    for j, (label, width) in enumerate(cols):
        ws.write_string(0, j, label, head)
        ws.set_column(j, j, width)
    for i, view in enumerate(report.proposals, start=1):
        prop, v = view.p, view
        values: list[tuple[Any, Any]] = [
            (prop.id, None), (prop.title, wrap), (prop.committee, None), (v.area_name, None),
            (status_label(prop.status), None),
            (fmt_when(prop.status_changed_at), None), (prop.owner, None),
            *((a, signed) for a in v.amounts()), (prop.one_off_investment, signed), (prop.staff_effect, signed1),
            (full_year_amount(prop), signed), (v.gap.potential if v.gap else None, kr), (v.share, pct),
            (v.share_text, wrap), (prop.description, wrap), (prop.consequences_service, wrap),
            (prop.consequences_staff, wrap), (prop.consequences_citizens, wrap), (", ".join(v.scenarios), None),
            (v.source_text, wrap), (v.counted, None)]
        for j, (val, fmt) in enumerate(values):
            _cell(ws, i, j, val, fmt)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(report.proposals), 1), len(cols) - 1)

    ws = wb.add_worksheet("Opfølgning")
    ws.set_column(0, 1, 30)
    ws.set_column(2, 10, 14)
    ws.set_column(11, 11, 60)
    ws.write_string(0, 0, "Opfølgning: forventet effekt og observeret udvikling i regnskabet", title)
    ws.write_string(1, 0, report.followup_note or "Ingen vedtagne forslag at følge op på.")
    fheader = ["Område", "Vedtagne forslag", "År", "Periode", "Nettodriftsudgift, kr. (løbende priser)",
               "Målgruppe, personer", "Udgift pr. person, kr. (faste priser, basisår)", "Ændring mod basisår",
               "Observeret udvikling i regnskabet, 1.000 kr.", "Forventet effekt, 1.000 kr.", "Status", "Note"]
    for j, h in enumerate(fheader):
        ws.write_string(3, j, h, head)
    row = 4
    for g in report.followups:
        names = "; ".join(f"nr. {p.id} {p.title}" for p in g.proposals)
        res = g.result
        if res is None or not res.available:
            _cell(ws, row, 0, g.area_name)
            _cell(ws, row, 1, names, wrap)
            _cell(ws, row, 11, g.note or (res.reason if res else ""), wrap)
            row += 1
            continue
        _cell(ws, row, 0, g.area_name)
        _cell(ws, row, 1, names, wrap)
        _cell(ws, row, 2, res.base_year)
        _cell(ws, row, 3, "basisår")
        _cell(ws, row, 4, res.base_expenditure, kr)
        _cell(ws, row, 5, res.base_target, kr)
        _cell(ws, row, 6, res.base_unit_cost, kr)
        _cell(ws, row, 11, res.prices)
        row += 1
        for y in res.years:
            for j, (val, fmt) in enumerate([(g.area_name, None), (names, wrap), (y.year, None),
                                            ((y.period or "").upper(), None), (y.expenditure, kr), (y.target, kr),
                                            (y.unit_cost_fixed, kr), (y.change, pct), (y.observed, signed),
                                            (y.expected, signed), (y.status, None), (y.note, wrap)]):
                _cell(ws, row, j, val, fmt)
            row += 1
    ws.write_string(row + 1, 0, next((g.result.method for g in report.followups if g.result), ""), wrap)
    ws.freeze_panes(4, 0)

    ws = wb.add_worksheet("Metode og kilder")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 110)
    for i, (k, text) in enumerate([("Kommune", f"{report.municipality_name} ({report.data.municipality_code})"),
                                ("Katalog", f"{report.title} (nr. {report.data.id}), budget {report.budget_year}"),
                                ("Udvalg", report.committee_label), ("Scenarie", report.scenario_label),
                                *report.method_lines()]):
        ws.write_string(i, 0, k, bold)
        ws.write_string(i, 1, text, wrap)
    wb.close()
    return buf.getvalue()


__all__ = ["committee_xlsx"]
