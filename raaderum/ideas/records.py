"""Plain records of the idea bank, independent of the database (what the API returns and the import produces)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from raaderum.ideas.vocabulary import fold, load_vocabulary

AMOUNT_FIELDS = ("amount_b", "amount_bo1", "amount_bo2", "amount_bo3")
#: The sample's batch name: shown wherever sample proposals are shown.
SAMPLE_BATCH_NAME = "Eksempeldata (fiktive forslag skrevet til Råderum)"
SAMPLE_LABEL = "Eksempeldata"

#: Amount bands (facet), on the largest absolute yearly amount among B-BO3, in 1.000 kr.
AMOUNT_BANDS: tuple[tuple[str, str, float], ...] = (
    ("under_500", "Under 500 t.kr.", 500.0),
    ("500_2000", "500-2.000 t.kr.", 2000.0),
    ("2000_10000", "2-10 mio. kr.", 10000.0),
    ("over_10000", "Over 10 mio. kr.", float("inf")),
)
UNKNOWN_BAND = ("ukendt", "Beløb ukendt")


def amount_band(amounts: tuple[float | None, ...]) -> str:
    """The band id of the largest absolute yearly amount; ``ukendt`` when every amount is unknown."""
    known = [abs(a) for a in amounts if a is not None]
    if not known:
        return UNKNOWN_BAND[0]
    top = max(known)
    for band_id, _label, upper in AMOUNT_BANDS:
        if top < upper:
            return band_id
    return AMOUNT_BANDS[-1][0]  # pragma: no cover


def band_label(band_id: str) -> str:
    for bid, label, _ in AMOUNT_BANDS:
        if bid == band_id:
            return label
    return UNKNOWN_BAND[1]


def _num(v: float | None) -> str | None:
    return None if v is None else repr(round(float(v), 6))


@dataclass
class ProposalRecord:
    """A proposal: what the store holds, or what an import would store (``id`` None until stored).

    Amounts in 1.000 kr., savings negative, None = unknown.
    """

    municipality_code: int
    municipality_name: str
    budget_year: int
    title: str = ""
    description: str = ""
    area_id: str | None = None
    area_text: str = ""
    committee_text: str = ""
    type_id: str | None = None
    type_text: str = ""
    amount_b: float | None = None
    amount_bo1: float | None = None
    amount_bo2: float | None = None
    amount_bo3: float | None = None
    one_off_investment: float | None = None
    contact: str = ""
    source_file: str = ""
    source_sheet: str = ""
    source_row: int | None = None
    id: int | None = None
    batch_id: int | None = None
    is_sample: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1
    content_hash: str = field(default="")
    #: The proposal's own number in the municipality's catalogue ("Nr.", "Forslagsnummer"), as written.
    source_ref: str = ""
    #: Columns of the source sheet that are no field of a proposal ("Status", "Behandlet", "Bemærkninger"), kept
    #: as written: header label → cell text. Not part of the content hash.
    source_fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = self.compute_hash()

    def compute_hash(self) -> str:
        """Identity of the content (not of the source): the same proposal imported twice has the same hash."""
        key = [self.municipality_code, self.budget_year, fold(self.title), fold(self.description),
               fold(self.area_text), fold(self.committee_text), fold(self.type_text),
               *(_num(getattr(self, f)) for f in AMOUNT_FIELDS), _num(self.one_off_investment)]
        return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def amounts(self) -> tuple[float | None, float | None, float | None, float | None]:
        return (self.amount_b, self.amount_bo1, self.amount_bo2, self.amount_bo3)

    @property
    def display_title(self) -> str:
        """The title, or the start of the description when the workbook had no title."""
        if self.title.strip():
            return self.title
        text = " ".join(self.description.split())
        return text if len(text) <= 90 else text[:89].rstrip() + "…"

    @property
    def amount_band(self) -> str:
        return amount_band(self.amounts)

    @property
    def area_name(self) -> str | None:
        return load_vocabulary().area_name(self.area_id)

    @property
    def type_name(self) -> str | None:
        t = load_vocabulary().type(self.type_id) if self.type_id else None
        return t.name if t else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("created_at", "updated_at"):
            d[k] = d[k].isoformat() if d[k] else None
        d["display_title"] = self.display_title
        d["area_name"] = self.area_name
        d["type_name"] = self.type_name
        d["amount_band"] = self.amount_band
        d["amount_unit"] = "1.000 kr. (besparelser negative)"
        d["sample_label"] = SAMPLE_LABEL if self.is_sample else None
        d["source_fields"] = dict(self.source_fields or {})
        return d


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    file_sha256: str
    imported_at: datetime
    rows_total: int
    rows_imported: int
    rows_rejected: int
    rows_skipped: int
    is_sample: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["imported_at"] = self.imported_at.isoformat()
        return d


__all__ = ["AMOUNT_BANDS", "AMOUNT_FIELDS", "SAMPLE_BATCH_NAME", "SAMPLE_LABEL", "BatchInfo", "ProposalRecord",
           "amount_band", "band_label"]
