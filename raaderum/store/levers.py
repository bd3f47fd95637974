"""The knowledge portal as shown: the levers shipped in ``catalog/levers.toml`` with the operator's edits
(table ``lever_edits``) merged in. Reading only; the edits themselves are made by :mod:`raaderum.server.levers`.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from raaderum.ideas.levers import Lever, load_levers, merge_levers
from raaderum.store.models import LeverEdit

_effective: weakref.WeakKeyDictionary[Engine, tuple[Any, tuple[Lever, ...]]] = weakref.WeakKeyDictionary()
_effective_lock = threading.Lock()


def edits_revision(engine: Engine) -> tuple[int, str, int]:
    """(rows, newest change, sum of versions) of the stored edits: changes whenever an edit is saved or reset."""
    with engine.connect() as conn:
        row = conn.execute(select(func.count(), func.max(LeverEdit.updated_at),
                                  func.coalesce(func.sum(LeverEdit.version), 0))).one()
    return int(row[0] or 0), str(row[1] or ""), int(row[2] or 0)


def effective_levers(engine: Engine) -> tuple[Lever, ...]:
    """The levers the portal shows: the shipped ones with the operator's stored edits (``lever_edits`` in the app
    store of ``engine``) merged in. Cached per engine; one small aggregate query per call checks for changes."""
    rev = edits_revision(engine)
    with _effective_lock:
        hit = _effective.get(engine)
    if hit is not None and hit[0] == rev:
        return hit[1]
    edits = [row.to_lever() for row in stored_edits(engine)]
    levers = merge_levers(load_levers(), edits)
    if edits_revision(engine) == rev:  # not changed while reading: safe to keep
        with _effective_lock:
            _effective[engine] = (rev, levers)
    return levers


def stored_edits(engine: Engine) -> list[LeverEdit]:
    """Every stored edit, by lever id (detached rows)."""
    with Session(engine, expire_on_commit=False) as s:
        rows = list(s.scalars(select(LeverEdit).order_by(LeverEdit.lever_id)))
        s.expunge_all()
        return rows


def get_edit(engine: Engine, lever_id: str) -> LeverEdit | None:
    """The stored edit of ``lever_id`` (detached), or None when the lever shows its shipped text."""
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(LeverEdit, lever_id)
        if row is not None:
            s.expunge(row)
        return row


__all__ = ["edits_revision", "effective_levers", "get_edit", "stored_edits"]
