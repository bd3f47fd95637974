"""Every shared fixture of the suite, in one place (no test module redefines one).

- Every test runs with RAADERUM_HOME in a temporary folder, so nothing touches ~/.local.
- In-process tests hash passwords with argon2id at its lowest cost (``_fast_password_hashing``); tests that start
  servers or a browser (marked ``e2e``, ``postgres`` or ``slow``) keep the real cost.
- ``release``, ``register``: the release shipped with the package and its municipality register.
- App-store fixtures run a test against SQLite and PostgreSQL (the PostgreSQL case is marked ``postgres``).
  PostgreSQL tests use a fresh schema per test, dropped afterwards. If PostgreSQL is unreachable they FAIL, not
  skip, unless RAADERUM_SKIP_POSTGRES=1.
    ``db_url`` → ``store``: an empty migrated idea store (the idea-bank tests);
    ``app_url`` → ``engine`` → ``users``: a migrated app store with the sample idea bank, set as
    RAADERUM_DATABASE_URL, and the standard users (the multi-user tests); ``pg_app_url`` on PostgreSQL only.

Helpers that are not fixtures live in the plain modules conftest_ideas.py (workbooks, PostgreSQL candidates) and
conftest_accounts.py (users, login, clients), which the test modules import.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from conftest_accounts import close_app_caches, standard_users
from conftest_ideas import PG_CANDIDATES
from sqlalchemy import Engine, create_engine, text

from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import Release, embedded_release_dir, open_release
from raaderum.server import accounts
from raaderum.server.accounts import User
from raaderum.store.engine import make_engine, migrate
from raaderum.store.ideas import IdeaStore

RAW_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("raaderum_home")
    monkeypatch.setenv("RAADERUM_HOME", str(home))
    monkeypatch.delenv("RAADERUM_RELEASE", raising=False)
    if "RAADERUM_DATABASE_URL" in os.environ and not os.environ.get("RAADERUM_KEEP_DATABASE_URL"):
        monkeypatch.delenv("RAADERUM_DATABASE_URL")
    yield home


class _CheapHasher(PasswordHasher):
    """argon2id at its lowest cost (a hash takes well under a millisecond instead of about 0.1 s) that never asks
    for a rehash, so a login does not rewrite a hash made at another cost (a fixture's user, a server's)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)

    def check_needs_rehash(self, hash: str | bytes) -> bool:  # noqa: A002 - argon2-cffi's parameter name
        return False


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most of the suite's time went to hashing the fixture users' passwords; the hashes stay argon2id and salted.

    A test that starts a server process (which hashes at the real cost and would rehash at login) is marked e2e,
    postgres or slow, and keeps the real hasher.
    """
    if any(request.node.get_closest_marker(m) for m in ("e2e", "postgres", "slow")):
        return
    monkeypatch.setattr(accounts, "_hasher", _CheapHasher())


@pytest.fixture(scope="session")
def release() -> Release:
    """The release shipped with the package."""
    return open_release(embedded_release_dir())


@pytest.fixture(scope="session")
def register() -> MunicipalityRegister:
    return open_release(embedded_release_dir()).municipalities()


# --- PostgreSQL -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    errors = []
    for url in filter(None, PG_CANDIDATES):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return url
        except Exception as e:  # noqa: BLE001 - report every attempt
            errors.append(f"{url}: {type(e).__name__}: {str(e).splitlines()[0]}")
        finally:
            engine.dispose()
    if os.environ.get("RAADERUM_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL ikke tilgængelig, og RAADERUM_SKIP_POSTGRES=1: " + "; ".join(errors))
    pytest.fail("PostgreSQL er ikke tilgængelig (sæt RAADERUM_SKIP_POSTGRES=1 for at springe over): "
                + "; ".join(errors))


@pytest.fixture
def postgres_url(postgres_base_url: str) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server, dropped after the test."""
    schema = f"raaderum_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_base_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield f"{postgres_base_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


# --- The idea store (SQLite, then PostgreSQL) ----------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (a module can narrow it with ``pytest.mark.parametrize("db_url", [...], indirect=True)``)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ideas.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str, register: MunicipalityRegister) -> Iterator[IdeaStore]:
    s = IdeaStore(db_url, register=register)
    s.migrate()
    try:
        yield s
    finally:
        s.close()


# --- The app store with the sample idea bank, and its users ---------------------------------------------------


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


@pytest.fixture
def users(engine: Engine) -> dict[str, User]:
    """operator (no municipality), editor and reader of Aarhus, editor of København."""
    return standard_users(engine)
