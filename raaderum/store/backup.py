"""Backup and restore of all app data as one JSON file.

The file holds every row of the app tables (idea bank, committee mappings, users with their password hashes,
shortlists, share links, proposal status, notes, audit log), the schema revision and the row count per table.
Login sessions and login attempts are left out on purpose: they are short-lived, and restoring them would revive
old logins; after a restore everyone logs in again.

Restore goes into an empty database (or, with ``wipe=True``, one whose rows are deleted first) in ONE transaction:
either everything is restored or nothing changes. A file from a newer schema than this Råderum knows is refused.
A file from an older schema is loaded at its own revision and then migrated to the newest.

    >>> summary = backup(engine, "raaderum-backup.json")     # doctest: +SKIP
    >>> restore(engine, "raaderum-backup.json", wipe=True)   # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Engine, Table, delete, func, insert, inspect, select, text

from raaderum.errors import BackupError, SchemaNotCurrent  # re-exported
from raaderum.store.engine import _revisions, alembic_config, current_revision, ensure_schema, migrate  # re-exported
from raaderum.store.models import Base

FORMAT = "raaderum-backup"
FORMAT_VERSION = 1
#: App tables that are not backed up (but are emptied by a wiping restore): short-lived login state.
EXCLUDED = ("sessions", "login_attempts")
#: Every other table of :mod:`raaderum.store.models`, in the order they are restored (parents before children).
TABLES = tuple(t.name for t in Base.metadata.sorted_tables if t.name not in EXCLUDED)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for c in table.columns:
        if isinstance(c.type, DateTime) and isinstance(out.get(c.key), str):
            out[c.key] = datetime.fromisoformat(out[c.key])
        elif isinstance(c.type, Date) and isinstance(out.get(c.key), str):
            out[c.key] = date.fromisoformat(out[c.key])
    return out


def dump(engine: Engine) -> dict[str, Any]:
    """All backed-up rows as a JSON-ready dict (see the module docstring for the layout)."""
    revision = current_revision(engine)
    if revision is None:
        raise BackupError("Databasen er ikke oprettet endnu (ingen migrering); der er intet at tage backup af.")
    tables: dict[str, Any] = {}
    with engine.connect() as conn, conn.begin():  # one snapshot (REPEATABLE READ is not needed: one transaction)
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for name in TABLES:
            t = _table(name)
            cols = [c.key for c in t.columns]
            rows = [[_encode(v) for v in r] for r in conn.execute(select(*t.columns).order_by(*t.primary_key))]
            tables[name] = {"columns": cols, "count": len(rows), "rows": rows}
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
            "created_at": datetime.now(UTC).isoformat(), "tables": tables}


def backup(engine: Engine, path: str | Path) -> dict[str, int]:
    """Write the backup to ``path`` (atomically: a temporary file renamed into place); returns rows per table."""
    data = dump(engine)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".raaderum-backup-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {name: t["count"] for name, t in data["tables"].items()}


def read_backup(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Backupfilen {str(path)!r} findes ikke.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BackupError(f"{path.name} er ikke en Råderum-backup (ikke gyldig JSON: {e}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise BackupError(f"{path.name} er ikke en Råderum-backup (mangler format={FORMAT!r}).")
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(f"{path.name} er skrevet af en nyere Råderum (filformat {data['format_version']}); "
                          "opdatér Råderum, før du gendanner den.")
    for name, t in data["tables"].items():
        if name not in TABLES:
            raise BackupError(f"{path.name} indeholder en ukendt tabel {name!r}.")
        if len(t.get("rows", [])) != t.get("count"):
            raise BackupError(f"{path.name} er ufuldstændig: tabellen {name} skulle have {t.get('count')} rækker, "
                              f"men har {len(t.get('rows', []))}.")
    return data


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per app table (backed-up and excluded ones); tables not created yet are left out."""
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {n: int(conn.scalar(select(func.count()).select_from(_table(n))) or 0)
                for n in (*TABLES, *EXCLUDED) if n in existing}


def restore(engine: Engine, path: str | Path, *, wipe: bool = False,
            within: Callable[[Connection, dict[str, int]], None] | None = None) -> dict[str, int]:
    """Restore the backup at ``path`` into the database of ``engine``; returns rows per table.

    The database must be empty unless ``wipe`` (then every app row is deleted first, in the same transaction).
    ``within(connection, counts)`` runs at the end of the restoring transaction (the service
    :func:`raaderum.server.backups.restore_backup` writes its audit row there). Use that service: this function
    checks no permission.
    """
    data = read_backup(path)
    file_rev = str(data.get("schema_revision"))
    head, order = _revisions()
    if file_rev not in order:
        raise BackupError(f"Backuppen er fra en nyere databaseversion ({file_rev}) end denne Råderum kender "
                          f"(nyeste: {head}). Opdatér Råderum, og gendan derefter.")
    db_rev = current_revision(engine)
    if db_rev is not None and db_rev not in order:
        raise BackupError(f"Databasen er på en ukendt version ({db_rev}); opdatér Råderum.")
    if db_rev is None or order.index(db_rev) < order.index(file_rev):
        migrate(engine=engine, revision=file_rev)
    counts = row_counts(engine)
    if any(counts.values()) and not wipe:
        filled = ", ".join(f"{n} ({c})" for n, c in counts.items() if c)
        raise BackupError(f"Databasen er ikke tom ({filled}). Gendan i en tom database, eller bekræft at alt "
                          "skal slettes først (raaderum restore FIL --yes).")
    current = current_revision(engine)
    if current != file_rev:
        if any(counts.values()):
            _wipe(engine)
        from alembic import command


        with engine.begin() as conn:  # an empty database one or more revisions ahead: step back to the file's
            cfg = alembic_config(engine.url.render_as_string(hide_password=False))
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, file_rev)
    tables = data["tables"]
    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        for name in reversed((*TABLES, *EXCLUDED)):
            if name in existing:
                conn.execute(delete(_table(name)))
        for name in TABLES:
            if name not in tables:
                continue
            t = _table(name)
            cols = tables[name]["columns"]
            unknown = set(cols) - {c.key for c in t.columns}
            if unknown:
                raise BackupError(f"Tabellen {name} i backuppen har kolonner, databasen ikke kender: "
                                  f"{', '.join(sorted(unknown))}.")
            rows = [_decode(t, dict(zip(cols, r, strict=True))) for r in tables[name]["rows"]]
            for i in range(0, len(rows), 1000):
                conn.execute(insert(t), rows[i:i + 1000])
        if conn.dialect.name == "postgresql":
            for name in TABLES:
                t = _table(name)
                if "id" in t.columns and t.columns["id"].primary_key and t.columns["id"].type.python_type is int:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"))
        if within is not None:
            within(conn, {n: int(tables[n]["count"]) for n in TABLES if n in tables})
    if file_rev != head:
        migrate(engine=engine)
    return {n: int(tables[n]["count"]) for n in TABLES if n in tables}


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        for name in reversed((*TABLES, *EXCLUDED)):
            if name in existing:
                conn.execute(delete(_table(name)))


__all__ = ["EXCLUDED", "TABLES", "BackupError", "SchemaNotCurrent", "backup", "dump", "ensure_schema", "read_backup",
           "restore", "row_counts"]
