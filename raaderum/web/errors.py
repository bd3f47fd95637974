"""Error handling of the web app: ONE rule maps Råderum's errors to answers.

Every :class:`~raaderum.errors.RaaderumError` carries its HTTP status, title and headers (see
:mod:`raaderum.errors`); :func:`install` renders it as the Danish error page, or as ``{"error": ...}`` under
``/api/``. A lost database connection gives 503 with Retry-After; invalid parameters give 400 with the Danish
reason; a page that needs a login redirects to ``/login``. No database error reaches the user raw.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from raaderum.errors import RaaderumError, UnknownMunicipality
from raaderum.web.deps import DatabaseUnavailable, LoginRequired
from raaderum.web.middleware import DB_UNAVAILABLE, _db_message
from raaderum.web.templating import render_error


def _db_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | DatabaseUnavailable) or (
        isinstance(exc, DBAPIError) and bool(exc.connection_invalidated))


def _unavailable(request: Request) -> Response:
    return render_error(request, 503, DB_UNAVAILABLE, _db_message(), headers={"Retry-After": "5"})


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(RaaderumError)
    async def raaderum_error(request: Request, exc: RaaderumError) -> Response:
        cause = exc.__cause__ or exc.__context__
        if cause is not None and _db_error(cause):
            return _unavailable(request)
        suggestions = exc.suggestions if isinstance(exc, UnknownMunicipality) else None
        return render_error(request, exc.status, exc.title, str(exc), suggestions=suggestions,
                            headers=dict(exc.headers))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            problems.append(f"{where}: {e.get('msg')} (fik {e.get('input')!r})")
        msg = "Ugyldige parametre: " + "; ".join(problems)
        return render_error(request, 400, "Ugyldig forespørgsel", msg)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render_error(request, 404, "Siden findes ikke", "Adressen findes ikke i Råderum.")
        return render_error(request, exc.status_code, "Fejl", str(exc.detail), headers=dict(exc.headers or {}))

    async def database(request: Request, exc: Exception) -> Response:
        if not _db_error(exc):
            return render_error(request, 500, "Fejl", "Der skete en fejl i databasen; intet er gemt. Prøv igen.")
        return _unavailable(request)

    for cls in (DBAPIError, PoolTimeout, DatabaseUnavailable):
        app.add_exception_handler(cls, database)


__all__ = ["install"]
