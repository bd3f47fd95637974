"""The downloadable Excel template for collecting proposals in a form the import reads without questions.

Sheets: "Forslag" (Danish headers, drop-down lists for municipality, area and type, a whole-number check on the
budget year), "Vejledning" (how to fill it in, the sign convention) and "Lister" (the lists behind the drop-downs).
Area and type lists only warn: a value outside them is still imported, kept as written.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from raaderum.ideas.vocabulary import Vocabulary, load_vocabulary
from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import current_register

#: (header, width, help text) of the template's columns, in order.
TEMPLATE_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("Kommune", 18, "Kommunens navn, fx Aarhus eller Høje-Taastrup."),
    ("Budgetår", 10, "Budgetåret (B), fx 2020. Skal stå i hver række."),
    ("Fagområde", 24, "Vælg fra listen; andre områder gemmes som skrevet."),
    ("Udvalg", 26, "Fagudvalget som kommunen selv kalder det."),
    ("Titel", 40, "Kort titel på forslaget."),
    ("Beskrivelse", 60, "2-4 sætninger: hvad gøres, og hvordan skabes råderummet?"),
    ("Type", 18, "Vælg fra listen; andre typer gemmes som skrevet."),
    ("B", 10, "Beløb i budgetåret, 1.000 kr. Besparelser negative."),
    ("BO1", 10, "Beløb i 1. overslagsår, 1.000 kr. Besparelser negative."),
    ("BO2", 10, "Beløb i 2. overslagsår, 1.000 kr. Besparelser negative."),
    ("BO3", 10, "Beløb i 3. overslagsår, 1.000 kr. Besparelser negative."),
    ("Engangsinvestering", 18, "Engangsudgift eller anlæg, 1.000 kr."),
    ("Kontaktperson", 26, "Navn og e-mail på kontaktperson."),
)

INSTRUCTIONS = (
    "Skabelon til Råderums idébank",
    "",
    "Sådan udfyldes arket 'Forslag':",
    "1. Én række pr. forslag. Kolonnehovedet i række 1 må ikke ændres (rækkefølgen må gerne).",
    "2. Kommune, budgetår og enten titel eller beskrivelse skal altid udfyldes. Budgetåret tages aldrig fra "
    "arkets navn.",
    "3. Beløb angives i 1.000 kr. pr. år for budgetåret (B) og de tre overslagsår (BO1-BO3).",
    "4. Fortegn: besparelser og merindtægter skrives NEGATIVE (fx -1.250), udgifter og investeringer POSITIVE.",
    "5. Kendes et beløb ikke, skrives 'ej opgjort' eller cellen efterlades tom. Tom betyder ukendt, ikke 0.",
    "6. Tekst i en beløbscelle, som hverken er et beløb eller 'ej opgjort', afviser rækken ved import.",
    "7. Fagområde og type vælges fra listerne. Andre værdier accepteres og gemmes som skrevet.",
    "8. Sumrækker ('I alt') springes over ved import og skal ikke tilføjes.",
    "",
    "Importér med: raaderum ideas import FIL.xlsx (tilføj --dry-run for at se rapporten uden at gemme).",
)


def write_template(path: str | Path, *, register: MunicipalityRegister | None = None,
                   vocabulary: Vocabulary | None = None, rows: int = 2000) -> Path:
    """Write the template workbook to ``path`` (.xlsx) and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    vocab = vocabulary or load_vocabulary()
    reg = register or current_register()
    municipalities = sorted((m.name for m in reg), key=str.casefold)
    areas = [a.name for a in vocab.catalog.areas] + [t.name for t in vocab.catalog.themes]
    types = [t.name for t in vocab.types]
    wb = xlsxwriter.Workbook(str(p))
    try:
        head = wb.add_format({"bold": True, "bg_color": "#DDE6EE", "border": 1, "text_wrap": True,
                              "valign": "top"})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        amount = wb.add_format({"num_format": "#,##0;-#,##0", "valign": "top"})
        ws = wb.add_worksheet("Forslag")
        lists = wb.add_worksheet("Lister")
        guide = wb.add_worksheet("Vejledning")
        for col, (header, width, help_text) in enumerate(TEMPLATE_COLUMNS):
            ws.write(0, col, header, head)
            fmt = amount if header in ("B", "BO1", "BO2", "BO3", "Engangsinvestering") else wrap
            ws.set_column(col, col, width, fmt)
            ws.write_comment(0, col, help_text)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(TEMPLATE_COLUMNS) - 1)
        lists.write(0, 0, "Kommuner (liste)", head)
        lists.write(0, 1, "Fagområder (liste)", head)
        lists.write(0, 2, "Forslagstyper (liste)", head)
        for i, name in enumerate(municipalities, start=1):
            lists.write(i, 0, name)
        for i, name in enumerate(areas, start=1):
            lists.write(i, 1, name)
        for i, name in enumerate(types, start=1):
            lists.write(i, 2, name)
        lists.set_column(0, 2, 28)
        col_of = {h: i for i, (h, _w, _t) in enumerate(TEMPLATE_COLUMNS)}
        ws.data_validation(1, col_of["Kommune"], rows, col_of["Kommune"], {
            "validate": "list", "source": f"=Lister!$A$2:$A${len(municipalities) + 1}",
            "error_type": "warning", "error_title": "Ukendt kommune",
            "error_message": "Vælg en af de 98 kommuner fra listen."})
        ws.data_validation(1, col_of["Budgetår"], rows, col_of["Budgetår"], {
            "validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100,
            "error_title": "Budgetår", "error_message": "Skriv budgetåret som et årstal, fx 2020."})
        ws.data_validation(1, col_of["Fagområde"], rows, col_of["Fagområde"], {
            "validate": "list", "source": f"=Lister!$B$2:$B${len(areas) + 1}", "error_type": "information",
            "error_title": "Fagområde uden for listen",
            "error_message": "Området gemmes som skrevet, men kobles ikke til kataloget."})
        ws.data_validation(1, col_of["Type"], rows, col_of["Type"], {
            "validate": "list", "source": f"=Lister!$C$2:$C${len(types) + 1}", "error_type": "information",
            "error_title": "Type uden for listen", "error_message": "Typen gemmes som skrevet."})
        title = wb.add_format({"bold": True, "font_size": 14})
        guide.set_column(0, 0, 110)
        for i, line in enumerate(INSTRUCTIONS):
            guide.write(i, 0, line, title if i == 0 else wrap)
        start = len(INSTRUCTIONS) + 1
        guide.write(start, 0, "Forslagstyper:", head)
        for i, t in enumerate(vocab.types, start=start + 1):
            guide.write(i, 0, f"{t.name}: {t.explanation}", wrap)
        ws.activate()
    finally:
        wb.close()
    return p


__all__ = ["INSTRUCTIONS", "TEMPLATE_COLUMNS", "write_template"]
