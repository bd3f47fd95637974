"""Login and logout pages. Thin: the core is :mod:`raaderum.server.sessions`."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from raaderum.server.sessions import ABSOLUTE_LIFETIME, AuthenticationFailed, TooManyAttempts, login, logout
from raaderum.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    _session_of,
    client_ip,
    get_engine,
    safe_next,
    secure_cookies,
)
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)


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
                            secure=secure_cookies(request), path="/")
    return response

@router.post("/login")
def login_submit(request: Request, name: str = Form("", max_length=200), password: str = Form("", max_length=1000),
                 next: str = Form("/arbejdsrum", max_length=2000)) -> Response:
    if not name.strip() or not password:
        return _login_page(request, message="Skriv både brugernavn og adgangskode.", name=name, next_path=next,
                           status_code=400)
    old = request.cookies.get(SESSION_COOKIE)
    try:
        info = login(get_engine(), name, password, ip=client_ip(request), replaces=old)
    except TooManyAttempts as e:
        response = _login_page(request, message=str(e), name=name, next_path=next, status_code=429)
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except AuthenticationFailed as e:
        return _login_page(request, message=str(e), name=name, next_path=next, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, info.token, httponly=True, samesite="lax",
                        secure=secure_cookies(request), path="/",
                        max_age=int(ABSOLUTE_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response

@router.post("/logout")
def logout_submit(request: Request) -> Response:
    logout(get_engine(), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
