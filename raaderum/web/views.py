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
from raaderum.analysis.decomposition import FACTORS, spending_decomposition
from raaderum.analysis.key_figures import area_panel, area_unit_cost_series, function_panel, round_to_precision
from raaderum.analysis.peers import load_peer_catalog, load_peer_registry
from raaderum.analysis.prices import CURRENT, FIXED, resolve_prices
from raaderum.analysis.scope import FiguresScope, figures_scope
from raaderum.catalog import Area, load_catalog
from raaderum.errors import InputError, UnknownMunicipality
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

    def run(self, release: Release, municipality: str | int) -> BenchmarkResult:
        if self.reference not in REFERENCES:
            raise InputError(f"Ukendt referenceniveau {self.reference!r}; vælg et af: {', '.join(REFERENCES)}.")
        code = release.register.resolve(municipality).code
        try:
            return _cached_benchmark(
                release, code, self.year, self.reference, self.peers, self.weights or None, self.need,
                self.prices, self.base_year, self.model_id,
            )
        except UnknownMunicipality as e:  # the municipality itself is resolved before; this is the peer list
            raise InputError(f"Sammenligningskommuner {self.peers!r}: {e}") from None


@lru_cache(maxsize=512)
def _cached_benchmark(
    release: Release, code: int, year: int | None, reference: str, peers: str, weights: str | None, need: bool,
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
    rows = []
    for p in ps.peers:
        row: dict[str, Any] = {
            "name": p.name,
            "distance": p.distance,
            "stability": p.stability,
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
