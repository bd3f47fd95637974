"""The operator's side of a workbook's layout: corrections of a proposed mapping (:class:`SheetOverrides`) and
saved layout profiles (:class:`LayoutProfile`), keyed by the sheet's header signature.

A profile is a confirmed mapping: which column is which field, the unit and the sign. The next sheet with the same
header (same labels in the same columns) is read with it, without questions, and the report names the profile.
Profiles are stored in the app store (:mod:`raaderum.store.import_profiles`); this module has no database.

    >>> o = parse_overrides(["H=type", "Ark 2!C=titel"], unit="kr", savings_positive=True)   # doctest: +SKIP
    >>> o["*"].columns, o["Ark 2"].columns                                                   # doctest: +SKIP
    ({'H': 'type'}, {'C': 'title'})
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from raaderum.errors import InputError
from raaderum.ideas.header_mapping import HeaderColumn, column_index, column_letter, field_for_name
from raaderum.ideas.sheet_notes import parse_unit
from raaderum.ideas.vocabulary import Vocabulary, fold, load_vocabulary

#: Key of the overrides that apply to every sheet.
ALL_SHEETS = "*"


@dataclass
class SheetOverrides:
    """What the operator decided for a sheet (every part optional).

    ``columns``: column letter → field id (or None: keep the column as a source field, never a field);
    ``unit``: "kr", "1000kr" or "mio" for the sheet's amounts; ``savings_positive``: the sheet writes savings as
    positive numbers (True) or negative (False); ``municipality`` / ``budget_year``: a value for every row of a sheet
    that has no such column; ``header_rows``: the Excel row numbers of the header (1-3 consecutive rows).
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    unit: str | None = None
    savings_positive: bool | None = None
    municipality: str | int | None = None
    budget_year: int | None = None
    header_rows: tuple[int, ...] | None = None

    def merged(self, other: SheetOverrides | None) -> SheetOverrides:
        """These overrides with ``other``'s set parts on top."""
        if other is None:
            return self
        return SheetOverrides(
            columns={**self.columns, **other.columns},
            unit=other.unit if other.unit is not None else self.unit,
            savings_positive=other.savings_positive if other.savings_positive is not None else self.savings_positive,
            municipality=other.municipality if other.municipality is not None else self.municipality,
            budget_year=other.budget_year if other.budget_year is not None else self.budget_year,
            header_rows=other.header_rows if other.header_rows is not None else self.header_rows)

    def is_empty(self) -> bool:
        return not self.columns and self.unit is None and self.savings_positive is None and \
            self.municipality is None and self.budget_year is None and self.header_rows is None

    def to_dict(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "unit": self.unit, "savings_positive": self.savings_positive,
                "municipality": self.municipality, "budget_year": self.budget_year,
                "header_rows": list(self.header_rows) if self.header_rows else None}

    @classmethod
    def from_value(cls, value: SheetOverrides | Mapping[str, Any] | None,
                   vocab: Vocabulary | None = None) -> SheetOverrides:
        """Overrides from a dict (the web form, JSON) or as given; field names and units are checked."""
        if value is None:
            return cls()
        if isinstance(value, SheetOverrides):
            raw: Mapping[str, Any] = value.to_dict()
        else:
            raw = value
        vocab = vocab or load_vocabulary()
        columns: dict[str, str | None] = {}
        for letter, name in dict(raw.get("columns") or {}).items():
            letter_ = column_letter(column_index(str(letter)))
            columns[letter_] = None if name is None else field_for_name(str(name), vocab)
        unit = raw.get("unit")
        year = raw.get("budget_year")
        rows = raw.get("header_rows")
        if year is not None:
            try:
                year = int(year)
            except (TypeError, ValueError):
                raise InputError(f"Budgetåret {year!r} er ikke et årstal.") from None
        if rows is not None:
            try:
                rows = tuple(int(r) for r in rows)
            except (TypeError, ValueError):
                raise InputError(f"Kolonnehovedets rækker {rows!r} skal være rækkenumre.") from None
            if not 1 <= len(rows) <= 3 or list(rows) != list(range(rows[0], rows[0] + len(rows))) or rows[0] < 1:
                raise InputError("Kolonnehovedet skal være 1-3 rækker i træk, fx 4 eller 4,5.")
        sp = raw.get("savings_positive")
        return cls(columns=columns, unit=parse_unit(str(unit)) if unit not in (None, "") else None,
                   savings_positive=None if sp is None else bool(sp), municipality=raw.get("municipality") or None,
                   budget_year=year, header_rows=rows)


def parse_overrides(maps: Iterable[str] = (), *, unit: str | None = None, savings_positive: bool | None = None,
                    municipality: str | None = None, budget_year: int | None = None,
                    header_rows: str | None = None, vocabulary: Vocabulary | None = None) -> dict[str, SheetOverrides]:
    """Overrides from the command line: ``--map "H=type"`` (every sheet) or ``--map "Ark 2!H=type"`` (one sheet),
    repeated; ``--unit kr``; ``--savings-positive``; ``--kommune``; ``--budgetaar``; ``--header-rows 4,5``."""
    vocab = vocabulary or load_vocabulary()
    out: dict[str, SheetOverrides] = {}
    for item in maps:
        text = str(item).strip()
        sheet = ALL_SHEETS
        if "!" in text:
            sheet, text = text.rsplit("!", 1)
            sheet = sheet.strip().strip("'\"")
        if "=" not in text:
            raise InputError(f"--map {item!r}: skriv KOLONNE=FELT, fx H=type eller 'Ark 2!H=type'.")
        letter, name = (p.strip() for p in text.split("=", 1))
        o = out.setdefault(sheet, SheetOverrides())
        o.columns[column_letter(column_index(letter))] = field_for_name(name, vocab)
    rest = SheetOverrides(unit=parse_unit(unit) if unit else None, savings_positive=savings_positive,
                          municipality=municipality, budget_year=budget_year,
                          header_rows=tuple(int(x) for x in header_rows.replace(";", ",").split(",") if x.strip())
                          if header_rows else None)
    if not rest.is_empty():
        SheetOverrides.from_value(rest.to_dict(), vocab)  # validates
        out[ALL_SHEETS] = out.get(ALL_SHEETS, SheetOverrides()).merged(rest)
    return out


def overrides_for(overrides: Mapping[str, SheetOverrides | Mapping[str, Any]] | None, sheet: str,
                  vocab: Vocabulary) -> SheetOverrides | None:
    """The overrides that apply to ``sheet``: those for every sheet, with the sheet's own on top."""
    if not overrides:
        return None
    base = SheetOverrides.from_value(overrides.get(ALL_SHEETS), vocab) if ALL_SHEETS in overrides else None
    own = SheetOverrides.from_value(overrides[sheet], vocab) if sheet in overrides else None
    if base is None and own is None:
        return None
    return (base or SheetOverrides()).merged(own)


def header_signature(columns: Sequence[HeaderColumn]) -> str:
    """The layout key of a header: its labels (folded) by column, hashed. Same header, same signature."""
    parts = [f"{column_letter(c.index)}={fold(c.label)}" for c in columns if c.own or c.groups]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LayoutProfile:
    """A named, confirmed layout: column letter → field (None = kept as source field), unit and sign."""

    name: str
    signature: str
    header_height: int
    columns: dict[str, str | None]
    labels: dict[str, str] = field(default_factory=dict)
    unit: str | None = None
    savings_positive: bool | None = None
    municipality: int | None = None
    id: int | None = None
    created_at: datetime | None = None
    created_by: str = ""
    updated_at: datetime | None = None
    version: int = 1

    def overrides(self) -> SheetOverrides:
        return SheetOverrides(columns=dict(self.columns), unit=self.unit, savings_positive=self.savings_positive,
                              municipality=self.municipality)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "signature": self.signature, "header_height": self.header_height,
                "columns": dict(self.columns), "labels": dict(self.labels), "unit": self.unit,
                "savings_positive": self.savings_positive, "municipality": self.municipality, "id": self.id,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "created_by": self.created_by,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None, "version": self.version}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LayoutProfile:
        """A profile from :meth:`to_dict` (an export); names and fields are checked."""
        name = str(d.get("name") or "").strip()
        if not name:
            raise InputError("En importprofil skal have et navn.")
        sig = str(d.get("signature") or "")
        if len(sig) != 64:
            raise InputError(f"Importprofilen {name!r} har ingen gyldig signatur.")
        checked = SheetOverrides.from_value({"columns": d.get("columns") or {}, "unit": d.get("unit"),
                                             "savings_positive": d.get("savings_positive")})
        height = int(d.get("header_height") or 1)
        if not 1 <= height <= 3:
            raise InputError(f"Importprofilen {name!r}: kolonnehovedet skal være 1-3 rækker.")
        mun = d.get("municipality")
        return cls(name=name, signature=sig, header_height=height, columns=checked.columns,
                   labels={str(k): str(v) for k, v in dict(d.get("labels") or {}).items()}, unit=checked.unit,
                   savings_positive=checked.savings_positive, municipality=int(mun) if mun not in (None, "") else None)


__all__ = ["ALL_SHEETS", "LayoutProfile", "SheetOverrides", "header_signature", "overrides_for",
           "parse_overrides"]
