"""Server-side login sessions and login rate limiting, in the app store (so every worker process sees them).

A session is a random 32-byte token kept in the browser's cookie; the database holds only its SHA-256, the user,
a per-session CSRF token and the times. :func:`login` always creates a NEW token (a token planted before login is
deleted, never promoted: no session fixation), and :func:`logout` deletes it.

Failed logins are counted per (IP address, user name) and per IP address over a sliding window in the database,
so the limit holds across worker processes.

    >>> info = login(engine, "aarhus-redaktoer", "lang-nok-kode", ip="10.0.0.1")   # doctest: +SKIP
    >>> lookup(engine, info.token).user.name                                        # doctest: +SKIP
    'aarhus-redaktoer'
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from raaderum.errors import AuthenticationFailed, TooManyAttempts  # noqa: F401 - re-exported
from raaderum.server.accounts import authenticate
from raaderum.store import audit
from raaderum.store.models import LoginAttempt, LoginSession, User, utcnow

#: A session ends this long after login, however active it is.
ABSOLUTE_LIFETIME = timedelta(hours=12)
#: A session also ends after this long without a request.
IDLE_TIMEOUT = timedelta(hours=2)
#: ``last_seen`` is written at most this often (not on every request).
LAST_SEEN_EVERY = timedelta(minutes=5)
#: Failed logins allowed per (IP, user name) and per IP within :data:`ATTEMPT_WINDOW`.
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_IP = 30
ATTEMPT_WINDOW = timedelta(minutes=15)


@dataclass
class SessionInfo:
    token: str
    csrf_token: str
    user: User
    expires_at: datetime
    #: The app store's revision (:func:`raaderum.store.audit.revision`) read with the session: a page cached for
    #: this session is served again only while it is unchanged. None when not read (a new session).
    store_revision: tuple[int, int, str] | None = None


def _aware(dt: datetime) -> datetime:
    """SQLite gives back naive datetimes; everything is stored in UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def check_rate_limit(engine: Engine, ip: str, name: str) -> None:
    """:class:`TooManyAttempts` when ``ip`` (for ``name``) has failed too often within the window."""
    since = utcnow() - ATTEMPT_WINDOW
    name = name.strip().casefold()[:200]
    with Session(engine) as s:
        base = select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
        n_name, first_name = s.execute(base.where(LoginAttempt.user_name == name)).one()
        n_ip, first_ip = s.execute(base).one()
    for n, first, limit in ((n_name, first_name, MAX_FAILURES_PER_NAME), (n_ip, first_ip, MAX_FAILURES_PER_IP)):
        if n >= limit:
            wait = max(60, int((_aware(first) + ATTEMPT_WINDOW - utcnow()).total_seconds()))
            raise TooManyAttempts(f"For mange mislykkede loginforsøg. Vent {-(-wait // 60)} minutter, og prøv "
                                  "igen, eller kontakt operatøren, hvis du har glemt din adgangskode.", wait)


def record_attempt(engine: Engine, ip: str, name: str, success: bool) -> None:
    now = utcnow()
    with Session(engine) as s, s.begin():
        s.add(LoginAttempt(at=now, ip=ip[:64], user_name=name.strip().casefold()[:200], success=success))
        if success:  # a successful login forgives this name's earlier failures from this address
            s.execute(delete(LoginAttempt).where(LoginAttempt.ip == ip[:64],
                                                 LoginAttempt.user_name == name.strip().casefold()[:200],
                                                 LoginAttempt.success.is_(False)))
        s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))


def create_session(engine: Engine, user: User, *, replaces: str | None = None) -> SessionInfo:
    """A new session for ``user``; the session of the token ``replaces`` (if any) is deleted."""
    token, csrf = new_token(), new_token()
    now = utcnow()
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if replaces:
            s.execute(delete(LoginSession).where(LoginSession.id == token_id(replaces)))
        s.execute(delete(LoginSession).where(LoginSession.expires_at < now))
        row = LoginSession(id=token_id(token), user_id=user.id, csrf_token=csrf, created_at=now, last_seen=now,
                           expires_at=now + ABSOLUTE_LIFETIME)
        s.add(row)
    return SessionInfo(token, csrf, user, row.expires_at)


def _lock_keys(ip: str) -> dict[str, int]:
    """Two signed 32-bit keys for PostgreSQL's advisory lock of one address (the (int4, int4) form)."""
    digest = hashlib.sha256(b"raaderum-login:" + ip.encode("utf-8")).digest()
    return {"a": int.from_bytes(digest[:4], "big", signed=True), "b": int.from_bytes(digest[4:8], "big", signed=True)}


def _too_many(first: datetime) -> TooManyAttempts:
    wait = max(60, int((_aware(first) + ATTEMPT_WINDOW - utcnow()).total_seconds()))
    return TooManyAttempts(f"For mange mislykkede loginforsøg. Vent {-(-wait // 60)} minutter, og prøv igen, "
                           "eller kontakt operatøren, hvis du har glemt din adgangskode.", wait)


def reserve_attempt(engine: Engine, ip: str, name: str) -> int:
    """Count this login attempt as a failure BEFORE the password is checked, atomically across workers and nodes;
    :class:`TooManyAttempts` when that would pass the limit for (``ip``, ``name``) or for ``ip``.

    The attempt row is written and the window counted in one transaction that holds the address's lock
    (PostgreSQL: an advisory transaction lock; SQLite: the database's single write lock, taken by the insert), so
    of N parallel guesses at most the limit get to the password check. :func:`attempt_succeeded` turns the row
    into a success. Returns the row's id."""
    ip, key = ip[:64], name.strip().casefold()[:200]
    now = utcnow()
    since = now - ATTEMPT_WINDOW
    with Session(engine) as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), _lock_keys(ip))
        row = LoginAttempt(at=now, ip=ip, user_name=key, success=False)
        s.add(row)
        s.flush()
        base = select(func.count(LoginAttempt.id), func.min(LoginAttempt.at)).where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
        n_name, first_name = s.execute(base.where(LoginAttempt.user_name == key)).one()
        n_ip, first_ip = s.execute(base).one()
        if n_name > MAX_FAILURES_PER_NAME:
            raise _too_many(first_name)  # rolls the reservation back
        if n_ip > MAX_FAILURES_PER_IP:
            raise _too_many(first_ip)
        s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))
        return int(row.id)


def attempt_succeeded(engine: Engine, attempt_id: int, ip: str, name: str) -> None:
    """The reserved attempt was a success: it and this name's earlier failures from this address are forgiven."""
    with Session(engine) as s, s.begin():
        s.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True))
        s.execute(delete(LoginAttempt).where(LoginAttempt.ip == ip[:64],
                                             LoginAttempt.user_name == name.strip().casefold()[:200],
                                             LoginAttempt.success.is_(False)))


def login(engine: Engine, name: str, password: str, *, ip: str, replaces: str | None = None) -> SessionInfo:
    """Reserve the attempt under the rate limit (:func:`reserve_attempt`), check the password, then start a new
    session (see :func:`create_session`). A wrong password leaves the reserved attempt counted as a failure."""
    attempt = reserve_attempt(engine, ip, name)
    user = authenticate(engine, name, password)
    attempt_succeeded(engine, attempt, ip, name)
    return create_session(engine, user, replaces=replaces)


def lookup(engine: Engine, token: str | None, *, with_revision: bool = False) -> SessionInfo | None:
    """The live session of ``token`` (touching ``last_seen`` now and then), or None. ``with_revision``: also read
    the app store's revision in the same transaction (``store_revision``, for the page cache of a GET)."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    tid = token_id(token)
    with Session(engine, expire_on_commit=False) as s:
        found = s.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                          .where(LoginSession.id == tid)).one_or_none()
        if found is None:
            return None
        row, user = found
        if user.disabled or _aware(row.expires_at) <= now or _aware(row.last_seen) + IDLE_TIMEOUT <= now:
            s.execute(delete(LoginSession).where(LoginSession.id == tid))
            s.commit()
            return None
        if _aware(row.last_seen) + LAST_SEEN_EVERY <= now:
            s.execute(update(LoginSession).where(LoginSession.id == tid).values(last_seen=now))
        store_revision = audit.revision(s) if with_revision else None
        s.expunge(user)
        s.commit()
        return SessionInfo(token, row.csrf_token, user, _aware(row.expires_at), store_revision)


def logout(engine: Engine, token: str | None) -> None:
    if token:
        with Session(engine) as s, s.begin():
            s.execute(delete(LoginSession).where(LoginSession.id == token_id(token)))


def end_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


__all__ = ["ABSOLUTE_LIFETIME", "IDLE_TIMEOUT", "LoginAttempt", "LoginSession", "SessionInfo", "TooManyAttempts",
           "attempt_succeeded", "check_rate_limit", "create_session", "login", "logout", "lookup", "record_attempt",
           "reserve_attempt"]
