"""Attack tests (SQLite and PostgreSQL): script and HTML in user text, SQL metacharacters in every search and
filter field, CSRF, path traversal in download and export names, session fixation, cookie flags, login rate
limiting and open redirects."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import conftest_accounts as ca
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from raaderum.server import workspace as ws
from raaderum.server.sessions import lookup
from raaderum.store.models import Proposal

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://angriber.example","klik")'
SQL = ["' OR 1=1 --", "%", "_", "\\", ";DROP TABLE proposals;", "'; DROP TABLE users; --", '" OR ""="',
       "1; SELECT pg_sleep(5)"]


def assert_inert(html: str, *, shown: bool = True) -> None:
    """No payload is live markup; when ``shown``, it is there as text."""
    assert SCRIPT not in html and "<img src=x" not in html
    doc = ca.soup(html)
    assert not [s for s in doc.find_all("script") if "alert(1)" in s.get_text()]
    assert not doc.find_all(attrs={"onerror": True})
    if shown:
        text = doc.get_text(" ")
        assert SCRIPT in text or IMG in text or "alert(1)" in text


@pytest.fixture
def hostile(engine, users):  # type: ignore[no-untyped-def]
    """A proposal and a shortlist comment full of markup, and a share link to the shortlist."""
    ed = users["editor"]
    rec = ws.create_proposal(engine, ed, ca.OWN, {"title": f"Skolemadsordning {SCRIPT}",
                                                  "description": f"Fælles køkken {IMG} {SCRIPT} {FORMULA}",
                                                  "area_id": "aeldre", "contact": IMG})
    other = ca.sample_proposal(engine, ca.OTHER)
    item = ws.add_to_shortlist(engine, ed, ca.OWN, other, comment=f"{IMG} {SCRIPT}")
    ws.add_to_shortlist(engine, users["other_editor"], ca.OTHER, rec.id, comment=FORMULA)
    link = ws.create_share_link(engine, ed, ca.OWN)
    ws.set_note(engine, ed, ca.OWN, f"Noter {SCRIPT}", 0)
    return {"pid": rec.id, "item": item.id, "token": link.token}


def test_markup_is_escaped_on_every_page_that_shows_it(engine, users, hostile) -> None:  # type: ignore[no-untyped-def]
    editor = ca.new_client()
    ca.login(editor, "aarhus-redaktoer")
    anonymous = ca.new_client()
    pid = hostile["pid"]
    pages = {
        "arbejdsrum": editor.get("/arbejdsrum"),
        "forslagsformular": editor.get(f"/arbejdsrum/forslag/{pid}"),
        "delt kortliste": anonymous.get(f"/arbejdsrum/del/{hostile['token']}"),
        "idébank-søgning": anonymous.get("/idebank", params={"q": "Skolemadsordning"}),
        "idébank-filter": anonymous.get("/idebank", params={"kommune": "751"}),
        "forslagsside": anonymous.get(f"/idebank/{pid}"),
        "forslagsside (logget ind)": editor.get(f"/idebank/{pid}"),
    }
    for name, r in pages.items():
        assert r.status_code == 200, (name, r.status_code)
        assert_inert(r.text), name
    assert SCRIPT in ca.soup(pages["forslagsside"].text).get_text()
    # a payload that comes back in error messages and forms is escaped too
    r = anonymous.get("/kommune/" + SCRIPT)
    assert r.status_code in (400, 404)
    assert_inert(r.text, shown=False)
    r = editor.get("/arbejdsrum", params={"kommune": SCRIPT})
    assert r.status_code in (403, 404)
    assert_inert(r.text, shown=False)
    page = anonymous.get("/login")
    r = anonymous.post("/login", data={"name": IMG, "password": "forkert-kodeord",
                                       "csrf_token": ca.csrf_in(page.text)})
    assert r.status_code == 401
    assert_inert(r.text, shown=False)
    assert ca.soup(r.text).select_one("#login-name")["value"] == IMG  # kept as the value, not as markup
    api = anonymous.get("/api/v1/ideas/search", params={"q": "Skolemadsordning"})
    assert api.status_code == 200
    hit = next(h for h in api.json()["hits"] if h["id"] == pid)
    assert SCRIPT not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]


def test_markup_and_formulas_are_plain_strings_in_excel(engine, users, hostile) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    ca.login(client, "kbh-redaktoer")
    exported = {"kortliste": client.get("/arbejdsrum/shortlist.xlsx").content}
    ca.login(client, "aarhus-redaktoer")
    exported["kortliste-aarhus"] = client.get("/arbejdsrum/shortlist.xlsx").content
    entries = {e.area_id: e.committee for e in ws.committee_entries(engine, ca.OTHER)}
    pack = client.get("/idebank/udvalgspakke", params={"kommune": "101", "udvalg": entries["aeldre"]})
    assert pack.status_code == 200, pack.text[:300]
    exported["udvalgspakke"] = pack.content
    found = set()
    for name, content in exported.items():
        wb = load_workbook(io.BytesIO(content))
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and ("alert(1)" in c.value or "HYPERLINK" in c.value):
                        assert c.data_type == "s", (name, c.coordinate, c.value)  # never a formula
                        found.add(name)
                        assert SCRIPT in c.value or IMG in c.value or FORMULA in c.value  # stored verbatim
        wb.close()
    assert found == set(exported)


def _counts(engine) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    from raaderum.server.accounts import User

    with Session(engine) as s:
        return (int(s.scalar(select(func.count(Proposal.id))) or 0), int(s.scalar(select(func.count(User.id))) or 0))


def test_sql_metacharacters_in_every_search_and_filter_field(engine, users) -> None:  # type: ignore[no-untyped-def]
    before = _counts(engine)
    client = ca.new_client()
    ca.login(client, "operatoer")
    fields = {"/idebank": ["q", "area", "type", "kommune", "committee", "band", "year", "offset"],
              "/api/v1/ideas/search": ["q", "area", "type", "kommune", "committee", "band", "year", "limit",
                                       "offset", "include_sample"],
              "/vidensportal": ["q", "area"], "/arbejdsrum": ["kommune"],
              "/idebank/udvalgspakke": ["kommune", "udvalg"]}
    for path, names in fields.items():
        for name in names:
            for payload in SQL:
                r = client.get(path, params={name: payload})
                assert r.status_code in (200, 400, 404), (path, name, payload, r.status_code)
                assert "Traceback" not in r.text and "psycopg" not in r.text and "sqlite3" not in r.text
    # text fields that are stored: kept verbatim
    item = ws.add_to_shortlist(engine, users["editor"], ca.OWN, ca.sample_proposal(engine, ca.OTHER),
                               comment=" | ".join(SQL))
    assert ws.get_shortlist_item(engine, item.id).comment == " | ".join(SQL)
    rec = ws.create_proposal(engine, users["editor"], ca.OWN, {"title": SQL[0], "description": SQL[4]})
    assert (ws.get_proposal(engine, rec.id).title, ws.get_proposal(engine, rec.id).description) == (SQL[0], SQL[4])
    found = client.get("/api/v1/ideas/search", params={"q": "' OR 1=1 --"}).json()
    assert found["total"] < before[0] + 1  # the quote is no operator: not everything matches
    assert _counts(engine) == (before[0] + 1, before[1])


def test_csrf_missing_wrong_or_foreign_token_is_refused(engine, users) -> None:  # type: ignore[no-untyped-def]
    client, other = ca.new_client(), ca.new_client()
    csrf = ca.login(client, "aarhus-redaktoer")
    foreign = ca.login(other, "kbh-redaktoer")
    before = ca.snapshot(engine)
    note = {"text": "Skulle ikke gemmes", "version": "0"}
    attempts = [
        client.post("/arbejdsrum/noter", data=note),
        client.post("/arbejdsrum/noter", data={**note, "csrf_token": ""}),
        client.post("/arbejdsrum/noter", data={**note, "csrf_token": csrf[:-2] + "xx"}),
        client.post("/arbejdsrum/noter", data={**note, "csrf_token": foreign}),
        client.post("/arbejdsrum/noter", data=note, headers={"X-CSRF-Token": "forkert"}),
        client.post("/arbejdsrum/noter", json={**note, "csrf_token": csrf}),  # not a form: the field is not read
        client.post("/admin/import", data={"csrf_token": "forkert"}, files={"file": ("a.xlsx", b"x")}),
        client.post("/logout"),
        client.put("/arbejdsrum/noter", data={**note}),
        client.delete("/arbejdsrum/shortlist/1"),
        ca.new_client().post("/login", data={"name": "aarhus-redaktoer", "password": ca.PASSWORD}),
    ]
    for r in attempts:
        assert r.status_code == 403, (r.request.method, r.request.url, r.status_code)
        assert "Sikkerhedstjek mislykkedes" in r.text
    assert ca.snapshot(engine) == before
    assert "Log ud" in client.get("/").text  # the refused logout did not log out
    ok = client.post("/arbejdsrum/noter", data=note, headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert ok.status_code == 303  # the header is accepted (htmx)
    ok = client.post("/arbejdsrum/noter", data={**note, "version": "1", "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303


def test_path_traversal_in_download_and_export_names(engine, users, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    csrf = ca.login(client, "operatoer")
    probes = [
        ("/arbejdsrum/del/..%2F..%2F..%2Fetc%2Fpasswd", (404,)),
        ("/arbejdsrum/del/../../../etc/passwd", (404,)),
        ("/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd", (404,)),
        ("/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", (404,)),
        ("/metode?format=csv&table=../../../../etc/passwd", (400,)),
        ("/metode?format=../../etc/passwd&table=omraader", (400,)),
        ("/idebank/udvalgspakke?kommune=Aarhus&udvalg=../../../../etc/passwd", (400, 404)),
        ("/idebank/udvalgspakke?kommune=../../../../etc/passwd&udvalg=x", (400, 404)),
        ("/arbejdsrum/shortlist.xlsx?kommune=../../../../etc/passwd", (400, 404)),
        ("/kommune/..%2F..%2Fetc%2Fpasswd", (400, 404)),
        ("/vidensportal/..%2F..%2Fetc%2Fpasswd", (400, 404)),
    ]
    for url, allowed in probes:
        r = client.get(url)
        assert r.status_code in allowed, (url, r.status_code)
        assert b"root:x:0:0" not in r.content and b"root:" not in r.content
    from conftest_ideas import HEADER, row, write_xlsx

    name = f"evil-{uuid.uuid4().hex[:8]}.xlsx"
    book = write_xlsx(tmp_path / "book.xlsx", {"Forslag": [HEADER, row(kommune="Vejle", title="Fra en sti")]})
    r = client.post("/admin/import", data={"csrf_token": csrf, "dry_run": "1"},
                    files={"file": (f"../../../../../../tmp/{name}", book.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200, r.text[:300]
    assert f"Importrapport for {name}" in ca.soup(r.text).get_text()  # only the base name is used
    assert not (Path("/tmp") / name).exists() and not (Path("/") / name).exists()
    r = client.post("/admin/import", data={"csrf_token": csrf},
                    files={"file": ("..\\..\\windows\\win.ini", b"not xlsx", "application/octet-stream")})
    assert r.status_code == 400


def test_session_id_changes_at_login_and_old_ids_are_dead(engine, users) -> None:  # type: ignore[no-untyped-def]
    from raaderum.web.deps import get_engine

    victim = ca.new_client()
    # a value planted before login
    victim.cookies.set("raaderum_session", "angriberens-valgte-vaerdi", domain="testserver.local")
    ca.login(victim, "aarhus-redaktoer")
    token = victim.cookies.get("raaderum_session")
    assert token and token != "angriberens-valgte-vaerdi"
    # an attacker logs in, plants his own valid session in the victim's browser, the victim logs in
    attacker = ca.new_client()
    ca.login(attacker, "kbh-redaktoer")
    planted = attacker.cookies.get("raaderum_session")
    victim2 = ca.new_client()
    victim2.cookies.set("raaderum_session", planted, domain="testserver.local")
    page = victim2.get("/login")  # already "logged in" as the attacker: the form is skipped
    assert page.status_code == 200 or page.history
    r = victim2.post("/login", data={"name": "aarhus-redaktoer", "password": ca.PASSWORD,
                                     "csrf_token": ca.csrf_in(victim2.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303
    new = victim2.cookies.get("raaderum_session")
    assert new != planted
    assert lookup(get_engine(), planted) is None  # the planted session is gone: the attacker is logged out
    assert "Log ind" in attacker.get("/").text
    assert attacker.get("/arbejdsrum", follow_redirects=False).status_code == 303
    assert lookup(get_engine(), new).user.name == "aarhus-redaktoer"
    # logout ends the session on the server, so a copied cookie is worthless
    csrf = ca.csrf_in(victim2.get("/").text)
    victim2.post("/logout", data={"csrf_token": csrf})
    copy = ca.new_client()
    copy.cookies.set("raaderum_session", new, domain="testserver.local")
    assert copy.get("/arbejdsrum", follow_redirects=False).status_code == 303


def test_cookie_flags(engine, users, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def cookie_header(https: bool) -> str:
        c = ca.new_client(https=https)
        page = c.get("/login")
        r = c.post("/login", data={"name": "aarhus-redaktoer", "password": ca.PASSWORD,
                                   "csrf_token": ca.csrf_in(page.text)}, follow_redirects=False)
        return next(v for v in r.headers.get_list("set-cookie") if v.startswith("raaderum_session="))

    plain = cookie_header(False).lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain.replace("; path", "")
    assert "secure" in cookie_header(True).lower()
    monkeypatch.setenv("RAADERUM_SECURE_COOKIES", "1")  # behind a TLS-terminating proxy that does not say so
    first = ca.new_client().get("/login").headers["set-cookie"].lower()
    assert first.startswith("raaderum_login_csrf=") and "secure" in first and "httponly" in first


def test_login_rate_limit_and_no_open_redirect(engine, users) -> None:  # type: ignore[no-untyped-def]
    client = ca.new_client()
    token = ca.csrf_in(client.get("/login").text)
    for _ in range(5):
        r = client.post("/login", data={"name": "aarhus-redaktoer", "password": "forkert-kodeord",
                                        "csrf_token": token})
        assert r.status_code == 401 and "Forkert brugernavn eller adgangskode" in r.text
    r = client.post("/login", data={"name": "aarhus-redaktoer", "password": ca.PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "For mange mislykkede loginforsøg" in r.text
    assert int(r.headers["retry-after"]) >= 60
    for evil in ("//angriber.example/", "https://angriber.example/", "/\\angriber.example"):
        other = ca.new_client()
        page = other.get("/login")
        r = other.post("/login", data={"name": "kbh-redaktoer", "password": ca.PASSWORD, "next": evil,
                                       "csrf_token": ca.csrf_in(page.text)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/arbejdsrum"
