"""The municipal workspace through the core and over HTTP (SQLite and PostgreSQL): shortlist, share links, own
proposals, optimistic locking, committee mapping, notes and the audit log."""

from __future__ import annotations

import io

import conftest_accounts as ca
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from raaderum.errors import InputError
from raaderum.server import workspace as ws
from raaderum.server.accounts import PermissionDenied
from raaderum.store.audit import AuditEntry, entries
from raaderum.store.models import CommitteeMapping, Proposal


def test_shortlist_add_update_remove_with_audit(engine, users) -> None:  # type: ignore[no-untyped-def]
    ed = users["editor"]
    pid = ca.sample_proposal(engine, ca.OTHER)
    item = ws.add_to_shortlist(engine, ed, ca.OWN, pid, comment="Kig på den")
    assert item.status == "til_overvejelse" and item.version == 1
    again = ws.add_to_shortlist(engine, ed, ca.OWN, pid)
    assert again.id == item.id  # already there: unchanged, no second entry
    updated = ws.update_shortlist_item(engine, ed, item.id, 1, status="arbejdes_videre_med", comment="Godt forslag")
    assert updated.version == 2 and updated.status_label == "Arbejdes videre med"
    rows = ws.shortlist(engine, ca.OWN)
    assert [(r.proposal.id, r.item.comment) for r in rows] == [(pid, "Godt forslag")]
    with pytest.raises(InputError, match="Ukendt status"):
        ws.update_shortlist_item(engine, ed, item.id, 2, status="måske")
    with pytest.raises(PermissionDenied):
        ws.update_shortlist_item(engine, users["other_editor"], item.id, 2, comment="kapret")
    ws.remove_from_shortlist(engine, ed, item.id, 2)
    assert ws.shortlist(engine, ca.OWN) == []
    with Session(engine) as s:
        log = list(reversed(entries(s, entity="shortlist_item", entity_id=item.id)))
    assert [e.action for e in log] == ["shortlist.add", "shortlist.update", "shortlist.remove"]
    assert log[0].before is None and log[0].after["comment"] == "Kig på den"
    assert log[1].before["status"] == "til_overvejelse" and log[1].after["status"] == "arbejdes_videre_med"
    assert log[1].before["comment"] == "Kig på den" and log[1].after["comment"] == "Godt forslag"
    assert log[2].before["version"] == 2 and log[2].after is None
    assert all(e.user_name == "aarhus-redaktoer" and e.municipality_code == ca.OWN for e in log)


def test_share_link_is_read_only_and_revocable(engine, users) -> None:  # type: ignore[no-untyped-def]
    ed = users["editor"]
    pid = ca.sample_proposal(engine, ca.OTHER)
    ws.add_to_shortlist(engine, ed, ca.OWN, pid, comment="Til udvalget")
    client = ca.new_client()
    csrf = ca.login(client, "aarhus-redaktoer")
    r = client.post("/arbejdsrum/del", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    [link] = ws.share_links(engine, ca.OWN)
    anonymous = ca.new_client()
    page = anonymous.get(f"/arbejdsrum/del/{link.token}")
    assert page.status_code == 200
    doc = ca.soup(page.text)
    assert "Til udvalget" in doc.get_text()
    assert doc.select("main form") == []  # read-only: nothing to submit
    assert page.headers["x-robots-tag"] == "noindex"
    # the share link gives no write access: a POST from the anonymous visitor is refused
    r = anonymous.post("/arbejdsrum/shortlist", data={"proposal_id": pid, "kommune": ca.OWN,
                                                     "csrf_token": ca.anonymous_csrf(anonymous)})
    assert r.status_code == 403
    r = client.post(f"/arbejdsrum/del/{link.token}/tilbagekald", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert anonymous.get(f"/arbejdsrum/del/{link.token}").status_code == 404
    assert anonymous.get("/arbejdsrum/del/findes-ikke").status_code == 404
    with Session(engine) as s:
        actions = [e.action for e in entries(s, entity="share_link")]
    assert sorted(actions) == ["shortlist.share", "shortlist.unshare"]


def test_own_proposals_create_edit_withdraw_over_http(engine, users) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    csrf = ca.login(client, "aarhus-redaktoer")
    r = client.post("/arbejdsrum/forslag", data={
        "csrf_token": csrf, "title": "Fælles indkøb af bleer", "description": "Udbud sammen med nabokommuner.",
        "budget_year": "2027", "area_id": "aeldre", "type_id": "indkoeb", "amount_b": "-1.250,5", "amount_bo1": "",
        "contact": "Indkøb"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    pid = int(r.headers["location"].split("/")[-1].split("?")[0])
    rec = ws.get_proposal(engine, pid)
    assert (rec.municipality_code, rec.municipality_name, rec.budget_year) == (751, "Aarhus", 2027)
    assert rec.amount_b == -1250.5 and rec.amount_bo1 is None and rec.type_text == "Indkøb"
    assert rec.committee_text  # from the municipality's committee mapping of the area
    form = client.get(f"/arbejdsrum/forslag/{pid}")
    assert form.status_code == 200
    assert ca.soup(form.text).select_one("input[name=version]")["value"] == "1"
    r = client.post(f"/arbejdsrum/forslag/{pid}", data={"csrf_token": csrf, "version": "1",
                                                         "title": "Fælles indkøb af inkontinensprodukter"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert ws.get_proposal(engine, pid).title == "Fælles indkøb af inkontinensprodukter"
    assert ws.get_proposal(engine, pid).version == 2
    r = client.post(f"/arbejdsrum/forslag/{pid}/traek-tilbage", data={"csrf_token": csrf, "version": "2"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert pid in ws.withdrawn_ids(engine)
    r = client.post(f"/arbejdsrum/forslag/{pid}", data={"csrf_token": csrf, "version": "3", "title": "Igen"})
    assert r.status_code == 400 and "trukket tilbage" in r.text
    with Session(engine) as s:
        log = list(reversed(entries(s, entity="proposal", entity_id=pid)))
        batch_name = s.scalar(select(Proposal).where(Proposal.id == pid)).batch.file_name
    assert [e.action for e in log] == ["proposal.create", "proposal.edit", "proposal.withdraw"]
    assert log[1].before["title"] == "Fælles indkøb af bleer"
    assert log[1].after["title"] == "Fælles indkøb af inkontinensprodukter"
    assert log[2].after["withdrawn_by"] == "aarhus-redaktoer"
    assert batch_name == "Arbejdsrum: Aarhus"
    page = client.get("/arbejdsrum")
    assert "Trukket tilbage" in page.text


def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(engine, users) -> None:  # type: ignore[no-untyped-def]
    ca.make_user(engine, "aarhus-redaktoer-2", "editor", ca.OWN)
    pid = ca.sample_proposal(engine, ca.OWN)
    version = ws.get_proposal(engine, pid).version
    first, second = ca.new_client(), ca.new_client()
    csrf1, csrf2 = ca.login(first, "aarhus-redaktoer"), ca.login(second, "aarhus-redaktoer-2")
    # both opened the form at the same version; the first saves
    r = first.post(f"/arbejdsrum/forslag/{pid}", data={"csrf_token": csrf1, "version": str(version),
                                                        "title": "Den første redaktørs titel"},
                   follow_redirects=False)
    assert r.status_code == 303
    r = second.post(f"/arbejdsrum/forslag/{pid}", data={"csrf_token": csrf2, "version": str(version),
                                                         "title": "Den anden redaktørs titel"})
    assert r.status_code == 409
    message = ca.soup(r.text).select_one("[role=alert]").get_text()
    assert "aarhus-redaktoer" in message and "IKKE gemt" in message and "Genindlæs" in message
    assert ws.get_proposal(engine, pid).title == "Den første redaktørs titel"
    # the same for a shortlist entry, through the core
    item = ws.add_to_shortlist(engine, users["editor"], ca.OWN, ca.sample_proposal(engine, ca.OTHER))
    ws.update_shortlist_item(engine, users["editor"], item.id, item.version, comment="først")
    with pytest.raises(ws.ConflictError, match="aarhus-redaktoer"):
        ws.update_shortlist_item(engine, users["operator"], item.id, item.version, comment="sidst")
    assert ws.get_shortlist_item(engine, item.id).comment == "først"
    # and for the notes
    note = ws.set_note(engine, users["editor"], ca.OWN, "Første note", 0)
    with pytest.raises(ws.ConflictError):
        ws.set_note(engine, users["operator"], ca.OWN, "Anden note", 0)
    assert ws.get_note(engine, ca.OWN).text == "Første note" and note.version == 1


def test_committee_mapping_form_sets_resets_and_audits(engine, users) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    csrf = ca.login(client, "aarhus-redaktoer")
    page = client.get("/arbejdsrum")
    assert page.status_code == 200
    field = ca.soup(page.text).select_one("input[name='udvalg.folkeskole']")
    assert field is not None and ca.soup(page.text).select_one("label[for=udvalg-folkeskole]") is not None
    default = field["value"]
    r = client.post("/arbejdsrum/udvalg", data={"csrf_token": csrf, "udvalg.folkeskole": "Udvalget for Læring",
                                                "udvalg.aeldre": "Sundheds- og Omsorgsudvalget"},
                    follow_redirects=False)
    assert r.status_code == 303
    entries_now = {e.area_id: e for e in ws.committee_entries(engine, ca.OWN)}
    assert entries_now["folkeskole"].committee == "Udvalget for Læring" and not entries_now["folkeskole"].is_default
    r = client.post("/arbejdsrum/udvalg", data={"csrf_token": csrf, "area_id": "folkeskole", "committee": ""},
                    follow_redirects=False)
    assert r.status_code == 303
    assert {e.area_id: e.committee for e in ws.committee_entries(engine, ca.OWN)}["folkeskole"] == default
    with Session(engine) as s:
        rows = s.scalars(select(CommitteeMapping).where(CommitteeMapping.municipality_code == ca.OWN)).all()
        assert [r.area_id for r in rows] == ["aeldre"]
        log = list(reversed(entries(s, entity="committee_mapping")))
    assert [(e.entity_id, e.before is None, e.after is None) for e in log if e.entity_id.endswith("folkeskole")] == [
        ("751/folkeskole", True, False), ("751/folkeskole", False, True)]
    r = client.post("/arbejdsrum/udvalg", data={"csrf_token": csrf, "area_id": "../../etc", "committee": "x"})
    assert r.status_code == 404


def test_notes_and_shortlist_pages_and_excel_export(engine, users) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    csrf = ca.login(client, "aarhus-redaktoer")
    pid = ca.sample_proposal(engine, ca.OTHER)
    r = client.post("/arbejdsrum/shortlist", data={"csrf_token": csrf, "proposal_id": pid, "comment": "=1+1",
                                                   "next": f"/idebank/{pid}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/idebank/{pid}?ok=")
    r = client.post("/arbejdsrum/shortlist", data={"csrf_token": csrf, "proposal_id": pid},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "på kortlisten" in r.text
    r = client.post("/arbejdsrum/noter", data={"csrf_token": csrf, "text": "Møde med direktionen 3/12",
                                               "version": "0"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/arbejdsrum")
    doc = ca.soup(page.text)
    assert doc.select_one("#noter-tekst").get_text() == "Møde med direktionen 3/12"
    assert doc.select_one("#tabel-kortliste") is not None
    xlsx = client.get("/arbejdsrum/shortlist.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for row in wb.active.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)  # a string, not a formula
    wb.close()


def test_workspace_needs_login_and_own_municipality(engine, users) -> None:  # type: ignore[no-untyped-def]
    anonymous = ca.new_client()
    r = anonymous.get("/arbejdsrum", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/arbejdsrum"
    reader = ca.new_client()
    ca.login(reader, "aarhus-laeser")
    page = reader.get("/arbejdsrum")
    assert page.status_code == 200 and "kan læse arbejdsrummet, men ikke ændre" in page.text
    assert reader.get("/arbejdsrum?kommune=101").status_code == 403
    operator = ca.new_client()
    ca.login(operator, "operatoer")
    assert "Vælg en kommune" in operator.get("/arbejdsrum").text
    assert "Arbejdsrum for København Kommune" in operator.get("/arbejdsrum?kommune=101").text
    assert operator.get("/admin/brugere").status_code == 200
    assert reader.get("/admin/brugere").status_code == 403


def test_every_change_has_an_audit_entry(engine, users) -> None:  # type: ignore[no-untyped-def]
    ed = users["editor"]
    before = _count(engine)
    item = ws.add_to_shortlist(engine, ed, ca.OWN, ca.sample_proposal(engine, ca.OTHER))
    ws.update_shortlist_item(engine, ed, item.id, item.version, comment="x")
    link = ws.create_share_link(engine, ed, ca.OWN)
    ws.revoke_share_link(engine, ed, link.token)
    rec = ws.create_proposal(engine, ed, ca.OWN, {"title": "Nyt"})
    ws.edit_proposal(engine, ed, rec.id, rec.version, {"description": "Mere"})
    ws.withdraw_proposal(engine, ed, rec.id, rec.version + 1)
    ws.set_committee_audited(engine, ed, ca.OWN, "folkeskole", "Læringsudvalget")
    ws.set_note(engine, ed, ca.OWN, "note", 0)
    ws.remove_from_shortlist(engine, ed, item.id)
    assert _count(engine) - before == 10
    with Session(engine) as s:
        for e in s.scalars(select(AuditEntry)):
            assert e.before is not None or e.after is not None
            assert e.user_name and e.at is not None


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func

    with Session(engine) as s:
        return int(s.scalar(select(func.count(AuditEntry.id))) or 0)


@pytest.mark.e2e
def test_browser_login_workspace_and_axe(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """In Chromium: log in through the form, use the workspace, log out; no axe (WCAG 2.1 AA) findings."""
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
        editor = ca.make_user(eng, "aarhus-redaktoer", "editor", ca.OWN)
        ca.make_user(eng, "operatoer", "operator")
        ws.add_to_shortlist(eng, editor, ca.OWN, ca.sample_proposal(eng, ca.OTHER), comment="Til udvalget")
        token = ws.create_share_link(eng, editor, ca.OWN).token
    finally:
        eng.dispose()
    server = start_server({"RAADERUM_HOME": str(tmp_path), "RAADERUM_DATABASE_URL": url})
    base = next(server)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            found = {}

            def visit(path: str) -> None:
                page.goto(base + path)
                found[path] = axe_violations(page)

            def log_in(name: str) -> None:
                page.goto(base + "/login")
                page.fill("#login-name", name)
                page.fill("#login-password", ca.PASSWORD)
                page.click("form.login button")
                page.wait_for_load_state()

            visit("/login")
            visit(f"/arbejdsrum/del/{token}")
            log_in("aarhus-redaktoer")
            assert page.url.endswith("/arbejdsrum")
            page.fill("#noter-tekst", "Skrevet i browseren")
            page.click("text=Gem noterne")
            page.wait_for_load_state()
            assert "Noterne er gemt" in page.inner_text("main")
            visit("/arbejdsrum")
            visit("/arbejdsrum/forslag/ny")
            page.click("text=Log ud")
            page.wait_for_load_state()
            assert "Log ind" in page.inner_text("header")
            log_in("operatoer")
            visit("/admin/brugere")
            visit("/admin/import")
            visit("/arbejdsrum?kommune=751")
            browser.close()
    finally:
        server.close()
    assert found and all(v == [] for v in found.values()), found
