"""The app store: the read-write database behind the idea bank (and later users, roles, shortlists, audit log).

One interface, two implementations: an embedded SQLite file by default, PostgreSQL (or any other SQLAlchemy URL)
through ``RAADERUM_DATABASE_URL``. The schema is owned by Alembic migrations shipped inside the package
(``raaderum/migrations``); :func:`migrate` brings any database to the newest revision.

    >>> from raaderum.db import database_url, make_engine, migrate  # doctest: +SKIP
    >>> url = database_url()            # sqlite:///~/.local/share/raaderum/raaderum.sqlite
    >>> migrate(url)                    # idempotent
    >>> engine = make_engine(url)
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase

from raaderum.errors import InputError

ENV_DATABASE_URL = "RAADERUM_DATABASE_URL"

#: Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table in the app store."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def database_url() -> str:
    """``RAADERUM_DATABASE_URL`` when set, else the SQLite file ``$RAADERUM_HOME/raaderum.sqlite`` (created)."""
    env = os.environ.get(ENV_DATABASE_URL, "").strip()
    if env:
        return env
    from raaderum.release import raaderum_home

    home = raaderum_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'raaderum.sqlite'}"


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
    finally:
        cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`): SQLite with WAL and foreign keys on, others with
    ``pool_pre_ping``. Call ``engine.dispose()`` when done."""
    url = url or database_url()
    try:
        parsed = make_url(url)
    except Exception as e:  # sqlalchemy.exc.ArgumentError
        raise InputError(f"Ugyldig database-URL {url!r}: {e}. Sæt {ENV_DATABASE_URL} til fx "
                         "'sqlite:///sti/til/fil.sqlite' eller 'postgresql+psycopg://bruger@vaert/db'.") from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def migrations_dir() -> Path:
    return Path(str(resources.files("raaderum").joinpath("migrations")))


def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    """An Alembic ``Config`` pointing at the package's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def migrate(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Upgrade the database at ``url`` (or ``engine``) to ``revision`` (default the newest). Idempotent."""
    from alembic import command

    own = engine is None
    eng = engine if engine is not None else make_engine(url)
    try:
        cfg = alembic_config(url or eng.url.render_as_string(hide_password=False))
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if own:
            eng.dispose()


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


__all__ = ["Base", "ENV_DATABASE_URL", "alembic_config", "current_revision", "database_url", "make_engine",
           "migrate", "migrations_dir"]
