"""The session and CSRF middleware (pure ASGI: no ``BaseHTTPMiddleware``, so the body can be read and replayed).

* The session cookie ``raaderum_session`` is HttpOnly, SameSite=Lax, and Secure when the request came over https
  or the ``secure_cookies`` setting is on. It holds a random token; the server keeps the session.
* :class:`AuthMiddleware` looks the session up (only when a cookie is sent) and checks the CSRF token on EVERY
  POST/PUT/PATCH/DELETE: the form field ``csrf_token`` or the header ``X-CSRF-Token`` must equal the session's
  token (before login: the ``raaderum_login_csrf`` cookie's). Missing or wrong → 403, and the route never runs.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool

from raaderum.errors import SchemaNotCurrent
from raaderum.server.sessions import lookup
from raaderum.web.deps import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    get_engine,
)
from raaderum.web.templating import templates

MAX_BODY = 25 * 1024 * 1024

DB_UNAVAILABLE = "Databasen er midlertidigt utilgængelig"


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


__all__ = ["DB_UNAVAILABLE", "MAX_BODY", "AuthMiddleware"]
