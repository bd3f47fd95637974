"""View models: turn core results into the tables and chart rows the templates show (no computation here that
the core should own; only selection, labels and formatting choices)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import numpy as np
from fastapi import Query

from raaderum.analysis.benchmark import FLAG_LABELS, REFERENCES, BenchmarkResult, run_benchmark
from raaderum.analysis.dea import (
    DEFAULT_DEA_B,
    MIN_DEA_B,
    DeaPeers,
    dea_peers,
    dea_potential,
    dea_specs,
    is_dea_peers,
    resolve_dea_spec,
    run_dea_all,
    spec_for_area,
    sw_bandwidth,
)
from raaderum.analysis.dea import FLAGS as DEA_FLAGS
from raaderum.analysis.dea import dea_peer_spec as _dea_peer_spec
from raaderum.analysis.decomposition import FACTORS, spending_decomposition
from raaderum.analysis.demography import DemographicPressure, demographic_pressure, method_summary, pressure_overview
from raaderum.analysis.key_figures import area_panel, area_unit_cost_series, function_panel, round_to_precision
from raaderum.analysis.peers import DEA_DEFAULT_SPEC, DEA_PEERS, PeerSpec, load_peer_catalog, load_peer_registry
from raaderum.analysis.prices import CURRENT, FIXED, resolve_prices
from raaderum.analysis.projection import BUDGET_LABELS
from raaderum.analysis.scope import FiguresScope, figures_scope
from raaderum.catalog import Area, load_catalog
from raaderum.errors import DataNotAvailable, EstimationError, InputError, UnknownMunicipality
from raaderum.formatting import fmt_mio, fmt_number, per_unit
from raaderum.ideas import SearchFilters
from raaderum.ideas.records import AMOUNT_BANDS, UNKNOWN_BAND
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.release.reader import Release
from raaderum.web.charts import BandRow
from raaderum.web.deps import TEXT_PATTERN
from raaderum.web.tables import Column, DataTable


def source_text(measure: str | None, price_label: str, table: str = "REGK31") -> str:
    """The source line under every kroner figure: the release's own measure and the figure's price basis."""
    m = str(measure or "nettodriftsudgifter, regnskab").rstrip(".")
    return (f"Kilde: Danmarks Statistik ({table}, regnskab). Opgørelse: {m}. Prisgrundlag: {price_label}. "
            "Beregning: Råderum.")


def res_source(res: BenchmarkResult) -> str:
    """:func:`source_text` of a benchmark result (its measure and price basis travel in its provenance)."""
    return source_text(res.provenance.get("measure"), res.provenance["price_basis"])


#: The sign convention wherever a potential and idea-bank amounts appear together.
SIGN_CONVENTION = ("Fortegn: et mulighedsrum er positivt (mulig besparelse i kr. om året); idébankens beløb er "
                   "budgetvirkninger, hvor en besparelse er negativ (fx −1,0 mio. kr.).")


def price_years(release: Release) -> list[int]:
    """Base years offered for fixed prices: the release's years the price index covers (empty without an index)."""
    info = release.manifest.get("price_index") or {}
    if not info:
        return []
    lo, hi = (info.get("years") or [min(release.years), max(release.years)])[:2]
    return [y for y in release.years if lo <= y <= hi]


def default_base_year(release: Release) -> int | None:
    info = release.manifest.get("price_index") or {}
    return info.get("default_base_year") if info else None


def peer_model_options() -> list[dict[str, str]]:
    return load_peer_registry().choices()


@dataclass
class BenchmarkParams:
    """The user's choices, as they travel in the query string."""

    year: int | None = None
    reference: str = "peer_mean"
    peers: str = "k=10"
    need: bool = False
    weights: str | None = None
    prices: str = CURRENT
    base_year: int | None = None
    peer_model: str | None = None

    def __post_init__(self) -> None:
        self.prices = resolve_prices(self.prices)
        if self.prices == CURRENT:
            self.base_year = None  # a base year only means something in fixed prices
        if self.peer_model is not None:
            self.peer_model = load_peer_registry().resolve(self.peer_model)

    @property
    def model_id(self) -> str:
        return self.peer_model or load_peer_registry().default_model

    def query(self, **override: Any) -> str:
        d = {
            "year": self.year,
            "reference": self.reference,
            "peers": self.peers,
            "need": "1" if self.need else None,
            "weights": self.weights,
            "prices": FIXED if self.prices == FIXED else None,
            "base_year": self.base_year if self.prices == FIXED else None,
            "peer_model": self.peer_model if self.peer_model not in (None, load_peer_registry().default_model)
            else None,
            **override,
        }
        q = {k: v for k, v in d.items() if v not in (None, "", False)}
        return ("?" + urlencode(q)) if q else ""

    @property
    def dea_peers(self) -> bool:
        """The peers are the DEA reference municipalities (``dea`` or ``dea:<specification>``)."""
        return is_dea_peers(self.peers)

    def run(self, release: Release, municipality: str | int, area: str | None = None) -> BenchmarkResult:
        """The benchmark; ``area`` is the page's service area (``peers=dea`` then means its DEA specification)."""
        if self.reference not in REFERENCES:
            raise InputError(f"Ukendt referenceniveau {self.reference!r}; vælg et af: {', '.join(REFERENCES)}.")
        code = release.register.resolve(municipality).code
        peers: str | PeerSpec = self.peers
        if self.dea_peers:
            peers = dea_peer_spec(release, code, self.peers, area, self.year)
        try:
            return _cached_benchmark(
                release, code, self.year, self.reference, peers, self.weights or None, self.need,
                self.prices, self.base_year, self.model_id,
            )
        except UnknownMunicipality as e:  # the municipality itself is resolved before; this is the peer list
            raise InputError(f"Sammenligningskommuner {self.peers!r}: {e}") from None




@lru_cache(maxsize=8)
def _populations(release: Release) -> dict[tuple[int, int], float | None]:
    return {(int(c), int(y)): p for c, y, p in release.query("SELECT municipality_code, year, population "
                                                             "FROM population")}


def population(release: Release, code: int, year: int) -> float | None:
    """The municipality's population in ``year`` (one query per release, not one per page)."""
    return _populations(release).get((int(code), int(year)))


@lru_cache(maxsize=4096)
def cached_dea_peers(release: Release, code: int, spec_id: str, year: int | None) -> DeaPeers:
    return dea_peers(release, code, spec_id, year)


def dea_peer_spec(release: Release, code: int, text: str, area: str | None, year: int | None) -> PeerSpec:
    """:func:`raaderum.analysis.dea.dea_peer_spec` with the DEA references cached per release."""
    return _dea_peer_spec(release, code, text, area, year, peers=cached_dea_peers)


@lru_cache(maxsize=512)
def _cached_benchmark(
    release: Release, code: int, year: int | None, reference: str, peers: str | PeerSpec, weights: str | None,
    need: bool,
    prices: str = CURRENT, base_year: int | None = None, peer_model: str | None = None,
) -> BenchmarkResult:
    """Benchmark results are pure functions of an immutable release and the parameters: computed once."""
    return run_benchmark(release, code, year, reference=reference, peers=peers, weights=weights, need_corrected=need,
                         prices=prices, base_year=base_year, peer_model=peer_model)


def warm_up(release: Release) -> None:
    """Compute what every page needs first (area panels for all years, default benchmarks for the latest year)."""
    for y in release.years:
        area_panel(release, y)
        function_panel(release, y)
    for m in release.register:
        _cached_benchmark(release, m.code, None, "peer_mean", "k=10", None, False, CURRENT, None,
                          load_peer_registry().default_model)
    try:  # the DEA frontiers of the latest year (no bootstrap) and the projection with its back-test
        run_dea_all(release)
        method_summary(release)
        analysis_method_sections(release)
    except (DataNotAvailable, EstimationError):  # a release without the data: the pages say so when asked
        pass


def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


# The closed sets of the idea search as patterns (the API schema then says exactly what is accepted).
_AREA_PATTERN = _one_of([a.id for a in load_catalog().areas] + [t.id for t in load_catalog().themes])
_TYPE_PATTERN = _one_of([t.id for t in load_vocabulary().types])
_BAND_PATTERN = _one_of([b[0] for b in AMOUNT_BANDS] + [UNKNOWN_BAND[0]])


@dataclass
class IdeaQuery:
    """An idea-bank search as it travels in the query string (shared by the page and the JSON API)."""

    q: str = ""
    area: str | None = None
    type: str | None = None
    kommune: str | None = None
    year: int | None = None
    committee: str | None = None
    band: str | None = None

    def municipality_code(self, release: Release) -> int | None:
        return release.register.resolve(self.kommune).code if self.kommune else None

    def filters(self, release: Release, *, include_sample: bool = True) -> Any:
        return SearchFilters(area=self.area or None, type=self.type or None,
                             municipality=self.municipality_code(release), year=self.year,
                             committee=self.committee or None, amount_band=self.band or None,
                             include_sample=include_sample)


def idea_query(
    q: str = Query("", max_length=300, pattern=TEXT_PATTERN, description="Søgetekst (dansk fritekst)"),
    area: str | None = Query(None, max_length=60, pattern=_AREA_PATTERN, description="Område- eller tema-id"),
    type: str | None = Query(None, max_length=60, pattern=_TYPE_PATTERN, description="Forslagstype"),
    kommune: str | None = Query(None, max_length=100, pattern=TEXT_PATTERN, description="Kommunekode eller navn"),
    year: int | None = Query(None, ge=1900, le=2100, description="Budgetår"),
    committee: str | None = Query(None, max_length=200, pattern=TEXT_PATTERN, description="Udvalg som skrevet"),
    band: str | None = Query(None, max_length=40, pattern=_BAND_PATTERN, description="Beløbsinterval"),
) -> IdeaQuery:
    return IdeaQuery(q=q, area=area, type=type, kommune=kommune, year=year, committee=committee, band=band)


def flag_text(flags: list[str]) -> str:
    return ", ".join(FLAG_LABELS.get(f, f) for f in flags)


def overview_tables(res: BenchmarkResult, params: BenchmarkParams) -> list[DataTable]:
    ref = REFERENCES[res.reference]
    rows = []
    for a in res.areas:
        pots = [r["potential"] for r in a.references.values() if r.get("potential") is not None]
        rows.append(
            {
                "id": a.id,
                "name": a.name,
                "target": a.denominator_name,
                "unit_cost": a.unit_cost,
                "reference": a.references[res.reference]["value"],
                "expenditure": round_to_precision(a.expenditure, a.expenditure_precision),
                "potential": round_to_precision(a.potential, a.expenditure_precision),
                "p10": (a.band or {}).get("p10"),
                "p90": (a.band or {}).get("p90"),
                "min": min(pots) if pots else None,
                "max": max(pots) if pots else None,
                "flags": flag_text(a.flags),
                "_status": a.status,
                "url": f"/kommune/{res.municipality.code}/omraade/{a.id}{params.query()}",
            }
        )
    areas = DataTable(
        "omraader",
        f"Serviceområder efter mulighedsrum ({ref.name.lower()})",
        [
            Column("name", "Område"),
            Column("target", "Målgruppe"),
            Column("unit_cost", "Kr. pr. person i målgruppen", "kr"),
            Column("reference", "Referenceniveau, kr.", "kr"),
            Column("potential", "Mulighedsrum, mio. kr. (afledt)", "mio"),
            Column("p10", "Bånd P10, mio. kr.", "mio"),
            Column("p90", "Bånd P90, mio. kr.", "mio"),
            Column("min", "Laveste over referencer, mio. kr.", "mio"),
            Column("max", "Højeste over referencer, mio. kr.", "mio"),
            Column("expenditure", "Udgift i alt, mio. kr. (afledt)", "mio"),
            Column("flags", "Bemærkninger"),
        ],
        rows,
        source=res_source(res) + f" Regnskabsår {res.year}.",
        note="Mulighedsrum = max(0, enhedsudgift − reference) × målgruppe. Bånd: bootstrap af "
        "sammenligningskommunerne (P10-P90, B = 1.000). Et mulighedsrum er et spørgsmål, ikke en facitliste. "
        "Udgift i alt og mulighedsrum er afledt (kr. pr. indbygger × folketal) og afrundet til den præcision, "
        "kildens hele kroner pr. indbygger giver. " + res.total.get("sign_convention", ""),
        links={"name": "url"},
    )
    totals = DataTable(
        "referencer",
        "Samlet mulighedsrum pr. referenceniveau",
        [
            Column("name", "Referenceniveau"),
            Column("total", "Mulighedsrum i alt, mio. kr.", "mio"),
            Column("p10", "P10, mio. kr.", "mio"),
            Column("p90", "P90, mio. kr.", "mio"),
            Column("explanation", "Forklaring"),
        ],
        [
            {
                "name": r.name,
                "total": res.total["by_reference"].get(r.id),
                "p10": (res.total.get("bands_by_reference", {}).get(r.id) or {}).get("p10"),
                "p90": (res.total.get("bands_by_reference", {}).get(r.id) or {}).get("p90"),
                "explanation": r.explanation,
                "chosen": r.id == res.reference,
            }
            for r in REFERENCES.values()
        ],
        source=res_source(res),
        highlight_key="chosen",
        note="Summen af de positive områder; områder under referencen modregnes ikke.",
    )
    return [areas, totals]


def band_rows(res: BenchmarkResult) -> list[BandRow]:
    out = []
    for a in res.areas:
        pots = [r["potential"] for r in a.references.values() if r.get("potential") is not None]
        out.append(
            BandRow(
                label=a.name,
                value=a.potential,
                low=(a.band or {}).get("p10"),
                high=(a.band or {}).get("p90"),
                range_low=min(pots) if pots else None,
                range_high=max(pots) if pots else None,
            )
        )
    return out


def plain_sentence(res: BenchmarkResult, a: Any) -> str:
    """One plain Danish sentence per area for politicians."""
    m = res.municipality.name
    ref = a.references[res.reference]["value"]
    if a.unit_cost is None:
        return f"{a.name}: der er ingen sammenlignelige tal for {m} i {res.year}."
    if a.potential is None:
        return (
            f"{a.name}: {m} har en nettoudgift på 0 kr. eller derunder pr. {per_unit(a.denominator_name)}, "
            "så der beregnes ikke et mulighedsrum."
        )
    base = (
        f"{a.name}: {m} bruger {fmt_number(a.unit_cost)} kr. pr. {per_unit(a.denominator_name)}, "
        f"referencen er {fmt_number(ref)} kr."
    )
    if a.potential <= 0:
        return base + " Udgiften ligger på eller under referencen."
    band = a.band or {}
    return (
        base
        + f" Forskellen svarer til {fmt_mio(a.potential)} om året"
        + (f" (usikkerhedsbånd {fmt_mio(band.get('p10'))} til {fmt_mio(band.get('p90'))})." if band else ".")
    )


def peer_tables(res: BenchmarkResult, release: Release) -> list[DataTable]:
    pc = load_peer_catalog(res.peers.model)
    names = {v.id: v.name for v in pc.variables}
    ps = res.peers
    cols = [
        Column("name", "Kommune"),
        Column("distance", "Afstand", "num2"),
        *[Column(f"c_{v}", f"Andel af afstand: {names.get(v, v)}", "pct") for v in ps.variables_used],
        Column("stability", "Stabilitet", "pct"),
    ]
    lambdas: dict[int, float] = {}
    if ps.spec.kind == DEA_PEERS and ps.spec.dea_spec:
        dp = cached_dea_peers(release, res.municipality.code, ps.spec.dea_spec, res.year)
        lambdas = dict(zip(dp.codes, dp.lambdas, strict=True))
        cols.insert(1, Column("lambda", "λ (vægt på DEA-fronten)", "num2"))
    rows = []
    for p in ps.peers:
        row: dict[str, Any] = {
            "name": p.name,
            "distance": p.distance,
            "stability": p.stability,
            "lambda": lambdas.get(p.code),
            "url": f"/kommune/{p.code}",
        }
        for v in ps.variables_used:
            row[f"c_{v}"] = (p.contributions or {}).get(v)
        rows.append(row)
    peers = DataTable(
        "sammenligningskommuner",
        "Sammenligningskommuner",
        cols,
        rows,
        links={"name": "url"},
        source=f"Rammevilkår fra datareleasen {release.id} ({res.year}); kilde: Danmarks Statistik.",
        note="Afstand: vægtet euklidisk afstand over standardiserede rammevilkår. Andel: variablens del "
        "af den kvadrerede afstand. Stabilitet: andel af 200 trækninger med vægtene varieret ±20 %, "
        "hvor kommunen stadig er blandt de nærmeste.",
    )
    weights = DataTable(
        "vaegte",
        "Rammevilkår og vægte",
        [
            Column("name", "Rammevilkår"),
            Column("weight", "Vægt", "num2"),
            Column("default", "Standardvægt", "num2"),
            Column("reason", "Begrundelse"),
        ],
        [
            {"name": v.name, "weight": ps.weights.get(v.id), "default": v.weight, "reason": v.reason}
            for v in pc.variables
        ],
        source=f"{pc.name}. Standardvægte: raaderum/catalog/peers.toml.",
    )
    return [peers, weights]


def series_for_area(release: Release, res: BenchmarkResult, area: Area) -> tuple[dict[str, list], list[dict]]:
    """Unit cost per target-group member over every year for the municipality, the peers' mean and the country, in
    the result's price basis (the one national definition ΣE/ΣN of :func:`area_unit_cost_series`)."""
    m = res.municipality
    rows_core = area_unit_cost_series(release, m.code, area.id, peers=[p.code for p in res.peers.peers],
                                      prices=res.prices)
    own = [(int(r["year"]), r["own"]) for r in rows_core]
    peer = [(int(r["year"]), r["peers"]) for r in rows_core]
    nat = [(int(r["year"]), r["national"]) for r in rows_core]
    rows = [{"year": str(r["year"]), "own": r["own"], "peers": r["peers"], "national": r["national"],
             "factor": r["factor"], "_status": r["status"]} for r in rows_core]
    series = {m.name: own, "Sammenligningskommuner (gns.)": peer, "Hele landet": nat}
    return series, rows


def distribution_for_area(release: Release, res: BenchmarkResult, area: Area) -> list[tuple[str, float | None]]:
    panel = area_panel(release, res.year)
    j = panel.area_index(area.id)
    reg = release.register
    f = res.prices.factor(res.year) if res.prices is not None else 1.0
    return [
        (reg.by_code(int(c)).name, None if np.isnan(panel.unit_cost[i, j]) else float(panel.unit_cost[i, j]) * f)
        for i, c in enumerate(panel.codes)
    ]


@dataclass
class CoverageView:
    """The cockpit's decomposition: one table per scope (whole area; each coverage entry) and what is missing."""

    tables: list[DataTable]
    has_coverage: bool
    missing_text: str
    notes: list[str]


def decomposition_view(release: Release, res: BenchmarkResult, area: Area) -> CoverageView:
    """LMDI split of the gap in kr. per inhabitant against the peers (aggregate) and the country: demography ×
    spending per target-group member for the whole area, and demography × coverage × unit cost per recipient where
    the release has recipients (AUK01 for kontant- og uddannelseshjælp)."""
    dec = spending_decomposition(release, res.municipality.code, area.id, res.year,
                                 peers=[p.code for p in res.peers.peers], prices=res.prices)
    by_scope: dict[str, list[Any]] = {}
    for r in dec.rows:
        by_scope.setdefault(r.scope, []).append(r)
    source = res_source(res)
    if any(sc != "area" for sc in by_scope):
        source += " Modtagere: Danmarks Statistik, AUK01 (fuldtidspersoner)."
    tables: list[DataTable] = []
    for k, (scope, rows) in enumerate(by_scope.items()):
        factors = [f for f in ("demography", "coverage", "unit_cost", "per_target") if f in rows[0].factors]
        names = rows[0].factor_names or {f: FACTORS[f][0] for f in factors}
        cols = [Column("against", "Sammenlignet med"), Column("total", "Forskel, kr. pr. indb.", "kr")]
        cols += [Column(f, f"Heraf {names.get(f, FACTORS[f][0]).lower()}", "kr") for f in factors]
        cols += [Column("total_dkk", "Forskel i alt, mio. kr. (afledt)", "mio")]
        trows = []
        for r in rows:
            d = r.decomposition
            trows.append({"against": r.against_name, "total": d.total if d else None,
                          **{f: (d.parts.get(f) if d else None) for f in factors},
                          "total_dkk": r.total_dkk})
        note = " ".join(dict.fromkeys(r.note for r in rows if r.note))
        tables.append(DataTable(
            "dekomponering" if k == 0 else f"dekomponering-{scope}",
            f"{rows[0].scope_name}: hvad forklarer forskellen? (kr. pr. indbygger)",
            cols, trows, source=source,
            note=("Forskellen i udgift pr. indbygger er delt med LMDI-vægte, så delene summer præcist. Demografi "
                  "(målgruppens andel af befolkningen) kan kommunen ikke styre. Forskel i alt = kr. pr. indbygger × "
                  "folketal (afledt). " + note).strip()))
    if not tables:
        tables.append(DataTable("dekomponering", "Hvad forklarer forskellen?", [Column("against", "Sammenlignet med")],
                                [], source=source))
    has_cov = any(s != "area" for s in by_scope)
    missing = "" if has_cov else (
        f"Dækningsgrad mangler: datagrundlaget har ingen modtagertal for {area.name.lower()}, så dækningsgrad og "
        "enhedsudgift pr. modtager kan ikke skilles ad; de indgår samlet i udgift pr. person i målgruppen.")
    return CoverageView(tables=tables, has_coverage=has_cov, missing_text=missing, notes=list(dec.notes))


def scope_view(release: Release, res: BenchmarkResult) -> FiguresScope | None:
    """What the figures cover of the municipality's service expenditure (None when the release lacks the data)."""
    try:
        return figures_scope(release, res.municipality.code, res.year)
    except (InputError, KeyError, ValueError):  # a release without noegletal (older builds)
        return None


def cockpit_tables(release: Release, res: BenchmarkResult, area: Area, series_rows: list[dict]) -> list[DataTable]:
    a = res.area(area.id)
    m = res.municipality.name
    ts = DataTable(
        "udvikling",
        f"{area.name}: kr. pr. {per_unit(a.denominator_name)} over tid",
        [
            Column("year", "År"),
            Column("own", m, "kr"),
            Column("peers", "Sammenligningskommuner (gns.)", "kr"),
            Column("national", "Hele landet", "kr"),
        ],
        series_rows,
        source=res_source(res),
        note=f"{res.provenance['price_basis']}. Sammenligningskommunerne er dem, der er valgt for {res.year}. "
        "Landstallet er Σ udgift / Σ målgruppe over alle kommuner (samme definition som i noegletal og benchmark).",
    )
    refs = DataTable(
        "referencer",
        "Mulighedsrum under hvert referenceniveau",
        [
            Column("name", "Referenceniveau"),
            Column("value", "Reference, kr.", "kr"),
            Column("potential", "Mulighedsrum, mio. kr.", "mio"),
            Column("p10", "P10, mio. kr.", "mio"),
            Column("p90", "P90, mio. kr.", "mio"),
        ],
        [
            {
                "name": REFERENCES[k].name,
                "value": v.get("value"),
                "potential": v.get("potential"),
                "p10": (v.get("band") or {}).get("p10"),
                "p90": (v.get("band") or {}).get("p90"),
                "chosen": k == res.reference,
            }
            for k, v in a.references.items()
        ],
        source=res_source(res),
        highlight_key="chosen",
    )
    peers = DataTable(
        "sammenligning",
        f"{area.name} hos sammenligningskommunerne",
        [
            Column("name", "Kommune"),
            Column("unit_cost", "Kr. pr. person i målgruppen", "kr"),
            Column("used", "Indgår i referencen"),
        ],
        [{"name": m, "unit_cost": a.unit_cost, "used": "(kommunen selv)", "self": True, "_status": a.status}]
        + [
            {
                "name": p["name"],
                "unit_cost": p["unit_cost"],
                "used": "ja" if p["used"] else "nej (0 eller mangler)",
                "_status": p.get("status"),
                "url": f"/kommune/{p['code']}",
            }
            for p in a.peer_values
        ],
        source=res_source(res),
        highlight_key="self",
        links={"name": "url"},
    )
    return [ts, refs, peers]


def distribution_table(values: list[tuple[str, float | None]], area: Area, res: BenchmarkResult) -> DataTable:
    """The data behind the distribution chart: every municipality, highest first."""
    items = sorted(((n, v) for n, v in values if v is not None), key=lambda t: -t[1])
    missing = [n for n, v in values if v is None]
    rows = [{"rank": i, "name": n, "value": v, "self": n == res.municipality.name}
            for i, (n, v) in enumerate(items, start=1)]
    return DataTable("fordeling", f"{area.name}: alle kommuner, {res.year}", [
        Column("rank", "Nr.", "int"), Column("name", "Kommune"), Column("value", "Kr. pr. person i målgruppen", "kr")],
        rows, source=res_source(res), highlight_key="self",
        note=("Uden tal: " + ", ".join(missing) + ".") if missing else "")


def reference_options() -> list[dict[str, str]]:
    return [{"id": r.id, "name": r.name, "explanation": r.explanation} for r in REFERENCES.values()]


def catalog_area(area_id: str) -> Area:
    return load_catalog().area(area_id)


# ------------------------------------------------------------------ demografisk pres and the DEA reference (issue 14)

#: Bootstrap draws of the DEA band on the pages: none. Even the smallest bootstrap the library accepts
#: (:data:`MIN_DEA_B` draws for one municipality) takes 50-100 ms the first time, which would double a cockpit's
#: first render; the page links to the API's band instead (``bootstrap=`` :data:`DEFAULT_DEA_B`).
PAGE_DEA_B = 0
PROJECTION_LABEL = "fremskrivning"


def pressure_prices(release: Release, params: BenchmarkParams) -> tuple[str, int | None]:
    """Demografiregulering is in fixed prices (the page's base year when fixed prices are chosen, else the index's
    default); current prices only when the release has no price index."""
    if not release.manifest.get("price_index"):
        return CURRENT, None
    return FIXED, params.base_year if params.prices == FIXED else None


@lru_cache(maxsize=2048)
def cached_pressure(release: Release, code: int, area: str | None, year: int | None, prices: str,
                    base_year: int | None) -> DemographicPressure:
    return demographic_pressure(release, code, area, prices=prices, base_year=base_year, year=year)


@lru_cache(maxsize=256)
def cached_pressure_overview(release: Release, area: str | None, year: int | None, prices: str,
                             base_year: int | None) -> dict[str, Any]:
    """:func:`pressure_overview` with the municipalities by code (one computation serves all 98)."""
    out = pressure_overview(release, area, prices=prices, base_year=base_year, year=year)
    return {**out, "by_code": {m["code"]: m for m in out["municipalities"]}}


def age_weight_text(bands: list[dict[str, Any]]) -> str:
    """'67–79 år: 1,0; 80–84 år: 4,0; 90+ år: 13,0' from the age-weight registry's bands."""
    return "; ".join(f"{b['lo']}{'–' + str(b['hi']) if b['hi'] is not None else '+'} år: {fmt_number(b['weight'], 1)}"
                     for b in bands)


def _api_query(**params: Any) -> str:
    q = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(q) if q else ""


@dataclass
class PressureView:
    """The cockpit's "Demografisk pres": the area's result, its tables and the lines around them."""

    dp: DemographicPressure | None
    area: Any  # AreaPressure
    tables: list[DataTable]
    headline: str
    method_line: str
    band_line: str
    notes: list[str]
    downloads: dict[str, str]
    error: str = ""


def pressure_view(release: Release, res: BenchmarkResult, area: Area, params: BenchmarkParams) -> PressureView:
    prices, base_year = pressure_prices(release, params)
    code = res.municipality.code
    try:
        dp = cached_pressure(release, code, area.id, res.year, prices, base_year)
    except (DataNotAvailable, EstimationError) as e:
        return PressureView(None, None, [], "", "", "", [], {}, error=f"Demografisk pres er ikke opgjort: {e}")
    a = dp.areas[0]
    price_label = dp.provenance["price_basis"]
    api = f"/api/v1/demografi/{code}"
    q = {"omraade": area.id, "year": dp.accounts_year, "prices": prices, "base_year": base_year}
    downloads = {"csv": api + _api_query(**q, format="csv"), "xlsx": api + _api_query(**q, format="xlsx"),
                 "json": api + _api_query(**q)}
    source = (f"Kilde: Danmarks Statistik (REGK31 regnskab {dp.accounts_year}; FOLK1A/FOLK1AM folketal og "
              f"aldersfordeling). Prisgrundlag: {price_label}. Metode: {dp.method['name']}, fremskrivning "
              f"({dp.provenance['method']}). Beregning: Råderum, datarelease {release.id}.")
    rows = [{"label": f"{y['label']} ({y['year']})", "target": y["target"], "expected": y["expected"],
             "change": y["change"], "low": (y["band"] or {}).get("low"), "high": (y["band"] or {}).get("high"),
             "rel_error": y["rel_error"], "_status": "estimated"} for y in a.years]
    cols = [Column("label", "Budgetår"), Column("target", f"Målgruppe ({a.target_group_name}), fremskrevet", "int"),
            Column("expected", "Forventet udgift, mio. kr.", "mio"),
            Column("change", f"Ændring fra {dp.base_year}, mio. kr.", "mio"),
            Column("low", "Bånd, lav, mio. kr.", "mio"), Column("high", "Bånd, høj, mio. kr.", "mio"),
            Column("rel_error", "Fejl i tilbagetesten (P90)", "pct")]
    price_short = price_label.split(" (")[0]
    tables = [DataTable(
        "demografi", f"{area.name}: demografisk pres, {PROJECTION_LABEL} for B og BO1–BO3 ({price_short})", cols,
        rows, source=source,
        note=(f"Fremskrivning, ikke et observeret tal. Forventet udgift = udgift pr. person i målgruppen "
              f"({fmt_number(a.unit_cost)} kr., regnskab {dp.accounts_year}) × fremskrevet målgruppe; ændringen er "
              f"målt fra {dp.base_year} (seneste observerede folketal; målgruppen er et skøn). "
              + dp.method["band"] + " " + dp.method["sign_convention"]))]
    if a.weighted:
        w = a.weighted
        wrows = [{"label": f"{y['label']} ({y['year']})", "target": y["weighted_target"], "expected": y["expected"],
                  "change": y["change"], "low": (y["band"] or {}).get("low"), "high": (y["band"] or {}).get("high"),
                  "rel_error": y["rel_error"], "_status": "estimated"} for y in w["years"]]
        weights = age_weight_text(w["bands"])
        wcols = [Column("label", "Budgetår"), Column("target", "Vægtet målgruppe W (fremskrevet)", "int"), *cols[2:]]
        tables.append(DataTable(
            "demografi-aldersvaegtet", f"{area.name}: aldersvægtet demografisk pres ({w['name'].lower()}, antagelse)",
            wcols, wrows, source=source,
            note=(w["method"] + f" Vægte pr. aldersgruppe: {weights}. {w['reason']} Kilde til vægtene: {w['source']}")))
    last = a.years[-1]
    band = last["band"]
    if last["change"] is None:
        headline = (f"Demografisk pres er ikke opgjort for {area.name.lower()}: der er ingen udgift pr. person i "
                    f"målgruppen i {dp.accounts_year}.")
    else:
        more = "mere" if last["change"] >= 0 else "mindre"
        headline = (f"Fremskrivning: for at holde udgiften pr. {per_unit(a.target_group_name)} uændret skal "
                    f"{res.municipality.name} bruge {fmt_mio(abs(last['change']))} {more} i BO3 ({last['year']}) end "
                    f"i {dp.base_year}: ændring {fmt_mio(last['change'])}"
                    + (f" (bånd {fmt_mio(band['low'])} til {fmt_mio(band['high'])})" if band else "")
                    + f"; {price_short.lower()}.")
        if a.weighted and a.weighted["years"][-1]["change"] is not None:
            wl = a.weighted["years"][-1]
            headline += (f" Aldersvægtet (80+ vejer tungere, antagelse): {fmt_mio(wl['change'])}"
                         + (f" (bånd {fmt_mio(wl['band']['low'])} til {fmt_mio(wl['band']['high'])})"
                            if wl["band"] else "") + ".")
    official = dp.provenance["method"] != "cohort_net_change"
    method_line = (f"Metode: {dp.method['name']}; fremskrivning ({dp.provenance['method']}, "
                   f"{'Danmarks Statistiks FRKM' if official else 'Råderums kohortefremskrivning'}). "
                   f"Kilde: Danmarks Statistik, REGK31 regnskab {dp.accounts_year}, FOLK1A/FOLK1AM. "
                   f"Prisgrundlag: {price_label}. Basisår for ændringen: {dp.base_year}.")
    return PressureView(dp=dp, area=a, tables=tables, headline=headline, method_line=method_line,
                        band_line=dp.method["band"], notes=list(a.notes), downloads=downloads)


@lru_cache(maxsize=4096)
def cached_dea_potential(release: Release, code: int, spec_id: str, year: int | None, prices: str,
                         base_year: int | None) -> dict[str, Any]:
    return dea_potential(release, code, spec_id, year, B=PAGE_DEA_B, prices=prices, base_year=base_year)


@lru_cache(maxsize=8)
def cached_method_dea(release: Release, code: int) -> dict[str, Any]:
    """One DEA run with a bootstrap, for the method page's texts and parameters (its bootstrap section)."""
    return dea_potential(release, code, DEA_DEFAULT_SPEC, B=MIN_DEA_B)


@dataclass
class DeaView:
    """The cockpit's "DEA-reference": θ, the potential (1 − θ)·E with its band, the reference municipalities."""

    pot: dict[str, Any] | None
    spec: Any
    tables: list[DataTable]
    peers: DeaPeers | None
    peers_error: str
    flags: list[str]
    efficient_line: str
    why_many: str
    peers_url: str
    cockpit_url: str
    band_api: str = ""
    error: str = ""


def dea_view(release: Release, res: BenchmarkResult, area: Area, params: BenchmarkParams) -> DeaView:
    code = res.municipality.code
    try:
        spec = spec_for_area(area.id)
        pot = cached_dea_potential(release, code, spec.id, res.year, params.prices, params.base_year)
    except (DataNotAvailable, EstimationError, LookupError) as e:
        return DeaView(None, None, [], None, "", [], "", "", "", "", error=f"DEA-referencen er ikke opgjort: {e}")
    peers: DeaPeers | None = None
    peers_error = ""
    try:
        peers = cached_dea_peers(release, code, spec.id, res.year)
    except DataNotAvailable as e:
        peers_error = str(e)
    source = (f"Kilde: Danmarks Statistik ({', '.join(pot['provenance']['tables'])}), regnskab {pot['year']}. "
              f"Prisgrundlag: {pot['provenance']['price_basis']}. Metode: {pot['method']['name']}. "
              f"Beregning: Råderum, datarelease {release.id}.")
    band_api = f"/api/v1/dea/{spec.id}/{code}" + _api_query(year=pot["year"], bootstrap=DEFAULT_DEA_B)
    band = pot.get("band") or {}
    ref_band = pot.get("reference_band") or {}
    bench_ref = res.area(area.id).references.get(res.reference, {})
    main = DataTable("dea", f"{area.name}: DEA-reference ({spec.label}, {pot['year']})", [
        Column("label", "Reference"), Column("theta", "θ (andel af udgiften på fronten)", "num2"),
        Column("value", "Reference, kr. pr. person i målgruppen", "kr"),
        Column("potential", "Potentiale (1 − θ)·E, mio. kr.", "mio"),
        Column("p10", "Bånd P10, mio. kr.", "mio"), Column("p90", "Bånd P90, mio. kr.", "mio")], [
        {"label": "DEA-front (inputorienteret, VRS)", "theta": pot.get("theta"), "value": pot.get("value"),
         "potential": pot.get("potential"), "p10": band.get("p10"), "p90": band.get("p90"), "dea": True},
        {"label": f"Til sammenligning: benchmark ({REFERENCES[res.reference].name.lower()})", "theta": None,
         "value": bench_ref.get("value"), "potential": bench_ref.get("potential"),
         "p10": (bench_ref.get("band") or {}).get("p10"), "p90": (bench_ref.get("band") or {}).get("p90")},
    ], source=source, highlight_key="dea",
        note=("DEA-potentialet er én reference mere ved siden af benchmarkens og lægges aldrig sammen med dem. "
              + ("Bånd: Simar–Wilson-bootstrap af θ, P10–P90; potentialets bånd ligger over punktestimatet, fordi "
                 "den sande front ligger længere ude end den observerede. " if band else
                 f"Bånd: ikke beregnet på siden (bootstrap tager for lang tid til en side); API'et giver "
                 f"Simar–Wilson-båndet med B = {DEFAULT_DEA_B} trækninger. ")
              + (f"Referenceniveauets bånd: {fmt_number(ref_band.get('p10'))}–{fmt_number(ref_band.get('p90'))} kr. "
                 if ref_band else "") + pot["sign_convention"]))
    tables = [main]
    if peers is not None:
        tables.append(DataTable("dea-referencekommuner", f"Referencekommuner på DEA-fronten ({spec.label})", [
            Column("name", "Kommune"), Column("code", "Kode", "text"), Column("lambda", "λ (vægt)", "num2")],
            [{"name": res.municipality.name if c == code else release.register.by_code(c).name, "code": str(c),
              "lambda": lam, "url": f"/kommune/{c}/omraade/{area.id}{params.query()}"}
             for c, lam in zip(peers.codes, peers.lambdas, strict=True)],
            links={"name": "url"}, source=source, note=peers.note + " λ summerer til 1 (variabelt skalaafkast)."))
    summary = pot["summary"]
    efficient_line = (f"{summary['efficient']} af {summary['units']} kommuner er effektive (θ = 1) i "
                      f"{spec.label.lower()} i {pot['year']}, heraf {summary['efficient_by_construction']} pr. "
                      "konstruktion (laveste udgift eller flest i et output)"
                      + (f"; {summary['excluded']} indgår ikke (manglende tal eller udgift ≤ 0)"
                         if summary["excluded"] else "") + ".")
    dea_q = params.query(peers=f"{DEA_PEERS}:{spec.id}")
    return DeaView(pot=pot, spec=spec, tables=tables, peers=peers, peers_error=peers_error,
                   flags=[DEA_FLAGS[f] for f in pot.get("flags", []) if f in DEA_FLAGS],
                   efficient_line=efficient_line, why_many=pot["method"]["why_many_efficient"],
                   peers_url=f"/kommune/{code}/sammenligning{dea_q}",
                   cockpit_url=f"/kommune/{code}/omraade/{area.id}{dea_q}", band_api=band_api)


def pressure_summary(release: Release, res: BenchmarkResult, params: BenchmarkParams) -> dict[str, Any]:
    """The overview's "Demografisk pres" from :func:`pressure_overview`: per area (BO3 in kr. and as a share of
    the area's spending) and in total (B…BO3), with the header that explains it. ``error`` when not computed."""
    prices, base_year = pressure_prices(release, params)
    code = res.municipality.code
    try:
        per_area = {a.id: cached_pressure_overview(release, a.id, res.year, prices, base_year)["by_code"][code]
                    for a in res.areas}
        total = cached_pressure_overview(release, None, res.year, prices, base_year)
        # an area without a unit cost in the year has no pressure (pressure_overview counts it as 0): "–", not 0
        own = cached_pressure(release, code, None, res.year, prices, base_year)
        missing = {a.id for a in own.areas if a.unit_cost is None}
        per_area = {k: (None if k in missing else v) for k, v in per_area.items()}
    except (DataNotAvailable, EstimationError) as e:
        return {"error": f"Demografisk pres er ikke opgjort: {e}", "per_area": {}}
    last_year = total["budget_years"][-1]
    price_short = total["price_basis"].split(" (")[0]
    header = (f"Demografisk pres ({PROJECTION_LABEL}): den forventede ændring af områdets udgift fra "
              f"{total['base_year']} til BO3 ({last_year}) alene fordi målgruppen ændrer sig, ved uændret udgift "
              f"pr. person i målgruppen (regnskab {total['accounts_year']}); {price_short.lower()}; andelen er af "
              f"områdets udgift i {total['accounts_year']}. Positiv = merudgift, negativ = mindreudgift. Metode: "
              f"kohortefremskrivning ({total['method']}) × enhedsudgift; kilde: Danmarks Statistik (REGK31, "
              "FOLK1A/FOLK1AM). Et skøn, ikke et mulighedsrum: det lægges ikke sammen med mulighedsrummet.")
    mine = total["by_code"][code]
    api = f"/api/v1/demografi/{code}"
    q = {"year": total["accounts_year"], "prices": prices, "base_year": base_year}
    return {"error": "", "per_area": per_area, "header": header, "price_basis": total["price_basis"],
            "accounts_year": total["accounts_year"], "base_year": total["base_year"],
            "budget_years": total["budget_years"], "labels": list(BUDGET_LABELS),
            "total": {k: mine["changes"][k] for k in BUDGET_LABELS}, "share": mine["bo3_share_of_spending"],
            "xlsx": api + _api_query(**q, format="xlsx"), "csv": api + _api_query(**q, format="csv")}


def add_pressure_columns(table: DataTable, summary: dict[str, Any]) -> None:
    """Put the column "Demografisk pres" (BO3 kr. and % of spending) into the overview's area table, before the
    remarks, and its explanation into the table's note."""
    if summary.get("error"):
        return
    for row in table.rows:
        item = summary["per_area"].get(row.get("id", ""))
        row["pressure_bo3"] = None if item is None else item["changes"][BUDGET_LABELS[-1]]
        row["pressure_share"] = None if item is None else item["bo3_share_of_spending"]
    at = next(i for i, c in enumerate(table.columns) if c.key == "flags")
    table.columns[at:at] = [
        Column("pressure_bo3", f"Demografisk pres BO3 ({summary['budget_years'][-1]}), mio. kr. (fremskrivning)",
               "mio"),
        Column("pressure_share", "Demografisk pres BO3, % af udgiften", "pct")]
    table.note = (table.note + " " + summary["header"]).strip()


@lru_cache(maxsize=4)
def analysis_method_sections(release: Release) -> tuple[list[dict[str, Any]], list[DataTable]]:
    """The "Metode og data" sections on the projection, demografiregulering and DEA, with their parameters read
    from the library (:func:`method_summary`, the DEA method of :func:`dea_potential`), and their tables."""
    ms = method_summary(release)
    pr = ms["projection"]
    par = pr["parameters"]
    dr = ms["demografiregulering"]
    sections: list[dict[str, Any]] = [
        {"id": "fremskrivning", "title": pr["name"] + " (fremskrivning)", "text": pr["text"], "items": [
            f"Udgangspunkt: den fulde aldersfordeling 1. januar {par['base_pyramid']}.",
            f"Kohorteforhold for 64+-årige målt mellem {par['ratio_dates'][0]} og {par['ratio_dates'][-1]}"
            + ("; kommunens egen nettoændring af de 65+-årige indgår." if par["municipal_elderly"] else "."),
            f"Fødsler: 0-årige pr. {par['birth_ages'][0]}-{par['birth_ages'][1]}-årig som i {par['base_pyramid']}.",
            "Kalibreret til de observerede folketal " + ", ".join(map(str, par["calibrated_to_totals"]))
            + f"; seneste observerede folketal {par['last_observed_total']}.",
            f"Nettotilflytning i fremskrivningsårene: geometrisk gennemsnit af de sidste {par['migration_lookback']} "
            "kalibreringsfaktorer.",
            ("Danmarks Statistiks kommunale befolkningsfremskrivning (FRKM) bruges for årene "
             + ", ".join(map(str, par["official_years"])) + "." if pr["official"] else
             "Danmarks Statistiks kommunale befolkningsfremskrivning (FRKM) er ikke i datareleasen; `raaderum data "
             "update` kan hente den, og så bruges og nævnes den."),
            "Hvert fremskrevet tal er mærket som en fremskrivning med metoden "
            f"({pr['method']}).",
        ]},
        {"id": "tilbagetest", "title": "Tilbagetest af fremskrivningen", "text": ms["backtest"]["method"],
         "items": []},
        {"id": "demografiregulering", "title": "Demografiregulering (demografisk pres)",
         "text": "Den forventede ændring af hvert områdes udgift i B og BO1–BO3 alene fordi målgruppen ændrer sig.",
         "items": [f"Formel: {dr['formula']}", f"Bånd: {dr['band']}", f"Antagelse: {dr['assumption']}",
                   dr["sign_convention"]]
         + [f"Aldersvægtet variant, {w['name'].lower()} (ANTAGELSE, ikke målt): vægte {age_weight_text(w['bands'])}. "
            f"Forventet udgift = E × W(år) / W(regnskabsår), W = Σ vægt × antal. {w['reason']} Kilde: {w['source']}"
            for w in ms["age_weights"]]},
    ]
    bt_rows = [{"band": r["band"], "what": r["what"], "base": str(r["base"]), "target": str(r["target"]),
                "horizon": r["horizon"], "n": r["n"], "mape": r["mape"], "p90": r["p90"], "max": r["max"],
                "bias": r["bias"]} for r in ms["backtest"]["summary"]]
    backtest_table = DataTable("tilbagetest", "Tilbagetest: fejl pr. aldersgruppe og horisont over de 98 kommuner", [
        Column("band", "Aldersgruppe"), Column("what", "Hvad"), Column("base", "Fra"), Column("target", "Til"),
        Column("horizon", "Horisont, år", "int"), Column("n", "n", "int"), Column("mape", "Gns. absolut fejl", "pct"),
        Column("p90", "P90 af absolut fejl", "pct"), Column("max", "Største fejl", "pct"),
        Column("bias", "Gns. fejl (bias)", "pct")], bt_rows,
        source=f"Danmarks Statistik, FOLK1A/FOLK1AM; datarelease {release.id}. Fejl = fremskrevet / observeret − 1.",
        note="P90 ved samme horisont er ε(h) i demografireguleringens bånd.")
    # DEA: the texts of the library's method (the same for every specification), with a bootstrap run of the page
    first = next(iter(release.register)).code
    pot = cached_method_dea(release, first)
    dm = pot["method"]
    boot = dm.get("bootstrap") or {}
    sections.append({"id": "dea", "title": "DEA-effektivitetsfront (inputorienteret, variabelt skalaafkast)",
                     "text": dm["model"], "items": [
                         f"Løsning: {dm['solver']} Ét LP pr. kommune.",
                         f"Potentiale: {dm['potential']}", f"Slacks: {dm['slacks']}",
                         f"Super-effektivitet: {dm['super_efficiency']}", f"Outliers: {dm['outliers']}",
                         "Tolerancer: θ ≥ 1 − " + fmt_number(dm["tolerances"]["efficiency"] * 1e6, 0)
                         + "·10⁻⁶ tæller som effektiv; λ og slacks under 10⁻⁶ er støj.",
                         f"Bootstrap: {boot.get('method', '')} Antal trækninger: B = {DEFAULT_DEA_B} i API'et og "
                         f"kommandolinjen (mindst {MIN_DEA_B}); siderne viser punktestimatet og linker til API'ets "
                         f"bånd; frø {boot.get('seed')}; "
                         f"båndbredde: {boot.get('bandwidth_rule', '')}; fraktiler P"
                         + "/P".join(str(p) for p in boot.get("percentiles", [])) + f"; {boot.get('rng', '')}.",
                         f"Sammenligningsgruppe: {dm['peers']}", f"Udeladte kommuner: {dm['excluded']}",
                         f"Begrænsninger: {dm['limits']}"]})
    sections.append({"id": "dea-mange-effektive", "title": "Hvorfor mange kommuner er effektive i DEA",
                     "text": ("Med 98 kommuner og flere output bliver mange effektive; det er en egenskab ved metoden. "
                              "Eksempel (alle områder samlet): " + dm["why_many_efficient"]), "items": []})
    spec_rows = []
    for sid, r in run_dea_all(release).items():
        spec = resolve_dea_spec(sid)
        if isinstance(r, DataNotAvailable):
            eff, units, h = None, None, None
            note = str(r)
        else:
            eff, units = r.summary["efficient"], r.summary["units"]
            h = sw_bandwidth(np.array([u.theta for u in r.units]))
            note = f"{eff} af {units} effektive"
        spec_rows.append({"label": spec.label, "input": spec.input_label,
                          "outputs": ", ".join(o.name for o in spec.outputs),
                          "efficient": eff, "units": units, "share": None if not units else (eff or 0) / units,
                          "bandwidth": h, "reason": spec.reason, "note": note})
    specs_table = DataTable("dea-specifikationer", "DEA-specifikationer (registret) og antal effektive kommuner", [
        Column("label", "Specifikation"), Column("input", "Input"), Column("outputs", "Output"),
        Column("efficient", "Effektive", "int"), Column("units", "Kommuner i fronten", "int"),
        Column("share", "Andel effektive", "pct"), Column("bandwidth", "Båndbredde h (bootstrap)", "num2"),
        Column("reason", "Begrundelse")], spec_rows,
        source=f"Danmarks Statistik (REGK31, FOLK1A/FOLK1AM, AUK01); seneste regnskabsår; datarelease {release.id}.",
        note="Inputorienteret, variabelt skalaafkast. Registret: raaderum/analysis/dea.py (DEA_SPECS).")
    return sections, [backtest_table, specs_table]


def dea_peer_options() -> list[dict[str, str]]:
    """The peer choices "DEA-referencekommuner" of every specification (``dea:<spec>``), for the peers page."""
    return [{"id": f"{DEA_PEERS}:{s.id}", "name": s.label} for s in dea_specs().values()]
