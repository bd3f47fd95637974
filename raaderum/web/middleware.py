"""The middleware (pure ASGI, no ``BaseHTTPMiddleware``): request limits, session and CSRF, security headers.

* :class:`SecurityHeadersMiddleware` (outermost) adds X-Content-Type-Options, X-Frame-Options, a
  Content-Security-Policy with ``frame-ancestors 'none'`` and a Referrer-Policy to every answer, and
  ``Cache-Control: no-store`` to every personal one (logged in, workspace, admin, login).
* :class:`AuthMiddleware` enforces the limits BEFORE anything is parsed: an address (path + query) must be
  text without control characters and at most :data:`MAX_QUERY` bytes of query; an unsafe request's body at most
  ``max_body_bytes`` (uploads ``max_upload_bytes``), refused with 413 from Content-Length or while it streams in;
  a form at most ``max_form_fields`` fields (counted on the raw bytes), and every field valid UTF-8 text without
  NUL or other control characters (400 naming the field). Large bodies are parsed in a worker thread, never on
  the event loop.

* The session cookie ``raaderum_session`` is HttpOnly, SameSite=Lax, and Secure when the request came over https
  or the ``secure_cookies`` setting is on. It holds a random token; the server keeps the session.
* :class:`AuthMiddleware` looks the session up (only when a cookie is sent) and checks the CSRF token on EVERY
  POST/PUT/PATCH/DELETE: the form field ``csrf_token`` or the header ``X-CSRF-Token`` must equal the session's
  token (before login: the ``raaderum_login_csrf`` cookie's). Missing or wrong → 403, and the route never runs.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool

from raaderum import config
from raaderum.config import Settings
from raaderum.errors import SchemaNotCurrent
from raaderum.server.sessions import lookup
from raaderum.web.cache import NEVER_CACHED
from raaderum.web.deps import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    get_engine,
)
from raaderum.web.templating import templates

#: Longest query string accepted (bytes, percent-encoded); longer addresses get 400.
MAX_QUERY = 8192
#: Bodies over this size are parsed in a worker thread instead of on the event loop.
THREAD_PARSE_OVER = 64 * 1024
#: Control characters (except tab, newline, carriage return) and lone surrogates: never valid in text input.
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: Paths of personal pages: never stored by a browser or proxy cache.
PERSONAL_PREFIXES = ("/arbejdsrum", "/admin", "/login", "/logout")

DB_UNAVAILABLE = "Databasen er midlertidigt utilgængelig"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", CSP.encode()), (b"referrer-policy", b"same-origin")]


class RequestRejected(Exception):
    """A request refused by a limit or a check before it reached a route (status and Danish message)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _error_page(scope: dict[str, Any], status: int, title: str, message: str) -> Response:
    request = Request(scope)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    html = templates.get_template("error.html").render(request=request, title=title, message=message)
    return HTMLResponse(html, status_code=status)


def check_text(value: str, where: str) -> None:
    """:class:`RequestRejected` (400) when ``value`` holds a control character or a lone surrogate."""
    found = BAD_CHARS.search(value)
    if found:
        raise RequestRejected(400, "Ugyldigt tegn", f"{where} indeholder et tegn, der ikke er tilladt i tekst "
                              f"(kontroltegn U+{ord(found.group()):04X}); intet er gemt. Fjern tegnet, og prøv igen.")


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejected(400, "Ugyldig tekst", f"{where} er ikke gyldig UTF-8-tekst; intet er gemt.") from None


def check_address(scope: dict[str, Any]) -> None:
    """Path and query: valid text without control characters, and a query of at most :data:`MAX_QUERY` bytes."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
    check_text(_decode(unquote_to_bytes(raw_path), "Adressen"), "Adressen")
    query: bytes = scope.get("query_string", b"")
    if len(query) > MAX_QUERY:
        raise RequestRejected(400, "For lang adresse", f"Adressens parametre er for lange (højst {MAX_QUERY} "
                              "tegn).")
    if query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
            name = _decode(key.encode("latin-1"), "Et parameternavn")
            check_text(name, "Et parameternavn")
            check_text(_decode(value.encode("latin-1"), f"Parameteren «{name}»"), f"Parameteren «{name}»")


def parse_urlencoded(body: bytes, max_fields: int) -> dict[str, str]:
    """The fields of an urlencoded form, each checked; the field count is checked on the raw bytes first."""
    if body.count(b"&") + 1 > max_fields:
        raise RequestRejected(400, "For mange felter", f"Formularen har for mange felter (højst {max_fields}); "
                              "intet er gemt.")
    fields: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1"):
        name = _decode(key.encode("latin-1"), "Et feltnavn")
        check_text(name, "Et feltnavn")
        text = _decode(value.encode("latin-1"), f"Feltet «{name}»")
        check_text(text, f"Feltet «{name}»")
        fields.setdefault(name, text)
    return fields


def _settings(scope: dict[str, Any]) -> Settings:
    app = scope.get("app")
    state = getattr(app, "state", None)
    return getattr(state, "settings", None) or config.current()


class SecurityHeadersMiddleware:
    """Security headers on every answer; ``Cache-Control: no-store`` on personal ones."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Awaitable[Any]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        personal = path.startswith(PERSONAL_PREFIXES) or any(
            k == b"cookie" and SESSION_COOKIE.encode() in v for k, v in scope.get("headers", []))

        async def add_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if personal:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add_headers)


#: POST paths whose authorisation is a signed token in the path, not a session: the one-click unsubscribe of the
#: digest (RFC 8058: the mail program POSTs without cookie or CSRF token). The body limits apply as to any POST;
#: the route verifies the signature and answers 404 for a bad one.
SIGNED_POST_PATHS = (re.compile(r"^/nyhedsbrev/afmeld/[^/]{1,100}/[^/]{1,200}$"),)


def _signed_path(path: str) -> bool:
    return any(p.match(path) for p in SIGNED_POST_PATHS)


class AuthMiddleware:
    """Request limits, session lookup and CSRF check for every request (pure ASGI, so the body can be read once
    and replayed to the route)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Awaitable[Any]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_address(scope)
        except RequestRejected as e:
            await _error_page(scope, e.status, e.title, e.message)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request = Request(scope)
        token = request.cookies.get(SESSION_COOKIE)
        info = None
        if token:
            try:
                # the store's revision is read with the session for a page (the session page cache keys on it)
                page = scope["method"] == "GET" and not scope["path"].startswith(NEVER_CACHED)
                info = await _run(lambda: lookup(get_engine(), token, with_revision=page))
            except (DBAPIError, PoolTimeout, SchemaNotCurrent):
                state["raaderum_db_error"] = True
                if scope["method"] in UNSAFE_METHODS:
                    await _error_page(scope, 503, DB_UNAVAILABLE, _db_message())(scope, receive, send)
                    return
        state["raaderum_session"] = info
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        settings = _settings(scope)
        ctype = request.headers.get("content-type", "")
        multipart = ctype.startswith("multipart/form-data")
        limit = settings.max_upload_bytes if multipart else settings.max_body_bytes
        try:
            declared = request.headers.get("content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                raise RequestRejected(413, "For stor forespørgsel", _too_large(limit, multipart))
            body, receive = await _buffer(receive, limit)
            if body is None:
                raise RequestRejected(413, "For stor forespørgsel", _too_large(limit, multipart))
            sent = request.headers.get(CSRF_HEADER)
            if ctype.startswith("application/x-www-form-urlencoded"):
                if len(body) > THREAD_PARSE_OVER:
                    fields = await _run(lambda: parse_urlencoded(body, settings.max_form_fields))
                else:
                    fields = parse_urlencoded(body, settings.max_form_fields)
                sent = sent or fields.get(CSRF_FIELD)
            elif multipart:
                sent = sent or await _multipart_token(scope, body, settings.max_form_fields)
        except RequestRejected as e:
            await _error_page(scope, e.status, e.title, e.message)(scope, receive, send)
            return
        if _signed_path(scope["path"]):  # authorised by the signature in its path (the route checks it)
            await self.app(scope, receive, send)
            return
        expected = info.csrf_token if info else request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            await _error_page(scope, 403, "Sikkerhedstjek mislykkedes",
                              "Formularen manglede et gyldigt sikkerhedstegn (CSRF), så intet er ændret. Gå tilbage, "
                              "genindlæs siden, og prøv igen. Er du blevet logget ud, så log ind igen."
                              )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _too_large(limit: int, upload: bool) -> str:
    size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
    what = "Filen" if upload else "Formularen"
    return f"{what} er for stor (højst {size}); intet er gemt."


async def _run(func: Callable[[], Any]) -> Any:
    return await run_in_threadpool(func)


async def _buffer(receive: Callable[..., Awaitable[Any]],
                  limit: int) -> tuple[bytes | None, Callable[..., Awaitable[Any]]]:
    """The whole body, read as it streams in; None as soon as it passes ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
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


_MULTIPART_CSRF = re.compile(rb'content-disposition:[^\r\n]*name="csrf_token"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n'
                             rb"([^\r\n]{1,200})\r\n", re.IGNORECASE)


async def _multipart_token(scope: dict[str, Any], body: bytes, max_fields: int) -> str | None:
    """The CSRF field of a multipart form, found by scanning the raw bytes (no parsing of the upload on the event
    loop); the number of parts is checked first."""
    if body.lower().count(b"content-disposition:") > max_fields:
        raise RequestRejected(400, "For mange felter", f"Formularen har for mange felter (højst {max_fields}); "
                              "intet er gemt.")
    found = _MULTIPART_CSRF.search(body)
    if found is None:
        return None
    return _decode(found.group(1), "Sikkerhedstegnet")


def _db_message() -> str:
    return ("Råderum kan ikke nå sin database lige nu, så siden kan ikke vises, og intet er gemt. Prøv igen om lidt; "
            "varer det ved, så kontakt driften.")


__all__ = ["CSP", "DB_UNAVAILABLE", "MAX_QUERY", "AuthMiddleware", "RequestRejected", "SecurityHeadersMiddleware",
           "check_address", "check_text", "parse_urlencoded"]
