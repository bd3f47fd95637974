"""The knowledge portal (Vidensportalen): levers (greb) for making economic room from within.

The levers are versioned data in ``raaderum/catalog/levers.toml``: Danish texts written for Råderum, general
knowledge about how municipalities work with each lever, not evidence reviews. Each lever names the service
areas and cross-cutting themes of the catalogue it concerns (``raaderum/catalog/areas.toml``) and the idea
types of the idea bank it belongs to.

The operator can edit, add and reset levers on the multi-user server (:mod:`raaderum.server.levers`, table
``lever_edits``). :func:`load_levers` stays the shipped file (the CLI and the tests without a database use it);
:func:`effective_levers` merges the stored edits of an app store in, and the portal's pages and search
(``search_levers(..., levers=effective_levers(engine))``) show those.

    >>> from raaderum.ideas.levers import lever, levers_for_area, levers_for_type
    >>> lever("hverdagsrehabilitering").title
    'Rehabilitering og hverdagsrehabilitering i ældreplejen'
    >>> "hverdagsrehabilitering" in [lv.id for lv in levers_for_area("aeldre")]
    True
    >>> all("digitalisering" in lv.idea_types for lv in levers_for_type("digitalisering"))
    True
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup

from raaderum.catalog import load_catalog
from raaderum.errors import InputError, UnknownArea, UnknownLever  # UnknownLever re-exported
from raaderum.ideas.records import ProposalRecord
from raaderum.ideas.search import SearchIndex
from raaderum.ideas.vocabulary import load_vocabulary


def _idea_types() -> tuple[str, ...]:
    return tuple(t.id for t in load_vocabulary().types)


# The idea types (idétyper): the idea bank's vocabulary is the one registry of them (ideas/vocabulary.toml).
IDEA_TYPES: tuple[str, ...] = _idea_types()


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


def lever(lever_id: str, levers: Sequence[Lever] | None = None) -> Lever:
    """The lever with this id (among ``levers``, default the shipped ones); raises UnknownLever when there is none."""
    pool = load_levers() if levers is None else levers
    for lv in pool:
        if lv.id == lever_id:
            return lv
    known = ", ".join(lv.id for lv in pool)
    raise UnknownLever(f"Ukendt greb: {lever_id!r}. Kendte greb: {known}.")


def levers_for_area(area_id: str, levers: Sequence[Lever] | None = None) -> list[Lever]:
    """The levers (default the shipped ones) that concern a service area or a cross-cutting theme, in order.

    Raises UnknownArea for an id that is neither an area nor a theme of the catalogue (a typo should not
    look like an area without levers).
    """
    cat = load_catalog()
    known = {a.id for a in cat.areas} | {t.id for t in cat.themes}
    if area_id not in known:
        raise UnknownArea(f"Ukendt serviceområde eller tema: {area_id!r}. Kendte: {', '.join(sorted(known))}.")
    return [lv for lv in (load_levers() if levers is None else levers) if area_id in lv.areas]


def levers_for_type(type_id: str) -> list[Lever]:
    """The levers of an idea type (one of IDEA_TYPES), in file order; raises InputError for another type."""
    if type_id not in IDEA_TYPES:
        raise InputError(f"Ukendt idétype: {type_id!r}. Kendte idétyper: {', '.join(IDEA_TYPES)}.")
    return [lv for lv in load_levers() if type_id in lv.idea_types]


def merge_levers(base: Sequence[Lever], edits: Sequence[Lever]) -> tuple[Lever, ...]:
    """``base`` with each lever of ``edits`` replacing the one with its id; new ids are added at the end."""
    by_id = {lv.id: lv for lv in edits}
    merged = [by_id.pop(lv.id, lv) for lv in base]
    return (*merged, *sorted(by_id.values(), key=lambda lv: lv.id))


@lru_cache(maxsize=8)
def _index_for(levers: tuple[Lever, ...]) -> Any:
    """The idea bank's Danish search (stems + character n-grams) over the levers' texts."""
    records = [ProposalRecord(municipality_code=0, municipality_name="", budget_year=0, title=lv.title,
                              description=f"{lv.summary} {lv.body} {' '.join(lv.key_figures)}",
                              area_id=lv.areas[0] if lv.areas else None, id=i + 1)
               for i, lv in enumerate(levers)]
    return SearchIndex.from_records(records)


def _lever_index() -> Any:
    """The search index over the shipped levers."""
    return _index_for(load_levers())


def search_levers(query: str | None, *, area: str | None = None, limit: int = 50,
                  levers: Sequence[Lever] | None = None) -> list[tuple[Lever, Any]]:
    """Levers (default the shipped ones; pass :func:`effective_levers` for the edited portal) matching a Danish
    free-text query (the same search as the idea bank), best first, each with a highlighted snippet (HTML-safe
    Markup) or None; ``area`` keeps levers of that area or theme."""
    pool = load_levers() if levers is None else tuple(levers)
    if area:
        allowed = {lv.id for lv in levers_for_area(area, pool)}
    else:
        allowed = {lv.id for lv in pool}
    if not query or not query.strip():
        return [(lv, None) for lv in pool if lv.id in allowed]
    result = _index_for(pool).search(query, limit=len(pool))
    out: list[tuple[Lever, Any]] = []
    for hit in result.hits:
        lv = pool[hit.id - 1]
        if lv.id in allowed:
            out.append((lv, Markup(hit.snippet_html) if hit.snippet_html else None))
    return out[:limit]
