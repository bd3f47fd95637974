"""Helpers for the multi-user tests (accounts, workspace, security, backup, faults): users, login, clients.

A plain module the test modules import (``import conftest_accounts as ca``). It defines no fixture: the fixtures
(``app_url``, ``engine``, ``users`` …) are all in tests/conftest.py.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.server.accounts import User, add_user
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.server.workspace import create_proposal
from raaderum.store.backup import dump
from raaderum.store.engine import make_engine  # noqa: F401  (tests call ca.make_engine)
from raaderum.store.ideas import close_default_store
from raaderum.store.models import Proposal
from raaderum.web import create_app

PASSWORD = "korrekt-hest-batteri"
OWN, OTHER = 751, 101  # Aarhus, København


def close_app_caches() -> None:
    """Close the web app's pooled connections (the process-wide app store)."""
    close_default_store()


def make_user(engine: Engine, name: str, role: str, code: int | None = None, password: str = PASSWORD) -> User:
    return add_user(engine, SYSTEM_ACTOR, name, role, password=password, municipality_code=code)


def standard_users(engine: Engine) -> dict[str, User]:
    """operator (no municipality), editor and reader of Aarhus, editor of København."""
    return {
        "operator": make_user(engine, "operatoer", "operator"),
        "editor": make_user(engine, "aarhus-redaktoer", "editor", OWN),
        "reader": make_user(engine, "aarhus-laeser", "reader", OWN),
        "other_editor": make_user(engine, "kbh-redaktoer", "editor", OTHER),
    }


def new_client(https: bool = False) -> TestClient:
    return TestClient(create_app(), base_url="https://testserver" if https else "http://testserver")


def csrf_in(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert m is not None, "no csrf_token field on the page"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the logout form of a page)."""
    page = client.get("/login")
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_in(page.text),
                                    "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/")
    assert "Log ud" in home.text
    return csrf_in(home.text)


def anonymous_csrf(client: TestClient) -> str:
    """The pre-login CSRF token (an anonymous visitor who passes the CSRF check reaches authorisation)."""
    return csrf_in(client.get("/login").text)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every backed-up table's rows (what 'nothing changed' is checked against)."""
    return dump(engine)["tables"]


def sample_proposal(engine: Engine, code: int) -> int:
    """The id of some proposal of municipality ``code`` (created when the sample has none)."""
    with Session(engine) as s:
        pid = s.scalar(select(Proposal.id).where(Proposal.municipality_code == code).order_by(Proposal.id).limit(1))
    if pid is not None:
        return int(pid)
    with Session(engine, expire_on_commit=False) as s:
        op = s.scalar(select(User).where(User.role == "operator").limit(1))
    assert op is not None
    return int(create_proposal(engine, op, code, {"title": f"Forslag fra {code}"}).id or 0)
