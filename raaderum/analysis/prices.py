"""Price basis of every kroner figure: current prices (løbende priser) or fixed prices (faste priser) of a base year.

A figure of year t in fixed prices of base year b is the current-price figure × I(b) / I(t), with I the deflator the
release ships (``price_index`` table, described in ``manifest["price_index"]``). The embedded release ships
Statistics Denmark's consumer price index PRIS113 as a fallback: it is not the municipalities' price and wage index
(pris- og lønindeks), and every figure in fixed prices says so. ``raaderum data update`` fetches the implicit
deflator of general government consumption from the national accounts instead (see :mod:`raaderum.release.update`).

    >>> basis = price_basis(open_release(), "faste", 2023)          # doctest: +SKIP
    >>> basis.factor(2020), basis.label                             # doctest: +SKIP
    (1.1332..., 'Faste 2023-priser (forbrugerprisindeks, ikke kommunernes pris- og lønindeks)')

Every result that shows kroner carries ``PriceBasis.to_dict()`` in its provenance (``provenance["prices"]``) and
its label in ``provenance["price_basis"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from raaderum.errors import DataNotAvailable, InputError
from raaderum.release.reader import Release

CURRENT = "løbende"
FIXED = "faste"
#: Spellings accepted for the two bases (CLI, web, API).
ALIASES = {"løbende": CURRENT, "loebende": CURRENT, "lobende": CURRENT, "current": CURRENT, "nominal": CURRENT,
           "faste": FIXED, "fast": FIXED, "fixed": FIXED, "real": FIXED}
CURRENT_LABEL = "Løbende priser (ikke prisreguleret)"


@dataclass(frozen=True)
class PriceBasis:
    """How kroner are expressed: ``kind`` 'løbende' or 'faste'; for 'faste' the base year and the index used."""

    kind: str
    base_year: int | None = None
    index_id: str | None = None
    index_name: str | None = None
    index_label: str | None = None  # e.g. "forbrugerprisindeks, ikke kommunernes pris- og lønindeks"
    fallback: bool = False
    values: dict[int, float] = field(default_factory=dict, repr=False, compare=False)
    estimated_years: tuple[int, ...] = ()

    @property
    def is_fixed(self) -> bool:
        return self.kind == FIXED

    @property
    def label(self) -> str:
        """The Danish label shown next to every figure."""
        if not self.is_fixed:
            return CURRENT_LABEL
        return f"Faste {self.base_year}-priser ({self.index_label or self.index_name})"

    def factor(self, year: int) -> float:
        """The multiplier that turns a current-price figure of ``year`` into this basis (1 for current prices)."""
        if not self.is_fixed:
            return 1.0
        if year not in self.values:
            years = sorted(self.values)
            raise DataNotAvailable(f"Prisindekset {self.index_id} har ikke året {year} (det dækker "
                                   f"{years[0]}-{years[-1]}); tallet kan ikke vises i faste priser.")
        assert self.base_year is not None
        return self.values[self.base_year] / self.values[year]

    def convert(self, value: float | None, year: int) -> float | None:
        """``value`` (current prices of ``year``) in this basis; None stays None."""
        return None if value is None else value * self.factor(year)

    def to_dict(self, year: int | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"basis": self.kind, "label": self.label, "base_year": self.base_year,
                             "index": self.index_id, "index_name": self.index_name, "fallback": self.fallback}
        if self.is_fixed:
            d["method"] = (f"Værdi i løbende priser × I({self.base_year}) / I(år), I = {self.index_name}; "
                           f"{self.index_label}.")
            d["estimated_index_years"] = list(self.estimated_years)
            if year is not None:
                d["year"] = year
                d["factor"] = self.factor(year)
        return d


CURRENT_PRICES = PriceBasis(kind=CURRENT)


def resolve_prices(prices: str | PriceBasis | None) -> str:
    """'løbende' or 'faste' from any accepted spelling; :class:`InputError` otherwise."""
    if isinstance(prices, PriceBasis):
        return prices.kind
    key = (prices or CURRENT).strip().casefold()
    if key not in ALIASES:
        raise InputError(f"Ukendt prisgrundlag {prices!r}; vælg 'løbende' eller 'faste' (med et basisår).")
    return ALIASES[key]


def price_basis(release: Release, prices: str | PriceBasis | None = None, base_year: int | None = None) -> PriceBasis:
    """The price basis to use over ``release``: current prices (default), or fixed prices of ``base_year`` (default:
    the latest year with an observed index, ``manifest["price_index"]["default_base_year"]``)."""
    if isinstance(prices, PriceBasis):
        return prices
    kind = resolve_prices(prices)
    if kind == CURRENT:
        if base_year is not None:
            raise InputError("Et basisår giver kun mening med faste priser (--prices faste).")
        return CURRENT_PRICES
    cache: dict[Any, PriceBasis] = release.__dict__.setdefault("_price_bases", {})
    if base_year in cache:
        return cache[base_year]
    info = release.manifest.get("price_index") or {}
    if not info:
        raise DataNotAvailable("Datareleasen har intet prisindeks, så tallene kan kun vises i løbende priser.")
    rows = release.query("SELECT year, value, status FROM price_index WHERE index_id = ? ORDER BY year",
                         [info["id"]])
    values = {int(y): float(v) for y, v, _ in rows}
    base = int(base_year if base_year is not None else info.get("default_base_year") or max(values))
    if base not in values:
        raise DataNotAvailable(f"Basisåret {base} findes ikke i prisindekset {info['id']} "
                               f"({min(values)}-{max(values)}).")
    basis = PriceBasis(kind=FIXED, base_year=base, index_id=str(info["id"]), index_name=str(info.get("name")),
                       index_label=str(info.get("label") or info.get("name")), fallback=bool(info.get("fallback")),
                       values=values, estimated_years=tuple(int(y) for y, _, st in rows if st != "observed"))
    cache[base_year] = basis
    return basis


__all__ = ["CURRENT", "CURRENT_LABEL", "CURRENT_PRICES", "FIXED", "PriceBasis", "price_basis", "resolve_prices"]
