"""What the builder fills in between the inputs: population in every year, target groups, structural variables.

Every value carries a status (:data:`raaderum.release.registry.STATUS_ORDER`) and, unless observed, the id of its
method (:data:`raaderum.release.registry.METHODS`). Pure functions of :class:`raaderum.release.build.ReleaseInputs`
parts; :mod:`raaderum.release.build` writes the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from raaderum.catalog import Catalog
from raaderum.errors import DataReleaseError
from raaderum.release import demography
from raaderum.release.inputs import ReleaseInputs
from raaderum.release.registry import AGE_BANDS, weakest

#: Target groups whose estimation methods are validated on held-back dates (the oldest: several dates observed).
VALIDATED_GROUPS = ("65+", "67+", "80+")


def _columns(rows: dict[str, list[object]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({k: pa.array(rows[k], t) for k, t in types.items()})


def fill_population(pop: pa.Table, codes: list[int], years: list[int]) -> pa.Table:
    """Observed population, extended to every year in ``years`` by trend (marked estimated)."""
    obs: dict[tuple[int, int], float] = {}
    for m, y, v in zip(pop.column("municipality_code").to_pylist(), pop.column("year").to_pylist(),
                       pop.column("population").to_pylist(), strict=True):
        if v is not None:
            obs[(int(m), int(y))] = float(v)
    rows: dict[str, list[object]] = {"municipality_code": [], "year": [], "population": [], "status": [],
                                     "method": []}
    for m in codes:
        have = sorted(y for (mm, y) in obs if mm == m)
        if not have:
            raise DataReleaseError(f"Intet folketal for kommune {m}: en release kræver folketal for alle 98.")
        first, last = have[0], have[-1]
        span = min(5, last - first)
        g_fwd = (obs[(m, last)] / obs[(m, last - span)]) ** (1 / span) if span and (m, last - span) in obs else 1.0
        g_back = (obs[(m, first + span)] / obs[(m, first)]) ** (1 / span) if span and (m, first + span) in obs \
            else 1.0
        for y in sorted(set(years) | set(have)):
            if (m, y) in obs:
                v, status, method = obs[(m, y)], "observed", None
            elif y > last:
                v, status, method = obs[(m, last)] * g_fwd ** (y - last), "estimated", "population_trend"
            elif y < first:
                v, status, method = obs[(m, first)] / g_back ** (first - y), "estimated", "population_backcast"
            else:  # a gap inside the observed years: interpolate geometrically
                lo = max(h for h in have if h < y)
                hi = min(h for h in have if h > y)
                v = obs[(m, lo)] * (obs[(m, hi)] / obs[(m, lo)]) ** ((y - lo) / (hi - lo))
                status, method = "estimated", "population_trend"
            rows["municipality_code"].append(m)
            rows["year"].append(y)
            rows["population"].append(round(v) if status == "estimated" else v)
            rows["status"].append(status)
            rows["method"].append(method)
    return _columns(rows, {"municipality_code": pa.int32(), "year": pa.int32(), "population": pa.float64(),
                           "status": pa.string(), "method": pa.string()})


@dataclass
class Panel:
    """One quantity for the 98 municipalities (rows follow ``codes``) × ``years``, with status and method."""

    codes: list[int]
    years: list[int]
    values: np.ndarray
    status: np.ndarray
    method: np.ndarray

    def at(self, code: int, year: int) -> tuple[float, str, str | None]:
        i, j = self.codes.index(code), self.years.index(year)
        return float(self.values[i, j]), str(self.status[i, j]), self.method[i, j]


def population_panel(population: pa.Table, codes: list[int]) -> Panel:
    years = sorted(set(population.column("year").to_pylist()))
    row, col = {c: i for i, c in enumerate(codes)}, {y: j for j, y in enumerate(years)}
    vals = np.full((len(codes), len(years)), np.nan)
    st = np.full(vals.shape, "missing", dtype=object)
    me = np.full(vals.shape, None, dtype=object)
    d = population.to_pydict()
    for m, y, p, s, mm in zip(d["municipality_code"], d["year"], d["population"], d["status"], d["method"],
                              strict=True):
        if m in row:
            vals[row[m], col[y]], st[row[m], col[y]], me[row[m], col[y]] = p, s, mm
    return Panel(codes, years, vals, st, me)


@dataclass
class TargetGroups:
    table: pa.Table
    panels: dict[str, Panel]  # target group or share band id → persons
    validation: list[dict[str, object]] = field(default_factory=list)
    age_dates: dict[int, int] = field(default_factory=dict)  # date → lowest observed single age


def target_groups(inputs: ReleaseInputs, population: Panel, catalog: Catalog) -> TargetGroups:
    """Persons per target group (and share band) for every municipality and year; Hele landet = the sum."""
    bands = {tg.id: (tg.age_min, tg.age_max) for tg in catalog.target_groups.values()}
    bands.update(AGE_BANDS)
    codes, years = population.codes, population.years
    by_age = inputs.population_by_age
    d = by_age.to_pydict() if by_age is not None and by_age.num_rows else \
        {"municipality_code": [], "year": [], "age": [], "persons": []}
    pyr = demography.pyramids_from_rows(codes, d["municipality_code"], d["year"], d["age"], d["persons"])
    pyr.counts = {y: c for y, c in pyr.counts.items() if y in years}  # a date needs its population too
    panels: dict[str, Panel] = {}
    for tg_id, (lo, hi) in bands.items():
        if lo == 0 and hi is None:
            panels[tg_id] = Panel(codes, years, population.values.copy(), population.status.copy(),
                                  population.method.copy())
            continue
        g = demography.estimate_groups(pyr, population.values, years, lo, hi)
        panels[tg_id] = Panel(codes, years, g.values, g.status, g.method)
    rows: dict[str, list[object]] = {k: [] for k in ("municipality_code", "year", "target_group", "persons",
                                                     "status", "method")}
    for tg_id in sorted(catalog.target_groups):
        p = panels[tg_id]
        for j, y in enumerate(years):
            col = p.values[:, j]
            if not np.isfinite(col).all():
                continue
            for i, m in enumerate(codes):
                rows["municipality_code"].append(m)
                rows["year"].append(y)
                rows["target_group"].append(tg_id)
                rows["persons"].append(float(col[i]))
                rows["status"].append(str(p.status[i, j]))
                rows["method"].append(p.method[i, j])
            observed = bool((p.status[:, j] == "observed").all())
            rows["municipality_code"].append(0)
            rows["year"].append(y)
            rows["target_group"].append(tg_id)
            rows["persons"].append(float(col.sum()))
            rows["status"].append("observed" if observed else "estimated")
            rows["method"].append(None if observed else "national_sum")
    table = _columns(rows, {"municipality_code": pa.int32(), "year": pa.int32(), "target_group": pa.string(),
                            "persons": pa.float64(), "status": pa.string(), "method": pa.string()})
    validation = demography.validate(pyr, population.values, years,
                                     {tg: bands[tg] for tg in VALIDATED_GROUPS if tg in bands})
    return TargetGroups(table=table, panels=panels, validation=validation,
                        age_dates={y: pyr.min_age(y) for y in pyr.dates})


def series_observations(inputs: ReleaseInputs, name: str) -> dict[int, dict[int, float]]:
    """Municipality → year → value of one annual series of the inputs (empty when the inputs lack it)."""
    out: dict[int, dict[int, float]] = {}
    if inputs.series is not None and inputs.series.num_rows:
        d = inputs.series.to_pydict()
        for m, y, s, v in zip(d["municipality_code"], d["year"], d["series"], d["value"], strict=True):
            if s == name and v is not None and m:
                out.setdefault(int(m), {})[int(y)] = float(v)
    return out


def noegletal_observations(inputs: ReleaseInputs, indicator: str) -> dict[int, dict[int, float]]:
    """Municipality → year → value of one noegletal key figure (markers 'M'/'U' are left out)."""
    out: dict[int, dict[int, float]] = {}
    if inputs.noegletal is not None and inputs.noegletal.num_rows:
        d = inputs.noegletal.to_pydict()
        for m, y, i, v in zip(d["municipality_code"], d["year"], d["indicator"], d["value"], strict=True):
            if i == indicator and v is not None and m:
                out.setdefault(int(m), {})[int(y)] = float(v)
    return out


def filled_panel(obs: dict[int, dict[int, float]], codes: list[int], years: list[int]) -> Panel | None:
    """Observed values on the release's years, interpolated between observed years and carried forward/back beyond
    them (each marked with its method); None when there are no observations."""
    if not obs:
        return None
    vals = np.full((len(codes), len(years)), np.nan)
    st = np.full(vals.shape, "missing", dtype=object)
    me = np.full(vals.shape, None, dtype=object)
    for i, m in enumerate(codes):
        have = obs.get(m, {})
        ys = sorted(have)
        for j, y in enumerate(years):
            if y in have:
                vals[i, j], st[i, j] = have[y], "observed"
            elif not ys:
                continue
            elif ys[0] < y < ys[-1]:
                lo, hi = max(a for a in ys if a < y), min(a for a in ys if a > y)
                t = (y - lo) / (hi - lo)
                vals[i, j], st[i, j], me[i, j] = have[lo] * (1 - t) + have[hi] * t, "estimated", \
                    "series_interpolated"
            elif y > ys[-1]:
                vals[i, j], st[i, j], me[i, j] = have[ys[-1]], "estimated", "series_carried_forward"
            else:
                vals[i, j], st[i, j], me[i, j] = have[ys[0]], "estimated", "series_carried_back"
    return Panel(codes, years, vals, st, me)


def _area_panel(inputs: ReleaseInputs, population: Panel) -> Panel:
    """Official area in km² per municipality and year: ``area_km2`` inputs (by year, or one value for all years),
    else the noegletal report; carried forward where the source stops; from density as a last resort."""
    codes, years = population.codes, population.years
    vals = np.full((len(codes), len(years)), np.nan)
    st = np.full(vals.shape, "missing", dtype=object)
    me = np.full(vals.shape, None, dtype=object)
    obs: dict[int, dict[int | None, float]] = {}
    if inputs.area_km2 is not None and inputs.area_km2.num_rows:
        d = inputs.area_km2.to_pydict()
        for k in range(inputs.area_km2.num_rows):
            a = d["area_km2"][k]
            if a:
                obs.setdefault(int(d["municipality_code"][k]), {})[d["year"][k] if "year" in d else None] = float(a)
    if not obs:
        for m, by_year in noegletal_observations(inputs, "areal_km2").items():
            obs[m] = {y: v for y, v in by_year.items()}
    for i, m in enumerate(codes):
        have = obs.get(m, {})
        dated = sorted(y for y in have if y is not None)
        for j, y in enumerate(years):
            if y in have:
                vals[i, j], st[i, j] = have[y], "observed"
            elif None in have:
                vals[i, j], st[i, j] = have[None], "observed"
            elif dated:
                src = max((a for a in dated if a < y), default=None)
                src = src if src is not None else dated[0]
                vals[i, j], st[i, j], me[i, j] = have[src], "estimated", "area_carried_forward"
    if np.isnan(vals).any() and inputs.density is not None:
        dens: dict[tuple[int, int], float] = {}
        dd = inputs.density.to_pydict()
        for m, y, v in zip(dd["municipality_code"], dd["year"], dd["density"], strict=True):
            if v:
                dens[(int(m), int(y))] = float(v)
        for i, m in enumerate(codes):
            if np.isnan(vals[i]).all():
                est = [population.values[i, j] / dens[(m, y)] for j, y in enumerate(years)
                       if (m, y) in dens and population.status[i, j] == "observed"]
                if est:
                    vals[i, :], st[i, :], me[i, :] = float(np.mean(est)), "estimated", "area_from_density"
    return Panel(codes, years, vals, st, me)


def structure(inputs: ReleaseInputs, population: Panel, groups: TargetGroups) -> pa.Table:
    """The ``structure`` table: every structural variable of :data:`raaderum.release.registry.STRUCTURE_VARIABLES`
    the inputs allow, for the 98 municipalities and every year of the population table."""
    codes, years = population.codes, population.years
    rows: dict[str, list[object]] = {k: [] for k in ("municipality_code", "year", "variable", "value", "status",
                                                     "method")}

    def add(var: str, i: int, j: int, value: float, status: str, method: str | None) -> None:
        rows["municipality_code"].append(codes[i])
        rows["year"].append(years[j])
        rows["variable"].append(var)
        rows["value"].append(None if not np.isfinite(value) else float(value))
        rows["status"].append(status if np.isfinite(value) else "missing")
        rows["method"].append(method if status != "observed" else None)

    def add_panel(var: str, p: Panel) -> None:
        for j in range(len(years)):
            if not np.isfinite(p.values[:, j]).all():
                continue
            for i in range(len(codes)):
                add(var, i, j, p.values[i, j], str(p.status[i, j]), p.method[i, j])

    def ratio(num: Panel, den: Panel, scale: float = 1.0) -> Panel:
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(den.values > 0, num.values / den.values * scale, np.nan)
        st = np.vectorize(weakest, otypes=[object])(num.status, den.status)
        me = np.full(v.shape, None, dtype=object)
        from_den = den.status != "observed"
        me[from_den] = den.method[from_den]
        from_num = num.status != "observed"
        me[from_num] = num.method[from_num]
        return Panel(codes, years, v, st, me)

    add_panel("population", population)
    area = _area_panel(inputs, population)
    if np.isfinite(area.values).any():
        add_panel("area_km2", area)
        dens = ratio(population, area)
        dens.method = np.full(dens.values.shape, None, dtype=object)
        dens.method[dens.status != "observed"] = "density_from_area"
        add_panel("density", dens)
    p5: list[tuple[int, int]] = [(j, years.index(y - 5)) for j, y in enumerate(years) if y - 5 in years]
    for j, k in p5:
        for i in range(len(codes)):
            now, then = population.values[i, j], population.values[i, k]
            st = weakest(str(population.status[i, j]), str(population.status[i, k]))
            add("population_growth_5y", i, j, now / then - 1 if then else np.nan, st,
                None if st == "observed" else "population_trend")
    for band in AGE_BANDS:
        add_panel(band, ratio(groups.panels[band], population))
    socio = filled_panel(noegletal_observations(inputs, "socioekonomisk_indeks"), codes, years)
    if socio is not None:
        add_panel("socioeconomic_index", socio)
    for var in ("disposable_income", "unemployment_rate"):
        p = filled_panel(series_observations(inputs, var), codes, years)
        if p is not None:
            add_panel(var, p)
    emp = filled_panel(series_observations(inputs, "employees_fte"), codes, years)
    if emp is not None:
        r = ratio(emp, groups.panels["17-64"])
        r.method[(r.status != "observed") & (emp.status == "observed")] = "ratio_of_estimate"
        add_panel("employment_rate", r)
    hi, tot = (filled_panel(series_observations(inputs, s), codes, years)
               for s in ("education_15_69_higher", "education_15_69_total"))
    if hi is not None and tot is not None:
        add_panel("higher_education_share", ratio(hi, tot))
    return _columns(rows, {"municipality_code": pa.int32(), "year": pa.int32(), "variable": pa.string(),
                           "value": pa.float64(), "status": pa.string(), "method": pa.string()})


__all__ = ["Panel", "TargetGroups", "VALIDATED_GROUPS", "fill_population", "population_panel", "structure",
           "target_groups"]
