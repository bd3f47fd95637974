"""The råderumsnetværk (issue 15): services that change who works on what, contact persons, experiences and
networks (members, coordinators, shares, meetings and notes).

Every service checks the permission FIRST (:func:`~raaderum.server.permissions.require`; services that learn the
municipality or the network from the row they change call :func:`~raaderum.server.permissions.require_some`
before they read or validate anything), then makes the change and writes its ONE audit row
(:func:`raaderum.store.audit.record`) in the same transaction. Editable rows carry a ``version``: an edit made on
an older version gets :class:`ConflictError` naming who changed it and when; nothing is overwritten.

Who may do what (the table is :mod:`raaderum.server.permissions`):

* editors mark proposals and levers, keep contact persons and record experiences for their OWN municipality
  (``mark.set``, ``mark.remove``, ``contact.edit``, ``experience.edit``), and share their own shortlist or
  catalogue scenarios with a network their municipality is a member of (``network.share``);
* a network's coordinators (and the operator) write its meetings and notes (``network.coordinate``);
* the operator creates networks and manages members and coordinators (``network.manage``).

What a user may SEE is decided in :mod:`raaderum.store.network`; the read functions here (:func:`network_view`,
:func:`shared_content`) raise :class:`NetworkNotFound` for a network the user does not belong to, so a non-member
cannot even tell that it exists.

Amounts of an experience are realised amounts per calendar year in 1.000 kr. with savings NEGATIVE (the
catalogue's sign convention).

    >>> m = set_mark(engine, editor, 751, "proposal", 12, status="i_gang")               # doctest: +SKIP
    >>> n = create_network(engine, SYSTEM_ACTOR, "Netværk Øst 2027", municipalities=[101, 147])  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from raaderum.catalog import load_catalog
from raaderum.errors import (  # re-exported: the errors of this service
    ConflictError,
    ContactNotFound,
    ExperienceNotFound,
    InputError,
    MarkNotFound,
    MeetingNotFound,
    NetworkNotFound,
    NetworkShareNotFound,
    PermissionDenied,
    ProposalNotFound,
    ScenarioNotFound,
    UnknownLever,
    UnknownUser,
)
from raaderum.ideas.levers import lever as shipped_lever
from raaderum.release.reader import current_register, open_release
from raaderum.server.catalogue import parse_amount_field
from raaderum.server.permissions import can, require, require_some
from raaderum.server.workspace import ShortlistRow, _conflict, _version, shortlist
from raaderum.store import network as reads
from raaderum.store.audit import RevisionMemo, record, revision, snapshot
from raaderum.store.catalogue import CatalogueData, ScenarioData, load_catalogue
from raaderum.store.models import (
    MARK_STATUSES,
    MARK_TARGETS,
    SHARE_KINDS,
    Catalogue,
    CatalogueProposal,
    CatalogueScenario,
    Contact,
    Experience,
    LeverEdit,
    Network,
    NetworkCoordinator,
    NetworkMeeting,
    NetworkMember,
    NetworkShare,
    Proposal,
    User,
    WorkMark,
    utcnow,
)
from raaderum.store.transactions import transaction

MAX_NAME = 200
MAX_TEXT = 20_000
MAX_NOTES = 100_000
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


# ------------------------------------------------------------------------------------------------ input


def _text(value: Any, limit: int, what: str, *, required: bool = False, one_line: bool = False) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise InputError(f"{what} indeholder et ugyldigt tegn (NUL).")
    text = text.replace("\r\n", "\n").strip()
    if one_line:
        text = " ".join(text.split())
    if required and not text:
        raise InputError(f"{what} skal udfyldes.")
    if len(text) > limit:
        raise InputError(f"{what} er for lang ({len(text)} tegn; højst {limit}).")
    return text


def _email(value: Any) -> str:
    text = _text(value, 254, "E-mailadressen", one_line=True)
    if text and not _EMAIL.match(text):
        raise InputError(f"E-mailadressen {text!r} er ikke en gyldig adresse (fx navn@kommune.dk).")
    return text


def _int(value: Any, what: str) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError(f"{what} skal være et helt tal, ikke {value!r}.") from None
    if not 0 < n < 2**31:
        raise InputError(f"{what} {value!r} findes ikke.")
    return n


def _optional_int(value: Any, what: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return _int(value, what)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().casefold() in {"1", "true", "ja", "on", "yes"}


def _municipality(code: Any) -> int:
    c = _int(code, "Kommunekoden")
    current_register().by_code(c)  # UnknownMunicipality (404) when not one of the 98
    return c


def _mark_status(value: Any) -> str:
    v = str(value or "").strip()
    if v not in MARK_STATUSES:
        raise InputError(f"Ukendt status {v!r}; brug {', '.join(MARK_STATUSES)}.")
    return v


def _known_lever(s: Session, lever_id: Any) -> str:
    lid = _text(lever_id, 64, "Grebets id", required=True, one_line=True)
    if s.get(LeverEdit, lid) is not None:
        return lid
    try:
        shipped_lever(lid)
    except (UnknownLever, KeyError, LookupError):
        raise UnknownLever(f"Grebet {lid!r} findes ikke i vidensportalen.") from None
    return lid


def _known_proposal(s: Session, proposal_id: Any) -> Proposal:
    pid = _int(proposal_id, "Forslagets nummer")
    p = s.get(Proposal, pid)
    if p is None:
        raise ProposalNotFound(f"Forslag nr. {pid} findes ikke i idébanken.")
    return p


def _target(s: Session, kind: Any, target_id: Any) -> tuple[str, str]:
    k = str(kind or "").strip()
    if k not in MARK_TARGETS:
        raise InputError(f"Ukendt type {k!r}; en markering gælder et forslag (proposal) eller et greb (lever).")
    if k == "proposal":
        return k, str(_known_proposal(s, target_id).id)
    return k, _known_lever(s, target_id)


def _own_contact(s: Session, contact_id: Any, municipality_code: int) -> int | None:
    cid = _optional_int(contact_id, "Kontaktpersonens nummer")
    if cid is None:
        return None
    c = s.get(Contact, cid)
    if c is None or c.municipality_code != municipality_code:
        raise ContactNotFound(f"Kontaktperson nr. {cid} findes ikke blandt kommunens kontaktpersoner.")
    return cid


def _flush(s: Session, what: str, entity: str, entity_id: Any, had: int | None) -> None:
    try:
        s.flush()
    except StaleDataError:
        raise _conflict(s, what, entity, entity_id, had, None) from None


def _check_version(s: Session, row: Any, version: Any, what: str, entity: str) -> int:
    had = _version(version)
    if row.version != had:
        raise _conflict(s, what, entity, row.id, had, row.version)
    return had


def _update(s: Session, user: User, row: Any, values: Mapping[str, Any], version: Any, what: str, entity: str,
            action: str, municipality_code: int | None) -> None:
    """``values`` written to ``row``, made on ``version``: the version check, the stamps, the flush and the one
    audit row with the row before and after (every edit of this module)."""
    had = _check_version(s, row, version, what, entity)
    before = snapshot(row)
    for k, v in values.items():
        setattr(row, k, v)
    row.updated_at, row.updated_by = utcnow(), user.name
    _flush(s, what, entity, row.id, had)
    record(s, user, action, entity, row.id, before, snapshot(row), municipality_code)


def _delete(s: Session, user: User, row: Any, version: Any, what: str, entity: str, action: str,
            municipality_code: int | None) -> None:
    """``row`` deleted (made on ``version`` when given), with its audit row."""
    if version not in (None, ""):
        _check_version(s, row, version, what, entity)
    before = snapshot(row)
    s.delete(row)
    _flush(s, what, entity, before["id"], before["version"])
    record(s, user, action, entity, before["id"], before, None, municipality_code)


# ------------------------------------------------------------------------------------------------ contacts


def _contact_fields(fields: Mapping[str, Any]) -> dict[str, str]:
    return {"name": _text(fields.get("name"), MAX_NAME, "Navnet", required=True, one_line=True),
            "role": _text(fields.get("role"), MAX_NAME, "Stillingen", one_line=True),
            "email": _email(fields.get("email"))}


def create_contact(engine: Engine, user: User, municipality_code: int, fields: Mapping[str, Any]) -> Contact:
    """A contact person of the municipality (name, role, e-mail), entered by that municipality."""
    require(user, "contact.edit", municipality_code)
    code = _municipality(municipality_code)
    values = _contact_fields(fields)
    with transaction(engine) as s:
        now = utcnow()
        c = Contact(municipality_code=code, **values, created_at=now, created_by=user.name, updated_at=now,
                    updated_by=user.name)
        s.add(c)
        s.flush()
        record(s, user, "contact.create", "contact", c.id, None, snapshot(c), code)
    return c


def _contact_for_change(s: Session, user: User, contact_id: Any) -> Contact:
    c = s.get(Contact, _int(contact_id, "Kontaktpersonens nummer"))
    if c is None:
        raise ContactNotFound(f"Kontaktperson nr. {contact_id} findes ikke (måske er den slettet).")
    require(user, "contact.edit", c.municipality_code)
    return c


def edit_contact(engine: Engine, user: User, contact_id: int, version: Any, fields: Mapping[str, Any]) -> Contact:
    require_some(user, "contact.edit")
    with transaction(engine) as s:
        c = _contact_for_change(s, user, contact_id)
        _update(s, user, c, _contact_fields(fields), version, "Kontaktpersonen", "contact", "contact.edit",
                c.municipality_code)
    return c


def delete_contact(engine: Engine, user: User, contact_id: int, version: Any = None) -> None:
    """Delete a contact person; it disappears from every mark and experience that named it."""
    require_some(user, "contact.edit")
    with transaction(engine) as s:
        c = _contact_for_change(s, user, contact_id)
        if version not in (None, ""):
            _check_version(s, c, version, "Kontaktpersonen", "contact")
        before = snapshot(c)
        used = {"marks": [m.id for m in s.scalars(select(WorkMark).where(WorkMark.contact_id == c.id))],
                "experiences": [e.id for e in s.scalars(select(Experience).where(Experience.contact_id == c.id))]}
        # Explicitly, not only through ON DELETE SET NULL: the rows must not keep it on any backend.
        for mark in s.scalars(select(WorkMark).where(WorkMark.contact_id == c.id)):
            mark.contact_id = None
        for exp in s.scalars(select(Experience).where(Experience.contact_id == c.id)):
            exp.contact_id = None
        s.flush()
        s.delete(c)
        _flush(s, "Kontaktpersonen", "contact", before["id"], before["version"])
        record(s, user, "contact.delete", "contact", before["id"], {**before, "used_by": used}, None,
               before["municipality_code"])


# ------------------------------------------------------------------------------------------------ marks


def set_mark(engine: Engine, user: User, municipality_code: int, target_kind: str, target_id: Any, *,
             status: Any, contact_id: Any = None, note: Any = "", version: Any = None) -> WorkMark:
    """"Vi arbejder med dette": mark a proposal or lever for the municipality, or change its mark (``version``
    required then: the version the change was made on)."""
    require(user, "mark.set", municipality_code)
    code = _municipality(municipality_code)
    st = _mark_status(status)
    text = _text(note, MAX_TEXT, "Bemærkningen")
    with transaction(engine) as s:
        kind, tid = _target(s, target_kind, target_id)
        cid = _own_contact(s, contact_id, code)
        mark = s.scalar(select(WorkMark).where(WorkMark.municipality_code == code, WorkMark.target_kind == kind,
                                               WorkMark.target_id == tid))
        now = utcnow()
        if mark is None:
            mark = WorkMark(municipality_code=code, target_kind=kind, target_id=tid, status=st, contact_id=cid,
                            note=text, created_at=now, created_by=user.name, updated_at=now, updated_by=user.name)
            s.add(mark)
            try:
                s.flush()
            except IntegrityError:
                raise ConflictError("En anden fra kommunen markerede det i samme øjeblik; genindlæs siden.") from None
            record(s, user, "mark.set", "work_mark", mark.id, None, snapshot(mark), code)
            return mark
        if version in (None, ""):
            raise ConflictError("Kommunen har allerede markeret det (måske en kollega lige nu); genindlæs siden og "
                                "ret den markering, der er.")
        _update(s, user, mark, {"status": st, "contact_id": cid, "note": text}, version, "Markeringen",
                "work_mark", "mark.set", code)
    return mark


def remove_mark(engine: Engine, user: User, mark_id: int, version: Any = None) -> None:
    require_some(user, "mark.remove")
    with transaction(engine) as s:
        mark = s.get(WorkMark, _int(mark_id, "Markeringens nummer"))
        if mark is None:
            raise MarkNotFound(f"Markering nr. {mark_id} findes ikke (måske er den fjernet).")
        require(user, "mark.remove", mark.municipality_code)
        _delete(s, user, mark, version, "Markeringen", "work_mark", "mark.remove", mark.municipality_code)


# ------------------------------------------------------------------------------------------------ experiences


def _realised(value: Any) -> dict[str, float] | None:
    """{year: amount} in 1.000 kr. (savings negative) from a mapping, or from text lines "2025: -1.200"."""
    if value is None or value == "" or value == {}:
        return None
    items: list[tuple[Any, Any]]
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        items = []
        for n, line in enumerate(str(value).replace(";", "\n").splitlines(), 1):
            if not line.strip():
                continue
            if ":" not in line and "=" not in line:
                raise InputError(f"Linje {n} i det realiserede beløb ({line.strip()!r}) skal have formen "
                                 "'år: beløb', fx '2025: -1.200'.")
            y, a = re.split(r"[:=]", line, maxsplit=1)
            items.append((y, a))
    out: dict[str, float] = {}
    for y, a in items:
        try:
            year = int(str(y).strip())
        except ValueError:
            raise InputError(f"Året {str(y).strip()!r} i det realiserede beløb er ikke et årstal.") from None
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise InputError(f"Året {year} i det realiserede beløb ligger uden for {_FIRST_YEAR}–{_LAST_YEAR}.")
        amount = parse_amount_field(a, f"Beløbet for {year}")
        if amount is None:
            continue
        if str(year) in out:
            raise InputError(f"Året {year} står to gange i det realiserede beløb.")
        out[str(year)] = amount
    return dict(sorted(out.items())) or None


def _experience_fields(s: Session, code: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    proposal_id = _optional_int(fields.get("proposal_id"), "Forslagets nummer")
    lever_id = str(fields.get("lever_id") or "").strip() or None
    cat_id = _optional_int(fields.get("catalogue_proposal_id"), "Katalogforslagets nummer")
    area = str(fields.get("area_id") or "").strip() or None
    if proposal_id is not None:
        area = area or _known_proposal(s, proposal_id).area_id
    if lever_id is not None:
        lever_id = _known_lever(s, lever_id)
    if cat_id is not None:
        cp = s.get(CatalogueProposal, cat_id)
        if cp is None or cp.municipality_code != code:
            raise InputError(f"Katalogforslag nr. {cat_id} findes ikke i kommunens råderumskatalog.")
        area = area or cp.area_id
    if area is not None and area not in {a.id for a in load_catalog().areas}:
        raise InputError(f"Ukendt serviceområde {area!r}.")
    if proposal_id is None and lever_id is None and cat_id is None:
        raise InputError("En erfaring skal knyttes til et forslag i idébanken, et greb eller et forslag i "
                         "kommunens råderumskatalog.")
    return {"title": _text(fields.get("title"), 300, "Titlen", required=True, one_line=True),
            "proposal_id": proposal_id, "lever_id": lever_id, "catalogue_proposal_id": cat_id, "area_id": area,
            "realised": _realised(fields.get("realised")),
            "what_worked": _text(fields.get("what_worked"), MAX_TEXT, "Hvad virkede"),
            "what_did_not": _text(fields.get("what_did_not"), MAX_TEXT, "Hvad virkede ikke"),
            "contact_id": _own_contact(s, fields.get("contact_id"), code),
            "public": _flag(fields.get("public"))}


def create_experience(engine: Engine, user: User, municipality_code: int, fields: Mapping[str, Any]) -> Experience:
    """Record what happened when the municipality implemented a proposal or a lever."""
    require(user, "experience.edit", municipality_code)
    code = _municipality(municipality_code)
    with transaction(engine) as s:
        values = _experience_fields(s, code, fields)
        now = utcnow()
        e = Experience(municipality_code=code, **values, created_at=now, created_by=user.name, updated_at=now,
                       updated_by=user.name)
        s.add(e)
        s.flush()
        record(s, user, "experience.create", "experience", e.id, None, snapshot(e), code)
    return e


def _experience_for_change(s: Session, user: User, experience_id: Any) -> Experience:
    e = s.get(Experience, _int(experience_id, "Erfaringens nummer"))
    if e is None:
        raise ExperienceNotFound(f"Erfaring nr. {experience_id} findes ikke (måske er den slettet).")
    require(user, "experience.edit", e.municipality_code)
    return e


def edit_experience(engine: Engine, user: User, experience_id: int, version: Any,
                    fields: Mapping[str, Any]) -> Experience:
    require_some(user, "experience.edit")
    with transaction(engine) as s:
        e = _experience_for_change(s, user, experience_id)
        current = {k: getattr(e, k) for k in ("title", "proposal_id", "lever_id", "catalogue_proposal_id",
                                              "area_id", "realised", "what_worked", "what_did_not", "contact_id",
                                              "public")}
        values = _experience_fields(s, e.municipality_code, {**current, **fields})
        _update(s, user, e, values, version, "Erfaringen", "experience", "experience.edit", e.municipality_code)
    return e


def delete_experience(engine: Engine, user: User, experience_id: int, version: Any = None) -> None:
    require_some(user, "experience.edit")
    with transaction(engine) as s:
        e = _experience_for_change(s, user, experience_id)
        _delete(s, user, e, version, "Erfaringen", "experience", "experience.delete", e.municipality_code)


# ------------------------------------------------------------------------------------------------ networks


def _network(s: Session, network_id: Any) -> Network:
    n = s.get(Network, _int(network_id, "Netværkets nummer"))
    if n is None:
        raise NetworkNotFound(f"Netværk nr. {network_id} findes ikke.")
    return n


def find_network(engine: Engine, name_or_id: Any) -> Network:
    """A network by id or by (case-insensitive) name (for the CLI)."""
    key = " ".join(str(name_or_id or "").split())
    with Session(engine, expire_on_commit=False) as s:
        if key.isdigit():
            n = s.get(Network, int(key))
            if n is not None:
                return n
        for n in s.scalars(select(Network)):
            if n.name.casefold() == key.casefold():
                return n
    raise NetworkNotFound(f"Netværket {key!r} findes ikke; `raaderum netvaerk list` viser netværkene.")


def _codes(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for v in values:
        text = str(v).strip()
        if not text:
            continue
        code = current_register().resolve(int(text) if text.isdigit() else text).code
        if code not in out:
            out.append(code)
    return out


def _users(s: Session, names: Iterable[Any]) -> list[User]:
    out: list[User] = []
    for name in names:
        key = str(name).strip()
        if not key:
            continue
        u = s.scalar(select(User).where(User.name == key))
        if u is None:
            raise UnknownUser(f"Brugeren {key!r} findes ikke; opret den med `raaderum users add`.")
        if u not in out:
            out.append(u)
    return out


def _membership(s: Session, n: Network) -> dict[str, Any]:
    return {**snapshot(n), "members": reads.member_codes(s, n.id),
            "coordinators": [u.name for u in reads.coordinators(s, n.id)]}


def create_network(engine: Engine, user: User, name: Any, *, municipalities: Iterable[Any] = (),
                   coordinators: Iterable[Any] = (), description: Any = "") -> Network:
    """A network with its member municipalities (codes or names) and coordinators (user names)."""
    require(user, "network.manage")
    title = _text(name, MAX_NAME, "Netværkets navn", required=True, one_line=True)
    desc = _text(description, MAX_TEXT, "Beskrivelsen")
    codes = _codes(municipalities)
    with transaction(engine) as s:
        if s.scalar(select(Network.id).where(Network.name == title)) is not None:
            raise ConflictError(f"Der findes allerede et netværk med navnet {title!r}.")
        coords = _users(s, coordinators)
        now = utcnow()
        n = Network(name=title, description=desc, notes="", created_at=now, created_by=user.name, updated_at=now,
                    updated_by=user.name)
        s.add(n)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError(f"Der findes allerede et netværk med navnet {title!r}.") from None
        for c in codes:
            s.add(NetworkMember(network_id=n.id, municipality_code=c, added_at=now, added_by=user.name))
        for u in coords:
            s.add(NetworkCoordinator(network_id=n.id, user_id=u.id, added_at=now, added_by=user.name))
        s.flush()
        record(s, user, "network.create", "network", n.id, None, _membership(s, n))
    return n


def edit_network(engine: Engine, user: User, network_id: int, version: Any, *, name: Any = None,
                 description: Any = None) -> Network:
    require(user, "network.manage")
    with transaction(engine) as s:
        n = _network(s, network_id)
        title = _text(name, MAX_NAME, "Netværkets navn", required=True, one_line=True) if name is not None else n.name
        desc = _text(description, MAX_TEXT, "Beskrivelsen") if description is not None else n.description
        had = _check_version(s, n, version, "Netværket", "network")
        if title != n.name and s.scalar(select(Network.id).where(Network.name == title)) is not None:
            raise ConflictError(f"Der findes allerede et netværk med navnet {title!r}.")
        before = snapshot(n)
        n.name, n.description, n.updated_at, n.updated_by = title, desc, utcnow(), user.name
        _flush(s, "Netværket", "network", n.id, had)
        record(s, user, "network.edit", "network", n.id, before, snapshot(n))
    return n


def delete_network(engine: Engine, user: User, network_id: int, version: Any = None) -> None:
    """Delete a network with its memberships, shares, meetings and notes (the shared things themselves stay)."""
    require(user, "network.manage")
    with transaction(engine) as s:
        n = _network(s, network_id)
        if version not in (None, ""):
            _check_version(s, n, version, "Netværket", "network")
        before = _membership(s, n)
        for model in (NetworkMember, NetworkCoordinator, NetworkShare, NetworkMeeting):
            s.execute(delete(model).where(model.network_id == n.id))
        s.delete(n)
        _flush(s, "Netværket", "network", before["id"], before["version"])
        record(s, user, "network.delete", "network", before["id"], before, None)


def change_members(engine: Engine, user: User, network_id: int, *, add: Iterable[Any] = (),
                   remove: Iterable[Any] = ()) -> list[int]:
    """Add and/or remove member municipalities (codes or names); the members afterwards. A removed member's
    shares with the network are withdrawn with it."""
    require(user, "network.manage")
    plus, minus = _codes(add), _codes(remove)
    if not plus and not minus:
        raise InputError("Angiv mindst én kommune at tilføje (--add) eller fjerne (--remove).")
    if set(plus) & set(minus):
        raise InputError("Samme kommune kan ikke både tilføjes og fjernes.")
    with transaction(engine) as s:
        n = _network(s, network_id)
        before = _membership(s, n)
        have = set(before["members"])
        unknown = [c for c in minus if c not in have]
        if unknown:
            names = ", ".join(current_register().by_code(c).name for c in unknown)
            raise InputError(f"{names} er ikke medlem af netværket {n.name!r}.")
        now = utcnow()
        for c in plus:
            if c not in have:
                s.add(NetworkMember(network_id=n.id, municipality_code=c, added_at=now, added_by=user.name))
        if minus:
            s.execute(delete(NetworkMember).where(NetworkMember.network_id == n.id,
                                                  NetworkMember.municipality_code.in_(minus)))
            s.execute(delete(NetworkShare).where(NetworkShare.network_id == n.id,
                                                 NetworkShare.municipality_code.in_(minus)))
        n.updated_at, n.updated_by = now, user.name
        s.flush()
        after = _membership(s, n)
        record(s, user, "network.members", "network", n.id, before, after)
    return list(after["members"])


def change_coordinators(engine: Engine, user: User, network_id: int, *, add: Iterable[Any] = (),
                        remove: Iterable[Any] = ()) -> list[str]:
    """Add and/or remove coordinators (user names); the coordinators afterwards."""
    require(user, "network.manage")
    with transaction(engine) as s:
        n = _network(s, network_id)
        plus, minus = _users(s, add), _users(s, remove)
        if not plus and not minus:
            raise InputError("Angiv mindst én bruger at gøre til eller fjerne som koordinator.")
        before = _membership(s, n)
        now = utcnow()
        for u in plus:
            if s.get(NetworkCoordinator, (n.id, u.id)) is None:
                s.add(NetworkCoordinator(network_id=n.id, user_id=u.id, added_at=now, added_by=user.name))
        for u in minus:
            s.execute(delete(NetworkCoordinator).where(NetworkCoordinator.network_id == n.id,
                                                       NetworkCoordinator.user_id == u.id))
        n.updated_at, n.updated_by = now, user.name
        s.flush()
        after = _membership(s, n)
        record(s, user, "network.coordinators", "network", n.id, before, after)
    return list(after["coordinators"])


def _coordinated(s: Session, user: User, network_id: Any) -> Network:
    """The network, when ``user`` may coordinate it (operator or one of its coordinators)."""
    n = s.get(Network, _int(network_id, "Netværkets nummer"))
    if n is None or not reads.can_see_network(s, user, n.id):
        raise NetworkNotFound(f"Netværk nr. {network_id} findes ikke.")
    require(user, "network.coordinate", coordinator=reads.is_coordinator(s, user, n.id))
    return n


def set_notes(engine: Engine, user: User, network_id: int, version: Any, notes: Any) -> Network:
    """The coordinators' running notes of the network (made on ``version`` of the network)."""
    require_some(user, "network.coordinate")
    with transaction(engine) as s:
        n = _coordinated(s, user, network_id)
        _update(s, user, n, {"notes": _text(notes, MAX_NOTES, "Noterne")}, version, "Netværkets noter", "network",
                "network.notes", None)
    return n


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    raw = str(value or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw) or None
    d = re.fullmatch(r"(\d{1,2})[.-](\d{1,2})[.-](\d{4})", raw) or None
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return date(int(d.group(3)), int(d.group(2)), int(d.group(1)))
    except ValueError:
        pass
    raise InputError(f"Mødedatoen {raw!r} kan ikke læses; skriv fx 2027-03-15 eller 15.03.2027.")


def _meeting_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    held = _date(fields.get("held_on"))
    if not _FIRST_YEAR <= held.year <= _LAST_YEAR:
        raise InputError(f"Mødedatoen {held.isoformat()} ligger uden for {_FIRST_YEAR}–{_LAST_YEAR}.")
    return {"title": _text(fields.get("title"), 300, "Mødets titel", required=True, one_line=True),
            "held_on": held, "place": _text(fields.get("place"), 300, "Stedet", one_line=True),
            "agenda": _text(fields.get("agenda"), MAX_NOTES, "Dagsordenen"),
            "minutes": _text(fields.get("minutes"), MAX_NOTES, "Referatet")}


def create_meeting(engine: Engine, user: User, network_id: int, fields: Mapping[str, Any]) -> NetworkMeeting:
    require_some(user, "network.coordinate")
    with transaction(engine) as s:
        n = _coordinated(s, user, network_id)
        values = _meeting_fields(fields)
        now = utcnow()
        m = NetworkMeeting(network_id=n.id, **values, created_at=now, created_by=user.name, updated_at=now,
                           updated_by=user.name)
        s.add(m)
        s.flush()
        record(s, user, "network.meeting.create", "network_meeting", m.id, None, snapshot(m))
    return m


def _meeting_for_change(s: Session, user: User, meeting_id: Any) -> NetworkMeeting:
    m = s.get(NetworkMeeting, _int(meeting_id, "Mødets nummer"))
    if m is None or not reads.can_see_network(s, user, m.network_id):
        raise MeetingNotFound(f"Møde nr. {meeting_id} findes ikke (måske er det slettet).")
    _coordinated(s, user, m.network_id)
    return m


def edit_meeting(engine: Engine, user: User, meeting_id: int, version: Any,
                 fields: Mapping[str, Any]) -> NetworkMeeting:
    require_some(user, "network.coordinate")
    with transaction(engine) as s:
        m = _meeting_for_change(s, user, meeting_id)
        current = {k: getattr(m, k) for k in ("title", "held_on", "place", "agenda", "minutes")}
        _update(s, user, m, _meeting_fields({**current, **fields}), version, "Mødet", "network_meeting",
                "network.meeting.edit", None)
    return m


def delete_meeting(engine: Engine, user: User, meeting_id: int, version: Any = None) -> None:
    require_some(user, "network.coordinate")
    with transaction(engine) as s:
        m = _meeting_for_change(s, user, meeting_id)
        _delete(s, user, m, version, "Mødet", "network_meeting", "network.meeting.delete", None)


def share(engine: Engine, user: User, network_id: int, municipality_code: int, kind: Any,
          scenario_id: Any = None) -> NetworkShare:
    """Share the municipality's shortlist (``kind`` 'shortlist') or one of its catalogue scenarios ('scenario')
    read-only with a network the municipality is a member of (sharing the same thing again changes nothing)."""
    require(user, "network.share", municipality_code)
    code = _municipality(municipality_code)
    k = str(kind or "").strip()
    if k not in SHARE_KINDS:
        raise InputError(f"Ukendt type {k!r}; del en kortliste (shortlist) eller et scenarie (scenario).")
    with transaction(engine) as s:
        n = s.get(Network, _int(network_id, "Netværkets nummer"))
        if n is None or not reads.can_see_network(s, user, n.id):
            raise NetworkNotFound(f"Netværk nr. {network_id} findes ikke.")
        if code not in reads.member_codes(s, n.id):
            raise PermissionDenied(f"{current_register().by_code(code).name} er ikke medlem af netværket "
                                   f"{n.name!r} og kan ikke dele med det.")
        sid: int | None = None
        if k == "scenario":
            sid = _int(scenario_id, "Scenariets nummer")
            sc = s.get(CatalogueScenario, sid)
            if sc is None or _scenario_municipality(s, sc) != code:
                raise ScenarioNotFound(f"Scenarie nr. {sid} findes ikke i kommunens råderumskataloger.")
        existing = s.scalar(select(NetworkShare).where(NetworkShare.network_id == n.id,
                                                       NetworkShare.municipality_code == code,
                                                       NetworkShare.kind == k,
                                                       NetworkShare.scenario_id.is_(None) if sid is None
                                                       else NetworkShare.scenario_id == sid))
        if existing is not None:
            return existing
        sh = NetworkShare(network_id=n.id, municipality_code=code, kind=k, scenario_id=sid, created_at=utcnow(),
                          created_by=user.name)
        s.add(sh)
        s.flush()
        record(s, user, "network.share", "network_share", sh.id, None, snapshot(sh), code)
    return sh


def _scenario_municipality(s: Session, scenario: CatalogueScenario) -> int | None:
    c = s.get(Catalogue, scenario.catalogue_id)
    return c.municipality_code if c is not None else None


def unshare(engine: Engine, user: User, share_id: int) -> None:
    require_some(user, "network.share")
    with transaction(engine) as s:
        sh = s.get(NetworkShare, _int(share_id, "Delingens nummer"))
        if sh is None:
            raise NetworkShareNotFound(f"Deling nr. {share_id} findes ikke (måske er den trukket tilbage).")
        require(user, "network.share", sh.municipality_code)
        before = snapshot(sh)
        s.delete(sh)
        s.flush()
        record(s, user, "network.unshare", "network_share", before["id"], before, None, before["municipality_code"])


# ------------------------------------------------------------------------------------------------ reading


@dataclass
class MemberView:
    code: int
    name: str
    marks: list[reads.MarkView] = field(default_factory=list)
    experiences: list[reads.ExperienceView] = field(default_factory=list)


#: What network_view and marks_on read for every viewer alike, kept while the store's revision is unchanged.
_network_memo = RevisionMemo(256)
_marks_memo = RevisionMemo(1024)


@dataclass
class NetworkView:
    """Everything a member sees on a network's page."""

    network: Network
    members: list[MemberView]
    coordinators: list[User]
    shares: list[NetworkShare]
    meetings: list[NetworkMeeting]
    #: May the viewer write meetings and notes?
    can_coordinate: bool
    #: The viewer's own municipality when it is a member (it may share with the network).
    own_member: int | None


def network_view(engine: Engine, user: User | None, network_id: Any) -> NetworkView:
    """The network as ``user`` may see it; :class:`NetworkNotFound` for anyone who is not a member, coordinator
    or the operator (a non-member is not told the network exists)."""
    release = open_release()
    reg = release.municipalities()
    with Session(engine, expire_on_commit=False) as s:
        nid = _int(network_id, "Netværkets nummer")
        n = s.get(Network, nid)
        if n is None or not reads.can_see_network(s, user, nid):
            raise NetworkNotFound(f"Netværk nr. {network_id} findes ikke, eller du er ikke medlem af det.")

        def build() -> tuple[list[MemberView], list[User], list[NetworkShare], list[NetworkMeeting]]:
            # what every member sees alike (a viewer who got here is logged in: experiences with contacts)
            codes = reads.member_codes(s, nid)
            members = {c: MemberView(c, reg.by_code(c).name) for c in codes}
            marks = s.execute(select(WorkMark, Contact).outerjoin(Contact, Contact.id == WorkMark.contact_id)
                              .where(WorkMark.municipality_code.in_(codes))
                              .order_by(WorkMark.updated_at.desc())).all() if codes else []
            for m, c in marks:
                members[m.municipality_code].marks.append(reads.MarkView(m, c))
            for ev in reads.experiences(s, user, municipality_codes=codes) if codes else []:
                members[ev.experience.municipality_code].experiences.append(ev)
            return ([members[c] for c in codes], reads.coordinators(s, nid), reads.shares_of(s, nid),
                    reads.meetings_of(s, nid))

        members, coordinators, shares, meetings = _network_memo.get((engine.url, nid, release.id), revision(s), build)
        coordinator = reads.is_coordinator(s, user, nid)
        own = (user.municipality_code if user is not None and any(m.code == user.municipality_code for m in members)
               else None)
        return NetworkView(n, members, coordinators, shares, meetings,
                           can(user, "network.coordinate", coordinator=coordinator), own)


@dataclass
class SharedContent:
    share: NetworkShare
    network: Network
    municipality_name: str
    shortlist: list[ShortlistRow] | None = None
    catalogue: CatalogueData | None = None
    scenario: ScenarioData | None = None


def shared_content(engine: Engine, user: User | None, share_id: Any) -> SharedContent:
    """What a member shared with the network, read-only, for the network's members (404 for anyone else)."""
    with Session(engine, expire_on_commit=False) as s:
        sh = s.get(NetworkShare, _int(share_id, "Delingens nummer"))
        if sh is None or not reads.can_see_network(s, user, sh.network_id):
            raise NetworkShareNotFound(f"Deling nr. {share_id} findes ikke, eller du er ikke medlem af netværket.")
        n = s.get(Network, sh.network_id)
        assert n is not None
        catalogue_id = None
        if sh.scenario_id is not None:
            sc = s.get(CatalogueScenario, sh.scenario_id)
            catalogue_id = sc.catalogue_id if sc is not None else None
    out = SharedContent(sh, n, current_register().by_code(sh.municipality_code).name)
    if sh.kind == "shortlist":
        out.shortlist = shortlist(engine, sh.municipality_code)
    elif catalogue_id is not None:
        out.catalogue = load_catalogue(engine, catalogue_id)
        out.scenario = next((x for x in out.catalogue.scenarios if x.scenario.id == sh.scenario_id), None)
    return out


def marks_on(engine: Engine, user: User | None, target_kind: str, target_id: Any) -> dict[str, Any]:
    """Marks and experiences on one proposal or lever as ``user`` may see them: logged-in users get every
    municipality with its status and contact; the public gets counts (and public experiences without contact)."""
    reg = current_register()
    logged_in = reads.is_logged_in(user)
    with Session(engine, expire_on_commit=False) as s:
        def build() -> tuple[list[reads.MarkView], list[reads.ExperienceView], dict[str, int]]:
            kw: dict[str, Any] = {"proposal_id": int(target_id)} if target_kind == "proposal" else {
                "lever_id": str(target_id)}
            return (reads.marks_for(s, target_kind, target_id), reads.experiences(s, user, **kw),
                    reads.experience_counts(s, target_kind, [int(target_id) if target_kind == "proposal"
                                                             else str(target_id)]))

        # the same for every logged-in user (and for every visitor): kept while the store is unchanged
        views, exps, total_exps = _marks_memo.get((engine.url, target_kind, str(target_id), logged_in),
                                                   revision(s), build)
    counts: dict[str, int] = {k: 0 for k in MARK_STATUSES}
    for v in views:
        counts[v.mark.status] = counts.get(v.mark.status, 0) + 1
    return {"logged_in": logged_in, "counts": counts, "total": len(views),
            "marks": [{"mark": v.mark, "municipality": reg.by_code(v.mark.municipality_code).name,
                       "contact": v.contact} for v in views] if logged_in else [],
            "experiences": [{"experience": e.experience, "contact": e.contact,
                             "municipality": reg.by_code(e.experience.municipality_code).name} for e in exps],
            "experience_total": sum(total_exps.values())}


__all__ = ["ConflictError", "MemberView", "NetworkView", "SharedContent", "change_coordinators", "change_members",
           "create_contact", "create_experience", "create_meeting", "create_network", "delete_contact",
           "delete_experience", "delete_meeting", "delete_network", "edit_contact", "edit_experience",
           "edit_meeting", "edit_network", "find_network", "marks_on", "network_view", "remove_mark", "set_mark",
           "set_notes", "share", "shared_content", "unshare"]
