"""The knowledge portal (Vidensportalen): levers (greb) for making economic room from within.

The levers are versioned data in ``raaderum/catalog/levers.toml``: Danish texts written for Råderum, general
knowledge about how municipalities work with each lever, not evidence reviews. Each lever names the service
areas and cross-cutting themes of the catalogue it concerns (``raaderum/catalog/areas.toml``) and the idea
types of the idea bank it belongs to.

    >>> from raaderum.levers import lever, levers_for_area, levers_for_type
    >>> lever("hverdagsrehabilitering").title
    'Rehabilitering og hverdagsrehabilitering i ældreplejen'
    >>> "hverdagsrehabilitering" in [lv.id for lv in levers_for_area("aeldre")]
    True
    >>> all("digitalisering" in lv.idea_types for lv in levers_for_type("digitalisering"))
    True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from raaderum.catalog import load_catalog
from raaderum.errors import InputError, RaaderumError, UnknownArea

# The idea types (idétyper) of the idea bank, as ascii ids.
IDEA_TYPES: tuple[str, ...] = (
    "effektivisering",
    "investering",
    "digitalisering",
    "indkoeb",
    "organisering",
    "omlaegning",
    "indtaegt",
    "servicetilpasning",
)


class UnknownLever(RaaderumError, LookupError):
    """A lever id that is not in the knowledge portal."""


@dataclass(frozen=True)
class Lever:
    """A lever (greb): a way of making economic room, with what it takes and what to watch."""

    id: str
    title: str
    summary: str  # one line, shown in lists
    body: str  # 3-6 short paragraphs separated by blank lines
    areas: tuple[str, ...]  # area ids and/or theme ids of the catalogue
    idea_types: tuple[str, ...]  # from IDEA_TYPES
    key_figures: tuple[str, ...]
    questions: tuple[str, ...]  # questions a committee could ask
    time_to_effect: str  # e.g. "1-3 år"
    requires_investment: bool

    def paragraphs(self) -> list[str]:
        """The body as a list of paragraphs, each on one line."""
        return [" ".join(p.split()) for p in self.body.strip().split("\n\n") if p.strip()]


def parse_levers(text: str) -> tuple[Lever, ...]:
    """Levers from the text of a levers TOML file (``[[levers]]`` entries)."""
    raw = tomllib.loads(text)
    out = []
    for i, v in enumerate(raw.get("levers", []), start=1):
        try:
            out.append(
                Lever(
                    id=v["id"],
                    title=v["title"],
                    summary=v.get("summary", ""),
                    body=v.get("body", "").strip(),
                    areas=tuple(v.get("areas", ())),
                    idea_types=tuple(v.get("idea_types", ())),
                    key_figures=tuple(v.get("key_figures", ())),
                    questions=tuple(v.get("questions", ())),
                    time_to_effect=v.get("time_to_effect", ""),
                    requires_investment=bool(v.get("requires_investment", False)),
                )
            )
        except KeyError as e:
            raise InputError(f"Greb nr. {i} i vidensportalen mangler feltet {e.args[0]!r}.") from None
    return tuple(out)


@lru_cache(maxsize=1)
def load_levers() -> tuple[Lever, ...]:
    """The levers shipped with the package (``raaderum/catalog/levers.toml``), in file order."""
    text = resources.files("raaderum.catalog").joinpath("levers.toml").read_text(encoding="utf-8")
    return parse_levers(text)


def lever(lever_id: str) -> Lever:
    """The lever with this id; raises UnknownLever when there is none."""
    for lv in load_levers():
        if lv.id == lever_id:
            return lv
    known = ", ".join(lv.id for lv in load_levers())
    raise UnknownLever(f"Ukendt greb: {lever_id!r}. Kendte greb: {known}.")


def levers_for_area(area_id: str) -> list[Lever]:
    """The levers that concern a service area or a cross-cutting theme, in file order.

    Raises UnknownArea for an id that is neither an area nor a theme of the catalogue (a typo should not
    look like an area without levers).
    """
    cat = load_catalog()
    known = {a.id for a in cat.areas} | {t.id for t in cat.themes}
    if area_id not in known:
        raise UnknownArea(f"Ukendt serviceområde eller tema: {area_id!r}. Kendte: {', '.join(sorted(known))}.")
    return [lv for lv in load_levers() if area_id in lv.areas]


def levers_for_type(type_id: str) -> list[Lever]:
    """The levers of an idea type (one of IDEA_TYPES), in file order; raises InputError for another type."""
    if type_id not in IDEA_TYPES:
        raise InputError(f"Ukendt idétype: {type_id!r}. Kendte idétyper: {', '.join(IDEA_TYPES)}.")
    return [lv for lv in load_levers() if type_id in lv.idea_types]


@lru_cache(maxsize=1)
def _lever_index() -> Any:
    """The idea bank's Danish search (stems + character n-grams) over the levers' texts."""
    from raaderum.ideas.records import ProposalRecord
    from raaderum.ideas.search import SearchIndex

    records = [ProposalRecord(municipality_code=0, municipality_name="", budget_year=0, title=lv.title,
                              description=f"{lv.summary} {lv.body} {' '.join(lv.key_figures)}",
                              area_id=lv.areas[0] if lv.areas else None, id=i + 1)
               for i, lv in enumerate(load_levers())]
    return SearchIndex.from_records(records)


def search_levers(query: str | None, *, area: str | None = None, limit: int = 50) -> list[tuple[Lever, Any]]:
    """Levers matching a Danish free-text query (the same search as the idea bank), best first, each with a
    highlighted snippet (HTML-safe Markup) or None; ``area`` keeps levers of that area or theme."""
    from markupsafe import Markup

    levers = load_levers()
    if area:
        allowed = {lv.id for lv in levers_for_area(area)}
    else:
        allowed = {lv.id for lv in levers}
    if not query or not query.strip():
        return [(lv, None) for lv in levers if lv.id in allowed]
    result = _lever_index().search(query, limit=len(levers))
    out: list[tuple[Lever, Any]] = []
    for hit in result.hits:
        lv = levers[hit.id - 1]
        if lv.id in allowed:
            out.append((lv, Markup(hit.snippet_html) if hit.snippet_html else None))
    return out[:limit]
