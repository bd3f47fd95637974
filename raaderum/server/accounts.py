"""Accounts: passwords, authentication and the users service (add, disable, list).

Passwords are hashed with argon2id (argon2-cffi's defaults). :func:`add_user` and :func:`disable_user` are
services: they take the acting user, check ``user.add`` / ``user.disable`` in the authorisation table
(:mod:`raaderum.server.permissions`), make the change and write its audit row in one transaction. The web's
admin pages call them with the logged-in operator, ``raaderum users`` with
:data:`~raaderum.server.permissions.SYSTEM_ACTOR`.

    >>> add_user(engine, SYSTEM_ACTOR, "aarhus-redaktoer", EDITOR, municipality_code=751,   # doctest: +SKIP
    ...          password="lang-nok-kode")
    >>> user = authenticate(engine, "aarhus-redaktoer", "lang-nok-kode")                     # doctest: +SKIP
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from raaderum.errors import (  # re-exported: the errors of this service
    AccountError,
    AuthenticationFailed,
    InputError,
    PermissionDenied,
    UnknownUser,
    UserDisabled,
)
from raaderum.server.permissions import (  # re-exported for callers that know users by this module
    ACTIONS,
    ANY,
    EDITOR,
    OPERATOR,
    OWN,
    READER,
    ROLES,
    RULES,
    SYSTEM_ACTOR,
    can,
    require,
)
from raaderum.store import audit
from raaderum.store.models import LoginSession, User, utcnow
from raaderum.store.transactions import transaction

MIN_PASSWORD_LENGTH = 10
_NAME_RE = re.compile(r"^[A-Za-z0-9ÆØÅæøå._@-]{2,64}$")
_hasher = PasswordHasher()  # argon2id, time_cost=3, memory_cost=64 MiB, parallelism=4


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Verified against when the user does not exist, so the answer takes as long as for a real user.
_DUMMY_HASH = hash_password("raaderum-dummy-password")


def check_role(role: str, municipality_code: int | None) -> None:
    if role not in ROLES:
        raise InputError(f"Ukendt rolle {role!r}; brug {', '.join(ROLES)}.")
    if role == EDITOR and municipality_code is None:
        raise InputError("En kommunal redaktør skal høre til en kommune (--kommune).")


def create_user_row(session: Session, name: str, role: str, *, password: str,
                    municipality_code: int | None = None) -> User:
    """Validate and add a user row to ``session`` (no permission check, no audit: see :func:`add_user`)."""
    name = name.strip()
    if not _NAME_RE.match(name):
        raise InputError(f"Ugyldigt brugernavn {name!r}: 2-64 tegn, bogstaver, tal og . _ @ -.")
    check_role(role, municipality_code)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn.")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"Brugeren {name!r} findes allerede.")
    user = User(name=name, role=role, municipality_code=municipality_code, password_hash=hash_password(password),
                disabled=False, created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise UnknownUser(f"Brugeren {name!r} findes ikke.")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def add_user(engine: Engine, actor: User, name: str, role: str, *, password: str,
             municipality_code: int | None = None) -> User:
    """Service: create a user (action ``user.add``), audited in the same transaction. The name must be unused."""
    require(actor, "user.add")
    with transaction(engine) as s:
        user = create_user_row(s, name, role, password=password, municipality_code=municipality_code)
        audit.record(s, actor, "user.add", "user", user.id, None, user.to_dict())
        s.expunge(user)
    return user


def disable_user(engine: Engine, actor: User, name: str | None = None, *, user_id: int | None = None) -> User:
    """Service: disable the user named ``name`` (or with ``user_id``); it can no longer log in and its sessions
    end. Action ``user.disable``, audited in the same transaction. Disabling oneself is refused; disabling a
    disabled user changes nothing and writes no audit row."""
    require(actor, "user.disable")
    with transaction(engine) as s:
        if user_id is not None:
            user = s.get(User, user_id)
            if user is None:
                raise UnknownUser(f"Brugeren med id {user_id} findes ikke.")
        else:
            user = get_user(s, name or "")
        if actor.id is not None and user.id == actor.id:
            raise InputError("Du kan ikke deaktivere dig selv.")
        if user.disabled:  # already disabled: nothing changes, so nothing is audited (its sessions are refused)
            s.expunge(user)
            return user
        before = user.to_dict()
        user.disabled = True
        s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        s.flush()
        audit.record(s, actor, "user.disable", "user", user.id, before, user.to_dict())
        s.expunge(user)
    return user


def authenticate(engine: Engine, name: str, password: str) -> User:
    """The user when ``password`` is right; :class:`AuthenticationFailed` (or :class:`UserDisabled`) otherwise.

    A hash is verified also for unknown names, so the time taken does not tell which names exist.
    """
    with Session(engine, expire_on_commit=False) as s:
        user = s.scalar(select(User).where(User.name == name.strip()))
        ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not ok:
            raise AuthenticationFailed("Forkert brugernavn eller adgangskode.")
        if user.disabled:
            raise UserDisabled("Brugeren er deaktiveret. Kontakt operatøren, hvis du skal have adgang igen.")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            s.commit()
        s.expunge(user)
        return user


__all__ = ["ACTIONS", "ANY", "EDITOR", "OPERATOR", "OWN", "READER", "ROLES", "RULES", "SYSTEM_ACTOR",
           "AccountError", "AuthenticationFailed", "PermissionDenied", "UnknownUser", "User", "UserDisabled",
           "add_user", "authenticate", "can", "create_user_row", "disable_user", "get_user", "hash_password",
           "list_users", "require", "verify_password", "utcnow"]
