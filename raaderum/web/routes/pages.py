"""HTML pages. Thin: parse the query, call the core, hand a context to a template."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from raaderum.analysis.benchmark import (
    BAND_PERCENTILES,
    DEFAULT_B,
    DEFAULT_SEED,
    FLAGS,
    REFERENCES,
    SMALL_MUNICIPALITY,
    need_fit_report,
)
from raaderum.analysis.key_figures import key_figures
from raaderum.analysis.peers import load_peer_catalog, load_peer_registry
from raaderum.analysis.prices import price_basis
from raaderum.catalog import load_catalog
from raaderum.errors import InputError
from raaderum.ideas import write_template
from raaderum.ideas.levers import lever, levers_for_area, search_levers
from raaderum.ideas.links import full_year_amount
from raaderum.release.reader import open_release
from raaderum.reports.committee_pack import build_committee_pack, write_committee_pack
from raaderum.server.workspace import withdrawn_ids
from raaderum.store.committees import committee_entries
from raaderum.store.ideas import default_store
from raaderum.store.levers import effective_levers
from raaderum.store.links import proposals_for_gap
from raaderum.web import views
from raaderum.web.cache import cacheable, cacheable_per_session
from raaderum.web.deps import RowId
from raaderum.web.routes import network
from raaderum.web.tables import Column, DataTable
from raaderum.web.templating import render

router = APIRouter()


def export_or_render(request: Request, template: str, context: dict[str, Any], tables: list[DataTable]) -> Response:
    """``?format=csv|xlsx&table=ID`` returns that table as a file; otherwise the page is rendered."""
    fmt = request.query_params.get("format")
    if fmt:
        wanted = request.query_params.get("table")
        table = next((t for t in tables if t.id == wanted), None)
        if table is None:
            raise InputError(f"Ukendt tabel {wanted!r}; tabellerne på siden er: {', '.join(t.id for t in tables)}.")
        name = f"raaderum-{table.id}"
        if fmt == "csv":
            return Response(
                table.to_csv(),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        if fmt == "xlsx":
            return Response(
                table.to_xlsx(),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        raise InputError(f"Ukendt format {fmt!r}; brug csv eller xlsx.")
    return render(request, template, {**context, "tables": {t.id: t for t in tables}})


@router.get("/", include_in_schema=False)
def forside(request: Request) -> Response:
    rel = open_release()
    return render(request, "index.html", {"title": "Forside", "nav": "forside", "municipalities": list(rel.register)})


@router.get("/kommune", include_in_schema=False)
def choose(q: str = Query(..., min_length=1, max_length=100, description="Kommunenavn eller -kode")) -> Response:
    m = open_release().register.resolve(q)
    return RedirectResponse(f"/kommune/{m.code}", status_code=303)


@router.get("/metode", include_in_schema=False)
def metode(request: Request) -> Response:
    rel = open_release()
    cat = load_catalog()
    areas = DataTable(
        "omraader",
        "Serviceområder, funktioner og målgrupper",
        [
            Column("name", "Område"),
            Column("explanation", "Forklaring"),
            Column("functions", "Funktioner"),
            Column("target", "Målgruppe (nævner)"),
            Column("committee", "Standardudvalg"),
        ],
        [
            {
                "name": a.name,
                "explanation": a.explanation,
                "functions": ", ".join(f"{f} {rel.function_labels.get(f, '')}" for f in a.functions),
                "target": cat.target_group(a.target_group).name,
                "committee": a.committee,
            }
            for a in cat.areas
        ],
        source=f"Servicekatalog version {cat.version}.",
    )
    sources = DataTable(
        "kilder",
        "Kilder i datareleasen",
        [
            Column("title", "Kilde"),
            Column("table", "Tabel"),
            Column("years", "År"),
            Column("attribution", "Kreditering"),
            Column("licence", "Licens"),
            Column("provenance", "Oprindelse"),
        ],
        [
            {k: s.get(k, "") for k in ("title", "table", "years", "attribution", "licence", "provenance")}
            for s in rel.manifest.get("sources", [])
        ],
        source=f"Datarelease {rel.id}, bygget {rel.manifest['built_at']}.",
    )
    methods = DataTable(
        "skoen",
        "Skøn og manglende værdier",
        [Column("id", "Id"), Column("text", "Metode")],
        [
            {"id": k, "text": v}
            for k, v in {**rel.manifest.get("methods", {}), **rel.manifest.get("missing_reasons", {})}.items()
        ],
    )
    files = DataTable(
        "filer",
        "Inputfiler og kontrolsummer",
        [Column("path", "Fil"), Column("sha256", "sha256")],
        [
            {"path": f["path"], "sha256": f["sha256"]}
            for s in rel.manifest.get("sources", [])
            for f in s.get("files", [])
        ],
    )
    fit_rows = []
    reg = load_peer_registry()
    for r in need_fit_report(rel, None, "auto"):
        fit_rows.append({"name": r["name"], "model": reg.model(r["model"]).name.split(":")[0], "r2": r.get("r2"),
                         "adjusted_r2": r.get("adjusted_r2"), "n": r.get("n"), "p": r.get("p"),
                         "error": r.get("error", "")})
    need_fit = DataTable(
        "behovsmodel",
        "Behovskorrektion: forklaringsgrad (R²) og antal kommuner (n) pr. område",
        [Column("name", "Område"), Column("model", "Model"), Column("r2", "R²", "num2"),
         Column("adjusted_r2", "Justeret R²", "num2"), Column("n", "n", "int"), Column("p", "Variable", "int"),
         Column("error", "Bemærkning")],
        fit_rows,
        source=f"Datarelease {rel.id}, seneste regnskabsår; hvert område med sin egen sammenligningsmodel.",
    )
    analysis_sections, analysis_tables = views.analysis_method_sections(rel)
    ctx = {
        "title": "Metode og data",
        "nav": "metode",
        "release": rel,
        "manifest": rel.manifest,
        "extra_sections": method_sections(),
        "analysis_sections": analysis_sections,
        "price_section": price_section(rel),
    }
    return export_or_render(request, "metode.html", ctx, [areas, sources, methods, files, need_fit,
                                                          *analysis_tables])


def price_section(rel: Any) -> dict[str, Any]:
    """The price index of the release, its fallback label and the formula of fixed prices."""
    info = rel.manifest.get("price_index") or {}
    if not info:
        return {"title": "Prisindeks", "text": "Datareleasen har intet prisindeks; tallene vises i løbende priser.",
                "items": []}
    basis = price_basis(rel, "faste", None)
    items = [f"Indeks: {info.get('name')} (tabel {info.get('table')}, {info.get('reference', '')}), "
             f"år {info['years'][0]}–{info['years'][-1]}.",
             f"Standardbasisår: {basis.base_year}; faste priser = løbende priser × I(basisår) / I(år).",
             f"Mærkat ved hvert tal i faste priser: {basis.label}."]
    if info.get("fallback"):
        items.append(f"Nødløsning: {info.get('label')}. `raaderum data update` henter i stedet den bedste officielle "
                     "deflator for offentligt forbrug fra Danmarks Statistik og skriver, hvilken den brugte.")
    return {"title": "Prisindeks og faste priser", "text": "Alle kronetal vises i løbende priser, medmindre andet "
            "vælges; hvert tal står med sit prisgrundlag.", "items": items}


def method_sections() -> list[dict[str, Any]]:
    """Formulas and defaults of the benchmark, read from the core's registries (so the page cannot drift)."""
    pc = load_peer_catalog()
    reg = load_peer_registry()
    cat = load_catalog()
    area_names = {a.id: a.name for a in cat.areas}
    models = [
        {"title": f"Sammenligningsmodel: {m.name}",
         "text": m.explanation + (" Bruges af: " + ", ".join(area_names.get(a, a) for a in m.areas) + "."
                                  if m.areas else ""),
         "items": [f"{v.name} (vægt {str(v.weight).replace('.', ',')}): {v.reason}" for v in m.variables]}
        for m in reg.models.values()
    ]
    peer_sets = [{"title": f"Sammenligningskommuner: {ps.name}", "text": ps.reason + " Vælges som "
                  f"sammenligningskommuner med peers={ps.id} (specifikationen for sidens område; uden område alle "
                  f"områder samlet) eller peers={ps.id}:<specifikation>.", "items": []}
                 for ps in reg.peer_sets.values()]
    return [*models, *_base_sections(pc), *peer_sets]


def _base_sections(pc: Any) -> list[dict[str, Any]]:
    return [
        {"title": "Referenceniveauer", "text": "Alle seks beregnes altid; det valgte bestemmer overskriftstallet, "
         "og spændet mellem dem vises ved siden af.",
         "items": [f"{r.name}: {r.explanation}" for r in REFERENCES.values()]},
        {"title": "Sammenligningskommuner (afstand og stabilitet)",
         "text": f"De {pc.default_k} nærmeste målt med vægtet euklidisk afstand over standardiserede rammevilkår "
                 "(z = (x − gennemsnit)/spredning over de 98 i året); udgifterne indgår aldrig. Stabilitet: "
                 f"{pc.stability_draws} trækninger, hvor hver vægt ganges med U(1 − {pc.stability_perturbation:g}, "
                 f"1 + {pc.stability_perturbation:g}), frø {pc.stability_seed}. Faste alternativer: Danmarks "
                 "Statistiks kommunegruppe, samme region, alle kommuner eller en egen liste. Modellen vælges med "
                 "--peer-model i kommandolinjen, peer_model i API'et og feltet Sammenligningsmodel på siderne; "
                 "'Områdets egen model' lader hvert område bruge sin egen.",
         "items": []},
        {"title": "Usikkerhedsbånd",
         "text": f"Bootstrap af sammenligningskommunerne (træk med tilbagelægning), B = {DEFAULT_B} trækninger, "
                 f"frø {DEFAULT_SEED}; båndet er P{BAND_PERCENTILES[0]}–P{BAND_PERCENTILES[-1]} af potentialet.",
         "items": []},
        {"title": "Behovskorrektion (valgfri)",
         "text": "Pr. område en regression af ln(enhedsudgift) på rammevilkårene over kommunerne; forventet udgift "
                 "uden kommunen selv (leave-one-out), indeks = faktisk/forventet, behovskorrigeret mulighedsrum = "
                 "(indeks − referenceindeks) × forventet udgift × målgruppe. R² og n vises; for få observationer "
                 "giver en besked i stedet for et tal.", "items": []},
        {"title": "Markeringer", "text": f"Små kommuner: under {SMALL_MUNICIPALITY:,} indbyggere.".replace(",", "."),
         "items": list(FLAGS.values())},
    ]


# ------------------------------------------------------------------ municipality pages (benchmark and cockpit)



def bench_params(
    year: int | None = Query(None, ge=1900, le=2100, description="Regnskabsår (standard: seneste)"),
    reference: str = Query("peer_mean", max_length=40, description="Referenceniveau"),
    peers: str = Query("k=10", max_length=600, description="k=10, group, region, all eller kommunekoder"),
    need: bool = Query(False, description="Behovskorrigeret potentiale"),
    weights: str | None = Query(None, max_length=600, description="Vægte, fx ln_population=2,ln_density=1"),
    prices: str = Query("løbende", max_length=20, description="Prisgrundlag: løbende eller faste"),
    base_year: int | None = Query(None, ge=1900, le=2100, description="Basisår for faste priser"),
    peer_model: str | None = Query(None, max_length=60, description="Sammenligningsmodel"),
) -> views.BenchmarkParams:
    return views.BenchmarkParams(
        year=year, reference=reference, peers=peers.strip() or "k=10", need=need, weights=weights,
        prices=prices, base_year=base_year, peer_model=peer_model or None,
    )


def _canonical(request: Request, kode: str) -> Any:
    """The municipality; a name or a non-canonical code redirects to /kommune/<code>."""
    m = open_release().register.resolve(kode)
    if str(m.code) != kode:
        path = request.url.path.replace(f"/kommune/{kode}", f"/kommune/{m.code}", 1)
        q = request.url.query
        return m, RedirectResponse(path + (f"?{q}" if q else ""), status_code=307)
    return m, None


def _common(res: Any, params: views.BenchmarkParams, rel: Any) -> dict[str, Any]:
    return {
        "municipality": res.municipality,
        "res": res,
        "params": params,
        "query_suffix": params.query(),
        "references": views.reference_options(),
        "peer_models": views.peer_model_options(),
        "price_years": views.price_years(rel),
        "default_base_year": views.default_base_year(rel),
        "sign_convention": views.SIGN_CONVENTION,
        "years": rel.years,
        "release": rel,
        "flag_labels": views.FLAG_LABELS,
    }




@router.get("/kommune/{kode}", include_in_schema=False)
def overview(request: Request, kode: str, params: views.BenchmarkParams = Depends(bench_params)) -> Response:
    m, redirect = _canonical(request, kode)
    if redirect:
        return redirect
    return cacheable(_overview(request, m, params))


def _overview(request: Request, m: Any, params: views.BenchmarkParams) -> Response:
    rel = open_release()
    res = params.run(rel, m.code)
    tables = views.overview_tables(res, params)
    pressure = views.pressure_summary(rel, res, params)
    views.add_pressure_columns(tables[0], pressure)
    ctx = {
        **_common(res, params, rel),
        "title": f"Råderumsoverblik for {m.name}",
        "subnav": "overblik",
        "band_rows": views.band_rows(res),
        "scope": views.scope_view(rel, res),
        "pressure": pressure,
        "hx_block": "results",
    }
    return export_or_render(request, "overview.html", ctx, tables)


@router.get("/kommune/{kode}/print", include_in_schema=False)
def print_summary(request: Request, kode: str, params: views.BenchmarkParams = Depends(bench_params)) -> Response:
    m, redirect = _canonical(request, kode)
    if redirect:
        return redirect
    rel = open_release()
    res = params.run(rel, m.code)
    sentences = [views.plain_sentence(res, a) for a in res.areas]
    return render(
        request,
        "print.html",
        {
            **_common(res, params, rel),
            "title": f"Råderum i {m.name} – resumé",
            "band_rows": views.band_rows(res),
            "sentences": sentences,
            "pressure": views.pressure_summary(rel, res, params),
        },
    )


@router.get("/kommune/{kode}/omraade/{area_id}", include_in_schema=False)
def cockpit(
    request: Request, kode: str, area_id: str, params: views.BenchmarkParams = Depends(bench_params)
) -> Response:
    m, redirect = _canonical(request, kode)
    if redirect:
        return redirect
    area = views.catalog_area(area_id)
    return cacheable(_cockpit(request, m, area, params))


def _cockpit(request: Request, m: Any, area: Any, params: views.BenchmarkParams) -> Response:
    rel = open_release()
    res = params.run(rel, m.code, area=area.id)
    series, series_rows = views.series_for_area(rel, res, area)
    coverage = views.decomposition_view(rel, res, area)
    dist = views.distribution_for_area(rel, res, area)
    pressure = views.pressure_view(rel, res, area, params)
    dea = views.dea_view(rel, res, area, params)
    tables = [*views.cockpit_tables(rel, res, area, series_rows), *coverage.tables,
              views.distribution_table(dist, area, res), *pressure.tables, *dea.tables]

    ctx = {
        **_common(res, params, rel),
        "title": f"{area.name} i {m.name}",
        "subnav": "omraade",
        "area": area,
        "a": res.area(area.id),
        "series": series,
        "dist_values": dist,
        "coverage": coverage,
        "scope": views.scope_view(rel, res),
        "hx_block": "results",
        "levers": levers_for_area(area.id, levers=effective_levers(default_store().engine)),
        "ideas": area_ideas(m.code, area.id, res),
        "pressure": pressure,
        "dea": dea,
    }
    return export_or_render(request, "cockpit.html", ctx, tables)


def area_ideas(code: int, area_id: str, res: Any) -> list[Any]:
    """Idea-bank proposals for the area, ranked for the municipality (peers with lower unit costs first)."""
    return proposals_for_gap(code, area_id, benchmark=res, limit=10)


@router.get("/kommune/{kode}/sammenligning", include_in_schema=False)
def peers_page(
    request: Request,
    kode: str,
    params: views.BenchmarkParams = Depends(bench_params),
    k: int | None = Query(None, ge=1, le=97, description="Antal sammenligningskommuner"),
) -> Response:
    m, redirect = _canonical(request, kode)
    if redirect:
        return redirect
    rel = open_release()

    pc = load_peer_catalog(None if params.model_id == "auto" else params.model_id)
    slider = {v.id: request.query_params.get(f"w_{v.id}") for v in pc.variables}
    if request.query_params.get("slider_model", pc.id) != pc.id:
        slider = {}  # the sliders were those of another model: start from this model's defaults
    if any(val is not None for val in slider.values()):
        parts = []
        for vid, val in slider.items():
            if val is None:
                continue
            try:
                parts.append(f"{vid}={float(val.replace(',', '.'))}")
            except ValueError:
                raise InputError(f"Vægten for {vid} skal være et tal, ikke {val!r}.") from None
        params.weights = ",".join(parts)
    if k is not None and params.peers.startswith("k="):
        params.peers = f"k={k}"
    res = params.run(rel, m.code)
    tables = views.peer_tables(res, rel)
    ctx = {
        **_common(res, params, rel),
        "title": f"Sammenligningskommuner for {m.name}",
        "subnav": "peers",
        "variables": pc.variables,
        "peer_catalog": pc,
        "dea_options": views.dea_peer_options(),
        "dea_method": load_peer_registry().peer_sets.get("dea"),
        "hx_block": "results",
    }
    return export_or_render(request, "peers.html", ctx, tables)


# ------------------------------------------------------------------ knowledge portal (vidensportal)


@router.get("/vidensportal", include_in_schema=False)
def vidensportal(
    request: Request, q: str | None = Query(None, max_length=200), area: str | None = Query(None, max_length=60)
) -> Response:
    levers = effective_levers(default_store().engine)  # the shipped levers with the operator's edits
    hits = search_levers(q, area=area, levers=levers) if (q or area) else [(lv, None) for lv in levers]
    cat = load_catalog()
    return render(
        request,
        "vidensportal.html",
        {
            "title": "Vidensportal",
            "nav": "vidensportal",
            "q": q or "",
            "area": area or "",
            "hits": hits,
            "catalog": cat,
        },
    )


@router.get("/vidensportal/{lever_id}", include_in_schema=False)
def lever_page(request: Request, lever_id: str) -> Response:
    lv = lever(lever_id, effective_levers(default_store().engine))
    cat = load_catalog()
    names = {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}}
    return cacheable_per_session(render(request, "lever.html", {
        "title": lv.title, "nav": "vidensportal", "lever": lv, "names": names,
        "panel": network.work_panel(request, "lever", lv.id)}))


# ------------------------------------------------------------------ idea bank (idébank)

FACET_PARAMS = {"area": "area", "type": "type", "municipality": "kommune", "year": "year", "committee": "committee",
                "amount_band": "band"}
FACET_TITLES = {"area": "Område", "type": "Type", "municipality": "Kommune", "year": "Budgetår",
                "committee": "Udvalg (som skrevet)", "amount_band": "Beløb pr. år"}


@router.get("/idebank", include_in_schema=False)
def idebank(
    request: Request,
    iq: views.IdeaQuery = Depends(views.idea_query),
    uden_eksempler: bool = Query(False),
    offset: int = Query(0, ge=0, le=100_000),
) -> Response:
    rel = open_release()
    code = iq.municipality_code(rel)
    result = default_store().search(iq.q, iq.filters(rel, include_sample=not uden_eksempler), limit=20,
                                    offset=offset)
    q = iq.q
    current = {"q": q, "area": iq.area, "type": iq.type, "kommune": str(code) if code else None, "year": iq.year,
               "committee": iq.committee, "band": iq.band, "uden_eksempler": "1" if uden_eksempler else None}

    def url(**change: Any) -> str:
        params = {**current, "offset": None, **change}
        return "/idebank?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    facets = []
    for key, values in result.facets.items():
        param = FACET_PARAMS.get(key, key)
        active = current.get(param)
        facets.append({"key": key, "title": FACET_TITLES.get(key, key), "values": [
            {"label": v.label, "count": v.count, "active": str(active) == v.value,
             "url": url(**{param: None if str(active) == v.value else v.value})} for v in values[:12]]})
    return render(request, "idebank.html", {
        "title": "Idébank", "nav": "idebank", "q": q, "result": result, "facets": facets, "offset": offset,
        "next_url": url(offset=offset + 20) if offset + 20 < result.total else None,
        "prev_url": url(offset=max(offset - 20, 0)) if offset else None, "current": current,
        "clear_url": "/idebank?" + (f"q={q}" if q else ""), "uden_eksempler": uden_eksempler,
        "municipalities": list(open_release().register), "catalog": load_catalog()})


@router.get("/idebank/udvalgspakke", include_in_schema=False)
def committee_pack_page(
    request: Request,
    kommune: str | None = Query(None, max_length=100),
    udvalg: str | None = Query(None, max_length=200),
    year: int | None = Query(None, ge=1900, le=2100),
) -> Response:
    rel = open_release()
    store = default_store()
    if kommune and udvalg:
        import re


        pack = build_committee_pack(kommune, udvalg, store=store, release=rel, year=year)
        data = write_committee_pack(pack) or b""
        slug = re.sub(r"[^a-z0-9]+", "-", f"udvalgspakke {pack.municipality_name} {pack.committee}".lower()
                      .replace("æ", "ae").replace("ø", "oe").replace("å", "aa")).strip("-")
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{slug}.xlsx"'})
    m = rel.register.resolve(kommune) if kommune else None
    entries = committee_entries(store, m.code) if m else []
    committees = sorted({e.committee for e in entries})
    return render(request, "committee_pack.html", {
        "title": "Udvalgspakke", "nav": "idebank", "chosen": m, "committees": committees, "entries": entries,
        "municipalities": list(rel.register), "udvalg": udvalg or ""})


@router.get("/idebank/{proposal_id}", include_in_schema=False)
def proposal_page(request: Request, proposal_id: RowId) -> Response:
    store = default_store()
    p = store.get(proposal_id)
    similar = store.similar(proposal_id, 8)
    rel = open_release()
    fig = None
    year = None
    if p.area_id and p.municipality_code in rel.register:
        year = min(max(p.budget_year - 1, rel.years[0]), rel.years[-1])
        kf = key_figures(rel, p.municipality_code, year)
        fig = next((a for a in kf.areas if a.id == p.area_id), None)

    amount = full_year_amount(p)
    pop = None
    if year is not None:
        pop = views.population(rel, p.municipality_code, year)
    per_inh = amount * 1000 / pop if amount is not None and pop else None
    amounts = DataTable("beloeb", "Økonomi, 1.000 kr. pr. år (besparelser negative; – = ikke oplyst)", [
        Column("label", "Beløb"), Column("b", "B", "num1"), Column("bo1", "BO1", "num1"), Column("bo2", "BO2", "num1"),
        Column("bo3", "BO3", "num1"), Column("once", "Engangsinvestering", "num1")],
        [{"label": f"Budget {p.budget_year}", "b": p.amount_b, "bo1": p.amount_bo1, "bo2": p.amount_bo2,
          "bo3": p.amount_bo3, "once": p.one_off_investment, "_status": "sample" if p.is_sample else None}],
        source=("Eksempeldata (fiktivt forslag). " if p.is_sample else "")
        + (f"Kilde: {p.source_file}, ark {p.source_sheet}, række {p.source_row}." if p.source_file else ""))
    tables = [amounts]
    if fig is not None:
        tables.append(DataTable("kommunetal", f"{p.municipality_name}: {fig.name.lower()}, regnskab {year}", [
            Column("label", "Nøgletal"), Column("own", p.municipality_name, "kr"),
            Column("national", "Hele landet", "kr"), Column("rank", "Placering (1 = højeste)"),
        ], [
            {"label": "Kr. pr. indbygger", "own": fig.per_inhabitant, "national": fig.national_per_inhabitant,
             "rank": f"{fig.rank or '–'} af {fig.ranked}"},
            {"label": f"Kr. pr. {(fig.target_group_name or '').replace('årige', 'årig')}", "own": fig.per_target,
             "national": fig.national_per_target, "rank": f"{fig.rank_per_target or '–'} af {fig.ranked}",
             "_status": fig.status},
        ], source=f"Kilde: Danmarks Statistik (REGK31, nettodriftsudgifter, {rel.price_basis.lower()}); "
                  f"datarelease {rel.id}."))

    withdrawn = p.id in withdrawn_ids(store.engine)
    return cacheable_per_session(export_or_render(request, "proposal.html", {
        "title": p.display_title, "nav": "idebank", "p": p, "similar": similar, "fig": fig, "fig_year": year,
        "per_inhabitant": per_inh, "full_year": amount, "release": rel, "withdrawn": withdrawn,
        "panel": network.work_panel(request, "proposal", p.id)}, tables))


@router.get("/idebank-skabelon.xlsx", include_in_schema=False)
def template_download() -> Response:
    import tempfile


    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "skabelon.xlsx"
        write_template(path)
        data = path.read_bytes()
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="raaderum-idebank-skabelon.xlsx"'})
