"""The committee material of a råderumskatalog as a Word document (.docx, python-docx), for staff who edit in Word.

The same content as the PDF (:mod:`raaderum.reports.catalogue_pdf`), from the same :class:`CatalogueReport`: a front
page, the totals per year against the targets, an overview, one page per proposal (amounts, consequences, benchmark
gap and the share it would close, source, status history), the follow-up, and the method and sources. Danish
number formats with the sign always shown; the document's language is Danish.

Text from users is written as plain text runs (never fields, hyperlinks or formulas); characters that XML cannot
hold are dropped.
"""

from __future__ import annotations

import io
import re
from typing import Any

from raaderum.formatting import fmt_mio, fmt_number, fmt_pct
from raaderum.reports.catalogue_report import CatalogueReport, ProposalView, fmt_signed, fmt_staff, fmt_when
from raaderum.store.catalogue import status_label

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _t(value: Any) -> str:
    """Text a .docx can hold."""
    return _XML_BAD.sub("", "" if value is None else str(value))


def _table(doc: Any, header: list[str], rows: list[list[str]], numeric_from: int = 1) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # lazy: start-up (python-docx)

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for j, h in enumerate(header):
        cell = table.rows[0].cells[j]
        cell.text = _t(h)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for j, v in enumerate(row):
            cells[j].text = _t(v)
            if j >= numeric_from:
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def _danish(doc: Any) -> None:
    from docx.oxml import OxmlElement  # lazy: start-up
    from docx.oxml.ns import qn  # lazy: start-up

    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "da-DK")
    doc.core_properties.language = "da-DK"


def totals_rows(report: CatalogueReport) -> list[list[str]]:
    rows = []
    for r in report.totals:
        rows.append([r.label, f"Forslag i alt ({r.count})", *(fmt_signed(r.amounts[p]) for p, _ in report.periods)])
        if r.has_target:
            rows.append([r.label, "Mål", *(fmt_signed(r.target[p]) for p, _ in report.periods)])
            rows.append([r.label, "Forskel (sum − mål)",
                         *(fmt_signed(r.remaining[p]) + (" (nået)" if r.reached(p) else " (ikke nået)")
                           if r.remaining[p] is not None else "–" for p, _ in report.periods)])
    return rows


def _proposal(doc: Any, v: ProposalView, report: CatalogueReport) -> None:
    p = v.p
    doc.add_heading(_t(f"Forslag nr. {p.id}: {p.title}"), level=1)
    facts = [("Udvalg", p.committee), ("Område", v.area_name or "–"),
             ("Status", f"{status_label(p.status)} (siden {fmt_when(p.status_changed_at)})"),
             ("Ansvarlig", p.owner or "–"), ("Scenarier", ", ".join(v.scenarios) or "–")]
    if v.source_text:
        facts.append(("Kilde", v.source_text))
    if not v.counted:
        facts.append(("Summer", "Tæller ikke med i summerne (fravalgt eller udsat)."))
    _table(doc, ["Felt", "Værdi"], [[k, val] for k, val in facts], numeric_from=99)
    doc.add_heading("Beskrivelse", level=2)
    doc.add_paragraph(_t(p.description or "–"))
    doc.add_heading("Konsekvenser", level=2)
    for label, text in (("For service", p.consequences_service), ("For personale", p.consequences_staff),
                        ("For borgerne", p.consequences_citizens)):
        para = doc.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(_t(text or "–"))
    doc.add_heading("Økonomi (1.000 kr.; negativ = besparelse)", level=2)
    _table(doc, [label for _, label in report.periods] + ["Engangsinvestering", "Personaleeffekt"],
           [[*(fmt_signed(a) for a in v.amounts()), fmt_signed(p.one_off_investment), fmt_staff(p.staff_effect)]],
           numeric_from=0)
    doc.add_heading("Benchmark", level=2)
    doc.add_paragraph(_t(v.share_text))
    if v.history:
        doc.add_heading("Statushistorik", level=2)
        for h in v.history:
            step = (f"{status_label(h.from_status)} → " if h.from_status else "") + status_label(h.to_status)
            doc.add_paragraph(_t(f"{fmt_when(h.at)}: {step} ({h.by})" + (f". {h.note}" if h.note else "")),
                              style="List Bullet")


def committee_docx(report: CatalogueReport) -> bytes:
    """The committee material of ``report`` as .docx bytes."""
    from docx import Document  # lazy: start-up
    from docx.enum.text import WD_BREAK  # lazy: start-up

    doc = Document()
    _danish(doc)
    props = doc.core_properties
    props.title = _t(f"{report.title} – {report.committee_label}")
    props.author = _t(f"{report.municipality_name} Kommune")
    props.comments = "Dannet af Råderum"
    doc.add_paragraph(_t(f"{report.municipality_name} Kommune"))
    doc.add_heading(_t(report.title), level=0)
    doc.add_paragraph(_t(f"Udvalgsmateriale: {report.committee_label}"))
    years = ", ".join(label for _, label in report.periods)
    for line in (f"Budget {report.budget_year} med overslagsår ({years})", f"Scenarie: {report.scenario_label}",
                 f"Antal forslag: {len(report.proposals)}", f"Referenceniveau for benchmark: {report.reference_name}",
                 f"Dannet {report.generated_text}", report.sign_note):
        doc.add_paragraph(_t(line))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_heading("Sammenfatning pr. år", level=1)
    doc.add_paragraph("Beløb i 1.000 kr.; negativ = besparelse, positiv = merudgift.")
    _table(doc, ["Udvalg", "Linje", *(label for _, label in report.periods)], totals_rows(report), numeric_from=2)
    doc.add_heading("Forslagene", level=2)
    _table(doc, ["Nr.", "Forslag", "Udvalg", "Status", *(PERIOD for PERIOD, _ in report.periods)],
           [[str(v.id), v.p.title, v.p.committee, status_label(v.p.status), *(fmt_signed(a) for a in v.amounts())]
            for v in report.proposals], numeric_from=4)
    for v in report.proposals:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _proposal(doc, v, report)

    if report.followups:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading("Opfølgning: forventet effekt og observeret udvikling i regnskabet", level=1)
        doc.add_paragraph(_t(report.followup_note))
        for g in report.followups:
            doc.add_heading(_t(f"{g.area_name}: {', '.join(f'nr. {p.id} {p.title}' for p in g.proposals)}"), level=2)
            if g.result is None or not g.result.available:
                doc.add_paragraph(_t(g.note or (g.result.reason if g.result else "")))
                continue
            _table(doc, ["År", "Forventet effekt, 1.000 kr.", "Observeret udvikling i regnskabet, 1.000 kr.",
                         "Udgift pr. person, ændring"],
                   [[str(y.year), fmt_signed(y.expected),
                     fmt_signed(y.observed) if y.comparable else "ikke sammenlignet",
                     fmt_pct(y.change) if y.change is not None else "–"] for y in g.result.years], numeric_from=1)
            doc.add_paragraph(_t(f"{g.result.prices}. {g.result.label}."))
    elif report.followup_note:
        doc.add_heading("Opfølgning", level=1)
        doc.add_paragraph(_t(report.followup_note))

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("Metode og kilder", level=1)
    for label, text in report.method_lines():
        para = doc.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(_t(text))
    if report.gaps:
        doc.add_heading("Benchmarkgab pr. område", level=2)
        _table(doc, ["Område", "Gab, mio. kr. om året", "Spænd over referencer", "Enhedsudgift, kr.",
                     "Reference, kr."],
               [[g.area_name, fmt_mio(g.potential), f"{fmt_mio(g.range_min)}–{fmt_mio(g.range_max)}",
                 fmt_number(g.unit_cost), fmt_number(g.reference_value)] for g in report.gaps.values()])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = ["committee_docx", "totals_rows"]
