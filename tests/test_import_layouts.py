"""Importing any municipality's budget catalogue (issue 12): workbooks built here in six layouts that share no header
label with each other, each checked field by field for every proposal and for the report's stated assumptions;
then questions (contradicting notes, kroner without a unit, a missing municipality column, ambiguous columns), the
operator's overrides, saved layout profiles, and header scoring under hypothesis.
"""

from __future__ import annotations

import dataclasses
import string
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raaderum.errors import ImportProfileNotFound, InputError
from raaderum.ideas import read_workbook
from raaderum.ideas.excel_import import RowContext, read_sheet
from raaderum.ideas.header_mapping import MULTI_FIELDS, assign, header_columns, label_scores
from raaderum.ideas.layouts import SheetOverrides, parse_overrides
from raaderum.ideas.records import ProposalRecord
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.release.municipalities import MunicipalityRegister
from raaderum.store.ideas import IdeaStore

VOCAB = load_vocabulary()


def write(path: Path, rows: list[list[Any]], *, sheet: str = "Forslag", merges: tuple[tuple[int, int, int, int], ...]
          = (), hidden: tuple[int, ...] = (), formulas: dict[tuple[int, int], tuple[str, Any]] | None = None) -> Path:
    """A real .xlsx written with xlsxwriter (as Excel writes it: merged ranges, hidden columns, formulas with their
    computed values). ``merges``: (first row, first col, last row, last col), 0-based; the text is the first cell's."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    merged_first = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges}
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if (r, c) in merged_first:
                r2, c2 = merged_first[(r, c)]
                ws.merge_range(r, c, r2, c2, v)
            elif v is not None:
                ws.write(r, c, v)
    for (r, c), (f, value) in (formulas or {}).items():
        ws.write_formula(r, c, f, None, value)
    for c in hidden:
        ws.set_column(c, c, None, None, {"hidden": True})
    wb.close()
    return path


def record(**kw: Any) -> dict[str, Any]:
    """Every field of an imported proposal, with the defaults of one read from a file (no id, no batch yet)."""
    base: dict[str, Any] = {}
    for f in dataclasses.fields(ProposalRecord):
        if f.default is not dataclasses.MISSING:
            base[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            base[f.name] = f.default_factory()
        else:
            base[f.name] = None
    base.pop("content_hash")
    base.update(kw)
    return base


def fields(p: ProposalRecord | None) -> dict[str, Any]:
    assert p is not None
    d = dataclasses.asdict(p)
    d.pop("content_hash")
    return d


def proposals(report: Any) -> dict[int, ProposalRecord]:
    return {o.row: o.proposal for o in report.imported}


def every_row_once(report: Any, sheet: str, last_row: int, header: tuple[int, ...]) -> None:
    rows = sorted(o.row for o in report.outcomes if o.sheet == sheet and o.row is not None)
    assert rows == [r for r in range(1, last_row + 1) if r not in header]


# ---------------------------------------------------------------------------------------------------------------
# Six layouts


def test_layout_1_calendar_year_amounts_and_type_af_tiltag(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["KL's databaseværktøj – råderumsforslag"],
        ["Beløb i 1.000 kr. Besparelser er negative."],
        [],
        ["Kommunenavn", "B-år", "Serviceområde", "Fagudvalg", "Overskrift", "Uddybning", "Type af tiltag", 2021, 2022,
         2023, 2024, 2025],
        ["Aarhus Kommune", 2021, "Ældreområdet", "Sundheds- og Omsorgsudvalget", "Hverdagsrehabilitering",
         "Borgere træner daglige gøremål før hjemmehjælp.", "Omlægning", -500, -1000, -1500, -1500, -1500],
        ["Vejle", 2022, "Veje og trafik", "Teknisk Udvalg", "LED i gadelys", "Nye armaturer med styring.",
         "Investering", None, 2000, -300, -600, -600],
        ["Odense", "B2023", "Kultur og fritid", "Kultur- og Fritidsudvalget", "Bogbussen nedlægges",
         "Bogskabe i forsamlingshuse.", "Servicetilpasning", 50, None, -200, -400, "ej opgjort"],
    ]
    path = write(tmp_path / "kl.xlsx", rows)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert sheet.header_rows == (4,) and not report.needs_decision and sheet.questions == []
    by_letter = {c.letter: c for c in sheet.mapping}
    assert by_letter["G"].field == "type" and by_letter["G"].status == "mapped" and by_letter["G"].confidence >= 0.9
    assert [by_letter[x].field for x in "HIJKL"] == ["year:2021", "year:2022", "year:2023", "year:2024", "year:2025"]
    assert sheet.assumptions == [
        "Enhed 1.000 kr. i kolonne H, I, J, K, L (kilde: noten A2: 'Beløb i 1.000 kr. Besparelser er negative.').",
        "Fortegn: besparelser står som negative tal (kilde: noten A2: 'Beløb i 1.000 kr. Besparelser er negative.'); "
        "gemt uændret."]
    got = proposals(report)
    common = {"source_file": "kl.xlsx", "source_sheet": "Forslag"}
    assert fields(got[5]) == record(
        municipality_code=751, municipality_name="Aarhus", budget_year=2021, title="Hverdagsrehabilitering",
        description="Borgere træner daglige gøremål før hjemmehjælp.", area_id="aeldre", area_text="Ældreområdet",
        committee_text="Sundheds- og Omsorgsudvalget", type_id="omlaegning", type_text="Omlægning",
        amount_b=-500.0, amount_bo1=-1000.0, amount_bo2=-1500.0, amount_bo3=-1500.0, source_row=5, **common)
    assert fields(got[6]) == record(
        municipality_code=630, municipality_name="Vejle", budget_year=2022, title="LED i gadelys",
        description="Nye armaturer med styring.", area_id="veje_trafik", area_text="Veje og trafik",
        committee_text="Teknisk Udvalg", type_id="investering", type_text="Investering",
        amount_b=2000.0, amount_bo1=-300.0, amount_bo2=-600.0, amount_bo3=-600.0, source_row=6, **common)
    assert fields(got[7]) == record(
        municipality_code=461, municipality_name="Odense", budget_year=2023, title="Bogbussen nedlægges",
        description="Bogskabe i forsamlingshuse.", area_id="kultur_fritid", area_text="Kultur og fritid",
        committee_text="Kultur- og Fritidsudvalget", type_id="servicetilpasning", type_text="Servicetilpasning",
        amount_b=-200.0, amount_bo1=-400.0, amount_bo2=None, amount_bo3=None, source_row=7, **common)
    notes = {o.row: o.notes for o in report.imported}
    assert any("2025" in n and "efter BO3" in n for n in notes[5])
    assert any("2021" in n and "før budgetåret" in n for n in notes[7])
    every_row_once(report, "Forslag", 7, (4,))


def test_layout_2_kroner_and_positive_savings_stated_in_notes(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["Råderumskatalog"],
        ["Beløb i kr."],
        ["Besparelser er angivet med positivt fortegn"],
        [],
        ["Nr.", "Kommunens navn", "Budget", "Tiltag", "Beskrivelse af forslaget", "Kategori",
         "Økonomisk effekt (kr.)", None, None, None, "Engangsudgift", "Status"],
        [None, None, None, None, None, None, "Budgetår 1", "Budgetår 2", "Budgetår 3", "Budgetår 4", None, None],
        ["A-1", "Favrskov", 2022, "Færre ledere", "To afdelinger lægges sammen.", "Organisering", 250000, 500000,
         500000, 500000, None, "Vedtaget"],
        ["A-2", "Favrskov", 2022, "LED i gadelys", "Nye armaturer.", "Investering", -1500000, "300.000 kr.", 600000,
         "ej opgjort", 2400000, "Udskudt"],
    ]
    merges = ((4, 6, 4, 9), *((4, c, 5, c) for c in (0, 1, 2, 3, 4, 5, 10, 11)))
    path = write(tmp_path / "favrskov.xlsx", rows, merges=merges)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert sheet.header_rows == (5, 6) and not report.needs_decision
    assert sheet.unit == "kr" and sheet.savings_positive
    assert sheet.assumptions == [
        "Enhed kr. i kolonne G, H, I, J (kilde: kolonnehovedet 'Økonomisk effekt (kr.)') – omregnet til 1.000 kr.",
        "Enhed kr. i kolonne K (kilde: noten A2: 'Beløb i kr.') – omregnet til 1.000 kr.",
        "Fortegn: besparelser står som positive tal (kilde: noten A3: 'Besparelser er angivet med positivt fortegn'); "
        "fortegnet er vendt, så besparelser gemmes negative. Engangsinvesteringer vendes ikke.",
        "Kolonner uden felt gemmes som kildefelter med hvert forslag: L ('Status')."]
    got = proposals(report)
    common = {"municipality_code": 710, "municipality_name": "Favrskov", "budget_year": 2022,
              "source_file": "favrskov.xlsx", "source_sheet": "Forslag"}
    assert fields(got[7]) == record(
        title="Færre ledere", description="To afdelinger lægges sammen.", type_id="organisering",
        type_text="Organisering", amount_b=-250.0, amount_bo1=-500.0, amount_bo2=-500.0, amount_bo3=-500.0,
        source_row=7, source_ref="A-1", source_fields={"Status": "Vedtaget"}, **common)
    assert fields(got[8]) == record(
        title="LED i gadelys", description="Nye armaturer.", type_id="investering", type_text="Investering",
        amount_b=1500.0, amount_bo1=-300.0, amount_bo2=-600.0, amount_bo3=None, one_off_investment=2400.0,
        source_row=8, source_ref="A-2", source_fields={"Status": "Udskudt"}, **common)
    every_row_once(report, "Forslag", 8, (5, 6))


def test_layout_3_three_row_merged_header(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["Forslaget", None, None, None, None, "Økonomi", None, None, None, None],
        ["Løbenr.", "Afsender", "Vedtaget i budget", "Rubrik", "Indhold", "Beløb i 1.000 kr.", None, None, None,
         "Anlægsinvestering"],
        [None, None, None, None, None, "B", "BO1", "BO2", "BO3", None],
        [17, "Høje Taastrup", 2020, "Robotstøvsugere", "Udlån af robotstøvsugere.", "-1.250", "1,5 mio.", "(500)",
         "ej opgjort", 200],
        [18, "Hjørring", 2020, "Samkørsel", "Ruteplanlægning af specialkørsel.", -80, -160, -160, -160, None],
    ]
    merges = ((0, 0, 0, 4), (0, 5, 0, 9), (1, 5, 1, 8), *((1, c, 2, c) for c in (0, 1, 2, 3, 4, 9)))
    path = write(tmp_path / "tre.xlsx", rows, merges=merges)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert sheet.header_rows == (1, 2, 3) and not report.needs_decision
    labels = {c.letter: (c.label, c.field) for c in sheet.mapping}
    assert labels["F"] == ("Økonomi / Beløb i 1.000 kr. / B", "amount_b")
    assert labels["J"] == ("Økonomi / Anlægsinvestering", "one_off_investment")
    assert labels["B"] == ("Forslaget / Afsender", "municipality")
    assert sheet.assumptions == [
        "Enhed: ikke angivet i arket; antaget 1.000 kr., som i KL's databaseværktøj.",
        "Enhed 1.000 kr. i kolonne F, G, H, I (kilde: kolonnehovedet 'Beløb i 1.000 kr.').",
        "Fortegn: ikke angivet i arket; antaget besparelser negative, som i budgetdokumenter."]
    got = proposals(report)
    common = {"budget_year": 2020, "source_file": "tre.xlsx", "source_sheet": "Forslag"}
    assert fields(got[4]) == record(
        municipality_code=169, municipality_name="Høje-Taastrup", title="Robotstøvsugere",
        description="Udlån af robotstøvsugere.", amount_b=-1250.0, amount_bo1=1500.0, amount_bo2=-500.0,
        amount_bo3=None, one_off_investment=200.0, source_row=4, source_ref="17", **common)
    assert fields(got[5]) == record(
        municipality_code=860, municipality_name="Hjørring", title="Samkørsel",
        description="Ruteplanlægning af specialkørsel.", amount_b=-80.0, amount_bo1=-160.0, amount_bo2=-160.0,
        amount_bo3=-160.0, source_row=5, source_ref="18", **common)
    every_row_once(report, "Forslag", 5, (1, 2, 3))


def test_layout_4_hidden_and_formula_columns(tmp_path: Path, register: MunicipalityRegister) -> None:
    header = ["Kommunekode", "År", "Emne", "Forslagstekst", "Art", "Ansvarligt udvalg", "Effekt B", "Effekt BO1",
              "Effekt BO2", "Effekt BO3", "Effekt i alt", "Sortering", "Kontrolsum"]
    data = [[751, 2020, "Færre ledelseslag", "Fra fire til tre lag.", "Organisering", "Økonomiudvalget", -400, -800,
             -800, -800],
            [101, 2020, "Chatbot", "Svar døgnet rundt.", "Digitalisering", "Økonomiudvalget", 100, -50, -150, -150],
            [580, 2021, "Udbud af vintertjeneste", "Fire distrikter.", "Indkøb", "Teknik- og Miljøudvalget", -300,
             -300, -300, -300]]
    formulas = {}
    rows: list[list[Any]] = [header]
    for i, d in enumerate(data, start=1):
        rows.append([*d, None, i * 10, None])
        formulas[(i, 10)] = (f"=SUM(G{i + 1}:J{i + 1})", sum(d[6:10]))
        formulas[(i, 12)] = (f"=G{i + 1}+H{i + 1}+I{i + 1}+J{i + 1}", sum(d[6:10]))
    path = write(tmp_path / "skjult.xlsx", rows, hidden=(11, 12), formulas=formulas)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert not report.needs_decision
    by_letter = {c.letter: c for c in sheet.mapping}
    assert by_letter["K"].status == "total" and by_letter["K"].formula
    assert by_letter["M"].status == "total" and by_letter["M"].hidden and by_letter["M"].source == "indhold"
    assert by_letter["L"].status == "unmapped" and by_letter["L"].hidden and by_letter["L"].samples == ["10", "20",
                                                                                                        "30"]
    assert sheet.assumptions == [
        "Enhed: ikke angivet i arket; antaget 1.000 kr., som i KL's databaseværktøj (typisk størrelse 300).",
        "Fortegn: ikke angivet i arket; antaget besparelser negative, som i budgetdokumenter.",
        "Kolonne K ('Effekt i alt') er en sumkolonne og gemmes ikke.",
        "Kolonne M ('Kontrolsum') er en sumkolonne og gemmes ikke.",
        "Kolonner uden felt gemmes som kildefelter med hvert forslag: L ('Sortering')."]
    got = proposals(report)
    common = {"source_file": "skjult.xlsx", "source_sheet": "Forslag"}
    assert fields(got[2]) == record(
        municipality_code=751, municipality_name="Aarhus", budget_year=2020, title="Færre ledelseslag",
        description="Fra fire til tre lag.", type_id="organisering", type_text="Organisering",
        committee_text="Økonomiudvalget", amount_b=-400.0, amount_bo1=-800.0, amount_bo2=-800.0, amount_bo3=-800.0,
        source_row=2, source_fields={"Sortering": "10"}, **common)
    assert fields(got[3]) == record(
        municipality_code=101, municipality_name="København", budget_year=2020, title="Chatbot",
        description="Svar døgnet rundt.", type_id="digitalisering", type_text="Digitalisering",
        committee_text="Økonomiudvalget", amount_b=100.0, amount_bo1=-50.0, amount_bo2=-150.0, amount_bo3=-150.0,
        source_row=3, source_fields={"Sortering": "20"}, **common)
    assert fields(got[4]) == record(
        municipality_code=580, municipality_name="Aabenraa", budget_year=2021, title="Udbud af vintertjeneste",
        description="Fire distrikter.", type_id="indkoeb", type_text="Indkøb",
        committee_text="Teknik- og Miljøudvalget", amount_b=-300.0, amount_bo1=-300.0, amount_bo2=-300.0,
        amount_bo3=-300.0, source_row=4, source_fields={"Sortering": "30"}, **common)


def test_layout_5_totals_rows(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["Navn på kommune", "Budgetåret", "Sektor", "Stående udvalg", "Titel", "Kort beskrivelse", "Greb",
         "B (1.000 kr.)", "OV1", "OV2", "OV3", "Kontaktperson"],
        ["Greve", 2020, "Grønne områder", "Teknik- og Miljøudvalget", "Færre græsslåninger", "Vild med vilje.",
         "Servicetilpasning", -150, -300, -300, -300, "Mette Hansen"],
        ["Greve", 2020, "Veje", "Teknik- og Miljøudvalget", "Udbud af vintertjeneste", "Fire distrikter.",
         "Indkøb", -200, -400, -400, -400, "mette@greve.dk"],
        ["Total for Teknik- og Miljøudvalget", None, None, None, None, None, None, -350, -700, -700, -700],
        [],
        ["I alt", None, None, None, None, None, None, -350, -700, -700, -700],
        [None, None, None, None, None, None, None, -350, -700, -700, -700],
    ]
    path = write(tmp_path / "greve.xlsx", rows)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert sheet.assumptions == [
        "Enhed: ikke angivet i arket; antaget 1.000 kr., som i KL's databaseværktøj (typisk størrelse 350).",
        "Enhed 1.000 kr. i kolonne H (kilde: kolonnehovedet).",
        "Fortegn: ikke angivet i arket; antaget besparelser negative, som i budgetdokumenter."]
    outcome = {o.row: o for o in report.outcomes}
    assert [outcome[r].status for r in range(2, 8)] == ["imported", "imported", "skipped", "skipped", "skipped",
                                                        "skipped"]
    assert "sumrække" in outcome[4].reason and outcome[5].reason == "tom række" and "sumrække" in outcome[6].reason
    assert "kun beløb" in outcome[7].reason
    got = proposals(report)
    common = {"municipality_code": 253, "municipality_name": "Greve", "budget_year": 2020,
              "committee_text": "Teknik- og Miljøudvalget", "source_file": "greve.xlsx", "source_sheet": "Forslag"}
    assert fields(got[2]) == record(
        title="Færre græsslåninger", description="Vild med vilje.", area_id="groenne_omraader",
        area_text="Grønne områder", type_id="servicetilpasning", type_text="Servicetilpasning", amount_b=-150.0,
        amount_bo1=-300.0, amount_bo2=-300.0, amount_bo3=-300.0, contact="Mette Hansen", source_row=2, **common)
    assert fields(got[3]) == record(
        title="Udbud af vintertjeneste", description="Fire distrikter.", area_id="veje_trafik", area_text="Veje",
        type_id="indkoeb", type_text="Indkøb", amount_b=-200.0, amount_bo1=-400.0, amount_bo2=-400.0,
        amount_bo3=-400.0, contact="mette@greve.dk", source_row=3, **common)


def test_layout_6_columns_no_rule_knows(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [
        ["ID", "Kommune", "Budgetlægning", "Tema", "Politisk udvalg", "Initiativ", "Formål og indhold",
         "Forslagets art", "Prioritet", "Behandlet", "Bemærkninger", "Frist", "Mio. kr. 2024", "Mio. kr. 2025",
         "Mio. kr. 2026", "Mio. kr. 2027", "Tovholder"],
        ["S-04", "Sønderborg", 2024, "Ejendomme", "Økonomiudvalget", "Salg af tomme bygninger",
         "Overflødige bygninger sælges.", "Indtægt", "Høj", "Ja", "Afventer vurdering", "1. marts", -0.5, -1.2,
         -1.2, -1.2, "Karen"],
        ["S-05", "Sønderborg", 2024, "IT", "Økonomiudvalget", "Færre fagsystemer", "Fælles platforme.",
         "Ny kategori", "Lav", "Nej", None, None, 0.25, -0.5, -0.75, -0.75, None],
    ]
    path = write(tmp_path / "soenderborg.xlsx", rows)
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert not report.needs_decision
    by_letter = {c.letter: c for c in sheet.mapping}
    assert {x: by_letter[x].status for x in "IJL"} == {"I": "unmapped", "J": "unmapped", "L": "unmapped"}
    assert by_letter["I"].samples == ["Høj", "Lav"] and by_letter["K"].field == "note"
    assert sheet.assumptions == [
        "Enhed mio. kr. i kolonne M, N, O, P (kilde: kolonnehovedet) – omregnet til 1.000 kr.",
        "Fortegn: ikke angivet i arket; antaget besparelser negative, som i budgetdokumenter.",
        "Kolonner uden felt gemmes som kildefelter med hvert forslag: I ('Prioritet'), J ('Behandlet'), L ('Frist')."]
    got = proposals(report)
    common = {"municipality_code": 540, "municipality_name": "Sønderborg", "budget_year": 2024,
              "committee_text": "Økonomiudvalget", "source_file": "soenderborg.xlsx", "source_sheet": "Forslag"}
    assert fields(got[2]) == record(
        title="Salg af tomme bygninger", description="Overflødige bygninger sælges.", area_id="ejendomme",
        area_text="Ejendomme", type_id="indtaegt", type_text="Indtægt", amount_b=-500.0, amount_bo1=-1200.0,
        amount_bo2=-1200.0, amount_bo3=-1200.0, contact="Karen", source_row=2, source_ref="S-04",
        source_fields={"Prioritet": "Høj", "Behandlet": "Ja", "Bemærkninger": "Afventer vurdering",
                       "Frist": "1. marts"}, **common)
    assert fields(got[3]) == record(
        title="Færre fagsystemer", description="Fælles platforme.", area_id="digitalisering", area_text="IT",
        type_id=None, type_text="Ny kategori", amount_b=250.0, amount_bo1=-500.0, amount_bo2=-750.0,
        amount_bo3=-750.0, source_row=3, source_ref="S-05", source_fields={"Prioritet": "Lav", "Behandlet": "Nej"},
        **common)


def test_the_six_layouts_share_no_header_label() -> None:
    import ast
    import inspect

    src = inspect.getsource(inspect.getmodule(test_layout_1_calendar_year_amounts_and_type_af_tiltag))  # type: ignore
    tree = ast.parse(src)
    labels: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_layout_"):
            header_rows = [n for n in ast.walk(node) if isinstance(n, ast.List) and len(n.elts) >= 8
                           and all(isinstance(e, ast.Constant) and isinstance(e.value, str | type(None) | int)
                                   for e in n.elts) and sum(isinstance(e, ast.Constant) and isinstance(e.value, str)
                                                            for e in n.elts) >= 4]
            labels[node.name] = {str(e.value).casefold() for n in header_rows[:3] for e in n.elts
                                 if isinstance(e, ast.Constant) and isinstance(e.value, str) and len(e.value) < 30}
    assert len(labels) == 6
    names = list(labels)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            header_words = {x for x in labels[a] & labels[b] if not x[:1].isdigit()}
            assert not header_words, (a, b, header_words)


# ---------------------------------------------------------------------------------------------------------------
# Questions instead of guesses


def test_contradicting_unit_notes_need_a_decision(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Alle beløb i 1.000 kr."],
            ["Kommune", "Budgetår", "Titel", "Beløb i kr.", None, None, None],
            [None, None, None, "B", "BO1", "BO2", "BO3"],
            ["Aarhus", 2021, "Et forslag", -100, -200, -300, -300],
            ["Aarhus", 2021, "Et andet", -10, -20, -30, -30]]
    path = write(tmp_path / "modstrid.xlsx", rows, merges=((1, 3, 1, 6),))
    report = read_workbook(path, register=register)
    sheet = report.sheets[0]
    assert report.needs_decision and sheet.ambiguous
    (q,) = [q for q in sheet.questions if q.kind == "unit"]
    assert q.suggestion is None and "A1" in q.message and "modstridende" in q.message
    assert [o.status for o in report.outcomes if o.row in (4, 5)] == ["rejected", "rejected"]
    assert all(o.cause == "sheet" and "enheden" in o.reason for o in report.rejected)
    assert report.to_dict()["rejected"] == [] and report.to_dict()["sheet_rejections"][0]["rows"] == [4, 5]
    # The operator answers: the sheet is read in kroner, and nothing is left to decide.
    fixed = read_workbook(path, register=register, overrides={"*": {"unit": "kr"}})
    assert not fixed.needs_decision
    assert [p.amounts for p in fixed.proposals] == [(-0.1, -0.2, -0.3, -0.3), (-0.01, -0.02, -0.03, -0.03)]
    assert fixed.sheets[0].assumptions[0] == ("Enhed kr. i kolonne D, E, F, G (kilde: operatøren) – omregnet til "
                                              "1.000 kr.")


def test_contradicting_sign_notes_need_a_decision(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Besparelser er angivet med positivt fortegn"], ["Negative tal er besparelser"],
            ["Kommune", "Budgetår", "Titel", "B"], ["Aarhus", 2021, "Et forslag", 100]]
    report = read_workbook(write(tmp_path / "fortegn.xlsx", rows), register=register)
    (q,) = report.sheets[0].questions
    assert q.kind == "sign" and "A1" in q.message and "A2" in q.message and report.needs_decision
    ok = read_workbook(tmp_path / "fortegn.xlsx", register=register, overrides={"*": {"savings_positive": True}})
    assert not ok.needs_decision and ok.proposals[0].amount_b == -100.0


def test_kroner_without_a_unit_is_asked_not_guessed(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Kommune", "Budgetår", "Titel", "B", "BO1"],
            ["Aarhus", 2021, "Et forslag", -250000, -500000],
            ["Aarhus", 2021, "Et andet", -1200000, -1200000]]
    path = write(tmp_path / "kroner.xlsx", rows)
    report = read_workbook(path, register=register)
    (q,) = report.sheets[0].questions
    assert q.kind == "unit" and q.suggestion == "kr" and "ligner kroner" in q.message and report.needs_decision
    assert report.sheets[0].proposed is not None and report.sheets[0].proposed.unit == "kr"
    accepted = read_workbook(path, register=register, accept=True)
    assert not accepted.needs_decision and accepted.sheets[0].accepted
    assert [p.amounts[:2] for p in accepted.proposals] == [(-250.0, -500.0), (-1200.0, -1200.0)]
    said = read_workbook(path, register=register, overrides={"*": SheetOverrides(unit="1000kr")})
    assert not said.needs_decision and said.proposals[0].amount_b == -250000.0


def test_a_missing_municipality_column_is_one_problem_of_the_sheet(tmp_path: Path,
                                                                   register: MunicipalityRegister) -> None:
    rows = [["Råderumskatalog"], ["Forslagsnr.", "Budgetår", "Titel", "Beskrivelse", "B"]]
    rows += [[i, 2022, f"Forslag {i}", "Tekst.", -10 * i] for i in range(1, 53)]
    rows.append([53, 2022, "Forkert beløb", "Tekst.", "halvdelen"])
    path = write(tmp_path / "uden_kommune.xlsx", rows)
    report = read_workbook(path, register=register)
    c = report.counts()
    assert (c["imported"], c["rejected"], c["rejected_by_sheet"]) == (0, 53, 52)
    assert report.needs_decision and report.sheets[0].questions[0].kind == "municipality"
    (group,) = report.to_dict()["sheet_rejections"]
    assert group["count"] == 52 and "ingen kolonne i arket blev genkendt som kommune" in group["reason"]
    (own,) = report.to_dict()["rejected"]  # the row's own fault is still its own
    assert own["row"] == 55 and "halvdelen" in own["reason"]
    text = report.summary_text()
    assert text.count("genkendt som kommune") == 1 and "række 3-54" in text
    fixed = read_workbook(path, register=register, overrides={"*": {"municipality": "Ringkøbing-Skjern"}})
    assert fixed.counts()["imported"] == 52 and not fixed.needs_decision
    assert {p.municipality_code for p in fixed.proposals} == {760}
    assert fixed.proposals[0].source_ref == "1"


def test_title_block_names_the_municipality_as_a_suggestion(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Aarhus Kommune – råderumskatalog, budget 2023"], ["Titel", "Beskrivelse", "Type", "B"],
            ["Et forslag", "Tekst.", "Indkøb", -100]]
    path = write(tmp_path / "titelblok.xlsx", rows)
    report = read_workbook(path, register=register)
    kinds = {q.kind: q.suggestion for q in report.sheets[0].questions}
    assert kinds == {"municipality": "751", "budget_year": "2023"} and report.needs_decision
    (p,) = read_workbook(path, register=register, accept=True).proposals
    assert (p.municipality_code, p.budget_year, p.amount_b) == (751, 2023, -100.0)


def test_an_ambiguous_column_is_kept_and_asked_about(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Kommune", "Budgetår", "Titel", "Forslag", "Beskrivelse", "B"],
            ["Aarhus", 2021, "Kort titel", "Langt navn på forslaget", "Tekst.", -100]]
    report = read_workbook(write(tmp_path / "tvetydig.xlsx", rows), register=register)
    sheet = report.sheets[0]
    (q,) = sheet.questions
    assert q.kind == "field" and q.choices == ["C", "D"] and q.suggestion == "C=title"
    (p,) = report.proposals
    assert p.title == "Kort titel" and p.source_fields == {"Forslag": "Langt navn på forslaget"}
    d = next(c for c in sheet.mapping if c.letter == "D")
    assert d.status == "ambiguous" and d.alternatives[0] == ("title", 1.0)
    chosen = read_workbook(tmp_path / "tvetydig.xlsx", register=register, overrides=parse_overrides(["D=titel",
                                                                                                    "C=-"]))
    (p2,) = chosen.proposals
    assert p2.title == "Langt navn på forslaget" and p2.source_fields == {"Titel": "Kort titel"}
    assert not chosen.needs_decision


def test_overrides_are_checked(tmp_path: Path, register: MunicipalityRegister) -> None:
    path = write(tmp_path / "x.xlsx", [["Kommune", "Budgetår", "Titel", "B"], ["Aarhus", 2021, "T", 1]])
    with pytest.raises(InputError, match="både kolonne C og D"):
        read_workbook(path, register=register, overrides=parse_overrides(["C=titel", "D=titel"]))
    with pytest.raises(InputError, match="Ukendt felt"):
        parse_overrides(["H=farve"])
    with pytest.raises(InputError, match="kolonnebogstav"):
        parse_overrides(["11=type"])
    with pytest.raises(InputError, match="Ukendt enhed"):
        parse_overrides(unit="dollar")
    with pytest.raises(InputError, match="findes ikke"):
        read_workbook(path, register=register, overrides={"Ark 9": {"unit": "kr"}})
    o = parse_overrides(["Forslag!D=BO1", "E=2022", "F=i alt"], unit="mio", savings_positive=True)
    assert o["Forslag"].columns == {"D": "amount_bo1"}
    assert o["*"].columns == {"E": "year:2022", "F": "total"} and o["*"].unit == "mio" and o["*"].savings_positive


def test_header_rows_given_by_the_operator(tmp_path: Path, register: MunicipalityRegister) -> None:
    rows = [["Farve", "Form", "Lyd", "Lugt"], ["Aarhus", 2021, "Gadelys om natten", -50]]
    path = write(tmp_path / "ukendt.xlsx", rows)
    assert not read_workbook(path, register=register).sheets[0].is_data
    report = read_workbook(path, register=register, overrides={"*": {"header_rows": [1], "columns": {
        "A": "kommune", "B": "budgetår", "C": "titel", "D": "B"}}})
    (p,) = report.proposals
    assert (p.municipality_code, p.budget_year, p.title, p.amount_b) == (751, 2021, "Gadelys om natten", -50.0)
    assert {c.letter: c.source for c in report.sheets[0].mapping} == dict.fromkeys("ABCD", "operatøren")


# ---------------------------------------------------------------------------------------------------------------
# Profiles


def _layout(tmp_path: Path, name: str, items: list[tuple[str, str, int]]) -> Path:
    rows = [["Borgmesterens råderumskatalog"],
            ["Sag", "Myndighed", "Periode", "Hvad", "Hvorfor", "Hvor meget", "Farve"]]
    rows += [[ref, "Kalundborg", 2024, title, "Fordi.", amount, "grøn"] for ref, title, amount in items]
    return write(tmp_path / name, rows)


def test_a_confirmed_mapping_is_saved_and_used_without_questions(store: IdeaStore, tmp_path: Path) -> None:
    first = _layout(tmp_path, "jan.xlsx", [("K-0", "Et", -100), ("K-1", "To", -200)])
    dry = store.import_workbook(first, dry_run=True)
    assert not dry.sheets[0].is_data  # no rule knows this layout
    answer = {"*": {"header_rows": [2], "columns": {"A": "nr", "B": "kommune", "C": "budgetår", "D": "titel",
                                                    "E": "beskrivelse", "F": "B", "G": "-"}}}
    report = store.import_workbook(first, overrides=answer, save_profile_as="Kalundborgs katalog",
                                   user_name="operatør")
    assert report.counts()["imported"] == 2 and report.saved_profiles == ["Kalundborgs katalog"]
    from raaderum.store.import_profiles import (
        delete_profile,
        export_profiles,
        get_profile,
        import_profiles,
        list_profiles,
    )

    (prof,) = list_profiles(store)
    assert prof.columns == {"A": "source_ref", "B": "municipality", "C": "budget_year", "D": "title",
                            "E": "description", "F": "amount_b", "G": None}
    assert prof.created_by == "operatør" and prof.header_height == 1 and prof.labels["F"] == "Hvor meget"
    # The next workbook in the same layout: no questions, the profile named, nothing else to say.
    second = _layout(tmp_path, "feb.xlsx", [("K-2", "Tre", -300), ("K-3", "Fire", -200), ("K-0", "Et", -100)])
    again = store.import_workbook(second)
    assert again.profiles_used == ["Kalundborgs katalog"] and not again.needs_decision
    assert again.sheets[0].profile == "Kalundborgs katalog" and "importprofilen" in again.summary_text()
    assert again.counts()["imported"] == 2  # "Et" (row 5) is stored already
    stored = {r.title: r for r in store.list()}
    assert stored["Fire"].source_fields == {"Farve": "grøn"} and stored["Fire"].source_ref == "K-3"
    assert stored["Fire"].amount_b == -200.0
    assert store.import_workbook(second).counts()["imported"] == 0  # re-importing adds nothing
    exported = export_profiles(store)
    assert [p["name"] for p in exported["profiles"]] == ["Kalundborgs katalog"]
    assert get_profile(store, "Kalundborgs katalog") == prof
    assert delete_profile(store, prof.id).name == "Kalundborgs katalog" and list_profiles(store) == []
    with pytest.raises(ImportProfileNotFound):
        get_profile(store, "Kalundborgs katalog")
    (back,) = import_profiles(store, exported)
    assert back.columns == prof.columns and back.signature == prof.signature


def test_profile_names_are_unique_per_layout(store: IdeaStore, tmp_path: Path) -> None:
    from raaderum.ideas.layouts import LayoutProfile
    from raaderum.store.import_profiles import save_profile

    a = LayoutProfile(name="A", signature="1" * 64, header_height=1, columns={"A": "title"})
    save_profile(store, a)
    save_profile(store, dataclasses.replace(a, name="A2"))  # same layout: renamed
    with pytest.raises(InputError, match="bruges allerede"):
        save_profile(store, dataclasses.replace(a, name="A2", signature="2" * 64))
    with pytest.raises(InputError, match="navn"):
        save_profile(store, dataclasses.replace(a, name="  "))


def test_an_import_that_needs_a_decision_stores_nothing(store: IdeaStore, tmp_path: Path) -> None:
    rows = [["Kommune", "Budgetår", "Titel", "B"], ["Aarhus", 2021, "Et forslag", -250000],
            ["Aarhus", 2021, "Et andet", -900000]]
    path = write(tmp_path / "kroner.xlsx", rows)
    report = store.import_workbook(path)
    assert report.stopped and report.needs_decision and store.count() == 0 and store.batches() == []
    assert "intet er gemt" in report.summary_text()
    done = store.import_workbook(path, accept=True)
    assert not done.stopped and store.count() == 2
    assert sorted(r.amount_b for r in store.list()) == [-900.0, -250.0]


def test_profiles_are_part_of_backup_and_restore(engine: Any, tmp_path: Path) -> None:
    from raaderum.ideas.layouts import LayoutProfile
    from raaderum.store.backup import TABLES, backup, restore
    from raaderum.store.import_profiles import get_profile, list_profiles, save_profile

    assert "import_profiles" in TABLES
    saved = save_profile(engine, LayoutProfile(name="Profil æøå", signature="f" * 64, header_height=3,
                                               columns={"A": "title", "B": None, "C": "year:2024"},
                                               labels={"A": "Hvad", "B": "Farve", "C": "2024"}, unit="mio",
                                               savings_positive=False, municipality=751), user_name="op")
    store = IdeaStore(engine.url.render_as_string(hide_password=False), index_dir=tmp_path / "idx")
    rec = ProposalRecord(municipality_code=751, municipality_name="Aarhus", budget_year=2024, title="Med kildefelter",
                         source_ref="A-7", source_fields={"Status": "Vedtaget", "Bemærkninger": "Linje 1\nLinje 2"})
    store.add_batch("k.xlsx", "7" * 64, [rec])
    before = [r for r in store.list() if r.title == "Med kildefelter"]
    path = tmp_path / "backup.json"
    backup(engine, path)
    restore(engine, path, wipe=True)
    assert list_profiles(engine) == [saved] and get_profile(engine, saved.id) == saved
    after = [r for r in store.list() if r.title == "Med kildefelter"]
    assert after == before and after[0].source_fields == {"Status": "Vedtaget", "Bemærkninger": "Linje 1\nLinje 2"}
    store.close()


# ---------------------------------------------------------------------------------------------------------------
# Header scoring, under hypothesis: any header gives a mapping or an "ambiguous" report, never a crash, and never
# two fields on one column or one field on two columns.

_words = [syn for spec in VOCAB.columns.values() for syn in spec.synonyms] + [
    "B", "BO1", "BO2", "BO3", "2021", "2022", "Overslagsår 2", "Budgetår 3", "I alt", "Total", "Beløb i 1.000 kr.",
    "Økonomi", "Status", "Behandlet", "Navn", "mio. kr.", "(kr.)", "Type af tiltag", "Kommunens navn", "Nr.", "",
    "Økonomisk effekt (kr.)", "B-år", "Fagudvalg", "Prioritet"]
_label = st.one_of(st.sampled_from(_words),
                   st.builds(lambda a, b: f"{a} {b}", st.sampled_from(_words), st.sampled_from(_words)),
                   st.text(alphabet=string.ascii_letters + "æøåÆØÅ -./()+0123456789", max_size=25),
                   st.none(), st.integers(1990, 2030))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_label, min_size=1, max_size=14), min_size=1, max_size=3))
def test_any_header_gives_a_mapping_or_an_ambiguous_report(levels: list[list[Any]]) -> None:
    cols = header_columns(levels)
    result = assign(cols, VOCAB)
    assert [c.index for c in result.columns] == [c.index for c in cols]  # one choice per column, in order
    taken: dict[str, int] = {}
    for ch in result.columns:
        assert ch.status in ("mapped", "unmapped", "ambiguous", "total", "empty")
        if ch.status == "mapped":
            assert ch.field and ch.confidence >= 0.6
            if ch.field not in MULTI_FIELDS:
                assert ch.field not in taken, (ch.field, taken[ch.field], ch.index)
                taken[ch.field] = ch.index
    asked = {q.column for q in result.questions}
    for ch in result.columns:
        if ch.status == "ambiguous":
            assert ch.letter in asked or any(ch.letter in q.choices for q in result.questions)
    for lab in (x for row in levels for x in row if isinstance(x, str)):
        scores = label_scores(lab, VOCAB)
        assert all(0 <= s <= 1 for _, s in scores)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_label, min_size=1, max_size=10), min_size=1, max_size=3),
       st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["Aarhus", "2021", "-1.250", "Tekst", "ej opgjort"]),
                                   st.integers(-10**6, 10**6)), min_size=1, max_size=10), max_size=6))
def test_any_sheet_is_read_or_skipped_with_a_reason(register: MunicipalityRegister, header: list[list[Any]],
                                                    data: list[list[Any]]) -> None:
    width = max(len(r) for r in [*header, *data]) if data else max(len(r) for r in header)
    rows = [tuple(r) + (None,) * (width - len(r)) for r in [*header, *data]]
    ctx = RowContext(register=register, vocab=VOCAB, source_file="p.xlsx")
    info, outcomes = read_sheet("Ark", list(rows), ctx)
    if info.is_data:
        letters = [c.letter for c in info.mapping if c.status == "mapped" and c.field not in MULTI_FIELDS]
        fields_ = [c.field for c in info.mapping if c.status == "mapped" and c.field not in MULTI_FIELDS]
        assert len(set(fields_)) == len(fields_) and len(set(letters)) == len(letters)
        assert info.ambiguous == bool(info.questions)
    for o in outcomes:
        assert o.status in ("imported", "rejected", "skipped") and (o.status == "imported" or o.reason)
