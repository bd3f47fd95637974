"""Issue 12 on the web: the operator uploads a workbook in a new layout, sees the proposed column mapping with its
questions, corrects one column, confirms (nothing is written before), saves the layout as a profile, and the next
workbook in that layout imports at once with the profile named. In Chromium too, with an axe check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_import_cli import _rows
from test_import_layouts import write

from raaderum.store.models import AuditEntry, Proposal


def _ours(engine: Any) -> list[Proposal]:
    with Session(engine) as s:
        return list(s.scalars(select(Proposal).where(Proposal.is_sample.is_(False)).order_by(Proposal.id)))


def test_upload_correct_confirm_and_profile(engine: Any, users: Any, tmp_path: Path) -> None:
    client = ca.new_client()
    ca.login(client, users["operator"].name)
    token = ca.csrf_in(client.get("/admin/import").text)
    first = write(tmp_path / "foerste.xlsx", _rows(3))
    r = client.post("/admin/import", data={"csrf_token": token},
                    files={"file": ("foerste.xlsx", first.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200 and "Kolonnekort for foerste.xlsx" in r.text and "ligner kroner" in r.text
    assert _ours(engine) == []  # nothing before the confirmation
    page = ca.soup(r.text)
    form = page.select_one("form[action='/admin/import/bekraeft']")
    data: dict[str, Any] = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    for sel in form.select("select"):
        chosen = sel.select_one("option[selected]")
        data[sel["name"]] = chosen["value"] if chosen else ""
    assert data["map-0-C"] == "title" and data["unit-0"] == "kr"
    data["map-0-F"] = "contact"  # correct one column: "Sagsbehandler" is the contact person
    data["profile"] = "Aarhus-layout"
    r = client.post("/admin/import/bekraeft", data=data)
    assert r.status_code == 200, r.text[:500]
    assert "Gemt som layoutprofil: Aarhus-layout" in r.text
    stored = _ours(engine)
    assert [p.amount_b for p in stored] == [-250.0, -250.001, -250.002] and {p.contact for p in stored} == {"Hanne"}
    second = write(tmp_path / "anden.xlsx", _rows(2, start=10))
    r = client.post("/admin/import", data={"csrf_token": token},
                    files={"file": ("anden.xlsx", second.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200 and "Layoutprofil brugt" in r.text and "Kolonnekort for" not in r.text
    assert len(_ours(engine)) == 5
    with Session(engine) as s:
        log = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "ideas.import")))
        assert len(log) == 2 and all(e.user_name == users["operator"].name for e in log)
    r = client.post("/admin/import/bekraeft", data={"csrf_token": token, "token": "0" * 64})
    assert r.status_code == 400 and "upload projektmappen igen" in r.text


@pytest.mark.e2e
def test_browser_import_mapping_confirm_and_profile(tmp_path: Path) -> None:
    from e2e_support import CHROMIUM, CHROMIUM_ARGS, axe_violations, start_server
    from playwright.sync_api import sync_playwright

    from raaderum.store.engine import make_engine, migrate
    from raaderum.store.ideas import IdeaStore

    url = f"sqlite:///{tmp_path / 'raaderum.sqlite'}"
    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
    eng = make_engine(url)
    try:
        ca.make_user(eng, "operatoer", "operator")
    finally:
        eng.dispose()
    first = write(tmp_path / "foerste.xlsx", _rows(3))
    second = write(tmp_path / "anden.xlsx", _rows(2, start=10))
    server = start_server({"RAADERUM_HOME": str(tmp_path), "RAADERUM_DATABASE_URL": url,
                           "RAADERUM_KEEP_DATABASE_URL": "1", "RAADERUM_WARM_UP": "0"})
    base = next(server)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/login")
            page.fill("#login-name", "operatoer")
            page.fill("#login-password", ca.PASSWORD)
            page.click("form.login button")
            page.wait_for_load_state()
            page.goto(base + "/admin/import")
            page.set_input_files("#import-fil", str(first))
            with page.expect_navigation():
                page.click("form[action='/admin/import'] button[type=submit]")
            assert "Kolonnekort for foerste.xlsx" in page.inner_text("main")
            assert axe_violations(page) == []
            page.select_option("#map-0-F", "contact")
            page.fill("#profil", "Aarhus-layout")
            with page.expect_navigation():
                page.click("text=Bekræft og importér")
            assert "Gemt som layoutprofil: Aarhus-layout" in page.inner_text("main")
            page.goto(base + "/admin/import")
            page.set_input_files("#import-fil", str(second))
            with page.expect_navigation():
                page.click("form[action='/admin/import'] button[type=submit]")
            text = page.inner_text("main")
            assert "Layoutprofil brugt: Aarhus-layout" in text and "2 importeret" in text
            browser.close()
    finally:
        server.close()
