"""Accounts, roles and the one authorisation table of the multi-user server.

Three roles: the national **operator** (administers users, imports idea-bank workbooks), the **municipal editor**
(changes its own municipality's proposals, shortlist, committee mapping and notes) and the **reader** (reads).
Passwords are hashed with argon2id (argon2-cffi's defaults). Who may do what is data: :data:`RULES` maps each role
to the actions it may take, for any municipality (``ANY``) or only its own (``OWN``); :func:`can` reads it.

    >>> engine = make_engine(url); migrate(url)                                   # doctest: +SKIP
    >>> with Session(engine) as s, s.begin():                                     # doctest: +SKIP
    ...     add_user(s, "aarhus-redaktoer", EDITOR, municipality_code=751, password="lang-nok-kode")
    >>> user = authenticate(engine, "aarhus-redaktoer", "lang-nok-kode")          # doctest: +SKIP
    >>> can(user, "shortlist.add", 751), can(user, "shortlist.add", 101)         # doctest: +SKIP
    (True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, DateTime, Engine, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from raaderum.db import Base
from raaderum.errors import InputError, RaaderumError

OPERATOR, EDITOR, READER = "operator", "editor", "reader"
ROLES: dict[str, str] = {OPERATOR: "Operatør", EDITOR: "Kommunal redaktør", READER: "Læser"}

#: Scope of a permission: any municipality, or only the user's own.
ANY, OWN = "any", "own"


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    #: True when the action belongs to one municipality (editors may then take it for their own only).
    municipal: bool
    #: The action as an infinitive, for messages ("Du kan kun <doing> for din egen kommune").
    doing: str


ACTIONS: dict[str, Action] = {a.id: a for a in (
    Action("proposal.create", "Opret et forslag", True, "oprette forslag"),
    Action("proposal.edit", "Ret et forslag", True, "rette forslag"),
    Action("proposal.withdraw", "Træk et forslag tilbage", True, "trække forslag tilbage"),
    Action("shortlist.add", "Sæt et forslag på kortlisten", True, "sætte forslag på kortlisten"),
    Action("shortlist.update", "Ret status og kommentar på kortlisten", True, "rette kortlisten"),
    Action("shortlist.remove", "Fjern et forslag fra kortlisten", True, "fjerne forslag fra kortlisten"),
    Action("shortlist.share", "Opret eller tilbagekald et delingslink til kortlisten", True,
           "dele kortlisten"),
    Action("committee.set", "Ret kommunens udvalgsopdeling", True, "rette udvalgsopdelingen"),
    Action("note.edit", "Ret kommunens noter", True, "rette noterne"),
    Action("user.add", "Opret en bruger", False, "oprette brugere"),
    Action("user.disable", "Deaktivér en bruger", False, "deaktivere brugere"),
    Action("ideas.import", "Importér en idébank-projektmappe", False, "importere idébanker"),
    Action("lever.edit", "Ret, opret eller nulstil greb i vidensportalen", False, "rette vidensportalens greb"),
)}

#: THE authorisation table: role → action → scope. Anything not listed is denied. Actions that are not municipal
#: (users, imports, the knowledge portal's levers ``lever.edit``) are the operator's only.
RULES: dict[str, dict[str, str]] = {
    OPERATOR: {a: ANY for a in ACTIONS},
    EDITOR: {a.id: OWN for a in ACTIONS.values() if a.municipal},
    READER: {},
}

MIN_PASSWORD_LENGTH = 10
_NAME_RE = re.compile(r"^[A-Za-z0-9ÆØÅæøå._@-]{2,64}$")
_hasher = PasswordHasher()  # argon2id, time_cost=3, memory_cost=64 MiB, parallelism=4


def utcnow() -> datetime:
    return datetime.now(UTC)


class AccountError(RaaderumError):
    """Something about a user account that cannot be done (the message says what and why)."""


class AuthenticationFailed(AccountError):
    """Wrong user name or password (deliberately the same message for both)."""


class UserDisabled(AuthenticationFailed):
    """The account exists but has been disabled by the operator."""


class UnknownUser(AccountError, LookupError):
    """No user with that name."""


class PermissionDenied(RaaderumError):
    """The user's role does not allow the action (for this municipality)."""


class User(Base):
    """A person who can log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def to_dict(self) -> dict[str, Any]:
        """The user without the password hash (what the CLI, the audit log and the admin page show)."""
        return {"id": self.id, "name": self.name, "role": self.role, "municipality_code": self.municipality_code,
                "disabled": bool(self.disabled),
                "created_at": self.created_at.isoformat() if self.created_at else None}


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


def add_user(session: Session, name: str, role: str, *, password: str, municipality_code: int | None = None) -> User:
    """Create a user in ``session`` (the caller commits). The name must be unused."""
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


def disable_user(session: Session, name: str) -> User:
    """Disable the user (it can no longer log in; its sessions are ended). The caller commits."""
    from raaderum.sessions import end_sessions_of

    user = get_user(session, name)
    user.disabled = True
    end_sessions_of(session, user.id)
    session.flush()
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


def can(user: User | None, action: str, municipality_code: int | None = None) -> bool:
    """May ``user`` take ``action`` (for ``municipality_code``)? Reads :data:`RULES`; unknown actions are denied."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or user.disabled:
        return False
    scope = RULES.get(user.role, {}).get(action)
    if scope == ANY:
        return True
    if scope == OWN:
        return municipality_code is not None and user.municipality_code == int(municipality_code)
    return False


def require(user: User | None, action: str, municipality_code: int | None = None) -> User:
    """``user`` when :func:`can` allows the action; :class:`PermissionDenied` (with a Danish reason) otherwise."""
    if can(user, action, municipality_code):
        assert user is not None
        return user
    label = ACTIONS[action].doing
    if user is None:
        raise PermissionDenied(f"Du skal være logget ind for at {label}.")
    if user.role == EDITOR and ACTIONS[action].municipal:
        raise PermissionDenied(f"Du kan kun {label} for din egen kommune.")
    raise PermissionDenied(f"Din rolle ({user.role_label}) giver ikke adgang til at {label}.")


__all__ = ["ACTIONS", "ANY", "EDITOR", "OPERATOR", "OWN", "READER", "ROLES", "RULES", "AccountError", "Action",
           "AuthenticationFailed", "PermissionDenied", "UnknownUser", "User", "UserDisabled", "add_user",
           "authenticate", "can", "disable_user", "get_user", "hash_password", "list_users", "require",
           "verify_password"]
