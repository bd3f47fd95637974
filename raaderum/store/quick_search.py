"""The cold search of the CLI without SQLAlchemy: a new ``raaderum ideas search`` process answers from the persisted
search index when it is current, reading the SQLite app store with the standard library only.

Importing SQLAlchemy (and opening an engine) is a fifth of a cold CLI search over 100,000 proposals. When the app
store is the embedded SQLite file, its schema is at the newest migration, it holds proposals, and the index file
under ``<home>/search-index/`` was saved at the store's current revision, the answer comes from the index file
alone. In every other case :func:`quick_search` returns None and the caller takes the ordinary path
(:class:`raaderum.store.ideas.IdeaStore`: migrate, load the sample, bring the index up to date), which gives the
same answer.

The revision is the same statement the store uses (``count(id), max(id), max(updated_at)`` of ``proposals``), and
the index file's path is :func:`index_path`, which the store uses too.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from raaderum import config

if TYPE_CHECKING:
    from raaderum.ideas.search import SearchFilters, SearchResult

REVISION_SQL = "SELECT count(id) AS n, max(id) AS max_id, max(updated_at) AS updated FROM proposals"


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def index_path(url: str, index_dir: Path | None = None) -> Path:
    """The file the search index of the app store at ``url`` is kept in between processes."""
    base = index_dir if index_dir is not None else config.current().home_dir / "search-index"
    return base / f"ideas-{url_hash(url)[:16]}.index"


def head_revision() -> str:
    """The newest migration's revision id (the migration files are named after their revision ids, in order)."""
    versions = Path(__file__).with_name("migrations") / "versions"
    return sorted(p.stem for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))[-1]


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = Path(unquote(url[len(prefix):]))
    return path if path.is_file() else None


def _revision(con: sqlite3.Connection) -> tuple[Any, ...] | None:
    n, max_id, updated = con.execute(REVISION_SQL).fetchone()
    if not n:
        return None
    # stored as SQLAlchemy's DateTime writes it on SQLite ("2026-12-01 20:10:11.123456"): read back the same way
    return int(n), int(max_id), datetime.fromisoformat(updated) if isinstance(updated, str) else updated


def quick_search(query: str, filters: SearchFilters | None = None, limit: int = 20, *, url: str | None = None,
                 index_dir: Path | None = None) -> SearchResult | None:
    """The search from the persisted index when it is current (see the module docstring); None otherwise."""
    url = url or config.current().app_database_url
    path = _sqlite_path(url)
    if path is None:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None or row[0] != head_revision():
            return None
        rev = _revision(con)
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        con.close()
    if rev is None:
        return None
    file = index_path(url, index_dir)
    if not file.is_file():
        return None
    from raaderum.ideas.search import SearchIndex  # lazy: numpy and the stemmer only when there is an index

    loaded = SearchIndex.load(file)
    if loaded is None:
        return None
    index, saved = loaded
    if saved.get("url") != url_hash(url) or tuple(saved.get("revision") or ()) != rev:
        return None
    return index.search(query, filters, limit=limit)


__all__ = ["REVISION_SQL", "head_revision", "index_path", "quick_search", "url_hash"]
