"""The operator's pages for the knowledge portal: /admin/greb (list, create) and /admin/greb/<id> (edit, reset).

Thin: authorisation, validation, optimistic locking and the audit log live in :mod:`raaderum.server.levers`; this
module parses forms and renders. Every POST goes through the CSRF check of
:class:`raaderum.web.auth.AuthMiddleware` before it gets here; every route needs the action ``lever.edit``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from raaderum.ideas.levers import IDEA_TYPES, lever
from raaderum.ideas.vocabulary import load_vocabulary
from raaderum.server import levers as le
from raaderum.server.accounts import User
from raaderum.server.workspace import local_time
from raaderum.store.audit import entries
from raaderum.store.levers import effective_levers
from raaderum.web.deps import get_engine, requires
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)

NOTICES = {
    "gemt": "Ændringen er gemt og vises nu i vidensportalen.",
    "oprettet": "Grebet er oprettet og vises nu i vidensportalen.",
    "nulstillet": "Grebet viser igen den leverede tekst.",
    "slettet": "Grebet er slettet fra vidensportalen.",
}


def _type_names() -> dict[str, str]:
    names = {t.id: t.name for t in load_vocabulary().types}
    return {t: names.get(t, t) for t in IDEA_TYPES}


def _fields(form: FormData) -> dict[str, Any]:
    """The lever's fields of a form: list fields keep every value (checkboxes, or one textarea)."""
    out: dict[str, Any] = {}
    for name in le.LABELS:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        if name in le.LIST_FIELDS:
            out[name] = values
        elif values:
            out[name] = values[-1]
    return out


def _form_ctx() -> dict[str, Any]:
    return {"nav": "admin_greb", "areas": le.known_areas(), "types": _type_names(), "labels": le.LABELS}


@router.get("/admin/greb")
def levers_admin(request: Request, ok: str | None = None, user: User = Depends(requires(le.ACTION))) -> Response:
    engine = get_engine()
    edits = {row.lever_id: row for row in le.stored_edits(engine)}
    shipped = le.shipped()
    rows = []
    for lv in effective_levers(engine):
        row = edits.get(lv.id)
        status = "Leveret" if row is None else ("Rettet" if lv.id in shipped else "Oprettet i Råderum")
        rows.append({"lever": lv, "status": status, "updated_by": row.updated_by if row else "",
                     "updated_at": _when(row.updated_at) if row else ""})
    return render(request, "admin_levers.html", {**_form_ctx(), "title": "Greb i vidensportalen", "rows": rows,
                                                 "notice": NOTICES.get(ok or "")})


def _when(value: Any) -> str:
    return local_time(value)


@router.post("/admin/greb")
async def lever_create(request: Request, user: User = Depends(requires(le.ACTION))) -> Response:
    form = await request.form()
    lever_id = form.get("lever_id")
    row = await run_in_threadpool(le.create_lever, get_engine(), user, lever_id if isinstance(lever_id, str) else "",
                                  _fields(form))
    return RedirectResponse(f"/admin/greb/{row.lever_id}?ok=oprettet", status_code=303)


@router.get("/admin/greb/{lever_id}")
def lever_edit_form(request: Request, lever_id: str, ok: str | None = None,
                    user: User = Depends(requires(le.ACTION))) -> Response:
    engine = get_engine()
    lv = lever(lever_id, effective_levers(engine))
    row = le.get_edit(engine, lever_id)
    shipped = lever_id in le.shipped()
    with Session(engine) as s:
        history = [{"when": _when(e.at), "user_name": e.user_name, "action": e.action}
                   for e in entries(s, entity=le.ENTITY, entity_id=lever_id, limit=20)]
    return render(request, "admin_lever.html", {
        **_form_ctx(), "title": f"Ret grebet {lv.title}", "lever": lv, "version": row.version if row else 0,
        "edited": row is not None, "shipped": shipped, "updated_by": row.updated_by if row else "",
        "updated_at": _when(row.updated_at) if row else "", "history": history, "notice": NOTICES.get(ok or "")})


@router.post("/admin/greb/{lever_id}")
async def lever_save(request: Request, lever_id: str, user: User = Depends(requires(le.ACTION))) -> Response:
    form = await request.form()
    version = form.get("version")
    await run_in_threadpool(le.save_lever, get_engine(), user, lever_id, _fields(form),
                            version if isinstance(version, str) else None)
    return RedirectResponse(f"/admin/greb/{lever_id}?ok=gemt", status_code=303)


@router.post("/admin/greb/{lever_id}/nulstil")
async def lever_reset(request: Request, lever_id: str, user: User = Depends(requires(le.ACTION))) -> Response:
    form = await request.form()
    version = form.get("version")
    shipped = await run_in_threadpool(le.reset_lever, get_engine(), user, lever_id,
                                      version if isinstance(version, str) else None)
    if shipped is None:
        return RedirectResponse("/admin/greb?ok=slettet", status_code=303)
    return RedirectResponse(f"/admin/greb/{lever_id}?ok=nulstillet", status_code=303)


__all__ = ["router"]
