"""Reading idea-bank workbooks (KL's "databaseværktøj" and municipalities' own sheets) into proposals.

Real workbooks are messy, so :func:`read_workbook`

- looks at every sheet and finds the header row below title lines and notes (the row, or pair of rows, whose
  cells name the most known columns; a header needs a title or description column and at least three known
  columns). Two-row headers with merged cells ("Beløb i 1.000 kr." over "B | BO1 | BO2 | BO3") are read by
  carrying the upper label over the merged span;
- recognises columns by their Danish wording in any order (``vocabulary.toml``), plan-year amounts as
  B/BO1-BO3, "Overslagsår 2" or a calendar year (placed relative to each row's own budget year), and a "mio."
  in an amount header as a unit;
- reads every data row into a proposal, or reports it as *rejected* (with the reason) or *skipped* (blank rows,
  totals rows, repeated headers, notes, duplicates) with its sheet and Excel row number. No row disappears.

A proposal needs one of the 98 municipalities, a budget year *from the row* (never from the sheet's name) and a
title or a description. Text in an amount cell that is neither an amount nor an unknown-marker rejects the row.
An area or type the catalogue does not know is kept as written (unmapped).

    >>> report = read_workbook("idebank_2020.xlsx")          # doctest: +SKIP
    >>> report.counts()                                        # doctest: +SKIP
    {'rows': 412, 'imported': 398, 'rejected': 9, 'skipped': 5}
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from openpyxl.utils import get_column_letter

from raaderum.errors import (
    InputError,
    UnknownMunicipality,
    WorkbookError,  # re-exported
)
from raaderum.ideas.amounts import parse_amount
from raaderum.ideas.records import AMOUNT_FIELDS, ProposalRecord
from raaderum.ideas.vocabulary import Vocabulary, fold, load_vocabulary
from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import current_register

Status = Literal["imported", "rejected", "skipped"]

#: How many rows from the top of a sheet are searched for the header.
HEADER_SEARCH_ROWS = 30
MIN_YEAR, MAX_YEAR = 2000, 2100
TEXT_FIELDS = ("municipality", "municipality_code", "budget_year", "area", "committee", "title", "description",
               "type", "contact", "note")
AMOUNT_LABELS = {"amount_b": "B", "amount_bo1": "BO1", "amount_bo2": "BO2", "amount_bo3": "BO3",
                 "one_off_investment": "Engangsinvestering"}

_TOTAL_RE = re.compile(
    r"^(?:(?:sub|hoved)?totalt?|i ?alt|sum(?: i ?alt)?|samlet(?: (?:sum|total|i ?alt|beloeb))?)"
    r"(?: (?:for|af|i ?alt)\b.*)?$")
# Words that may surround a plan-year label in an amount header ("Beløb i 1.000 kr. BO1", "Netto 2021 (mio. kr.)").
_AMOUNT_FILLER = frozenset(
    "beloeb beloeb i 1000 kr t tkr mio dkk netto effekt provenu besparelse besparelser forslag fuld virkning "
    "indfasning drift driftsbeloeb aarsvirkning okonomi oekonomi konsekvens konsekvenser oekonomiske "
    "budgetvirkning udgift udgifter mindreudgift mindreudgifter merudgift af paa til".split())


# --------------------------------------------------------------------------------------------------------------
# Report


@dataclass
class RowOutcome:
    """What happened to one row (or, with ``row`` None, to a whole sheet)."""

    sheet: str
    row: int | None
    status: Status
    reason: str = ""
    proposal: ProposalRecord | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"sheet": self.sheet, "row": self.row, "status": self.status, "reason": self.reason}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.proposal is not None:
            d["municipality_code"] = self.proposal.municipality_code
            d["municipality_name"] = self.proposal.municipality_name
            d["budget_year"] = self.proposal.budget_year
            d["title"] = self.proposal.display_title
            if self.proposal.id is not None:
                d["proposal_id"] = self.proposal.id
        return d


@dataclass
class SheetInfo:
    """How a sheet was read: its header row(s) and which column became which field."""

    name: str
    is_data: bool
    header_rows: tuple[int, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # field -> "C: Beskrivelse"
    ignored_columns: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "is_data": self.is_data, "header_rows": list(self.header_rows),
                "columns": dict(self.columns), "ignored_columns": list(self.ignored_columns), "reason": self.reason}


@dataclass
class ImportReport:
    """The outcome of reading (and, unless a dry run, storing) one workbook."""

    file_name: str
    file_sha256: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    sheets: list[SheetInfo] = field(default_factory=list)
    dry_run: bool = False
    savings_positive: bool = False
    batch_id: int | None = None

    def _with(self, status: Status) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def imported(self) -> list[RowOutcome]:
        return self._with("imported")

    @property
    def rejected(self) -> list[RowOutcome]:
        return self._with("rejected")

    @property
    def skipped(self) -> list[RowOutcome]:
        return self._with("skipped")

    @property
    def proposals(self) -> list[ProposalRecord]:
        return [o.proposal for o in self.imported if o.proposal is not None]

    def counts(self) -> dict[str, int]:
        rows = [o for o in self.outcomes if o.row is not None]
        return {"rows": len(rows), "imported": sum(o.status == "imported" for o in rows),
                "rejected": sum(o.status == "rejected" for o in rows),
                "skipped": sum(o.status == "skipped" for o in rows),
                "sheets": len(self.sheets), "data_sheets": sum(s.is_data for s in self.sheets)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name, "sha256": self.file_sha256, "dry_run": self.dry_run,
            "savings_positive": self.savings_positive, "batch_id": self.batch_id,
            "amount_unit": "1.000 kr.; besparelser negative",
            "counts": self.counts(), "sheets": [s.to_dict() for s in self.sheets],
            "rejected": [o.to_dict() for o in self.rejected],
            "skipped": [o.to_dict() for o in self.skipped],
            "notes": [o.to_dict() for o in self.imported if o.notes],
        }

    def summary_text(self) -> str:
        """A readable Danish report (what the CLI prints)."""
        c = self.counts()
        verb = "ville blive importeret (prøvekørsel, intet er gemt)" if self.dry_run else "importeret"
        lines = [f"Fil: {self.file_name}",
                 f"{c['rows']} rækker i {c['data_sheets']} dataark: {c['imported']} {verb}, "
                 f"{c['rejected']} afvist, {c['skipped']} sprunget over."]
        if self.savings_positive:
            lines.append("Fortegn vendt: filen skriver besparelser som positive tal; de er gemt som negative.")
        for s in self.sheets:
            if s.is_data:
                rows = "+".join(str(r) for r in s.header_rows)
                lines.append(f"Ark '{s.name}': kolonnehoved i række {rows}; kolonner: "
                             + ", ".join(f"{k}={v}" for k, v in s.columns.items()))
                if s.ignored_columns:
                    lines.append(f"  Ukendte kolonner (ikke brugt): {', '.join(s.ignored_columns)}")
            else:
                lines.append(f"Ark '{s.name}' sprunget over: {s.reason}")
        for title, items in (("Afviste rækker", self.rejected), ("Sprunget over", self.skipped)):
            if items:
                lines.append(f"{title}:")
                lines.extend(f"  {o.sheet}!{o.row if o.row is not None else '-'}: {o.reason}" for o in items)
        noted = [o for o in self.imported if o.notes]
        if noted:
            lines.append("Bemærkninger til importerede rækker:")
            lines.extend(f"  {o.sheet}!{o.row}: {'; '.join(o.notes)}" for o in noted)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# Cells


def cell_text(value: Any) -> str:
    """A cell as clean one-paragraph-per-line text: non-breaking and odd spaces become spaces, runs collapse."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    s = unicodedata.normalize("NFC", str(value))
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.replace("\u00a0", " ").replace("\u202f", " ").split()) for line in s.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def one_line(value: Any) -> str:
    return " ".join(cell_text(value).split())


def parse_budget_year(value: Any) -> tuple[int | None, str | None]:
    """The budget year a cell names (2020, "2020", "B2020", "Budget 2020-2023"), or an error reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "mangler budgetår (det tages aldrig fra arkets navn)"
    if isinstance(value, bool) or isinstance(value, datetime | date | time):
        return None, f"budgetåret {one_line(value)!r} er ikke et årstal"
    year: int | None = None
    if isinstance(value, int | float | Decimal):
        if float(value).is_integer():
            year = int(value)
    else:
        m = re.fullmatch(r"(?:b|ba|budget|budgetaar|budget aar|aar|vedtaget i budget)?\s*(\d{4})"
                         r"(?:\s+(?:til\s+)?(?:\d{2}|\d{4}))?", fold(value))
        if m:
            year = int(m.group(1))
    if year is None:
        return None, f"budgetåret {one_line(value)!r} er ikke et årstal"
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, f"budgetåret {year} ligger uden for {MIN_YEAR}-{MAX_YEAR}"
    return year, None


# --------------------------------------------------------------------------------------------------------------
# Headers


@dataclass(frozen=True)
class ColumnMap:
    """Column index → field ("title", "amount_bo1", ("year", 2021), …) with unit scale for amounts."""

    fields: dict[int, str]
    years: dict[int, int]  # column index -> calendar year
    scales: dict[int, Decimal]
    labels: dict[int, str]
    ignored: tuple[int, ...]

    @property
    def score(self) -> int:
        return len(set(self.fields.values())) + len(set(self.years.values()))

    def valid(self) -> bool:
        present = set(self.fields.values())
        return bool(present & {"title", "description"}) and self.score >= 3


def _amount_label(label: str) -> tuple[str | None, int | None, Decimal]:
    """(field, year, scale) for an amount header; field "amount_b"… or None with a calendar year, or (None, None)."""
    tokens = fold(label).split()
    scale = Decimal(1000) if "mio" in tokens else Decimal(1)
    rest = [t for t in tokens if t not in _AMOUNT_FILLER]
    if not rest:
        return None, None, scale
    joined = " ".join(rest)
    year = None
    years = [t for t in rest if re.fullmatch(r"(?:19|20)\d\d", t)]
    if len(years) == 1:
        year = int(years[0])
        rest = [t for t in rest if t != years[0]]
        joined = " ".join(rest)
    m = re.fullmatch(r"(?:b|b aar|budget b|budgetaar b|b budgetaar|budgetaar b aar|ba)", joined)
    if m:
        return "amount_b", None, scale
    m = re.fullmatch(r"(?:bo|o|ov|bf|overslagsaar|overslag|overslagsaar bo|bo overslagsaar) ?([123])"
                     r"|([123]) ?(?:overslagsaar|overslag|bo)|(?:overslagsaar|bo)([123])", joined)
    if m:
        n = next(g for g in m.groups() if g)
        return f"amount_bo{n}", None, scale
    if year is not None and joined in ("", "budget", "aar", "budgetaar", "overslagsaar", "overslag", "pl"):
        return None, year, scale
    return None, None, scale


def _match_label(label: str, vocab: Vocabulary) -> tuple[str | None, int | None, Decimal]:
    key = fold(label)
    if not key:
        return None, None, Decimal(1)
    hit = vocab.column_for(label)
    if hit:
        return hit, None, Decimal(1000) if "mio" in key.split() else Decimal(1)
    amount = _amount_label(label)
    if amount[0] or amount[1]:
        return amount
    # Prefix/suffix match on longer synonyms: "Beskrivelse (maks. 500 tegn)", "Evt. kontaktperson".
    best: tuple[int, str] | None = None
    for syn, fld in vocab.column_synonyms().items():
        if len(syn) < 4:
            continue
        if key.startswith(syn + " ") or key.endswith(" " + syn):
            if best is None or len(syn) > best[0]:
                best = (len(syn), fld)
    if best:
        return best[1], None, Decimal(1000) if "mio" in key.split() else Decimal(1)
    return None, None, Decimal(1)


def map_columns(top: Sequence[Any], bottom: Sequence[Any] | None, vocab: Vocabulary) -> ColumnMap:
    """Map header cells to fields; with ``bottom``, ``top`` is the upper row of a two-row (merged) header."""
    n = max(len(top), len(bottom or ()))
    top_text = [one_line(top[i]) if i < len(top) else "" for i in range(n)]
    fields: dict[int, str] = {}
    years: dict[int, int] = {}
    scales: dict[int, Decimal] = {}
    labels: dict[int, str] = {}
    ignored: list[int] = []
    carried = ""
    for i in range(n):
        if bottom is None:
            candidates = [top_text[i]]
            labels[i] = top_text[i]
        else:
            low = one_line(bottom[i]) if i < len(bottom) else ""
            if top_text[i]:
                carried = top_text[i]
            elif not low:
                carried = ""
            up = top_text[i] or (carried if low else "")
            candidates = [c for c in (low, f"{up} {low}".strip(), top_text[i]) if c]
            labels[i] = f"{up} / {low}" if up and low else (low or up)
        got = False
        for cand in candidates:
            fld, year, scale = _match_label(cand, vocab)
            if fld is None and year is None:
                continue
            if fld and fld not in fields.values():
                fields[i] = fld
                scales[i] = scale
                got = True
            elif year is not None and fld is None and year not in years.values():
                years[i] = year
                scales[i] = scale
                got = True
            break
        if not got and labels[i]:
            ignored.append(i)
    return ColumnMap(fields, years, scales, labels, tuple(ignored))


def find_header(rows: Sequence[Sequence[Any]], vocab: Vocabulary) -> tuple[int, int, ColumnMap] | None:
    """(first header row index, number of header rows, column map) of the best header in the top rows."""
    best: tuple[tuple[int, int, int], int, int, ColumnMap] | None = None
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    for r in range(limit):
        if not any(one_line(v) for v in rows[r]):
            continue
        options = [(1, map_columns(rows[r], None, vocab))]
        if r + 1 < len(rows) and any(one_line(v) for v in rows[r + 1]):
            options.append((2, map_columns(rows[r], rows[r + 1], vocab)))
        for height, cmap in options:
            if not cmap.valid():
                continue
            rank = (cmap.score, -height, -r)
            if best is None or rank > best[0]:
                best = (rank, r, height, cmap)
    if best is None:
        return None
    return best[1], best[2], best[3]


# --------------------------------------------------------------------------------------------------------------
# Rows


@dataclass
class RowContext:
    register: MunicipalityRegister
    vocab: Vocabulary
    source_file: str
    savings_positive: bool = False


def _resolve_municipality(name: str, code_text: str, register: MunicipalityRegister) -> tuple[Any, str | None]:
    by_code = None
    if code_text:
        digits = re.sub(r"\D", "", code_text) if re.fullmatch(r"\s*\d{1,4}(?:[.,]0+)?\s*", code_text) else ""
        by_code = register.find(int(digits.split(".")[0])) if digits else None
        if by_code is None:
            return None, f"ukendt kommunekode {code_text!r}"
    by_name = None
    if name:
        by_name = register.find(name)
        if by_name is None:
            m = re.fullmatch(r"(\d{3})\s*[-–:]?\s*(.+)", name)
            if m:
                by_name = register.find(m.group(2))
                if by_name is not None and by_name.code != int(m.group(1)):
                    return None, f"kommunen {name!r} har ikke koden {m.group(1)}"
        if by_name is None:
            return None, str(UnknownMunicipality(name, register.suggest(name))).rstrip(".").replace(
                "Ukendt kommune", "ukendt kommune")
    if by_code is not None and by_name is not None and by_code.code != by_name.code:
        return None, f"kommunekoden {by_code.code} ({by_code.name}) passer ikke med kommunenavnet {name!r}"
    found = by_name or by_code
    if found is None:
        return None, "mangler kommune"
    return found, None


def parse_row(values: Sequence[Any], cmap: ColumnMap, ctx: RowContext, sheet: str, row: int,
              header_keys: frozenset[str] = frozenset()) -> RowOutcome:
    """Read one data row (``values`` by column index; ``row`` is the Excel row number). Never raises."""
    try:
        return _parse_row(values, cmap, ctx, sheet, row, header_keys)
    except Exception as e:  # pragma: no cover - a safety net: a row is reported, never lost
        return RowOutcome(sheet, row, "rejected", f"uventet fejl ved læsning af rækken: {type(e).__name__}: {e}")


def _parse_row(values: Sequence[Any], cmap: ColumnMap, ctx: RowContext, sheet: str, row: int,
               header_keys: frozenset[str]) -> RowOutcome:
    def val(i: int) -> Any:
        return values[i] if i < len(values) else None

    filled = [i for i in range(len(values)) if one_line(values[i])]
    if not filled:
        return RowOutcome(sheet, row, "skipped", "tom række")
    text: dict[str, str] = {}
    col_of: dict[str, int] = {}
    for i, fld in cmap.fields.items():
        col_of[fld] = i
        if fld in TEXT_FIELDS:
            text[fld] = cell_text(val(i)) if fld == "description" else one_line(val(i))
    # Totals rows and repeated headers.
    for fld in ("municipality", "title", "area", "committee", "description", "municipality_code"):
        t = text.get(fld, "")
        if t and _TOTAL_RE.match(fold(t)):
            return RowOutcome(sheet, row, "skipped", f"sumrække ({t!r} i kolonnen {_col(cmap, col_of[fld])})")
    mapped_idx = set(cmap.fields) | set(cmap.years)
    if header_keys and sum(fold(one_line(val(i))) in header_keys for i in filled) >= 2:
        return RowOutcome(sheet, row, "skipped", "gentaget kolonnehoved")
    textual = [i for i in filled if not isinstance(val(i), int | float | Decimal) or isinstance(val(i), bool)]
    amount_idx = {i for i, f in cmap.fields.items() if f in AMOUNT_LABELS} | set(cmap.years)
    if filled and all(i in amount_idx for i in filled):
        return RowOutcome(sheet, row, "skipped", "rækken har kun beløb og ingen tekst (sandsynligvis en sumrække)")
    if len(filled) == 1 and textual and cmap.fields.get(filled[0]) not in ("title", "description"):
        where = _col(cmap, filled[0]) if filled[0] in mapped_idx else get_column_letter(filled[0] + 1)
        return RowOutcome(sheet, row, "skipped",
                          f"mellemoverskrift eller note ({one_line(val(filled[0]))[:60]!r} i {where})")

    errors: list[str] = []
    notes: list[str] = []
    mun, err = _resolve_municipality(text.get("municipality", ""), text.get("municipality_code", ""), ctx.register)
    if err:
        errors.append(err)
    year_raw = val(col_of["budget_year"]) if "budget_year" in col_of else None
    year, err = parse_budget_year(year_raw)
    if err:
        errors.append(err)
    title, description = text.get("title", ""), text.get("description", "")
    if not title and not description:
        errors.append("mangler både titel og beskrivelse")

    amounts: dict[str, float | None] = dict.fromkeys((*AMOUNT_FIELDS, "one_off_investment"))
    sources: dict[str, str] = {}

    def take(fld: str, i: int, label: str) -> None:
        cell = f"{get_column_letter(i + 1)}{row}"
        parsed = parse_amount(val(i))
        if parsed.error:
            errors.append(f"ugyldigt beløb i kolonnen {label!r} (celle {cell}): {parsed.error}")
            return
        if parsed.value is None:
            return
        v = parsed.value * cmap.scales.get(i, Decimal(1))
        if ctx.savings_positive and fld != "one_off_investment":
            v = -v
        fv = float(v) if v != 0 else 0.0
        if amounts.get(fld) is not None and amounts[fld] != fv:
            errors.append(f"to forskellige beløb for {AMOUNT_LABELS[fld]} (celle {sources[fld]} og {cell})")
            return
        amounts[fld] = fv
        sources[fld] = cell

    for i, fld in cmap.fields.items():
        if fld in AMOUNT_LABELS:
            take(fld, i, AMOUNT_LABELS[fld])
    for i, cal_year in cmap.years.items():
        if year is None:
            p = parse_amount(val(i))
            if p.error:
                errors.append(f"ugyldigt beløb i kolonnen {str(cal_year)!r} (celle {get_column_letter(i + 1)}{row}): "
                              f"{p.error}")
            continue
        offset = cal_year - year
        if 0 <= offset <= 3:
            take(AMOUNT_FIELDS[offset], i, str(cal_year))
        else:
            p = parse_amount(val(i))
            if p.error:
                errors.append(f"ugyldigt beløb i kolonnen {str(cal_year)!r} (celle {get_column_letter(i + 1)}{row}): "
                              f"{p.error}")
            elif p.value is not None:
                where = "før budgetåret" if offset < 0 else "efter BO3"
                notes.append(f"beløbet {p.raw} i kolonnen {cal_year} ligger {where} ({year}) og er ikke gemt")
    if errors:
        return RowOutcome(sheet, row, "rejected", "; ".join(errors))
    if text.get("note"):
        notes.append(f"bemærkning i filen (ikke gemt i forslaget): {text['note'][:200]}")
    area_text = text.get("area", "")
    type_text = text.get("type", "")
    ptype = ctx.vocab.type_for(type_text)
    assert mun is not None and year is not None
    proposal = ProposalRecord(
        municipality_code=mun.code, municipality_name=mun.name, budget_year=year, title=title,
        description=description, area_id=ctx.vocab.area_for(area_text), area_text=area_text,
        committee_text=text.get("committee", ""), type_id=ptype.id if ptype else None, type_text=type_text,
        contact=text.get("contact", ""), source_file=ctx.source_file, source_sheet=sheet, source_row=row,
        amount_b=amounts["amount_b"], amount_bo1=amounts["amount_bo1"], amount_bo2=amounts["amount_bo2"],
        amount_bo3=amounts["amount_bo3"], one_off_investment=amounts["one_off_investment"])
    if area_text and proposal.area_id is None:
        notes.append(f"området {area_text!r} findes ikke i kataloget og er gemt som skrevet")
    if type_text and proposal.type_id is None:
        notes.append(f"typen {type_text!r} er ukendt og er gemt som skrevet")
    return RowOutcome(sheet, row, "imported", "", proposal, notes)


def _col(cmap: ColumnMap, i: int) -> str:
    label = cmap.labels.get(i, "")
    return f"{get_column_letter(i + 1)} ({label})" if label else get_column_letter(i + 1)


# --------------------------------------------------------------------------------------------------------------
# Workbooks


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _trim(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    end = len(rows)
    while end and not any(one_line(v) for v in rows[end - 1]):
        end -= 1
    return rows[:end]


def read_sheet(name: str, rows: list[tuple[Any, ...]], ctx: RowContext) -> tuple[SheetInfo, list[RowOutcome]]:
    """Read one sheet's rows (as values, row 1 first)."""
    rows = _trim(rows)
    found = find_header(rows, ctx.vocab)
    if found is None:
        reason = ("intet genkendeligt kolonnehoved i de første "
                  f"{HEADER_SEARCH_ROWS} rækker (der skal være en titel- eller beskrivelseskolonne og mindst tre "
                  "kendte kolonner)") if rows else "arket er tomt"
        return SheetInfo(name, False, reason=reason), [RowOutcome(name, None, "skipped",
                                                                  f"ark sprunget over: {reason}")]
    start, height, cmap = found
    info = SheetInfo(name, True, header_rows=tuple(range(start + 1, start + height + 1)),
                     columns={fld: _col(cmap, i) for i, fld in cmap.fields.items()}
                     | {f"år {y}": _col(cmap, i) for i, y in cmap.years.items()},
                     ignored_columns=[_col(cmap, i) for i in cmap.ignored])
    header_keys = frozenset(fold(v) for r in rows[start:start + height] for v in map(one_line, r) if v)
    outcomes: list[RowOutcome] = []
    for offset, values in enumerate(rows[:start]):
        reason = ("titel- eller noterække over kolonnehovedet" if any(one_line(v) for v in values)
                  else "tom række over kolonnehovedet")
        outcomes.append(RowOutcome(name, offset + 1, "skipped", reason))
    for offset, values in enumerate(rows[start + height:]):
        excel_row = start + height + offset + 1
        outcomes.append(parse_row(values, cmap, ctx, name, excel_row, header_keys))
    return info, outcomes


#: Bounds on what a workbook may hold, enforced as it streams in (read-only mode), before anything is parsed:
#: a file over them is refused with a message naming the limit and where it was passed.
MAX_SHEETS = 50
MAX_ROWS = 100_000        # per sheet
MAX_COLUMNS = 200         # used columns per sheet
MAX_CELLS = 2_000_000     # non-empty cells in the whole workbook
MAX_TEXT = 20_000         # characters in one cell (the workspace caps a description at the same)
MAX_UNPACKED = 200 * 1024 * 1024  # bytes of XML inside the .xlsx (a zip): a "zip bomb" is refused unopened


def _column_letter(index: int) -> str:
    name = ""
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _stream_rows(ws: Any, file_name: str, cells_before: int) -> tuple[list[tuple[Any, ...]], int]:
    """The sheet's rows as value tuples of equal length, read as they stream in; :class:`WorkbookError` as soon as
    a bound is passed. The sheet's declared dimension is ignored (a file may claim A1:XFD1048576)."""
    ws.reset_dimensions()
    rows: list[tuple[Any, ...]] = []
    width = 0
    cells = cells_before
    for n, raw in enumerate(ws.iter_rows(values_only=True), start=1):
        if n > MAX_ROWS:
            raise WorkbookError(f"Arket {ws.title!r} i {file_name!r} har mere end {MAX_ROWS:,} rækker (grænsen "
                                f"blev nået i række {n:,}); del filen op.".replace(",", "."))
        row = tuple(raw)
        used = len(row)
        while used and (row[used - 1] is None or row[used - 1] == ""):
            used -= 1
        row = row[:used]
        if used > MAX_COLUMNS:
            raise WorkbookError(f"Arket {ws.title!r} i {file_name!r} bruger kolonne {_column_letter(used)} i række "
                                f"{n}; højst {MAX_COLUMNS} kolonner (til {_column_letter(MAX_COLUMNS)}) kan læses.")
        for j, v in enumerate(row):
            if v is None:
                continue
            cells += 1
            if isinstance(v, str) and len(v) > MAX_TEXT:
                raise WorkbookError(f"Cellen {_column_letter(j + 1)}{n} i arket {ws.title!r} i {file_name!r} har "
                                    f"{len(v):,} tegn; højst {MAX_TEXT:,} tegn pr. celle.".replace(",", "."))
        if cells > MAX_CELLS:
            raise WorkbookError(f"Filen {file_name!r} har mere end {MAX_CELLS:,} udfyldte celler (grænsen blev nået "
                                f"i arket {ws.title!r}, række {n:,}).".replace(",", "."))
        width = max(width, used)
        rows.append(row)
    return [r + (None,) * (width - len(r)) for r in rows], cells - cells_before


def _check_unpacked_size(p: Path) -> None:
    try:
        with zipfile.ZipFile(p) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError) as e:
        raise WorkbookError(f"Filen {p.name!r} kan ikke læses som en Excel-projektmappe (.xlsx): {e}") from None
    if total > MAX_UNPACKED:
        raise WorkbookError(f"Filen {p.name!r} fylder {total / 1024 / 1024:.0f} MB udpakket; højst "
                            f"{MAX_UNPACKED // 1024 // 1024} MB kan importeres.")


def read_workbook(path: str | Path, *, register: MunicipalityRegister | None = None,
                  vocabulary: Vocabulary | None = None, savings_positive: bool = False) -> ImportReport:
    """Read every sheet of the workbook at ``path`` into an :class:`ImportReport` (nothing is stored).

    Rows that repeat an earlier row of the same file exactly are skipped as duplicates.
    """
    from openpyxl import load_workbook

    p = Path(path)
    if not p.is_file():
        raise InputError(f"Filen {str(p)!r} findes ikke.")
    if register is None:
        register = current_register()
    vocab = vocabulary or load_vocabulary()
    ctx = RowContext(register=register, vocab=vocab, source_file=p.name, savings_positive=savings_positive)
    report = ImportReport(file_name=p.name, file_sha256=file_sha256(p), savings_positive=savings_positive)
    _check_unpacked_size(p)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise WorkbookError(f"Filen {p.name!r} kan ikke læses som en Excel-projektmappe (.xlsx): {e}") from None
    except Exception as e:  # openpyxl raises its own InvalidFileException
        raise WorkbookError(f"Filen {p.name!r} kan ikke læses som en Excel-projektmappe (.xlsx): {e}") from None
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise WorkbookError(f"Filen {p.name!r} har {len(wb.worksheets)} ark; højst {MAX_SHEETS} kan importeres.")
        cells = 0
        for ws in wb.worksheets:
            rows, used = _stream_rows(ws, p.name, cells)
            cells += used
            info, outcomes = read_sheet(ws.title, rows, ctx)
            report.sheets.append(info)
            report.outcomes.extend(outcomes)
    finally:
        wb.close()
    seen: dict[str, RowOutcome] = {}
    for o in report.outcomes:
        if o.status != "imported" or o.proposal is None:
            continue
        first = seen.get(o.proposal.content_hash)
        if first is not None:
            o.status, o.reason = "skipped", f"dublet af række {first.row} i arket {first.sheet!r}"
            o.proposal = None
        else:
            seen[o.proposal.content_hash] = o
    return report


__all__ = ["ColumnMap", "ImportReport", "RowContext", "RowOutcome", "SheetInfo", "WorkbookError", "cell_text",
           "find_header", "map_columns", "parse_budget_year", "parse_row", "read_sheet", "read_workbook"]
