"""Issue 13, the committee material: the PDF (read back with pypdf), the Word document (python-docx) and the
workbook (openpyxl) show the municipality, the committee, every proposal title, every amount and every total in
Danish formats with the sign shown; attack strings in the proposals' text come through as inert text in every
format (no formula, markup, script or link). Also the one-page PDF for politicians and the discussion guide."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from raaderum.reports.catalogue_docx import committee_docx
from raaderum.reports.catalogue_guide import build_guide
from raaderum.reports.catalogue_pdf import committee_pdf, guide_pdf
from raaderum.reports.catalogue_report import XLSX_SIGNED, build_report, fmt_signed
from raaderum.reports.catalogue_xlsx import committee_xlsx
from raaderum.server import catalogue as cs

pytestmark = pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'
AT = "@SUM(1)"
IMG = '"><img src=x onerror=alert(1)>'
OWN = 751


def _norm(text: str) -> str:
    return " ".join(text.split())


def has_number(text: str, shown: str) -> bool:
    """``shown`` ('-1.250', '+800') occurs in ``text`` as a whole number (not inside a longer one)."""
    return re.search(r"(?<![\d.,+\-])" + re.escape(shown) + r"(?![\d]|,\d)", text) is not None


@pytest.fixture
def hostile(engine: Any, users: Any) -> dict[str, Any]:
    """A catalogue of three committees, a target and a scenario, with attack strings in the proposals' text."""
    ed = users["editor"]
    c = cs.create_catalogue(engine, ed, OWN, 2027, "Råderumskatalog 2027")
    props = [
        cs.add_proposal(engine, ed, c.id, {
            "title": f"Hverdagsrehabilitering {SCRIPT}", "area_id": "aeldre", "description": f"Træning {FORMULA}",
            "consequences_service": AT, "consequences_staff": IMG, "consequences_citizens": f"Borgerne {SCRIPT}",
            "amount_b": "-1.250", "amount_bo1": "-2.500", "amount_bo2": "-3.750", "amount_bo3": "-3.750",
            "one_off_investment": "800", "staff_effect": "-4,5", "owner": f"Ældrechefen {AT}"}),
        cs.add_proposal(engine, ed, c.id, {
            "title": f"{FORMULA} Færre vikarer i dagtilbud", "area_id": "dagtilbud", "amount_b": "-400",
            "amount_bo1": "-1.100", "amount_bo2": "-1.100", "amount_bo3": "-1.100"}),
        cs.add_proposal(engine, ed, c.id, {
            "title": f"{AT} Ny velfærdsteknologi", "area_id": "aeldre", "amount_b": "+600", "amount_bo1": "-200",
            "amount_bo2": "-900", "amount_bo3": "-1.800", "one_off_investment": "1.500"}),
        cs.add_proposal(engine, ed, c.id, {
            "title": "Færre kvadratmeter i administrationen", "area_id": "ejendomme", "amount_b": "-2.000",
            "amount_bo1": "-2.000", "amount_bo2": "-2.000", "amount_bo3": "-2.000"}),
    ]
    cs.set_target(engine, ed, c.id, "", {"b": "-5.000", "bo1": "-8.000", "bo2": "-10.000", "bo3": "-12.000"}, 0)
    committee = props[0].committee
    cs.set_target(engine, ed, c.id, committee, {"b": "-2.000", "bo3": "-4.000"}, 0)
    sc = cs.create_scenario(engine, ed, c.id, "Scenarie A: uden serviceforringelser",
                            proposal_ids=[props[0].id, props[2].id, props[3].id])
    return {"cid": c.id, "props": props, "committee": committee, "sid": sc.id}


def expected_numbers(report: Any) -> list[str]:
    """Every amount of every proposal and every total, target and difference, as the documents show them."""
    out = []
    for v in report.proposals:
        out += [fmt_signed(a) for a in v.amounts() if a is not None]
        if v.p.one_off_investment is not None:
            out.append(fmt_signed(v.p.one_off_investment))
    for t in report.totals:
        for p, _ in report.periods:
            for value in (t.amounts[p], t.target[p], t.remaining[p]):
                if value is not None:
                    out.append(fmt_signed(value))
    return out


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _assert_document_text(text: str, report: Any, *, committee: str | None) -> None:
    flat = _norm(text)
    assert "Aarhus Kommune" in flat and report.title in flat
    assert (committee or "Alle udvalg") in flat
    for v in report.proposals:
        assert _norm(v.p.title) in flat, v.p.title
    for shown in expected_numbers(report):
        assert has_number(flat, shown), shown
    # the attack strings are there as plain text
    assert SCRIPT in flat and FORMULA in flat and AT in flat
    # Danish formats with the sign shown, the sign convention said, and the benchmark's source and method
    assert has_number(flat, "-1.250") and has_number(flat, "+800") and "-4,5 årsværk" in flat
    assert "negativ" in flat.lower() and "besparelse" in flat
    assert "Danmarks Statistik" in flat and "REGK31" in flat and "max(0, e − e_ref) × N" in flat
    assert "Gennemsnit af sammenligningskommunerne" in flat


def test_pdf_shows_municipality_committee_titles_amounts_totals_and_nothing_live(engine: Any, hostile: Any) -> None:
    for committee, scenario in ((None, None), (hostile["committee"], None), (None, hostile["sid"])):
        report = build_report(engine, hostile["cid"], committee=committee, scenario=scenario, with_history=True)
        data = committee_pdf(report)
        assert data.startswith(b"%PDF-")
        text = _pdf_text(data)
        _assert_document_text(text, report, committee=committee)
        if scenario:
            assert "Scenarie A: uden serviceforringelser" in _norm(text)
        for token in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/SubmitForm", b"/AcroForm"):
            assert token not in data, token
        reader = PdfReader(io.BytesIO(data))
        assert not any(page.get("/Annots") for page in reader.pages)  # no links at all
        # one page per proposal: each proposal's heading starts a page
        starts = [_norm(p.extract_text()) for p in reader.pages]
        for v in report.proposals:
            assert sum(s.startswith(f"Forslag nr. {v.id}:") for s in starts) == 1


def _docx_text(data: bytes) -> tuple[str, str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "\n".join(parts), xml


def test_word_document_shows_the_same_and_holds_only_plain_text(engine: Any, hostile: Any) -> None:
    for committee in (None, hostile["committee"]):
        report = build_report(engine, hostile["cid"], committee=committee, with_history=True)
        text, xml = _docx_text(committee_docx(report))
        _assert_document_text(text, report, committee=committee)
        for element in ("w:fldSimple", "w:instrText", "w:hyperlink", "w:object", "<script"):
            assert element not in xml, element
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml  # the payload as escaped text
        with zipfile.ZipFile(io.BytesIO(committee_docx(report))) as z:
            assert 'w:val="da-DK"' in z.read("word/styles.xml").decode("utf-8")  # Danish spelling and hyphenation
    from docx import Document

    doc = Document(io.BytesIO(committee_docx(build_report(engine, hostile["cid"]))))
    assert doc.core_properties.language == "da-DK" and "Aarhus Kommune" in doc.core_properties.author


def test_workbook_numbers_are_numbers_with_the_sign_and_texts_are_never_formulas(engine: Any, hostile: Any) -> None:
    report = build_report(engine, hostile["cid"], with_history=True)
    wb = load_workbook(io.BytesIO(committee_xlsx(report)))
    assert wb.sheetnames == ["Oversigt", "Forslag", "Opfølgning", "Metode og kilder"]
    strings: list[str] = []
    numbers: list[tuple[float, str]] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None
                if isinstance(cell.value, str):
                    strings.append(cell.value)
                elif isinstance(cell.value, int | float):
                    numbers.append((float(cell.value), cell.number_format))
    joined = "\n".join(strings)
    assert "Aarhus Kommune" in joined and "Alle udvalg" in joined and hostile["committee"] in joined
    for v in report.proposals:
        assert v.p.title in strings  # verbatim, as text
    assert f"Træning {FORMULA}" in strings and AT in strings and IMG in strings
    signed = {value for value, fmt in numbers if fmt == XLSX_SIGNED}
    for v in report.proposals:
        assert {a for a in v.amounts() if a is not None} <= signed
    for t in report.totals:
        for p, _ in report.periods:
            for value in (t.amounts[p], t.target[p], t.remaining[p]):
                if value is not None:
                    assert value in signed, value
    # the proposals sheet: one row per proposal, the amounts in their columns
    ws = wb["Forslag"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    col = header.index("B 2027, 1.000 kr.")
    for v in report.proposals:
        assert rows[v.id][col] == v.p.amount_b


def test_web_downloads_of_the_committee_material(engine: Any, users: Any, hostile: Any) -> None:
    import conftest_accounts as ca

    client = ca.new_client()
    ca.login(client, users["reader"].name)  # a reader may download
    cid = hostile["cid"]
    for fmt, magic in (("pdf", b"%PDF-"), ("docx", b"PK"), ("xlsx", b"PK")):
        r = client.get(f"/katalog/{cid}/dokument", params={"format": fmt, "udvalg": hostile["committee"],
                                                            "scenarie": str(hostile["sid"])})
        assert r.status_code == 200 and r.content.startswith(magic), (fmt, r.status_code, r.text[:300])
        assert "attachment" in r.headers["content-disposition"] and r.headers["cache-control"] == "no-store"
        assert re.search(r'filename="udvalgsmateriale-aarhus-[a-z0-9-]+\.' + fmt + '"',
                         r.headers["content-disposition"])
    html = client.get(f"/katalog/{cid}/dokument", params={"format": "html"})
    assert html.status_code == 200 and SCRIPT not in html.text and "&lt;script&gt;" in html.text
    assert client.get(f"/katalog/{cid}/dokument", params={"format": "odt"}).status_code == 400
    other = ca.new_client()
    ca.login(other, users["other_editor"].name)
    assert other.get(f"/katalog/{cid}/dokument", params={"format": "pdf"}).status_code == 403


def test_one_page_pdf_for_politicians_is_todays_print_view(engine: Any) -> None:
    import conftest_accounts as ca

    client = ca.new_client()
    r = client.get("/kommune/751/print.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    text = _norm(reader.pages[0].extract_text())
    page = client.get("/kommune/751/print")
    from bs4 import BeautifulSoup

    shown = _norm(BeautifulSoup(page.text, "html.parser").select_one("article.print-summary h1").get_text())
    assert shown in text and "Samlet mulighedsrum" in text and "Kilde: Danmarks Statistik" in text
    assert "Log ind" not in text and "Idébank" not in text  # no navigation in print
    r = client.get("/kommune/751/print.pdf", params={"reference": "national"})
    assert "landsgennemsnit" in _norm(PdfReader(io.BytesIO(r.content)).pages[0].extract_text()).lower()
    assert client.get("/kommune/Atlantis/print.pdf").status_code == 404
    assert client.get("/kommune/751/print.pdf", params={"reference": "x"}).status_code == 400


def test_discussion_guide_per_area_with_a_gap(engine: Any) -> None:
    guide = build_guide(engine, OWN)
    assert guide.areas and all((a.gap.potential or 0) > 0 for a in guide.areas)
    text = _norm(_pdf_text(guide_pdf(guide)))
    assert "Drøftelsesguide" in text and "Aarhus Kommune" in text
    for a in guide.areas:
        assert a.gap.area_name in text
        assert len(a.questions) == 3 and all(_norm(q) in text for q in a.questions)
        assert all(_norm(lv.title) in text for lv in a.levers)
        assert all(i.municipality_code != OWN for i in a.ideas)
        assert all(_norm(i.title) in text for i in a.ideas)
    first = guide.areas[0]
    assert first.gap.potential == max(a.gap.potential or 0 for a in guide.areas)
    assert first.levers and first.questions[0] == first.levers[0].questions[0]
    assert "spænd over referenceniveauer" in text and "Kilde: Danmarks Statistik" in text
    assert "eksempeldata" in text  # the sample ideas are labelled
    import conftest_accounts as ca

    client = ca.new_client()
    r = client.get("/kommune/751/droeftelsesguide.pdf", params={"reference": "p25"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    page = client.get("/kommune/751/droeftelsesguide")
    assert page.status_code == 200 and 'lang="da"' in page.text
