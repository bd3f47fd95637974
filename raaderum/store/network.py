"""Reading the råderumsnetværk (issue 15): who works on what, experiences, networks and what a user may see of them.

Only reads; every change is a service in :mod:`raaderum.server.network`. Visibility is decided HERE, once, and
every page, feed and digest asks these functions:

* marks and experiences with their contacts: logged-in users (any role, any municipality); the public sees counts
  and the experiences their municipality made ``public`` (without contact);
* a network, its members, marks-by-member, shares, meetings and notes: the operator, the network's coordinators,
  and users whose municipality is a member. Everyone else sees nothing of it (not even that it exists).

    >>> with Session(engine) as s:                                                   # doctest: +SKIP
    ...     visible_network_ids(s, user)
    {1, 3}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from raaderum.store.models import (
    OPERATOR,
    Contact,
    Experience,
    Network,
    NetworkCoordinator,
    NetworkMeeting,
    NetworkMember,
    NetworkShare,
    User,
    WorkMark,
)


def is_logged_in(user: User | None) -> bool:
    return user is not None and not user.disabled


def is_coordinator(s: Session, user: User | None, network_id: int) -> bool:
    """Does ``user`` (a stored, active user) coordinate network ``network_id``?"""
    if not is_logged_in(user) or user is None or user.id is None:
        return False
    return s.get(NetworkCoordinator, (int(network_id), int(user.id))) is not None


def visible_network_ids(s: Session, user: User | None) -> set[int]:
    """The networks ``user`` may see: all for the operator; those it coordinates or its municipality belongs to."""
    if not is_logged_in(user) or user is None:
        return set()
    if user.role == OPERATOR:
        return set(s.scalars(select(Network.id)))
    ids: set[int] = set()
    if user.id is not None:
        ids |= set(s.scalars(select(NetworkCoordinator.network_id).where(NetworkCoordinator.user_id == user.id)))
    if user.municipality_code is not None:
        ids |= set(s.scalars(select(NetworkMember.network_id)
                             .where(NetworkMember.municipality_code == user.municipality_code)))
    return ids


def can_see_network(s: Session, user: User | None, network_id: int) -> bool:
    return int(network_id) in visible_network_ids(s, user)


def member_codes(s: Session, network_id: int) -> list[int]:
    return list(s.scalars(select(NetworkMember.municipality_code).where(NetworkMember.network_id == int(network_id))
                          .order_by(NetworkMember.municipality_code)))


def coordinators(s: Session, network_id: int) -> list[User]:
    return list(s.scalars(select(User).join(NetworkCoordinator, NetworkCoordinator.user_id == User.id)
                          .where(NetworkCoordinator.network_id == int(network_id)).order_by(User.name)))


def networks_of_municipality(s: Session, municipality_code: int) -> list[Network]:
    return list(s.scalars(select(Network).join(NetworkMember, NetworkMember.network_id == Network.id)
                          .where(NetworkMember.municipality_code == int(municipality_code)).order_by(Network.name)))


def visible_networks(s: Session, user: User | None) -> list[Network]:
    ids = visible_network_ids(s, user)
    if not ids:
        return []
    return list(s.scalars(select(Network).where(Network.id.in_(ids)).order_by(Network.name)))


# ------------------------------------------------------------------------------------------------ marks


@dataclass(frozen=True)
class MarkView:
    """A mark as a logged-in user sees it (with its contact, when the municipality named one)."""

    mark: WorkMark
    contact: Contact | None


def marks_for(s: Session, target_kind: str, target_id: Any) -> list[MarkView]:
    """Every municipality's mark on one proposal or lever, most recently changed first."""
    rows = s.execute(select(WorkMark, Contact).outerjoin(Contact, Contact.id == WorkMark.contact_id)
                     .where(WorkMark.target_kind == target_kind, WorkMark.target_id == str(target_id))
                     .order_by(WorkMark.updated_at.desc(), WorkMark.id)).all()
    return [MarkView(m, c) for m, c in rows]


def mark_counts(s: Session, target_kind: str, target_ids: Iterable[Any]) -> dict[str, dict[str, int]]:
    """Per target: how many municipalities have a mark in each status (what the public pages show)."""
    ids = [str(t) for t in target_ids]
    out: dict[str, dict[str, int]] = {}
    if not ids:
        return out
    for tid, status, n in s.execute(select(WorkMark.target_id, WorkMark.status, func.count())
                                    .where(WorkMark.target_kind == target_kind, WorkMark.target_id.in_(ids))
                                    .group_by(WorkMark.target_id, WorkMark.status)):
        out.setdefault(tid, {})[status] = int(n)
    return out


def marks_of(s: Session, municipality_codes: Iterable[int]) -> list[WorkMark]:
    codes = [int(c) for c in municipality_codes]
    if not codes:
        return []
    return list(s.scalars(select(WorkMark).where(WorkMark.municipality_code.in_(codes))
                          .order_by(WorkMark.municipality_code, WorkMark.updated_at.desc())))


def contacts_of(s: Session, municipality_code: int) -> list[Contact]:
    return list(s.scalars(select(Contact).where(Contact.municipality_code == int(municipality_code))
                          .order_by(Contact.name, Contact.id)))


# ------------------------------------------------------------------------------------------ experiences


@dataclass(frozen=True)
class ExperienceView:
    experience: Experience
    contact: Contact | None


def experiences(s: Session, user: User | None, *, proposal_id: int | None = None, lever_id: str | None = None,
                municipality_codes: Iterable[int] | None = None, ids: Iterable[int] | None = None,
                limit: int | None = None) -> list[ExperienceView]:
    """The experiences ``user`` may see (logged in: all, with contacts; else only ``public`` ones, without
    contact), optionally for one proposal, one lever, some municipalities or some ids; newest first."""
    q = select(Experience, Contact).outerjoin(Contact, Contact.id == Experience.contact_id)
    if not is_logged_in(user):
        q = q.where(Experience.public.is_(True))
    if proposal_id is not None:
        q = q.where(Experience.proposal_id == int(proposal_id))
    if lever_id is not None:
        q = q.where(Experience.lever_id == str(lever_id))
    if municipality_codes is not None:
        q = q.where(Experience.municipality_code.in_([int(c) for c in municipality_codes]))
    if ids is not None:
        q = q.where(Experience.id.in_([int(i) for i in ids]))
    q = q.order_by(Experience.created_at.desc(), Experience.id.desc())
    if limit is not None:
        q = q.limit(limit)
    logged_in = is_logged_in(user)
    return [ExperienceView(e, c if logged_in else None) for e, c in s.execute(q).all()]


def experience_counts(s: Session, column: str, keys: Iterable[Any]) -> dict[str, int]:
    """How many experiences (all, public or not: a count reveals nothing) per proposal id or lever id."""
    col = Experience.proposal_id if column == "proposal" else Experience.lever_id
    keys = [k for k in keys if k is not None]
    if not keys:
        return {}
    return {str(k): int(n) for k, n in s.execute(select(col, func.count()).where(col.in_(keys)).group_by(col))}


# ---------------------------------------------------------------------------------------------- networks


def shares_of(s: Session, network_id: int) -> list[NetworkShare]:
    return list(s.scalars(select(NetworkShare).where(NetworkShare.network_id == int(network_id))
                          .order_by(NetworkShare.created_at.desc(), NetworkShare.id.desc())))


def meetings_of(s: Session, network_id: int) -> list[NetworkMeeting]:
    return list(s.scalars(select(NetworkMeeting).where(NetworkMeeting.network_id == int(network_id))
                          .order_by(NetworkMeeting.held_on.desc(), NetworkMeeting.id.desc())))


__all__ = ["ExperienceView", "MarkView", "can_see_network", "contacts_of", "coordinators", "experience_counts",
           "experiences", "is_coordinator", "is_logged_in", "mark_counts", "marks_for", "marks_of", "meetings_of",
           "member_codes", "networks_of_municipality", "shares_of", "visible_network_ids", "visible_networks"]
