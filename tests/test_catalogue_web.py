"""Issue 13 in the web app: a page per catalogue, per scenario and per proposal with the same actions as the CLI;
who sees what (editors write, readers read, others nothing, a read-only link one catalogue); the embedded
default's local user from 127.0.0.1 without accounts (and its refusal once an account exists); markup stays text;
every table on the pages can be downloaded, and a CSV never carries a formula."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import conftest_accounts as ca
import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from raaderum.server import catalogue as cs
from raaderum.store import catalogue as cstore

pytestmark = pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://angriber.example","klik")'
OWN, OTHER = 751, 101


def _post(client: TestClient, csrf: str, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


def _id(location: str, what: str) -> int:
    m = re.search(rf"/{what}/(\d+)", location)
    assert m, location
    return int(m.group(1))


def _version(html: str, action: str) -> str:
    m = re.search(rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]*">'
                  r'(?:\s*<input type="hidden" name="[a-z]+" value="[^"]*">)*?\s*<input type="hidden" name="version" '
                  r'value="(\d+)"', html)
    assert m, action
    return m.group(1)


def assert_inert(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html
    doc = ca.soup(html)
    assert not [s for s in doc.find_all("script") if "alert(1)" in s.get_text()]
    assert not doc.find_all(attrs={"onerror": True})


def test_editor_flow_on_the_web_pages(engine: Any, users: Any) -> None:
    client = ca.new_client()
    csrf = ca.login(client, users["editor"].name)
    page = client.get("/katalog")
    assert page.status_code == 200 and "Opret et katalog" in page.text and page.headers["cache-control"] == "no-store"
    r = _post(client, csrf, "/katalog", navn="Råderumskatalog 2027", budgetaar="2027")
    assert r.status_code == 303, r.text[:300]
    cid = _id(r.headers["location"], "katalog")
    base = f"/katalog/{cid}"
    r = _post(client, csrf, f"{base}/forslag", title=f"Skolemad {SCRIPT}", area_id="folkeskole", amount_b="-1.250",
              amount_bo1="-2.500", amount_bo2="-2.500", amount_bo3="-2.500", description=FORMULA, staff_effect="-3")
    assert r.status_code == 303
    pid = _id(r.headers["location"], "forslag")
    # adopt from the idea bank: the search page offers "Brug som eget forslag"
    hits = client.get(f"{base}/idebank", params={"q": "velfærdsteknologi"})
    assert hits.status_code == 200 and "Brug som eget forslag" in hits.text
    src = int(re.search(r'name="proposal_id" value="(\d+)"', hits.text).group(1))
    suggestions = client.get(f"{base}/idebank")
    assert suggestions.status_code == 200 and "største gab" in suggestions.text
    r = _post(client, csrf, f"{base}/fra-idebank", proposal_id=str(src))
    assert r.status_code == 303
    adopted = _id(r.headers["location"], "forslag")
    pp = client.get(r.headers["location"])
    assert pp.status_code == 200 and "Hentet fra idébanken" in pp.text and f"/idebank/{src}" in pp.text
    # phase it: B 0, savings from BO1
    v = _version(pp.text, f"{base}/forslag/{adopted}")
    r = _post(client, csrf, f"{base}/forslag/{adopted}", version=v, title="Vores velfærdsteknologi", amount_b="0",
              amount_bo1="-500", amount_bo2="-1.000", amount_bo3="-1.500", consequences_service="Ingen")
    assert r.status_code == 303
    assert cstore.get_proposal(engine, adopted).amount_bo3 == -1500.0
    # status with a note, history shown
    pp = client.get(f"{base}/forslag/{pid}")
    v = _version(pp.text, f"{base}/forslag/{pid}/status")
    r = _post(client, csrf, f"{base}/forslag/{pid}/status", version=v, status="i_kataloget", note="Klar til udvalget")
    assert r.status_code == 303
    pp = client.get(f"{base}/forslag/{pid}")
    assert "Idé → I kataloget" in ca.soup(pp.text).select_one("#historik").get_text()
    # a stale form gets the conflict message and saves nothing
    r = _post(client, csrf, f"{base}/forslag/{pid}", version=v, title="Forældet")
    assert r.status_code == 409 and "IKKE gemt" in r.text and users["editor"].name in r.text
    # targets: the whole catalogue and one committee
    committee = cstore.get_proposal(engine, pid).committee
    assert _post(client, csrf, f"{base}/maal", version="0", udvalg="", b="-5.000", bo1="-8.000").status_code == 303
    assert _post(client, csrf, f"{base}/maal", version="0", udvalg=committee, b="-1.000").status_code == 303
    # two scenarios and their comparison
    r = _post(client, csrf, f"{base}/scenarie", name="Scenarie A", forslag=str(pid))
    sa = _id(r.headers["location"], "scenarie")
    r = _post(client, csrf, f"{base}/scenarie", name="Scenarie B")
    sb = _id(r.headers["location"], "scenarie")
    sp = client.get(f"{base}/scenarie/{sb}")
    assert sp.status_code == 200
    v = _version(sp.text, f"{base}/scenarie/{sb}")
    r = client.post(f"{base}/scenarie/{sb}", data={"csrf_token": csrf, "version": v, "medlemmer": "1",
                                                   "forslag": [str(pid), str(adopted)]}, follow_redirects=False)
    assert r.status_code == 303
    cmp_page = client.get(f"{base}/sammenlign", params=[("scenarie", sa), ("scenarie", sb)])
    assert cmp_page.status_code == 200
    rows = {r[0]: r for r in _table(cmp_page.text, "sammenligning")[2:]}
    assert rows["I alt"][1] == "-1.250" and rows["I alt"][5] == "-1.250"  # B of A, B of B (adopted has B 0)
    assert rows["I alt"][10] == "-500"  # BO1 difference B − A
    # the catalogue page: totals against the targets, in Danish format with the sign
    cat = client.get(base)
    assert cat.status_code == 200
    assert_inert(cat.text)
    summer = _table(cat.text, "summer")
    total = next(r for r in summer if r[0] == "I alt" and r[1].startswith("Forslag i alt"))
    assert total[2:] == ["-1.250", "-3.000", "-3.500", "-4.000"]
    target = next(r for r in summer if r[0] == "I alt" and r[1] == "Mål")
    assert target[2:4] == ["-5.000", "-8.000"]
    diff = next(r for r in summer if r[0] == "I alt" and r[1].startswith("Forskel"))
    assert diff[2].startswith("+3.750") and "ikke nået" in diff[2]
    assert f"{base}/dokument" in cat.text and "/kommune/751/droeftelsesguide.pdf" in cat.text
    # every table on the pages can be downloaded; a CSV never starts a cell with a formula
    for path, tables in ((base, ("summer", "forslag", "scenarier")), (f"{base}/scenarie/{sa}", ("summer", "forslag")),
                         (f"{base}/sammenlign?scenarie={sa}&scenarie={sb}", ("sammenligning", "medlemmer")),
                         ("/katalog", ("kataloger",))):
        html = client.get(path).text
        for tid in tables:
            assert f"table={tid}" in html.replace("&amp;", "&"), (path, tid)
            sep = "&" if "?" in path else "?"
            r = client.get(f"{path}{sep}format=csv&table={tid}")
            assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
            for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"):
                for cell in row:
                    assert not cell.startswith(("=", "@", "+")), cell
            x = client.get(f"{path}{sep}format=xlsx&table={tid}")
            wb = load_workbook(io.BytesIO(x.content))
            assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    forslag_csv = client.get(f"{base}?format=csv&table=forslag").content.decode("utf-8-sig")
    assert "'" + FORMULA not in forslag_csv  # only titles are in the table; the description is not
    assert client.get(f"{base}?format=pdf&table=summer").status_code == 400
    assert client.get(f"{base}?format=csv&table=ingen").status_code == 400
    # the settings: another reference for the gaps
    v = _version(cat.text, base)
    assert _post(client, csrf, base, version=v, reference="national").status_code == 303
    assert "Landsgennemsnit" in client.get(base).text


def _table(html: str, tid: str) -> list[list[str]]:
    from web_support import table_rows

    return table_rows(ca.soup(html), tid)


def test_readers_read_other_municipalities_see_nothing_anonymous_must_log_in(engine: Any, users: Any) -> None:
    c = cs.create_catalogue(engine, users["editor"], OWN, 2027, "Aarhus 2027")
    p = cs.add_proposal(engine, users["editor"], c.id, {"title": f"Forslag {SCRIPT}", "area_id": "aeldre"})
    reader = ca.new_client()
    csrf = ca.login(reader, users["reader"].name)
    for path in (f"/katalog/{c.id}", f"/katalog/{c.id}/forslag/{p.id}", "/katalog"):
        r = reader.get(path)
        assert r.status_code == 200, path
        assert_inert(r.text)
    page = reader.get(f"/katalog/{c.id}")
    assert "kan læse kataloget, men ikke ændre" in page.text and "Opret scenariet" not in page.text
    assert "Gem ændringerne" not in reader.get(f"/katalog/{c.id}/forslag/{p.id}").text
    before = ca.snapshot(engine)
    assert _post(reader, csrf, f"/katalog/{c.id}/forslag", title="Læserens").status_code == 403
    assert _post(reader, csrf, f"/katalog/{c.id}/del").status_code == 403
    assert ca.snapshot(engine) == before
    kbh = ca.new_client()
    ca.login(kbh, users["other_editor"].name)
    for path in (f"/katalog/{c.id}", f"/katalog/{c.id}/forslag/{p.id}", f"/katalog/{c.id}/dokument",
                 f"/katalog/{c.id}/sammenlign"):
        r = kbh.get(path)
        assert r.status_code == 403 and "Ingen adgang" in r.text, path
    assert c.name not in kbh.get("/katalog").text
    anonymous = ca.new_client()
    r = anonymous.get(f"/katalog/{c.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/katalog/")
    assert anonymous.get("/katalog", follow_redirects=False).status_code == 303
    assert anonymous.get("/katalog/2147483647", follow_redirects=False).status_code == 404
    # a proposal of another catalogue is not shown under this one
    other = cs.create_catalogue(engine, users["editor"], OWN, 2028, "Aarhus 2028")
    assert reader.get(f"/katalog/{other.id}/forslag/{p.id}").status_code == 404


def test_a_read_only_link_shows_one_catalogue_to_anyone_until_revoked(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = cs.create_catalogue(engine, ed, OWN, 2027, "Delt katalog")
    cs.add_proposal(engine, ed, c.id, {"title": f"Delt {SCRIPT}", "area_id": "aeldre", "amount_b": "-700"})
    link = cs.create_share_link(engine, ed, c.id)
    anonymous = ca.new_client()
    r = anonymous.get(f"/katalog/del/{link.token}")
    assert r.status_code == 200 and "skrivebeskyttet" in r.text and r.headers["x-robots-tag"] == "noindex"
    assert_inert(r.text)
    assert 'method="post"' not in r.text and "-700" in r.text
    d = anonymous.get(f"/katalog/del/{link.token}/dokument", params={"format": "pdf"})
    assert d.status_code == 200 and d.content.startswith(b"%PDF-")
    assert anonymous.get(f"/katalog/del/{link.token}?format=xlsx&table=forslag").status_code == 200
    assert anonymous.get(f"/katalog/{c.id}", follow_redirects=False).status_code == 303
    cs.revoke_share_link(engine, ed, link.token)
    assert anonymous.get(f"/katalog/del/{link.token}").status_code == 404
    assert anonymous.get("/katalog/del/findes-ikke").status_code == 404


def _local_client() -> TestClient:
    from raaderum.web import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 51000))


def test_the_embedded_default_works_without_login_for_the_municipality_chosen_once(app_url: str) -> None:
    from raaderum.store.engine import make_engine

    engine = make_engine(app_url)
    try:
        client = _local_client()
        page = client.get("/katalog")
        assert page.status_code == 200 and "Vælg din kommune" in page.text
        csrf = ca.csrf_in(page.text)
        assert client.cookies.get("raaderum_login_csrf") == csrf
        assert _post(client, csrf, "/katalog/lokal", kommune="751").status_code == 303
        page = client.get("/katalog")
        assert "Råderumskatalog for Aarhus Kommune" in page.text and "Opret et katalog" in page.text
        r = _post(client, csrf, "/katalog", navn="Mit katalog", budgetaar="2027")
        assert r.status_code == 303
        cid = _id(r.headers["location"], "katalog")
        r = _post(client, csrf, f"/katalog/{cid}/forslag", title="Lokalt forslag", area_id="sfo", amount_b="-90")
        assert r.status_code == 303
        assert client.get(f"/katalog/{cid}").status_code == 200
        # the local user is an editor of the chosen municipality only
        assert _post(client, csrf, "/katalog", navn="Andres", budgetaar="2027", kommune="101").status_code == 403
        # without the CSRF token: refused by the middleware
        r = client.post(f"/katalog/{cid}/forslag", data={"title": "uden token"}, follow_redirects=False)
        assert r.status_code == 403
        # another address or host name: no local user
        remote = TestClient(client.app, base_url="http://127.0.0.1:8000", client=("192.168.1.20", 40000))
        assert remote.get("/katalog", follow_redirects=False).status_code == 303
        rebound = TestClient(client.app, base_url="http://angriber.example:8000", client=("127.0.0.1", 40001))
        assert rebound.get(f"/katalog/{cid}", follow_redirects=False).status_code == 303
        # once an account exists, everyone logs in: the local user is refused
        ca.make_user(engine, "ny-operatoer", "operator")
        assert client.get(f"/katalog/{cid}", follow_redirects=False).status_code == 303
        before = ca.snapshot(engine)
        r = _post(client, csrf, f"/katalog/{cid}/forslag", title="Efter kontoen")
        assert r.status_code == 403
        assert _post(client, csrf, "/katalog/lokal", kommune="101").status_code == 403
        assert ca.snapshot(engine) == before
    finally:
        ca.close_app_caches()
        engine.dispose()
