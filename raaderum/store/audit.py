"""The audit log: who changed what, when, with the entity before and after.

:func:`record` is called with the SQLAlchemy session of the change itself, so the entry is committed (or rolled
back) together with it: there is no change without its entry and no entry without its change.

    >>> with Session(engine) as s, s.begin():                                              # doctest: +SKIP
    ...     before = snapshot(item); item.status = "fravalgt"
    ...     record(s, user, "shortlist.update", "shortlist_item", item.id, before, snapshot(item), 751)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from raaderum.store.models import AuditEntry, User, utcnow


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The mapped columns of ``obj`` as JSON-ready values (for ``before``/``after``)."""
    return {c.key: jsonable(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in exclude}


def record(session: Session, user: User | str | None, action: str, entity: str, entity_id: Any,
           before: dict[str, Any] | None, after: dict[str, Any] | None,
           municipality_code: int | None = None) -> AuditEntry:
    """Add an entry to ``session`` (committed with the change). ``user`` is a User, a name (CLI) or None."""
    if isinstance(user, User):
        uid, uname = user.id, user.name
    else:
        uid, uname = None, user or "system"
    entry = AuditEntry(at=utcnow(), user_id=uid, user_name=uname, action=action, entity=entity,
                       entity_id=str(entity_id), municipality_code=municipality_code,
                       before=jsonable(before) if before is not None else None,
                       after=jsonable(after) if after is not None else None)
    session.add(entry)
    return entry


T = TypeVar("T")

#: How far below the highest id :func:`revision` counts entries (see there).
REVISION_WINDOW = 1000


def _revision_statement() -> Any:
    top = select(func.max(AuditEntry.id)).scalar_subquery()
    newest_at = select(AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1).scalar_subquery()
    return select(top, func.count(AuditEntry.id), newest_at).where(AuditEntry.id > top - REVISION_WINDOW)


_REVISION = _revision_statement()


def revision(db: Engine | Session) -> tuple[int, int, str]:
    """A value that changes whenever a change is committed: every change writes its entry (see the module).

    It is the highest id, the number of entries with an id within :data:`REVISION_WINDOW` below it, and the
    newest entry's time. The highest id alone is not enough on PostgreSQL: two transactions take ids 10 and 11 from
    the sequence, 11 commits first, and when 10 commits later the highest id is still 11. The count over the id
    RANGE sees it (an entry is never deleted; 10 would have to commit after a thousand later ids for the range to
    miss it). A count over the newest thousand ROWS would not: once the log holds a thousand entries it is always a
    thousand. The time tells a restored database from the one before (a restore writes an entry, and its ids may
    start again where an earlier state had been). Index range scans on the primary key; pass the session of a read
    already under way to save a connection."""
    if isinstance(db, Session):
        top, n, at = db.execute(_REVISION).one()
    else:
        with db.connect() as conn:
            top, n, at = conn.execute(_REVISION).one()
    return int(top or 0), int(n or 0), str(at or "")


class RevisionMemo:
    """Values computed from the app store, kept while its :func:`revision` (or another revision) is unchanged.

    ``get(key, rev, build)`` returns the value built for ``key`` at revision ``rev``, or calls ``build()`` and keeps
    it; ``peek`` and ``put`` do the two halves for a value that is not built in one call (a page rendered by the
    app). A new value of ``key`` replaces the one of any other revision, so old revisions take no room. The least
    recently used keys go first beyond ``size`` keys or ``max_bytes`` (the sizes given to ``put``). The caller
    reads ``rev`` BEFORE it reads what it builds from, in the same session: a change committed in between is then
    in the value and makes a new revision for every later reader, so a value is never older than its revision. A
    value is also built again after ``max_age`` seconds whatever happened (a write that bypassed the services,
    with no audit entry, is seen then); None keeps it until its revision changes. Values are shared between
    threads: treat them as read-only. None is not a value (``peek`` uses it for "not kept")."""

    def __init__(self, size: int = 256, max_age: float | None = 300.0, max_bytes: int | None = None) -> None:
        self.size, self.max_age, self.max_bytes = size, max_age, max_bytes
        self._values: OrderedDict[Hashable, tuple[Hashable, float, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.stats = {"hits": 0, "stored": 0}

    @property
    def hits(self) -> int:
        return self.stats["hits"]

    def peek(self, key: Hashable, rev: Hashable) -> Any | None:
        """The value kept for ``key`` at ``rev`` (and not too old), else None."""
        with self._lock:
            hit = self._values.get(key)
            if hit is None or hit[0] != rev or (self.max_age is not None and
                                                 time.monotonic() - hit[1] > self.max_age):
                return None
            self._values.move_to_end(key)
            self.stats["hits"] += 1
            return hit[2]

    def put(self, key: Hashable, rev: Hashable, value: Any, nbytes: int = 0) -> None:
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self._bytes -= old[3]
            self._values[key] = (rev, time.monotonic(), value, nbytes)
            self._bytes += nbytes
            self.stats["stored"] += 1
            while self._values and (len(self._values) > self.size
                                    or (self.max_bytes is not None and self._bytes > self.max_bytes)):
                self._bytes -= self._values.popitem(last=False)[1][3]

    def get(self, key: Hashable, rev: Hashable, build: Callable[[], T]) -> T:
        value = self.peek(key, rev)
        if value is None:
            value = build()
            self.put(key, rev, value)
        return value  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._bytes = 0


def entries(session: Session, *, entity: str | None = None, entity_id: Any = None,
            municipality_code: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first, optionally for one entity or municipality."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity is not None:
        q = q.where(AuditEntry.entity == entity)
    if entity_id is not None:
        q = q.where(AuditEntry.entity_id == str(entity_id))
    if municipality_code is not None:
        q = q.where(AuditEntry.municipality_code == municipality_code)
    return list(session.scalars(q))


def last_change(session: Session, entity: str, entity_id: Any) -> AuditEntry | None:
    found = entries(session, entity=entity, entity_id=entity_id, limit=1)
    return found[0] if found else None


__all__ = ["AuditEntry", "entries", "jsonable", "last_change", "record", "snapshot"]
