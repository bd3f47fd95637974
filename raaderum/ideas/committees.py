"""Area → committee (fagudvalg) mapping per municipality: the catalogue's default, overridden per municipality.

Municipalities name their committees differently ("Børne- og Ungeudvalget", "Skoleudvalget", "Udvalget for
Læring"), so the committee packs use the municipality's own mapping where it has one.

This module holds the catalogue's default and the pure rules; the stored mappings are read by
:mod:`raaderum.store.committees` and changed by :func:`raaderum.server.workspace.set_committee`.
"""

from __future__ import annotations

from dataclasses import dataclass

from raaderum.catalog import load_catalog
from raaderum.errors import InputError

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


def area_names() -> dict[str, str]:
    """Every area and theme id with its Danish name."""
    cat = load_catalog()
    return {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}}


def entries_with(own: dict[str, str]) -> list[CommitteeEntry]:
    """Every area and theme with its committee: the municipality's own (``own``) or the catalogue's default."""
    names = area_names()
    return [CommitteeEntry(area_id, names[area_id], own.get(area_id, default), area_id not in own)
            for area_id, default in default_mapping().items()]


def clean_committee_name(committee: str | None) -> str:
    """The committee name with spacing normalised; :class:`InputError` when it is too long."""
    name = " ".join((committee or "").replace("\xa0", " ").split())
    if len(name) > 200:
        raise InputError("Udvalgets navn er for langt (højst 200 tegn).")
    return name


def areas_in(mapping: dict[str, str], committee: str) -> list[str]:
    """The areas (and themes) under ``committee`` in ``mapping``; matching ignores case and spacing."""
    key = " ".join(committee.replace("\xa0", " ").split()).casefold()
    areas = [a for a, c in mapping.items() if " ".join(c.split()).casefold() == key]
    if not areas:
        known = sorted(set(mapping.values()))
        raise InputError(f"Udvalget {committee!r} findes ikke i kommunens udvalgsopdeling. Kendte udvalg: "
                         f"{', '.join(known)}.")
    return areas


__all__ = ["THEME_COMMITTEE", "CommitteeEntry", "area_names", "areas_in", "clean_committee_name",
           "default_mapping", "entries_with"]
