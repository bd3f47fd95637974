"""Restoring a backup: a service (permission ``backup.restore``, operator only), with its audit row written in the
same transaction as the restored rows. ``raaderum restore`` calls it as the system actor.

A restore replaces every table, the audit log included; its own audit row comes after the restored log, so the
log then says who restored which file, when, and how many rows.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from raaderum.server.permissions import require
from raaderum.store import audit
from raaderum.store.backup import restore
from raaderum.store.models import User


def restore_backup(engine: Engine, actor: User, path: str | Path, *, wipe: bool = False) -> dict[str, int]:
    """Restore the backup file at ``path`` (see :func:`raaderum.store.backup.restore`) with one audit row."""
    require(actor, "backup.restore")
    file = Path(path)

    def write_audit(conn: Connection, counts: dict[str, int]) -> None:
        with Session(bind=conn) as s:
            audit.record(s, actor, "backup.restore", "backup", file.name, None,
                         {"file": file.name, "wipe": wipe, "rows": counts})
            s.flush()

    return restore(engine, file, wipe=wipe, within=write_audit)


__all__ = ["restore_backup"]
