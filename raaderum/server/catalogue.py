"""The råderumskatalog (issue 13): services that change a municipality's catalogue, its proposals, targets,
scenarios and read-only links.

Every service checks the permission first (:func:`raaderum.server.permissions.require`; services that learn the
municipality from the row they change call :func:`~raaderum.server.permissions.require_some` before they read or
validate anything), then makes the change and writes its audit row (:func:`raaderum.store.audit.record`) in ONE
transaction. Editable rows carry a ``version``: an edit says which version it was made on, and when the row has
moved on since, :class:`ConflictError` says who changed it and when; nothing is overwritten.

Amounts are in 1.000 kr. with savings NEGATIVE, as in the idea bank; staff effect in full-time equivalents
(årsværk), negative = fewer. A proposal's status follows idé → under analyse → i kataloget → vedtaget / fravalgt /
udsat; every change is a dated row of ``catalogue_status_history`` (the first row is the proposal's creation).

Who may read: the operator any catalogue; editors and readers their own municipality's (:func:`can_read`);
anyone holding a live read-only link (:func:`create_share_link`) that one catalogue.

**The embedded default's local user.** On one person's own machine (``raaderum serve`` bound to 127.0.0.1 with
the SQLite file and NO user accounts) there is nobody to log in as. :func:`local_actor` then returns a local user
— an *editor* of the municipality chosen once with :func:`choose_local_municipality` — but ONLY when all three
hold: the app store has no user account at all, the request comes from the loopback address (127.0.0.1 or ::1),
and its Host header names the loopback (``127.0.0.1``, ``localhost`` or ``[::1]``, so that a page on another
site cannot reach it through a rebinding DNS name). As soon as one account exists (``raaderum users add``),
the local user is gone and everyone logs in. Its changes are audited under the name :data:`LOCAL_ACTOR_NAME`.

    >>> cat = create_catalogue(engine, editor, 751, 2027, "Råderumskatalog 2027")                 # doctest: +SKIP
    >>> p = adopt_proposal(engine, editor, cat.id, 12)                                            # doctest: +SKIP
    >>> set_status(engine, editor, p.id, p.version, "under_analyse")                              # doctest: +SKIP
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from raaderum.analysis.benchmark import resolve_reference
from raaderum.catalog import load_catalog
from raaderum.errors import (  # re-exported: the errors of this service
    CatalogueNotFound,
    CatalogueProposalNotFound,
    ConflictError,
    InputError,
    PermissionDenied,
    ProposalNotFound,
    ScenarioNotFound,
    UnknownArea,
)
from raaderum.ideas.amounts import parse_amount
from raaderum.ideas.committees import clean_committee_name
from raaderum.release.reader import current_register
from raaderum.server.permissions import OPERATOR, require, require_some
from raaderum.server.workspace import _conflict, _revoke_link, _version, local_time
from raaderum.store.audit import record, snapshot
from raaderum.store.catalogue import PERIODS, has_accounts, local_choice
from raaderum.store.committees import committee_mapping
from raaderum.store.models import (
    CATALOGUE_DEFAULT_STATUS,
    CATALOGUE_STATUSES,
    EDITOR,
    Catalogue,
    CatalogueProposal,
    CatalogueScenario,
    CatalogueScenarioItem,
    CatalogueShareLink,
    CatalogueStatusChange,
    CatalogueTarget,
    LocalWorkspace,
    Proposal,
    ProposalStatus,
    User,
    utcnow,
)

#: The name of the embedded default's local user in the audit log and on the pages.
LOCAL_ACTOR_NAME = "lokal bruger"
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

MAX_TITLE, MAX_TEXT, MAX_NAME = 500, 20000, 200
#: Characters never accepted in text (control characters except tab and newline; lone surrogates).
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

#: The fields of a catalogue proposal a user may set, with the form's Danish label.
PROPOSAL_FIELDS: dict[str, str] = {
    "title": "Titel", "description": "Beskrivelse", "committee": "Udvalg", "area_id": "Område",
    "consequences_service": "Konsekvenser for service", "consequences_staff": "Konsekvenser for personale",
    "consequences_citizens": "Konsekvenser for borgerne", "amount_b": "B (budgetår)", "amount_bo1": "BO1",
    "amount_bo2": "BO2", "amount_bo3": "BO3", "one_off_investment": "Engangsinvestering",
    "staff_effect": "Personaleeffekt (årsværk)", "owner": "Ansvarlig",
}
AMOUNT_FIELDS = ("amount_b", "amount_bo1", "amount_bo2", "amount_bo3", "one_off_investment")
TEXT_LIMITS = {"title": MAX_TITLE, "description": MAX_TEXT, "consequences_service": MAX_TEXT,
               "consequences_staff": MAX_TEXT, "consequences_citizens": MAX_TEXT, "owner": MAX_NAME}


# ------------------------------------------------------------------------------------------------ reading rights


def can_read(user: User | None, municipality_code: int) -> bool:
    """May ``user`` read the municipality's catalogues? The operator any; editors and readers their own."""
    if user is None or user.disabled:
        return False
    if user.role == OPERATOR:
        return True
    return user.municipality_code is not None and user.municipality_code == int(municipality_code)


def require_read(user: User | None, municipality_code: int) -> User:
    """``user`` when :func:`can_read`; :class:`PermissionDenied` with a Danish reason otherwise."""
    if can_read(user, municipality_code):
        assert user is not None
        return user
    if user is None:
        raise PermissionDenied("Du skal være logget ind for at se kommunens råderumskatalog (eller have et "
                               "læselink).")
    raise PermissionDenied("Du kan kun se din egen kommunes råderumskataloger (eller et katalog, du har fået et "
                           "læselink til).")


# ------------------------------------------------------------------------------------------------ local user


def _host_name(host_header: str | None) -> str:
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_local_request(client_host: str | None, host_header: str | None) -> bool:
    """From the loopback address, to a loopback host name (see the module docstring)."""
    return (client_host or "") in LOOPBACK_ADDRESSES and _host_name(host_header) in LOOPBACK_HOSTS


def local_actor(engine: Engine, client_host: str | None, host_header: str | None) -> User | None:
    """The embedded default's local user (an editor of the chosen municipality; ``municipality_code`` None before
    the choice), or None: when any user account exists, or the request is not local (module docstring)."""
    if not is_local_request(client_host, host_header) or has_accounts(engine):
        return None
    choice = local_choice(engine)
    return User(id=None, name=LOCAL_ACTOR_NAME, role=EDITOR,
                municipality_code=choice.municipality_code if choice else None, password_hash="", disabled=False)


def choose_local_municipality(engine: Engine, client_host: str | None, host_header: str | None,
                              municipality: int | str) -> LocalWorkspace:
    """The local user's choice of municipality (made once; it can be changed the same way), audited. Refused
    (:class:`PermissionDenied`) when the request is not local or any user account exists."""
    if not is_local_request(client_host, host_header):
        raise PermissionDenied("Kommunen kan kun vælges uden login på din egen maskine (127.0.0.1).")
    code = int(current_register().resolve(str(municipality).strip()).code)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if s.scalar(select(User.id).limit(1)) is not None:
            raise PermissionDenied("Der findes brugerkonti i Råderum: log ind for at bruge råderumskataloget.")
        row = s.get(LocalWorkspace, 1)
        before = snapshot(row) if row is not None else None
        if row is None:
            row = LocalWorkspace(id=1, municipality_code=code, chosen_at=utcnow(), chosen_by=LOCAL_ACTOR_NAME)
            s.add(row)
        elif row.municipality_code == code:
            return row
        else:
            row.municipality_code, row.chosen_at = code, utcnow()
        s.flush()
        record(s, LOCAL_ACTOR_NAME, "catalogue.local", "local_workspace", 1, before, snapshot(row), code)
        return row


# ------------------------------------------------------------------------------------------------ validation


def clean_text(value: Any, limit: int, what: str) -> str:
    """Text as stored: CRLF → LF, stripped; :class:`InputError` when too long or with a control character."""
    text = ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()
    found = _BAD.search(text)
    if found:
        raise InputError(f"{what} indeholder et tegn, der ikke er tilladt i tekst (kontroltegn "
                         f"U+{ord(found.group()):04X}); intet er gemt.")
    if len(text) > limit:
        raise InputError(f"{what} er for lang ({len(text)} tegn; højst {limit}).")
    return text


def _year(value: Any) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError(f"Budgetåret skal være et årstal, ikke {value!r}.") from None
    if not 2000 <= year <= 2100:
        raise InputError(f"Budgetåret {year} ligger uden for 2000-2100.")
    return year


def _name(value: Any, what: str = "Navnet") -> str:
    name = " ".join(clean_text(value, MAX_NAME, what).split())
    if not name:
        raise InputError(f"{what} må ikke være tomt.")
    return name


def parse_amount_field(value: Any, label: str) -> float | None:
    """An amount in 1.000 kr. as typed (Danish formats: '-1.250', '-1.250,5', '1,5 mio.'; '' or '-' = unknown);
    :class:`InputError` naming the field otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        parsed = parse_amount(str(value).replace("+", "", 1) if str(value).strip().startswith("+") else value)
        if parsed.error:
            raise InputError(f"{label}: {parsed.error}")
        if parsed.value is None:
            return None
        number = float(parsed.value)
    if number != number or abs(number) > 1e9:
        raise InputError(f"{label}: {value!r} er ikke et rimeligt beløb i 1.000 kr.")
    return number


def _staff(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        v: float | None = float(value)
    else:
        text = str(value).strip().replace("\xa0", "").replace(" ", "").replace("−", "-").replace("+", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            v = float(text)
        except ValueError:
            raise InputError(f"Personaleeffekt: {value!r} er ikke et antal årsværk (skriv fx -2,5).") from None
    if v is not None and (v != v or abs(v) > 100_000):
        raise InputError(f"Personaleeffekten {value!r} årsværk er ikke rimelig (højst ±100.000).")
    return v


def _area(value: Any) -> str | None:
    area_id = ("" if value is None else str(value)).strip() or None
    if area_id is None:
        return None
    cat = load_catalog()
    if area_id not in {a.id for a in cat.areas} | {t.id for t in cat.themes}:
        raise UnknownArea(f"Ukendt område eller tema: {area_id!r}.")
    return area_id


def municipality_committees(source: Any, municipality_code: int) -> list[str]:
    """The municipality's own committee names (its mapping in :mod:`raaderum.store.committees`), sorted."""
    return sorted(set(committee_mapping(source, municipality_code).values()))


def _committee(s: Session, code: int, value: Any, area_id: str | None, current: str | None = None) -> str:
    """The committee as the municipality names it: the given one (matched ignoring case and spacing), else the
    committee of the area in the municipality's mapping."""
    mapping = committee_mapping(s, code)
    name = clean_committee_name(None if value is None else str(value))
    if not name:
        if area_id:
            return mapping[area_id]
        if current:
            return current
        raise InputError("Vælg et udvalg (eller et område, så bruges områdets udvalg).")
    if current and name.casefold() == " ".join(current.split()).casefold():
        return current
    known = {c.casefold(): c for c in mapping.values()}
    if name.casefold() not in known:
        raise InputError(f"Udvalget {name!r} findes ikke i kommunens udvalgsopdeling. Kendte udvalg: "
                         f"{', '.join(sorted(set(mapping.values())))}.")
    return known[name.casefold()]


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Form input → proposal columns (all but the committee, which needs the municipality's mapping)."""
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise InputError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
    out: dict[str, Any] = {}
    for f, limit in TEXT_LIMITS.items():
        if f in fields:
            out[f] = clean_text(fields[f], limit, PROPOSAL_FIELDS[f])
    if "title" in out and not out["title"]:
        raise InputError("Forslaget skal have en titel.")
    if "owner" in out:
        out["owner"] = " ".join(out["owner"].split())
    if "area_id" in fields:
        out["area_id"] = _area(fields["area_id"])
    for f in AMOUNT_FIELDS:
        if f in fields:
            out[f] = parse_amount_field(fields[f], PROPOSAL_FIELDS[f])
    if "staff_effect" in fields:
        out["staff_effect"] = _staff(fields["staff_effect"])
    return out


def _status(value: Any) -> str:
    status = ("" if value is None else str(value)).strip().casefold().replace(" ", "_").replace("é", "e")
    aliases = {label.casefold().replace(" ", "_").replace("é", "e"): key for key, label in CATALOGUE_STATUSES.items()}
    status = aliases.get(status, status)
    if status not in CATALOGUE_STATUSES:
        raise InputError(f"Ukendt status {value!r}; brug {', '.join(CATALOGUE_STATUSES)}.")
    return status


# ------------------------------------------------------------------------------------------------ loading


def _catalogue_for_change(s: Session, user: User, action: str, catalogue_id: int) -> Catalogue:
    c = s.get(Catalogue, int(catalogue_id))
    if c is None:
        raise CatalogueNotFound(f"Råderumskatalog nr. {catalogue_id} findes ikke.")
    require(user, action, c.municipality_code)
    return c


def _proposal_for_change(s: Session, user: User, action: str, proposal_id: int, version: Any
                         ) -> tuple[CatalogueProposal, int]:
    p = s.get(CatalogueProposal, int(proposal_id))
    if p is None:
        raise CatalogueProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i noget råderumskatalog.")
    require(user, action, p.municipality_code)
    had = _version(version)
    if p.version != had:
        raise _conflict(s, "Forslaget", "catalogue_proposal", p.id, had, p.version)
    return p, had


def _history(s: Session, p: CatalogueProposal, before: str | None, user: User, note: str = "") -> None:
    s.add(CatalogueStatusChange(proposal_id=p.id, from_status=before, to_status=p.status, at=p.status_changed_at,
                                by=user.name, note=note))


def _flush(s: Session, what: str, entity: str, entity_id: Any, had: int | None) -> None:
    try:
        s.flush()
    except StaleDataError:
        raise _conflict(s, what, entity, entity_id, had, None) from None


# ------------------------------------------------------------------------------------------------ catalogues


def create_catalogue(engine: Engine, user: User, municipality_code: int, budget_year: Any, name: Any, *,
                     reference: str = "peer_mean") -> Catalogue:
    """A new catalogue of the municipality for ``budget_year`` (action ``catalogue.create``)."""
    require(user, "catalogue.create", municipality_code)
    code = int(current_register().by_code(int(municipality_code)).code)
    year, title, ref = _year(budget_year), _name(name, "Katalogets navn"), resolve_reference(reference)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if s.scalar(select(Catalogue.id).where(Catalogue.municipality_code == code, Catalogue.budget_year == year,
                                               Catalogue.name == title)) is not None:
            raise InputError(f"Kommunen har allerede et katalog ved navn {title!r} for budget {year}; vælg et "
                             "andet navn.")
        now = utcnow()
        c = Catalogue(municipality_code=code, budget_year=year, name=title, reference=ref, created_at=now,
                      created_by=user.name, updated_at=now, updated_by=user.name)
        s.add(c)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError("Et katalog med samme navn blev oprettet i samme øjeblik; genindlæs siden.") from None
        record(s, user, "catalogue.create", "catalogue", c.id, None, snapshot(c), code)
        return c


def edit_catalogue(engine: Engine, user: User, catalogue_id: int, version: Any, *, name: Any = None,
                   budget_year: Any = None, reference: str | None = None) -> Catalogue:
    """Rename a catalogue, move it to another budget year or change the benchmark reference of its gaps."""
    require_some(user, "catalogue.edit")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.edit", catalogue_id)
        had = _version(version)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = _name(name, "Katalogets navn")
        if budget_year is not None:
            values["budget_year"] = _year(budget_year)
        if reference is not None:
            values["reference"] = resolve_reference(reference)
        if c.version != had:
            raise _conflict(s, "Kataloget", "catalogue", c.id, had, c.version)
        changed = {k: v for k, v in values.items() if getattr(c, k) != v}
        if not changed:
            return c
        before = snapshot(c)
        for k, v in changed.items():
            setattr(c, k, v)
        c.updated_at, c.updated_by = utcnow(), user.name
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Kataloget", "catalogue", catalogue_id, had, None) from None
        except IntegrityError:
            raise InputError("Kommunen har allerede et katalog med det navn for det budgetår.") from None
        record(s, user, "catalogue.edit", "catalogue", c.id, before, snapshot(c), c.municipality_code)
        return c


# ------------------------------------------------------------------------------------------------ proposals


def _new_proposal(s: Session, c: Catalogue, user: User, values: dict[str, Any]) -> CatalogueProposal:
    now = utcnow()
    p = CatalogueProposal(catalogue_id=c.id, municipality_code=c.municipality_code, status=CATALOGUE_DEFAULT_STATUS,
                          status_changed_at=now, created_at=now, created_by=user.name, updated_at=now,
                          updated_by=user.name, source_municipality_name="", source_title="",
                          **{k: "" for k in TEXT_LIMITS}, committee="")
    for k, v in values.items():
        setattr(p, k, v)
    s.add(p)
    s.flush()
    return p


def add_proposal(engine: Engine, user: User, catalogue_id: int, fields: dict[str, Any]) -> CatalogueProposal:
    """A new proposal in the catalogue (title required; committee from the area when not given, and without an
    area the municipality's finance committee, as for the cross-cutting themes)."""
    require_some(user, "catalogue.edit")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.edit", catalogue_id)
        values = clean_fields(fields)
        if not values.get("title"):
            raise InputError("Forslaget skal have en titel.")
        values["committee"] = _committee(s, c.municipality_code, fields.get("committee"),
                                         values.get("area_id") or _finance_area())
        p = _new_proposal(s, c, user, values)
        _history(s, p, None, user, "Oprettet i kataloget.")
        record(s, user, "catalogue.proposal.add", "catalogue_proposal", p.id, None, snapshot(p), c.municipality_code)
        return p


def adopt_proposal(engine: Engine, user: User, catalogue_id: int, source_proposal_id: int,
                   fields: dict[str, Any] | None = None) -> CatalogueProposal:
    """"Brug som eget forslag": a copy of an idea-bank proposal (title, description, area, amounts, one-off
    investment) in the catalogue, with a link to the source proposal and its municipality; ``fields`` override
    the copy, and everything can be rewritten afterwards."""
    require_some(user, "catalogue.edit")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.edit", catalogue_id)
        src = s.get(Proposal, int(source_proposal_id))
        if src is None:
            raise ProposalNotFound(f"Forslag nr. {source_proposal_id} findes ikke i idébanken.")
        st = s.get(ProposalStatus, src.id)
        if st is not None and st.withdrawn_at is not None:
            raise InputError(f"Forslag nr. {src.id} er trukket tilbage i idébanken og kan ikke bruges.")
        overrides = clean_fields(fields or {})
        area = src.area_id if src.area_id and _known_area(src.area_id) else None
        values: dict[str, Any] = {
            "title": _scrub(src.title or " ".join(src.description.split()), MAX_TITLE)
            or f"Forslag fra {src.municipality_name}",
            "description": _scrub(src.description, MAX_TEXT), "area_id": area,
            **{f: getattr(src, f) for f in AMOUNT_FIELDS},
            "source_proposal_id": src.id, "source_municipality_code": src.municipality_code,
            "source_municipality_name": src.municipality_name, "source_budget_year": src.budget_year,
            "source_title": src.title or "", **overrides}
        values["committee"] = _committee(s, c.municipality_code, (fields or {}).get("committee"),
                                         values["area_id"] or _finance_area())
        p = _new_proposal(s, c, user, values)
        sample = " (eksempeldata)" if src.is_sample else ""
        _history(s, p, None, user, f"Hentet fra idébanken: forslag nr. {src.id} fra {src.municipality_name} "
                                   f"Kommune, budget {src.budget_year}{sample}.")
        record(s, user, "catalogue.proposal.adopt", "catalogue_proposal", p.id, None, snapshot(p),
               c.municipality_code)
        return p


def _scrub(text: str | None, limit: int) -> str:
    """Imported text as a catalogue stores it: control characters dropped, cut at ``limit``."""
    return _BAD.sub("", (text or "").replace("\r\n", "\n")).strip()[:limit]


def _finance_area() -> str | None:
    """A theme's id: its committee is the municipality's finance committee (for proposals without an area)."""
    themes = load_catalog().themes
    return themes[0].id if themes else None


def _known_area(area_id: str) -> bool:
    cat = load_catalog()
    return area_id in {a.id for a in cat.areas} | {t.id for t in cat.themes}


def edit_proposal(engine: Engine, user: User, proposal_id: int, version: Any,
                  fields: dict[str, Any]) -> CatalogueProposal:
    """Change a proposal's fields, made on ``version`` (:class:`ConflictError` when someone saved in between)."""
    require_some(user, "catalogue.edit")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        p, had = _proposal_for_change(s, user, "catalogue.edit", proposal_id, version)
        values = clean_fields(fields)
        if "committee" in fields or ("area_id" in values and values["area_id"] != p.area_id):
            values["committee"] = _committee(s, p.municipality_code, fields.get("committee"),
                                             values.get("area_id", p.area_id), p.committee)
        changed = {k: v for k, v in values.items() if getattr(p, k) != v}
        if not changed:
            return p
        before = snapshot(p)
        for k, v in changed.items():
            setattr(p, k, v)
        p.updated_at, p.updated_by = utcnow(), user.name
        _flush(s, "Forslaget", "catalogue_proposal", proposal_id, had)
        record(s, user, "catalogue.proposal.edit", "catalogue_proposal", p.id, before, snapshot(p),
               p.municipality_code)
        return p


def set_status(engine: Engine, user: User, proposal_id: int, version: Any, status: Any,
               note: Any = "") -> CatalogueProposal:
    """Move a proposal to ``status`` (idé, under analyse, i kataloget, vedtaget, fravalgt, udsat) with a dated row
    in its history (and an optional note)."""
    require_some(user, "catalogue.status")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        p, had = _proposal_for_change(s, user, "catalogue.status", proposal_id, version)
        new, text = _status(status), clean_text(note, MAX_TEXT, "Bemærkningen")
        if new == p.status and not text:
            return p
        before, old = snapshot(p), p.status
        p.status, p.status_changed_at = new, utcnow()
        p.updated_at, p.updated_by = p.status_changed_at, user.name
        _flush(s, "Forslaget", "catalogue_proposal", proposal_id, had)
        _history(s, p, old, user, text)
        record(s, user, "catalogue.status", "catalogue_proposal", p.id, before, snapshot(p), p.municipality_code)
        return p


# ------------------------------------------------------------------------------------------------ targets


def set_target(engine: Engine, user: User, catalogue_id: int, committee: Any, amounts: dict[str, Any],
               version: Any) -> CatalogueTarget:
    """Set the råderum target per year (``amounts``: period b/bo1/bo2/bo3 → 1.000 kr., savings negative; '' clears
    a year) of the whole catalogue (``committee`` '' or None) or of one committee, made on ``version`` (0 when the
    target did not exist)."""
    require_some(user, "catalogue.target")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.target", catalogue_id)
        had = _version(version)
        unknown = set(amounts) - set(PERIODS)
        if unknown:
            raise InputError(f"Ukendte år for målet: {', '.join(sorted(unknown))}; brug b, bo1, bo2 og bo3.")
        values = {f"amount_{p}": parse_amount_field(v, f"Mål for {p.upper()}") for p, v in amounts.items()}
        name = clean_committee_name(None if committee is None else str(committee))
        if name:
            name = _committee(s, c.municipality_code, name, None,
                              _existing_committee(s, c.id, name))
        row = s.scalar(select(CatalogueTarget).where(CatalogueTarget.catalogue_id == c.id,
                                                     CatalogueTarget.committee == name))
        current = row.version if row is not None else 0
        if current != had:
            raise _conflict(s, f"Målet for {name or 'hele kataloget'}", "catalogue_target",
                            row.id if row else "-", had, current)
        if row is None:
            row = CatalogueTarget(catalogue_id=c.id, committee=name, updated_at=utcnow(), updated_by=user.name,
                                  **values)
            s.add(row)
            before = None
        else:
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if not changed:
                return row
            before = snapshot(row)
            for k, v in changed.items():
                setattr(row, k, v)
            row.updated_at, row.updated_by = utcnow(), user.name
        try:
            s.flush()
        except (StaleDataError, IntegrityError):
            raise _conflict(s, f"Målet for {name or 'hele kataloget'}", "catalogue_target", "-", had, None) from None
        record(s, user, "catalogue.target", "catalogue_target", row.id, before, snapshot(row), c.municipality_code)
        return row


def _existing_committee(s: Session, catalogue_id: int, name: str) -> str | None:
    """A committee the catalogue already uses under that name (so an old committee name can keep its target)."""
    key = name.casefold()
    used = set(s.scalars(select(CatalogueProposal.committee).where(CatalogueProposal.catalogue_id == catalogue_id)))
    used |= set(s.scalars(select(CatalogueTarget.committee).where(CatalogueTarget.catalogue_id == catalogue_id)))
    return next((u for u in used if u and u.casefold() == key), None)


# ------------------------------------------------------------------------------------------------ scenarios


def _member_ids(s: Session, catalogue_id: int, ids: Iterable[Any]) -> set[int]:
    wanted: set[int] = set()
    for v in ids:
        try:
            wanted.add(int(str(v).strip()))
        except ValueError:
            raise InputError(f"Ugyldigt forslagsnummer {v!r}.") from None
    if not wanted:
        return wanted
    if any(not 1 <= i <= 2**31 - 1 for i in wanted):
        raise InputError("Et forslagsnummer er uden for det tilladte område.")
    found = set(s.scalars(select(CatalogueProposal.id).where(CatalogueProposal.catalogue_id == catalogue_id,
                                                             CatalogueProposal.id.in_(list(wanted)))))
    missing = sorted(wanted - found)
    if missing:
        raise InputError(f"Forslag {', '.join(map(str, missing))} er ikke i dette katalog.")
    return wanted


def _members(s: Session, scenario_id: int) -> list[int]:
    return sorted(s.scalars(select(CatalogueScenarioItem.proposal_id)
                            .where(CatalogueScenarioItem.scenario_id == scenario_id)))


def create_scenario(engine: Engine, user: User, catalogue_id: int, name: Any, *, description: Any = "",
                    proposal_ids: Iterable[Any] = ()) -> CatalogueScenario:
    """A named scenario: a subset of the catalogue's proposals."""
    require_some(user, "catalogue.scenario")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.scenario", catalogue_id)
        title, text = _name(name, "Scenariets navn"), clean_text(description, MAX_TEXT, "Beskrivelsen")
        ids = _member_ids(s, c.id, proposal_ids)
        if s.scalar(select(CatalogueScenario.id).where(CatalogueScenario.catalogue_id == c.id,
                                                       CatalogueScenario.name == title)) is not None:
            raise InputError(f"Kataloget har allerede et scenarie ved navn {title!r}.")
        now = utcnow()
        sc = CatalogueScenario(catalogue_id=c.id, name=title, description=text, created_at=now, created_by=user.name,
                               updated_at=now, updated_by=user.name)
        s.add(sc)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError("Et scenarie med samme navn blev oprettet i samme øjeblik; genindlæs siden.") from None
        s.add_all([CatalogueScenarioItem(scenario_id=sc.id, proposal_id=i) for i in sorted(ids)])
        s.flush()
        record(s, user, "catalogue.scenario.create", "catalogue_scenario", sc.id, None,
               {**snapshot(sc), "proposal_ids": sorted(ids)}, c.municipality_code)
        return sc


def edit_scenario(engine: Engine, user: User, scenario_id: int, version: Any, *, name: Any = None,
                  description: Any = None, proposal_ids: Iterable[Any] | None = None, add: Iterable[Any] = (),
                  remove: Iterable[Any] = ()) -> CatalogueScenario:
    """Rename a scenario, change its description, or its members: all of them (``proposal_ids``), or some
    (``add``, ``remove``); made on ``version``."""
    require_some(user, "catalogue.scenario")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        sc = s.get(CatalogueScenario, int(scenario_id))
        if sc is None:
            raise ScenarioNotFound(f"Scenarie nr. {scenario_id} findes ikke.")
        c = _catalogue_for_change(s, user, "catalogue.scenario", sc.catalogue_id)
        had = _version(version)
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = _name(name, "Scenariets navn")
        if description is not None:
            values["description"] = clean_text(description, MAX_TEXT, "Beskrivelsen")
        old = set(_members(s, sc.id))
        new = _member_ids(s, c.id, proposal_ids) if proposal_ids is not None else set(old)
        new = (new | _member_ids(s, c.id, add)) - _member_ids(s, c.id, remove)
        if sc.version != had:
            raise _conflict(s, "Scenariet", "catalogue_scenario", sc.id, had, sc.version)
        changed = {k: v for k, v in values.items() if getattr(sc, k) != v}
        if not changed and new == old:
            return sc
        before = {**snapshot(sc), "proposal_ids": sorted(old)}
        for k, v in changed.items():
            setattr(sc, k, v)
        sc.updated_at, sc.updated_by = utcnow(), user.name  # bumps the version, also for a change of members only
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Scenariet", "catalogue_scenario", scenario_id, had, None) from None
        except IntegrityError:
            raise InputError(f"Kataloget har allerede et scenarie ved navn {values.get('name')!r}.") from None
        if old - new:
            s.execute(delete(CatalogueScenarioItem).where(CatalogueScenarioItem.scenario_id == sc.id,
                                                          CatalogueScenarioItem.proposal_id.in_(sorted(old - new))))
        s.add_all([CatalogueScenarioItem(scenario_id=sc.id, proposal_id=i) for i in sorted(new - old)])
        s.flush()
        record(s, user, "catalogue.scenario.edit", "catalogue_scenario", sc.id, before,
               {**snapshot(sc), "proposal_ids": sorted(new)}, c.municipality_code)
        return sc


def delete_scenario(engine: Engine, user: User, scenario_id: int, version: Any) -> None:
    """Delete a scenario (its proposals stay in the catalogue), made on ``version``."""
    require_some(user, "catalogue.scenario")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        sc = s.get(CatalogueScenario, int(scenario_id))
        if sc is None:
            raise ScenarioNotFound(f"Scenarie nr. {scenario_id} findes ikke.")
        c = _catalogue_for_change(s, user, "catalogue.scenario", sc.catalogue_id)
        had = _version(version)
        if sc.version != had:
            raise _conflict(s, "Scenariet", "catalogue_scenario", sc.id, had, sc.version)
        before = {**snapshot(sc), "proposal_ids": _members(s, sc.id)}
        s.delete(sc)
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Scenariet", "catalogue_scenario", scenario_id, had, None) from None
        record(s, user, "catalogue.scenario.delete", "catalogue_scenario", scenario_id, before, None,
               c.municipality_code)


# ------------------------------------------------------------------------------------------------ read-only links


def create_share_link(engine: Engine, user: User, catalogue_id: int) -> CatalogueShareLink:
    """A read-only link to the catalogue (``/katalog/del/<token>``); the token is never written to the audit log."""
    require_some(user, "catalogue.share")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = _catalogue_for_change(s, user, "catalogue.share", catalogue_id)
        link = CatalogueShareLink(token=secrets.token_urlsafe(24), catalogue_id=c.id,
                                  municipality_code=c.municipality_code, created_by=user.name, created_at=utcnow())
        s.add(link)
        s.flush()
        record(s, user, "catalogue.share", "catalogue_share_link", link.token[:8] + "…", None,
               snapshot(link, ("token",)), c.municipality_code)
        return link


def revoke_share_link(engine: Engine, user: User, token: str) -> CatalogueShareLink:
    """Revoke a read-only link (a revoked link stays stored, with who and when)."""
    return _revoke_link(engine, user, CatalogueShareLink, token,  # type: ignore[no-any-return]
                       action="catalogue.share", audit_action="catalogue.unshare", entity="catalogue_share_link",
                       missing="Læselinket findes ikke.")


def changed_at(dt: datetime | None) -> str:
    """'29.11.2026 kl. 14:05' (Danish time)."""
    return local_time(dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC))


__all__ = ["AMOUNT_FIELDS", "LOCAL_ACTOR_NAME", "PROPOSAL_FIELDS", "CatalogueNotFound", "CatalogueProposalNotFound",
           "ConflictError", "ScenarioNotFound", "adopt_proposal", "add_proposal", "can_read", "changed_at",
           "choose_local_municipality", "clean_fields", "clean_text", "create_catalogue", "create_scenario",
           "create_share_link", "delete_scenario", "edit_catalogue", "edit_proposal", "edit_scenario",
           "is_local_request", "local_actor", "municipality_committees", "require_read", "revoke_share_link",
           "set_status", "set_target"]
