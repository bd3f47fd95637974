"""The operator's pages: users (/admin/brugere) and the import of idea-bank workbooks (/admin/import).
Thin: the services :mod:`raaderum.server.accounts` and :mod:`raaderum.server.imports` check the permission and
write the audit row; this module parses forms and renders.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from raaderum import config
from raaderum.errors import InputError
from raaderum.ideas.header_mapping import FIELD_LABELS
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


def _pending_dir() -> Path:
    """Uploads waiting for the operator's confirmation (the app's home folder; removed after import). In a
    multi-node site, RAADERUM_HOME must be shared between nodes for this step (or the load balancer sticky)."""
    d = config.current().home_dir / "uploads"
    d.mkdir(parents=True, exist_ok=True)
    return d


_TOKEN = re.compile(r"^[0-9a-f]{64}$")


def _pending(token: str) -> tuple[Path, str]:
    if not _TOKEN.match(token or ""):
        raise InputError("Ukendt upload; upload projektmappen igen.")
    path = _pending_dir() / f"{token}.xlsx"
    meta = _pending_dir() / f"{token}.json"
    if not path.exists() or not meta.exists():
        raise InputError("Uploaden findes ikke længere; upload projektmappen igen.")
    return path, str(json.loads(meta.read_text(encoding="utf-8")).get("name") or "upload.xlsx")


def _report_page(request: Request, report: Any, name: str, token: str | None) -> Response:
    outcomes = [{"sheet": o.sheet, "row": o.row if o.row is not None else "", "status_label":
                 STATUS_LABELS.get(o.status, o.status),
                 "text": (o.proposal.display_title if o.proposal is not None and o.status == "imported"
                          else o.reason)} for o in report.outcomes]
    return render(request, "admin_import.html", {"title": "Importér idébank", "nav": "admin", "report": report,
                                                 "file_name": name, "counts": report.counts(),
                                                 "outcomes": outcomes, "token": token, "fields": FIELD_LABELS,
                                                 "sheets": [s for s in report.sheets if s.is_data]})


def _import(user: User, path: Path, name: str, **kwargs: Any) -> Any:
    engine = get_engine()
    with IdeaStore(engine.url.render_as_string(hide_password=False)) as store:
        return import_workbook(store, user, path, file_name=name, **kwargs)


@router.post("/admin/import")
async def import_upload(request: Request, file: UploadFile = File(...), dry_run: str | None = Form(None),
                        savings_positive: str | None = Form(None),
                        user: User = Depends(requires("ideas.import"))) -> Response:
    """Step 1: upload. A sheet that needs a decision (or a dry run) shows the proposed mapping to confirm or
    correct; otherwise the file is imported at once (a known layout's profile is used without questions)."""
    # Only the base name of the uploaded file is kept (for the report), cleaned: never a path.
    name = _SAFE_NAME.sub("_", Path((file.filename or "upload.xlsx").replace("\\", "/")).name).strip(" .") \
        or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        raise InputError(f"{name} er ikke en .xlsx-fil.")
    content = await file.read()

    def run() -> tuple[Any, str | None]:
        token = hashlib.sha256(content).hexdigest()
        path = _pending_dir() / f"{token}.xlsx"
        path.write_bytes(content)
        (_pending_dir() / f"{token}.json").write_text(json.dumps({"name": name}), encoding="utf-8")
        report = _import(user, path, name, dry_run=bool(dry_run),
                         savings_positive=True if savings_positive else None)
        if report.dry_run or report.stopped:
            return report, token
        _forget(token)
        return report, None

    report, token = await run_in_threadpool(run)
    return _report_page(request, report, name, token)


def _forget(token: str) -> None:
    for suffix in (".xlsx", ".json"):
        (_pending_dir() / f"{token}{suffix}").unlink(missing_ok=True)


@router.post("/admin/import/bekraeft")
async def import_confirm(request: Request, user: User = Depends(requires("ideas.import"))) -> Response:
    """Step 2: the operator's corrections (``map-<sheet no>-<column>``, ``unit-<no>``, ``sign-<no>``) and
    confirmation; an optional profile name saves the confirmed layout for the next file."""
    form = await request.form()
    token = str(form.get("token") or "")
    path, name = _pending(token)
    sheets = [str(v) for k, v in form.multi_items() if k == "sheet"]
    overrides: dict[str, Any] = {}
    for i, sheet in enumerate(sheets):
        columns: dict[str, str | None] = {}
        for key, value in form.multi_items():
            prefix = f"map-{i}-"
            if key.startswith(prefix) and isinstance(value, str):
                letter = key[len(prefix):]
                if not re.fullmatch(r"[A-Z]{1,3}", letter):
                    raise InputError(f"Ugyldig kolonne {letter!r}.")
                if value not in FIELD_LABELS and value != "":
                    raise InputError(f"Ukendt felt {value!r} for kolonne {letter}.")
                columns[letter] = value or None
        unit = str(form.get(f"unit-{i}") or "") or None
        if unit is not None and unit not in ("kr", "1000kr", "mio"):
            raise InputError(f"Ukendt enhed {unit!r}; vælg kr, 1000kr eller mio.")
        sign = str(form.get(f"sign-{i}") or "")
        overrides[sheet] = {"columns": columns, "unit": unit,
                            "savings_positive": {"positiv": True, "negativ": False}.get(sign)}
    profile = str(form.get("profile") or "").strip() or None
    if profile is not None and len(profile) > 100:
        raise InputError("Profilens navn må højst være 100 tegn.")

    def run() -> Any:
        report = _import(user, path, name, overrides=overrides, accept=True, save_profile_as=profile)
        if not report.stopped:
            _forget(token)
        return report

    report = await run_in_threadpool(run)
    return _report_page(request, report, name, token if report.stopped else None)
