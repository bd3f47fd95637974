"""One transaction per state change: the unit every service in :mod:`raaderum.server` works in.

    >>> with transaction(engine) as s:                              # doctest: +SKIP
    ...     row.status = "fravalgt"
    ...     audit.record(s, user, "shortlist.update", ...)          # committed together, or not at all

The session does not expire objects on commit, so what a service returns can be read after the transaction.
Any exception inside the block rolls the whole change back, the audit row with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction on ``engine``: committed when the block ends, rolled back on error."""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        yield s


__all__ = ["transaction"]
