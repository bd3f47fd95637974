"""The application factory: ``create_app(settings)`` wires middleware, routes, static files and error handling."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from raaderum import __version__, config
from raaderum.config import Settings
from raaderum.release.reader import open_release
from raaderum.store.ideas import default_store
from raaderum.web import errors
from raaderum.web.cache import PageCacheMiddleware, SessionPageCacheMiddleware
from raaderum.web.middleware import AuthMiddleware, SecurityHeadersMiddleware
from raaderum.web.routes import admin, analysis_api, api, catalogue, digest, levers, login, network, pages, workspace
from raaderum.web.templating import HERE
from raaderum.web.views import warm_up


class HealthMiddleware:
    """Answers ``GET /healthz`` before anything else runs (load balancers ask often): ``{"status": "ok",
    "release": <id of the release in use>}``, the release id re-read at most once a second."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._at, self._body = 0.0, b""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/healthz" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        if now - self._at > 1.0:
            self._body = json.dumps({"status": "ok", "release": open_release().id}).encode()
            self._at = now
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length",
                                                                         str(len(self._body)).encode()),
                                (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": self._body if scope["method"] == "GET" else b""})


def _warm() -> None:
    warm_up(open_release())
    default_store().search_index()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Warm the per-process caches before the first request (area panels, default benchmarks, idea index)."""
    if app.state.settings.warm_up:
        await anyio.to_thread.run_sync(_warm)
        gc.collect()
        gc.freeze()  # the warmed caches live as long as the process: keep them out of every later GC pass
    yield


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI schema lists what the API really answers: 400 with the Danish error body instead of FastAPI's
    default 422 (which never happens: :mod:`raaderum.web.errors` turns validation errors into 400)."""
    from fastapi.openapi.utils import get_openapi  # lazy: only when the schema is asked for

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            for item in schema.get("paths", {}).values():
                for op in item.values():
                    op.get("responses", {}).pop("422", None)
            comps = schema.get("components", {}).get("schemas", {})
            comps.pop("HTTPValidationError", None)
            comps.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app with ``settings`` (default: read from the environment, see :mod:`raaderum.config`)."""
    settings = settings or config.current()
    app = FastAPI(lifespan=lifespan, title="Råderum API", version=__version__, docs_url="/api/v1/docs",
                  redoc_url=None, openapi_url="/api/v1/openapi.json",
                  description="Nøgletal, benchmark, sammenligningskommuner og idébank for de 98 kommuner. "
                              "Kilde for alle udgiftstal: Danmarks Statistik.")
    app.state.settings = settings
    # Middleware runs outermost-last-added: the public page cache answers hits before the session lookup; the
    # session page cache sits inside it, since it serves only a session the lookup has just found alive.
    app.add_middleware(SessionPageCacheMiddleware, enabled=settings.page_cache)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(PageCacheMiddleware, enabled=settings.page_cache)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HealthMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(analysis_api.router)
    app.include_router(login.router)
    app.include_router(workspace.router)
    app.include_router(admin.router)
    app.include_router(levers.router)
    app.include_router(catalogue.router)
    app.include_router(network.router)
    app.include_router(digest.router)
    app.include_router(pages.router)
    errors.install(app)
    _document_errors(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "release": open_release().id}

    return app


__all__ = ["create_app"]
