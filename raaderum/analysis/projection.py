"""Population projection by single year of age for the budget year B and the plan years BO1-BO3.

The release observes every single age on 1 January 2021 only, the ages 65-125 on 1 January 2008, 2011, 2015, 2019
and 2022, and every municipality's total on 1 January 2007-2026 (see :mod:`raaderum.release.demography`). From
these the projection runs year by year (cohort ageing with age-specific net change, deaths and migration together):

1. **Base**: the full pyramid of 1 January 2021.
2. **Ageing**: N(a+1, t+1) = N(a, t) · r(a) · k_m for a ≥ 64, with r the national one-year cohort ratios measured
   between the last two dates with ages 65+ (2021 → 2022 in the shipped release, the full pyramid counting as one;
   :func:`raaderum.release.demography.cohort_ratios`) and
   k_m the municipality's own yearly net change of its 65+ relative to the country over the same dates
   (``municipal_elderly``; the back-test decides whether it helps). Below 64 the cohort is aged unchanged
   (r = 1) before the calibration of step 4; the oldest age absorbs its survivors.
3. **Births**: the 0-year-olds of t+1 = the municipality's ratio of 0-year-olds to 20-44-year-olds on 1 January
   2021 × its 20-44-year-olds of t+1.
4. **Calibration to the observed totals**: where the release observes the ages 65+ (2022) they replace the aged
   ones; the ages 0-64 are then scaled by one factor c_m,t so the municipality's total equals its observed total
   (2022-2026). In the years after the last observed total (the projection years) c_m,t is the geometric mean of
   the municipality's last :data:`MIGRATION_LOOKBACK` observed factors: its recent net migration continues.

Every number of a year after the last observed total is a projection (``status = "projection"``, method
:data:`METHOD_ID`); the years 2022-2026 are estimates calibrated to observed totals (``estimated``). When a release
carries Statistics Denmark's official municipal projection (FRKM, table :data:`OFFICIAL_TABLE` fetched by
``raaderum data update``), :func:`project_population` uses it for the projection years and says so
(``method = "frkm_official"``); the embedded release has none.

:func:`backtest` projects from earlier observed dates to later ones (ages 65+: 2011 → 2015, 2015 → 2019, 2019 →
2021/2022, 2021 → 2022; totals: 2022 → 2023-2026) and reports the error per municipality and age band.

    >>> proj = project_population(open_release())                # doctest: +SKIP
    >>> proj.budget_years, proj.band(751, 80, None)[-1]           # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from raaderum.catalog import Catalog, TargetGroup, load_catalog
from raaderum.errors import DataNotAvailable
from raaderum.release.demography import MAX_AGE, AgePyramids, age_pyramid, cohort_ratios, pyramids_from_rows
from raaderum.release.reader import Release

METHOD_ID = "cohort_net_change"
OFFICIAL_METHOD_ID = "frkm_official"
#: The table a release would carry Statistics Denmark's official municipal projection in (FRKM; columns
#: municipality_code, year, age, persons). ``raaderum data update`` is the only way it gets there.
OFFICIAL_TABLE = "population_projection"
#: B, BO1, BO2, BO3.
BUDGET_LABELS = ("B", "BO1", "BO2", "BO3")
PROJECTION_YEARS = len(BUDGET_LABELS)
#: How many of the last observed calibration factors are averaged for the projection years.
MIGRATION_LOOKBACK = 4
#: Ages counted as "mothers" for the births of the year (their ratio to the 0-year-olds on the full-age date).
BIRTH_AGES = (20, 44)
#: Ages from which the net change is measured on the dates with ages 65+ (the transition 64 → 65 included).
ELDERLY_FROM = 65
AGES = np.arange(MAX_AGE + 1)

METHOD_TEXT = (
    "Fremskrivning (ikke Danmarks Statistiks befolkningsfremskrivning): kohortefremskrivning år for år fra den fulde "
    "aldersfordeling 1. januar 2021. De 64-årige og ældre ældes med landets etårige kohorteforhold "
    "N(alder+1, år+1)/N(alder, år) (dødsfald og nettoflytninger samlet) målt mellem de to seneste datoer med "
    "enkeltårsaldre for 65+ ({d1} og {d0}){municipal}. Under 64 år ældes årgangene uændret, og de 0-årige er "
    "kommunens forhold mellem 0-årige og 20-44-årige i 2021 gange årets 20-44-årige. Derefter skaleres de 0-64-årige "
    "med én faktor pr. kommune og år, så folketallet passer med det observerede folketal (2022-{last}); de "
    "observerede 65+-årige 1. januar 2022 bruges direkte. I fremskrivningsårene er faktoren det geometriske "
    "gennemsnit af kommunens sidste {lookback} faktorer, dvs. at kommunens seneste nettotilflytning fortsætter. "
    "Antagelser: nettoflytningerne under 65 år fordeles ligeligt på alderen (datagrundlaget har ingen "
    "aldersfordeling under 65 år uden for 2021), og fertiliteten er som i 2021. Fejlen er målt ved "
    "tilbagetestning (se back-testen)."
)
MUNICIPAL_TEXT = (" og kommunens egen årlige nettoændring af de 65+-årige i forhold til landet over samme "
                  "datoer")


@dataclass
class ProjectionInputs:
    """The observed data the projection needs, as arrays (rows follow ``codes``)."""

    codes: np.ndarray
    pyramids: AgePyramids
    totals: dict[int, np.ndarray]  # year → observed total per municipality
    full_date: int  # the date with every single age
    elderly_dates: list[int]  # dates with ages 65+ (the full date included)


def load_inputs(release: Release) -> ProjectionInputs:
    """Read the single ages and the observed totals of the release (once per release)."""
    cache = release.__dict__.get("_projection_inputs")
    if cache is not None:
        return cache  # type: ignore[no-any-return]
    codes = np.array(sorted(release.register.codes()), dtype=np.int64)
    t = release.query_arrow("SELECT municipality_code, year, age, persons FROM population_by_age "
                            "WHERE municipality_code <> 0")
    p = pyramids_from_rows(codes, t.column("municipality_code").to_pylist(), t.column("year").to_pylist(),
                           t.column("age").to_pylist(), t.column("persons").to_pylist())
    row = {int(c): i for i, c in enumerate(codes)}
    totals: dict[int, np.ndarray] = {}
    for code, year, pop in release.query("SELECT municipality_code, year, population FROM population "
                                         "WHERE status = 'observed' AND municipality_code <> 0"):
        if code in row and pop is not None:
            totals.setdefault(int(year), np.full(len(codes), np.nan))[row[code]] = float(pop)
    totals = {y: v for y, v in totals.items() if np.isfinite(v).all()}
    full = [d for d in p.dates if p.min_age(d) == 0]
    if not full or not totals:
        raise DataNotAvailable("Datareleasen har ingen fuld aldersfordeling eller intet observeret folketal, så "
                               "befolkningen kan ikke fremskrives.")
    elderly = [d for d in p.dates if p.covers(d, ELDERLY_FROM)]
    inputs = ProjectionInputs(codes=codes, pyramids=p, totals=totals, full_date=max(full), elderly_dates=elderly)
    release.__dict__["_projection_inputs"] = inputs
    return inputs


# --------------------------------------------------------------------------------------------- the core


def elderly_change(p: AgePyramids, t1: int, t0: int) -> tuple[np.ndarray, np.ndarray]:
    """National one-year cohort ratios r (ages 0..125) and each municipality's yearly factor k relative to them,
    both measured on the ages 65+ between the dates t1 < t0: k_m = (observed / aged with r)^(1/(t0−t1)) over the
    ages that were 65+ on both dates."""
    g = t0 - t1
    r = cohort_ratios(p, t1, t0)
    aged = age_pyramid(np.nan_to_num(p.counts[t1], nan=0.0), r, g)
    lo = ELDERLY_FROM + g
    exp = np.nansum(aged[:, lo:], axis=1)
    obs = np.nansum(p.counts[t0][:, lo:], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where((exp > 0) & (obs > 0), (obs / exp) ** (1.0 / g), 1.0)
    return r, k


@dataclass
class CoreResult:
    pyramids: dict[int, np.ndarray]  # year → municipalities × ages
    factors: dict[int, np.ndarray]  # year → the calibration factor c of the ages 0-64
    calibrated: dict[int, bool]  # year → whether c came from an observed total


def project_core(base: np.ndarray, base_year: int, years: list[int], ratios: np.ndarray, k: np.ndarray | None,
                 birth_rate: np.ndarray, totals: dict[int, np.ndarray], *,
                 observed_elderly: dict[int, np.ndarray] | None = None,
                 lookback: int = MIGRATION_LOOKBACK) -> CoreResult:
    """Project the pyramid ``base`` (municipalities × ages 0..125, year ``base_year``) to every year of ``years``
    (consecutive, after ``base_year``), as described in the module docstring. Pure numpy: the tests run it on
    hand-made populations."""
    n = base.shape[0]
    rr = np.ones((n, MAX_AGE + 1))
    rr[:, ELDERLY_FROM - 1:] = ratios[None, ELDERLY_FROM - 1:] * (1.0 if k is None else k[:, None])
    cur = np.array(base, dtype=float)
    out: dict[int, np.ndarray] = {}
    factors: dict[int, np.ndarray] = {}
    calibrated: dict[int, bool] = {}
    seen: list[np.ndarray] = []
    lo_b, hi_b = BIRTH_AGES
    for y in years:
        nxt = np.zeros_like(cur)
        nxt[:, 1:] = cur[:, :-1] * rr[:, :-1]
        nxt[:, -1] += cur[:, -1] * rr[:, -1]
        nxt[:, 0] = birth_rate * nxt[:, lo_b:hi_b + 1].sum(axis=1)
        obs = (observed_elderly or {}).get(y)
        if obs is not None:
            nxt[:, ELDERLY_FROM:] = np.nan_to_num(obs[:, ELDERLY_FROM:], nan=0.0)
        young = nxt[:, :ELDERLY_FROM].sum(axis=1)
        old = nxt[:, ELDERLY_FROM:].sum(axis=1)
        total = totals.get(y)
        if total is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                c = np.where(young > 0, (total - old) / young, 1.0)
            c = np.where(np.isfinite(c) & (c > 0), c, 1.0)
            seen.append(c)
            calibrated[y] = True
        else:
            recent = seen[-lookback:]
            c = np.exp(np.mean(np.log(np.vstack(recent)), axis=0)) if recent else np.ones(n)
            calibrated[y] = False
        nxt[:, :ELDERLY_FROM] *= c[:, None]
        out[y], factors[y] = nxt, c
        cur = nxt
    return CoreResult(pyramids=out, factors=factors, calibrated=calibrated)


def birth_rates(pyramid: np.ndarray) -> np.ndarray:
    """0-year-olds per 20-44-year-old on a full-age date (per municipality)."""
    lo, hi = BIRTH_AGES
    mothers = pyramid[:, lo:hi + 1].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mothers > 0, pyramid[:, 0] / mothers, 0.0)


# --------------------------------------------------------------------------------------------- the projection


@dataclass
class Projection:
    """Single-age populations per municipality for the observed/estimated years and the projection years.

    ``pyramids[year]`` is municipalities × ages 0..125; ``status[year]`` is "observed" (the full-age date),
    "estimated" (calibrated to an observed total) or "projection"; ``budget_years`` are B, BO1-BO3."""

    codes: np.ndarray
    base_year: int  # the last year with an observed total
    budget_years: list[int]
    pyramids: dict[int, np.ndarray]
    status: dict[int, str]
    method: str
    method_text: str
    parameters: dict[str, Any]
    provenance: dict[str, Any]
    _rows: dict[int, int] = field(default_factory=dict, repr=False)

    def row(self, code: int) -> int:
        if not self._rows:
            self._rows.update({int(c): i for i, c in enumerate(self.codes)})
        return self._rows[int(code)]

    @property
    def years(self) -> list[int]:
        return sorted(self.pyramids)

    def band(self, code: int | None, lo: int, hi: int | None, years: list[int] | None = None) -> np.ndarray:
        """Persons aged lo..hi (None = no upper bound) per year of ``years`` (default: all), for one municipality
        (``code``) or all of them (``code=None``: municipalities × years)."""
        ys = years or self.years
        top = MAX_AGE if hi is None else hi
        vals = np.column_stack([self.pyramids[y][:, lo:top + 1].sum(axis=1) for y in ys])
        return vals if code is None else vals[self.row(code)]

    def group(self, code: int | None, tg: TargetGroup, years: list[int] | None = None) -> np.ndarray:
        return self.band(code, tg.age_min, tg.age_max, years)

    def label(self, year: int) -> str | None:
        """"B", "BO1", … for a budget year, else None."""
        return BUDGET_LABELS[self.budget_years.index(year)] if year in self.budget_years else None

    def to_dict(self, code: int, catalog: Catalog | None = None) -> dict[str, Any]:
        """One municipality: target groups per year with status, and the single ages of the budget years."""
        catalog = catalog or load_catalog()
        i = self.row(code)
        groups = {tg.id: {"name": tg.name, "values": {str(y): float(self.group(code, tg, [y])[0])
                                                        for y in self.years}}
                  for tg in catalog.target_groups.values()}
        return {"code": int(code), "base_year": self.base_year, "budget_years": self.budget_years,
                "labels": dict(zip(map(str, self.budget_years), BUDGET_LABELS, strict=True)),
                "status": {str(y): s for y, s in self.status.items()}, "target_groups": groups,
                "single_ages": {str(y): [float(v) for v in self.pyramids[y][i]] for y in self.budget_years},
                "method": self.method, "method_text": self.method_text, "parameters": self.parameters,
                "provenance": self.provenance}


def has_official_projection(release: Release) -> bool:
    """Whether the release carries Statistics Denmark's municipal projection (:data:`OFFICIAL_TABLE`)."""
    rows = release.query("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [OFFICIAL_TABLE])
    return bool(rows and rows[0][0])


def _official(release: Release, codes: np.ndarray, years: list[int]) -> dict[int, np.ndarray]:
    row = {int(c): i for i, c in enumerate(codes)}
    out: dict[int, np.ndarray] = {}
    for code, year, age, persons in release.query(
            f"SELECT municipality_code, year, age, persons FROM {OFFICIAL_TABLE} WHERE year IN "
            f"({', '.join('?' for _ in years)})", list(years)):
        if code in row and 0 <= age <= MAX_AGE and persons is not None:
            out.setdefault(int(year), np.zeros((len(codes), MAX_AGE + 1)))[row[code], int(age)] = float(persons)
    return out


def project_population(release: Release, *, horizon: int = PROJECTION_YEARS, municipal_elderly: bool = True,
                       lookback: int = MIGRATION_LOOKBACK) -> Projection:
    """The projection of every municipality to ``horizon`` years after the last observed total (cached per
    release and parameters)."""
    key = (horizon, municipal_elderly, lookback)
    cache: dict[Any, Projection] = release.__dict__.setdefault("_projections", {})
    if key in cache:
        return cache[key]
    inp = load_inputs(release)
    p = inp.pyramids
    base_year = max(inp.totals)
    full = inp.full_date
    elderly = inp.elderly_dates
    if len(elderly) < 2:
        raise DataNotAvailable("Datareleasen har for få datoer med enkeltårsaldre for 65+ til at måle kohorte"
                               "forholdene.")
    t1, t0 = elderly[-2], elderly[-1]
    r, k = elderly_change(p, t1, t0)
    years = list(range(full + 1, base_year + horizon + 1))
    obs_elderly = {d: p.counts[d] for d in elderly if d > full}
    core = project_core(p.counts[full], full, years, r, k if municipal_elderly else None,
                        birth_rates(p.counts[full]), {y: v for y, v in inp.totals.items() if y > full},
                        observed_elderly=obs_elderly, lookback=lookback)
    pyramids = {full: np.array(p.counts[full], dtype=float), **core.pyramids}
    status = {y: "observed" if y == full else ("estimated" if y <= base_year else "projection") for y in pyramids}
    budget_years = list(range(base_year + 1, base_year + horizon + 1))[:len(BUDGET_LABELS)]
    method, text = METHOD_ID, METHOD_TEXT.format(municipal=MUNICIPAL_TEXT if municipal_elderly else "",
                                                 last=base_year, lookback=lookback, d1=t1, d0=t0)
    official_years: list[int] = []
    if has_official_projection(release):
        off = _official(release, inp.codes, [y for y in pyramids if y > base_year])
        for y, arr in off.items():
            pyramids[y] = arr
            official_years.append(y)
        if official_years:
            method = OFFICIAL_METHOD_ID
            text = ("Danmarks Statistiks officielle kommunale befolkningsfremskrivning (FRKM, hentet med "
                    f"raaderum data update) for {', '.join(map(str, sorted(official_years)))}; øvrige år: " + text)
    params = {"base_pyramid": full, "ratio_dates": [t1, t0], "municipal_elderly": municipal_elderly,
              "migration_lookback": lookback, "birth_ages": list(BIRTH_AGES), "calibrated_to_totals":
              sorted(y for y, c in core.calibrated.items() if c), "last_observed_total": base_year,
              "observed_elderly_dates": sorted(obs_elderly), "official_years": sorted(official_years)}
    prov = {"source": "Danmarks Statistik", "tables": ["FOLK1AM", "FOLK1A"] + (["FRKM"] if official_years else []),
            "release_id": release.id, "status": "projection", "method": method,
            "attribution": release.manifest.get("attribution") or "Kilde: Danmarks Statistik",
            "note": "Fremskrevne tal er en fremskrivning, ikke observationer."}
    proj = Projection(codes=inp.codes, base_year=base_year, budget_years=budget_years, pyramids=pyramids,
                      status=status, method=method, method_text=text, parameters=params, provenance=prov)
    cache[key] = proj
    return proj


# --------------------------------------------------------------------------------------------- back-test

#: Age bands of the back-test: id → (lo, hi). Bands below 65+h cannot be tested from a date with ages 65+ only
#: (those cohorts were under 65 on the base date); they are tested from the full-age date.
BACKTEST_BANDS: dict[str, tuple[int, int | None]] = {
    "65+": (65, None), "67+": (67, None), "65-79": (65, 79), "70+": (70, None), "70-79": (70, 79),
    "80+": (80, None), "80-89": (80, 89), "90+": (90, None), "i alt": (0, None),
}
#: The back-test of the calibration step alone (the trend of the totals), over many base years.
TREND_BAND = "i alt (trend)"
#: Bounds the tests hold the back-test to (P90 of the absolute relative error over the 98 municipalities).
BACKTEST_BOUNDS: dict[str, float] = {"65+": 0.02, "67+": 0.02, "70+": 0.04, "80+": 0.06, "90+": 0.12, "i alt": 0.07,
                                     TREND_BAND: 0.05}


@dataclass
class Backtest:
    rows: list[dict[str, Any]]  # one per municipality × band × (base, target)
    summary: list[dict[str, Any]]  # one per band × (base, target)
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "rows": self.rows, "method": self.method}

    def error(self, band: str, horizon: int, stat: str = "p90") -> float | None:
        """The worst ``stat`` over the back-tests of ``band`` at ``horizon`` years (the nearest longer horizon
        when none was measured at this one; None when none is)."""
        for h in range(horizon, horizon + 6):
            vals = [s[stat] for s in self.summary if s["band"] == band and s["horizon"] == h]
            if vals:
                return float(max(vals))
        return None


def _summary(band: str, base: int, target: int, est: np.ndarray, true: np.ndarray, what: str) -> dict[str, Any]:
    rel = est / true - 1
    ape = np.abs(rel)
    return {"band": band, "base": base, "target": target, "horizon": target - base, "what": what,
            "n": int(len(rel)), "mape": float(ape.mean()), "p90": float(np.percentile(ape, 90)),
            "max": float(ape.max()), "bias": float(rel.mean())}


def backtest(release: Release, *, municipal_elderly: bool = True) -> Backtest:
    """Project from earlier observed dates to later ones and compare with what was observed.

    Ages 65+: from each date with ages 65+ (ratios and k measured between it and the date before) to every later
    such date at most 4 years ahead; bands whose cohorts were all 65+ on the base date (from the full-age date:
    every band). Totals: the full projection from the first date after the full-age date (2022: c from that year
    only) to the later observed totals (2023-2026), holding those back."""
    cache: dict[Any, Backtest] = release.__dict__.setdefault("_projection_backtests", {})
    if municipal_elderly in cache:
        return cache[municipal_elderly]
    inp = load_inputs(release)
    p = inp.pyramids
    names = {c: release.register.by_code(int(c)).name for c in inp.codes}
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []

    def record(band: str, base: int, target: int, est: np.ndarray, true: np.ndarray, what: str) -> None:
        summary.append(_summary(band, base, target, est, true, what))
        for c, e, t in zip(inp.codes, est, true, strict=True):
            rows.append({"code": int(c), "name": names[c], "band": band, "base": base, "target": target,
                         "horizon": target - base, "projected": float(e), "observed": float(t),
                         "error": float(e - t), "rel_error": float(e / t - 1)})

    dates = inp.elderly_dates
    for b in range(1, len(dates)):
        base, prev = dates[b], dates[b - 1]
        r, k = elderly_change(p, prev, base)
        for target in dates[b + 1:]:
            h = target - base
            if h > PROJECTION_YEARS:
                continue
            aged = age_pyramid(np.nan_to_num(p.counts[base], nan=0.0), r * 1.0, 0)
            for _ in range(h):
                nxt = np.zeros_like(aged)
                step = r[None, :] * (k[:, None] if municipal_elderly else 1.0)
                nxt[:, 1:] = aged[:, :-1] * step[:, :-1]
                nxt[:, -1] += aged[:, -1] * step[:, -1]
                aged = nxt
            lowest = 0 if p.min_age(base) == 0 else p.min_age(base) + h
            for band, (lo, hi) in BACKTEST_BANDS.items():
                if lo < lowest or lo < ELDERLY_FROM:
                    continue
                top = MAX_AGE if hi is None else hi
                record(band, base, target, aged[:, lo:top + 1].sum(axis=1),
                       p.counts[target][:, lo:top + 1].sum(axis=1), "aldersgruppe")
    full = inp.full_date
    later = sorted(y for y in inp.totals if y > full)
    if len(later) >= 2:
        start = later[0]
        t1, t0 = dates[-2], dates[-1]
        r, k = elderly_change(p, t1, t0) if t0 <= start else elderly_change(p, dates[-3], dates[-2])
        years = list(range(full + 1, later[-1] + 1))
        core = project_core(p.counts[full], full, years, r, k if municipal_elderly else None,
                            birth_rates(p.counts[full]), {start: inp.totals[start]},
                            observed_elderly={d: p.counts[d] for d in dates if full < d <= start})
        for target in later[1:PROJECTION_YEARS + 1]:
            record("i alt", start, target, core.pyramids[target].sum(axis=1), inp.totals[target], "folketal")
    # The calibration step of the projection years on its own, with many more base years: the total grows by the
    # geometric mean growth of the MIGRATION_LOOKBACK years before the base (pooled over the bases 2011-…).
    first = min(inp.totals) + MIGRATION_LOOKBACK
    for h in range(1, PROJECTION_YEARS + 1):
        bases = [b for b in sorted(inp.totals) if b >= first and b + h in inp.totals and b - MIGRATION_LOOKBACK
                 in inp.totals]
        if not bases:
            continue
        est, true = [], []
        for b in bases:
            g = (inp.totals[b] / inp.totals[b - MIGRATION_LOOKBACK]) ** (1 / MIGRATION_LOOKBACK)
            est.append(inp.totals[b] * g ** h)
            true.append(inp.totals[b + h])
        last = bases[-1]
        s = _summary(TREND_BAND, last, last + h, np.concatenate(est), np.concatenate(true),
                     f"folketal, {MIGRATION_LOOKBACK}-årig trend, puljet over basisår {bases[0]}-{last}")
        s["n_bases"] = len(bases)
        summary.append(s)
        for c, e, t in zip(inp.codes, est[-1], true[-1], strict=True):
            rows.append({"code": int(c), "name": names[c], "band": TREND_BAND, "base": last, "target": last + h,
                         "horizon": h, "projected": float(e), "observed": float(t), "error": float(e - t),
                         "rel_error": float(e / t - 1)})
    method = ("Tilbagetest: fremskrivningen køres fra en tidligere observeret dato med kun de data, der var kendt "
              "da, og sammenlignes med det observerede. 65+: fra hver dato med enkeltårsaldre (kohorteforhold målt "
              "mod datoen før) til senere datoer højst 4 år frem; kun aldersgrupper, hvis årgange alle var 65+ på "
              f"basisdatoen (fra {full} alle). Folketal i alt: fra {later[0] if later else '-'} (én "
              "kalibreringsfaktor) til de senere observerede folketal, og kalibreringen alene (folketallet "
              f"fremskrevet med de {MIGRATION_LOOKBACK} foregående års gennemsnitlige vækst) fra alle basisår "
              "med historik, puljet. Fejl = fremskrevet / observeret − 1; P90 = "
              "90 %-fraktilen af den absolutte fejl over de 98 kommuner.")
    bt = Backtest(rows=rows, summary=summary, method=method)
    cache[municipal_elderly] = bt
    return bt


__all__ = ["BACKTEST_BANDS", "BACKTEST_BOUNDS", "TREND_BAND", "BUDGET_LABELS", "Backtest", "CoreResult", "METHOD_ID",
           "METHOD_TEXT", "OFFICIAL_TABLE", "PROJECTION_YEARS", "Projection", "ProjectionInputs", "backtest",
           "birth_rates", "elderly_change", "has_official_projection", "load_inputs", "project_core",
           "project_population"]
