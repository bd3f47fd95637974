"""Error handling of the web app: ONE rule maps Råderum's errors to answers.

Every :class:`~raaderum.errors.RaaderumError` carries its HTTP status, title and headers (see
:mod:`raaderum.errors`); :func:`install` renders it as the Danish error page, or as ``{"error": ...}`` under
``/api/``. A lost database connection gives 503 with Retry-After; invalid parameters give 400 with the Danish
reason; a page that needs a login redirects to ``/login``. No database error reaches the user raw.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
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


def danish_reason(error: dict[str, Any]) -> str:
    """A pydantic validation error in Danish (the common kinds; others keep pydantic's English text)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    reasons = {
        "missing": "mangler",
        "int_parsing": "skal være et helt tal", "int_type": "skal være et helt tal",
        "int_from_float": "skal være et helt tal",
        "float_parsing": "skal være et tal", "float_type": "skal være et tal",
        "bool_parsing": "skal være true eller false",
        "less_than_equal": f"må højst være {ctx.get('le')}", "less_than": f"skal være under {ctx.get('lt')}",
        "greater_than_equal": f"skal mindst være {ctx.get('ge')}",
        "greater_than": f"skal være over {ctx.get('gt')}",
        "string_too_long": f"må højst være {ctx.get('max_length')} tegn",
        "string_too_short": f"skal være mindst {ctx.get('min_length')} tegn",
        "literal_error": f"skal være en af: {ctx.get('expected')}", "enum": f"skal være en af: {ctx.get('expected')}",
        "string_type": "skal være tekst",
    }
    return reasons.get(kind, str(error.get("msg", "ugyldig")))


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
            got = repr(e.get("input"))
            got = got if len(got) <= 80 else got[:77] + "…"
            problems.append(f"{where}: {danish_reason(e)} (fik {got})")
        msg = "Ugyldige parametre: " + "; ".join(problems)
        return render_error(request, 400, "Ugyldig forespørgsel", msg)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render_error(request, 404, "Siden findes ikke", "Adressen findes ikke i Råderum.")
        return render_error(request, exc.status_code, "Fejl", str(exc.detail), headers=dict(exc.headers or {}))

    async def database(request: Request, exc: Exception) -> Response:
        if _db_error(exc):
            return _unavailable(request)
        if isinstance(exc, IntegrityError):
            return render_error(request, 409, "Ændringen er ikke gemt", "Ændringen strider mod en anden ændring, "
                                "der kom først (fx en dublet); intet er gemt. Genindlæs siden, og prøv igen.")
        if isinstance(exc, DataError):
            return render_error(request, 400, "Ugyldig værdi", "En værdi kan ikke gemmes i databasen (for stor, "
                                "for lang eller med ugyldige tegn); intet er gemt.")
        return render_error(request, 503, "Databasen skal opdateres", "Databasen svarer ikke som forventet (er "
                            "den migreret med 'raaderum db migrate'?); intet er gemt. Prøv igen om lidt.",
                            headers={"Retry-After": "5"})

    for cls in (DBAPIError, PoolTimeout, DatabaseUnavailable):
        app.add_exception_handler(cls, database)


__all__ = ["install"]
