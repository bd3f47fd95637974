"""The idea bank's vocabulary (``vocabulary.toml``): proposal types, column-header synonyms, extra area spellings
and search synonyms, with lookups that ignore case, spacing, punctuation and æ/ae, ø/oe, å/aa.

    >>> v = load_vocabulary()
    >>> v.type_for("Effektiviseringsforslag").id, v.area_for("Ældreområdet"), v.column_for("Kommunenavn")
    ('effektivisering', 'aeldre', 'municipality')
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from raaderum.catalog import Area, Catalog, Theme, load_catalog

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "é": "e", "ü": "u"})


_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3})")
_NON_WORD = re.compile(r"[^\w+]+")


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    s = _THOUSANDS.sub("", s)  # 1.000 -> 1000
    s = _NON_WORD.sub(" ", s).replace("_", " ")
    return " ".join(s.split())


_fold_short = lru_cache(maxsize=65536)(_fold)


def fold(text: str) -> str:
    """A comparison key: NFKC, casefold, æøå → ae/oe/aa, punctuation → space, single spaces.

    >>> fold("  Ældre-\\xa0Området. "), fold("Beløb i 1.000 kr.")
    ('aeldre omraadet', 'beloeb i 1000 kr')
    """
    text = str(text)
    # Short texts (names, headers, types) recur on every row of a workbook: those are cached.
    return _fold_short(text) if len(text) <= 80 else _fold(text)


@dataclass(frozen=True)
class ProposalType:
    id: str
    name: str
    explanation: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class ColumnSpec:
    field: str
    explanation: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class SynonymGroup:
    """Words for the same thing (``terms``), and words for closely related things (``related``: found too, but
    ranked below the equivalents)."""

    terms: tuple[str, ...]
    explanation: str
    related: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    version: str
    types: tuple[ProposalType, ...]
    columns: dict[str, ColumnSpec]
    area_synonyms: dict[str, tuple[str, ...]]
    search_synonyms: tuple[SynonymGroup, ...]
    catalog: Catalog
    #: Extra words compound headers are split into, and header abbreviations (``nr`` → ``nummer``).
    header_atoms: tuple[str, ...] = ()
    header_aliases: dict[str, str] = field(default_factory=dict)
    header_generic: tuple[str, ...] = ()
    _type_keys: dict[str, str] = field(default_factory=dict, repr=False)
    _area_keys: dict[str, str] = field(default_factory=dict, repr=False)
    _column_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for t in self.types:
            for s in (t.id, t.name, *t.synonyms):
                self._type_keys.setdefault(fold(s), t.id)
        items: list[Area | Theme] = [*self.catalog.areas, *self.catalog.themes]
        for item in items:
            self._area_keys.setdefault(fold(item.id), item.id)
            self._area_keys.setdefault(fold(item.name), item.id)
        for area_id, syns in self.area_synonyms.items():
            for s in syns:
                self._area_keys.setdefault(fold(s), area_id)
        for spec in self.columns.values():
            for s in spec.synonyms:
                self._column_keys.setdefault(fold(s), spec.field)

    def type(self, type_id: str) -> ProposalType | None:
        return next((t for t in self.types if t.id == type_id), None)

    def type_for(self, text: str | None) -> ProposalType | None:
        """The proposal type ``text`` names (id, name or synonym), or None (kept as written, unmapped)."""
        if not text:
            return None
        tid = self._type_keys.get(fold(text))
        return self.type(tid) if tid else None

    def area_for(self, text: str | None) -> str | None:
        """The catalogue id (area or theme) ``text`` names, or None (kept as written, unmapped)."""
        if not text:
            return None
        key = fold(text)
        hit = self._area_keys.get(key)
        if hit is None:
            key2 = re.sub(r"^(?:omraadet|omraade|fagomraadet)\s+", "", key)
            key2 = re.sub(r"\s*(?:omraadet|omraade)$", "", key2)
            hit = self._area_keys.get(key2)
        return hit

    def area_name(self, area_id: str | None) -> str | None:
        if not area_id:
            return None
        found = self.catalog.find(area_id)
        return found.name if found else None

    def column_for(self, header: str | None) -> str | None:
        """The field a column header names (exact after :func:`fold`), or None."""
        if not header:
            return None
        return self._column_keys.get(fold(header))

    def column_synonyms(self) -> dict[str, str]:
        return dict(self._column_keys)


def parse_vocabulary(text: str, catalog: Catalog | None = None) -> Vocabulary:
    raw = tomllib.loads(text)
    types = tuple(ProposalType(id=t["id"], name=t["name"], explanation=t.get("explanation", ""),
                               synonyms=tuple(t.get("synonyms", ()))) for t in raw.get("types", []))
    columns = {k: ColumnSpec(field=k, explanation=v.get("explanation", ""), synonyms=tuple(v.get("synonyms", ())))
               for k, v in raw.get("columns", {}).items()}
    areas = {k: tuple(v) for k, v in raw.get("area_synonyms", {}).items()}
    syns = tuple(SynonymGroup(terms=tuple(g["terms"]), explanation=g.get("explanation", ""),
                              related=tuple(g.get("related", ()))) for g in raw.get("search_synonyms", []))
    hw = raw.get("header_words", {})
    return Vocabulary(version=str(raw.get("vocabulary_version", "")), types=types, columns=columns,
                      area_synonyms=areas, search_synonyms=syns, catalog=catalog or load_catalog(),
                      header_atoms=tuple(hw.get("atoms", ())),
                      header_aliases={str(k): str(v) for k, v in hw.get("aliases", {}).items()},
                      header_generic=tuple(hw.get("generic", ())))


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package (``raaderum/ideas/vocabulary.toml``)."""
    text = resources.files("raaderum.ideas").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return parse_vocabulary(text)


__all__ = ["ColumnSpec", "ProposalType", "SynonymGroup", "Vocabulary", "fold", "load_vocabulary",
           "parse_vocabulary"]
