"""Login, logout, sessions and CSRF for the web app. Thin: the core is :mod:`raaderum.accounts` and
:mod:`raaderum.sessions`.

* The session cookie ``raaderum_session`` is HttpOnly, SameSite=Lax, and Secure when the request came over https
  or ``RAADERUM_SECURE_COOKIES=1``. It holds a random token; the server keeps the session.
* :class:`AuthMiddleware` looks the session up (only when a cookie is sent) and checks the CSRF token on EVERY
  POST/PUT/PATCH/DELETE: the form field ``csrf_token`` or the header ``X-CSRF-Token`` must equal the session's
  token (before login: the ``raaderum_login_csrf`` cookie's). Missing or wrong → 403, and the route never runs.
* Templates get ``current_user()`` and ``csrf_token()`` as Jinja globals.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import pass_context
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from raaderum.accounts import ACTIONS, AuthenticationFailed, PermissionDenied, User, can, require
from raaderum.backup import SchemaNotCurrent
from raaderum.sessions import ABSOLUTE_LIFETIME, SessionInfo, TooManyAttempts, login, logout, lookup
from raaderum.web.app import env, render, templates

SESSION_COOKIE = "raaderum_session"
LOGIN_CSRF_COOKIE = "raaderum_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY = 25 * 1024 * 1024
DB_UNAVAILABLE = "Databasen er midlertidigt utilgængelig"

router = APIRouter(include_in_schema=False)



class LoginRequired(Exception):
    """A page that needs a logged-in user was asked for without one (→ redirect to /login)."""


class DatabaseUnavailable(Exception):
    """The app store could not be reached while handling this request (→ 503)."""


# ------------------------------------------------------------------------------------------------ engine


def get_engine() -> Engine:
    """The process's engine for the app store: the one the idea bank's process-wide store already holds (one
    connection pool per worker; the schema is checked when that store is opened)."""
    from raaderum.ideas.store import default_store

    return default_store().engine  # type: ignore[no-any-return]


def dispose_engines() -> None:
    """Close every pooled connection (tests; shutdown)."""
    from raaderum.ideas.store import close_default_store

    close_default_store()


# ------------------------------------------------------------------------------------------------ helpers


def secure_cookies(request_scheme: str) -> bool:
    return request_scheme == "https" or os.environ.get("RAADERUM_SECURE_COOKIES") == "1"


def _session_of(request: Request) -> SessionInfo | None:
    return request.state.raaderum_session if hasattr(request.state, "raaderum_session") else None


def current_user(request: Request) -> User | None:
    """The logged-in user, or None (dependency). A database outage → 503."""
    if getattr(request.state, "raaderum_db_error", False):
        raise DatabaseUnavailable()
    info = _session_of(request)
    return info.user if info else None


def login_required(request: Request) -> User:
    """Dependency for pages: the user, or a redirect to the login page."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def requires(action: str) -> Callable[[Request], User]:
    """Dependency for global actions (``user.add``, ``ideas.import``): the user when allowed, else 403."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None and request.method not in UNSAFE_METHODS:
            raise LoginRequired()
        return require(user, action)

    return dependency


def csrf_for(request: Request) -> str:
    info = _session_of(request)
    if info is not None:
        return info.csrf_token
    return str(getattr(request.state, "raaderum_login_csrf", "") or request.cookies.get(LOGIN_CSRF_COOKIE, ""))


@pass_context
def _jinja_current_user(ctx: Any) -> User | None:
    request = ctx.get("request")
    if request is None:
        return None
    info = _session_of(request)
    return info.user if info else None


@pass_context
def _jinja_csrf(ctx: Any) -> str:
    request = ctx.get("request")
    return csrf_for(request) if request is not None else ""


env.globals["current_user"] = _jinja_current_user
env.globals["csrf_token"] = _jinja_csrf
env.globals["can"] = can


def safe_next(value: str | None, default: str = "/arbejdsrum") -> str:
    """A local path to go to after login (never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return default
    return value


# ------------------------------------------------------------------------------------------------ middleware


def _error_page(scope: dict[str, Any], status: int, title: str, message: str) -> Response:
    request = Request(scope)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    html = templates.get_template("error.html").render(request=request, title=title, message=message)
    return HTMLResponse(html, status_code=status)


class AuthMiddleware:
    """Session lookup and CSRF check for every request (pure ASGI, so the body can be read and replayed)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Awaitable[Any]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request = Request(scope)
        token = request.cookies.get(SESSION_COOKIE)
        info = None
        if token:
            try:
                info = await _run(lambda: lookup(get_engine(), token))
            except (DBAPIError, PoolTimeout, SchemaNotCurrent):
                state["raaderum_db_error"] = True
                if scope["method"] in UNSAFE_METHODS:
                    await _error_page(scope, 503, DB_UNAVAILABLE, _db_message())(scope, receive, send)
                    return
        state["raaderum_session"] = info
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body, receive = await _buffer(receive)
        if body is None:
            await _error_page(scope, 413, "For stor forespørgsel", "Filen eller formularen er for stor "
                              f"(højst {MAX_BODY // 1024 // 1024} MB).")(scope, receive, send)
            return
        sent = request.headers.get(CSRF_HEADER) or await _form_token(scope, body)
        expected = info.csrf_token if info else request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            await _error_page(scope, 403, "Sikkerhedstjek mislykkedes",
                              "Formularen manglede et gyldigt sikkerhedstegn (CSRF), så intet er ændret. Gå tilbage, "
                              "genindlæs siden, og prøv igen. Er du blevet logget ud, så log ind igen."
                              )(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _run(func: Callable[[], Any]) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(func)


async def _buffer(receive: Callable[..., Awaitable[Any]]) -> tuple[bytes | None, Callable[..., Awaitable[Any]]]:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None, receive
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _form_token(scope: dict[str, Any], body: bytes) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    ctype = headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    if ctype.startswith("multipart/form-data"):
        async def once() -> Any:
            return {"type": "http.request", "body": body, "more_body": False}

        req = Request({**scope, "state": {}}, once)
        try:
            form = await req.form()
        except Exception:  # noqa: BLE001 - a malformed body simply carries no token
            return None
        try:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()
    return None


def _db_message() -> str:
    return ("Råderum kan ikke nå sin database lige nu, så siden kan ikke vises, og intet er gemt. Prøv igen om lidt; "
            "varer det ved, så kontakt driften.")


# ------------------------------------------------------------------------------------------------ routes


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "ukendt"


def _login_page(request: Request, *, message: str | None = None, name: str = "", next_path: str = "/arbejdsrum",
                status_code: int = 200) -> Response:
    return render(request, "login.html", {"title": "Log ind", "message": message, "name": name,
                                          "next": safe_next(next_path)}, status_code=status_code)


@router.get("/login")
def login_form(request: Request, next: str = "/arbejdsrum") -> Response:
    if _session_of(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    fresh = request.cookies.get(LOGIN_CSRF_COOKIE) is None
    if fresh:
        request.state.raaderum_login_csrf = secrets.token_urlsafe(32)
    response = _login_page(request, next_path=next)
    if fresh:
        response.set_cookie(LOGIN_CSRF_COOKIE, request.state.raaderum_login_csrf, httponly=True, samesite="lax",
                            secure=secure_cookies(request.url.scheme), path="/")
    return response


@router.post("/login")
def login_submit(request: Request, name: str = Form("", max_length=200), password: str = Form("", max_length=1000),
                 next: str = Form("/arbejdsrum", max_length=2000)) -> Response:
    if not name.strip() or not password:
        return _login_page(request, message="Skriv både brugernavn og adgangskode.", name=name, next_path=next,
                           status_code=400)
    old = request.cookies.get(SESSION_COOKIE)
    try:
        info = login(get_engine(), name, password, ip=_client_ip(request), replaces=old)
    except TooManyAttempts as e:
        response = _login_page(request, message=str(e), name=name, next_path=next, status_code=429)
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except AuthenticationFailed as e:
        return _login_page(request, message=str(e), name=name, next_path=next, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, info.token, httponly=True, samesite="lax",
                        secure=secure_cookies(request.url.scheme), path="/",
                        max_age=int(ABSOLUTE_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout_submit(request: Request) -> Response:
    logout(get_engine(), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


# ------------------------------------------------------------------------------------------------ installation


def _db_error(exc: Exception) -> bool:
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout | DatabaseUnavailable) or (
        isinstance(exc, DBAPIError) and bool(exc.connection_invalidated))


def install(app: FastAPI) -> None:
    """Add the session/CSRF middleware and the error pages for login (303), 403, 404, 409, 429 and 503."""
    from raaderum.workspace import ConflictError, ShareLinkNotFound, ShortlistItemNotFound

    app.add_middleware(AuthMiddleware)

    def page(request: Request, status: int, title: str, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return render(request, "error.html", {"title": title, "message": message}, status_code=status)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(PermissionDenied)
    async def _forbidden(request: Request, exc: PermissionDenied) -> Response:
        return page(request, 403, "Ingen adgang", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> Response:
        return page(request, 409, "Ændringen er ikke gemt", str(exc))

    @app.exception_handler(TooManyAttempts)
    async def _too_many(request: Request, exc: TooManyAttempts) -> Response:
        response = page(request, 429, "For mange forsøg", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(ShareLinkNotFound)
    @app.exception_handler(ShortlistItemNotFound)
    async def _gone(request: Request, exc: Exception) -> Response:
        return page(request, 404, "Findes ikke", str(exc))

    @app.exception_handler(SchemaNotCurrent)
    async def _schema(request: Request, exc: SchemaNotCurrent) -> Response:
        return page(request, 503, "Databasen skal opdateres", str(exc))

    async def _database(request: Request, exc: Exception) -> Response:
        if not _db_error(exc):
            raise exc
        response = page(request, 503, DB_UNAVAILABLE, _db_message())
        response.headers["Retry-After"] = "5"
        return response

    for cls in (DBAPIError, PoolTimeout, DatabaseUnavailable):
        app.add_exception_handler(cls, _database)


__all__ = ["CSRF_FIELD", "LOGIN_CSRF_COOKIE", "SESSION_COOKIE", "AuthMiddleware", "current_user", "dispose_engines",
           "get_engine", "install", "login_required", "requires", "router"]

