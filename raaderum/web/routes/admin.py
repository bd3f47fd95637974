"""The operator's pages: users (/admin/brugere) and the import of idea-bank workbooks (/admin/import).
Thin: the services :mod:`raaderum.server.accounts` and :mod:`raaderum.server.imports` check the permission and
write the audit row; this module parses forms and renders.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from raaderum.errors import InputError
from raaderum.server.accounts import ROLES, User, add_user, disable_user, list_users
from raaderum.server.imports import import_workbook
from raaderum.store.ideas import IdeaStore
from raaderum.web.deps import RowId, get_engine, requires
from raaderum.web.routes.workspace import NOTICES, _back, _code, _names
from raaderum.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/brugere")
def users_page(request: Request, ok: str | None = None, user: User = Depends(requires("user.add"))) -> Response:
    with Session(get_engine()) as s:
        users = list_users(s)
    return render(request, "admin_users.html", {"title": "Brugere", "nav": "admin", "users": users, "roles": ROLES,
                                                "names": _names(), "notice": NOTICES.get(ok or "")})


@router.post("/admin/brugere")
def users_add(request: Request, name: str = Form(..., max_length=64), role: str = Form(...),
              password: str = Form(..., max_length=1000), kommune: str | None = Form(None),
              user: User = Depends(requires("user.add"))) -> Response:
    code = _code(kommune) if kommune else None
    add_user(get_engine(), user, name, role, password=password, municipality_code=code)
    return _back(request, "/admin/brugere", "bruger")


@router.post("/admin/brugere/{user_id}/deaktiver")
def users_disable(request: Request, user_id: RowId, user: User = Depends(requires("user.disable"))) -> Response:
    disable_user(get_engine(), user, user_id=user_id)
    return _back(request, "/admin/brugere", "deaktiveret")


@router.get("/admin/import")
def import_page(request: Request, user: User = Depends(requires("ideas.import"))) -> Response:
    return render(request, "admin_import.html", {"title": "Importér idébank", "nav": "admin", "report": None})


_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)

STATUS_LABELS = {"imported": "Importeret", "rejected": "Afvist", "skipped": "Sprunget over"}


@router.post("/admin/import")
async def import_upload(request: Request, file: UploadFile = File(...), dry_run: str | None = Form(None),
                        savings_positive: str | None = Form(None),
                        user: User = Depends(requires("ideas.import"))) -> Response:
    # Only the base name of the uploaded file is kept (for the report), cleaned: never a path.
    name = _SAFE_NAME.sub("_", Path((file.filename or "upload.xlsx").replace("\\", "/")).name).strip(" .") \
        or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise InputError(f"{name} er ikke en .xlsx-fil.")
    content = await file.read()

    def run() -> Any:
        engine = get_engine()
        with tempfile.TemporaryDirectory(prefix="raaderum-import-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            with IdeaStore(engine.url.render_as_string(hide_password=False)) as store:
                return import_workbook(store, user, path, dry_run=bool(dry_run),
                                       savings_positive=bool(savings_positive), file_name=name)

    report = await run_in_threadpool(run)
    outcomes = [{"sheet": o.sheet, "row": o.row if o.row is not None else "", "status_label":
                 STATUS_LABELS.get(o.status, o.status),
                 "text": (o.proposal.display_title if o.proposal is not None and o.status == "imported"
                          else o.reason)} for o in report.outcomes]
    return render(request, "admin_import.html", {"title": "Importér idébank", "nav": "admin", "report": report,
                                                 "file_name": name, "counts": report.counts(),
                                                 "outcomes": outcomes})
