"""The municipal workspace (/arbejdsrum), the shared shortlist (/arbejdsrum/del/<token>) and the operator's pages
(/admin/brugere, /admin/import). Thin: authorisation, validation and audit live in :mod:`raaderum.server.workspace` and
:mod:`raaderum.server.accounts`; this module parses forms and renders.

Every POST goes through the CSRF check of :class:`raaderum.web.auth.AuthMiddleware` before it gets here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from raaderum.catalog import load_catalog
from raaderum.errors import InputError
from raaderum.ideas.search import ProposalNotFound
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.release.reader import open_release
from raaderum.server import workspace as ws
from raaderum.server.accounts import OPERATOR, PermissionDenied, User, can
from raaderum.store.audit import entries
from raaderum.web.deps import FormRowId, RowId, current_user, get_engine, login_required, safe_next
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {
    "tilfoejet": "Forslaget er sat på kortlisten.",
    "gemt": "Ændringen er gemt.",
    "fjernet": "Forslaget er fjernet fra kortlisten.",
    "delt": "Delingslinket er oprettet.",
    "tilbagekaldt": "Delingslinket er tilbagekaldt.",
    "oprettet": "Forslaget er oprettet.",
    "trukket": "Forslaget er trukket tilbage.",
    "udvalg": "Udvalgsopdelingen er gemt.",
    "noter": "Noterne er gemt.",
    "bruger": "Brugeren er oprettet.",
    "deaktiveret": "Brugeren er deaktiveret.",
}


@lru_cache(maxsize=1)
def _names() -> dict[int, str]:
    return {m.code: m.name for m in sorted(open_release().register, key=lambda m: m.name)}


def _code(value: Any) -> int:
    """A municipality code from a form or query (name or code accepted)."""
    return int(open_release().register.resolve(str(value).strip()).code)


def _form_code(user: User, kommune: str | None) -> int:
    """The municipality a POST acts for: the form's ``kommune``, else the user's own."""
    if kommune not in (None, ""):
        return _code(kommune)
    if user.municipality_code is None:
        raise InputError("Vælg en kommune (feltet 'kommune').")
    return int(user.municipality_code)


def _view_code(user: User, kommune: str | None) -> int | None:
    """The municipality whose workspace ``user`` may see: operators any, everyone else only their own."""
    if user.role == OPERATOR:
        return _code(kommune) if kommune else None
    if user.municipality_code is None:
        raise PermissionDenied("Din bruger er ikke knyttet til en kommune og har derfor intet arbejdsrum. Kontakt "
                               "operatøren.")
    if kommune and _code(kommune) != user.municipality_code:
        raise PermissionDenied("Du kan kun se din egen kommunes arbejdsrum.")
    return int(user.municipality_code)


def _back(request: Request, path: str, notice: str) -> Response:
    sep = "&" if "?" in path else "?"
    if "#" in path:
        base, frag = path.split("#", 1)
        return RedirectResponse(f"{base}{sep}ok={notice}#{frag}", status_code=303)
    return RedirectResponse(f"{path}{sep}ok={notice}", status_code=303)


def _ws_path(code: int, anchor: str = "") -> str:
    return f"/arbejdsrum?kommune={code}" + (f"#{anchor}" if anchor else "")


def _user(request: Request) -> User:
    """The user of a POST; anonymous POSTs are refused with 403 by the core's authorisation."""
    user = current_user(request)
    if user is None:
        raise PermissionDenied("Du skal være logget ind for at ændre noget i Råderum.")
    return user


def _not_found(e: Exception) -> HTTPException:
    return HTTPException(status_code=404, detail=str(e))


# ------------------------------------------------------------------------------------------------ workspace


@router.get("/arbejdsrum")
def workspace_page(request: Request, kommune: str | None = None, ok: str | None = None,
                   user: User = Depends(login_required)) -> Response:
    code = _view_code(user, kommune)
    ctx: dict[str, Any] = {"title": "Arbejdsrum", "nav": "arbejdsrum", "user": user, "code_": code,
                           "notice": NOTICES.get(ok or ""), "statuses": ws.STATUSES,
                           "choices": _names() if user.role == OPERATOR else None}
    if code is not None:
        engine = get_engine()
        note = ws.get_note(engine, code)
        ctx.update(municipality_name=_names()[code], editable=can(user, "shortlist.update", code),
                   rows=ws.shortlist(engine, code), links=ws.share_links(engine, code),
                   proposals=ws.municipality_proposals(engine, code), committees=ws.committee_entries(engine, code),
                   note=note, note_updated=ws.local_time(note.updated_at) if note else "")
    return render(request, "workspace.html", ctx)


@router.post("/arbejdsrum/shortlist")
def shortlist_add(request: Request, proposal_id: FormRowId, kommune: str | None = Form(None),
                  status: str | None = Form(None), comment: str | None = Form(None, max_length=5000),
                  next: str | None = Form(None, max_length=2000)) -> Response:
    user = _user(request)
    code = _form_code(user, kommune)
    try:
        item = ws.add_to_shortlist(get_engine(), user, code, proposal_id, status=status, comment=comment)
    except ProposalNotFound as e:
        raise _not_found(e) from None
    if request.headers.get("HX-Request"):
        return HTMLResponse(f'<p role="status">Forslaget er på kortlisten (punkt {item.id}). '
                            f'<a href="{_ws_path(code, "kortliste")}">Se kortlisten</a></p>')
    return _back(request, safe_next(next, _ws_path(code, "kortliste")), "tilfoejet")


@router.post("/arbejdsrum/shortlist/{item_id}")
def shortlist_update(request: Request, item_id: RowId, version: str = Form(...), status: str | None = Form(None),
                     comment: str | None = Form(None, max_length=5000)) -> Response:
    item = ws.update_shortlist_item(get_engine(), _user(request), item_id, version, status=status, comment=comment)
    return _back(request, _ws_path(item.municipality_code, f"punkt-{item.id}"), "gemt")


@router.post("/arbejdsrum/shortlist/{item_id}/fjern")
def shortlist_remove(request: Request, item_id: RowId, version: str | None = Form(None)) -> Response:
    engine = get_engine()
    code = ws.get_shortlist_item(engine, item_id).municipality_code
    ws.remove_from_shortlist(engine, _user(request), item_id, version)
    return _back(request, _ws_path(code, "kortliste"), "fjernet")


@router.get("/arbejdsrum/shortlist.xlsx")
def shortlist_export(kommune: str | None = None, user: User = Depends(login_required)) -> Response:
    code = _view_code(user, kommune)
    if code is None:
        raise InputError("Vælg en kommune (?kommune=KODE).")
    data = ws.shortlist_xlsx(ws.shortlist(get_engine(), code), _names()[code])
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="raaderum-kortliste-{code}.xlsx"'})


@router.post("/arbejdsrum/del")
def share_create(request: Request, kommune: str | None = Form(None)) -> Response:
    user = _user(request)
    code = _form_code(user, kommune)
    ws.create_share_link(get_engine(), user, code)
    return _back(request, _ws_path(code, "kortliste"), "delt")


@router.post("/arbejdsrum/del/{token}/tilbagekald")
def share_revoke(request: Request, token: str) -> Response:
    link = ws.revoke_share_link(get_engine(), _user(request), token)
    return _back(request, _ws_path(link.municipality_code, "kortliste"), "tilbagekaldt")


@router.get("/arbejdsrum/del/{token}")
def shared(request: Request, token: str) -> Response:
    code, rows = ws.shared_shortlist(get_engine(), token)
    response = render(request, "shared_shortlist.html", {"title": f"Kortliste fra {_names()[code]} Kommune",
                                                         "municipality_name": _names()[code], "rows": rows})
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ------------------------------------------------------------------------------------------------ own proposals


def _proposal_form_ctx(code: int) -> dict[str, Any]:
    cat = load_catalog()
    areas = {**{a.id: a.name for a in cat.areas}, **{t.id: f"{t.name} (tema)" for t in cat.themes}}
    return {"code_": code, "municipality_name": _names()[code], "areas": areas, "types": load_vocabulary().types,
            "amount_fields": [(f, ws.PROPOSAL_FIELDS[f]) for f in ws.AMOUNT_FIELDS], "nav": "arbejdsrum"}


def _fmt_amount(v: float | None) -> str:
    if v is None:
        return ""
    return (f"{v:.1f}".rstrip("0").rstrip(".")).replace(".", ",")


@router.get("/arbejdsrum/forslag/ny")
def proposal_new(request: Request, kommune: str | None = None, user: User = Depends(login_required)) -> Response:
    code = _view_code(user, kommune)
    if code is None:
        raise InputError("Vælg en kommune (?kommune=KODE).")

    values = {"title": "", "description": "", "budget_year": date.today().year + 1, "area_id": "", "type_id": "",
              "contact": "", **{f: None for f in ws.AMOUNT_FIELDS}}
    return render(request, "workspace_proposal.html", {**_proposal_form_ctx(code), "title": "Nyt forslag",
                                                       "proposal": None, "values": values,
                                                       "readonly": not can(user, "proposal.create", code)})


def _fields(form: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k in ws.PROPOSAL_FIELDS}


@router.post("/arbejdsrum/forslag")
async def proposal_create(request: Request) -> Response:
    form = await request.form()
    user = _user(request)
    kommune = form.get("kommune")
    code = _form_code(user, kommune if isinstance(kommune, str) else None)
    fields = _fields({k: v for k, v in form.items() if isinstance(v, str)})
    rec = await run_in_threadpool(ws.create_proposal, get_engine(), user, code, fields)
    return _back(request, f"/arbejdsrum/forslag/{rec.id}", "oprettet")


@router.get("/arbejdsrum/forslag/{proposal_id}")
def proposal_edit_form(request: Request, proposal_id: RowId, ok: str | None = None,
                       user: User = Depends(login_required)) -> Response:
    engine = get_engine()
    try:
        rec = ws.get_proposal(engine, proposal_id)
    except ProposalNotFound as e:
        raise _not_found(e) from None
    code = rec.municipality_code
    if user.role != OPERATOR and user.municipality_code != code:
        raise PermissionDenied("Du kan kun se forslag i din egen kommunes arbejdsrum; forslaget kan læses i "
                               f"idébanken: /idebank/{rec.id}.")
    st = ws.proposal_status(engine, proposal_id)
    withdrawn = ws.local_time(st.withdrawn_at) if st and st.withdrawn_at else ""
    values = {f: getattr(rec, f) for f in ("title", "description", "budget_year", "area_id", "type_id", "contact")}
    values.update({f: _fmt_amount(getattr(rec, f)) for f in ws.AMOUNT_FIELDS})
    with Session(engine) as s:
        history = [{"when": ws.local_time(e.at), "user_name": e.user_name, "action": e.action}
                   for e in entries(s, entity="proposal", entity_id=proposal_id, limit=20)]
    return render(request, "workspace_proposal.html", {
        **_proposal_form_ctx(code), "title": f"Ret forslag nr. {rec.id}", "proposal": rec, "values": values,
        "readonly": bool(withdrawn) or not can(user, "proposal.edit", code), "withdrawn": withdrawn,
        "can_withdraw": not withdrawn and can(user, "proposal.withdraw", code), "history": history,
        "notice": NOTICES.get(ok or "")})


@router.post("/arbejdsrum/forslag/{proposal_id}")
async def proposal_edit(request: Request, proposal_id: RowId) -> Response:
    form = await request.form()
    user = _user(request)
    strings = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        await run_in_threadpool(ws.edit_proposal, get_engine(), user, proposal_id, strings.get("version"),
                                _fields(strings))
    except ProposalNotFound as e:
        raise _not_found(e) from None
    return _back(request, f"/arbejdsrum/forslag/{proposal_id}", "gemt")


@router.post("/arbejdsrum/forslag/{proposal_id}/traek-tilbage")
def proposal_withdraw(request: Request, proposal_id: RowId, version: str = Form(...)) -> Response:
    try:
        ws.withdraw_proposal(get_engine(), _user(request), proposal_id, version)
    except ProposalNotFound as e:
        raise _not_found(e) from None
    return _back(request, f"/arbejdsrum/forslag/{proposal_id}", "trukket")


# ------------------------------------------------------------------------------------------------ committees, notes


@router.post("/arbejdsrum/udvalg")
async def committees_save(request: Request) -> Response:
    """Either ``area_id`` + ``committee`` (one area), or ``udvalg.<area_id>`` fields (the whole form)."""
    form = await request.form()
    user = _user(request)
    kommune = form.get("kommune")
    code = _form_code(user, kommune if isinstance(kommune, str) else None)
    wanted: dict[str, str] = {}
    area, committee = form.get("area_id"), form.get("committee")
    if isinstance(area, str) and area:
        wanted[area] = committee if isinstance(committee, str) else ""
    for key, value in form.items():
        if key.startswith("udvalg.") and isinstance(value, str):
            wanted[key.removeprefix("udvalg.")] = value
    if not wanted:
        raise InputError("Ingen udvalg i formularen (felterne area_id og committee).")

    def save() -> None:
        engine = get_engine()
        current = {e.area_id: e.committee for e in ws.committee_entries(engine, code)}
        for area_id, name in wanted.items():
            if current.get(area_id) != " ".join(name.split()) or area_id not in current:
                ws.set_committee_audited(engine, user, code, area_id, name)

    await run_in_threadpool(save)
    return _back(request, _ws_path(code, "udvalg"), "udvalg")


@router.post("/arbejdsrum/noter")
def notes_save(request: Request, text: str = Form("", max_length=20000), version: str = Form("0"),
               kommune: str | None = Form(None)) -> Response:
    user = _user(request)
    code = _form_code(user, kommune)
    ws.set_note(get_engine(), user, code, text, version)
    return _back(request, _ws_path(code, "noter"), "noter")



__all__ = ["router"]
