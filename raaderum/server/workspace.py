"""The municipal workspace (arbejdsrum): shortlist, share links, the municipality's own proposals, its committee
mapping and notes. Every change is a service: it is authorised with :func:`raaderum.server.permissions.require`
before anything else happens (services that learn the municipality from the row they change call
:func:`~raaderum.server.permissions.require_some` first, then :func:`~raaderum.server.permissions.require` with the
row's municipality, before they validate any input) and written to the audit log in the same transaction.

Optimistic locking: every editable row carries a ``version``. An edit says which version it was made on; when the
row has moved on since, :class:`ConflictError` tells who changed it and when, and nothing is overwritten.

Own proposals are ordinary rows in ``proposals`` (so the idea bank finds them) in one import batch per
municipality named "Arbejdsrum: <kommune>". ``proposal_status`` says who created a proposal in the workspace and
whether it is withdrawn (a withdrawn proposal stays in the table, for the audit trail; lists and searches should
leave it out, see :func:`withdrawn_ids`).

    >>> item = add_to_shortlist(engine, editor, 751, proposal_id=12)                     # doctest: +SKIP
    >>> update_shortlist_item(engine, editor, item.id, item.version, status="fravalgt")    # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from raaderum.catalog import load_catalog
from raaderum.errors import (  # re-exported: the errors of this service
    ConflictError,
    InputError,
    ProposalNotFound,
    ShareLinkNotFound,
    ShortlistItemNotFound,
    UnknownArea,
)
from raaderum.ideas.committees import clean_committee_name, default_mapping
from raaderum.ideas.records import ProposalRecord
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.release.reader import current_register
from raaderum.server.permissions import require, require_some
from raaderum.store.audit import last_change, record, snapshot
from raaderum.store.committees import committee_entries, committee_mapping  # re-exported
from raaderum.store.ideas import (
    _to_record,
    withdrawn_ids,  # withdrawn_ids re-exported
)
from raaderum.store.models import (
    DEFAULT_STATUS,
    STATUSES,
    CommitteeMapping,
    ImportBatch,
    Proposal,
    ProposalStatus,
    ShareLink,
    ShortlistItem,
    User,
    WorkspaceNote,
    utcnow,
)

MAX_COMMENT = 5000
MAX_NOTE = 20000
_TZ = ZoneInfo("Europe/Copenhagen")


# ------------------------------------------------------------------------------------------------ helpers


def local_time(dt: datetime | None) -> str:
    """'29.11.2026 kl. 14:05' in Danish time."""
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(_TZ).strftime("%d.%m.%Y kl. %H:%M")


def _conflict(s: Session, what: str, entity: str, entity_id: Any, had: int | None, now: int | None) -> ConflictError:
    last = last_change(s, entity, entity_id)
    who = f"af {last.user_name} {local_time(last.at)}" if last else "af en anden"
    return ConflictError(
        f"{what} er blevet ændret {who}, efter du åbnede det (du rettede version {had}, nu er det version {now}). "
        "Dine ændringer er IKKE gemt, og intet er overskrevet. Genindlæs siden, se de nye oplysninger, og foretag "
        "dine ændringer igen.")


def _version(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"Ugyldigt versionsnummer {value!r}; genindlæs siden.") from None


def _clean_text(value: str | None, limit: int, what: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InputError(f"{what} er for lang ({len(text)} tegn; højst {limit}).")
    return text


def _check_municipality(code: int) -> str:
    return current_register().by_code(int(code)).name


# ------------------------------------------------------------------------------------------------ shortlist


@dataclass
class ShortlistRow:
    item: ShortlistItem
    proposal: ProposalRecord
    withdrawn: bool

    @property
    def updated(self) -> str:
        return local_time(self.item.updated_at)


def shortlist(engine: Engine, municipality_code: int) -> list[ShortlistRow]:
    """The municipality's shortlist, newest change first."""
    with Session(engine, expire_on_commit=False) as s:
        rows = s.execute(select(ShortlistItem, Proposal, ProposalStatus.withdrawn_at)
                         .join(Proposal, Proposal.id == ShortlistItem.proposal_id)
                         .outerjoin(ProposalStatus, ProposalStatus.proposal_id == Proposal.id)
                         .where(ShortlistItem.municipality_code == int(municipality_code))
                         .order_by(ShortlistItem.updated_at.desc(), ShortlistItem.id.desc())).all()
        return [ShortlistRow(item, _to_record(p), w is not None) for item, p, w in rows]


def _status(status: str | None) -> str:
    status = (status or DEFAULT_STATUS).strip()
    if status not in STATUSES:
        raise InputError(f"Ukendt status {status!r}; brug {', '.join(STATUSES)}.")
    return status


def add_to_shortlist(engine: Engine, user: User, municipality_code: int, proposal_id: int, *,
                     status: str | None = None, comment: str | None = None) -> ShortlistItem:
    """Put a proposal on the municipality's shortlist (an entry already there is returned unchanged)."""
    require(user, "shortlist.add", municipality_code)
    status = _status(status)
    comment = _clean_text(comment, MAX_COMMENT, "Kommentaren")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if s.get(Proposal, int(proposal_id)) is None:
            raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.")
        existing = s.scalar(select(ShortlistItem).where(ShortlistItem.municipality_code == int(municipality_code),
                                                        ShortlistItem.proposal_id == int(proposal_id)))
        if existing is not None:
            return existing
        now = utcnow()
        item = ShortlistItem(municipality_code=int(municipality_code), proposal_id=int(proposal_id), status=status,
                             comment=comment, created_by=user.name, created_at=now, updated_by=user.name,
                             updated_at=now)
        s.add(item)
        try:
            s.flush()
        except IntegrityError:
            raise ConflictError("Forslaget blev sat på kortlisten af en anden i samme øjeblik; genindlæs siden."
                                ) from None
        record(s, user, "shortlist.add", "shortlist_item", item.id, None, snapshot(item), item.municipality_code)
    return item


def get_shortlist_item(engine: Engine, item_id: int) -> ShortlistItem:
    with Session(engine, expire_on_commit=False) as s:
        item = s.get(ShortlistItem, int(item_id))
        if item is None:
            raise ShortlistItemNotFound(f"Punkt nr. {item_id} findes ikke på nogen kortliste (måske er det fjernet).")
        return item


def update_shortlist_item(engine: Engine, user: User, item_id: int, version: Any, *, status: str | None = None,
                          comment: str | None = None) -> ShortlistItem:
    """Change status and/or comment of an entry, made on ``version`` (:class:`ConflictError` if it moved on)."""
    require_some(user, "shortlist.update")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        item = s.get(ShortlistItem, int(item_id))
        if item is None:
            raise ShortlistItemNotFound(f"Punkt nr. {item_id} findes ikke på nogen kortliste (måske er det fjernet).")
        require(user, "shortlist.update", item.municipality_code)
        had = _version(version)
        new_status = _status(status) if status is not None else item.status
        new_comment = _clean_text(comment, MAX_COMMENT, "Kommentaren") if comment is not None else item.comment
        if item.version != had:
            raise _conflict(s, "Kortlistepunktet", "shortlist_item", item.id, had, item.version)
        before = snapshot(item)
        item.status, item.comment = new_status, new_comment
        item.updated_by, item.updated_at = user.name, utcnow()
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Kortlistepunktet", "shortlist_item", item_id, had, None) from None
        record(s, user, "shortlist.update", "shortlist_item", item.id, before, snapshot(item), item.municipality_code)
    return item


def remove_from_shortlist(engine: Engine, user: User, item_id: int, version: Any = None) -> None:
    """Remove an entry (made on ``version`` when given)."""
    require_some(user, "shortlist.remove")
    with Session(engine) as s, s.begin():
        item = s.get(ShortlistItem, int(item_id))
        if item is None:
            raise ShortlistItemNotFound(f"Punkt nr. {item_id} findes ikke på nogen kortliste (måske er det fjernet).")
        require(user, "shortlist.remove", item.municipality_code)
        if version not in (None, "") and item.version != _version(version):
            raise _conflict(s, "Kortlistepunktet", "shortlist_item", item.id, _version(version), item.version)
        before = snapshot(item)
        s.delete(item)
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Kortlistepunktet", "shortlist_item", item_id, item.version, None) from None
        record(s, user, "shortlist.remove", "shortlist_item", item_id, before, None, before["municipality_code"])


# ------------------------------------------------------------------------------------------------ share links


def share_links(engine: Engine, municipality_code: int) -> list[ShareLink]:
    with Session(engine, expire_on_commit=False) as s:
        return list(s.scalars(select(ShareLink).where(ShareLink.municipality_code == int(municipality_code))
                              .order_by(ShareLink.created_at.desc())))


def create_share_link(engine: Engine, user: User, municipality_code: int) -> ShareLink:
    require(user, "shortlist.share", municipality_code)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        link = ShareLink(token=secrets.token_urlsafe(24), municipality_code=int(municipality_code),
                         created_by=user.name, created_at=utcnow())
        s.add(link)
        s.flush()
        record(s, user, "shortlist.share", "share_link", link.token[:8] + "…", None, snapshot(link, ("token",)),
               link.municipality_code)
    return link


def _revoke_link(engine: Engine, user: User, model: Any, token: str, *, action: str, audit_action: str,
                entity: str, missing: str) -> Any:
    """Revoke a read-only link row of ``model`` (a shortlist's or a catalogue's): the permission ``action`` for
    the link's municipality, then the change and its audit row (the token itself never in the log). A revoked
    link stays stored, with who and when; revoking it again changes nothing."""
    require_some(user, action)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        link = s.get(model, str(token)[:64])
        if link is None:
            raise ShareLinkNotFound(missing)
        require(user, action, link.municipality_code)
        if link.revoked_at is None:
            before = snapshot(link, ("token",))
            link.revoked_at, link.revoked_by = utcnow(), user.name
            s.flush()
            record(s, user, audit_action, entity, link.token[:8] + "…", before, snapshot(link, ("token",)),
                   link.municipality_code)
    return link


def revoke_share_link(engine: Engine, user: User, token: str) -> ShareLink:
    return _revoke_link(engine, user, ShareLink, token, action="shortlist.share",  # type: ignore[no-any-return]
                       audit_action="shortlist.unshare", entity="share_link", missing="Delingslinket findes ikke.")


def shared_shortlist(engine: Engine, token: str) -> tuple[int, list[ShortlistRow]]:
    """The municipality and shortlist behind a live share link; :class:`ShareLinkNotFound` otherwise."""
    with Session(engine) as s:
        link = s.get(ShareLink, str(token)[:64]) if token and len(token) <= 64 else None
        if link is None or link.revoked_at is not None:
            raise ShareLinkNotFound("Delingslinket findes ikke eller er tilbagekaldt. Bed kommunen om et nyt link.")
        code = link.municipality_code
    return code, [r for r in shortlist(engine, code) if not r.withdrawn]


def shortlist_xlsx(rows: list[ShortlistRow], municipality_name: str) -> bytes:
    """The shortlist as an Excel workbook. Every text is written as a string (never a formula or a link)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet("Kortliste")
    bold = wb.add_format({"bold": True})
    head = ["Forslag nr.", "Titel", "Kommune", "Budgetår", "Status", "Kommentar", "Senest ændret af",
            "Senest ændret"]
    ws.write_string(0, 0, f"Kortliste for {municipality_name} Kommune", bold)
    for j, h in enumerate(head):
        ws.write_string(1, j, h, bold)
    for i, r in enumerate(rows, start=2):
        ws.write_number(i, 0, r.proposal.id or 0)
        ws.write_string(i, 1, r.proposal.display_title)
        ws.write_string(i, 2, r.proposal.municipality_name)
        ws.write_number(i, 3, r.proposal.budget_year)
        ws.write_string(i, 4, r.item.status_label + (" (forslaget er trukket tilbage)" if r.withdrawn else ""))
        ws.write_string(i, 5, r.item.comment)
        ws.write_string(i, 6, r.item.updated_by)
        ws.write_string(i, 7, r.updated)
    ws.freeze_panes(2, 0)
    ws.set_column(1, 1, 50)
    ws.set_column(5, 5, 50)
    wb.close()
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------ own proposals

#: The fields an editor may set on a proposal, with the form's label.
PROPOSAL_FIELDS: dict[str, str] = {
    "title": "Titel", "description": "Beskrivelse", "budget_year": "Budgetår", "area_id": "Område",
    "type_id": "Forslagstype", "amount_b": "B (budgetår)", "amount_bo1": "BO1", "amount_bo2": "BO2",
    "amount_bo3": "BO3", "one_off_investment": "Engangsinvestering", "contact": "Kontaktperson",
}
AMOUNT_FIELDS = ("amount_b", "amount_bo1", "amount_bo2", "amount_bo3", "one_off_investment")


def parse_amount_field(value: Any, label: str) -> float | None:
    """'-1.250,5' / '-1250.5' / '' → -1250.5 / None (1.000 kr.)."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    text = str(value).strip().replace("\xa0", "").replace(" ", "").replace("−", "-")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{label}: {value!r} er ikke et beløb (skriv fx -1.250 i 1.000 kr.).") from None
    if number != number or abs(number) > 1e9:
        raise InputError(f"{label}: {value!r} er ikke et rimeligt beløb i 1.000 kr.")
    return number


def clean_proposal_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise form input to proposal columns (raises :class:`InputError`)."""
    out: dict[str, Any] = {}
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise InputError(f"Ukendte felter: {', '.join(sorted(unknown))}.")
    if "title" in fields:
        out["title"] = _clean_text(fields["title"], 500, "Titlen")
        if not out["title"]:
            raise InputError("Forslaget skal have en titel.")
    if "description" in fields:
        out["description"] = _clean_text(fields["description"], 20000, "Beskrivelsen")
    if "contact" in fields:
        out["contact"] = _clean_text(fields["contact"], 500, "Kontaktpersonen")
    if "budget_year" in fields:
        try:
            year = int(str(fields["budget_year"]).strip())
        except ValueError:
            raise InputError(f"Budgetår skal være et årstal, ikke {fields['budget_year']!r}.") from None
        if not 2000 <= year <= 2100:
            raise InputError(f"Budgetår {year} ligger uden for 2000-2100.")
        out["budget_year"] = year
    if "area_id" in fields:
        area_id = (fields["area_id"] or "").strip() or None
        cat = load_catalog()
        names = {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}}
        if area_id is not None and area_id not in names:
            raise UnknownArea(f"Ukendt område eller tema: {area_id!r}.")
        out["area_id"], out["area_text"] = area_id, names.get(area_id or "", "")
    if "type_id" in fields:
        type_id = (fields["type_id"] or "").strip() or None
        t = load_vocabulary().type(type_id) if type_id else None
        if type_id is not None and t is None:
            raise InputError(f"Ukendt forslagstype {type_id!r}.")
        out["type_id"], out["type_text"] = type_id, t.name if t else ""
    for f in AMOUNT_FIELDS:
        if f in fields:
            out[f] = parse_amount_field(fields[f], PROPOSAL_FIELDS[f])
    return out


def _workspace_batch(s: Session, municipality_code: int, name: str) -> ImportBatch:
    sha = hashlib.sha256(f"raaderum-arbejdsrum:{municipality_code}".encode()).hexdigest()
    batch = s.scalar(select(ImportBatch).where(ImportBatch.file_sha256 == sha).order_by(ImportBatch.id).limit(1))
    if batch is None:
        batch = ImportBatch(file_name=f"Arbejdsrum: {name}", file_sha256=sha, imported_at=utcnow(), rows_total=0,
                            rows_imported=0, rows_rejected=0, rows_skipped=0, is_sample=False)
        s.add(batch)
        s.flush()
    return batch


def get_proposal(engine: Engine, proposal_id: int) -> ProposalRecord:
    """The proposal with ``proposal_id``; :class:`ProposalNotFound` otherwise."""
    with Session(engine) as s:
        p = s.get(Proposal, int(proposal_id))
        if p is None:
            raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.")
        return _to_record(p)


def proposal_status(engine: Engine, proposal_id: int) -> ProposalStatus | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(ProposalStatus, int(proposal_id))


def municipality_proposals(engine: Engine,
                           municipality_code: int) -> list[tuple[ProposalRecord, ProposalStatus | None]]:
    """The municipality's proposals (imported and created here), newest budget year first."""
    with Session(engine, expire_on_commit=False) as s:
        rows = s.execute(select(Proposal, ProposalStatus)
                         .outerjoin(ProposalStatus, ProposalStatus.proposal_id == Proposal.id)
                         .where(Proposal.municipality_code == int(municipality_code))
                         .order_by(Proposal.budget_year.desc(), Proposal.id.desc())).all()
        return [(_to_record(p), st) for p, st in rows]


def create_proposal(engine: Engine, user: User, municipality_code: int, fields: dict[str, Any]) -> ProposalRecord:
    """A new proposal of the municipality (title required; amounts in 1.000 kr., savings negative)."""
    require(user, "proposal.create", municipality_code)
    name = _check_municipality(municipality_code)
    values = clean_proposal_fields({"budget_year": datetime.now(_TZ).year + 1, **fields})
    if "title" not in values:
        raise InputError("Forslaget skal have en titel.")
    committee = ""
    with Session(engine, expire_on_commit=False) as s, s.begin():
        if values.get("area_id"):
            committee = committee_mapping(s, municipality_code).get(values["area_id"], "")
        rec = ProposalRecord(municipality_code=int(municipality_code), municipality_name=name,
                             committee_text=committee, source_file="Arbejdsrum", source_sheet="",
                             **{k: v for k, v in values.items()})
        batch = _workspace_batch(s, int(municipality_code), name)
        now = utcnow()
        p = Proposal(municipality_code=rec.municipality_code, municipality_name=name, budget_year=rec.budget_year,
                     area_id=rec.area_id, area_text=rec.area_text, committee_text=committee, title=rec.title,
                     description=rec.description, type_id=rec.type_id, type_text=rec.type_text,
                     amount_b=rec.amount_b, amount_bo1=rec.amount_bo1, amount_bo2=rec.amount_bo2,
                     amount_bo3=rec.amount_bo3, one_off_investment=rec.one_off_investment, contact=rec.contact,
                     source_file="Arbejdsrum", source_sheet="", source_row=None, batch_id=batch.id,
                     content_hash=rec.content_hash, is_sample=False, created_at=now, updated_at=now)
        s.add(p)
        try:
            s.flush()
        except IntegrityError:
            raise InputError("Et forslag med præcis samme indhold findes allerede i idébanken; ret titlen, "
                             "beskrivelsen eller beløbene.") from None
        s.execute(update(ImportBatch).where(ImportBatch.id == batch.id)
                  .values(rows_total=ImportBatch.rows_total + 1, rows_imported=ImportBatch.rows_imported + 1))
        s.add(ProposalStatus(proposal_id=p.id, municipality_code=p.municipality_code, created_by=user.name))
        record(s, user, "proposal.create", "proposal", p.id, None, snapshot(p), p.municipality_code)
        return _to_record(p)


def _load_for_change(s: Session, user: User, action: str, proposal_id: int, version: Any) -> tuple[Proposal, int]:
    """The proposal to change and the version the change was made on: permission first, then the input."""
    p = s.get(Proposal, int(proposal_id))
    if p is None:
        raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.")
    require(user, action, p.municipality_code)
    had = _version(version)
    st = s.get(ProposalStatus, p.id)
    if st is not None and st.withdrawn_at is not None:
        raise InputError(f"Forslag nr. {p.id} er trukket tilbage {local_time(st.withdrawn_at)} af "
                         f"{st.withdrawn_by} og kan ikke ændres.")
    if p.version != had:
        raise _conflict(s, "Forslaget", "proposal", p.id, had, p.version)
    return p, had


def edit_proposal(engine: Engine, user: User, proposal_id: int, version: Any,
                  fields: dict[str, Any]) -> ProposalRecord:
    """Change a proposal, made on ``version``: :class:`ConflictError` when someone else saved in between.

    The content hash is kept, so re-importing the original workbook does not bring the old text back.
    """
    require_some(user, "proposal.edit")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        p, had = _load_for_change(s, user, "proposal.edit", proposal_id, version)
        values = clean_proposal_fields(fields)
        before = snapshot(p)
        if "area_id" in values and values["area_id"] != p.area_id:
            values["committee_text"] = committee_mapping(s, p.municipality_code).get(values["area_id"] or "", "")
        changed = {k: v for k, v in values.items() if getattr(p, k) != v}
        if not changed:
            return _to_record(p)
        for k, v in changed.items():
            setattr(p, k, v)
        p.updated_at = utcnow()
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Forslaget", "proposal", proposal_id, had, None) from None
        record(s, user, "proposal.edit", "proposal", p.id, before, snapshot(p), p.municipality_code)
        return _to_record(p)


def withdraw_proposal(engine: Engine, user: User, proposal_id: int, version: Any) -> ProposalStatus:
    """Withdraw a proposal (it stays stored, marked withdrawn, with who and when)."""
    require_some(user, "proposal.withdraw")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        p, had = _load_for_change(s, user, "proposal.withdraw", proposal_id, version)
        st = s.get(ProposalStatus, p.id)
        if st is None:
            st = ProposalStatus(proposal_id=p.id, municipality_code=p.municipality_code)
            s.add(st)
        before = {**snapshot(p), "withdrawn_at": None}
        now = utcnow()
        st.withdrawn_at, st.withdrawn_by = now, user.name
        p.updated_at = now  # bumps the version too: an open edit form now conflicts, and search indexes refresh
        try:
            s.flush()
        except StaleDataError:
            raise _conflict(s, "Forslaget", "proposal", proposal_id, had, None) from None
        record(s, user, "proposal.withdraw", "proposal", p.id, before,
               {**snapshot(p), "withdrawn_at": now.isoformat(), "withdrawn_by": user.name}, p.municipality_code)
        return st


# ------------------------------------------------------------------------------------------------ committees


def set_committee(engine: Engine, user: User, municipality_code: int, area_id: str, committee: str | None) -> None:
    """Service: set the committee of one area in one municipality (action ``committee.set``), audited in the same
    transaction. Unknown areas are refused; an empty name (or the default's) resets to the catalogue's default."""
    require(user, "committee.set", municipality_code)
    if area_id not in default_mapping():
        raise UnknownArea(f"Ukendt område eller tema: {area_id!r}.")
    name = clean_committee_name(committee)
    with Session(engine) as s, s.begin():
        row = s.get(CommitteeMapping, (int(municipality_code), area_id))
        before = snapshot(row) if row is not None else None
        if not name or name == default_mapping()[area_id]:
            if row is None:
                return
            s.delete(row)
            after = None
        elif row is None:
            row = CommitteeMapping(municipality_code=int(municipality_code), area_id=area_id, committee=name)
            s.add(row)
            s.flush()
            after = snapshot(row)
        else:
            if row.committee == name:
                return
            row.committee = name
            s.flush()
            after = snapshot(row)
        record(s, user, "committee.set", "committee_mapping", f"{municipality_code}/{area_id}", before, after,
               int(municipality_code))


#: The name the web routes used before the service took over the committee rules.
set_committee_audited = set_committee


# ------------------------------------------------------------------------------------------------ notes


def get_note(engine: Engine, municipality_code: int) -> WorkspaceNote | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(WorkspaceNote, int(municipality_code))


def set_note(engine: Engine, user: User, municipality_code: int, text: str, version: Any) -> WorkspaceNote:
    """Replace the municipality's notes, made on ``version`` (0 when there were none)."""
    require(user, "note.edit", municipality_code)
    had = _version(version)
    text = _clean_text(text, MAX_NOTE, "Noten")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        note = s.get(WorkspaceNote, int(municipality_code))
        current = note.version if note is not None else 0
        if current != had:
            raise _conflict(s, "Noten", "workspace_note", municipality_code, had, current)
        before = snapshot(note) if note is not None else None
        if note is None:
            note = WorkspaceNote(municipality_code=int(municipality_code), text=text, updated_by=user.name,
                                 updated_at=utcnow())
            s.add(note)
        else:
            note.text, note.updated_by, note.updated_at = text, user.name, utcnow()
        try:
            s.flush()
        except (StaleDataError, IntegrityError):
            raise _conflict(s, "Noten", "workspace_note", municipality_code, had, None) from None
        record(s, user, "note.edit", "workspace_note", municipality_code, before, snapshot(note),
               int(municipality_code))
        return note


def counts(engine: Engine) -> dict[str, int]:
    """Rows per workspace table (for status output)."""
    with Session(engine) as s:
        return {t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (ShortlistItem, ShareLink, ProposalStatus, WorkspaceNote)}


__all__ = ["DEFAULT_STATUS", "PROPOSAL_FIELDS", "STATUSES", "ConflictError", "ProposalStatus", "ShareLink",
           "ShareLinkNotFound", "ShortlistItem", "ShortlistItemNotFound", "ShortlistRow", "WorkspaceNote",
           "add_to_shortlist", "clean_proposal_fields", "committee_entries", "create_proposal",
           "create_share_link", "edit_proposal", "get_note", "get_proposal", "municipality_proposals",
           "proposal_status", "remove_from_shortlist", "revoke_share_link", "set_committee_audited", "set_note",
           "shared_shortlist", "shortlist", "shortlist_xlsx", "update_shortlist_item", "withdraw_proposal",
           "withdrawn_ids"]
