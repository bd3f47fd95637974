"""Reading idea-bank workbooks (KL's "databaseværktøj" and every municipality's own budget catalogue) into proposals.

Every municipality lays out its råderumskatalog in its own way, so :func:`read_workbook`

- finds the header below title lines and notes (one to three rows, merged cells carried over the columns they
  span) and understands it word by word (:mod:`raaderum.ideas.header_mapping`): stems, compounds and the
  vocabulary's synonyms, scored for every field, a column taken only when one field clearly wins, never two fields
  on one column. Amount columns may be B/BO1-BO3, calendar years (placed relative to each row's own budget year) or
  "Budgetår 1-4"; formula totals ("I alt") are recognised and left out;
- reads the sheet's own notes (:mod:`raaderum.ideas.sheet_notes`): "Beløb i kr.", "i 1.000 kr.", "mio. kr." and
  "besparelser er angivet med positivt fortegn", in the title block or in header cells, set the sheet's unit and
  sign; they are the report's *stated assumptions*. Contradicting notes, or no unit and amounts that look like
  kroner, are *questions*: the sheet needs a decision instead of a guess;
- loses nothing: every non-empty column is mapped or reported with a sample of its values, and unmapped columns are
  kept with each proposal as raw source fields (``source_fields``); the proposal's own number ("Nr.") is its
  ``source_ref``;
- accounts for every row: imported, or rejected/skipped with its sheet, Excel row and the reason. A cause that lies
  in the sheet's mapping (no municipality column) is reported once for the sheet (``cause="sheet"``), not as a
  row's fault;
- takes the operator's corrections (``overrides``: per sheet column → field, unit, sign, a municipality or budget
  year for the whole sheet, the header rows) and saved layout profiles (``profiles``, keyed by the header's
  signature: a sheet whose header matches is read with its profile, without questions, and the report names it).

A proposal needs one of the 98 municipalities, a budget year (from the row or from the operator for the whole
sheet, never from the sheet's name) and a title or a description. Text in an amount cell that is neither an amount
nor an unknown-marker rejects the row. An area or type the catalogue does not know is kept as written (unmapped).

    >>> report = read_workbook("idebank_2020.xlsx")          # doctest: +SKIP
    >>> report.counts()                                        # doctest: +SKIP
    {'rows': 412, 'imported': 398, 'rejected': 9, 'skipped': 5, ...}
    >>> report.needs_decision, report.sheets[0].mapping[7].to_dict()["field"]   # doctest: +SKIP
    (False, 'type')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from raaderum.errors import (
    InputError,
    UnknownMunicipality,
    WorkbookError,  # re-exported
)
from raaderum.ideas.amounts import parse_amount
from raaderum.ideas.header_mapping import (
    MULTI_FIELDS,
    TEXT_FIELDS,
    TOTAL,
    ColumnChoice,
    HeaderColumn,
    Question,
    ValueProfile,
    assign,
    column_index,
    column_letter,
    field_label,
    header_columns,
    header_quality,
    is_money,
)
from raaderum.ideas.layouts import LayoutProfile, SheetOverrides, header_signature, overrides_for
from raaderum.ideas.records import AMOUNT_FIELDS, ProposalRecord
from raaderum.ideas.sheet_notes import (
    UNIT_LABELS,
    UNITS,
    Note,
    looks_like_kroner,
    short,
    sign_notes,
    unit_notes,
)
from raaderum.ideas.vocabulary import Vocabulary, fold, load_vocabulary
from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import current_register

Status = Literal["imported", "rejected", "skipped"]
Cause = Literal["row", "sheet"]

#: How many rows from the top of a sheet are searched for the header, and how many rows a header may have.
HEADER_SEARCH_ROWS = 30
MAX_HEADER_ROWS = 3
#: How many data rows are looked at to read what a column holds (:class:`ValueProfile`).
VALUE_SAMPLE_ROWS = 200
#: How many parsed rows each sheet's report shows (the operator's preview of the mapping).
PREVIEW_ROWS = 5
MIN_YEAR, MAX_YEAR = 2000, 2100
AMOUNT_LABELS = {"amount_b": "B", "amount_bo1": "BO1", "amount_bo2": "BO2", "amount_bo3": "BO3",
                 "one_off_investment": "Engangsinvestering"}

_TOTAL_RE = re.compile(
    r"^(?:(?:sub|hoved)?totalt?|i ?alt|sum(?: i ?alt)?|samlet(?: (?:sum|total|i ?alt|beloeb))?)"
    r"(?: (?:for|af|i ?alt)\b.*)?$")


# --------------------------------------------------------------------------------------------------------------
# Report


@dataclass
class RowOutcome:
    """What happened to one row (or, with ``row`` None, to a whole sheet). ``cause`` says where the reason lies:
    in the row itself, or in the sheet's mapping (reported once for the sheet)."""

    sheet: str
    row: int | None
    status: Status
    reason: str = ""
    proposal: ProposalRecord | None = None
    notes: list[str] = field(default_factory=list)
    cause: Cause = "row"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"sheet": self.sheet, "row": self.row, "status": self.status, "reason": self.reason}
        if self.cause != "row":
            d["cause"] = self.cause
        if self.notes:
            d["notes"] = list(self.notes)
        if self.proposal is not None:
            d["municipality_code"] = self.proposal.municipality_code
            d["municipality_name"] = self.proposal.municipality_name
            d["budget_year"] = self.proposal.budget_year
            d["title"] = self.proposal.display_title
            if self.proposal.source_ref:
                d["source_ref"] = self.proposal.source_ref
            if self.proposal.id is not None:
                d["proposal_id"] = self.proposal.id
        return d


@dataclass
class SheetInfo:
    """How a sheet was read: header row(s), which column became which field and how sure, the unit and sign with
    where they came from, the stated assumptions, the open questions, and the first rows parsed."""

    name: str
    is_data: bool
    header_rows: tuple[int, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # field -> "C (Beskrivelse)"
    ignored_columns: list[str] = field(default_factory=list)
    reason: str = ""
    mapping: list[ColumnChoice] = field(default_factory=list)
    unit: str | None = None
    unit_source: str = ""
    savings_positive: bool = False
    sign_source: str = ""
    assumptions: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    signature: str = ""
    profile: str | None = None
    accepted: bool = False
    proposed: SheetOverrides | None = None

    @property
    def ambiguous(self) -> bool:
        """The sheet has questions the operator has not answered (nor accepted the suggestions of)."""
        return bool(self.questions) and not self.accepted

    def profile_for(self, name: str, *, created_by: str = "") -> LayoutProfile:
        """The sheet's mapping as it was read, as a layout profile to save under ``name``."""
        if not self.is_data or not self.signature or self.proposed is None:
            raise InputError(f"Arket {self.name!r} har intet kolonnekort, der kan gemmes som profil.")
        labels = {c.letter: c.label for c in self.mapping if c.label}
        mun = self.proposed.municipality
        return LayoutProfile(name=name.strip(), signature=self.signature, header_height=len(self.header_rows),
                             columns=dict(self.proposed.columns), labels=labels, unit=self.proposed.unit,
                             savings_positive=self.proposed.savings_positive,
                             municipality=int(mun) if isinstance(mun, int) else None, created_by=created_by)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "is_data": self.is_data, "header_rows": list(self.header_rows),
                "columns": dict(self.columns), "ignored_columns": list(self.ignored_columns), "reason": self.reason,
                "mapping": [c.to_dict() for c in self.mapping], "unit": self.unit,
                "unit_label": UNIT_LABELS.get(self.unit or "", None), "unit_source": self.unit_source,
                "savings_positive": self.savings_positive, "sign_source": self.sign_source,
                "assumptions": list(self.assumptions), "questions": [q.to_dict() for q in self.questions],
                "ambiguous": self.ambiguous, "accepted": self.accepted, "problems": list(self.problems),
                "preview": list(self.preview), "signature": self.signature, "profile": self.profile,
                "proposed": self.proposed.to_dict() if self.proposed is not None else None}


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
    #: The operator accepted the suggested answers to every question (``--yes``).
    accepted: bool = False
    #: Nothing was stored because the mapping needs a decision (set by the store).
    stopped: bool = False
    #: Names of the layout profiles saved by this import.
    saved_profiles: list[str] = field(default_factory=list)

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

    @property
    def needs_decision(self) -> bool:
        """Some sheet's mapping has open questions: nothing should be stored until they are answered or accepted."""
        return any(s.ambiguous for s in self.sheets)

    @property
    def questions(self) -> list[tuple[str, Question]]:
        return [(s.name, q) for s in self.sheets for q in s.questions]

    @property
    def assumptions(self) -> list[str]:
        return [f"{s.name}: {a}" for s in self.sheets for a in s.assumptions]

    @property
    def profiles_used(self) -> list[str]:
        return list(dict.fromkeys(s.profile for s in self.sheets if s.profile))

    def proposed_overrides(self) -> dict[str, SheetOverrides]:
        """Per data sheet, the mapping as read, as overrides (to show in a form, correct and send back)."""
        return {s.name: s.proposed for s in self.sheets if s.is_data and s.proposed is not None}

    def sheet(self, name: str) -> SheetInfo:
        found = next((s for s in self.sheets if s.name == name), None)
        if found is None:
            raise InputError(f"Arket {name!r} findes ikke i {self.file_name!r}.")
        return found

    def counts(self) -> dict[str, int]:
        rows = [o for o in self.outcomes if o.row is not None]
        return {"rows": len(rows), "imported": sum(o.status == "imported" for o in rows),
                "rejected": sum(o.status == "rejected" for o in rows),
                "skipped": sum(o.status == "skipped" for o in rows),
                "rejected_by_sheet": sum(o.status == "rejected" and o.cause == "sheet" for o in rows),
                "sheets": len(self.sheets), "data_sheets": sum(s.is_data for s in self.sheets),
                "questions": sum(len(s.questions) for s in self.sheets)}

    def _sheet_rejections(self) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str], list[int]] = {}
        for o in self.rejected:
            if o.cause == "sheet" and o.row is not None:
                groups.setdefault((o.sheet, o.reason), []).append(o.row)
        return [{"sheet": s, "reason": r, "rows": rows, "count": len(rows)} for (s, r), rows in groups.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name, "sha256": self.file_sha256, "dry_run": self.dry_run,
            "savings_positive": self.savings_positive, "batch_id": self.batch_id,
            "amount_unit": "1.000 kr.; besparelser negative",
            "needs_decision": self.needs_decision, "accepted": self.accepted, "stopped": self.stopped,
            "profiles_used": self.profiles_used, "saved_profiles": list(self.saved_profiles),
            "assumptions": self.assumptions,
            "counts": self.counts(), "sheets": [s.to_dict() for s in self.sheets],
            "rejected": [o.to_dict() for o in self.rejected if o.cause == "row"],
            "sheet_rejections": self._sheet_rejections(),
            "skipped": [o.to_dict() for o in self.skipped],
            "notes": [o.to_dict() for o in self.imported if o.notes],
        }

    def summary_text(self) -> str:
        """A readable Danish report (what the CLI prints)."""
        c = self.counts()
        verb = "ville blive importeret (prøvekørsel, intet er gemt)" if self.dry_run else "importeret"
        if self.stopped:
            verb = "kan importeres, når kolonnekortet er bekræftet (intet er gemt)"
        lines = [f"Fil: {self.file_name}",
                 f"{c['rows']} rækker i {c['data_sheets']} dataark: {c['imported']} {verb}, "
                 f"{c['rejected']} afvist, {c['skipped']} sprunget over."]
        if self.savings_positive:
            lines.append("Fortegn vendt: filen skriver besparelser som positive tal; de er gemt som negative.")
        for s in self.sheets:
            if not s.is_data:
                lines.append(f"Ark '{s.name}' sprunget over: {s.reason}")
                continue
            rows = "+".join(str(r) for r in s.header_rows)
            head = f"Ark '{s.name}': kolonnehoved i række {rows}"
            if s.profile:
                head += f"; læst med importprofilen '{s.profile}'"
            lines.append(head + "; kolonner: " + ", ".join(f"{k}={v}" for k, v in s.columns.items()))
            for ch in s.mapping:
                if ch.status == "empty":
                    continue
                target = field_label(ch.field) if ch.status in ("mapped", "total") else (
                    "tvetydig, gemmes som kildefelt" if ch.status == "ambiguous" else "ukendt, gemmes som kildefelt")
                sample = f"; fx {', '.join(repr(x) for x in ch.samples[:3])}" if ch.samples else ""
                conf = f" ({ch.confidence:.0%}, {ch.source})" if ch.status in ("mapped", "total") and ch.source else ""
                lines.append(f"  {ch.letter} {ch.label or '(uden overskrift)'!r} → {target}{conf}{sample}")
            if s.ignored_columns:
                lines.append(f"  Ukendte kolonner (gemt som kildefelter): {', '.join(s.ignored_columns)}")
            for a in s.assumptions:
                lines.append(f"  Antagelse: {a}")
            for q in s.questions:
                tail = f" Forslag: {q.suggestion}." if q.suggestion else ""
                lines.append(f"  SPØRGSMÅL: {q.message}{tail}")
        if self.needs_decision:
            lines.append("Kolonnekortet skal bekræftes: ret med --map KOLONNE=FELT, --unit og --savings-positive, "
                         "eller accepter forslagene med --yes.")
        groups = self._sheet_rejections()
        for g in groups:
            lines.append(f"{g['count']} rækker i arket '{g['sheet']}' afvist: {g['reason']} (række "
                         f"{_ranges(g['rows'])}).")
        own = [o for o in self.rejected if o.cause == "row"]
        for title, items in (("Afviste rækker", own), ("Sprunget over", self.skipped)):
            if items:
                lines.append(f"{title}:")
                lines.extend(f"  {o.sheet}!{o.row if o.row is not None else '-'}: {o.reason}" for o in items)
        noted = [o for o in self.imported if o.notes]
        if noted:
            lines.append("Bemærkninger til importerede rækker:")
            lines.extend(f"  {o.sheet}!{o.row}: {'; '.join(o.notes)}" for o in noted)
        return "\n".join(lines)


def _ranges(rows: Sequence[int]) -> str:
    out: list[str] = []
    start = prev = None
    for r in sorted(rows):
        if start is None:
            start = prev = r
        elif r == prev + 1:  # type: ignore[operator]
            prev = r
        else:
            out.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = r
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(out)


# --------------------------------------------------------------------------------------------------------------
# Cells

_PLAIN = re.compile(r"[\n\r\u00a0\u202f\t]|  ")


def cell_text(value: Any) -> str:
    """A cell as clean one-paragraph-per-line text: non-breaking and odd spaces become spaces, runs collapse."""
    if value is None:
        return ""
    if isinstance(value, str):
        if not _PLAIN.search(value) and value.isascii():
            return value.strip()
    elif isinstance(value, bool):
        return "Ja" if value else "Nej"
    elif isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    s = unicodedata.normalize("NFC", str(value))
    if not _PLAIN.search(s):
        return s.strip()
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.replace("\u00a0", " ").replace("\u202f", " ").split()) for line in s.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def one_line(value: Any) -> str:
    t = cell_text(value)
    return " ".join(t.split()) if "\n" in t else t


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
    """Column index → field for reading rows: text and amount fields, calendar-year columns, the unit scale of each
    amount column (to 1.000 kr.), labels, and the columns kept as raw source fields."""

    fields: dict[int, str]
    years: dict[int, int]  # column index -> calendar year
    scales: dict[int, Decimal]
    labels: dict[int, str]
    ignored: tuple[int, ...]
    raw: dict[int, str] = field(default_factory=dict)  # column index -> source-field label
    totals: tuple[int, ...] = ()
    kroner: frozenset[int] = frozenset()  # amount columns in kroner: a cell's own "kr." then means kroner
    choices: tuple[ColumnChoice, ...] = ()

    @property
    def score(self) -> int:
        return len(set(self.fields.values())) + len(set(self.years.values()))

    def valid(self) -> bool:
        present = set(self.fields.values())
        return bool(present & {"title", "description"}) and self.score >= 3


def _source_labels(choices: Sequence[ColumnChoice]) -> dict[int, str]:
    """Labels for the columns kept as raw source fields (unique: a repeated label gets its column letter)."""
    keep = [c for c in choices if c.status in ("unmapped", "ambiguous") or c.field == "note"]
    counts: dict[str, int] = {}
    for c in keep:
        counts[c.label] = counts.get(c.label, 0) + 1
    out: dict[int, str] = {}
    for c in keep:
        label = c.label or f"Kolonne {c.letter}"
        if counts.get(c.label, 0) > 1:
            label = f"{label} ({c.letter})"
        out[c.index] = label
    return out


def _column_map(choices: Sequence[ColumnChoice], scales: Mapping[int, Decimal] | None = None,
                kroner: Iterable[int] = ()) -> ColumnMap:
    fields: dict[int, str] = {}
    years: dict[int, int] = {}
    for c in choices:
        if c.status != "mapped" or not c.field or c.field == "note":
            continue
        if c.field.startswith("year:"):
            years[c.index] = int(c.field[5:])
        else:
            fields[c.index] = c.field
    money = [c.index for c in choices if c.status == "mapped" and is_money(c.field)]
    sc = {i: (scales or {}).get(i, Decimal(1)) for i in money}
    return ColumnMap(fields=fields, years=years, scales=sc, labels={c.index: c.label for c in choices},
                     ignored=tuple(c.index for c in choices if c.status in ("unmapped", "ambiguous") and c.label),
                     raw=_source_labels(choices), totals=tuple(c.index for c in choices if c.status == "total"),
                     kroner=frozenset(kroner), choices=tuple(choices))


def _own_units(col: HeaderColumn) -> list[str]:
    return unit_notes(col.own, header=True) if col.own else []


def _group_units(col: HeaderColumn) -> list[str]:
    out: list[str] = []
    for g in col.groups:
        out.extend(unit_notes(g, header=True))
    return list(dict.fromkeys(out))


def _scales_from_labels(cols: Sequence[HeaderColumn], choices: Sequence[ColumnChoice]) -> tuple[dict[int, Decimal],
                                                                                              set[int]]:
    scales: dict[int, Decimal] = {}
    kroner: set[int] = set()
    by_index = {c.index: c for c in cols}
    for ch in choices:
        if ch.status != "mapped" or not is_money(ch.field):
            continue
        col = by_index[ch.index]
        units = _own_units(col) or _group_units(col)
        if len(units) == 1:
            scales[ch.index] = UNITS[units[0]]
            if units[0] == "kr":
                kroner.add(ch.index)
    return scales, kroner


def map_columns(top: Sequence[Any], bottom: Sequence[Any] | None, vocab: Vocabulary) -> ColumnMap:
    """Map header cells to fields from the header alone; with ``bottom``, ``top`` is the upper row of a two-row
    (merged) header. Units written in the header ("B (mio. kr.)") set the scale of their columns."""
    cols = header_columns([top] if bottom is None else [top, bottom])
    choices = assign(cols, vocab).columns
    scales, kroner = _scales_from_labels(cols, choices)
    return _column_map(choices, scales, kroner)


def _header_like(row: Sequence[Any]) -> bool:
    """Could this row be (part of) a header? Headers hold labels; numbers only as years or small ordinals."""
    texts = 0
    for v in row:
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float | Decimal):
            if not (float(v).is_integer() and (1990 <= v <= 2100 or 0 < v <= 10)):
                return False
            continue
        if isinstance(v, datetime | date | time):
            return False
        t = str(v).strip()
        if re.fullmatch(r"[-−(]?\s*\d[\d.,\s]*\)?", t) and not re.fullmatch(r"(?:19|20)\d\d|\d", t):
            return False
        texts += 1
    return texts > 0


def _group_row(row: Sequence[Any]) -> bool:
    """A row of group labels above a header: at least two short labels."""
    cells = [v for v in row if v is not None and v != ""]
    return len(cells) >= 2 and all(isinstance(v, str) and len(v.strip()) <= 40 for v in cells)


def find_header(rows: Sequence[Sequence[Any]], vocab: Vocabulary) -> tuple[int, int, ColumnMap] | None:
    """(first header row index, number of header rows, column map) of the best header in the top rows: the one
    that names the most fields (a title or description and at least three in all), with the fewest rows."""
    best: tuple[tuple[int, int, int], int, int] | None = None
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    for r in range(limit):
        if not _header_like(rows[r]):
            continue
        for height in range(1, MAX_HEADER_ROWS + 1):
            if r + height > len(rows) or not _header_like(rows[r + height - 1]):
                break
            cols = header_columns(rows[r:r + height])
            quality, ok = header_quality(cols, vocab)
            if not ok:
                continue
            # Between equally good headers: the fewest rows, except that a row of group labels over the columns
            # ("Forslaget" | "Økonomi") belongs to the header (a title line does not: it is a single cell).
            groups = sum(1 for k in range(height - 1) if _group_row(rows[r + k]))
            rank = (quality, groups - (height - 1 - groups) * 2, -r)
            if best is None or rank > best[0]:
                best = (rank, r, height)
    if best is None:
        return None
    _, r, height = best
    top = rows[r]
    if height == 1:
        return r, 1, map_columns(top, None, vocab)
    cols = header_columns(rows[r:r + height])
    choices = assign(cols, vocab).columns
    scales, kroner = _scales_from_labels(cols, choices)
    return r, height, _column_map(choices, scales, kroner)


# --------------------------------------------------------------------------------------------------------------
# Rows


@dataclass
class RowContext:
    """What reading a row needs besides the row: the register, vocabulary and file, and the sheet's decisions."""

    register: MunicipalityRegister
    vocab: Vocabulary
    source_file: str
    savings_positive: bool = False
    #: A municipality for every row of a sheet without such a column (the operator's answer, or a profile's).
    municipality: Any = None
    budget_year: int | None = None
    #: Reasons in the sheet's mapping that keep every row from being imported (reported once for the sheet).
    sheet_problems: tuple[str, ...] = ()
    missing_municipality: str | None = None
    missing_budget_year: str | None = None


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
    n = len(values)

    def val(i: int) -> Any:
        return values[i] if i < n else None

    lines: dict[int, str] = {}
    filled: list[int] = []
    for i in range(n):
        v = values[i]
        if v is None or v == "":
            continue
        t = one_line(v)
        if t:
            lines[i] = t
            filled.append(i)
    if not filled:
        return RowOutcome(sheet, row, "skipped", "tom række")
    text: dict[str, str] = {}
    col_of: dict[str, int] = {}
    for i, fld in cmap.fields.items():
        if fld not in TEXT_FIELDS:
            continue
        t = (cell_text(val(i)) if fld == "description" else lines.get(i, "")) if i in lines else ""
        if fld in col_of:  # a field over several columns (contact): joined
            if t:
                text[fld] = f"{text[fld]}, {t}" if text.get(fld) else t
            continue
        col_of[fld] = i
        text[fld] = t
    # Totals rows and repeated headers.
    for fld in ("municipality", "title", "area", "committee", "description", "municipality_code", "source_ref"):
        t = text.get(fld, "")
        if t and len(t) <= 80 and _TOTAL_RE.match(fold(t)):
            return RowOutcome(sheet, row, "skipped", f"sumrække ({t!r} i kolonnen {_col(cmap, col_of[fld])})")
    mapped_idx = set(cmap.fields) | set(cmap.years)
    if header_keys:
        # A repeated header: most of the row's cells are header labels (as text; a number is data, even 2021).
        same = sum(isinstance(values[i], str) and len(lines[i]) <= 80 and fold(lines[i]) in header_keys
                   for i in filled)
        if same >= 2 and 2 * same >= len(filled):
            return RowOutcome(sheet, row, "skipped", "gentaget kolonnehoved")
    amount_idx = {i for i, f in cmap.fields.items() if f in AMOUNT_LABELS} | set(cmap.years) | set(cmap.totals)
    if all(i in amount_idx for i in filled):
        return RowOutcome(sheet, row, "skipped", "rækken har kun beløb og ingen tekst (sandsynligvis en sumrække)")
    textual = [i for i in filled if not isinstance(val(i), int | float | Decimal) or isinstance(val(i), bool)]
    if len(filled) == 1 and textual and cmap.fields.get(filled[0]) not in ("title", "description"):
        where = _col(cmap, filled[0]) if filled[0] in mapped_idx else column_letter(filled[0])
        return RowOutcome(sheet, row, "skipped", f"mellemoverskrift eller note ({lines[filled[0]][:60]!r} i {where})")

    errors: list[str] = []
    sheet_errors: list[str] = list(ctx.sheet_problems)
    notes: list[str] = []
    has_mun_col = "municipality" in col_of or "municipality_code" in col_of
    mun: Any = None
    if has_mun_col:
        mun, err = _resolve_municipality(text.get("municipality", ""), text.get("municipality_code", ""),
                                         ctx.register)
        if err:
            errors.append(err)
    elif ctx.municipality is not None:
        mun = ctx.municipality
    else:
        sheet_errors.append(ctx.missing_municipality or "mangler kommune: arket har ingen kommunekolonne")
    year: int | None = None
    if "budget_year" in col_of:
        year, err = parse_budget_year(val(col_of["budget_year"]))
        if err:
            errors.append(err)
    elif ctx.budget_year is not None:
        year = ctx.budget_year
    else:
        sheet_errors.append(ctx.missing_budget_year or
                            "mangler budgetår: arket har ingen kolonne med budgetår (det tages aldrig fra arkets navn)")
    title, description = text.get("title", ""), text.get("description", "")
    if not title and not description:
        errors.append("mangler både titel og beskrivelse")

    amounts: dict[str, float | None] = dict.fromkeys((*AMOUNT_FIELDS, "one_off_investment"))
    sources: dict[str, str] = {}
    kroner_scale = UNITS["kr"]

    def read(i: int) -> Any:
        return parse_amount(val(i), kroner_scale=kroner_scale if i in cmap.kroner else None)

    def take(fld: str, i: int, label: str) -> None:
        cell = f"{column_letter(i)}{row}"
        parsed = read(i)
        if parsed.error:
            errors.append(f"ugyldigt beløb i kolonnen {label!r} (celle {cell}): {parsed.error}")
            return
        if parsed.value is None:
            return
        v = parsed.value if parsed.unit_in_cell else parsed.value * cmap.scales.get(i, Decimal(1))
        if ctx.savings_positive and fld != "one_off_investment":
            v = -v
        fv = round(float(v), 6) if v != 0 else 0.0
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
            p = read(i)
            if p.error:
                errors.append(f"ugyldigt beløb i kolonnen {str(cal_year)!r} (celle {column_letter(i)}{row}): "
                              f"{p.error}")
            continue
        offset = cal_year - year
        if 0 <= offset <= 3:
            take(AMOUNT_FIELDS[offset], i, str(cal_year))
        else:
            p = read(i)
            if p.error:
                errors.append(f"ugyldigt beløb i kolonnen {str(cal_year)!r} (celle {column_letter(i)}{row}): "
                              f"{p.error}")
            elif p.value is not None:
                where = "før budgetåret" if offset < 0 else "efter BO3"
                notes.append(f"beløbet {p.raw} i kolonnen {cal_year} ligger {where} ({year}) og er ikke gemt")
    if errors:
        return RowOutcome(sheet, row, "rejected", "; ".join(errors))
    if sheet_errors:
        return RowOutcome(sheet, row, "rejected", "; ".join(dict.fromkeys(sheet_errors)), cause="sheet")
    source_fields: dict[str, str] = {}
    for i, label in cmap.raw.items():
        if i in lines:
            source_fields[label] = cell_text(val(i))
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
        amount_bo3=amounts["amount_bo3"], one_off_investment=amounts["one_off_investment"],
        source_ref=text.get("source_ref", ""), source_fields=source_fields)
    if area_text and proposal.area_id is None:
        notes.append(f"området {area_text!r} findes ikke i kataloget og er gemt som skrevet")
    if type_text and proposal.type_id is None:
        notes.append(f"typen {type_text!r} er ukendt og er gemt som skrevet")
    return RowOutcome(sheet, row, "imported", "", proposal, notes)


def _col(cmap: ColumnMap, i: int) -> str:
    label = cmap.labels.get(i, "")
    return f"{column_letter(i)} ({label})" if label else column_letter(i)


# --------------------------------------------------------------------------------------------------------------
# Sheets


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


@dataclass(frozen=True)
class SheetXml:
    """What the sheet's XML says that the cell values do not: hidden columns and columns holding formulas."""

    hidden: frozenset[int] = frozenset()
    formulas: frozenset[int] = frozenset()
    hidden_sheet: bool = False


def _value_profile(i: int, sample: Sequence[Sequence[Any]], ctx: RowContext) -> ValueProfile:
    n = years = amounts = numbers = muns = codes = long_text = types = areas = 0
    samples: list[str] = []
    find = ctx.register.find
    for r in sample:
        v = r[i] if i < len(r) else None
        if v is None or v == "":
            continue
        t = one_line(v)
        if not t:
            continue
        n += 1
        if len(samples) < 3 and t not in samples:
            samples.append(short(t, 40))
        numeric = isinstance(v, int | float | Decimal) and not isinstance(v, bool)
        numbers += numeric
        if parse_budget_year(v)[1] is None and (numeric or len(t) <= 16):
            years += 1
        p = parse_amount(v, kroner_scale=UNITS["kr"])
        amounts += p.error is None
        if numeric and float(v).is_integer() and 100 <= v <= 999:
            codes += find(int(v)) is not None
        elif not numeric and len(t) <= 40:
            codes += bool(re.fullmatch(r"\d{3,4}", t)) and find(int(t)) is not None
            muns += find(t) is not None
            types += ctx.vocab.type_for(t) is not None
            areas += ctx.vocab.area_for(t) is not None
        long_text += len(t) >= 60
    if not n:
        return ValueProfile()
    return ValueProfile(n=n, years=years / n, amounts=amounts / n, numbers=numbers / n, municipalities=muns / n,
                        codes=codes / n, long_text=long_text / n, types=types / n, areas=areas / n,
                        samples=tuple(samples))


def _notes_in(rows: Sequence[Sequence[Any]], first_row: int, *, header: bool) -> list[Note]:
    out: list[Note] = []
    where = "kolonnehoved" if header else "titelblok"
    for r, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None or isinstance(v, int | float):
                continue
            t = one_line(v)
            if not t:
                continue
            cell = f"{column_letter(j)}{first_row + r}"
            if not header:
                for u in unit_notes(t):
                    out.append(Note("unit", u, cell, short(t), where))
            for s in sign_notes(t):
                out.append(Note("sign", s, cell, short(t), where))
    return out


def _named_municipalities(rows: Sequence[Sequence[Any]], register: MunicipalityRegister) -> list[Any]:
    found: dict[int, Any] = {}
    for row in rows:
        for v in row:
            if not isinstance(v, str):
                continue
            t = one_line(v)
            cands = [m.group(1) for m in re.finditer(
                r"([A-ZÆØÅ][\wæøåÆØÅ.\-]*(?:[ -][A-ZÆØÅ][\wæøåÆØÅ.\-]*)*)\s+(?:Regions)?[Kk]ommunes?\b", t)]
            if len(t) <= 40:
                cands.append(t)
            for c in cands:
                m = register.find(c)
                if m is not None:
                    found[m.code] = m
    return list(found.values())


def _named_budget_years(rows: Sequence[Sequence[Any]]) -> list[int]:
    years: set[int] = set()
    for row in rows:
        for v in row:
            if isinstance(v, str):
                for m in re.finditer(r"\b(?:budget(?:år|aar|forslag|lægning|laegning)?|B)\s*[-:]?\s*((?:20)\d\d)\b",
                                     v, flags=re.IGNORECASE):
                    years.add(int(m.group(1)))
    return sorted(years)


@dataclass
class _Decisions:
    """The answers that apply to a sheet: the operator's overrides on top of a profile's."""

    operator: SheetOverrides
    profile: LayoutProfile | None

    @property
    def overrides(self) -> SheetOverrides:
        return self.operator if self.profile is None else self.profile.overrides().merged(self.operator)

    def source(self, part: str, letter: str | None = None) -> str:
        """Who decided ``part`` ("columns" with ``letter``, "unit", "savings_positive", "municipality")."""
        op = self.operator
        mine = (letter in op.columns) if part == "columns" else getattr(op, part) is not None
        if mine or self.profile is None:
            return "operatøren"
        return f"profilen '{self.profile.name}'"


def read_sheet(name: str, rows: list[tuple[Any, ...]], ctx: RowContext, *, overrides: SheetOverrides | None = None,
               profiles: Mapping[str, LayoutProfile] | None = None, xml: SheetXml | None = None,
               accept: bool = False, preview_rows: int = PREVIEW_ROWS) -> tuple[SheetInfo, list[RowOutcome]]:
    """Read one sheet's rows (as values, row 1 first) with the operator's ``overrides`` and the saved ``profiles``
    (header signature → profile); ``accept``: take the suggested answers to the sheet's questions."""
    rows = _trim(rows)
    xml = xml or SheetXml()
    ov = overrides or SheetOverrides()
    profiles = profiles or {}
    start: int | None = None
    height = 1
    profile: LayoutProfile | None = None
    if ov.header_rows:
        start, height = ov.header_rows[0] - 1, len(ov.header_rows)
        if start + height > len(rows):
            raise InputError(f"Arket {name!r} har ikke rækkerne {', '.join(map(str, ov.header_rows))} (kolonnehoved).")
    if profiles:
        for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
            if start is not None and r != start:
                continue
            for h in range(1, MAX_HEADER_ROWS + 1):
                if r + h > len(rows) or (start is not None and h != height):
                    continue
                sig = header_signature(header_columns(rows[r:r + h]))
                if sig in profiles:
                    start, height, profile = r, h, profiles[sig]
                    break
            if profile is not None:
                break
    if start is None:
        found = find_header(rows, ctx.vocab)
        if found is None:
            reason = ("intet genkendeligt kolonnehoved i de første "
                      f"{HEADER_SEARCH_ROWS} rækker (der skal være en titel- eller beskrivelseskolonne og mindst tre "
                      "kendte kolonner; angiv kolonnehovedets rækker og kolonnerne, hvis arket er et dataark)"
                      ) if rows else "arket er tomt"
            return SheetInfo(name, False, reason=reason), [RowOutcome(name, None, "skipped",
                                                                      f"ark sprunget over: {reason}")]
        start, height, _ = found
    decisions = _Decisions(ov, profile)
    info, outcomes = _read_table(name, rows, start, height, ctx, decisions, xml, preview_rows)
    if accept and info.questions:
        # Take the suggestions as answers, then read the sheet again with them.
        answers = _suggested_overrides(info)
        info, outcomes = _read_table(name, rows, start, height, ctx, _Decisions(ov.merged(answers), profile), xml,
                                     preview_rows, carry_questions=info.questions)
        info.accepted = True
    return info, outcomes


def _suggested_overrides(info: SheetInfo) -> SheetOverrides:
    o = SheetOverrides()
    for q in info.questions:
        if not q.suggestion:
            continue
        if q.kind == "field":
            letter, _, fld = q.suggestion.partition("=")
            o.columns[letter] = fld
        elif q.kind == "unit":
            o.unit = q.suggestion
        elif q.kind == "municipality":
            o.municipality = int(q.suggestion)
        elif q.kind == "budget_year":
            o.budget_year = int(q.suggestion)
    return o


@dataclass
class _Findings:
    """What reading a sheet's header and notes found to say: stated assumptions, questions, and problems that keep
    rows from being imported (reported once for the sheet)."""

    assumptions: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_UNIT_CHOICES = ["kr", "1000kr", "mio"]


def _fixed_columns(name: str, cols: Sequence[HeaderColumn], decisions: _Decisions,
                   found: _Findings) -> dict[int, tuple[str | None, str]]:
    """The columns the operator or a profile decided: column → (field or None, who decided)."""
    fixed: dict[int, tuple[str | None, str]] = {}
    for letter, fld in decisions.overrides.columns.items():
        j = column_index(letter)
        if j >= len(cols):
            found.problems.append(f"kolonne {letter} findes ikke i arket (det har {len(cols)} kolonner)")
            continue
        fixed[j] = (fld, decisions.source("columns", letter))
    seen: dict[str, str] = {}
    for j, (fld, _src) in sorted(fixed.items()):
        if fld and fld not in MULTI_FIELDS and fld != TOTAL:
            if fld in seen:
                raise InputError(f"Feltet {field_label(fld)!r} er angivet for både kolonne {seen[fld]} og "
                                 f"{column_letter(j)} i arket {name!r}; et felt kan kun komme fra én kolonne.")
            seen[fld] = column_letter(j)
    return fixed


def _choose_columns(cols: Sequence[HeaderColumn], ctx: RowContext, values: Mapping[int, ValueProfile],
                    fixed: Mapping[int, tuple[str | None, str]], xml: SheetXml, profile: LayoutProfile | None,
                    found: _Findings) -> list[ColumnChoice]:
    assignment = assign(cols, ctx.vocab, values=values, fixed=fixed, hidden=xml.hidden, formulas=xml.formulas)
    choices = assignment.columns
    if profile is not None:  # a profile answers every column: no questions
        return choices
    found.questions.extend(assignment.questions)
    # The suggested answer to "which of these columns is the title" is applied at once (so the preview shows it);
    # the sheet still needs the operator's confirmation.
    for q in assignment.questions:
        if q.kind == "field" and q.suggestion:
            letter, _, fld = q.suggestion.partition("=")
            ch = choices[column_index(letter)]
            ch.field, ch.status, ch.source = fld, "mapped", "forslag"
            ch.confidence = max(ch.confidence, 0.5)
            for c in choices:
                if c.status == "mapped" and c.field == fld and c.index != ch.index:
                    c.status = "ambiguous"
    return choices


def _bare_amounts(data: Sequence[Sequence[Any]], money: Sequence[ColumnChoice],
                  columns: Sequence[ColumnChoice]) -> list[Decimal]:
    """Amounts without a unit of their own in ``columns``, from rows that are no totals rows."""
    out: list[Decimal] = []
    money_idx = {ch.index for ch in money}
    for r in data[:5000]:
        texts = [one_line(v) for j, v in enumerate(r) if j not in money_idx and v not in (None, "")]
        if not texts or any(len(t) <= 80 and _TOTAL_RE.match(fold(t)) for t in texts):
            continue  # totals rows ("I alt") and rows of sums only say nothing about the unit
        for ch in columns:
            v = r[ch.index] if ch.index < len(r) else None
            if v is None or v == "":
                continue
            p = parse_amount(v)
            if p.value is not None and not p.unit_in_cell:
                out.append(p.value)
    return out


def _units(money: Sequence[ColumnChoice], cols: Sequence[HeaderColumn], title_notes: Sequence[Note],
           data: Sequence[Sequence[Any]], decisions: _Decisions, found: _Findings
           ) -> tuple[dict[int, tuple[str, str]], str | None, str]:
    """Each amount column's unit and where it came from: the column's own label, the operator (or profile), a
    group label above it, a note in the title block; else a question when the amounts look like kroner, or the
    stated assumption of 1.000 kr. Returns (column → (unit, source), the sheet's unit, its source)."""
    ov, profile = decisions.overrides, decisions.profile
    by_index = {c.index: c for c in cols}
    title_units = list(dict.fromkeys(n.value for n in title_notes if n.kind == "unit"))
    first_note = next((n for n in title_notes if n.kind == "unit"), None)
    unit_of: dict[int, tuple[str, str]] = {}
    contradictions: list[str] = []
    if len(title_units) > 1:
        quotes = "; ".join(n.quote() for n in title_notes if n.kind == "unit")
        contradictions.append(f"noterne over kolonnehovedet angiver forskellige enheder ({quotes})")
    group_units: dict[int, str] = {}
    for ch in money:
        col = by_index[ch.index]
        own, grp = _own_units(col), _group_units(col)
        if len(own) > 1:
            contradictions.append(f"kolonne {ch.letter} ({col.own!r}) angiver flere enheder")
        elif own:
            unit_of[ch.index] = (own[0], "kolonnehovedet")
            continue
        if len(grp) > 1:
            contradictions.append(f"kolonnehovedet over kolonne {ch.letter} angiver flere enheder")
        elif grp:
            group_units[ch.index] = grp[0]
            if len(title_units) == 1 and grp[0] != title_units[0] and ov.unit is None and first_note is not None:
                contradictions.append(f"kolonnehovedet over kolonne {ch.letter} siger {UNIT_LABELS[grp[0]]}, men "
                                      f"{first_note.quote()} siger {UNIT_LABELS[title_units[0]]}")
    if contradictions and ov.unit is None:
        found.questions.append(Question(
            "unit", "Enheden er modstridende: " + "; ".join(dict.fromkeys(contradictions)) +
                    ". Angiv enheden for arket (kr, 1000kr eller mio).", choices=list(_UNIT_CHOICES)))
        found.problems.append("enheden for beløbene er uafklaret (noterne i arket er modstridende)")
    sheet_unit: str | None = None
    source = ""
    if ov.unit is not None:
        sheet_unit, source = ov.unit, decisions.source("unit")
        if profile is not None and len(title_units) == 1 and title_units[0] != ov.unit and first_note is not None:
            found.questions.append(Question(
                "unit", f"Profilen '{profile.name}' siger {UNIT_LABELS[ov.unit]}, men arket siger "
                        f"{UNIT_LABELS[title_units[0]]} ({first_note.quote()}).", choices=list(_UNIT_CHOICES),
                suggestion=title_units[0]))
    elif len(title_units) == 1 and first_note is not None:
        sheet_unit, source = title_units[0], f"noten {first_note.quote()}"
    for ch in money:
        if ch.index in unit_of:
            continue
        if sheet_unit is not None and (ov.unit is not None or ch.index not in group_units):
            unit_of[ch.index] = (sheet_unit, source)
        elif ch.index in group_units:
            unit_of[ch.index] = (group_units[ch.index], f"kolonnehovedet {short(by_index[ch.index].groups[-1], 40)!r}")
    unstated = [ch for ch in money if ch.index not in unit_of]
    guessed: str | None = None
    if unstated and not contradictions:
        kroner, median = looks_like_kroner(_bare_amounts(data, money, unstated))
        if kroner and median is not None:
            guessed = "kr"
            found.questions.append(Question(
                "unit", f"Arket angiver ingen enhed, og beløbene ligner kroner (typisk størrelse {_dk(median)}); "
                        f"i 1.000 kr. ville det være {_dk(median / 1000)} mio. kr. pr. forslag. Er beløbene i kr.?",
                choices=list(_UNIT_CHOICES), suggestion="kr"))
            for ch in unstated:
                unit_of[ch.index] = ("kr", "forslag: beløbene ligner kroner (ikke bekræftet)")
        else:
            for ch in unstated:
                unit_of[ch.index] = ("1000kr", "")
            what = f" (typisk størrelse {_dk(median)})" if median is not None else ""
            found.assumptions.append(f"Enhed: ikke angivet i arket; antaget 1.000 kr., som i KL's databaseværktøj"
                                     f"{what}.")
    by_source: dict[tuple[str, str], list[str]] = {}
    for ch in money:
        u, where = unit_of.get(ch.index, ("1000kr", ""))
        ch.unit = u
        if where:
            by_source.setdefault((u, where), []).append(ch.letter)
    for (u, where), letters in by_source.items():
        conv = "." if u == "1000kr" else " – omregnet til 1.000 kr."
        found.assumptions.append(f"Enhed {UNIT_LABELS[u]} i kolonne {', '.join(letters)} (kilde: {where}){conv}")
    used = {u for u, _ in unit_of.values()}
    return unit_of, next(iter(used)) if len(used) == 1 else (guessed or sheet_unit), source


def _sign(money: Sequence[ColumnChoice], notes: Sequence[Note], ctx: RowContext, decisions: _Decisions,
          found: _Findings) -> tuple[bool, str]:
    """(does the sheet write savings as positive numbers, who said so): the operator, a profile, the sheet's
    notes; contradicting notes are a question."""
    ov, profile = decisions.overrides, decisions.profile
    signs = [n for n in notes if n.kind == "sign"]
    values = list(dict.fromkeys(n.value for n in signs))
    unclear = False
    if ctx.savings_positive:
        positive, source = True, "operatøren (hele filen)"
    elif ov.savings_positive is not None:
        positive, source = ov.savings_positive, decisions.source("savings_positive")
        if profile is not None and len(values) == 1 and (values[0] == "positive") != positive:
            found.questions.append(Question("sign", f"Profilen '{profile.name}' og arkets note ({signs[0].quote()}) "
                                                    "er uenige om fortegnet.", choices=["positive", "negative"]))
    elif len(values) > 1:
        positive, source, unclear = False, "", True
        quotes = "; ".join(n.quote() for n in signs)
        found.questions.append(Question("sign", f"Noterne i arket er uenige om fortegnet ({quotes}). Angiv om "
                                                "besparelser står som positive eller negative tal.",
                                        choices=["positive", "negative"]))
        found.problems.append("fortegnet for besparelser er uafklaret (noterne i arket er modstridende)")
    elif values:
        positive, source = values[0] == "positive", f"noten {signs[0].quote()}"
    else:
        positive, source = False, ""
    if money:
        if positive:
            found.assumptions.append(f"Fortegn: besparelser står som positive tal (kilde: {source}); fortegnet er "
                                     "vendt, så besparelser gemmes negative. Engangsinvesteringer vendes ikke.")
        elif source:
            found.assumptions.append(f"Fortegn: besparelser står som negative tal (kilde: {source}); gemt uændret.")
        elif not unclear:
            found.assumptions.append("Fortegn: ikke angivet i arket; antaget besparelser negative, som i "
                                     "budgetdokumenter.")
    return positive, source


def _describe_columns(choices: Sequence[ColumnChoice], cmap: ColumnMap, found: _Findings) -> None:
    for ch in choices:
        if ch.status == "total":
            found.assumptions.append(f"Kolonne {ch.letter} ({ch.label!r}) er en sumkolonne og gemmes ikke.")
        if ch.source == "indhold" and ch.field != TOTAL:
            found.assumptions.append(f"Kolonne {ch.letter} ({ch.label!r}) er tolket som {field_label(ch.field)} ud "
                                     "fra indholdet.")
        if ch.hidden:
            ch.note = (ch.note + "; " if ch.note else "") + "skjult kolonne i filen"
        if ch.formula:
            ch.note = (ch.note + "; " if ch.note else "") + "indeholder formler (de beregnede værdier er læst)"
    kept = [ch for ch in choices if ch.index in cmap.raw and ch.field != "note"]
    if kept:
        found.assumptions.append("Kolonner uden felt gemmes som kildefelter med hvert forslag: "
                                 + ", ".join(f"{c.letter} ({cmap.raw[c.index]!r})" for c in kept) + ".")


def _row_context(name: str, choices: Sequence[ColumnChoice], title_block: Sequence[Sequence[Any]], ctx: RowContext,
                 decisions: _Decisions, savings_positive: bool, found: _Findings) -> RowContext:
    """The context the sheet's rows are read in: its sign, and a municipality or budget year for every row when
    the sheet has no such column (from the operator, or suggested from the title block and asked about)."""
    ov = decisions.overrides
    got = {ch.field for ch in choices if ch.status == "mapped"}
    row_ctx = replace(ctx, savings_positive=savings_positive, municipality=None, budget_year=None,
                      missing_municipality=None, missing_budget_year=None)
    if not got & {"municipality", "municipality_code"}:
        if ov.municipality is not None:
            mun = ctx.register.find(int(ov.municipality) if str(ov.municipality).isdigit() else ov.municipality)
            if mun is None:
                raise InputError(f"Ukendt kommune {ov.municipality!r} for arket {name!r}.")
            row_ctx.municipality = mun
            found.assumptions.append(f"Kommune: {mun.name} ({mun.code}) for alle rækker (angivet af "
                                     f"{decisions.source('municipality')}).")
        else:
            named = _named_municipalities(title_block, ctx.register)
            if len(named) == 1:
                found.questions.append(Question(
                    "municipality", f"Arket har ingen kommunekolonne; titelblokken nævner {named[0].name} Kommune. "
                                    "Gælder det alle rækker?", choices=[str(named[0].code)],
                    suggestion=str(named[0].code)))
                row_ctx.municipality = named[0]
            else:
                found.questions.append(Question("municipality", "Arket har ingen kolonne med kommune. Angiv kolonnen "
                                                                "eller kommunen for hele arket."))
                row_ctx.missing_municipality = ("mangler kommune: ingen kolonne i arket blev genkendt som kommune "
                                                "(angiv kolonnen, eller en kommune for hele arket)")
    if "budget_year" not in got:
        if ov.budget_year is not None:
            row_ctx.budget_year = ov.budget_year
            found.assumptions.append(f"Budgetår: {ov.budget_year} for alle rækker (angivet af operatøren).")
        else:
            years = _named_budget_years(title_block)
            if len(years) == 1:
                found.questions.append(Question(
                    "budget_year", f"Arket har ingen kolonne med budgetår; titelblokken nævner budget {years[0]}. "
                                   "Gælder det alle rækker?", choices=[str(years[0])], suggestion=str(years[0])))
                row_ctx.budget_year = years[0]
            else:
                found.questions.append(Question("budget_year", "Arket har ingen kolonne med budgetår. Angiv kolonnen "
                                                               "eller budgetåret for hele arket."))
                row_ctx.missing_budget_year = ("mangler budgetår: ingen kolonne i arket blev genkendt som budgetår "
                                               "(det tages aldrig fra arkets navn; angiv kolonnen, eller budgetåret "
                                               "for hele arket)")
    if not got & {"title", "description"}:
        found.questions.append(Question("title", "Arket har ingen kolonne med titel eller beskrivelse; angiv én."))
        found.problems.append("ingen kolonne med titel eller beskrivelse")
    row_ctx.sheet_problems = tuple(found.problems)
    return row_ctx


def _read_table(name: str, rows: list[tuple[Any, ...]], start: int, height: int, ctx: RowContext,
                decisions: _Decisions, xml: SheetXml, preview_rows: int,
                carry_questions: Sequence[Question] | None = None) -> tuple[SheetInfo, list[RowOutcome]]:
    """Read a sheet whose header is rows ``start`` … ``start + height - 1`` (0-based) with ``decisions``."""
    profile = decisions.profile
    header_rows = rows[start:start + height]
    cols = header_columns(header_rows)
    width = max((len(r) for r in rows), default=0)
    cols += [HeaderColumn(j, "") for j in range(len(cols), width)]
    data = rows[start + height:]
    sample = data[:VALUE_SAMPLE_ROWS]
    values = {c.index: _value_profile(c.index, sample, ctx) for c in cols}
    found = _Findings()
    choices = _choose_columns(cols, ctx, values, _fixed_columns(name, cols, decisions, found), xml, profile, found)
    money = [ch for ch in choices if ch.status == "mapped" and is_money(ch.field)]
    title_notes = _notes_in(rows[:start], 1, header=False)
    header_notes = _notes_in(header_rows, start + 1, header=True)
    unit_of, sheet_unit, unit_source = _units(money, cols, title_notes, data, decisions, found)
    savings_positive, sign_source = _sign(money, [*title_notes, *header_notes], ctx, decisions, found)
    scales = {i: UNITS[u] for i, (u, _w) in unit_of.items()}
    kroner_cols = {i for i, (u, _w) in unit_of.items() if u == "kr"}
    _mark_sum_columns(choices, sample, _column_map(choices, scales, kroner_cols), values)
    cmap = _column_map(choices, scales, kroner_cols)
    _describe_columns(choices, cmap, found)
    row_ctx = _row_context(name, choices, rows[:start], ctx, decisions, savings_positive, found)
    questions = list(carry_questions) if carry_questions is not None else found.questions

    info = SheetInfo(name, True, header_rows=tuple(range(start + 1, start + height + 1)),
                     columns={fld: _col(cmap, i) for i, fld in cmap.fields.items()}
                     | {f"år {y}": _col(cmap, i) for i, y in cmap.years.items()},
                     ignored_columns=[_col(cmap, i) for i in cmap.ignored], mapping=list(choices),
                     unit=sheet_unit, unit_source=unit_source, savings_positive=savings_positive,
                     sign_source=sign_source, assumptions=list(dict.fromkeys(found.assumptions)),
                     questions=questions, problems=found.problems, signature=header_signature(cols),
                     profile=profile.name if profile is not None else None)
    info.proposed = SheetOverrides(
        columns={ch.letter: (ch.field if ch.status in ("mapped", "total") else None) for ch in choices
                 if ch.status != "empty"},
        unit=sheet_unit, savings_positive=savings_positive,
        municipality=row_ctx.municipality.code if row_ctx.municipality is not None else None,
        budget_year=row_ctx.budget_year, header_rows=info.header_rows)
    header_keys = frozenset(fold(v) for r in header_rows for v in map(one_line, r) if v and len(v) <= 80)
    outcomes: list[RowOutcome] = []
    for offset, values_ in enumerate(rows[:start]):
        reason = ("titel- eller noterække over kolonnehovedet" if any(one_line(v) for v in values_)
                  else "tom række over kolonnehovedet")
        outcomes.append(RowOutcome(name, offset + 1, "skipped", reason))
    for offset, values_ in enumerate(data):
        o = parse_row(values_, cmap, row_ctx, name, start + height + offset + 1, header_keys)
        outcomes.append(o)
        if len(info.preview) < preview_rows and o.reason != "tom række":
            info.preview.append(_preview(o))
    return info, outcomes


def _dk(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def _preview(o: RowOutcome) -> dict[str, Any]:
    d: dict[str, Any] = {"row": o.row, "status": o.status, "reason": o.reason}
    p = o.proposal
    if p is not None:
        d.update({"municipality": f"{p.municipality_name} ({p.municipality_code})", "budget_year": p.budget_year,
                  "title": p.display_title, "area": p.area_text, "committee": p.committee_text, "type": p.type_text,
                  "type_id": p.type_id, "amounts": list(p.amounts), "one_off_investment": p.one_off_investment,
                  "contact": p.contact, "source_ref": p.source_ref, "source_fields": dict(p.source_fields)})
    return d


def _mark_sum_columns(choices: list[ColumnChoice], sample: Sequence[Sequence[Any]], cmap: ColumnMap,
                      values: Mapping[int, ValueProfile]) -> None:
    """Columns no header names whose numbers are the sum of the amount columns, row by row: formula totals."""
    parts = [i for i, f in cmap.fields.items() if f in AMOUNT_FIELDS] + list(cmap.years)
    if len(parts) < 2:
        return
    for ch in choices:
        vp = values.get(ch.index)
        if ch.status not in ("unmapped", "ambiguous") or vp is None or vp.n < 3 or vp.amounts < 0.9:
            continue
        checked = equal = 0
        for r in sample:
            v = parse_amount(r[ch.index] if ch.index < len(r) else None)
            if v.value is None:
                continue
            total = Decimal(0)
            seen = False
            for i in parts:
                p = parse_amount(r[i] if i < len(r) else None)
                if p.value is not None:
                    total += p.value
                    seen = True
            if not seen:
                continue
            checked += 1
            equal += abs(total - v.value) <= max(Decimal("0.5"), abs(total) * Decimal("0.005"))
        if checked >= 3 and equal >= 0.9 * checked:
            ch.field, ch.status, ch.source, ch.confidence = TOTAL, "total", "indhold", 0.9
            ch.note = f"tallene er summen af beløbskolonnerne i {equal} af {checked} rækker (en beregnet sum)"


# --------------------------------------------------------------------------------------------------------------
# Workbooks

#: Bounds on what a workbook may hold, enforced as it streams in (read-only mode), before anything is parsed:
#: a file over them is refused with a message naming the limit and where it was passed.
MAX_SHEETS = 50
MAX_ROWS = 100_000        # per sheet
MAX_COLUMNS = 200         # used columns per sheet
MAX_CELLS = 2_000_000     # non-empty cells in the whole workbook
MAX_TEXT = 20_000         # characters in one cell (the workspace caps a description at the same)
MAX_UNPACKED = 200 * 1024 * 1024  # bytes of XML inside the .xlsx (a zip): a "zip bomb" is refused unopened
#: How much of a sheet's XML is read for hidden columns and formulas (the start: column settings, first rows).
XML_PEEK = 512 * 1024


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


_COL_RE = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')
_FORMULA_CELL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]{1,3})\d+"[^>]*>\s*<(?:\w+:)?f\b')


def _sheet_xml(wb: Any, ws: Any) -> SheetXml:
    """Hidden columns and formula columns from the start of the sheet's XML (never raises: an unusual file just
    gives no such facts)."""
    try:
        archive = wb._archive
        with archive.open(ws._worksheet_path) as f:
            head = f.read(XML_PEEK)
    except Exception:  # noqa: BLE001 - facts for the report only
        return SheetXml(hidden_sheet=getattr(ws, "sheet_state", "visible") != "visible")
    hidden: set[int] = set()
    cols_end = head.find(b"</cols>")
    if cols_end > 0:
        for m in _COL_RE.finditer(head, 0, cols_end):
            attrs = dict(_ATTR_RE.findall(m.group(1)))
            if attrs.get(b"hidden") in (b"1", b"true"):
                try:
                    lo, hi = int(attrs[b"min"]), int(attrs[b"max"])
                except (KeyError, ValueError):
                    continue
                hidden.update(range(lo - 1, min(hi, MAX_COLUMNS)))
    formulas = {column_index(m.group(1).decode()) for m in _FORMULA_CELL_RE.finditer(head)}
    return SheetXml(frozenset(hidden), frozenset(formulas), getattr(ws, "sheet_state", "visible") != "visible")


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
                  vocabulary: Vocabulary | None = None, savings_positive: bool | None = None,
                  overrides: Mapping[str, SheetOverrides | Mapping[str, Any]] | None = None,
                  profiles: Iterable[LayoutProfile] | None = None, accept: bool = False,
                  preview_rows: int = PREVIEW_ROWS, file_name: str | None = None) -> ImportReport:
    """Read every sheet of the workbook at ``path`` into an :class:`ImportReport` (nothing is stored).

    ``savings_positive=True``: the operator says the whole file writes savings as positive numbers (False or None:
    the sheets' own notes decide, else savings are negative). ``overrides``: per sheet name (``"*"`` = every
    sheet) a :class:`~raaderum.ideas.layouts.SheetOverrides` or its dict. ``profiles``: saved layout profiles; a
    sheet whose header signature matches one is read with it. ``accept``: take the suggested answers to every
    question (``--yes``). ``file_name``: the name to report and to store as each proposal's source file (an upload
    saved under another name). Rows that repeat an earlier row of the same file exactly are skipped as duplicates.
    """
    from openpyxl import load_workbook  # lazy: openpyxl is needed only to read a workbook

    p = Path(path)
    if not p.is_file():
        raise InputError(f"Filen {str(p)!r} findes ikke.")
    if register is None:
        register = current_register()
    vocab = vocabulary or load_vocabulary()
    name = file_name or p.name
    ctx = RowContext(register=register, vocab=vocab, source_file=name, savings_positive=bool(savings_positive))
    by_signature = {pr.signature: pr for pr in (profiles or ())}
    report = ImportReport(file_name=name, file_sha256=file_sha256(p), savings_positive=bool(savings_positive),
                          accepted=accept)
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
        names = {ws.title for ws in wb.worksheets}
        unknown = [s for s in (overrides or {}) if s != "*" and s not in names]
        if unknown:
            raise InputError(f"Arket {unknown[0]!r} findes ikke i {p.name!r} (arkene er: "
                             f"{', '.join(repr(n) for n in sorted(names))}).")
        cells = 0
        for ws in wb.worksheets:
            rows, used = _stream_rows(ws, p.name, cells)
            cells += used
            info, outcomes = read_sheet(ws.title, rows, ctx, overrides=overrides_for(overrides, ws.title, vocab),
                                        profiles=by_signature, xml=_sheet_xml(wb, ws), accept=accept,
                                        preview_rows=preview_rows)
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


__all__ = ["ColumnMap", "ImportReport", "RowContext", "RowOutcome", "SheetInfo", "SheetXml", "WorkbookError",
           "cell_text", "find_header", "map_columns", "parse_budget_year", "parse_row", "read_sheet",
           "read_workbook"]
