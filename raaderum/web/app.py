"""Application factory: templates, static files, error pages, routers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.exceptions import HTTPException as StarletteHTTPException

from raaderum import __version__
from raaderum.errors import DataNotAvailable, InputError, RaaderumError, UnknownArea, UnknownMunicipality
from raaderum.formatting import fmt_date, fmt_kr, fmt_mio, fmt_number, fmt_pct, status_label
from raaderum.web.charts import chart_context

HERE = Path(__file__).resolve().parent
templates = Jinja2Blocks(directory=str(HERE / "templates"))
env = templates.env
env.filters.update(num=fmt_number, kr=fmt_kr, mio=fmt_mio, pct=fmt_pct, status=status_label, date=fmt_date)
env.globals.update(chart_context())
env.globals["version"] = __version__


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200,
           block: str | None = None) -> Response:
    """Render a page, or only ``block`` of it (for htmx requests that swap part of a page)."""
    ctx = {"request": request, **context}
    if block is None and request.headers.get("HX-Request") and context.get("hx_block"):
        block = context["hx_block"]
    if block:
        return templates.TemplateResponse(request, name, ctx, status_code=status_code, block_name=block)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def _store_unavailable(exc: Exception) -> bool:
    """A store error whose cause is a lost database connection (not a missing table or bad input)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    from raaderum.ideas.store import StoreError

    cause = exc.__cause__ or exc.__context__
    if not isinstance(exc, StoreError) or cause is None:
        return False
    if isinstance(cause, OperationalError) and "no such table" in str(cause):
        return False
    return isinstance(cause, OperationalError | InterfaceError) or (
        isinstance(cause, DBAPIError) and bool(cause.connection_invalidated))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm the per-process caches before the first request (area panels, default benchmarks, idea index)."""
    import anyio

    def warm() -> None:
        from raaderum.ideas.store import default_store
        from raaderum.release import open_release
        from raaderum.web.views import warm_up

        warm_up(open_release())
        default_store().search_index()

    if os.environ.get("RAADERUM_WARM_UP", "1") != "0":
        await anyio.to_thread.run_sync(warm)
    yield


def create_app() -> FastAPI:
    from raaderum.web import api, pages

    app = FastAPI(lifespan=lifespan, title="Råderum API", version=__version__, docs_url="/api/v1/docs",
                  redoc_url=None, openapi_url="/api/v1/openapi.json",
                  description="Nøgletal, benchmark, sammenligningskommuner og idébank for de 98 kommuner. "
                              "Kilde for alle udgiftstal: Danmarks Statistik.")
    from raaderum.web.cache import PageCacheMiddleware

    app.add_middleware(PageCacheMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    from raaderum.web import auth, workspace_pages

    app.include_router(auth.router)
    app.include_router(workspace_pages.router)
    from raaderum.web import lever_pages

    app.include_router(lever_pages.router)
    auth.install(app)  # session + CSRF middleware; 303 to login, 403, 404, 409, 429 and 503 pages
    app.include_router(pages.router)

    @app.exception_handler(UnknownMunicipality)
    async def unknown_municipality(request: Request, exc: UnknownMunicipality) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc), "suggestions": exc.suggestions}, status_code=404)
        return render(request, "error.html", {"title": "Ukendt kommune", "message": str(exc),
                                              "suggestions": exc.suggestions}, status_code=404)

    from raaderum.ideas.search import ProposalNotFound
    from raaderum.levers import UnknownLever

    @app.exception_handler(UnknownArea)
    @app.exception_handler(UnknownLever)
    @app.exception_handler(ProposalNotFound)
    async def not_found(request: Request, exc: RaaderumError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=404)
        return render(request, "error.html", {"title": "Findes ikke", "message": str(exc)}, status_code=404)

    @app.exception_handler(InputError)
    @app.exception_handler(DataNotAvailable)
    @app.exception_handler(RaaderumError)
    async def bad_input(request: Request, exc: RaaderumError) -> Response:
        if _store_unavailable(exc):
            msg = "Databasen er midlertidigt utilgængelig. Prøv igen om lidt."
            if _wants_json(request):
                return JSONResponse({"error": msg}, status_code=503, headers={"Retry-After": "5"})
            response = render(request, "error.html", {"title": "Databasen er midlertidigt utilgængelig",
                                                      "message": msg}, status_code=503)
            response.headers["Retry-After"] = "5"
            return response
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return render(request, "error.html", {"title": "Ugyldig forespørgsel", "message": str(exc)},
                      status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            problems.append(f"{where}: {e.get('msg')} (fik {e.get('input')!r})")
        msg = "Ugyldige parametre: " + "; ".join(problems)
        if _wants_json(request):
            return JSONResponse({"error": msg, "details": exc.errors()}, status_code=400)
        return render(request, "error.html", {"title": "Ugyldig forespørgsel", "message": msg}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        title = "Siden findes ikke" if exc.status_code == 404 else "Fejl"
        message = "Adressen findes ikke i Råderum." if exc.status_code == 404 else str(exc.detail)
        return render(request, "error.html", {"title": title, "message": message}, status_code=exc.status_code)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        from raaderum.release import open_release

        return {"status": "ok", "release": open_release().id}

    return app
