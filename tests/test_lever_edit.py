"""The operator edits the knowledge portal (Vidensportalen): stored overrides of the shipped levers, through the core
and over HTTP (SQLite and PostgreSQL): edit, create, reset, validation, optimistic locking, audit log, authorisation
and CSRF; the public pages and the search show the edited text."""

from __future__ import annotations

from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.errors import InputError
from raaderum.ideas.levers import Lever, lever, load_levers, merge_levers, search_levers
from raaderum.server import levers as le
from raaderum.server.accounts import PermissionDenied
from raaderum.server.workspace import ConflictError
from raaderum.store.audit import AuditEntry
from raaderum.store.levers import effective_levers

LEVER = "hverdagsrehabilitering"
WORD = "Zebrakoordinering"


def fields(lv: Lever, **change: Any) -> dict[str, Any]:
    """The form fields of a lever (list fields as one item per line, areas and types as repeated values)."""
    data: dict[str, Any] = {"title": lv.title, "summary": lv.summary, "body": "\n\n".join(lv.paragraphs()),
                            "key_figures": "\n".join(lv.key_figures), "questions": "\n".join(lv.questions),
                            "time_to_effect": lv.time_to_effect, "areas": list(lv.areas),
                            "idea_types": list(lv.idea_types)}
    if lv.requires_investment:
        data["requires_investment"] = "1"
    data.update(change)
    return data


def new_fields(**change: Any) -> dict[str, Any]:
    base = {"title": "Fælles kørselsordning på tværs af forvaltninger",
            "summary": "Én kørselsordning for ældre, handicappede og skoleelever i stedet for tre.",
            "body": "Mange kommuner har tre kørselsordninger.\n\nEn samlet ordning giver færre tomme kilometer.",
            "key_figures": "Udgift pr. tur\nTomme kilometer", "questions": "Hvor mange ordninger har vi?",
            "time_to_effect": "1-2 år", "areas": ["aeldre", "folkeskole"], "idea_types": ["organisering"]}
    base.update(change)
    return base


def audit_rows(engine: Engine, lever_id: str) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.entity == "lever",
                                                        AuditEntry.entity_id == lever_id).order_by(AuditEntry.id)))


def edit_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as s:
        return [(r.lever_id, r.title, r.body, r.version) for r in s.scalars(select(le.LeverEdit))]


def operator_client() -> tuple[TestClient, str]:
    client = ca.new_client()
    return client, ca.login(client, "operatoer")


# ------------------------------------------------------------------------------------------------ the core


def test_merge_and_search_without_a_database() -> None:
    shipped = load_levers()
    changed = Lever(**{**shipped[0].__dict__, "title": f"{WORD} i ældreplejen"})
    extra = Lever(**{**shipped[1].__dict__, "id": "zz_nyt_greb", "title": "Helt nyt greb"})
    merged = merge_levers(shipped, [changed, extra])
    assert merged[0] is changed and merged[-1] is extra and len(merged) == len(shipped) + 1
    assert [lv.id for lv, _ in search_levers(WORD, levers=merged)] == [shipped[0].id]
    assert search_levers(WORD) == []  # the shipped levers are unchanged
    assert lever("zz_nyt_greb", merged) is extra
    assert "zz_nyt_greb" in [lv.id for lv, _ in search_levers(None, area=extra.areas[0], levers=merged)]


def test_edit_reset_and_create_through_the_core(engine: Engine, users: dict[str, Any]) -> None:
    op = users["operator"]
    shipped = lever(LEVER)
    assert effective_levers(engine) == load_levers()
    row = le.save_lever(engine, op, LEVER, fields(shipped, title=f"{WORD} og rehabilitering"), version=0)
    assert row.version == 1
    eff = effective_levers(engine)
    assert lever(LEVER, eff).title == f"{WORD} og rehabilitering"
    assert [lv.id for lv in eff] == [lv.id for lv in load_levers()]  # same place in the list
    assert effective_levers(engine) is eff  # cached while nothing changes
    row = le.save_lever(engine, op, LEVER, fields(shipped, body="Et afsnit.\r\n\r\nEt andet afsnit."), version=1)
    assert row.version == 2 and lever(LEVER, effective_levers(engine)).paragraphs() == ["Et afsnit.",
                                                                                         "Et andet afsnit."]
    assert le.reset_lever(engine, op, LEVER, version=2) == shipped
    assert effective_levers(engine) == load_levers()

    le.create_lever(engine, op, "faelles_koersel", new_fields())
    created = lever("faelles_koersel", effective_levers(engine))
    assert created.areas == ("aeldre", "folkeskole") and created.key_figures == ("Udgift pr. tur", "Tomme kilometer")
    assert effective_levers(engine)[-1] is created
    with pytest.raises(InputError, match="lever_id"):
        le.create_lever(engine, op, "faelles_koersel", new_fields())
    with pytest.raises(InputError, match="lever_id"):
        le.create_lever(engine, op, LEVER, new_fields())
    with pytest.raises(InputError, match="lever_id"):
        le.create_lever(engine, op, "Ugyldigt Id!", new_fields())
    assert le.reset_lever(engine, op, "faelles_koersel", version=1) is None  # a created lever is removed
    assert "faelles_koersel" not in [lv.id for lv in effective_levers(engine)]
    assert [e.action for e in audit_rows(engine, LEVER)] == ["lever.edit", "lever.edit", "lever.reset"]
    assert [e.action for e in audit_rows(engine, "faelles_koersel")] == ["lever.create", "lever.reset"]


@pytest.mark.parametrize(("change", "field"), [
    ({"areas": ["aeldre", "findes_ikke"]}, "areas"),
    ({"areas": []}, "areas"),
    ({"idea_types": ["nedskaering"]}, "idea_types"),
    ({"idea_types": []}, "idea_types"),
    ({"summary": "   "}, "summary"),
    ({"body": ""}, "body"),
    ({"title": ""}, "title"),
    ({"key_figures": "x" * 600}, "key_figures"),
])
def test_validation_names_the_field(engine: Engine, users: dict[str, Any], change: dict[str, Any],
                                    field: str) -> None:
    with pytest.raises(InputError, match=f"«{le.LABELS[field]}» \\({field}\\)"):
        le.save_lever(engine, users["operator"], LEVER, fields(lever(LEVER), **change), version=0)
    assert edit_rows(engine) == []


def test_stale_version_conflicts_and_overwrites_nothing(engine: Engine, users: dict[str, Any]) -> None:
    op = users["operator"]
    other = ca.make_user(engine, "operatoer2", "operator")
    le.save_lever(engine, other, LEVER, fields(lever(LEVER), title="Den andens titel"), version=0)
    with pytest.raises(ConflictError, match="operatoer2"):
        le.save_lever(engine, op, LEVER, fields(lever(LEVER), title="Min titel"), version=0)
    with pytest.raises(ConflictError):
        le.reset_lever(engine, op, LEVER, version=7)
    assert [r[1] for r in edit_rows(engine)] == ["Den andens titel"]
    assert len(audit_rows(engine, LEVER)) == 1


def test_only_the_operator_may_edit(engine: Engine, users: dict[str, Any]) -> None:
    for who in ("editor", "reader"):
        with pytest.raises(PermissionDenied):
            le.save_lever(engine, users[who], LEVER, fields(lever(LEVER)), version=0)
        with pytest.raises(PermissionDenied):
            le.create_lever(engine, users[who], "nyt_greb", new_fields())
    assert edit_rows(engine) == [] and audit_rows(engine, LEVER) == []


# ------------------------------------------------------------------------------------------------ over HTTP


def test_operator_edits_a_lever_and_the_portal_shows_it(engine: Engine, users: dict[str, Any]) -> None:
    client, csrf = operator_client()
    page = client.get("/admin/greb")
    assert page.status_code == 200 and f'href="/admin/greb/{LEVER}"' in page.text
    assert 'href="/admin/greb"' in client.get("/").text  # the header link
    form = client.get(f"/admin/greb/{LEVER}")
    assert form.status_code == 200 and 'name="version" value="0"' in form.text
    assert "Nulstil til den leverede tekst" not in form.text  # nothing to reset yet
    shipped = lever(LEVER)
    r = client.post(f"/admin/greb/{LEVER}", data={"csrf_token": csrf, "version": "0", **fields(
        shipped, title=f"{WORD} af genoptræning", body=f"Nyt første afsnit om {WORD.lower()}.\n\nAndet afsnit.",
        questions="Hvad koster det?\nHvem gør det?")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/greb/{LEVER}?ok=gemt"

    public = ca.new_client()  # an anonymous visitor
    detail = public.get(f"/vidensportal/{LEVER}")
    assert detail.status_code == 200
    d = ca.soup(detail.text)
    assert d.h1.get_text() == f"{WORD} af genoptræning"
    assert f"Nyt første afsnit om {WORD.lower()}." in detail.text and "Hvem gør det?" in detail.text
    hits = ca.soup(public.get("/vidensportal", params={"q": WORD.lower()}).text).select("ul.levers a")
    assert [a["href"] for a in hits] == [f"/vidensportal/{LEVER}"]
    listing = ca.soup(public.get("/vidensportal").text).select("ul.levers a")
    assert f"{WORD} af genoptræning" in [a.get_text() for a in listing]

    form = client.get(f"/admin/greb/{LEVER}")
    assert 'name="version" value="1"' in form.text and "Nulstil til den leverede tekst" in form.text
    assert "Rettet" in client.get("/admin/greb").text
    (entry,) = audit_rows(engine, LEVER)
    assert entry.action == "lever.edit" and entry.user_name == "operatoer"
    assert entry.before["title"] == shipped.title and entry.after["title"] == f"{WORD} af genoptræning"
    assert entry.after["questions"] == ["Hvad koster det?", "Hvem gør det?"]

    r = client.post(f"/admin/greb/{LEVER}/nulstil", data={"csrf_token": csrf, "version": "1"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert ca.soup(public.get(f"/vidensportal/{LEVER}").text).h1.get_text() == shipped.title
    assert public.get("/vidensportal", params={"q": WORD.lower()}).text.count('href="/vidensportal/') == 0
    reset = audit_rows(engine, LEVER)[-1]
    assert reset.action == "lever.reset" and reset.before["title"] == f"{WORD} af genoptræning"
    assert reset.after["title"] == shipped.title
    assert edit_rows(engine) == []


def test_operator_creates_a_lever(engine: Engine, users: dict[str, Any]) -> None:
    client, csrf = operator_client()
    r = client.post("/admin/greb", data={"csrf_token": csrf, "lever_id": "faelles_koersel",
                                         **new_fields(requires_investment="1")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/greb/faelles_koersel?ok=oprettet"
    assert "Oprettet i Råderum" in client.get("/admin/greb").text
    page = ca.new_client().get("/vidensportal/faelles_koersel")
    assert page.status_code == 200 and "Fælles kørselsordning" in page.text and "Tomme kilometer" in page.text
    assert "Kræver som regel en investering først." in page.text
    listing = ca.new_client().get("/vidensportal", params={"area": "folkeskole"}).text
    assert 'href="/vidensportal/faelles_koersel"' in listing
    (entry,) = audit_rows(engine, "faelles_koersel")
    assert entry.action == "lever.create" and entry.before is None and entry.after["areas"] == ["aeldre",
                                                                                                "folkeskole"]
    # deleting a created lever (its "reset") takes it out of the portal
    client.post("/admin/greb/faelles_koersel/nulstil", data={"csrf_token": csrf, "version": "1"})
    assert ca.new_client().get("/vidensportal/faelles_koersel").status_code == 404


@pytest.mark.parametrize(("change", "field"), [({"areas": ["findes_ikke"]}, "areas"),
                                               ({"idea_types": ["nedskaering"]}, "idea_types")])
def test_invalid_area_or_type_is_a_400_naming_the_field(engine: Engine, users: dict[str, Any],
                                                        change: dict[str, Any], field: str) -> None:
    client, csrf = operator_client()
    before = ca.new_client().get(f"/vidensportal/{LEVER}").text
    r = client.post(f"/admin/greb/{LEVER}", data={"csrf_token": csrf, "version": "0",
                                                  **fields(lever(LEVER), title="Ny titel", **change)})
    assert r.status_code == 400 and field in r.text and le.LABELS[field] in r.text
    r = client.post("/admin/greb", data={"csrf_token": csrf, "lever_id": "nyt_greb", **new_fields(**change)})
    assert r.status_code == 400 and field in r.text
    assert edit_rows(engine) == [] and ca.new_client().get(f"/vidensportal/{LEVER}").text == before


def test_stale_version_is_a_409_and_nothing_is_overwritten(engine: Engine, users: dict[str, Any]) -> None:
    first, csrf1 = operator_client()
    other = ca.make_user(engine, "operatoer2", "operator")
    second = ca.new_client()
    csrf2 = ca.login(second, other.name)
    shipped = lever(LEVER)
    assert first.post(f"/admin/greb/{LEVER}", data={"csrf_token": csrf1, "version": "0",
                                                    **fields(shipped, title="Først gemt")}).status_code == 200
    r = second.post(f"/admin/greb/{LEVER}", data={"csrf_token": csrf2, "version": "0",
                                                  **fields(shipped, title="Gemt bagefter")})
    assert r.status_code == 409 and "IKKE gemt" in r.text and "operatoer" in r.text
    r = second.post(f"/admin/greb/{LEVER}/nulstil", data={"csrf_token": csrf2, "version": "0"})
    assert r.status_code == 409
    assert [(row[1], row[3]) for row in edit_rows(engine)] == [("Først gemt", 1)]
    assert len(audit_rows(engine, LEVER)) == 1
    assert ca.soup(ca.new_client().get(f"/vidensportal/{LEVER}").text).h1.get_text() == "Først gemt"


def test_editor_reader_and_anonymous_get_403_and_nothing_changes(engine: Engine, users: dict[str, Any]) -> None:
    before = (ca.snapshot(engine), edit_rows(engine))
    for name in ("aarhus-redaktoer", "aarhus-laeser", None):
        client = ca.new_client()
        csrf = ca.login(client, name) if name else ca.anonymous_csrf(client)
        for path, data in ((f"/admin/greb/{LEVER}", {"version": "0", **fields(lever(LEVER), title="Hack")}),
                           ("/admin/greb", {"lever_id": "nyt_greb", **new_fields()}),
                           (f"/admin/greb/{LEVER}/nulstil", {"version": "0"})):
            r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
            assert r.status_code == 403 and "Ingen adgang" in r.text, (name, path, r.status_code)
        if name:
            assert client.get("/admin/greb").status_code == 403
            assert client.get(f"/admin/greb/{LEVER}").status_code == 403
            assert 'href="/admin/greb"' not in client.get("/").text
        else:
            assert client.get("/admin/greb", follow_redirects=False).status_code == 303  # to the login page
    assert (ca.snapshot(engine), edit_rows(engine)) == before


def test_missing_or_wrong_csrf_is_refused(engine: Engine, users: dict[str, Any]) -> None:
    client, csrf = operator_client()
    data = {"version": "0", **fields(lever(LEVER), title="Uden CSRF")}
    for token in (None, "", csrf[:-2] + "xx"):
        sent = data if token is None else {**data, "csrf_token": token}
        assert client.post(f"/admin/greb/{LEVER}", data=sent, follow_redirects=False).status_code == 403
    assert client.post("/admin/greb", data={"lever_id": "nyt_greb", **new_fields()}).status_code == 403
    assert client.post(f"/admin/greb/{LEVER}/nulstil", data={"version": "0"}).status_code == 403
    assert edit_rows(engine) == [] and audit_rows(engine, LEVER) == []


def test_edited_text_is_escaped(engine: Engine, users: dict[str, Any]) -> None:
    client, csrf = operator_client()
    evil = '<script>alert("x")</script>'
    assert client.post(f"/admin/greb/{LEVER}", data={"csrf_token": csrf, "version": "0", **fields(
        lever(LEVER), title=f"Titel {evil}", summary=f"Resumé {evil}")}).status_code == 200
    for page in (ca.new_client().get(f"/vidensportal/{LEVER}").text, ca.new_client().get("/vidensportal").text,
                 client.get(f"/admin/greb/{LEVER}").text, client.get("/admin/greb").text):
        assert evil not in page and "&lt;script&gt;" in page


def test_the_effective_levers_follow_changes_made_by_another_engine(app_url: str, engine: Engine,
                                                                    users: dict[str, Any]) -> None:
    """Two engines (two workers): each sees the other's saves and resets at the next call."""
    from raaderum.store.engine import make_engine

    other = make_engine(app_url)
    try:
        assert effective_levers(other) == load_levers()
        le.save_lever(engine, users["operator"], LEVER, fields(lever(LEVER), title="Fra den anden"), version=0)
        assert lever(LEVER, effective_levers(other)).title == "Fra den anden"
        le.reset_lever(engine, users["operator"], LEVER, version=1)
        assert effective_levers(other) == load_levers()
    finally:
        other.dispose()


# ------------------------------------------------------------------------------------------------ in Chromium


@pytest.mark.e2e
def test_admin_lever_pages_in_chromium_with_axe(tmp_path: Any) -> None:
    """Log in as the operator, edit a lever through the form, see it in the portal; no axe findings."""
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
    server = start_server({"RAADERUM_HOME": str(tmp_path), "RAADERUM_DATABASE_URL": url})
    base = next(server)
    found: dict[str, Any] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/login")
            page.fill("#login-name", "operatoer")
            page.fill("#login-password", ca.PASSWORD)
            page.click("form.login button")
            page.wait_for_load_state()
            page.click("header >> text=Greb")
            page.wait_for_load_state()
            assert page.url.endswith("/admin/greb")
            found["/admin/greb"] = axe_violations(page)
            page.goto(base + f"/admin/greb/{LEVER}")
            found[f"/admin/greb/{LEVER}"] = axe_violations(page)
            page.fill("#g-title", f"{WORD} i browseren")
            page.click("button:has-text(\"Gem grebet\")")
            page.wait_for_load_state()
            assert "Ændringen er gemt" in page.inner_text("main")
            found[f"/admin/greb/{LEVER} (rettet)"] = axe_violations(page)
            page.goto(base + f"/vidensportal/{LEVER}")
            assert page.inner_text("h1") == f"{WORD} i browseren"
            page.goto(base + f"/admin/greb/{LEVER}")
            page.click("button:has-text(\"Nulstil til den leverede tekst\")")
            page.wait_for_load_state()
            assert "leverede tekst" in page.inner_text("main [role=status]")
            browser.close()
    finally:
        server.close()
    assert found and all(v == [] for v in found.values()), found
