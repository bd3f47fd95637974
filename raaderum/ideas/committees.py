"""Area → committee (fagudvalg) mapping per municipality: the catalogue's default, overridden per municipality.

Municipalities name their committees differently ("Børne- og Ungeudvalget", "Skoleudvalget", "Udvalget for
Læring"), so the committee packs use the municipality's own mapping where it has one.

    >>> with IdeaStore() as store:                                      # doctest: +SKIP
    ...     set_committee(store, 751, "folkeskole", "Børn og Unge-udvalget")
    ...     committee_mapping(store, 751)["folkeskole"]
    'Børn og Unge-udvalget'
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from raaderum.catalog import load_catalog
from raaderum.errors import InputError, UnknownArea
from raaderum.ideas.models import CommitteeMapping
from raaderum.ideas.store import IdeaStore

#: The catalogue's themes have no committee in the accounts; their proposals go to the finance committee.
THEME_COMMITTEE = "Økonomiudvalget"


@dataclass(frozen=True)
class CommitteeEntry:
    area_id: str
    area_name: str
    committee: str
    is_default: bool


def default_mapping() -> dict[str, str]:
    cat = load_catalog()
    out = {a.id: a.committee for a in cat.areas}
    out.update({t.id: THEME_COMMITTEE for t in cat.themes})
    return out


def committee_entries(store: IdeaStore, municipality_code: int) -> list[CommitteeEntry]:
    """Every area and theme with the committee it belongs to in this municipality."""
    cat = load_catalog()
    names = {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}}
    own = _own(store, municipality_code)
    return [CommitteeEntry(area_id, names[area_id], own.get(area_id, default), area_id not in own)
            for area_id, default in default_mapping().items()]


def committee_mapping(store: IdeaStore, municipality_code: int) -> dict[str, str]:
    return {e.area_id: e.committee for e in committee_entries(store, municipality_code)}


def areas_of_committee(store: IdeaStore, municipality_code: int, committee: str) -> list[str]:
    """The areas (and themes) under ``committee`` in this municipality; matching ignores case and spacing."""
    key = " ".join(committee.replace("\xa0", " ").split()).casefold()
    mapping = committee_mapping(store, municipality_code)
    areas = [a for a, c in mapping.items() if " ".join(c.split()).casefold() == key]
    if not areas:
        known = sorted(set(mapping.values()))
        raise InputError(f"Udvalget {committee!r} findes ikke i kommunens udvalgsopdeling. Kendte udvalg: "
                         f"{', '.join(known)}.")
    return areas


def _own(store: IdeaStore, municipality_code: int) -> dict[str, str]:
    store.migrate()
    with Session(store.engine) as s:
        rows = s.scalars(select(CommitteeMapping).where(CommitteeMapping.municipality_code == municipality_code))
        return {r.area_id: r.committee for r in rows}


def set_committee(store: IdeaStore, municipality_code: int, area_id: str, committee: str | None) -> None:
    """Set (or with ``None``/empty reset to the default) the committee of one area in one municipality."""
    if area_id not in default_mapping():
        raise UnknownArea(f"Ukendt område eller tema: {area_id!r}.")
    name = " ".join((committee or "").replace("\xa0", " ").split())
    if len(name) > 200:
        raise InputError("Udvalgets navn er for langt (højst 200 tegn).")
    store.migrate()
    with Session(store.engine) as s, s.begin():
        row = s.get(CommitteeMapping, (municipality_code, area_id))
        if not name:
            if row is not None:
                s.delete(row)
            return
        if row is None:
            s.add(CommitteeMapping(municipality_code=municipality_code, area_id=area_id, committee=name))
        else:
            row.committee = name
