"""The råderum benchmark (KL's first step): where does a municipality spend more than comparable ones?

For each service area a of municipality m in year t (see :mod:`raaderum.analysis.key_figures` for E, N and e = E / N):

* reference levels e_ref (:data:`REFERENCES`): national weighted mean ΣE/ΣN over all 98 (the municipality
  included, like Statistics Denmark's national figure), and over the peers G(m) (never m itself): unweighted
  mean, median, lower quartile P25 (numpy ``method="linear"``), the mean of the 5 cheapest of the 10
  structurally nearest, and the cheapest peer;
* potential (mulighedsrum) = max(0, e − e_ref) × N kr. per year, never netted across areas;
* a bootstrap band: the peers are resampled with replacement B times (default 1,000, seeded), the reference
  recomputed, and P10 / P50 / P90 of the potential reported (for the national mean: the 98 are resampled);
* flags instead of silent choices: a unit cost ≤ 0 or missing gets no potential (None, never 0), peers with a
  unit cost ≤ 0 are left out of the peer references and listed, estimated inputs, small municipalities,
  the capital municipalities, few peers, and a break in the chart of accounts.

    >>> import numpy as np
    >>> ref_value("peer_p25", np.array([10.0, 20.0, 30.0, 40.0]))
    17.5
    >>> potential(120.0, 100.0, 50.0), potential(80.0, 100.0, 50.0), potential(0.0, 100.0, 50.0)
    (1000.0, 0.0, None)

:func:`run_benchmark` does it all for one municipality over the data release and returns a
:class:`BenchmarkResult` whose ``to_dict()`` is the JSON of ``raaderum benchmark --json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from raaderum.analysis.key_figures import (
    EXPENDITURE_TABLE,
    NATIONAL_UNIT_COST_METHOD,
    AreaPanel,
    area_panel,
    national_weighted_mean,
    price_provenance,
)
from raaderum.analysis.need import METHOD_TEXT as NEED_METHOD_TEXT
from raaderum.analysis.need import NeedModel, need_corrected_potential, need_expected, need_index
from raaderum.analysis.peers import (
    AUTO_MODEL,
    AUTO_MODEL_NAME,
    PeerCatalog,
    PeerSet,
    PeerSpec,
    StructureMatrix,
    choose_peers,
    load_peer_catalog,
    load_peer_registry,
    structure_matrix,
)
from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.catalog import Catalog, load_catalog
from raaderum.errors import EstimationError, InputError
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import Release

DEFAULT_B = 1000
DEFAULT_SEED = 20191125  # the date of KL's article; any fixed seed makes the band reproducible
BAND_PERCENTILES = (10, 50, 90)
SMALL_MUNICIPALITY = 10_000
CAPITAL_CODES = (101, 147)
MIN_PEERS = 3
#: Gaps smaller than this share of e are floating-point noise, not room (identical peers must give 0).
GAP_TOLERANCE = 1e-9


# --------------------------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Reference:
    """A reference level: id, Danish name, one-line explanation, and whether it is computed from peers."""

    id: str
    name: str
    explanation: str
    source: str  # "national" | "peers" | "nearest10"


REFERENCES: dict[str, Reference] = {r.id: r for r in (
    Reference("national", "Landsgennemsnit (vægtet)",
              "Alle 98 kommuners udgifter delt med deres samlede målgruppe (ΣE/ΣN), som Danmarks Statistiks "
              "landstal; kommunen selv indgår.", "national"),
    Reference("peer_mean", "Gennemsnit af sammenligningskommunerne",
              "Uvægtet gennemsnit af sammenligningskommunernes enhedsudgifter (hver kommune tæller lige meget); "
              "kommunen selv indgår aldrig.", "peers"),
    Reference("peer_median", "Median af sammenligningskommunerne",
              "Den midterste enhedsudgift blandt sammenligningskommunerne (gennemsnit af de to midterste ved et "
              "lige antal).", "peers"),
    Reference("peer_p25", "Nedre kvartil (P25) af sammenligningskommunerne",
              "25 %-fraktilen af sammenligningskommunernes enhedsudgifter med lineær interpolation "
              "(numpy 'linear', som Excels KVARTIL.MEDTAG).", "peers"),
    Reference("best5_of_10", "Gennemsnit af de 5 billigste blandt de 10 mest lignende",
              "KL's tidligere benchmark: de 10 strukturelt nærmeste kommuner (med de valgte vægte, uanset valgt "
              "sammenligningsgruppe), uvægtet gennemsnit af de 5 laveste enhedsudgifter.", "nearest10"),
    Reference("cheapest_peer", "Billigste sammenligningskommune",
              "Den laveste enhedsudgift blandt sammenligningskommunerne.", "peers"),
)}

REFERENCE_ALIASES = {
    "landsgennemsnit": "national", "land": "national", "mean": "peer_mean", "gennemsnit": "peer_mean",
    "median": "peer_median", "p25": "peer_p25", "kvartil": "peer_p25", "best5": "best5_of_10",
    "kl": "best5_of_10", "min": "cheapest_peer", "cheapest": "cheapest_peer", "billigste": "cheapest_peer",
}


def resolve_reference(name: str) -> str:
    """A reference id from its id, Danish name or a short alias; :class:`InputError` otherwise."""
    key = " ".join(str(name).split()).casefold().replace("-", "_")
    if key in REFERENCES:
        return key
    if key in REFERENCE_ALIASES:
        return REFERENCE_ALIASES[key]
    for r in REFERENCES.values():
        if key == r.name.casefold():
            return r.id
    raise InputError(f"Ukendt referenceniveau {name!r}. Vælg et af: {', '.join(REFERENCES)}.")


def _percentile_sorted(s: np.ndarray, q: float) -> np.ndarray:
    """numpy's 'linear' percentile over the last axis of already sorted values (virtual index q·(k − 1))."""
    k = s.shape[-1]
    pos = q * (k - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, k - 1)
    frac = pos - lo
    return s[..., lo] + frac * (s[..., hi] - s[..., lo])


def _best_n_sorted(s: np.ndarray, n: int = 5) -> np.ndarray:
    return s[..., : min(n, s.shape[-1])].mean(axis=-1)


#: Reference rules over sorted values along the last axis (the bootstrap applies them to B rows at once).
_SORTED_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "peer_mean": lambda s: s.mean(axis=-1),
    "peer_median": lambda s: _percentile_sorted(s, 0.5),
    "peer_p25": lambda s: _percentile_sorted(s, 0.25),
    "best5_of_10": _best_n_sorted,
    "cheapest_peer": lambda s: s[..., 0],
}


def ref_value(reference: str, values: np.ndarray) -> float:
    """A peer-based reference over ``values`` (the peers' unit costs; for ``best5_of_10`` the 10 nearest).

    Non-finite and non-positive values are left out; NaN when nothing is left.
    """
    if reference not in _SORTED_RULES:
        raise InputError(f"{reference!r} er ikke et referenceniveau over sammenligningskommuner.")
    v = np.asarray(values, dtype=float)
    v = np.sort(v[_usable(v)])
    if not v.size:
        return float("nan")
    return float(_SORTED_RULES[reference](v))


def potential(e: float | None, e_ref: float | None, n: float | None) -> float | None:
    """max(0, e − e_ref) × N; None when an input is missing or e ≤ 0 (flagged, never divided or zeroed)."""
    if any(x is None or not np.isfinite(x) for x in (e, e_ref, n)):
        return None
    assert e is not None and e_ref is not None and n is not None
    if e <= 0:
        return None
    gap = e - e_ref
    if gap <= GAP_TOLERANCE * abs(e):
        return 0.0
    return float(gap * n)


def total_potential(potentials: list[float | None] | np.ndarray) -> float:
    """The sum of the positive potentials (areas below the reference and missing ones add nothing)."""
    v = np.array([np.nan if p is None else p for p in potentials], dtype=float)
    return float(v[np.isfinite(v) & (np.where(np.isfinite(v), v, 0) > 0)].sum())


def _usable(v: np.ndarray) -> np.ndarray:
    return np.isfinite(v) & (np.where(np.isfinite(v), v, 0) > 0)


# --------------------------------------------------------------------------------------------- pure core


@dataclass
class ArrayBenchmark:
    """The benchmark of one municipality over arrays: rows follow ``references``, columns the areas."""

    references: list[str]
    ref_values: np.ndarray  # R × A
    potentials: np.ndarray  # R × A, NaN where not computable
    bands: np.ndarray  # R × A × 3 (P10, P50, P90 of the potential)
    ref_bands: np.ndarray  # R × A × 2 (P10, P90 of the reference)
    potential_draws: np.ndarray  # R × A × B (0 where not computable)
    peer_counts: np.ndarray  # A: peers with a usable unit cost
    nearest10_counts: np.ndarray  # A
    excluded_peers: list[list[int]]  # per area: peer rows left out (unit cost ≤ 0 or missing)
    totals: np.ndarray  # R
    total_bands: np.ndarray  # R × 3


def national_draws(expenditure: np.ndarray, target: np.ndarray, B: int, seed: int,
                   order: np.ndarray | None = None) -> np.ndarray:
    """B bootstrap draws (A columns) of ΣE/ΣN, resampling the municipalities with replacement.

    Rows are put in ``order`` (municipality codes) first, so the draws do not depend on the row order.
    """
    E = np.asarray(expenditure, dtype=float)
    N = np.asarray(target, dtype=float)
    if order is not None:
        perm = np.argsort(np.asarray(order), kind="stable")
        E, N = E[perm], N[perm]
    n, A = E.shape
    rng = np.random.default_rng([seed, 1])
    idx = rng.integers(0, n, size=(B, n))
    ok = np.isfinite(E) & np.isfinite(N) & (np.where(np.isfinite(N), N, 0) > 0)
    E0 = np.where(ok, E, 0.0)
    N0 = np.where(ok, N, 0.0)
    num = E0[idx].sum(axis=1)
    den = N0[idx].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)  # B × A


def benchmark_arrays(unit_cost: np.ndarray, expenditure: np.ndarray, target: np.ndarray, i: int,
                     peers: np.ndarray, nearest10: np.ndarray, *, references: list[str] | None = None,
                     B: int = DEFAULT_B, seed: int = DEFAULT_SEED, order: np.ndarray | None = None,
                     national: tuple[np.ndarray, np.ndarray] | None = None,
                     area_peers: list[tuple[np.ndarray, np.ndarray]] | None = None) -> ArrayBenchmark:
    """Every reference, potential and bootstrap band for row ``i`` (pure numpy; rows = municipalities).

    ``peers`` and ``nearest10`` are row indices in a fixed order (nearest first, ties by code), so the
    seeded bootstrap gives the same draws whatever the order of the rows; ``order`` (the municipality codes)
    does the same for the national bootstrap, which resamples every row. ``national`` may pass the national
    values and their bootstrap draws (they do not depend on ``i``; :class:`BenchmarkContext` caches them).
    ``area_peers`` gives each area (column) its own ``(peers, nearest10)`` (peer models that differ by area); a
    bootstrap draw then picks the same positions in every area's peer list.
    """
    U = np.asarray(unit_cost, dtype=float)
    E = np.asarray(expenditure, dtype=float)
    N = np.asarray(target, dtype=float)
    peers = np.asarray(peers, dtype=np.int64)
    nearest10 = np.asarray(nearest10, dtype=np.int64)
    per_area = [(np.asarray(p, dtype=np.int64), np.asarray(q, dtype=np.int64)) for p, q in area_peers] \
        if area_peers is not None else None
    if per_area is not None and len(per_area) != U.shape[1]:
        raise InputError(f"Der er sammenligningskommuner til {len(per_area)} områder, men {U.shape[1]} områder.")
    for p_, q_ in [(peers, nearest10), *(per_area or [])]:
        if i in set(p_.tolist()) or i in set(q_.tolist()):
            raise InputError("En kommune kan ikke være sin egen sammenligningskommune.")
    if B < 1:
        raise InputError("Bootstrap kræver mindst én trækning.")
    refs = list(references or REFERENCES)
    n_rows, A = U.shape
    R = len(refs)
    if national is None:
        nat_vals = np.array([national_weighted_mean(E[:, a], N[:, a]) for a in range(A)])
        nat_draws = national_draws(E, N, B, seed, order) if "national" in refs else np.full((B, A), np.nan)
    else:
        nat_vals, nat_draws = national
    rng = np.random.default_rng(seed)
    n_peers = max([len(peers), *(len(p_) for p_, _ in per_area or [])], default=0)
    n_near = max([len(nearest10), *(len(q_) for _, q_ in per_area or [])], default=0)
    u_peers = rng.random((B, max(n_peers, 1)))
    u_near = rng.random((B, max(n_near, 1)))
    ref_values = np.full((R, A), np.nan)
    boot_all = np.full((R, A, B), np.nan)
    peer_counts = np.zeros(A, dtype=np.int64)
    near_counts = np.zeros(A, dtype=np.int64)
    excluded: list[list[int]] = []
    row = {r: r_i for r_i, r in enumerate(refs)}
    peer_refs = [r for r in ("peer_mean", "peer_median", "peer_p25", "cheapest_peer") if r in row]
    for a in range(A):
        col = U[:, a]
        a_peers, a_near = per_area[a] if per_area is not None else (peers, nearest10)
        vp = a_peers[_usable(col[a_peers])]
        vn = a_near[_usable(col[a_near])]
        kept = set(vp.tolist())
        excluded.append([int(j) for j in a_peers if int(j) not in kept])
        peer_counts[a] = len(vp)
        near_counts[a] = len(vn)
        if len(vp) and peer_refs:
            vals = col[vp]
            s_point = np.sort(vals)
            s_boot = np.sort(vals[(u_peers[:, : len(vp)] * len(vp)).astype(np.int64)], axis=1)
            for r in peer_refs:
                ref_values[row[r], a] = _SORTED_RULES[r](s_point)
                boot_all[row[r], a] = _SORTED_RULES[r](s_boot)
        if len(vn) and "best5_of_10" in row:
            vals = col[vn]
            ref_values[row["best5_of_10"], a] = _best_n_sorted(np.sort(vals))
            s_boot = np.sort(vals[(u_near[:, : len(vn)] * len(vn)).astype(np.int64)], axis=1)
            boot_all[row["best5_of_10"], a] = _best_n_sorted(s_boot)
    if "national" in row:
        ref_values[row["national"]] = nat_vals
        boot_all[row["national"]] = np.asarray(nat_draws, dtype=float).T
    # Everything below is vectorised over references × areas × draws.
    e = U[i]
    n = N[i]
    computable = np.isfinite(e) & np.isfinite(n) & (np.where(np.isfinite(e), e, 0) > 0)
    has_ref = np.isfinite(ref_values)
    ok = computable[None, :] & has_ref
    tol = GAP_TOLERANCE * np.abs(np.where(np.isfinite(e), e, 0))
    with np.errstate(invalid="ignore"):
        gap = e[None, :] - ref_values
        potentials = np.where(ok, np.where(gap > tol[None, :], gap, 0.0) * n[None, :], np.nan)
        gap_b = e[None, :, None] - boot_all
        draws = np.where(gap_b > tol[None, :, None], gap_b, 0.0) * n[None, :, None]
    boot_ok = np.isfinite(boot_all).all(axis=-1)
    draws = np.where((ok & boot_ok)[..., None], draws, 0.0)
    q = [b / 100 for b in BAND_PERCENTILES]
    s_draws = np.sort(draws, axis=-1)
    bands = np.stack([_percentile_sorted(s_draws, x) for x in q], axis=-1)
    bands[~(ok & boot_ok)] = np.nan
    s_refs = np.sort(np.where(boot_ok[..., None], boot_all, 0.0), axis=-1)
    ref_bands = np.stack([_percentile_sorted(s_refs, q[0]), _percentile_sorted(s_refs, q[2])], axis=-1)
    ref_bands[~(has_ref & boot_ok)] = np.nan
    totals = np.array([total_potential(potentials[r_i]) for r_i in range(R)])
    total_bands = np.stack([_percentile_sorted(np.sort(draws.sum(axis=1), axis=-1), x) for x in q], axis=-1)
    return ArrayBenchmark(references=refs, ref_values=ref_values, potentials=potentials, bands=bands,
                          ref_bands=ref_bands, potential_draws=draws, peer_counts=peer_counts,
                          nearest10_counts=near_counts, excluded_peers=excluded, totals=totals,
                          total_bands=total_bands)


# --------------------------------------------------------------------------------------------- flags

FLAGS: dict[str, str] = {
    "missing": "Intet tal for kommunen i året (vist som manglende, ikke som 0); intet potentiale.",
    "zero_or_negative": "Kommunens nettoudgift er 0 eller negativ (fx indtægter over udgifter eller anden "
                        "kontering); enhedsudgift og potentiale beregnes ikke.",
    "estimated": "Udgiften pr. målgruppe bygger på skønnede tal (folketal eller målgruppe); se metoden.",
    "small_municipality": "Lille kommune (under 10.000 indbyggere): enhedsudgifterne svinger meget fra år til år.",
    "capital": "København og Frederiksberg er strukturelt særlige (hovedstadsfunktioner, tæthed).",
    "few_peers": "Færre end 3 sammenligningskommuner har et brugbart tal; referencen er usikker.",
    "peer_zero_or_negative": "Sammenligningskommuner med en udgift på 0 eller derunder (eller uden tal) indgår "
                             "ikke i sammenligningsniveauerne; de er nævnt ved området.",
    "break_in_series": "Områdets funktioner findes ikke i alle år i datareleasen (brud i kontoplanen); "
                       "sammenlign ikke over bruddet.",
    "need_not_estimable": "Behovskorrektionen kunne ikke estimeres for området; se beskeden.",
}


#: Short Danish labels of the flags (tables, workbook columns).
FLAG_LABELS: dict[str, str] = {
    "missing": "mangler", "zero_or_negative": "udgift ≤ 0", "estimated": "skøn",
    "small_municipality": "lille kommune", "capital": "hovedstad", "few_peers": "få sammenligningskommuner",
    "peer_zero_or_negative": "sammenligningskommune udeladt", "break_in_series": "brud i kontoplanen",
    "need_not_estimable": "ingen behovsmodel",
}


# --------------------------------------------------------------------------------------------- context


class BenchmarkContext:
    """What is shared by every municipality in one year: the area panel, the structure matrix, the national
    figures and their bootstrap draws, and the need models (cached on the release)."""

    def __init__(self, release: Release, year: int, catalog: Catalog, peer_catalog: PeerCatalog) -> None:
        self.release = release
        self.year = year
        self.catalog = catalog
        self.peer_catalog = peer_catalog
        self.panel: AreaPanel = area_panel(release, year, catalog)
        self.structure: StructureMatrix = structure_matrix(release, year, peer_catalog)
        if not np.array_equal(self.panel.codes, self.structure.codes):
            raise InputError("Områdetal og rammevilkår dækker ikke de samme kommuner.")
        self.national = self.panel.national_unit_cost.copy()  # the one national definition: ΣE/ΣN over the 98
        self._national_draws: dict[tuple[int, int], np.ndarray] = {}
        self._need: dict[tuple[str, str, tuple[str, ...]], tuple[NeedModel, np.ndarray] | EstimationError] = {}
        self.break_in_series = _areas_with_break(release, catalog)

    def national_draws(self, B: int, seed: int) -> np.ndarray:
        key = (B, seed)
        if key not in self._national_draws:
            self._national_draws[key] = national_draws(self.panel.expenditure, self.panel.target, B, seed,
                                                       self.panel.codes)
        return self._national_draws[key]

    def need(self, a: int, model: PeerCatalog | None = None) -> tuple[NeedModel, np.ndarray] | EstimationError:
        """The need model of area ``a`` on the structural variables of the peer ``model`` (default: the context's
        model): the variables with a weight above 0 in the model that vary in the year."""
        area = self.panel.areas[a]
        model = model or self.peer_catalog
        key = (area.id, model.id, tuple(v.id for v in model.used()))
        if key not in self._need:
            sm = self.structure if model is self.peer_catalog else structure_matrix(self.release, self.year, model)
            cols = [j for j, v in enumerate(sm.variables) if sm.kept[j] and v.weight > 0]
            names = [sm.variables[j].id for j in cols]
            try:
                self._need[key] = need_expected(self.panel.unit_cost[:, a], sm.Z[:, cols], names, label=area.name)
            except EstimationError as e:
                self._need[key] = e
        return self._need[key]


def benchmark_context(release: Release, year: int | None = None, catalog: Catalog | None = None,
                      peer_catalog: PeerCatalog | None = None) -> BenchmarkContext:
    catalog = catalog or load_catalog()
    peer_catalog = peer_catalog or load_peer_catalog()
    year = release.check_year(year)
    cache: dict[Any, BenchmarkContext] = release.__dict__.setdefault("_benchmark_contexts", {})
    key = (year, id(catalog), peer_catalog.id,
           tuple((v.id, v.source, v.transform) for v in peer_catalog.variables))
    if key not in cache:
        cache[key] = BenchmarkContext(release, year, catalog, peer_catalog)
    return cache[key]


def _areas_with_break(release: Release, catalog: Catalog) -> dict[str, list[int]]:
    """Area id → the release years in which some of its functions are missing for the whole country."""
    cache = release.__dict__.setdefault("_area_breaks", {})
    if id(catalog) in cache:
        return cache[id(catalog)]  # type: ignore[no-any-return]
    missing = release.query("SELECT DISTINCT function, year FROM expenditure WHERE municipality_code = 0 "
                            "AND per_inhabitant_status = 'missing'")
    out: dict[str, list[int]] = {}
    for a in catalog.areas:
        years = sorted({int(y) for f, y in missing if f in a.functions})
        if years:
            out[a.id] = years
    cache[id(catalog)] = out
    return out


# --------------------------------------------------------------------------------------------- results


def _f(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


def _band(b: np.ndarray) -> dict[str, float | None] | None:
    if not np.isfinite(b).all():
        return None
    return {"p10": float(b[0]), "p50": float(b[1]), "p90": float(b[2])}


@dataclass
class AreaBenchmark:
    id: str
    name: str
    denominator: str
    denominator_name: str
    unit_cost: float | None
    expenditure: float | None
    target: float | None
    status: str
    target_status: str
    references: dict[str, dict[str, Any]]
    potential: float | None
    band: dict[str, Any] | None
    flags: list[str]
    peer_values: list[dict[str, Any]]
    peers_with_figure: int
    need: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    peer_model: str = "standard"
    peer_model_name: str = ""
    per_inhabitant_status: str = "observed"
    expenditure_status: str | None = None  # "derived": kr. per inhabitant × population
    expenditure_precision: float | None = None  # ± kr. of ``expenditure`` (and of every potential)
    methods: list[dict[str, str]] = field(default_factory=list)  # estimation methods behind the figures: id, text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "denominator": self.denominator,
            "denominator_name": self.denominator_name, "unit_cost": self.unit_cost,
            "expenditure": self.expenditure, "expenditure_status": self.expenditure_status,
            "expenditure_precision": self.expenditure_precision, "potential_precision": self.expenditure_precision,
            "target": self.target, "status": self.status, "per_inhabitant_status": self.per_inhabitant_status,
            "target_status": self.target_status, "references": self.references, "potential": self.potential,
            "band": self.band, "flags": list(self.flags), "peer_values": self.peer_values,
            "peers_with_figure": self.peers_with_figure, "need": self.need, "notes": list(self.notes),
            "peer_model": {"id": self.peer_model, "name": self.peer_model_name}, "methods": list(self.methods),
        }


@dataclass
class BenchmarkResult:
    municipality: Municipality
    year: int
    reference: str
    peers: PeerSet
    areas: list[AreaBenchmark]  # ranked by potential for the chosen reference, None last
    total: dict[str, Any]
    method: dict[str, Any]
    provenance: dict[str, Any]
    arrays: ArrayBenchmark | None = None
    peer_model: str = "standard"  # the model id, or "auto" (each area its own model)
    peer_sets: dict[str, PeerSet] = field(default_factory=dict)  # model id → peer set (several under "auto")
    prices: PriceBasis | None = None

    def area(self, area_id: str) -> AreaBenchmark:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)

    def summary(self) -> str:
        """One Danish sentence: which peers and which reference produced the numbers."""
        ref = REFERENCES[self.reference]
        desc = self.peers.description()
        desc = desc[:1].lower() + desc[1:]
        return (f"{self.municipality.name} sammenlignet med {desc} "
                f"({', '.join(p.name for p in self.peers.peers[:12])}{' …' if len(self.peers.peers) > 12 else ''}); "
                f"referenceniveau: {ref.name.lower()}.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "municipality": {"code": self.municipality.code, "name": self.municipality.name,
                             "region": self.municipality.region, "group": self.municipality.group},
            "year": self.year,
            "reference": {"id": self.reference, "name": REFERENCES[self.reference].name,
                          "explanation": REFERENCES[self.reference].explanation},
            "summary": self.summary(),
            "denominators": {a.id: {"target_group": a.denominator, "name": a.denominator_name,
                                    "status": a.target_status} for a in self.areas},
            "peers": self.peers.to_dict(),
            "peer_model": {"id": self.peer_model,
                           "name": AUTO_MODEL_NAME if self.peer_model == AUTO_MODEL else self.peers.model_name},
            "area_peer_sets": {mid: ps.to_dict() for mid, ps in self.peer_sets.items() if ps is not self.peers},
            "stability": self.peers.stability_dict(),
            "areas": [a.to_dict() for a in self.areas],
            "total": self.total,
            "flags": {k: v for k, v in FLAGS.items() if any(k in a.flags for a in self.areas)},
            "method": self.method,
            "provenance": self.provenance,
        }


def _scaled(x: Any, factor: float) -> float | None:
    v = _f(x)
    return None if v is None else v * factor


def run_benchmark(release: Release, municipality: str | int | Municipality, year: int | None = None,
                  reference: str = "peer_mean", peers: str | int | PeerSpec | None = "k=10",
                  weights: str | dict[str, float] | None = None, need_corrected: bool = False,
                  B: int = DEFAULT_B, seed: int = DEFAULT_SEED, *, stability_draws: int | None = None,
                  catalog: Catalog | None = None, peer_catalog: PeerCatalog | None = None,
                  peer_model: str | None = None, prices: str | PriceBasis | None = None,
                  base_year: int | None = None) -> BenchmarkResult:
    """The benchmark of one municipality in one year (default: the latest) against the chosen peers.

    ``reference`` picks the headline reference (every reference is computed); ``peers`` is ``"k=10"``,
    ``"group"``, ``"region"``, ``"all"`` or a list of codes or names; ``weights`` overrides the peer model's
    structural weights (``"ln_population=2"``). ``peer_model`` is a model id of ``raaderum/catalog/peers.toml``
    (default ``"standard"``) or ``"auto"``: every area uses its own model (ældremodellen for ældrepleje …) and
    ``weights`` then apply to the standard model, whose peers head the result. ``B`` ≥ 1000 bootstrap draws with
    ``seed``. ``prices="faste"`` (with ``base_year``) gives every kroner figure in fixed prices; the need index and
    the peers do not depend on it.
    """
    catalog = catalog or load_catalog()
    registry = load_peer_registry()
    model_id = registry.resolve(peer_model) if peer_catalog is None else peer_catalog.id
    headline = peer_catalog or (registry.model() if model_id == AUTO_MODEL else registry.model(model_id))
    basis = price_basis(release, prices, base_year)
    reference = resolve_reference(reference)
    if B < 1000:
        raise InputError(f"Bootstrap-båndet kræver mindst 1.000 trækninger; fik {B}.")
    m = municipality if isinstance(municipality, Municipality) else release.register.resolve(municipality)
    year = release.check_year(year)
    factor = basis.factor(year)
    ctx = benchmark_context(release, year, catalog, headline)
    ps = choose_peers(release, m, year, peers, weights, draws=stability_draws, catalog=headline)
    area_models: list[PeerCatalog] = [registry.model_for_area(a.id) if model_id == AUTO_MODEL else headline
                                      for a in ctx.panel.areas]
    peer_sets: dict[str, PeerSet] = {headline.id: ps}
    for model in area_models:
        if model.id not in peer_sets:
            peer_sets[model.id] = choose_peers(release, m, year, ps.spec, None, draws=stability_draws,
                                               catalog=model)
    panel = ctx.panel
    i = panel.index(m.code)
    refs = list(REFERENCES)
    area_peers = None if model_id != AUTO_MODEL else [
        (peer_sets[mm.id].indices, peer_sets[mm.id].nearest10) for mm in area_models]
    nat_draws = ctx.national_draws(B, seed)
    arr = benchmark_arrays(panel.unit_cost * factor, panel.expenditure * factor, panel.target, i, ps.indices,
                           ps.nearest10, references=refs, B=B, seed=seed,
                           national=(ctx.national * factor, nat_draws * factor if factor != 1 else nat_draws),
                           area_peers=area_peers)
    r_chosen = refs.index(reference)
    codes = panel.codes
    reg = release.register
    precision = panel.expenditure_precision()
    areas: list[AreaBenchmark] = []
    for a, area in enumerate(panel.areas):
        aps = peer_sets[area_models[a].id]
        e = _scaled(panel.unit_cost[i, a], factor)
        E = _scaled(panel.expenditure[i, a], factor)
        N = _f(panel.target[i, a])
        flags: list[str] = []
        notes: list[str] = []
        if E is None or N is None:
            flags.append("missing")
        elif E <= 0:
            flags.append("zero_or_negative")  # e is shown as it is, but no potential is computed
        status = str(panel.status[i, a])
        tstatus = str(panel.target_status[i, a]) if panel.target_status is not None else "observed"
        if "estimated" in (status, tstatus):
            flags.append("estimated")
        pop = panel.population[i]
        if np.isfinite(pop) and pop < SMALL_MUNICIPALITY:
            flags.append("small_municipality")
        if m.code in CAPITAL_CODES:
            flags.append("capital")
        if arr.peer_counts[a] < MIN_PEERS and "missing" not in flags:
            flags.append("few_peers")
        if arr.excluded_peers[a] and "missing" not in flags:
            flags.append("peer_zero_or_negative")
            names = ", ".join(reg.by_code(int(codes[j])).name for j in arr.excluded_peers[a])
            notes.append(f"Uden for sammenligningsniveauerne (udgift 0 eller derunder eller intet tal): {names}.")
        if area.id in ctx.break_in_series and year not in ctx.break_in_series[area.id]:
            flags.append("break_in_series")
        ref_dict: dict[str, dict[str, Any]] = {}
        for r_i, r in enumerate(refs):
            ref_dict[r] = {
                "value": _f(arr.ref_values[r_i, a]),
                "potential": _f(arr.potentials[r_i, a]),
                "band": _band(arr.bands[r_i, a]),
                "reference_band": None if not np.isfinite(arr.ref_bands[r_i, a]).all()
                else {"p10": float(arr.ref_bands[r_i, a, 0]), "p90": float(arr.ref_bands[r_i, a, 1])},
            }
        band = _band(arr.bands[r_chosen, a])
        excluded = set(arr.excluded_peers[a])
        peer_values = [{"code": int(codes[j]), "name": reg.by_code(int(codes[j])).name,
                        "unit_cost": _scaled(panel.unit_cost[j, a], factor), "status": str(panel.status[j, a]),
                        "used": j not in excluded} for j in aps.indices]
        need = _need_block(ctx, a, i, aps, reference, N, flags, area_models[a], factor) if need_corrected else None
        tg = panel.denominator[a]
        areas.append(AreaBenchmark(
            id=area.id, name=area.name, denominator=tg, denominator_name=catalog.target_group(tg).name,
            unit_cost=e, expenditure=E, target=N, status=status, target_status=tstatus, references=ref_dict,
            potential=_f(arr.potentials[r_chosen, a]), band=band, flags=flags, peer_values=peer_values,
            peers_with_figure=int(arr.peer_counts[a]), need=need, notes=notes, peer_model=aps.model,
            peer_model_name=aps.model_name,
            per_inhabitant_status=str(panel.per_inhabitant_status[i, a]) if panel.per_inhabitant_status is not None
            else status, expenditure_status=None if E is None else "derived",
            expenditure_precision=None if E is None else _scaled(precision[i, a], factor),
            methods=[{"id": mid, "text": release.method_text(mid)}
                     for mid in sorted(set(panel.methods.get((m.code, area.id), [])))]))
    areas.sort(key=lambda x: (x.potential is None, -(x.potential or 0.0), x.id))
    by_ref = {r: float(arr.totals[r_i]) for r_i, r in enumerate(refs)}
    lo_ref = min(by_ref, key=lambda r: (by_ref[r], r))
    hi_ref = max(by_ref, key=lambda r: (by_ref[r], r))
    total: dict[str, Any] = {
        "reference": reference,
        "potential": by_ref[reference],
        "band": _band(arr.total_bands[r_chosen]),
        "by_reference": by_ref,
        "bands_by_reference": {r: _band(arr.total_bands[r_i]) for r_i, r in enumerate(refs)},
        "range": {"min": by_ref[lo_ref], "min_reference": lo_ref, "max": by_ref[hi_ref], "max_reference": hi_ref},
        "areas_without_potential": [a.id for a in areas if a.potential is None],
        "rule": "Summen af de positive områdepotentialer; områder under referencen modregnes ikke.",
        "precision": float(sum(a.expenditure_precision or 0.0 for a in areas if (a.potential or 0) > 0)),
        "status": "derived",
        "sign_convention": "Potentiale (mulighedsrum) er positivt = mulig besparelse i kr. pr. år.",
    }
    if need_corrected:
        vals = [a.need.get("potential") for a in areas if a.need]
        total["need_corrected"] = total_potential(vals)
    method = _method(release, ps, reference, B, seed, need_corrected, catalog, headline, model_id, area_models,
                     basis, year)
    provenance = {
        "source": "Danmarks Statistik", "table": EXPENDITURE_TABLE, "year": year,
        **price_provenance(release, basis, year), "accounts": release.manifest.get("accounts"),
        "measure": release.manifest.get("measure"), "release_id": release.id,
        "structure_table": "structure (rammevilkår i datareleasen)",
        "sources": [{"id": s.get("id"), "table": s.get("table"), "title": s.get("title"), "years": s.get("years"),
                     "licence": s.get("licence")} for s in release.manifest.get("sources", [])],
        "attribution": release.manifest.get("attribution") or "Kilde: Danmarks Statistik",
    }
    return BenchmarkResult(municipality=m, year=year, reference=reference, peers=ps, areas=areas, total=total,
                           method=method, provenance=provenance, arrays=arr, peer_model=model_id,
                           peer_sets=peer_sets, prices=basis)


def _need_block(ctx: BenchmarkContext, a: int, i: int, ps: PeerSet, reference: str, N: float | None,
                flags: list[str], model: PeerCatalog, factor: float = 1.0) -> dict[str, Any]:
    fit = ctx.need(a, model)
    if isinstance(fit, EstimationError):
        flags.append("need_not_estimable")
        return {"error": str(fit), "model": model.id}
    nm, expected = fit
    panel = ctx.panel
    index = need_index(panel.unit_cost[:, a], expected)
    src = REFERENCES[reference].source
    if src == "national":
        ok = np.isfinite(index) & np.isfinite(panel.target[:, a])
        ref_index = float(panel.expenditure[ok, a].sum() / (expected[ok] * panel.target[ok, a]).sum()) \
            if ok.any() else float("nan")
    else:
        rows = ps.indices if src == "peers" else ps.nearest10
        ref_index = ref_value(reference, index[rows])
    ehat = float(expected[i]) * factor
    pot = need_corrected_potential(float(index[i]), ref_index, ehat, np.nan if N is None else N)
    return {"r2": nm.r2, "n": nm.n, "p": nm.p, "variables": nm.variables, "model": model.id,
            "expected_unit_cost": _f(ehat), "index": _f(index[i]), "reference_index": _f(ref_index),
            "potential": pot}


def _method(release: Release, ps: PeerSet, reference: str, B: int, seed: int, need_corrected: bool,
            catalog: Catalog, peer_catalog: PeerCatalog, model_id: str, area_models: list[PeerCatalog],
            basis: PriceBasis, year: int) -> dict[str, Any]:
    return {
        "reference": reference,
        "references": {r.id: {"name": r.name, "explanation": r.explanation} for r in REFERENCES.values()},
        "unit_cost": "Nettodriftsudgift i kr. (kr. pr. indbygger × folketal 1. januar) delt med målgruppen N "
                     "1. januar; folketallet hvor datareleasen ikke har målgruppen.",
        "potential": "max(0, e − e_ref) × N kr. pr. år; ingen modregning mellem områder. Afledt af kr. pr. "
                     "indbygger i hele kroner: usikkerheden er ±0,5 kr. × folketal pr. funktion "
                     "(potential_precision).",
        "gap_tolerance": GAP_TOLERANCE,
        "prices": basis.to_dict(year),
        "peer_model": {"id": model_id,
                       "name": AUTO_MODEL_NAME if model_id == AUTO_MODEL else peer_catalog.name,
                       "areas": {catalog.areas[a].id: mm.id for a, mm in enumerate(area_models)}},
        "peers": {"spec": ps.spec.text, "kind": ps.spec.kind, "k": ps.spec.k, "weights": dict(ps.weights),
                  "model": peer_catalog.id,
                  "variables": [{"id": v.id, "name": v.name, "source": v.source, "transform": v.transform,
                                 "default_weight": v.weight, "reason": v.reason}
                                for v in peer_catalog.variables],
                  "standardisation": "z = (x − gennemsnit) / standardafvigelse (ddof=0) over de 98 kommuner i året",
                  "distance": "d = √(Σ w·(z_i − z_j)²); bidrag = variablens andel af d²",
                  "ties": "lige afstande afgøres af laveste kommunekode",
                  "nearest10": "de 10 nærmeste med de valgte vægte (bruges af best5_of_10)",
                  "catalog_version": peer_catalog.version},
        "stability": {"draws": ps.stability_draws, "perturbation": ps.stability_perturbation,
                      "seed": ps.stability_seed, "distribution": "U(1 − p, 1 + p) pr. vægt"},
        "bootstrap": {"B": B, "seed": seed, "percentiles": list(BAND_PERCENTILES),
                      "peers": "sammenligningskommunerne (med brugbart tal) trækkes med tilbagelægning",
                      "national": "de 98 kommuner trækkes med tilbagelægning",
                      "rng": "numpy.random.default_rng (PCG64)"},
        "national_mean": NATIONAL_UNIT_COST_METHOD,
        "peer_mean": "uvægtet gennemsnit; kommunen selv indgår aldrig",
        "percentile_method": "numpy 'linear' (virtuelt indeks q·(k − 1))",
        "zero_or_negative": "udgift ≤ 0: intet potentiale (null) og flag; sammenligningskommuner med udgift ≤ 0 "
                            "indgår ikke i sammenligningsniveauerne og nævnes",
        "small_municipality_threshold": SMALL_MUNICIPALITY,
        "capital_codes": list(CAPITAL_CODES),
        "min_peers": MIN_PEERS,
        "need_corrected": need_corrected,
        "need_method": NEED_METHOD_TEXT if need_corrected else None,
        "catalog_version": catalog.version,
        "release_id": release.id,
    }


def need_fit_report(release: Release, year: int | None = None, peer_model: str | None = "auto") -> list[dict[str, Any]]:
    """R², n and p of the need model of every area in ``year`` on the variables of ``peer_model`` (``"auto"``:
    each area's own model), for the method page and the release notes."""
    reg = load_peer_registry()
    mid = reg.resolve(peer_model)
    ctx = benchmark_context(release, year)
    out: list[dict[str, Any]] = []
    for a, area in enumerate(ctx.panel.areas):
        model = reg.model_for_area(area.id) if mid == AUTO_MODEL else reg.model(mid)
        fit = ctx.need(a, model)
        row: dict[str, Any] = {"area": area.id, "name": area.name, "model": model.id, "year": ctx.year}
        if isinstance(fit, EstimationError):
            row.update({"r2": None, "n": None, "p": None, "variables": [], "error": str(fit)})
        else:
            m = fit[0]
            row.update({"r2": m.r2, "n": m.n, "p": m.p, "variables": list(m.variables),
                        "adjusted_r2": 1 - (1 - m.r2) * (m.n - 1) / (m.n - m.p - 1)})
        out.append(row)
    return out


__all__ = [
    "ArrayBenchmark", "AreaBenchmark", "BenchmarkContext", "BenchmarkResult", "DEFAULT_B", "DEFAULT_SEED",
    "FLAGS", "FLAG_LABELS", "REFERENCES", "Reference", "benchmark_arrays", "benchmark_context", "national_draws",
    "national_weighted_mean", "need_fit_report", "potential", "ref_value", "resolve_reference", "run_benchmark",
    "total_potential",
]
