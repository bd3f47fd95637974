"""Target groups (målgrupper) between and after the dates with single-year ages: methods and their measured error.

Single ages are observed on a few dates only: all ages on 1 January 2021, ages 65-125 on 1 January 2008, 2011, 2015,
2019 and 2022 (data/raw/SOURCES.md §8 and §10). For an age band [lo, hi] and a year y, :func:`estimate_groups`
returns the number of persons, a status and a method id:

* ``observed`` where y is a date whose single ages cover the band;
* ``age_share_interpolated`` between two such dates: the band's share of the population is interpolated linearly
  in time and multiplied by the year's observed population;
* ``cohort_ageing`` after the last such date, for bands of the oldest (lo ≥ 65, where migration is small): the last
  single-age pyramid is aged year by year with national one-year cohort ratios N(a+1, t+1)/N(a, t) (deaths and net
  migration together) measured between the last two observed dates;
* ``age_share_trend`` before the first date: the share's linear trend through the first two dates;
* ``age_share`` otherwise (bands observed on one date only, such as children in 2021): that date's share ×
  the year's population (the method of the first release).

:func:`validate` measures each method on dates where the truth is known by holding them back, and compares it with
the first release's method (the share on the 2021 date). The release carries the result in its manifest
(``method_validation``); :data:`MAX_MAPE` is the bound the tests hold the methods to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Oldest single age in the sources (Statistics Denmark's FOLK1A runs to 125).
MAX_AGE = 125
#: Bands starting at this age or above are estimated by cohort ageing after the last date (validated below).
COHORT_MIN_AGE = 65
#: The first release's method, used as the baseline of the validation: the band's share on this date.
BASELINE_DATE = 2021
#: Ages from which the one-year ratios are pooled (few persons per single age).
POOL_FROM_AGE = 100

#: Bounds on the mean absolute percentage error over the 98 municipalities on held-back dates: (method, longest
#: horizon in years or None for any) → bound. Interpolation is validated over gaps of 3-8 years, twice the gaps it
#: bridges in the release (holding a date back doubles the interval), so its error in the release is smaller than
#: measured; 4 % is less than a third of the first release's "2021 shares" error on the same dates (10-31 % for
#: 2011 and 2015). Cohort ageing is validated one and two years ahead, the horizons of the accounts years after the
#: last date (2023 and 2024): 2 % is about the size of one year's change of the 80+ share; three and four years
#: ahead (2025-2026, population only) 4 %. The backward trend is used for 2007 only (one year before 2008), validated
#: three years back: 6 %. Every method must also beat the baseline on every held-back date.
MAX_MAPE: dict[tuple[str, int | None], float] = {
    ("age_share_interpolated", None): 0.04, ("cohort_ageing", 2): 0.02, ("cohort_ageing", 4): 0.04,
    ("age_share_trend", None): 0.06,
}


def error_bound(method: str, horizon: int) -> float | None:
    """The bound of :data:`MAX_MAPE` that applies to ``method`` at ``horizon`` years (None when none does)."""
    fits = [(h if h is not None else 10**6, b) for (m, h), b in MAX_MAPE.items() if m == method
            and (h is None or horizon <= h)]
    return min(fits)[1] if fits else None


@dataclass
class AgePyramids:
    """Single-age counts per date: ``counts[date]`` is municipalities × ages 0..125 (NaN = age not observed)."""

    codes: np.ndarray
    counts: dict[int, np.ndarray]

    def min_age(self, date: int) -> int:
        cols = np.nonzero(np.isfinite(self.counts[date]).all(axis=0))[0]
        return int(cols.min()) if cols.size else MAX_AGE + 1

    def covers(self, date: int, lo: int) -> bool:
        return self.min_age(date) <= lo

    def band(self, date: int, lo: int, hi: int | None) -> np.ndarray:
        c = self.counts[date]
        return c[:, lo:(MAX_AGE if hi is None else hi) + 1].sum(axis=1)

    @property
    def dates(self) -> list[int]:
        return sorted(self.counts)


def pyramids_from_rows(codes: list[int] | np.ndarray, municipality: list[int], year: list[int], age: list[int],
                       persons: list[float]) -> AgePyramids:
    """Pyramids from long rows (municipality, year, age, persons); rows of other municipalities are ignored."""
    codes = np.asarray(sorted(int(c) for c in codes), dtype=np.int64)
    m = np.asarray(municipality, dtype=np.int64)
    y = np.asarray(year, dtype=np.int64)
    a = np.asarray(age, dtype=np.int64)
    p = np.asarray(persons, dtype=float)
    rows = np.searchsorted(codes, m)
    ok = (rows < len(codes)) & (codes[np.minimum(rows, len(codes) - 1)] == m) & (a >= 0) & (a <= MAX_AGE)
    counts: dict[int, np.ndarray] = {}
    for yy in np.unique(y[ok]).tolist():
        sel = ok & (y == yy)
        arr = np.full((len(codes), MAX_AGE + 1), np.nan)
        arr[rows[sel], a[sel]] = p[sel]
        seen = np.isfinite(arr).any(axis=0)  # ages above the highest one listed are 0, below the lowest unobserved
        lo = int(np.nonzero(seen)[0].min())
        arr[:, lo:] = np.nan_to_num(arr[:, lo:], nan=0.0)
        counts[int(yy)] = arr
    return AgePyramids(codes=codes, counts=counts)


# --------------------------------------------------------------------------------------------- cohort ageing


def cohort_ratios(p: AgePyramids, t1: int, t0: int) -> np.ndarray:
    """National one-year cohort ratios r[a] = N(a+1, t+1) / N(a, t) from the dates t1 < t0, g = t0 − t1 years apart.

    The g-year ratio R[a] = ΣN(a+g, t0) / ΣN(a, t1) is the product of the one-year ratios of the ages a … a+g−1;
    with ln r locally linear in age, ln r at the middle age a + (g−1)/2 is ln R[a] / g (exact for g = 1). Ages from
    :data:`POOL_FROM_AGE` are pooled; ages below the lowest measurable one get its ratio."""
    g = t0 - t1
    n0, n1 = np.nansum(p.counts[t0], axis=0), np.nansum(p.counts[t1], axis=0)
    lo = max(p.min_age(t0) - g, p.min_age(t1))
    starts = np.array([a for a in range(lo, POOL_FROM_AGE) if n1[a] > 0 and n0[a + g] > 0], dtype=float)
    log_r = np.array([np.log(n0[int(a) + g] / n1[int(a)]) / g for a in starts])
    mids = starts + (g - 1) / 2
    tail1, tail0 = n1[POOL_FROM_AGE:].sum(), n0[POOL_FROM_AGE + g:].sum()
    pooled = (tail0 / tail1) ** (1 / g) if tail1 and tail0 else 0.0
    r = np.full(MAX_AGE + 1, pooled)
    ages = np.arange(POOL_FROM_AGE)
    if len(mids):
        r[:POOL_FROM_AGE] = np.exp(np.interp(ages, mids, log_r))  # constant beyond the ends
    return r


def age_pyramid(pyramid: np.ndarray, ratios: np.ndarray, years: int) -> np.ndarray:
    """Age a pyramid (rows × ages) ``years`` years: N(a+1) = N(a) · r[a]; the oldest age absorbs survivors; ages
    younger than ``years`` (born after the base date) become NaN."""
    out = np.array(pyramid, dtype=float)
    for _ in range(years):
        nxt = np.full_like(out, np.nan)
        nxt[:, 1:] = out[:, :-1] * ratios[None, :-1]
        nxt[:, -1] += out[:, -1] * ratios[-1]
        out = nxt
    return out


def base_pyramid(p: AgePyramids, t0: int, ratios: np.ndarray) -> np.ndarray:
    """The pyramid on date ``t0`` with the ages it lacks filled from the latest earlier date that has them, aged
    to ``t0``."""
    base = p.counts[t0].copy()
    for d in sorted((d for d in p.dates if d < t0), reverse=True):
        missing = ~np.isfinite(base)
        if not missing.any():
            break
        aged = age_pyramid(p.counts[d], ratios, t0 - d)
        base = np.where(missing, aged, base)
    return base


# --------------------------------------------------------------------------------------------- estimates


@dataclass
class GroupEstimate:
    values: np.ndarray  # municipalities × years
    status: np.ndarray  # "observed" | "estimated" | "missing"
    method: np.ndarray  # method id or None


def estimate_groups(p: AgePyramids, population: np.ndarray, years: list[int], lo: int, hi: int | None, *,
                    dates: list[int] | None = None) -> GroupEstimate:
    """Persons in the band [lo, hi] for every municipality (rows of ``population``) and year (its columns).

    ``dates`` limits the observed dates that may be used (the validation holds some back)."""
    usable = [d for d in (dates if dates is not None else p.dates) if d in p.counts and p.covers(d, lo)]
    n, Y = population.shape
    values = np.full((n, Y), np.nan)
    status = np.full((n, Y), "missing", dtype=object)
    method = np.full((n, Y), None, dtype=object)
    if not usable:
        return GroupEstimate(values, status, method)
    pop_at = {d: population[:, years.index(d)] for d in usable if d in years}
    share = {d: p.band(d, lo, hi) / pop_at[d] for d in usable if d in pop_at}
    obs_dates = sorted(share)
    cohort = None
    full = [d for d in (dates if dates is not None else p.dates) if d in p.counts]
    if lo >= COHORT_MIN_AGE and len(full) >= 2:
        t0, t1 = full[-1], full[-2]
        ratios = cohort_ratios(p, t1, t0)
        cohort = (t0, base_pyramid(p, t0, ratios), ratios)
    for j, y in enumerate(years):
        before = [d for d in obs_dates if d < y]
        after = [d for d in obs_dates if d > y]
        if y in share:
            values[:, j], status[:, j], method[:, j] = p.band(y, lo, hi), "observed", None
            continue
        if before and after:
            d0, d1 = before[-1], after[0]
            t = (y - d0) / (d1 - d0)
            s = share[d0] * (1 - t) + share[d1] * t
            m = "age_share_interpolated"
        elif before and cohort is not None and y > cohort[0]:
            t0, base, ratios = cohort
            aged = age_pyramid(base, ratios, y - t0)
            values[:, j] = aged[:, lo:(MAX_AGE if hi is None else hi) + 1].sum(axis=1)
            status[:, j], method[:, j] = "estimated", "cohort_ageing"
            continue
        elif after and len(after) >= 2 and not before:
            d0, d1 = after[0], after[1]
            s = share[d0] + (share[d0] - share[d1]) * (d0 - y) / (d1 - d0)
            m = "age_share_trend"
        else:
            d = min(obs_dates, key=lambda a: (abs(a - y), a))
            s = share[d]
            m = "age_share"
        values[:, j] = s * population[:, j]
        status[:, j], method[:, j] = "estimated", m
    return GroupEstimate(values, status, method)


# --------------------------------------------------------------------------------------------- validation


def _errors(est: np.ndarray, true: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(est) & (true > 0)
    ape = np.abs(est[ok] / true[ok] - 1)
    return {"n": int(ok.sum()), "mape": float(ape.mean()), "p90": float(np.percentile(ape, 90)),
            "max": float(ape.max())}


def validate(p: AgePyramids, population: np.ndarray, years: list[int],
             bands: dict[str, tuple[int, int | None]]) -> list[dict[str, object]]:
    """Each method's error on dates where the truth is known, by holding the date (and later dates) back.

    Interpolation: every interior date, bridged from its neighbours. Cohort ageing: each date after the second,
    forecast from the dates before it (1-4 years ahead where the base pyramid covers the band). Trend: the first
    date, from the next two. The baseline is the first release's method (the band's share on 1 January 2021, or
    the nearest other date when 2021 is the date held back)."""
    out: list[dict[str, object]] = []
    for tg, (lo, hi) in bands.items():
        dates = [d for d in p.dates if p.covers(d, lo) and d in years]
        if len(dates) < 3:
            continue
        pop = {d: population[:, years.index(d)] for d in dates}

        def baseline(d: int, lo: int = lo, hi: int | None = hi, dates: list[int] = dates,
                     pop: dict[int, np.ndarray] = pop) -> np.ndarray:
            ref = BASELINE_DATE if BASELINE_DATE != d and BASELINE_DATE in dates else \
                min((x for x in dates if x != d), key=lambda x: (abs(x - d), x))
            return p.band(ref, lo, hi) / pop[ref] * pop[d]

        def record(method: str, d: int, used: list[int], est: np.ndarray, horizon: int,
                   tg: str = tg, lo: int = lo, hi: int | None = hi) -> None:
            true = p.band(d, lo, hi)
            e, b = _errors(est, true), _errors(baseline(d), true)
            out.append({"method": method, "target_group": tg, "held_out": d, "from_dates": used, "horizon": horizon,
                        "n": e["n"], "mape": round(e["mape"], 6), "p90": round(e["p90"], 6),
                        "max": round(e["max"], 6), "baseline_mape": round(b["mape"], 6),
                        "bound": error_bound(method, horizon)})

        for k in range(1, len(dates) - 1):
            d = dates[k]
            keep = [x for x in p.dates if x != d]
            g = estimate_groups(p, population, years, lo, hi, dates=keep)
            gap = dates[k + 1] - dates[k - 1]
            record("age_share_interpolated", d, [dates[k - 1], dates[k + 1]], g.values[:, years.index(d)], gap)
        if lo >= COHORT_MIN_AGE:
            for k in range(2, len(dates)):
                d = dates[k]
                keep = [x for x in p.dates if x < d]
                g = estimate_groups(p, population, years, lo, hi, dates=keep)
                est = g.values[:, years.index(d)]
                if g.method[0, years.index(d)] == "cohort_ageing" and np.isfinite(est).all():
                    record("cohort_ageing", d, keep[-2:], est, d - keep[-1])
        keep = [x for x in p.dates if x != dates[0]]
        g = estimate_groups(p, population, years, lo, hi, dates=[x for x in keep if x > dates[0]])
        if g.method[0, years.index(dates[0])] == "age_share_trend":
            record("age_share_trend", dates[0], dates[1:3], g.values[:, years.index(dates[0])], dates[1] - dates[0])
    return out


__all__ = ["AgePyramids", "COHORT_MIN_AGE", "GroupEstimate", "MAX_MAPE", "age_pyramid", "base_pyramid",
           "cohort_ratios", "error_bound", "estimate_groups", "pyramids_from_rows", "validate"]
