"""The service-area catalogue: areas, target groups and cross-cutting themes, as versioned data.

    >>> from raaderum.catalog import load_catalog
    >>> cat = load_catalog()
    >>> cat.area("aeldre").target_group
    '67+'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from raaderum.errors import UnknownArea


@dataclass(frozen=True)
class TargetGroup:
    """A target group (målgruppe): the denominator of an area's unit cost, an age band."""

    id: str
    name: str
    explanation: str
    age_min: int
    age_max: int | None  # None = no upper bound

    def contains(self, age: int) -> bool:
        return age >= self.age_min and (self.age_max is None or age <= self.age_max)


@dataclass(frozen=True)
class Area:
    """A service area (serviceområde): a set of account functions with a target group and a committee."""

    id: str
    name: str
    explanation: str
    functions: tuple[str, ...]
    target_group: str
    committee: str


@dataclass(frozen=True)
class Theme:
    """A cross-cutting theme (tværgående tema) used by the idea bank; not an area of the accounts."""

    id: str
    name: str
    explanation: str


@dataclass(frozen=True)
class Catalog:
    version: str
    areas: tuple[Area, ...]
    themes: tuple[Theme, ...]
    target_groups: dict[str, TargetGroup]

    def area(self, area_id: str) -> Area:
        for a in self.areas:
            if a.id == area_id:
                return a
        known = ", ".join(a.id for a in self.areas)
        raise UnknownArea(f"Ukendt serviceområde: {area_id!r}. Kendte områder: {known}.")

    def area_ids(self) -> list[str]:
        return [a.id for a in self.areas]

    def target_group(self, tg_id: str) -> TargetGroup:
        try:
            return self.target_groups[tg_id]
        except KeyError:
            raise UnknownArea(f"Ukendt målgruppe: {tg_id!r}.") from None

    def functions(self) -> list[str]:
        return sorted({f for a in self.areas for f in a.functions})

    def area_of_function(self, function: str) -> Area | None:
        for a in self.areas:
            if function in a.functions:
                return a
        return None

    def find(self, text: str) -> Area | Theme | None:
        """An area or theme by id or (case-insensitive) name; None when nothing matches."""
        key = " ".join(text.replace("\xa0", " ").split()).casefold()
        items: tuple[Area | Theme, ...] = (*self.areas, *self.themes)
        for item in items:
            if key in (item.id.casefold(), item.name.casefold()):
                return item
        return None


def parse_catalog(text: str) -> Catalog:
    raw = tomllib.loads(text)
    tgs = {
        tg_id: TargetGroup(
            id=tg_id,
            name=v["name"],
            explanation=v.get("explanation", ""),
            age_min=int(v.get("age_min", 0)),
            age_max=v.get("age_max"),
        )
        for tg_id, v in raw.get("target_groups", {}).items()
    }
    areas = tuple(
        Area(
            id=a["id"],
            name=a["name"],
            explanation=a.get("explanation", ""),
            functions=tuple(a.get("functions", ())),
            target_group=a["target_group"],
            committee=a.get("committee", ""),
        )
        for a in raw.get("areas", [])
    )
    themes = tuple(Theme(id=t["id"], name=t["name"], explanation=t.get("explanation", ""))
                   for t in raw.get("themes", []))
    return Catalog(version=str(raw.get("catalog_version", "")), areas=areas, themes=themes, target_groups=tgs)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalogue shipped with the package (``raaderum/catalog/areas.toml``)."""
    text = resources.files("raaderum.catalog").joinpath("areas.toml").read_text(encoding="utf-8")
    return parse_catalog(text)


@dataclass(frozen=True)
class CoverageEntry:
    """Recipients for part of an area: the decomposition's coverage and unit cost per recipient (coverage.toml)."""

    id: str
    name: str
    area: str
    functions: tuple[str, ...]
    target_group: str
    recipients: str  # a series of the release (raaderum.release.registry.SERIES)
    recipients_name: str
    coverage_name: str
    unit_cost_name: str
    explanation: str
    caveat: str


@lru_cache(maxsize=1)
def load_coverage() -> tuple[CoverageEntry, ...]:
    """The coverage entries shipped with the package (``raaderum/catalog/coverage.toml``)."""
    raw = tomllib.loads(resources.files("raaderum.catalog").joinpath("coverage.toml").read_text(encoding="utf-8"))
    return tuple(CoverageEntry(id=c["id"], name=c["name"], area=c["area"], functions=tuple(c["functions"]),
                               target_group=c["target_group"], recipients=c["recipients"],
                               recipients_name=c.get("recipients_name", ""), coverage_name=c.get("coverage_name", ""),
                               unit_cost_name=c.get("unit_cost_name", ""), explanation=c.get("explanation", ""),
                               caveat=c.get("caveat", ""))
                 for c in raw.get("coverage", []))


@dataclass(frozen=True)
class ServiceScope:
    """Which shipped functions lie outside the service-expenditure definition, with a reason each (scope.toml)."""

    version: str
    outside: dict[str, str]  # function → reason

    def is_service(self, function: str) -> bool:
        return function not in self.outside


@lru_cache(maxsize=1)
def load_service_scope() -> ServiceScope:
    """The service-expenditure classification shipped with the package (``raaderum/catalog/scope.toml``)."""
    raw = tomllib.loads(resources.files("raaderum.catalog").joinpath("scope.toml").read_text(encoding="utf-8"))
    return ServiceScope(version=str(raw.get("scope_version", "")),
                        outside={o["function"]: o["reason"] for o in raw.get("outside_service", [])})
