"""JSON API of the analyses of issue 14 under /api/v1: demografiregulering and the DEA efficiency frontier.

Thin: the same library functions as the CLI (:mod:`raaderum.analysis.demography`, :mod:`raaderum.analysis.dea`).
Closed sets (areas, DEA specifications, price bases) are documented as patterns, so a schema-valid request is never
refused; a combination the release cannot support (a specification in a year before its functions existed, a
municipality left out of a specification) is 404 with the Danish reason. List endpoints never bootstrap.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from raaderum.analysis.dea import DEFAULT_DEA_B, MIN_DEA_B, dea_specs, run_dea, run_dea_all
from raaderum.analysis.demography import demographic_pressure, pressure_overview
from raaderum.analysis.projection import backtest, project_population
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable
from raaderum.release.reader import open_release
from raaderum.reports.demography_xlsx import csv_text, xlsx_bytes
from raaderum.web.deps import Kommune
from raaderum.web.routes.api import ERROR_RESPONSES, ErrorBody, _one_of

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AREA_PATTERN = _one_of(load_catalog().area_ids())
SPEC_PATTERN = _one_of(list(dea_specs()))
PRICES_PATTERN = "^(faste|løbende)$"
FORMAT_PATTERN = "^(json|csv|xlsx)$"
_YEARS = open_release().years
_FIRST_YEAR, _LAST_YEAR = min(_YEARS), max(_YEARS)
_PRICE_YEARS = [y for (y,) in open_release().query("SELECT DISTINCT year FROM price_index ORDER BY 1")] or [_LAST_YEAR]

#: A DEA specification in a path: one of the registry's ids.
Spec = Annotated[str, Path(min_length=1, max_length=40, pattern=SPEC_PATTERN,
                           description="DEA-specifikation, fx aeldre eller alle_omraader")]

router = APIRouter(prefix="/api/v1", tags=["Råderum: demografi og DEA"], responses=ERROR_RESPONSES)

_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "Demografiregulering (JSON, CSV eller Excel efter format)",
          "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}},
                      XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}}}


def _plain(data: Any) -> Any:
    """JSON-safe: numpy numbers as Python numbers, NaN and infinities as null."""

    def default(o: Any) -> Any:
        if hasattr(o, "item"):
            return o.item()
        if hasattr(o, "to_dict"):
            return o.to_dict()
        raise TypeError(type(o).__name__)

    def clean(o: Any) -> Any:
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o

    return clean(json.loads(json.dumps(data, default=default, allow_nan=True)))


def _not_found(e: Exception) -> JSONResponse:
    return JSONResponse(ErrorBody(error=str(e), suggestions=None).model_dump(exclude_none=True), status_code=404)


def _basis(prices: str, base_year: int | None) -> tuple[str, int | None]:
    """A base year only means something in fixed prices; with current prices it is ignored (never a 400)."""
    return prices, (base_year if prices == "faste" else None)


@router.get("/demografi", summary="Demografisk pres for alle 98 kommuner (fremskrivning, B og BO1-BO3)")
def demografi_overview(
    omraade: str | None = Query(None, max_length=40, pattern=AREA_PATTERN,
                                description="Kun dette serviceområde (standard: summen af alle områder)"),
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR,
                             description="Regnskabsår for udgiften pr. person i målgruppen (standard: seneste)"),
    prices: str = Query("faste", max_length=10, pattern=PRICES_PATTERN, description="faste eller løbende"),
    base_year: int | None = Query(None, ge=min(_PRICE_YEARS), le=max(_PRICE_YEARS),
                                  description="Basisår for faste priser (ignoreres ved løbende priser)"),
) -> dict[str, Any]:
    p, b = _basis(prices, base_year)
    return _plain(pressure_overview(open_release(), omraade, prices=p, base_year=b, year=year))  # type: ignore[no-any-return]


@router.get("/demografi/{kommune}", summary="Demografiregulering for en kommune (fremskrivning, B og BO1-BO3)",
            responses=_DOWNLOAD)
def demografi(
    kommune: Kommune,
    omraade: str | None = Query(None, max_length=40, pattern=AREA_PATTERN, description="Kun dette serviceområde"),
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR,
                             description="Regnskabsår for udgiften pr. person i målgruppen (standard: seneste)"),
    prices: str = Query("faste", max_length=10, pattern=PRICES_PATTERN, description="faste eller løbende"),
    base_year: int | None = Query(None, ge=min(_PRICE_YEARS), le=max(_PRICE_YEARS),
                                  description="Basisår for faste priser (ignoreres ved løbende priser)"),
    format: str = Query("json", max_length=5, pattern=FORMAT_PATTERN, description="json, csv eller xlsx"),
) -> Any:
    p, b = _basis(prices, base_year)
    res = demographic_pressure(open_release(), kommune, omraade, prices=p, base_year=b, year=year)
    name = f"demografi-{res.municipality.code}-{res.budget_years[0]}-{res.budget_years[-1]}"
    if format == "csv":
        return Response(csv_text(res).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}.csv"'})
    if format == "xlsx":
        return Response(xlsx_bytes(res), media_type=XLSX_MIME,
                        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'})
    return _plain(res.to_dict())


@router.get("/befolkning/{kommune}", summary="Befolkningsfremskrivning for en kommune (målgrupper og enkeltårsaldre)")
def befolkning(kommune: Kommune) -> dict[str, Any]:
    rel = open_release()
    m = rel.register.resolve(kommune)
    return _plain({"municipality": m.to_dict(), **project_population(rel).to_dict(m.code)})  # type: ignore[no-any-return]


@router.get("/befolkning-tilbagetest", summary="Tilbagetest af befolkningsfremskrivningen (fejl pr. aldersgruppe)")
def befolkning_tilbagetest(
    rows: bool = Query(False, description="Medtag fejlen pr. kommune (ellers kun opsummeringen)"),
) -> dict[str, Any]:
    bt = backtest(open_release())
    out = bt.to_dict()
    if not rows:
        out.pop("rows")
    return _plain(out)  # type: ignore[no-any-return]


@router.get("/dea", summary="DEA-effektivitetsfront: oversigt over alle specifikationer (uden bootstrap)")
def dea_overview(year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR)) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sid, r in run_dea_all(open_release(), year, B=0).items():
        out[sid] = {"error": str(r)} if isinstance(r, Exception) else {
            "spec": r.spec.to_dict(), "year": r.year, "summary": r.summary}
    return _plain({"specs": out})  # type: ignore[no-any-return]


@router.get("/dea/{spec}", summary="DEA for alle kommuner i én specifikation (uden bootstrap)")
def dea_spec(
    spec: Spec,
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR, description="Regnskabsår (standard: seneste)"),
) -> Any:
    try:
        return _plain(run_dea(open_release(), spec, year, B=0).to_dict())
    except DataNotAvailable as e:
        return _not_found(e)


@router.get("/dea/{spec}/{kommune}", summary="DEA for én kommune: θ, potentiale, referencekommuner (λ)")
def dea_unit(
    spec: Spec,
    kommune: Kommune,
    year: int | None = Query(None, ge=_FIRST_YEAR, le=_LAST_YEAR, description="Regnskabsår (standard: seneste)"),
    bootstrap: int = Query(0, ge=0, le=DEFAULT_DEA_B,
                           description=f"Bootstrap-trækninger for et bånd på θ (0 = intet; 1-{MIN_DEA_B - 1} rundes "
                                       f"op til {MIN_DEA_B})"),
) -> Any:
    rel = open_release()
    m = rel.register.resolve(kommune)
    B = 0 if bootstrap == 0 else max(bootstrap, MIN_DEA_B)
    try:
        res = run_dea(rel, spec, year, B=B, municipalities=[m.code])
        u = res.unit(m.code)
    except DataNotAvailable as e:
        return _not_found(e)
    flags = res.to_dict()["flags"]
    return _plain({"spec": res.spec.to_dict(), "year": res.year, "unit": u.to_dict(), "summary": res.summary,
                   "flags": {f: t for f, t in flags.items() if f in u.flags}, "method": res.method,
                   "provenance": res.provenance})
