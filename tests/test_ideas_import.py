"""Importing messy idea-bank workbooks: real .xlsx files built here, in every shape the issue lists."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from conftest_ideas import HEADER, row, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from raaderum.errors import InputError
from raaderum.ideas import WorkbookError, read_workbook, write_template
from raaderum.ideas.excel_import import RowContext, map_columns, parse_budget_year, parse_row
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.release.municipalities import MunicipalityRegister


def by_row(report: Any, sheet: str) -> dict[int, Any]:
    return {o.row: o for o in report.outcomes if o.sheet == sheet and o.row is not None}


def assert_every_row_accounted(path: Path, report: Any) -> None:
    """Each non-empty-tail row of each data sheet is in the report exactly once."""
    wb = load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            info = next(s for s in report.sheets if s.name == ws.title)
            rows = [r for r in ws.iter_rows(values_only=True)]
            last = max((i for i, r in enumerate(rows, 1) if any(v not in (None, "") for v in r)), default=0)
            reported = [o.row for o in report.outcomes if o.sheet == ws.title and o.row is not None]
            if info.is_data:
                header = set(info.header_rows)
                assert sorted(reported) == [i for i in range(1, last + 1) if i not in header]
            else:
                assert reported == []
                assert any(o.sheet == ws.title and o.row is None for o in report.outcomes)
    finally:
        wb.close()


def test_header_below_notes_with_two_row_merged_header(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["KL's databaseværktøj: råderumsforslag fra budget 2020"],
        ["Note: beløb i 1.000 kr.; besparelser er negative"],
        [],
        ["Kommune", "Budgetår", "Fagområde", "Udvalg", "Titel", "Beskrivelse", "Type", "Beløb i 1.000 kr.", None,
         None, None, "Engangsinvestering"],
        [None, None, None, None, None, None, None, "B", "BO1", "BO2", "BO3", None],
        ["Høje Taastrup", 2020, "Ældreområdet", "Social- og Sundhedsudvalget", "Robotstøvsugere",
         "Udlån af robotstøvsugere.", "Investering", "-1.250", "1,5 mio.", "(500)", "ej opgjort", 200],
    ]
    merges = ["H4:K4"] + [f"{c}4:{c}5" for c in "ABCDEFGL"]
    path = write_xlsx(tmp_path / "merged.xlsx", {"Idébank": rows}, {"Idébank": merges})
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert sheet.is_data and sheet.header_rows == (4, 5)
    assert {"amount_b", "amount_bo1", "amount_bo2", "amount_bo3", "one_off_investment"} <= set(sheet.columns)
    out = by_row(report, "Idébank")
    assert out[1].status == out[2].status == "skipped"
    p = out[6].proposal
    assert out[6].status == "imported" and p is not None
    assert (p.municipality_code, p.municipality_name, p.budget_year) == (169, "Høje-Taastrup", 2020)
    assert p.amounts == (-1250.0, 1500.0, -500.0, None)
    assert p.one_off_investment == 200.0
    assert (p.area_id, p.area_text, p.type_id) == ("aeldre", "Ældreområdet", "investering")
    assert (p.source_sheet, p.source_row, p.source_file) == ("Idébank", 6, "merged.xlsx")
    assert_every_row_accounted(path, report)


def test_column_order_and_wording_vary_between_sheets(tmp_path: Path, register: MunicipalityRegister) -> None:
    sheet_a = [HEADER, row(kommune="Århus", title="Færre ledere")]
    # Other words, other order, amounts per calendar year (placed relative to each row's budget year).
    sheet_b = [
        ["Forslagets titel", "Kort beskrivelse", "Kommunenavn", "Budget år", "Sektor", "Forslagstype", "2019",
         "2020", "2021", "2022", "2023", "Kontakt person"],
        ["Fælles indkøb", "Indkøbsaftale på tværs.", "Aabenraa Kommune", "B2020", "Indkøb og udbud", "Udbud",
         None, "-100", "-200", "-300", "-400", "Jens"],
        ["Skolestruktur", "Færre matrikler.", "0751", 2019, "Skoleområdet", "Strukturændring", "-50", "-60",
         "-70", "-80", "-90", None],
    ]
    path = write_xlsx(tmp_path / "variants.xlsx", {"2019": sheet_a, "Ark2": sheet_b})
    report = read_workbook(path, register=register)
    assert report.counts()["imported"] == 3 and report.counts()["data_sheets"] == 2
    b = by_row(report, "Ark2")
    p2 = b[2].proposal
    assert p2 is not None and (p2.municipality_code, p2.budget_year) == (580, 2020)
    assert p2.amounts == (-100.0, -200.0, -300.0, -400.0)
    assert (p2.area_id, p2.type_id, p2.contact) == ("indkoeb", "indkoeb", "Jens")
    p3 = b[3].proposal
    assert p3 is not None and p3.municipality_code == 751 and p3.budget_year == 2019
    assert p3.amounts == (-50.0, -60.0, -70.0, -80.0)
    assert any("2023" in n and "efter BO3" in n for n in b[3].notes)  # kept visible, not silently dropped
    a = by_row(report, "2019")
    assert a[2].proposal is not None and a[2].proposal.municipality_name == "Aarhus"
    assert_every_row_accounted(path, report)


def test_budget_year_is_never_taken_from_the_sheet_name(tmp_path: Path, register: MunicipalityRegister) -> None:
    header = ["Kommune", "Titel", "Beskrivelse", "Type", "B", "BO1"]
    path = write_xlsx(tmp_path / "noyear.xlsx", {"Budget 2020": [header, ["Aarhus", "T", "D", "Indkøb", 1, 2]]})
    report = read_workbook(path, register=register)
    (o,) = report.rejected
    assert o.row == 2 and "mangler budgetår" in o.reason and "arkets navn" in o.reason


def test_amount_text_that_is_no_amount_rejects_the_row_with_cell(tmp_path: Path,
                                                                  register: MunicipalityRegister) -> None:
    rows = [HEADER, row(bo2="ca. halvdelen"), row(title="OK", b="\u00a0-1.250\u00a0", bo1="", bo2=None, bo3="-")]
    path = write_xlsx(tmp_path / "amounts.xlsx", {"Data": rows})
    report = read_workbook(path, register=register)
    out = by_row(report, "Data")
    assert out[2].status == "rejected"
    assert "J2" in out[2].reason and "BO2" in out[2].reason and "halvdelen" in out[2].reason
    p = out[3].proposal
    assert p is not None and p.amounts == (-1250.0, None, None, None)  # empty and '-' are unknown, never 0


def test_municipality_spellings_and_unknown_names(tmp_path: Path, register: MunicipalityRegister) -> None:
    names = ["Høje Taastrup", "Århus", "Aabenraa Kommune", "KØBENHAVNS KOMMUNE", "751 Aarhus", "Lyngby",
             "Bornholms Regionskommune", "Gotham", "", "101 Aarhus"]
    rows = [HEADER] + [row(kommune=n, title=f"Forslag {i}") for i, n in enumerate(names)]
    path = write_xlsx(tmp_path / "names.xlsx", {"Data": rows})
    out = by_row(read_workbook(path, register=register), "Data")
    codes = [o.proposal.municipality_code if o.proposal else None for o in (out[i] for i in range(2, 12))]
    assert codes[:7] == [169, 751, 580, 101, 751, 173, 400]
    assert out[9].status == "rejected" and "ukendt kommune" in out[9].reason
    assert out[10].status == "rejected" and "mangler kommune" in out[10].reason
    assert out[11].status == "rejected" and "ikke koden 101" in out[11].reason


def test_totals_blank_repeated_header_and_duplicates_are_skipped(tmp_path: Path,
                                                                 register: MunicipalityRegister) -> None:
    rows = [HEADER, row(title="A"), [], row(title="B"), HEADER, row(title="A"),
            ["I alt", None, None, None, None, None, None, -300, -600, -900, -900],
            [None, None, None, None, None, None, None, -300, -600, -900, -900],
            ["Total for Børne- og Ungeudvalget"], ["Kilde: egne opgørelser"]]
    path = write_xlsx(tmp_path / "totals.xlsx", {"Data": rows})
    report = read_workbook(path, register=register)
    out = by_row(report, "Data")
    assert out[2].status == "imported" and out[4].status == "imported"
    assert out[3].reason == "tom række"
    assert out[5].reason == "gentaget kolonnehoved"
    assert out[6].status == "skipped" and "dublet af række 2" in out[6].reason
    assert "sumrække" in out[7].reason and "sumrække" in out[8].reason
    assert out[9].status == "skipped" and "sumrække" in out[9].reason
    assert out[10].status == "skipped" and "note" in out[10].reason
    assert_every_row_accounted(path, report)


def test_unknown_area_and_type_are_kept_as_written(tmp_path: Path, register: MunicipalityRegister) -> None:
    path = write_xlsx(tmp_path / "unmapped.xlsx", {"Data": [HEADER, row(area="Kloakker", typ="Nyt greb")]})
    report = read_workbook(path, register=register)
    (o,) = report.imported
    assert o.proposal is not None
    assert (o.proposal.area_id, o.proposal.area_text) == (None, "Kloakker")
    assert (o.proposal.type_id, o.proposal.type_text) == (None, "Nyt greb")
    assert any("Kloakker" in n for n in o.notes)


def test_title_or_description_is_required(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [HEADER, row(title="", description="Kun beskrivelse her."), row(title="Kun titel", description=None),
            row(title=None, description=None)]
    out = by_row(read_workbook(write_xlsx(tmp_path / "t.xlsx", {"D": rows}), register=register), "D")
    assert out[2].status == "imported" and out[2].proposal is not None
    assert out[2].proposal.display_title == "Kun beskrivelse her."
    assert out[3].status == "imported"
    assert out[4].status == "rejected" and "titel og beskrivelse" in out[4].reason


def test_million_header_and_savings_positive(tmp_path: Path, register: MunicipalityRegister) -> None:
    header = ["Kommune", "Budgetår", "Titel", "Beskrivelse", "B (mio. kr.)", "BO1 (mio. kr.)", "BO2", "BO3"]
    path = write_xlsx(tmp_path / "mio.xlsx", {"D": [header, ["Odense", 2019, "T", "D", 1.5, "0,5", 100, "-"]]})
    (o,) = read_workbook(path, register=register).imported
    assert o.proposal is not None and o.proposal.amounts == (1500.0, 500.0, 100.0, None)
    (o2,) = read_workbook(path, register=register, savings_positive=True).imported
    assert o2.proposal is not None and o2.proposal.amounts == (-1500.0, -500.0, -100.0, None)


def test_several_data_sheets_and_non_data_sheets(tmp_path: Path, register: MunicipalityRegister) -> None:
    path = write_xlsx(tmp_path / "multi.xlsx", {
        "Vejledning": [["Sådan bruges værktøjet"], ["Udfyld en række pr. forslag."]],
        "Budget 2019": [HEADER, row(year=2019, title="Et")],
        "Budget 2020": [["Overskrift"], HEADER, row(year=2020, title="To"), row(year=2020, title="Tre")],
        "Tom": [],
    })
    report = read_workbook(path, register=register)
    assert [s.is_data for s in report.sheets] == [False, True, True, False]
    assert report.counts()["imported"] == 3
    assert [o.proposal.title for o in report.imported if o.proposal] == ["Et", "To", "Tre"]
    assert_every_row_accounted(path, report)


def test_not_a_workbook_and_missing_file(tmp_path: Path, register: MunicipalityRegister) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("dette er ikke en projektmappe", encoding="utf-8")
    with pytest.raises(WorkbookError, match="kan ikke læses"):
        read_workbook(bad, register=register)
    with pytest.raises(InputError, match="findes ikke"):
        read_workbook(tmp_path / "missing.xlsx", register=register)


def test_template_round_trip(tmp_path: Path, register: MunicipalityRegister) -> None:
    path = write_template(tmp_path / "skabelon.xlsx", register=register)
    wb = load_workbook(path)
    try:
        ws = wb["Forslag"]
        assert [c.value for c in ws[1]][:3] == ["Kommune", "Budgetår", "Fagområde"]
        sources = [dv.formula1 for dv in ws.data_validations.dataValidation]
        assert any("Lister!$B" in (s or "") for s in sources) and any("Lister!$C" in (s or "") for s in sources)
        assert "besparelser og merindtægter skrives negative" in " ".join(
            str(c.value) for c in wb["Vejledning"]["A"]).lower()
        ws.append(["Vejle", 2020, "Ældrepleje", "Ældreudvalget", "Skærmbesøg", "Besøg via skærm.",
                   "Digitalisering", -100, -200, "ej opgjort", None, 50, "Mette"])
        wb.save(path)
    finally:
        wb.close()
    report = read_workbook(path, register=register)
    (o,) = report.imported
    assert o.proposal is not None and o.proposal.area_id == "aeldre" and o.proposal.type_id == "digitalisering"
    assert [s.name for s in report.sheets if not s.is_data] == ["Lister", "Vejledning"]


def test_budget_year_parser() -> None:
    assert parse_budget_year(2020) == (2020, None)
    assert parse_budget_year(2020.0) == (2020, None)
    assert parse_budget_year("Budget 2020-2023") == (2020, None)
    assert parse_budget_year("B2021")[0] == 2021
    assert parse_budget_year("næste år")[0] is None
    assert parse_budget_year(1850)[1] is not None


# ---------------------------------------------------------------------------------------------------------------
# Property tests: any row gives imported/rejected/skipped with a reason, never a crash, never a silent loss.

_vocab = load_vocabulary()
_text = st.text(alphabet=string.ascii_letters + "æøåÆØÅ -.,()\u00a0", max_size=30)
_cell = st.one_of(st.none(), _text, st.integers(-10**7, 10**7), st.floats(allow_nan=False, allow_infinity=False),
                  st.sampled_from(["Aarhus", "Århus", "Høje Taastrup", "I alt", "ej opgjort", "-1.250", "1,5 mio.",
                                   "(500)", "2020", "Ældreområdet", "Effektivisering", "", " "]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_cell, min_size=13, max_size=13))
def test_any_row_is_imported_or_reported(register: MunicipalityRegister, cells: list[Any]) -> None:
    cmap = map_columns(HEADER, None, _vocab)
    ctx = RowContext(register=register, vocab=_vocab, source_file="x.xlsx")
    o = parse_row(cells, cmap, ctx, "Ark", 7)
    assert o.row == 7 and o.sheet == "Ark"
    assert o.status in ("imported", "rejected", "skipped")
    if o.status == "imported":
        p = o.proposal
        assert p is not None and p.municipality_code in register and 2000 <= p.budget_year <= 2100
        assert p.title or p.description
        assert all(a is None or isinstance(a, float) for a in p.amounts)
    else:
        assert o.reason and o.proposal is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_cell, min_size=13, max_size=13), min_size=1, max_size=12))
def test_any_workbook_accounts_for_every_row(tmp_path_factory: pytest.TempPathFactory,
                                             register: MunicipalityRegister, rows: list[list[Any]]) -> None:
    path = write_xlsx(tmp_path_factory.mktemp("prop") / "p.xlsx", {"Data": [HEADER, *rows]})
    report = read_workbook(path, register=register)
    assert_every_row_accounted(path, report)
    for o in report.outcomes:
        assert o.status in ("imported", "rejected", "skipped") and (o.status == "imported" or o.reason)


def test_code_column_non_breaking_spaces_and_mismatches(tmp_path: Path, register: MunicipalityRegister) -> None:
    header = ["Kommunenr.", "Kommune\u00a0", "Budget\u00a0år", "Titel", "Beskrivelse\u00a0(maks. 500 tegn)", "B"]
    rows = [header,
            [751, "Aarhus\u00a0Kommune", 2020, "Fælles\u00a0 indkøb", "Tekst", "1\u00a0250"],
            ["0580", None, 2020, "Kun kode", "Tekst", 1],
            [101, "Aarhus", 2020, "Forkert kode", "Tekst", 1],
            [999, None, 2020, "Ukendt kode", "Tekst", 1]]
    report = read_workbook(write_xlsx(tmp_path / "codes.xlsx", {"D": rows}), register=register)
    assert set(report.sheets[0].columns) >= {"municipality_code", "municipality", "budget_year", "description"}
    out = by_row(report, "D")
    p = out[2].proposal
    assert p is not None and p.municipality_code == 751 and p.title == "Fælles indkøb" and p.amount_b == 1250.0
    assert out[3].proposal is not None and out[3].proposal.municipality_name == "Aabenraa"
    assert out[4].status == "rejected" and "passer ikke" in out[4].reason
    assert out[5].status == "rejected" and "ukendt kommunekode" in out[5].reason
