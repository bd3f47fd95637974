"""Request dependencies of the routes: the app store's engine, the logged-in user, permission checks, CSRF token.

The session itself is looked up by :class:`raaderum.web.middleware.AuthMiddleware`; these functions read what it
left on ``request.state``. Permission checks call :func:`raaderum.server.permissions.require`, the same check every
service makes again before it changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Path, Request
from jinja2 import pass_context
from sqlalchemy import Engine

from raaderum.config import Settings
from raaderum.server.permissions import ACTIONS, can, require
from raaderum.server.sessions import SessionInfo
from raaderum.store.engine import INT_MAX
from raaderum.store.ideas import close_default_store, default_store
from raaderum.store.models import User
from raaderum.web.templating import env

SESSION_COOKIE = "raaderum_session"
LOGIN_CSRF_COOKIE = "raaderum_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


#: Text in a query or path parameter: no control characters (the middleware refuses them before any route).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: A municipality in a path: its code or name.
Kommune = Annotated[str, Path(min_length=1, max_length=100, pattern=TEXT_PATTERN,
                              description="Kommunekode (fx 751) eller navn (fx Aarhus)")]

#: A row id in a path: 1 … 2³¹−1 (the app store's INTEGER ids); anything else is 400 before the route runs.
RowId = Annotated[int, Path(ge=1, le=INT_MAX, description="Id: et helt tal fra 1 til 2147483647.")]
#: A row id in a form field (same range).
FormRowId = Annotated[int, Form(ge=1, le=INT_MAX, description="Id: et helt tal fra 1 til 2147483647.")]


class LoginRequired(Exception):
    """A page that needs a logged-in user was asked for without one (→ redirect to /login)."""


class DatabaseUnavailable(Exception):
    """The app store could not be reached while handling this request (→ 503)."""


def settings_of(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings  # type: ignore[no-any-return]


def get_engine() -> Engine:
    """The process's engine for the app store: the one the idea bank's process-wide store already holds (one
    connection pool per worker; the schema is checked when that store is opened)."""
    return default_store().engine  # type: ignore[no-any-return]


def dispose_engines() -> None:
    """Close every pooled connection (tests; shutdown)."""
    close_default_store()


def secure_cookies(request: Request) -> bool:
    """Secure cookies over https, or always when the ``secure_cookies`` setting is on (behind a TLS proxy)."""
    return request.url.scheme == "https" or settings_of(request).secure_cookies


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "ukendt"


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


__all__ = ["CSRF_FIELD", "CSRF_HEADER", "LOGIN_CSRF_COOKIE", "SESSION_COOKIE", "TEXT_PATTERN", "UNSAFE_METHODS",
           "DatabaseUnavailable", "FormRowId", "Kommune", "LoginRequired", "RowId", "client_ip", "csrf_for",
           "current_user", "dispose_engines", "get_engine", "login_required", "requires", "safe_next",
           "secure_cookies", "settings_of"]
