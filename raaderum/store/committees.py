"""Municipalities' own committee (fagudvalg) names per area, as stored (table ``committee_mappings``).

Reading only; a mapping is changed by :func:`raaderum.server.workspace.set_committee` (permission + audit).
Every function takes an engine, or anything with an ``engine`` (an :class:`~raaderum.store.ideas.IdeaStore`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from raaderum.ideas.committees import CommitteeEntry, areas_in, default_mapping, entries_with
from raaderum.store.models import CommitteeMapping


def _engine(source: Any) -> Engine:
    return source if isinstance(source, Engine) else source.engine


def own_mapping(session: Session, municipality_code: int) -> dict[str, str]:
    """The areas the municipality has named a committee for itself (area id → committee)."""
    rows = session.scalars(select(CommitteeMapping).where(CommitteeMapping.municipality_code == int(municipality_code)))
    return {r.area_id: r.committee for r in rows}


def committee_entries(source: Any, municipality_code: int) -> list[CommitteeEntry]:
    """Every area and theme with the committee it belongs to in this municipality."""
    with Session(_engine(source)) as s:
        return entries_with(own_mapping(s, municipality_code))


def committee_mapping(source: Any, municipality_code: int) -> dict[str, str]:
    """Area id → the municipality's committee for every area and theme."""
    if isinstance(source, Session):
        own = own_mapping(source, municipality_code)
        return {a: own.get(a, c) for a, c in default_mapping().items()}
    return {e.area_id: e.committee for e in committee_entries(source, municipality_code)}


def areas_of_committee(source: Any, municipality_code: int, committee: str) -> list[str]:
    """The areas (and themes) under ``committee`` in this municipality; matching ignores case and spacing."""
    return areas_in(committee_mapping(source, municipality_code), committee)


__all__ = ["areas_of_committee", "committee_entries", "committee_mapping", "own_mapping"]
