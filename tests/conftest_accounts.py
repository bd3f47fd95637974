"""Fixtures and helpers for the multi-user tests (accounts, workspace, security, backup, faults).

Imported by the test modules (tests/conftest.py belongs to the lead). The PostgreSQL fixtures come from
tests/conftest_ideas.py: a fresh schema per test, and a FAILURE (not a skip) when PostgreSQL is unreachable unless
RAADERUM_SKIP_POSTGRES=1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.server.accounts import User, add_user
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store.engine import make_engine, migrate

PASSWORD = "korrekt-hest-batteri"
OWN, OTHER = 751, 101  # Aarhus, København


def close_app_caches() -> None:
    """Close the web app's pooled connections (the process-wide app store)."""
    from raaderum.store.ideas import close_default_store

    close_default_store()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated app store with the sample idea bank (SQLite, then PostgreSQL), set as RAADERUM_DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
    yield from _prepared(url, monkeypatch)


@pytest.fixture
def pg_app_url(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Like ``app_url`` on PostgreSQL only."""
    yield from _prepared(postgres_url, monkeypatch)


def _prepared(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from raaderum.store.ideas import IdeaStore

    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
    monkeypatch.setenv("RAADERUM_DATABASE_URL", url)
    monkeypatch.setenv("RAADERUM_WARM_UP", "0")
    try:
        yield url
    finally:
        close_app_caches()


@pytest.fixture
def engine(app_url: str) -> Iterator[Engine]:
    eng = make_engine(app_url)
    try:
        yield eng
    finally:
        eng.dispose()


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
    from raaderum.web import create_app

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
    from raaderum.store.backup import dump

    return dump(engine)["tables"]


def sample_proposal(engine: Engine, code: int) -> int:
    """The id of some proposal of municipality ``code`` (created when the sample has none)."""
    from sqlalchemy import select

    from raaderum.store.models import Proposal

    with Session(engine) as s:
        pid = s.scalar(select(Proposal.id).where(Proposal.municipality_code == code).order_by(Proposal.id).limit(1))
    if pid is not None:
        return int(pid)
    from raaderum.server.workspace import create_proposal

    with Session(engine, expire_on_commit=False) as s:
        op = s.scalar(select(User).where(User.role == "operator").limit(1))
    assert op is not None
    return int(create_proposal(engine, op, code, {"title": f"Forslag fra {code}"}).id or 0)
