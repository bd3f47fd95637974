"""JSON API under /api/v1. Thin: the same core functions as the pages and the CLI."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from raaderum.analysis.benchmark import REFERENCES
from raaderum.analysis.key_figures import key_figures
from raaderum.analysis.peers import choose_peers, load_peer_catalog, load_peer_registry
from raaderum.analysis.prices import ALIASES, FIXED, resolve_prices
from raaderum.release.reader import open_release
from raaderum.store.ideas import default_store
from raaderum.web.deps import TEXT_PATTERN, Kommune, RowId
from raaderum.web.views import BenchmarkParams, idea_query


class ErrorBody(BaseModel):
    """The body of every error answer of the API (always Danish)."""

    error: str = Field(description="Hvad der var galt, og hvor (på dansk)")
    suggestions: list[str] | None = Field(None, description="Forslag, fx kommunenavne, der ligner det skrevne")


def _err(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


#: Every status a route of the API can answer besides 200, with the shape of its body. 422 is never used:
#: invalid parameters are 400 with a Danish message.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _err("Ugyldige parametre (fx et år uden for releasen, en ukendt reference eller et for stort tal)"),
    404: _err("Findes ikke (fx en ukendt kommune, et ukendt område eller forslag)"),
    413: _err("Forespørgslen er for stor"),
    503: _err("Datareleasen eller databasen er midlertidigt utilgængelig; prøv igen (se Retry-After)"),
}

def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


# The closed sets of the API as patterns, so the schema says exactly what is accepted (and a schema-valid value
# is never refused). Taken from the registries when the app starts.
REFERENCE_PATTERN = _one_of(list(REFERENCES))
_FIRST_YEAR, _LAST_YEAR = min(open_release().years), max(open_release().years)
_CODES = "(" + "|".join(str(c) for c in sorted(open_release().register.codes())) + ")"
_K = "(k=)?([1-9]|[1-8][0-9]|9[0-7])"
PEERS_PATTERN = f"^({_K}|group|region|all|{_CODES}(, ?{_CODES})*)$"
_VARIABLES = sorted({v.id for m in load_peer_registry().models.values() for v in m.variables},
                    key=lambda v: ([x.id for x in load_peer_catalog().variables] + [v]).index(v))
_WEIGHT = "(" + "|".join(re.escape(v) for v in _VARIABLES) + r")=([0-9]|[0-9]\.[0-9]{1,2}|10)"
WEIGHTS_PATTERN = f"^{_WEIGHT}(,{_WEIGHT})*$"
PRICES_PATTERN = _one_of(list(ALIASES))
PEER_MODEL_PATTERN = _one_of([c["id"] for c in load_peer_registry().choices()])
_PRICE_INDEX = open_release().manifest.get("price_index") or {}
_FIRST_BASE, _LAST_BASE = (_PRICE_INDEX.get("years") or [_FIRST_YEAR, _LAST_YEAR])[:2]
_PRICES_DOC = ("Prisgrundlag: løbende (standard) eller faste; faste priser = løbende × I(basisår)/I(år) med "
               "releasens prisindeks")
_BASE_DOC = "Basisår for faste priser (standard: releasens standardbasisår); ignoreres i løbende priser"
_MODEL_DOC = "Sammenligningsmodel: " + ", ".join(f"{c['id']} ({c['name'].split(':')[0]})"
                                                 for c in load_peer_registry().choices())


def _model_weights(peer_model: str | None, weights: str | None) -> tuple[str | None, list[str]]:
    """``weights`` restricted to the variables of the chosen model (``auto``: the standard model's), and the
    variables left out: the pattern lists every model's variables, and a schema-valid request is never refused."""
    if not weights:
        return weights, []
    reg = load_peer_registry()
    mid = reg.resolve(peer_model)
    ids = set(reg.model(None if mid == "auto" else mid).ids())
    parts = [p for p in weights.split(",") if p.strip()]
    keep = [p for p in parts if p.partition("=")[0].strip() in ids]
    dropped = [p.partition("=")[0].strip() for p in parts if p not in keep]
    return (",".join(keep) or None), dropped


def _base(prices: str, base_year: int | None) -> int | None:
    """The base year only counts in fixed prices (a schema-valid request is never refused for it)."""
    return base_year if resolve_prices(prices) == FIXED else None

router = APIRouter(prefix="/api/v1", tags=["Råderum"], responses=ERROR_RESPONSES)


@router.get("/municipalities", summary="De 98 kommuner")
def municipalities(
    q: str | None = Query(None, max_length=100, pattern=TEXT_PATTERN, description="Filtrér på navn eller kode"),
) -> dict[str, Any]:
    rel = open_release()
    items = [m.to_dict() for m in rel.register]
    if q:
        found = rel.register.find(q)
        items = [found.to_dict()] if found else [m.to_dict() for m in rel.register
                                                 if q.casefold() in m.name.casefold()]
    return {"release_id": rel.id, "municipalities": items}


@router.get("/key-figures/{kommune}", summary="Nøgletal for en kommune")
def key_figures_api(
    kommune: Kommune,
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR),
    prices: str = Query("løbende", max_length=20, pattern=PRICES_PATTERN, description=_PRICES_DOC),
    base_year: int | None = Query(None, ge=_FIRST_BASE, le=_LAST_BASE, description=_BASE_DOC),
) -> dict[str, Any]:
    return key_figures(open_release(), kommune, year, prices=prices, base_year=_base(prices, base_year)).to_dict()


def _params(year: int | None, reference: str, peers: str, weights: str | None, need_corrected: bool,
            prices: str = "løbende", base_year: int | None = None, peer_model: str | None = None) -> Any:
    return BenchmarkParams(year=year, reference=reference, peers=peers, need=need_corrected, weights=weights,
                           prices=prices, base_year=_base(prices, base_year), peer_model=peer_model)


@router.get("/benchmark/{kommune}", summary="Råderumsbenchmark for en kommune")
def benchmark_api(
    kommune: Kommune,
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR, description="Regnskabsår (standard: seneste)"),
    reference: str = Query("peer_mean", max_length=40, pattern=REFERENCE_PATTERN,
                           description="national, peer_mean, peer_median, peer_p25, best5_of_10, cheapest_peer"),
    peers: str = Query("k=10", max_length=600, pattern=PEERS_PATTERN,
                       description="k=10 (1-97), group, region, all eller kommunekoder adskilt af komma"),
    weights: str | None = Query(None, max_length=600, pattern=WEIGHTS_PATTERN,
                                description="fx ln_population=2,ln_density=1"),
    need_corrected: bool = Query(False),
    prices: str = Query("løbende", max_length=20, pattern=PRICES_PATTERN, description=_PRICES_DOC),
    base_year: int | None = Query(None, ge=_FIRST_BASE, le=_LAST_BASE, description=_BASE_DOC),
    peer_model: str | None = Query(None, max_length=60, pattern=PEER_MODEL_PATTERN, description=_MODEL_DOC),
) -> dict[str, Any]:
    rel = open_release()
    m = rel.register.resolve(kommune)
    weights, ignored = _model_weights(peer_model, weights)
    out = _params(year, reference, peers, weights, need_corrected, prices, base_year, peer_model).run(
        rel, m.code).to_dict()
    if ignored:
        out["ignored_weights"] = ignored
    return out


@router.get("/peers/{kommune}", summary="Sammenligningskommuner med afstande, bidrag og stabilitet")
def peers_api(
    kommune: Kommune,
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR),
    peers: str = Query("k=10", max_length=600, pattern=PEERS_PATTERN),
    weights: str | None = Query(None, max_length=600, pattern=WEIGHTS_PATTERN),
    peer_model: str | None = Query(None, max_length=60, pattern=PEER_MODEL_PATTERN, description=_MODEL_DOC),
) -> dict[str, Any]:
    rel = open_release()
    m = rel.register.resolve(kommune)
    weights, ignored = _model_weights(peer_model, weights)
    p = BenchmarkParams(year=year, peers=peers, weights=weights, peer_model=peer_model)
    model = None if p.model_id == "auto" else p.model_id
    ps = choose_peers(rel, m.code, p.year, p.peers, p.weights or None, model=model)
    return {"municipality": m.to_dict(), "year": ps.year, **ps.to_dict(), "stability": ps.stability_dict(),
            "peer_model": {"id": ps.model, "name": ps.model_name},
            **({"ignored_weights": ignored} if ignored else {})}


@router.get("/ideas/search", summary="Søg i idébanken (dansk fuldtekst med facetter)")
def ideas_search(
    iq: Any = Depends(idea_query),
    include_sample: bool = Query(True),
    limit: int = Query(20, ge=0, le=200),
    offset: int = Query(0, ge=0, le=100_000),
) -> dict[str, Any]:
    rel = open_release()
    return default_store().search(iq.q, iq.filters(rel, include_sample=include_sample), limit=limit,
                                  offset=offset).to_dict()


@router.get("/ideas/{proposal_id}", summary="Et forslag fra idébanken med lignende forslag")
def idea(proposal_id: RowId) -> dict[str, Any]:
    store = default_store()
    return {"proposal": store.get(proposal_id).to_dict(),
            "similar": [h.to_dict() for h in store.similar(proposal_id, 8)]}
