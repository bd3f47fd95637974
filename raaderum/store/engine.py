"""The app store: the read-write database behind the idea bank (and later users, roles, shortlists, audit log).

One interface, two implementations: an embedded SQLite file by default, PostgreSQL (or any other SQLAlchemy URL)
through ``RAADERUM_DATABASE_URL``. The schema is owned by Alembic migrations shipped inside the package
(``raaderum/store/migrations``); :func:`migrate` brings any database to the newest revision.

    >>> from raaderum.store.engine import database_url, make_engine, migrate  # doctest: +SKIP
    >>> url = database_url()            # sqlite:///~/.local/share/raaderum/raaderum.sqlite
    >>> migrate(url)                    # idempotent
    >>> engine = make_engine(url)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from raaderum import config
from raaderum.config import Settings
from raaderum.errors import InputError, SchemaNotCurrent

ENV_DATABASE_URL = "RAADERUM_DATABASE_URL"


def database_url(settings: Settings | None = None) -> str:
    """The ``database_url`` setting when set, else the SQLite file ``<home>/raaderum.sqlite`` (its folder is
    created)."""
    s = settings or config.current()
    if not s.database_url:
        s.home_dir.mkdir(parents=True, exist_ok=True)
    return s.app_database_url


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
    finally:
        cur.close()


#: Every integer column of the app store is a 32-bit INTEGER (PostgreSQL's int4).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _values(parameters: Any) -> Iterator[Any]:
    if isinstance(parameters, dict):
        yield from parameters.values()
    elif isinstance(parameters, list | tuple):
        for p in parameters:
            if isinstance(p, dict | list | tuple):
                yield from _values(p)
            else:
                yield p


def _guard_parameters(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                      executemany: bool) -> None:
    """Refuse values no backend should see, on EVERY statement (web, CLI, services): text with NUL (PostgreSQL
    cannot store it; SQLite would) and integers outside the 32-bit columns (PostgreSQL would overflow, SQLite
    would not). The same input then fails the same way on both, with a Danish message, before the database."""
    for value in _values(parameters):
        if isinstance(value, str):
            if "\x00" in value:
                raise InputError("Teksten indeholder et NUL-tegn (U+0000), som ikke kan gemmes; intet er gemt.")
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise InputError(f"Tallet {value} er uden for det tilladte område ({INT_MIN} til {INT_MAX}); "
                             "intet er gemt.")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default :func:`database_url`): SQLite with WAL and foreign keys on, others with
    ``pool_pre_ping`` and a pool of ``db_pool_size`` connections. Call ``engine.dispose()`` when done."""
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
    else:
        # A worker runs up to 40 requests in threads at once; a pool smaller than that would open and close a
        # connection (a new PostgreSQL backend) for every request over it. Size it from the settings.
        size = config.current().db_pool_size
        if size < 1:
            raise InputError(f"RAADERUM_DB_POOL_SIZE skal være mindst 1 (er {size}).")
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=size, max_overflow=size)
    event.listen(engine, "before_cursor_execute", _guard_parameters)
    return engine


def migrations_dir() -> Path:
    return Path(str(resources.files("raaderum").joinpath("store", "migrations")))


def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    """An Alembic ``Config`` pointing at the package's migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


@contextmanager
def _migration_lock(eng: Engine) -> Iterator[None]:
    """Serialise migrations of one SQLite file across processes and threads: two commands started at the same
    moment on a fresh home directory would otherwise both create the tables ("table ... already exists"). A lock
    file next to the database; PostgreSQL is migrated by ``raaderum db migrate`` only."""
    db = eng.url.database if eng.dialect.name == "sqlite" else None
    if not db or db == ":memory:" or db.startswith("file:"):
        yield
        return
    try:
        import fcntl  # lazy: POSIX only (elsewhere the retry in migrate() is the guard)
    except ImportError:  # pragma: no cover
        yield
        return
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate.lock"), "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def migrate(url: str | None = None, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Upgrade the database at ``url`` (or ``engine``) to ``revision`` (default the newest). Idempotent, and safe
    when several processes migrate the same new SQLite file at once (a lock file; a retry if a table appeared)."""
    from alembic import command
    from sqlalchemy.exc import OperationalError

    own = engine is None
    eng = engine if engine is not None else make_engine(url)
    try:
        cfg = alembic_config(url or eng.url.render_as_string(hide_password=False))
        for attempt in range(5):
            try:
                with _migration_lock(eng), eng.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, revision)
                return
            except OperationalError as e:
                text = str(e).lower()
                if attempt == 4 or not ("already exists" in text or "locked" in text):
                    raise
                time.sleep(0.2 * (attempt + 1))
    finally:
        if own:
            eng.dispose()


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _revisions() -> tuple[str, list[str]]:
    from alembic.script import ScriptDirectory  # lazy: alembic is only needed to migrate or check the schema

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    order = [r.revision for r in reversed(list(script.walk_revisions()))]
    return str(head), order


def ensure_schema(engine: Engine) -> None:
    """Make sure the database is at the newest revision: the embedded SQLite file is migrated on the spot; a
    server database must be migrated with ``raaderum db migrate`` (so that several workers never race to do it)."""
    head, _ = _revisions()
    if current_revision(engine) == head:
        return
    if engine.dialect.name == "sqlite":
        migrate(engine=engine)
        return
    raise SchemaNotCurrent(f"Databasen er ikke opdateret til denne version af Råderum (er på "
                           f"{current_revision(engine) or 'ingen version'}, skal være på {head}). Kør "
                           "'raaderum db migrate' med samme RAADERUM_DATABASE_URL, og prøv igen.")


__all__ = ["ENV_DATABASE_URL", "ensure_schema", "alembic_config", "current_revision", "database_url", "make_engine",
           "migrate", "migrations_dir"]
