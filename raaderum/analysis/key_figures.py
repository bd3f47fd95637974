"""Key figures (nøgletal): net operating expenditure per inhabitant and per target-group member.

Everything here reads the data release only. Per area, the expenditure of its functions is summed, and the
unit cost is e = E / N with E the area's net operating expenditure in kr. and N its target group (målgruppe)
on 1 January; where the release has no target group, N is the population. Every figure carries its status
(observed / derived / estimated / missing) per value: kr. per inhabitant has the status of the accounts figure,
the target group its own, and kr. per target-group member the weaker of the two, so an observed kr.-per-inhabitant
figure is never marked estimated because its target group is.

The national unit cost has ONE definition, used by the key figures, the benchmark's national reference and the
web: ΣE/ΣN over the 98 municipalities (:func:`national_weighted_mean`), the municipality itself included. The
national kr. per inhabitant is Statistics Denmark's own national row (Hele landet).

Every kroner figure can be shown in current or fixed prices (``prices="løbende"|"faste"``, ``base_year``; see
:mod:`raaderum.analysis.prices`); the price basis is in every result's provenance.

    >>> from raaderum.release.reader import open_release
    >>> kf = key_figures(open_release(), "Aarhus", 2022)          # doctest: +SKIP
    >>> kf.areas[0].name, round(kf.areas[0].per_target)           # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.catalog import Area, Catalog, load_catalog
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import Release
from raaderum.release.registry import STATUS_ORDER, weakest

EXPENDITURE_TABLE = "REGK31"
#: Kr. per inhabitant is published in whole kroner: a DKK total derived from it is uncertain by half a krone per
#: inhabitant and function.
ROUNDING_KR_PER_INHABITANT = 0.5
NATIONAL_UNIT_COST_METHOD = ("Landsgennemsnit pr. person i målgruppen = ΣE/ΣN over de 98 kommuner (E = kr. pr. "
                             "indbygger × folketal, N = målgruppen 1. januar); samme definition i nøgletal, "
                             "benchmark og web.")
_STATUS_NAMES = ("observed", "derived", "estimated", "missing")


def combine_status(*statuses: str) -> str:
    """The weakest of several statuses: missing > estimated > derived > observed."""
    return weakest(*statuses)


def round_to_precision(value: float | None, precision: float | None) -> float | None:
    """``value`` rounded to the largest power of ten not above ``precision`` (its ± uncertainty), for showing a
    derived DKK total with the precision its inputs carry.

    >>> round_to_precision(47_456_307.6, 103_363.4), round_to_precision(1234.5, None)
    (47500000.0, 1234.5)
    """
    if value is None or precision is None or not precision > 0:
        return value
    step = 10.0 ** math.floor(math.log10(precision))
    return round(value / step) * step


def national_weighted_mean(expenditure: np.ndarray, target: np.ndarray) -> float:
    """ΣE / ΣN over the municipalities with a figure and a positive target group (all of them, E ≤ 0 too).

    THE national unit cost (see the module docstring)."""
    E = np.asarray(expenditure, dtype=float)
    N = np.asarray(target, dtype=float)
    ok = np.isfinite(E) & np.isfinite(N) & (np.where(np.isfinite(N), N, 0) > 0)
    if not ok.any():
        return float("nan")
    return float(E[ok].sum() / N[ok].sum())


def _row_of(panel: Any, code: int) -> int:
    """The row of municipality ``code`` in a panel (a dict built once per panel)."""
    rows = panel.__dict__.get("_rows")
    if rows is None:
        rows = panel.__dict__["_rows"] = {int(c): i for i, c in enumerate(panel.codes)}
    try:
        return int(rows[int(code)])
    except (KeyError, ValueError):
        raise KeyError(code) from None


@dataclass
class AreaPanel:
    """All 98 municipalities × the catalogue's areas for one year, as arrays (rows follow ``codes``).

    ``expenditure`` is E in kr. (per inhabitant × population), ``target`` is N, ``unit_cost`` is E / N
    (NaN where E is missing or N ≤ 0). ``status[i, j]`` is the weakest status of the inputs of that cell.
    """

    year: int
    codes: np.ndarray
    areas: list[Area]
    per_inhabitant: np.ndarray
    expenditure: np.ndarray
    target: np.ndarray
    population: np.ndarray
    unit_cost: np.ndarray
    status: np.ndarray
    denominator: list[str]  # target-group id used per area ("alle" = population)
    national_per_inhabitant: np.ndarray
    national_unit_cost: np.ndarray
    national_target: np.ndarray
    target_status: np.ndarray | None = None
    methods: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    per_inhabitant_status: np.ndarray | None = None
    functions_per_area: np.ndarray | None = None
    national_per_inhabitant_status: np.ndarray | None = None

    def index(self, code: int) -> int:
        return _row_of(self, code)

    def expenditure_precision(self) -> np.ndarray:
        """± kr. of E: half a krone per inhabitant and function (kr. per inhabitant is published in whole kroner)."""
        assert self.functions_per_area is not None
        return ROUNDING_KR_PER_INHABITANT * self.population[:, None] * self.functions_per_area[None, :]

    def area_index(self, area_id: str) -> int:
        for j, a in enumerate(self.areas):
            if a.id == area_id:
                return j
        raise KeyError(area_id)


def area_panel(release: Release, year: int | None = None, catalog: Catalog | None = None) -> AreaPanel:
    """Unit costs for every municipality and area in ``year`` (default: the latest)."""
    catalog = catalog or load_catalog()
    year = release.check_year(year)
    cache_key = (year, id(catalog))
    cache: dict[Any, AreaPanel] = release.__dict__.setdefault("_area_panels", {})
    if cache_key in cache:
        return cache[cache_key]
    codes = np.array(sorted(release.register.codes()), dtype=np.int64)
    row = {int(c): i for i, c in enumerate(codes)}
    areas = list(catalog.areas)
    fn_area = {f: j for j, a in enumerate(areas) for f in a.functions}
    A = len(areas)
    n = len(codes)
    per_inh = np.full((n, A), np.nan)
    nat_per_inh = np.full(A, np.nan)
    have = np.zeros((n, A), dtype=bool)
    worst = np.zeros((n, A), dtype=np.int8)  # status rank of kr. per inhabitant (missing functions count as none)
    nat_worst = np.zeros(A, dtype=np.int8)
    nat_have = np.zeros(A, dtype=bool)
    methods: dict[tuple[int, str], list[str]] = {}
    for code, function, value, status, method in release.query(
            "SELECT municipality_code, function, per_inhabitant, per_inhabitant_status, per_inhabitant_method "
            "FROM expenditure WHERE year = ?", [year]):
        j = fn_area.get(function)
        if j is None:
            continue
        rank = STATUS_ORDER.get(status, 3) if status != "missing" else 0
        if code == 0:
            if value is not None:
                nat_per_inh[j] = (0 if not nat_have[j] else nat_per_inh[j]) + value
                nat_have[j] = True
            nat_worst[j] = max(nat_worst[j], rank)
            continue
        i = row.get(code)
        if i is None:
            continue
        if value is not None:
            per_inh[i, j] = (0 if not have[i, j] else per_inh[i, j]) + value
            have[i, j] = True
        worst[i, j] = max(worst[i, j], rank)
        if method and status in ("estimated", "derived"):
            methods.setdefault((int(code), areas[j].id), []).append(method)
    per_inh_rank = worst.copy()
    pop = np.full(n, np.nan)
    pop_status = np.zeros(n, dtype=np.int8)
    nat_pop = np.nan
    pop_method: dict[int, str] = {}
    for code, p, status, method in release.query(
            "SELECT municipality_code, population, status, method FROM population WHERE year = ?", [year]):
        if code == 0:
            nat_pop = p
        elif code in row:
            pop[row[code]] = p
            pop_status[row[code]] = STATUS_ORDER.get(status, 3)
            if method:
                pop_method[int(code)] = method
    tgs = sorted({a.target_group for a in areas})
    tg_vals: dict[str, np.ndarray] = {tg: np.full(n, np.nan) for tg in tgs}
    tg_status: dict[str, np.ndarray] = {tg: np.full(n, 3, dtype=np.int8) for tg in tgs}
    tg_method: dict[str, dict[int, str]] = {tg: {} for tg in tgs}
    nat_tg: dict[str, float] = {}
    for code, tg, persons, status, method in release.query(
            "SELECT municipality_code, target_group, persons, status, method FROM target_groups WHERE year = ? "
            f"AND target_group IN ({', '.join('?' for _ in tgs)})", [year, *tgs]):
        if code == 0:
            nat_tg[tg] = persons
        elif code in row:
            tg_vals[tg][row[code]] = persons
            tg_status[tg][row[code]] = STATUS_ORDER.get(status, 3)
            if method:
                tg_method[tg][code] = method
    denominator: list[str] = []
    target = np.full((n, A), np.nan)
    target_status = np.full((n, A), "missing", dtype=object)
    nat_target = np.full(A, np.nan)
    for j, a in enumerate(areas):
        tg = a.target_group
        if np.isnan(tg_vals[tg]).all():  # the release lacks this target group: fall back to population
            tg = "alle"
            target[:, j] = pop
            nat_target[j] = nat_pop
            st = pop_status
        else:
            target[:, j] = tg_vals[tg]
            nat_target[j] = nat_tg.get(tg, np.nan)
            st = tg_status[tg]
        denominator.append(tg)
        target_status[:, j] = np.array(_STATUS_NAMES, dtype=object)[st]
        for code, method in (*tg_method.get(tg, {}).items(), *pop_method.items()):
            methods.setdefault((int(code), a.id), []).append(method)
        worst[:, j] = np.maximum(worst[:, j], np.maximum(st, pop_status))
    expenditure = per_inh * pop[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        unit_cost = np.where(target > 0, expenditure / target, np.nan)
    nat_unit = np.array([national_weighted_mean(expenditure[:, j], target[:, j]) for j in range(A)])
    names = np.array(_STATUS_NAMES, dtype=object)
    status = np.where(~have, "missing", names[np.minimum(worst, 2)]).astype(object)
    pi_status = np.where(~have, "missing", names[np.minimum(per_inh_rank, 2)]).astype(object)
    nat_status = np.where(~nat_have, "missing", names[np.minimum(nat_worst, 2)]).astype(object)
    panel = AreaPanel(year=year, codes=codes, areas=areas, per_inhabitant=per_inh, expenditure=expenditure,
                      target=target, population=pop, unit_cost=unit_cost, status=status, denominator=denominator,
                      national_per_inhabitant=nat_per_inh, national_unit_cost=nat_unit, national_target=nat_target,
                      target_status=target_status, methods=methods, per_inhabitant_status=pi_status,
                      functions_per_area=np.array([len(a.functions) for a in areas], dtype=float),
                      national_per_inhabitant_status=nat_status)
    cache[cache_key] = panel
    return panel


def rank_desc(values: np.ndarray, i: int) -> int | None:
    """Rank of ``values[i]`` among the non-missing values, 1 = highest (ties share the best rank)."""
    v = values[i]
    if v is None or np.isnan(v):
        return None
    valid = values[~np.isnan(values)]
    return int((valid > v).sum()) + 1


@dataclass
class FunctionPanel:
    """All 98 municipalities × every function of the release in one year (rows follow ``codes``)."""

    year: int
    codes: np.ndarray
    functions: list[str]
    labels: list[str]
    per_inhabitant: np.ndarray  # NaN = missing
    status: np.ndarray
    method: np.ndarray
    national: np.ndarray

    def index(self, code: int) -> int:
        return _row_of(self, code)


def function_panel(release: Release, year: int | None = None) -> FunctionPanel:
    """Kr. per inhabitant per function for every municipality in ``year``; computed once per release and year."""
    year = release.check_year(year)
    cache: dict[int, FunctionPanel] = release.__dict__.setdefault("_function_panels", {})
    if year in cache:
        return cache[year]
    codes = np.array(sorted(release.register.codes()), dtype=np.int64)
    labels = release.function_labels
    functions = list(labels)
    t = release.query_arrow(
        "SELECT municipality_code, function, per_inhabitant, per_inhabitant_status, per_inhabitant_method "
        "FROM expenditure WHERE year = ?", [year])
    row = {int(c): i for i, c in enumerate(codes)}
    col = {f: k for k, f in enumerate(functions)}
    n, F = len(codes), len(functions)
    values = np.full((n, F), np.nan)
    status = np.full((n, F), "missing", dtype=object)
    method = np.full((n, F), None, dtype=object)
    national = np.full(F, np.nan)
    mcodes = t.column("municipality_code").to_numpy(zero_copy_only=False)
    fks = np.array([col.get(f, -1) for f in t.column("function").to_pylist()])
    vals = t.column("per_inhabitant").to_numpy(zero_copy_only=False).astype(float)
    sts = np.array(t.column("per_inhabitant_status").to_pylist(), dtype=object)
    mts = np.array(t.column("per_inhabitant_method").to_pylist(), dtype=object)
    is_nat = mcodes == 0
    national[fks[is_nat & (fks >= 0)]] = vals[is_nat & (fks >= 0)]
    rows = np.array([row.get(int(c), -1) for c in mcodes])
    ok = (rows >= 0) & (fks >= 0)
    values[rows[ok], fks[ok]] = vals[ok]
    status[rows[ok], fks[ok]] = sts[ok]
    method[rows[ok], fks[ok]] = mts[ok]
    panel = FunctionPanel(year=year, codes=codes, functions=functions, labels=[labels[f] for f in functions],
                          per_inhabitant=values, status=status, method=method, national=national)
    cache[year] = panel
    return panel


@dataclass
class KeyFigure:
    """One key figure of one municipality in one year, with the country and the rank among the 98.

    ``status`` is the status of kr. per inhabitant (the accounts figure), ``target_status`` that of the target
    group, ``per_target_status`` that of kr. per target-group member (the weaker of the two). ``expenditure`` is the
    area's total in kr. (derived: kr. per inhabitant × population, ± ``expenditure_precision`` kr.). Kroner are in
    the price basis of the result (``KeyFigures.provenance["prices"]``)."""

    kind: str  # "function" | "area"
    id: str
    name: str
    per_inhabitant: float | None
    national_per_inhabitant: float | None
    rank: int | None  # 1 = highest spending per inhabitant among the municipalities with a figure
    ranked: int  # how many municipalities have a figure
    status: str
    per_target: float | None = None
    national_per_target: float | None = None
    target_group: str | None = None
    target_group_name: str | None = None
    target_size: float | None = None
    target_status: str | None = None
    rank_per_target: int | None = None
    methods: list[str] = field(default_factory=list)
    per_target_status: str | None = None
    expenditure: float | None = None
    expenditure_status: str | None = None
    expenditure_precision: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class KeyFigures:
    municipality: Municipality
    year: int
    functions: list[KeyFigure]
    areas: list[KeyFigure]
    provenance: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"municipality": {"code": self.municipality.code, "name": self.municipality.name},
                "year": self.year, "functions": [f.to_dict() for f in self.functions],
                "areas": [a.to_dict() for a in self.areas], "provenance": self.provenance}


def _f(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def _scaled(x: float | None, factor: float) -> float | None:
    v = _f(x)
    return None if v is None else v * factor


def price_provenance(release: Release, basis: PriceBasis, year: int | None) -> dict[str, Any]:
    """The price fields of a result's provenance: ``price_basis`` (the Danish label) and ``prices`` (details)."""
    return {"price_basis": basis.label if basis.is_fixed else release.price_basis,
            "prices": basis.to_dict(year)}


def key_figures(release: Release, municipality: str | int, year: int | None = None,
                catalog: Catalog | None = None, *, prices: str | PriceBasis | None = None,
                base_year: int | None = None) -> KeyFigures:
    """Per function and per area: kr. per inhabitant (and per target-group member), the country, the rank.

    ``prices="faste"`` (with ``base_year``, default the latest year with an observed index) gives every kroner
    figure in fixed prices; ranks do not change (one factor for the whole year)."""
    catalog = catalog or load_catalog()
    basis = price_basis(release, prices, base_year)
    m = release.register.resolve(municipality)
    year = release.check_year(year)
    f = basis.factor(year)
    fp = function_panel(release, year)
    fi = fp.index(m.code)
    functions: list[KeyFigure] = []
    for k, fn in enumerate(fp.functions):
        col = fp.per_inhabitant[:, k]
        method = fp.method[fi, k]
        functions.append(KeyFigure(kind="function", id=fn, name=fp.labels[k], per_inhabitant=_scaled(col[fi], f),
                                   national_per_inhabitant=_scaled(fp.national[k], f), rank=rank_desc(col, fi),
                                   ranked=int((~np.isnan(col)).sum()), status=str(fp.status[fi, k]),
                                   methods=[method] if method else []))
    panel = area_panel(release, year, catalog)
    i = panel.index(m.code)
    precision = panel.expenditure_precision()
    areas: list[KeyFigure] = []
    for j, a in enumerate(panel.areas):
        tg = panel.denominator[j]
        col_pi = panel.per_inhabitant[:, j]
        col_uc = panel.unit_cost[:, j]
        pi_status = str(panel.per_inhabitant_status[i, j]) if panel.per_inhabitant_status is not None \
            else str(panel.status[i, j])
        t_status = str(panel.target_status[i, j]) if panel.target_status is not None else None
        exp = _scaled(panel.expenditure[i, j], f)
        areas.append(KeyFigure(
            kind="area", id=a.id, name=a.name, per_inhabitant=_scaled(col_pi[i], f),
            national_per_inhabitant=_scaled(panel.national_per_inhabitant[j], f), rank=rank_desc(col_pi, i),
            ranked=int((~np.isnan(col_pi)).sum()), status=pi_status,
            per_target=_scaled(col_uc[i], f), national_per_target=_scaled(panel.national_unit_cost[j], f),
            target_group=tg, target_group_name=catalog.target_group(tg).name, target_size=_f(panel.target[i, j]),
            target_status=t_status, rank_per_target=rank_desc(col_uc, i),
            methods=sorted(set(panel.methods.get((m.code, a.id), []))),
            per_target_status=str(panel.status[i, j]),
            expenditure=exp, expenditure_status=None if exp is None else "derived",
            expenditure_precision=None if exp is None else _scaled(precision[i, j], f)))
    provenance = {
        "source": "Danmarks Statistik", "table": EXPENDITURE_TABLE, "year": year,
        "measure": release.manifest.get("measure"), **price_provenance(release, basis, year),
        "accounts": release.manifest.get("accounts"), "release_id": release.id,
        "rank": "1 = højeste udgift blandt kommunerne med et tal",
        "area_method": "Summen af områdets funktioner; pr. målgruppe = udgift i kr. / målgruppens antal 1. januar",
        "national_method": NATIONAL_UNIT_COST_METHOD,
        "national_per_inhabitant": "Hele landet: Danmarks Statistiks landstal (kr. pr. indbygger).",
        "expenditure": "Udgift i kr. = kr. pr. indbygger × folketal 1. januar (afledt; ±0,5 kr. pr. indbygger og "
                       "funktion, fordi kilden afrunder til hele kroner).",
        "attribution": "Kilde: Danmarks Statistik",
    }
    return KeyFigures(municipality=m, year=year, functions=functions, areas=areas, provenance=provenance)


def area_time_series(release: Release, code: int, area: Area, *, prices: str | PriceBasis | None = None,
                     base_year: int | None = None) -> list[dict[str, Any]]:
    """Kr. per inhabitant of ``area`` for municipality ``code`` (0 = Hele landet) over every year, in current or
    fixed prices; each row says its price basis (``prices``) and the factor applied (1 in current prices)."""
    basis = price_basis(release, prices, base_year)
    marks = ", ".join("?" for _ in area.functions)
    rows = release.query(f"""
        SELECT year, CASE WHEN count(per_inhabitant) = 0 THEN NULL ELSE sum(per_inhabitant) END,
               bool_or(per_inhabitant_status = 'missing') AS any_missing
        FROM expenditure WHERE municipality_code = ? AND function IN ({marks}) GROUP BY year ORDER BY year""",
        [code, *area.functions])
    out = []
    for y, v, miss in rows:
        factor = basis.factor(y)
        out.append({"year": y, "per_inhabitant": _scaled(v, factor), "partial": bool(miss) and v is not None,
                    "prices": basis.label, "factor": factor})
    return out


def area_unit_cost_series(release: Release, code: int, area_id: str, *, peers: list[int] | None = None,
                          prices: str | PriceBasis | None = None, base_year: int | None = None,
                          catalog: Catalog | None = None) -> list[dict[str, Any]]:
    """Kr. per target-group member of an area over every year: the municipality, the unweighted mean of ``peers``
    (codes) and the country (ΣE/ΣN, the one national definition), with statuses, in current or fixed prices."""
    catalog = catalog or load_catalog()
    basis = price_basis(release, prices, base_year)
    out = []
    for y in release.years:
        panel = area_panel(release, y, catalog)
        j = panel.area_index(area_id)
        i = panel.index(code)
        f = basis.factor(y)
        idx = [panel.index(c) for c in (peers or []) if c in panel.codes]
        pv = panel.unit_cost[idx, j] if idx else np.array([])
        pv = pv[np.isfinite(pv)]
        out.append({"year": y, "own": _scaled(panel.unit_cost[i, j], f), "status": str(panel.status[i, j]),
                    "peers": float(pv.mean()) * f if len(pv) else None, "peers_with_figure": int(len(pv)),
                    "national": _scaled(panel.national_unit_cost[j], f), "prices": basis.label, "factor": f})
    return out
