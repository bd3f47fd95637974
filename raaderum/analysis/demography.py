"""Demografiregulering: the expected change of each area's spending in B and BO1-BO3 from demography alone.

For municipality m, area a with target group N (an age band of the catalogue) and the current spending per
target-group member e = E / N of the latest accounts year (the key figures' unit cost, in fixed prices)::

    expected spending(y) = e · N̂(y)           change(y) = e · (N̂(y) − N̂(base))

with N̂ the projected target group (:mod:`raaderum.analysis.projection`) and base the last year with an observed
population total (the budget years are the four years after it). Positive = more spending needed to keep today's
spending per target-group member (merudgift); negative = less (mindreudgift). The band is ± e · N̂(y) · ε(h), with
ε(h) the P90 of the absolute relative error of the back-test at the same horizon h (ages 80+: the 80+ back-test;
other 65+ bands: the worse of 67+ and 70+; all inhabitants: the trend of the total (``TREND_BAND``);
the other bands below 65, which cannot be
back-tested by age, :data:`UNDER65_BAND_FACTOR` × the total's error, an assumption).

Elderly care has an age-weighted variant: W(y) = Σ_b w_b · N̂_b(y) with relative unit costs w_b by age band from
``catalog/demography.toml`` (an assumption, said so wherever it is shown); expected(y) = E · W(y) / W(accounts
year) and change(y) = E · (W(y) − W(base)) / W(accounts year).

    >>> res = demographic_pressure(open_release(), "Aarhus")      # doctest: +SKIP
    >>> res.areas[0].years[0]["change"]                             # doctest: +SKIP
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from raaderum.analysis.key_figures import EXPENDITURE_TABLE, area_panel, price_provenance
from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.analysis.projection import BUDGET_LABELS, TREND_BAND, Projection, backtest, project_population
from raaderum.catalog import Catalog, load_catalog
from raaderum.release.demography import MAX_AGE
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import Release

#: Bands below 65 cannot be back-tested by age (single ages under 65 exist for 2021 only); their band is this
#: factor × the back-test error of the total population. An assumption: the age distribution of net migration
#: under 65 is unknown, so a band of children or adults is taken as twice as uncertain as the total.
UNDER65_BAND_FACTOR = 2.0
DEFAULT_PRICES = "faste"
SIGN_CONVENTION = ("Positiv = merudgift (flere i målgruppen kræver flere penge for at holde udgiften pr. person); "
                   "negativ = mindreudgift.")


@dataclass(frozen=True)
class AgeWeights:
    """Relative unit costs by age band for one area (an assumption from the registry)."""

    area: str
    name: str
    bands: tuple[tuple[int, int | None, float], ...]
    source: str
    reason: str
    assumption: bool

    def weights(self) -> np.ndarray:
        w = np.zeros(MAX_AGE + 1)
        for lo, hi, weight in self.bands:
            w[lo:(MAX_AGE if hi is None else hi) + 1] = weight
        return w

    def to_dict(self) -> dict[str, Any]:
        return {"area": self.area, "name": self.name, "assumption": self.assumption, "source": self.source,
                "reason": self.reason, "bands": [{"lo": lo, "hi": hi, "weight": w} for lo, hi, w in self.bands]}


@lru_cache(maxsize=1)
def load_age_weights() -> dict[str, AgeWeights]:
    """The age-weight registry (``raaderum/catalog/demography.toml``) by area id."""
    raw = tomllib.loads(resources.files("raaderum.catalog").joinpath("demography.toml").read_text(encoding="utf-8"))
    out = {}
    for area, e in (raw.get("age_weights") or {}).items():
        bands = tuple((int(b["lo"]), None if b.get("hi") is None else int(b["hi"]), float(b["weight"]))
                      for b in e["bands"])
        out[area] = AgeWeights(area=area, name=str(e["name"]), bands=bands, source=str(e["source"]),
                               reason=str(e["reason"]), assumption=bool(e.get("assumption", True)))
    return out


def _error_band(bt: Any, lo: int, hi: int | None, horizon: int) -> tuple[float | None, str]:
    """ε(h) for an age band and where it comes from (see the module docstring)."""
    if lo >= 80:
        return bt.error("80+", horizon), f"tilbagetest af 80+ ved {horizon} års horisont (P90)"
    if lo >= 65:
        vals = [v for v in (bt.error("67+", horizon), bt.error("70+", horizon)) if v is not None]
        return (max(vals) if vals else None), f"tilbagetest af 67+/70+ ved {horizon} års horisont (P90)"
    total = bt.error(TREND_BAND, horizon)
    if lo == 0 and hi is None:
        return total, f"tilbagetest af folketallets trend ved {horizon} års horisont (P90)"
    return (None if total is None else UNDER65_BAND_FACTOR * total), (
        f"{UNDER65_BAND_FACTOR:g} × tilbagetest af folketallets trend ved {horizon} års horisont (P90); "
        "aldersgrupper under 65 år kan ikke tilbagetestes (antagelse)")


def _f(x: Any) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


@dataclass
class AreaPressure:
    id: str
    name: str
    target_group: str
    target_group_name: str
    unit_cost: float | None  # e in the result's price basis, accounts year
    unit_cost_status: str
    expenditure: float | None  # E of the accounts year in the price basis
    base_target: float
    base_spending: float | None  # e · N̂(base)
    years: list[dict[str, Any]]
    weighted: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "target_group": self.target_group,
                "target_group_name": self.target_group_name, "unit_cost": self.unit_cost,
                "unit_cost_status": self.unit_cost_status, "expenditure": self.expenditure,
                "base_target": self.base_target, "base_spending": self.base_spending, "years": self.years,
                "weighted": self.weighted, "notes": list(self.notes)}


@dataclass
class DemographicPressure:
    municipality: Municipality
    accounts_year: int
    base_year: int
    budget_years: list[int]
    areas: list[AreaPressure]
    total: list[dict[str, Any]]
    method: dict[str, Any]
    provenance: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"municipality": {"code": self.municipality.code, "name": self.municipality.name},
                "accounts_year": self.accounts_year, "base_year": self.base_year,
                "base_year_status": "estimated", "budget_years": self.budget_years, "budget_years_status": "projection",
                "labels": dict(zip(map(str, self.budget_years), BUDGET_LABELS, strict=True)),
                "sign_convention": SIGN_CONVENTION, "areas": [a.to_dict() for a in self.areas],
                "total": self.total, "method": self.method, "provenance": self.provenance}

    def rows(self) -> list[dict[str, Any]]:
        """Flat table rows (one per area × budget year, plus the age-weighted variant), for CSV and Excel."""
        out = []
        for a in self.areas:
            variants = [("målgruppe × enhedsudgift", a.years)]
            if a.weighted:
                variants.append(("aldersvægtet (antagelse)", a.weighted["years"]))
            for variant, years in variants:
                for y in years:
                    out.append({"kommune": self.municipality.name, "kommunekode": self.municipality.code,
                                "område": a.name, "område_id": a.id, "variant": variant,
                                "målgruppe": a.target_group_name, "år": y["year"], "budgetår": y["label"],
                                "målgruppe_antal": y.get("target", y.get("weighted_target")), "status": y["status"],
                                "enhedsudgift": a.unit_cost, "forventet_udgift": y["expected"],
                                "ændring_fra_basisår": y["change"], "bånd_lav": (y["band"] or {}).get("low"),
                                "bånd_høj": (y["band"] or {}).get("high"), "relativ_fejl": y["rel_error"]})
        return out


def _years(proj: Projection, row: int, e: float | None, n: np.ndarray, base_n: float, horizon_err: list[Any],
           scale: float = 1.0) -> list[dict[str, Any]]:
    out = []
    prev = base_n
    for k, y in enumerate(proj.budget_years):
        eps, src = horizon_err[k]
        ny = float(n[k])
        if e is None:
            out.append({"year": y, "label": BUDGET_LABELS[k], "target": ny, "status": "projection",
                        "expected": None, "change": None, "change_from_previous": None, "band": None,
                        "rel_error": eps, "error_source": src})
            prev = ny
            continue
        expected = e * ny * scale
        change = e * (ny - base_n) * scale
        half = None if eps is None else abs(expected) * eps
        out.append({"year": y, "label": BUDGET_LABELS[k], "target": ny, "status": "projection",
                    "expected": expected, "change": change, "change_from_previous": e * (ny - prev) * scale,
                    "band": None if half is None else {"low": change - half, "high": change + half},
                    "rel_error": eps, "error_source": src})
        prev = ny
    return out


def demographic_pressure(release: Release, municipality: str | int | Municipality, area: str | None = None, *,
                         prices: str | PriceBasis | None = DEFAULT_PRICES, base_year: int | None = None,
                         year: int | None = None, catalog: Catalog | None = None) -> DemographicPressure:
    """Demografiregulering of every area (or ``area``) of one municipality for B and BO1-BO3.

    ``year`` is the accounts year of the unit cost (default: the latest); ``prices`` default fixed prices of the
    index's default base year (``base_year``)."""
    catalog = catalog or load_catalog()
    m = municipality if isinstance(municipality, Municipality) else release.register.resolve(municipality)
    areas = [catalog.area(area)] if area else list(catalog.areas)
    basis = price_basis(release, prices, base_year)
    acc_year = release.check_year(year)
    factor = basis.factor(acc_year)
    panel = area_panel(release, acc_year, catalog)
    proj = project_population(release)
    bt = backtest(release)
    i = panel.index(m.code)
    row = proj.row(m.code)
    weights = load_age_weights()
    out: list[AreaPressure] = []
    horizons = [y - proj.base_year for y in proj.budget_years]
    for a in areas:
        j = panel.area_index(a.id)
        tg = catalog.target_group(a.target_group)
        e = _f(panel.unit_cost[i, j])
        e = None if e is None else e * factor
        E = _f(panel.expenditure[i, j])
        E = None if E is None else E * factor
        n = proj.group(m.code, tg, proj.budget_years)
        base_n = float(proj.group(m.code, tg, [proj.base_year])[0])
        errs = [_error_band(bt, tg.age_min, tg.age_max, h) for h in horizons]
        notes = []
        if e is None:
            notes.append(f"Ingen enhedsudgift for {a.name} i {acc_year} (manglende regnskabstal); kun målgruppen "
                         "fremskrives.")
        if tg.id == "alle":
            notes.append("Målgruppen er hele befolkningen.")
        weighted = None
        aw = weights.get(a.id)
        if aw is not None and E is not None:
            w = aw.weights()
            wy = {y: float(proj.pyramids[y][row] @ w) for y in (*proj.budget_years, proj.base_year, acc_year)
                  if y in proj.pyramids}
            if acc_year in wy and wy[acc_year] > 0:
                per_w = E / wy[acc_year]
                lo_age = min(b[0] for b in aw.bands)
                # the weights put most of W on the oldest: the worse of the band's and the 80+ back-test
                werrs = [max((_error_band(bt, lo_age, None, h), _error_band(bt, 80, None, h)),
                             key=lambda x: -1.0 if x[0] is None else x[0]) for h in horizons]
                wyears = _years(proj, row, per_w, np.array([wy[y] for y in proj.budget_years]), wy[proj.base_year],
                                werrs)
                for y in wyears:
                    y["weighted_target"] = y.pop("target")
                weighted = {**aw.to_dict(), "cost_per_weight": per_w, "base_weighted_target": wy[proj.base_year],
                            "accounts_year_weighted_target": wy[acc_year], "years": wyears,
                            "method": ("Aldersvægtet: E × W(år) / W(regnskabsår), W = Σ vægt × antal pr. "
                                       "aldersgruppe. Vægtene er en ANTAGELSE (se kilden), ikke målt.")}
        out.append(AreaPressure(id=a.id, name=a.name, target_group=tg.id, target_group_name=tg.name, unit_cost=e,
                                unit_cost_status=str(panel.status[i, j]), expenditure=E, base_target=base_n,
                                base_spending=None if e is None else e * base_n,
                                years=_years(proj, row, e, n, base_n, errs), weighted=weighted, notes=notes))
    total = []
    for k, yr in enumerate(proj.budget_years):
        parts = [a.years[k] for a in out if a.years[k]["change"] is not None]
        change = sum(v["change"] for v in parts)
        half = sum((v["band"]["high"] - v["band"]["low"]) / 2 for v in parts if v["band"])
        total.append({"year": yr, "label": BUDGET_LABELS[k], "change": change,
                      "band": {"low": change - half, "high": change + half}, "areas": len(parts)})
    method = {
        "name": "Demografiregulering (målgruppe × enhedsudgift)",
        "formula": ("forventet udgift(år) = e × N̂(år); ændring(år) = e × (N̂(år) − N̂(basisår)), e = områdets "
                    f"nettodriftsudgift pr. person i målgruppen i regnskabsåret {acc_year} (nøgletallet), N̂ = den "
                    f"fremskrevne målgruppe; basisår = {proj.base_year} (seneste observerede folketal)."),
        "band": ("± e × N̂(år) × ε(h), ε(h) = P90 af den absolutte relative fejl i tilbagetesten ved samme horisont h; "
                 f"aldersgrupper under 65 år: {UNDER65_BAND_FACTOR:g} × folketallets fejl (antagelse). Båndet for "
                 "i alt er summen af områdernes bånd (fejlene er korrelerede)."),
        "total": "I alt = summen af områdernes ændring efter målgruppe × enhedsudgift (ældrepleje uvægtet).",
        "sign_convention": SIGN_CONVENTION,
        "projection": proj.method_text, "projection_method": proj.method,
        "projection_parameters": proj.parameters, "backtest": bt.method,
        "assumption": ("Udgiften pr. person i målgruppen holdes på regnskabsårets niveau i faste priser; "
                       "servicen, dækningsgraden og enhedsprisen ændres ikke."),
        "prices": basis.to_dict(acc_year),
    }
    provenance = {"source": "Danmarks Statistik", "tables": [EXPENDITURE_TABLE, "FOLK1AM", "FOLK1A"],
                  "year": acc_year, **price_provenance(release, basis, acc_year), "release_id": release.id,
                  "catalog_version": catalog.version, "status": "projection", "method": proj.method,
                  "attribution": release.manifest.get("attribution") or "Kilde: Danmarks Statistik"}
    return DemographicPressure(municipality=m, accounts_year=acc_year, base_year=proj.base_year,
                               budget_years=list(proj.budget_years), areas=out, total=total, method=method,
                               provenance=provenance)


def method_summary(release: Release) -> dict[str, Any]:
    """The Danish texts and the back-test table for the "Metode og data" page: the projection's method and
    parameters, the demografiregulering's formula, band and assumptions, the age weights (an assumption) and the
    back-test summary per age band and horizon (MAPE, P90, max, bias over the 98 municipalities)."""
    proj = project_population(release)
    bt = backtest(release)
    return {
        "projection": {"name": "Befolkningsfremskrivning (kohortefremskrivning med nettoændring)",
                       "method": proj.method, "text": proj.method_text, "parameters": proj.parameters,
                       "status": "projection", "official": bool(proj.parameters["official_years"])},
        "demografiregulering": {
            "formula": ("forventet udgift(år) = e × N̂(år); ændring(år) = e × (N̂(år) − N̂(basisår)); e = udgift pr. "
                        "person i målgruppen i seneste regnskabsår i faste priser."),
            "band": ("± e × N̂(år) × ε(h), ε(h) = P90 af den absolutte fejl i tilbagetesten ved samme horisont; "
                     f"aldersgrupper under 65 år: {UNDER65_BAND_FACTOR:g} × folketallets fejl (antagelse)."),
            "sign_convention": SIGN_CONVENTION,
            "assumption": "Udgiften pr. person i målgruppen, dækningsgraden og servicen holdes uændret.",
        },
        "age_weights": [w.to_dict() for w in load_age_weights().values()],
        "backtest": {"method": bt.method, "summary": bt.summary},
    }


def pressure_overview(release: Release, area: str | None = None, *, prices: str | PriceBasis | None = DEFAULT_PRICES,
                      base_year: int | None = None, year: int | None = None,
                      catalog: Catalog | None = None) -> dict[str, Any]:
    """The column "demografisk pres" for all 98 municipalities: per municipality the change in B and BO3 (kr.,
    price basis as :func:`demographic_pressure`) summed over the areas (or for ``area``), and BO3 as a share of
    the areas' current spending."""
    catalog = catalog or load_catalog()
    basis = price_basis(release, prices, base_year)
    acc_year = release.check_year(year)
    factor = basis.factor(acc_year)
    panel = area_panel(release, acc_year, catalog)
    proj = project_population(release)
    areas = [catalog.area(area)] if area else list(catalog.areas)
    n = len(panel.codes)
    change = np.zeros((n, len(proj.budget_years)))
    spend = np.zeros(n)
    for a in areas:
        j = panel.area_index(a.id)
        tg = catalog.target_group(a.target_group)
        e = panel.unit_cost[:, j] * factor
        ok = np.isfinite(e)
        rows = [proj.row(int(c)) for c in panel.codes]
        fut = proj.group(None, tg, proj.budget_years)[rows]
        base = proj.group(None, tg, [proj.base_year])[rows, 0]
        change[ok] += e[ok, None] * (fut[ok] - base[ok, None])
        spend[ok] += np.nan_to_num(panel.expenditure[ok, j]) * factor
    items = []
    for r, c in enumerate(panel.codes):
        items.append({"code": int(c), "name": release.register.by_code(int(c)).name,
                      "changes": {BUDGET_LABELS[k]: float(change[r, k]) for k in range(len(proj.budget_years))},
                      "bo3_share_of_spending": float(change[r, -1] / spend[r]) if spend[r] > 0 else None})
    return {"area": area, "accounts_year": acc_year, "base_year": proj.base_year, "budget_years": proj.budget_years,
            "municipalities": items, "sign_convention": SIGN_CONVENTION, "status": "projection",
            "method": proj.method, **price_provenance(release, basis, acc_year)}


__all__ = ["AgeWeights", "AreaPressure", "DemographicPressure", "SIGN_CONVENTION", "UNDER65_BAND_FACTOR",
           "demographic_pressure", "load_age_weights", "method_summary", "pressure_overview"]
