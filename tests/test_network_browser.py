"""Issue 15 in a real headless Chromium against `raaderum serve`: two editors from different municipalities in one
network. Editor A (Aarhus) marks a proposal ("Vi arbejder med dette") and shares a catalogue scenario with the
network; editor B (Frederiksberg) logs in, sees both on the network page and opens the shared scenario. An axe-core
check (WCAG 2 A and AA) of the new pages shows zero violations. Screenshots go to test-artefacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import conftest_accounts as ca
import pytest
from e2e_support import axe_violations, launch_browser, screenshot, start_server

from raaderum.server import catalogue as cs
from raaderum.server import network as net
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store.engine import make_engine, migrate
from raaderum.store.ideas import IdeaStore

pytestmark = pytest.mark.e2e

A, B, OUTSIDE = 751, 147, 101


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("e2e_netvaerk")
    url = f"sqlite:///{home / 'app.sqlite'}"
    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
    eng = make_engine(url)
    try:
        editor_a = ca.make_user(eng, "aarhus-redaktoer", "editor", A)
        ca.make_user(eng, "frb-redaktoer", "editor", B)
        n = net.create_network(eng, SYSTEM_ACTOR, "Råderumsnetværk Øst 2027", municipalities=[A, B],
                               coordinators=["frb-redaktoer"])
        net.create_contact(eng, editor_a, A, {"name": "Mette Hansen", "role": "Budgetchef",
                                              "email": "mette@aarhus.dk"})
        cat = cs.create_catalogue(eng, editor_a, A, 2027, "Råderumskatalog 2027")
        p = cs.add_proposal(eng, editor_a, cat.id, {"title": "Færre vikarer i skolen", "area_id": "folkeskole",
                                                    "amount_b": "-500", "amount_bo1": "-1.250"})
        sc = cs.create_scenario(eng, editor_a, cat.id, "Scenarie A: uden serviceforringelser", proposal_ids=[p.id])
        pid = ca.sample_proposal(eng, OUTSIDE)
        net.create_meeting(eng, SYSTEM_ACTOR, n.id, {"title": "Netværksmøde 1", "held_on": "2027-03-15",
                                                     "agenda": "Kortlister og scenarier"})
    finally:
        eng.dispose()
    server = start_server({"RAADERUM_HOME": str(home), "RAADERUM_DATABASE_URL": url})
    base = next(server)
    try:
        yield {"base": base, "network": n.id, "proposal": pid, "scenario": sc.id}
    finally:
        server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


def _log_in(browser: Any, base: str, name: str) -> Any:
    ctx = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("#login-name", name)
    page.fill("#login-password", ca.PASSWORD)
    page.click("form.login button")
    page.wait_for_load_state()
    assert "Log ud" in page.inner_text("header")
    return page


def test_two_editors_in_one_network(browser: Any, site: dict[str, Any]) -> None:
    base, nid, pid = site["base"], site["network"], site["proposal"]
    found: dict[str, list[dict[str, Any]]] = {}

    def check(page: Any, name: str) -> None:
        found[page.url.split(base, 1)[1]] = axe_violations(page)
        screenshot(page, name)

    # editor A marks the proposal with a contact person
    a = _log_in(browser, base, "aarhus-redaktoer")
    a.goto(f"{base}/idebank/{pid}")
    title = a.inner_text("h1")
    a.select_option("#mk-status", "i_gang")
    a.select_option("#mk-kontakt", label="Mette Hansen (Budgetchef)")
    a.fill("#mk-note", "Vi afprøver det i 2027")
    a.click("#markering-form button[type=submit]")
    a.wait_for_url(re.compile(r".*ok=markeret.*"))
    assert "Aarhus" in a.inner_text("#tabel-markeringer") and "I gang" in a.inner_text("#tabel-markeringer")
    check(a, "netvaerk_forslag")
    # ... and shares the catalogue scenario with the network
    a.goto(f"{base}/netvaerk/{nid}")
    a.select_option("#del-scenarie-valg", str(site["scenario"]))
    a.click("#del-scenarie button")
    a.wait_for_url(re.compile(r".*ok=delt.*"))
    assert "Scenarie A: uden serviceforringelser" in a.inner_text("#delinger")
    a.goto(f"{base}/arbejdsrum/kontakter")
    check(a, "netvaerk_kontakter")
    a.goto(f"{base}/erfaringer/ny?forslag={pid}")
    check(a, "netvaerk_erfaring_ny")
    a.fill("#e-realised", "2027: -800")
    a.fill("#e-worked", "Fælles udbud med nabokommunen")
    a.check("#e-public")
    a.click("#erfaring-form button[type=submit]")
    a.wait_for_url(re.compile(r".*/erfaringer/\d+\?ok=erfaring"))
    assert "-800" in a.inner_text("#tabel-realiseret")
    check(a, "netvaerk_erfaring")
    a.context.close()

    # editor B sees A's mark and the shared scenario on the network page, and opens it
    b = _log_in(browser, base, "frb-redaktoer")
    b.goto(f"{base}/netvaerk")
    check(b, "netvaerk_liste")
    b.click("#netvaerksliste a")
    b.wait_for_url(f"**/netvaerk/{nid}")
    aarhus = b.inner_text("#medlem-751")
    assert title in aarhus and "I gang" in aarhus and "Mette Hansen" in aarhus
    assert "Scenarie A: uden serviceforringelser" in b.inner_text("#delinger")
    check(b, "netvaerk")
    b.click("#delinger a")
    b.wait_for_url(re.compile(rf".*/netvaerk/{nid}/delt/\d+"))
    table = b.inner_text("#tabel-delt")
    assert "Færre vikarer i skolen" in table and "-1.250" in table and "-500" in table
    check(b, "netvaerk_delt")
    b.goto(f"{base}/netvaerk/{nid}")
    b.click("main a[href*='/moeder/']")
    b.wait_for_url(re.compile(rf".*/netvaerk/{nid}/moeder/\d+"))
    check(b, "netvaerk_moede")
    b.goto(f"{base}/casesamling?q=udbud")
    assert "Fælles udbud" in b.inner_text("main")
    check(b, "casesamling")
    b.context.close()
    # the public case collection and proposal page: counts only
    anon = browser.new_context(locale="da-DK").new_page()
    anon.goto(f"{base}/idebank/{pid}")
    assert "1 kommune arbejder med dette" in anon.inner_text("#vi-arbejder")
    assert "Mette Hansen" not in anon.inner_text("main")
    check(anon, "netvaerk_forslag_offentlig")
    anon.context.close()
    assert found and all(v == [] for v in found.values()), found
