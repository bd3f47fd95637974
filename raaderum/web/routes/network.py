"""The råderumsnetværk in the web app (issue 15): "Vi arbejder med dette" on proposal and lever pages, the
municipality's contact persons (/arbejdsrum/kontakter), experiences (/erfaringer), the case collection
(/casesamling) and the networks (/netvaerk) with their members, shares, meetings and notes.

Thin: permissions, validation, optimistic locking and audit live in :mod:`raaderum.server.network`; what a user may
see is decided in :mod:`raaderum.store.network`. A non-member asking for a network, its shares or its meetings gets
the 404 page (the service says the network does not exist). Every POST has passed the CSRF check of the
middleware. A change made on an old version gets the Danish conflict message with the user's input kept in the
form (409); nothing is overwritten.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from raaderum.catalog import load_catalog
from raaderum.errors import ConflictError, InputError, NetworkNotFound, PermissionDenied, ProposalNotFound
from raaderum.ideas.levers import lever as find_lever
from raaderum.ideas.records import ProposalRecord
from raaderum.ideas.search import SearchIndex
from raaderum.release.reader import open_release
from raaderum.server import network as net
from raaderum.server.catalogue import can_read as can_read_catalogue
from raaderum.server.permissions import OPERATOR, can
from raaderum.server.workspace import local_time
from raaderum.store import catalogue as cstore
from raaderum.store import network as reads
from raaderum.store.levers import effective_levers
from raaderum.store.models import (
    MARK_STATUSES,
    Catalogue,
    CatalogueProposal,
    CatalogueScenario,
    Contact,
    Experience,
    Proposal,
    User,
)
from raaderum.web.cache import cacheable_per_session
from raaderum.web.deps import TEXT_PATTERN, RowId, current_user, get_engine, login_required
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {
    "netvaerk": "Netværket er oprettet.", "gemt": "Ændringen er gemt.", "slettet": "Netværket er slettet.",
    "medlemmer": "Medlemmerne er gemt.", "koordinatorer": "Koordinatorerne er gemt.", "noter": "Noterne er gemt.",
    "moede": "Mødet er gemt.", "moede-slettet": "Mødet er slettet.", "delt": "Delingen er oprettet.",
    "tilbagekaldt": "Delingen er trukket tilbage.", "markeret": "Markeringen er gemt.",
    "afmarkeret": "Markeringen er fjernet.", "kontakt": "Kontaktpersonen er gemt.",
    "kontakt-slettet": "Kontaktpersonen er slettet; den er fjernet fra alle markeringer og erfaringer.",
    "erfaring": "Erfaringen er gemt.", "erfaring-slettet": "Erfaringen er slettet.",
}
SIGN_NOTE = "Realiserede beløb i 1.000 kr. pr. år; besparelser er negative, merudgifter positive."
_SPLIT = re.compile(r"[,;\n]+")


# ------------------------------------------------------------------------------------------------ helpers


def _names() -> dict[int, str]:
    """Code → name of the 98 municipalities, sorted by name (kept per release: a release never changes)."""
    return _names_of(open_release().id)


@lru_cache(maxsize=2)
def _names_of(release_id: str) -> dict[int, str]:
    return {m.code: m.name for m in sorted(open_release().register, key=lambda m: m.name)}


def _user(request: Request) -> User:
    """The acting user of a POST; anonymous POSTs are refused (403), as every service would refuse them."""
    user = current_user(request)
    if user is None:
        raise PermissionDenied("Du skal være logget ind for at ændre noget i Råderum.")
    return user


def _back(path: str, notice: str, anchor: str = "") -> Response:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}ok={notice}" + (f"#{anchor}" if anchor else ""), status_code=303)


def _page(request: Request, template: str, ctx: dict[str, Any], *, status_code: int = 200) -> Response:
    """A page of the network (personal when logged in: never stored by a browser or a proxy)."""
    response = render(request, template, ctx, status_code=status_code)
    if current_user(request) is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def _own_code(user: User, kommune: str | None) -> int:
    """The municipality a logged-in user acts for: the one named in ``kommune`` (the operator chooses one; anyone
    else naming another than their own is refused by the service), else their own."""
    if kommune not in (None, ""):
        return int(open_release().register.resolve(str(kommune).strip()).code)
    if user.municipality_code is None:
        raise InputError("Vælg en kommune (feltet 'kommune').")
    return int(user.municipality_code)


def _list(text: str | None) -> list[str]:
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def display_title(title: str, description: str) -> str:
    if (title or "").strip():
        return title
    text = " ".join((description or "").split())
    return text if len(text) <= 90 else text[:89].rstrip() + "…"


def proposal_titles(s: Session, ids: set[int]) -> dict[int, str]:
    """Display titles of idea-bank proposals, in one query."""
    if not ids:
        return {}
    rows = s.execute(select(Proposal.id, Proposal.title, Proposal.description).where(Proposal.id.in_(sorted(ids))))
    return {int(i): display_title(t, d) for i, t, d in rows}


def lever_titles(engine: Engine) -> dict[str, str]:
    return {lv.id: lv.title for lv in effective_levers(engine)}


def _area_names() -> dict[str, str]:
    cat = load_catalog()
    return {a.id: a.name for a in cat.areas}


def realised_text(realised: dict[str, float] | None) -> str:
    """{"2025": -1200.0} → "2025: -1.200" (what the form shows and the service reads back)."""
    out = []
    for year, amount in (realised or {}).items():
        a = float(amount)
        text = f"{a:,.1f}" if a != int(a) else f"{int(a):,}"
        out.append(f"{year}: {text.replace(',', '#').replace('.', ',').replace('#', '.')}")
    return "\n".join(out)


def _conflict(e: ConflictError) -> str:
    return f"{e} Dine indtastninger står stadig i formularen nedenfor; ret dem til, og gem igen."


# ---------------------------------------------------------------------------------------- "Vi arbejder med dette"


def work_panel(request: Request, kind: str, target_id: Any, *, draft: dict[str, str] | None = None,
               error: str | None = None) -> dict[str, Any]:
    """What the proposal and lever pages show under "Vi arbejder med dette": for logged-in users every
    municipality's mark with status and contact, for the public the counts; the experiences; and for an editor the
    form for the municipality's own mark."""
    engine = get_engine()
    user = current_user(request)
    data = net.marks_on(engine, user, kind, target_id)
    code = user.municipality_code if user is not None else None
    # The operator has no municipality of its own: it marks on behalf of the one chosen with ?kommune= (a code or
    # a name; an unknown one is 404). Anyone else always acts for their own municipality.
    operator = user is not None and user.role == OPERATOR
    chosen = request.query_params.get("kommune", "").strip() if operator else ""
    if user is not None and chosen:
        code = _own_code(user, chosen[:100])
    editable = user is not None and code is not None and can(user, "mark.set", code)
    own = next((m for m in data["marks"] if m["mark"].municipality_code == code), None) if editable else None
    contacts: list[Contact] = []
    if editable and code is not None:
        with Session(engine) as s:
            contacts = reads.contacts_of(s, code)
    return {**data, "kind": kind, "target_id": str(target_id), "statuses": MARK_STATUSES, "editable": editable,
            "own": own, "contacts": contacts, "own_name": _names().get(code or 0, ""),
            "may_experience": user is not None and code is not None and can(user, "experience.edit", code),
            "draft": draft, "error": error, "sign_note": SIGN_NOTE,
            "choices": _names() if operator else None, "acting_for": code if operator else None}


def _target_path(kind: str, target_id: str) -> str:
    base = "/idebank/" if kind == "proposal" else "/vidensportal/"
    return base + quote(target_id, safe="")


def _target_title(kind: str, target_id: str) -> str:
    engine = get_engine()
    if kind == "proposal":
        with Session(engine) as s:
            return proposal_titles(s, {int(target_id)}).get(int(target_id), f"Forslag nr. {target_id}")
    return find_lever(target_id, effective_levers(engine)).title


@router.post("/markering")
def mark_set(request: Request, kind: str = Form(..., max_length=20), target_id: str = Form(..., max_length=64),
             status: str = Form(..., max_length=20), contact_id: str = Form("", max_length=20),
             note: str = Form("", max_length=20000), version: str = Form("", max_length=20),
             kommune: str = Form("", max_length=100)) -> Response:
    user = _user(request)
    if kind not in ("proposal", "lever"):
        raise InputError(f"Ukendt type {kind!r}; en markering gælder et forslag eller et greb.")
    try:
        net.set_mark(get_engine(), user, _own_code(user, kommune), kind, target_id, status=status,
                     contact_id=contact_id, note=note, version=version)
    except ConflictError as e:
        draft = {"status": status, "contact_id": contact_id, "note": note}
        panel = work_panel(request, kind, target_id, draft=draft, error=_conflict(e))
        return _page(request, "netvaerk_markering.html", {
            "title": "Markeringen er ikke gemt", "panel": panel, "target_path": _target_path(kind, target_id),
            "target_title": _target_title(kind, target_id)}, status_code=409)
    return _back(_target_path(kind, target_id) + _acting_for(user, kommune), "markeret", "vi-arbejder")


def _acting_for(user: User, kommune: str) -> str:
    """``?kommune=K`` for the operator, who marks on a municipality's behalf, so the page after the change shows
    that municipality's form again; nothing for anyone else."""
    if user.role != OPERATOR or not kommune.strip():
        return ""
    return "?" + urlencode({"kommune": _own_code(user, kommune)})


@router.post("/markering/{mark_id}/fjern")
def mark_remove(request: Request, mark_id: RowId, kind: str = Form(..., max_length=20),
                target_id: str = Form(..., max_length=64), version: str = Form("", max_length=20),
                kommune: str = Form("", max_length=100)) -> Response:
    user = _user(request)
    if kind not in ("proposal", "lever"):
        raise InputError(f"Ukendt type {kind!r}; en markering gælder et forslag eller et greb.")
    net.remove_mark(get_engine(), user, mark_id, version)
    return _back(_target_path(kind, target_id) + _acting_for(user, kommune), "afmarkeret", "vi-arbejder")


# ------------------------------------------------------------------------------------------------ contacts


def _contacts_page(request: Request, user: User, kommune: str | None, *, ok: str | None = None,
                   drafts: dict[str, dict[str, str]] | None = None, error: str | None = None,
                   status_code: int = 200) -> Response:
    code = _own_code(user, kommune)
    with Session(get_engine()) as s:
        contacts = reads.contacts_of(s, code)
    return _page(request, "netvaerk_kontakter.html", {
        "title": "Kontaktpersoner", "nav": "arbejdsrum", "code_": code, "municipality_name": _names()[code],
        "contacts": contacts, "editable": can(user, "contact.edit", code), "notice": NOTICES.get(ok or ""),
        "drafts": drafts or {}, "error": error,
        "choices": _names() if user.role == OPERATOR else None}, status_code=status_code)


@router.get("/arbejdsrum/kontakter")
def contacts_page(request: Request, kommune: str | None = Query(None, max_length=100, pattern=TEXT_PATTERN),
                  ok: str | None = Query(None, max_length=40), user: User = Depends(login_required)) -> Response:
    return _contacts_page(request, user, kommune, ok=ok)


@router.post("/arbejdsrum/kontakter")
def contact_create(request: Request, name: str = Form("", max_length=200), role: str = Form("", max_length=200),
                   email: str = Form("", max_length=254), kommune: str = Form("", max_length=100)) -> Response:
    user = _user(request)
    code = _own_code(user, kommune)
    net.create_contact(get_engine(), user, code, {"name": name, "role": role, "email": email})
    return _back(f"/arbejdsrum/kontakter?kommune={code}", "kontakt", "kontakter")


def _contact_code(contact_id: int) -> int:
    with Session(get_engine()) as s:
        c = s.get(Contact, contact_id)
        if c is None:
            raise HTTPException(404)
        return int(c.municipality_code)


@router.post("/arbejdsrum/kontakter/{contact_id}")
def contact_edit(request: Request, contact_id: RowId, version: str = Form(..., max_length=20),
                 name: str = Form("", max_length=200), role: str = Form("", max_length=200),
                 email: str = Form("", max_length=254)) -> Response:
    user = _user(request)
    code = _contact_code(contact_id)
    try:
        net.edit_contact(get_engine(), user, contact_id, version, {"name": name, "role": role, "email": email})
    except ConflictError as e:
        return _contacts_page(request, user, str(code), drafts={str(contact_id): {
            "name": name, "role": role, "email": email}}, error=_conflict(e), status_code=409)
    return _back(f"/arbejdsrum/kontakter?kommune={code}", "kontakt", f"kontakt-{contact_id}")


@router.post("/arbejdsrum/kontakter/{contact_id}/slet")
def contact_delete(request: Request, contact_id: RowId, version: str = Form("", max_length=20)) -> Response:
    user = _user(request)
    code = _contact_code(contact_id)
    net.delete_contact(get_engine(), user, contact_id, version)
    return _back(f"/arbejdsrum/kontakter?kommune={code}", "kontakt-slettet", "kontakter")


# ------------------------------------------------------------------------------------------------ experiences


EXPERIENCE_FIELDS = ("title", "proposal_id", "lever_id", "catalogue_proposal_id", "area_id", "realised",
                     "what_worked", "what_did_not", "contact_id", "public")


def _catalogue_proposals(code: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    engine = get_engine()
    for c in cstore.catalogues(engine, code):
        data = cstore.load_catalogue(engine, c.id)
        out += [(p.id, f"{c.name} (budget {c.budget_year}): {p.title}") for p in data.proposals]
    return out


def _experience_form(request: Request, user: User, code: int, values: dict[str, Any], *,
                     experience: Experience | None = None, error: str | None = None,
                     status_code: int = 200) -> Response:
    engine = get_engine()
    with Session(engine) as s:
        contacts = reads.contacts_of(s, code)
        pid = str(values.get("proposal_id") or "")
        ptitle = proposal_titles(s, {int(pid)}).get(int(pid)) if pid.isdigit() and len(pid) < 10 else None
    levers = sorted(effective_levers(engine), key=lambda lv: lv.title)
    return _page(request, "erfaring_form.html", {
        "title": "Ret erfaring" if experience else "Ny erfaring", "nav": "casesamling", "code_": code,
        "municipality_name": _names()[code], "values": values, "experience": experience, "contacts": contacts,
        "areas": _area_names(), "levers": levers, "proposal_title": ptitle, "error": error,
        "catalogue_proposals": _catalogue_proposals(code), "sign_note": SIGN_NOTE}, status_code=status_code)


@router.get("/erfaringer/ny")
def experience_new(request: Request,
                   forslag: int | None = Query(None, ge=1, le=2**31 - 1),
                   greb: str | None = Query(None, max_length=64, pattern=TEXT_PATTERN),
                   kommune: str | None = Query(None, max_length=100, pattern=TEXT_PATTERN),
                   user: User = Depends(login_required)) -> Response:
    code = _own_code(user, kommune)
    if not can(user, "experience.edit", code):
        raise PermissionDenied("Din rolle giver ikke adgang til at registrere erfaringer.")
    values: dict[str, Any] = dict.fromkeys(EXPERIENCE_FIELDS, "")
    if forslag is not None:
        with Session(get_engine()) as s:
            title = proposal_titles(s, {forslag}).get(forslag)
        if title is None:
            raise ProposalNotFound(f"Forslag nr. {forslag} findes ikke i idébanken.")
        values.update(proposal_id=str(forslag), title=title)
    if greb:
        values.update(lever_id=_lever_id(greb), title=values["title"] or _target_title("lever", greb))
    return _experience_form(request, user, code, values)


def _lever_id(greb: str) -> str:
    return find_lever(greb, effective_levers(get_engine())).id  # UnknownLever → 404


@router.post("/erfaringer")
def experience_create(request: Request, title: str = Form("", max_length=300),
                      proposal_id: str = Form("", max_length=20), lever_id: str = Form("", max_length=64),
                      catalogue_proposal_id: str = Form("", max_length=20), area_id: str = Form("", max_length=50),
                      realised: str = Form("", max_length=5000), what_worked: str = Form("", max_length=20000),
                      what_did_not: str = Form("", max_length=20000), contact_id: str = Form("", max_length=20),
                      public: str = Form("", max_length=5), kommune: str = Form("", max_length=100)) -> Response:
    user = _user(request)
    code = _own_code(user, kommune)
    fields = {"title": title, "proposal_id": proposal_id, "lever_id": lever_id,
              "catalogue_proposal_id": catalogue_proposal_id, "area_id": area_id, "realised": realised,
              "what_worked": what_worked, "what_did_not": what_did_not, "contact_id": contact_id, "public": public}
    e = net.create_experience(get_engine(), user, code, fields)
    return _back(f"/erfaringer/{e.id}", "erfaring")


def _visible_experience(user: User | None, experience_id: int) -> reads.ExperienceView:
    with Session(get_engine(), expire_on_commit=False) as s:
        found = reads.experiences(s, user, ids=[experience_id])
    if not found:
        raise HTTPException(404)
    return found[0]


def _values_of(e: Experience) -> dict[str, Any]:
    return {"title": e.title, "proposal_id": str(e.proposal_id or ""), "lever_id": e.lever_id or "",
            "catalogue_proposal_id": str(e.catalogue_proposal_id or ""), "area_id": e.area_id or "",
            "realised": realised_text(e.realised), "what_worked": e.what_worked, "what_did_not": e.what_did_not,
            "contact_id": str(e.contact_id or ""), "public": "1" if e.public else ""}


def _catalogue_entry(s: Session, user: User | None, e: Experience) -> dict[str, str] | None:
    """The catalogue proposal an experience is linked to, as a link with its catalogue and title, for those who
    may read the municipality's catalogues (its own users and the operator); None for everyone else, who are only
    told that there is one (a catalogue is the municipality's own)."""
    if e.catalogue_proposal_id is None or not can_read_catalogue(user, e.municipality_code):
        return None
    found = s.execute(select(CatalogueProposal, Catalogue)
                      .join(Catalogue, Catalogue.id == CatalogueProposal.catalogue_id)
                      .where(CatalogueProposal.id == e.catalogue_proposal_id)).one_or_none()
    if found is None:
        return None
    cp, cat = found
    return {"href": f"/katalog/{cat.id}/forslag/{cp.id}", "label": f"{cat.name} (budget {cat.budget_year}): {cp.title}"}


@router.get("/erfaringer/{experience_id}")
def experience_page(request: Request, experience_id: RowId, ok: str | None = Query(None, max_length=40)) -> Response:
    user = current_user(request)
    ev = _visible_experience(user, experience_id)
    e = ev.experience
    engine = get_engine()
    with Session(engine) as s:
        ptitle = proposal_titles(s, {e.proposal_id}).get(e.proposal_id) if e.proposal_id else None
        entry = _catalogue_entry(s, user, e)
    ltitle = lever_titles(engine).get(e.lever_id) if e.lever_id else None
    editable = user is not None and can(user, "experience.edit", e.municipality_code)
    return _page(request, "erfaring.html", {
        "title": e.title, "nav": "casesamling", "ev": ev, "e": e, "municipality_name": _names()[e.municipality_code],
        "proposal_title": ptitle, "lever_title": ltitle, "area_name": _area_names().get(e.area_id or ""),
        "catalogue_entry": entry,
        "editable": editable, "notice": NOTICES.get(ok or ""), "sign_note": SIGN_NOTE,
        "updated": local_time(e.updated_at)})


@router.get("/erfaringer/{experience_id}/ret")
def experience_edit_form(request: Request, experience_id: RowId, user: User = Depends(login_required)) -> Response:
    e = _visible_experience(user, experience_id).experience
    if not can(user, "experience.edit", e.municipality_code):
        raise PermissionDenied("Du kan kun rette erfaringer for din egen kommune.")
    return _experience_form(request, user, e.municipality_code, _values_of(e), experience=e)


@router.post("/erfaringer/{experience_id}")
def experience_edit(request: Request, experience_id: RowId, version: str = Form(..., max_length=20),
                    title: str = Form("", max_length=300), proposal_id: str = Form("", max_length=20),
                    lever_id: str = Form("", max_length=64), catalogue_proposal_id: str = Form("", max_length=20),
                    area_id: str = Form("", max_length=50), realised: str = Form("", max_length=5000),
                    what_worked: str = Form("", max_length=20000), what_did_not: str = Form("", max_length=20000),
                    contact_id: str = Form("", max_length=20), public: str = Form("", max_length=5)) -> Response:
    user = _user(request)
    fields = {"title": title, "proposal_id": proposal_id, "lever_id": lever_id,
              "catalogue_proposal_id": catalogue_proposal_id, "area_id": area_id, "realised": realised,
              "what_worked": what_worked, "what_did_not": what_did_not, "contact_id": contact_id, "public": public}
    try:
        net.edit_experience(get_engine(), user, experience_id, version, fields)
    except ConflictError as err:
        e = _visible_experience(user, experience_id).experience
        return _experience_form(request, user, e.municipality_code, fields, experience=e, error=_conflict(err),
                                status_code=409)
    return _back(f"/erfaringer/{experience_id}", "erfaring")


@router.post("/erfaringer/{experience_id}/slet")
def experience_delete(request: Request, experience_id: RowId, version: str = Form("", max_length=20)) -> Response:
    net.delete_experience(get_engine(), _user(request), experience_id, version)
    return _back("/casesamling", "erfaring-slettet")


# ------------------------------------------------------------------------------------------------ casesamling


@dataclass
class Case:
    view: reads.ExperienceView
    municipality_name: str
    proposal_title: str | None
    lever_title: str | None
    area_name: str | None
    status: str | None
    snippet_html: str = ""


_index_lock = threading.Lock()
_index_cache: dict[str, tuple[Any, SearchIndex]] = {}


def _experience_revision(s: Session) -> Any:
    return tuple(s.execute(select(func.count(Experience.id), func.max(Experience.id),
                                  func.max(Experience.updated_at))).one())


def _case_index(s: Session, key: Any, titles: dict[int, str], levers: dict[str, str]) -> SearchIndex:
    """The idea bank's Danish search (stems, compounds, thesaurus, n-grams) over every experience, rebuilt when an
    experience or the idea bank changes (per process; which hits a user may see is filtered afterwards)."""
    with _index_lock:
        hit = _index_cache.get("cases")
    if hit is not None and hit[0] == key:
        return hit[1]
    names = _names()
    records = []
    for e in s.scalars(select(Experience).order_by(Experience.id)):
        linked = " ".join(x for x in (titles.get(e.proposal_id or 0), levers.get(e.lever_id or "")) if x)
        records.append(ProposalRecord(
            municipality_code=e.municipality_code, municipality_name=names.get(e.municipality_code, ""),
            budget_year=int(min(e.realised or {"0": 0})) if e.realised else e.created_at.year,
            title=f"{e.title} {linked}".strip(), description=f"{e.what_worked}\n{e.what_did_not}",
            area_id=e.area_id, id=e.id))
    index = SearchIndex.from_records(records)
    with _index_lock:
        _index_cache["cases"] = (key, index)
    return index


@router.get("/casesamling")
def casesamling(request: Request, q: str = Query("", max_length=200, pattern=TEXT_PATTERN),
                omraade: str = Query("", max_length=50, pattern=TEXT_PATTERN),
                kommune: str = Query("", max_length=100, pattern=TEXT_PATTERN),
                status: str = Query("", max_length=20, pattern=TEXT_PATTERN),
                ok: str | None = Query(None, max_length=40)) -> Response:
    user = current_user(request)
    logged_in = reads.is_logged_in(user)
    areas = _area_names()
    if omraade and omraade not in areas:
        raise InputError(f"Ukendt serviceområde {omraade!r}.")
    if status and (status not in MARK_STATUSES or not logged_in):
        raise InputError(f"Ukendt status {status!r}; brug {', '.join(MARK_STATUSES)} (kun for brugere, der er "
                         "logget ind).")
    code = int(open_release().register.resolve(kommune).code) if kommune else None
    engine = get_engine()
    names = _names()
    levers = lever_titles(engine)
    with Session(engine, expire_on_commit=False) as s:
        views = reads.experiences(s, user, municipality_codes=[code] if code is not None else None)
        all_pids = set(s.scalars(select(Experience.proposal_id).where(Experience.proposal_id.is_not(None))))
        titles = proposal_titles(s, {int(p) for p in all_pids if p is not None})
        marks = {(m.municipality_code, m.target_kind, m.target_id): m.status
                 for m in reads.marks_of(s, {v.experience.municipality_code for v in views})} if logged_in else {}
        snippets: dict[int, str] = {}
        order: dict[int, int] | None = None
        if q.strip():
            index = _case_index(s, (_experience_revision(s), tuple(sorted(titles.items())), tuple(levers.items())),
                                titles, levers)
            result = index.search(q, limit=max(len(index), 1))
            order = {h.id: n for n, h in enumerate(result.hits)}
            snippets = {h.id: h.snippet_html for h in result.hits}
    cases: list[Case] = []
    for v in views:
        e = v.experience
        if order is not None and e.id not in order:
            continue
        if omraade and e.area_id != omraade:
            continue
        st = None
        if logged_in:
            st = (marks.get((e.municipality_code, "proposal", str(e.proposal_id))) if e.proposal_id else None) or (
                marks.get((e.municipality_code, "lever", e.lever_id)) if e.lever_id else None)
        if status and st != status:
            continue
        cases.append(Case(v, names.get(e.municipality_code, str(e.municipality_code)),
                          titles.get(e.proposal_id or 0), levers.get(e.lever_id or ""), areas.get(e.area_id or ""),
                          st, snippets.get(e.id, "")))
    if order is not None:
        cases.sort(key=lambda c: order.get(c.view.experience.id, 0) if order else 0)
    current = {"q": q, "omraade": omraade, "kommune": str(code) if code else "", "status": status}
    may_record = user is not None and user.municipality_code is not None and can(
        user, "experience.edit", user.municipality_code)
    return _page(request, "casesamling.html", {
        "title": "Casesamling", "nav": "casesamling", "cases": cases, "current": current, "areas": areas,
        "municipalities": names, "statuses": MARK_STATUSES, "logged_in": logged_in, "sign_note": SIGN_NOTE,
        "notice": NOTICES.get(ok or ""), "may_record": may_record,
        "clear_url": "/casesamling" + (("?" + urlencode({"q": q})) if q else "")})


# ------------------------------------------------------------------------------------------------ networks


@router.get("/netvaerk")
def network_list(request: Request, ok: str | None = Query(None, max_length=40),
                 user: User = Depends(login_required)) -> Response:
    with Session(get_engine()) as s:
        networks = [(n, len(reads.member_codes(s, n.id))) for n in reads.visible_networks(s, user)]
    return _page(request, "netvaerk_liste.html", {
        "title": "Netværk", "nav": "netvaerk", "networks": networks, "notice": NOTICES.get(ok or ""),
        "may_manage": can(user, "network.manage"), "municipalities": _names()})


@router.post("/netvaerk")
def network_create(request: Request, name: str = Form("", max_length=200),
                   description: str = Form("", max_length=20000), kommuner: str = Form("", max_length=5000),
                   koordinatorer: str = Form("", max_length=5000)) -> Response:
    n = net.create_network(get_engine(), _user(request), name, municipalities=_list(kommuner),
                           coordinators=_list(koordinatorer), description=description)
    return _back(f"/netvaerk/{n.id}", "netvaerk")


def _share_label(share: Any, scenarios: dict[int, str]) -> str:
    if share.kind == "shortlist":
        return "Kortliste"
    return f"Katalogscenarie: {scenarios.get(share.scenario_id, 'slettet scenarie')}"


def _network_page(request: Request, user: User, network_id: int, *, ok: str | None = None,
                  draft: dict[str, Any] | None = None, error: str | None = None,
                  status_code: int = 200) -> Response:
    engine = get_engine()
    view = net.network_view(engine, user, network_id)  # NetworkNotFound (404) for a non-member
    names = _names()
    levers = lever_titles(engine)
    with Session(engine) as s:
        pids = {int(mv.mark.target_id) for m in view.members for mv in m.marks if mv.mark.target_kind == "proposal"}
        pids |= {ev.experience.proposal_id for m in view.members for ev in m.experiences
                 if ev.experience.proposal_id}
        titles = proposal_titles(s, pids)
        sids = [sh.scenario_id for sh in view.shares if sh.scenario_id is not None]
        scenarios = {int(i): n for i, n in s.execute(select(CatalogueScenario.id, CatalogueScenario.name)
                                                      .where(CatalogueScenario.id.in_(sids)))} if sids else {}
    own = view.own_member
    may_share = own is not None and can(user, "network.share", own)
    own_scenarios: list[tuple[int, str]] = []
    if may_share and own is not None:
        for c in cstore.catalogues(engine, own):
            own_scenarios += [(sd.scenario.id, f"{c.name} (budget {c.budget_year}): {sd.scenario.name}")
                              for sd in cstore.load_catalogue(engine, c.id).scenarios]
    shares = [{"share": sh, "label": _share_label(sh, scenarios), "municipality": names.get(sh.municipality_code, ""),
               "when": local_time(sh.created_at),
               "may_withdraw": can(user, "network.share", sh.municipality_code)} for sh in view.shares]
    return _page(request, "netvaerk.html", {
        "title": view.network.name, "nav": "netvaerk", "view": view, "n": view.network, "titles": titles,
        "levers": levers, "shares": shares, "may_share": may_share, "own_scenarios": own_scenarios,
        "own_name": names.get(own or 0, ""), "may_manage": can(user, "network.manage"),
        "coordinator_names": [u.name for u in view.coordinators], "notice": NOTICES.get(ok or ""),
        "draft": draft or {}, "error": error, "sign_note": SIGN_NOTE, "municipalities": names,
        "updated": local_time(view.network.updated_at)}, status_code=status_code)


@router.get("/netvaerk/{network_id}")
def network_page(request: Request, network_id: RowId, ok: str | None = Query(None, max_length=40),
                 user: User = Depends(login_required)) -> Response:
    return cacheable_per_session(_network_page(request, user, network_id, ok=ok))


@router.post("/netvaerk/{network_id}")
def network_edit(request: Request, network_id: RowId, version: str = Form(..., max_length=20),
                 name: str = Form("", max_length=200), description: str = Form("", max_length=20000)) -> Response:
    user = _user(request)
    try:
        net.edit_network(get_engine(), user, network_id, version, name=name, description=description)
    except ConflictError as e:
        return _network_page(request, user, network_id, draft={"name": name, "description": description},
                             error=_conflict(e), status_code=409)
    return _back(f"/netvaerk/{network_id}", "gemt", "administration")


@router.post("/netvaerk/{network_id}/slet")
def network_delete(request: Request, network_id: RowId, version: str = Form("", max_length=20)) -> Response:
    net.delete_network(get_engine(), _user(request), network_id, version)
    return _back("/netvaerk", "slettet")


@router.post("/netvaerk/{network_id}/medlemmer")
def network_members(request: Request, network_id: RowId, tilfoej: str = Form("", max_length=5000),
                    fjern: str = Form("", max_length=5000)) -> Response:
    net.change_members(get_engine(), _user(request), network_id, add=_list(tilfoej), remove=_list(fjern))
    return _back(f"/netvaerk/{network_id}", "medlemmer", "medlemmer")


@router.post("/netvaerk/{network_id}/koordinatorer")
def network_coordinators(request: Request, network_id: RowId, tilfoej: str = Form("", max_length=5000),
                         fjern: str = Form("", max_length=5000)) -> Response:
    net.change_coordinators(get_engine(), _user(request), network_id, add=_list(tilfoej), remove=_list(fjern))
    return _back(f"/netvaerk/{network_id}", "koordinatorer", "administration")


@router.post("/netvaerk/{network_id}/noter")
def network_notes(request: Request, network_id: RowId, version: str = Form(..., max_length=20),
                  notes: str = Form("", max_length=100000)) -> Response:
    user = _user(request)
    try:
        net.set_notes(get_engine(), user, network_id, version, notes)
    except ConflictError as e:
        return _network_page(request, user, network_id, draft={"notes": notes}, error=_conflict(e),
                             status_code=409)
    return _back(f"/netvaerk/{network_id}", "noter", "noter")


def _meeting_fields(title: str, held_on: str, place: str, agenda: str, minutes: str) -> dict[str, str]:
    return {"title": title, "held_on": held_on, "place": place, "agenda": agenda, "minutes": minutes}


@router.post("/netvaerk/{network_id}/moeder")
def meeting_create(request: Request, network_id: RowId, title: str = Form("", max_length=300),
                   held_on: str = Form("", max_length=20), place: str = Form("", max_length=300),
                   agenda: str = Form("", max_length=100000), minutes: str = Form("", max_length=100000)) -> Response:
    m = net.create_meeting(get_engine(), _user(request), network_id,
                           _meeting_fields(title, held_on, place, agenda, minutes))
    return _back(f"/netvaerk/{network_id}", "moede", f"moede-{m.id}")


def _meeting_page(request: Request, user: User, network_id: int, meeting_id: int, *,
                  draft: dict[str, str] | None = None, error: str | None = None, ok: str | None = None,
                  status_code: int = 200) -> Response:
    view = net.network_view(get_engine(), user, network_id)  # 404 for a non-member
    meeting = next((m for m in view.meetings if m.id == meeting_id), None)
    if meeting is None:
        raise HTTPException(404)
    values = draft or {"title": meeting.title, "held_on": meeting.held_on.isoformat(), "place": meeting.place,
                       "agenda": meeting.agenda, "minutes": meeting.minutes}
    return _page(request, "netvaerk_moede.html", {
        "title": meeting.title, "nav": "netvaerk", "n": view.network, "meeting": meeting, "values": values,
        "may_coordinate": view.can_coordinate, "error": error, "notice": NOTICES.get(ok or ""),
        "updated": local_time(meeting.updated_at)}, status_code=status_code)


@router.get("/netvaerk/{network_id}/moeder/{meeting_id}")
def meeting_page(request: Request, network_id: RowId, meeting_id: RowId, ok: str | None = Query(None, max_length=40),
                 user: User = Depends(login_required)) -> Response:
    return _meeting_page(request, user, network_id, meeting_id, ok=ok)


def _meeting_in(user: User, network_id: int, meeting_id: int) -> None:
    """404 unless the meeting belongs to the network (and the user sees the network)."""
    view = net.network_view(get_engine(), user, network_id)
    if all(m.id != meeting_id for m in view.meetings):
        raise HTTPException(404)


@router.post("/netvaerk/{network_id}/moeder/{meeting_id}")
def meeting_edit(request: Request, network_id: RowId, meeting_id: RowId, version: str = Form(..., max_length=20),
                 title: str = Form("", max_length=300), held_on: str = Form("", max_length=20),
                 place: str = Form("", max_length=300), agenda: str = Form("", max_length=100000),
                 minutes: str = Form("", max_length=100000)) -> Response:
    user = _user(request)
    _meeting_in(user, network_id, meeting_id)
    fields = _meeting_fields(title, held_on, place, agenda, minutes)
    try:
        net.edit_meeting(get_engine(), user, meeting_id, version, fields)
    except ConflictError as e:
        return _meeting_page(request, user, network_id, meeting_id, draft=fields, error=_conflict(e),
                             status_code=409)
    return _back(f"/netvaerk/{network_id}/moeder/{meeting_id}", "moede")


@router.post("/netvaerk/{network_id}/moeder/{meeting_id}/slet")
def meeting_delete(request: Request, network_id: RowId, meeting_id: RowId,
                   version: str = Form("", max_length=20)) -> Response:
    user = _user(request)
    _meeting_in(user, network_id, meeting_id)
    net.delete_meeting(get_engine(), user, meeting_id, version)
    return _back(f"/netvaerk/{network_id}", "moede-slettet", "moeder")


@router.post("/netvaerk/{network_id}/del")
def network_share(request: Request, network_id: RowId, kind: str = Form(..., max_length=20),
                  scenario_id: str = Form("", max_length=20), kommune: str = Form("", max_length=100)) -> Response:
    user = _user(request)
    net.share(get_engine(), user, network_id, _own_code(user, kommune), kind, scenario_id or None)
    return _back(f"/netvaerk/{network_id}", "delt", "delt")


@router.post("/netvaerk/{network_id}/delt/{share_id}/tilbagekald")
def network_unshare(request: Request, network_id: RowId, share_id: RowId) -> Response:
    user = _user(request)
    content = net.shared_content(get_engine(), user, share_id)
    if content.share.network_id != network_id:
        raise HTTPException(404)
    net.unshare(get_engine(), user, share_id)
    return _back(f"/netvaerk/{network_id}", "tilbagekaldt", "delt")


@router.get("/netvaerk/{network_id}/delt/{share_id}")
def shared_page(request: Request, network_id: RowId, share_id: RowId, user: User = Depends(login_required)) -> Response:
    content = net.shared_content(get_engine(), user, share_id)  # 404 for a non-member
    if content.share.network_id != network_id:
        raise NetworkNotFound(f"Deling nr. {share_id} findes ikke i netværk nr. {network_id}.")
    rows: list[dict[str, Any]] = []
    if content.scenario is not None and content.catalogue is not None:
        for p in content.catalogue.selection(content.scenario):
            rows.append({"p": p, "full_year": cstore.full_year_amount(p)})
    return _page(request, "netvaerk_delt.html", {
        "title": f"Delt af {content.municipality_name} Kommune", "nav": "netvaerk", "c": content, "rows": rows,
        "areas": _area_names(), "when": local_time(content.share.created_at)})


__all__ = ["router", "work_panel"]
