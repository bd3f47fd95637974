"""Issue 15 in the web app: "Vi arbejder med dette" on proposal and lever pages (the public sees counts, logged-in
users the municipalities and their contacts), contacts, experiences and the case collection, and the networks
(members see everything, non-members the 404 page, coordinators write meetings and notes, members share and
withdraw). Refused POSTs change nothing; a stale version gets the Danish conflict message with the input kept."""

from __future__ import annotations

import re
from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.ideas.levers import load_levers
from raaderum.server import catalogue as cs
from raaderum.server import network as net
from raaderum.server import workspace as ws
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store.models import Contact, Network, NetworkMeeting, NetworkShare, WorkMark

pytestmark = pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)

OWN, MEMBER, OUTSIDER = 751, 147, 101  # Aarhus, Frederiksberg (members); København (not a member)
SECRET_MAIL = "mette.hansen@aarhus.dk"


def _post(client: TestClient, csrf: str, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


def _logged_in(name: str) -> tuple[TestClient, str]:
    client = ca.new_client()
    return client, ca.login(client, name)


@pytest.fixture
def world(engine: Any, users: dict[str, Any]) -> dict[str, Any]:
    """A network of Aarhus and Frederiksberg (coordinator: the reader of Aarhus), an editor of Frederiksberg, a
    proposal of København for the marks, and Aarhus's contact person."""
    ca.make_user(engine, "frb-redaktoer", "editor", MEMBER)
    n = net.create_network(engine, SYSTEM_ACTOR, "Råderumsnetværk Øst 2027", municipalities=[OWN, MEMBER],
                           coordinators=["aarhus-laeser"], description="Netværket i øst")
    contact = net.create_contact(engine, users["editor"], OWN, {"name": "Mette Hansen", "role": "Budgetchef",
                                                                "email": SECRET_MAIL})
    return {"network": n.id, "proposal": ca.sample_proposal(engine, OUTSIDER), "contact": contact.id}


def test_public_sees_counts_logged_in_sees_municipality_and_contact(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    editor, csrf = _logged_in("aarhus-redaktoer")
    page = editor.get(f"/idebank/{pid}")
    assert page.status_code == 200 and "Vi arbejder med dette" in page.text
    assert page.headers["cache-control"] == "no-store"
    r = _post(editor, csrf, "/markering", kind="proposal", target_id=str(pid), status="i_gang",
              contact_id=str(world["contact"]), note="Vi prøver det i 2027")
    assert r.status_code == 303 and r.headers["location"].endswith("#vi-arbejder")
    public = ca.new_client().get(f"/idebank/{pid}")
    assert public.status_code == 200
    assert "1 kommune arbejder med dette" in public.text and "i gang 1" in public.text
    assert "Mette Hansen" not in public.text and SECRET_MAIL not in public.text and "Vi prøver det" not in public.text
    assert ca.soup(public.text).find(id="tabel-markeringer") is None
    reader, _ = _logged_in("kbh-redaktoer")
    seen = reader.get(f"/idebank/{pid}")
    table = ca.soup(seen.text).find(id="tabel-markeringer")
    assert table is not None and "Aarhus" in table.get_text() and "I gang" in table.get_text()
    assert "Mette Hansen" in seen.text and SECRET_MAIL in seen.text and "Budgetchef" in seen.text
    assert seen.headers["cache-control"] == "no-store"
    # the editor of another municipality gets a form for its own mark, not Aarhus's
    assert 'id="markering-form"' in seen.text and "København Kommunes markering" in seen.text


def test_lever_page_marks_and_experience_link(engine: Any, users: Any, world: Any) -> None:
    lever_id = load_levers()[0].id
    editor, csrf = _logged_in("aarhus-redaktoer")
    assert _post(editor, csrf, "/markering", kind="lever", target_id=lever_id, status="overvejer").status_code == 303
    page = editor.get(f"/vidensportal/{lever_id}")
    assert "Aarhus" in ca.soup(page.text).find(id="tabel-markeringer").get_text()
    assert f"/erfaringer/ny?greb={lever_id}" in page.text
    form = editor.get(f"/erfaringer/ny?greb={lever_id}")
    assert form.status_code == 200 and f'value="{lever_id}" selected' in form.text
    public = ca.new_client().get(f"/vidensportal/{lever_id}")
    assert "1 kommune arbejder med dette" in public.text and "Aarhus" not in ca.soup(public.text).find(
        id="vi-arbejder").get_text()
    # remove it
    with Session(engine) as s:
        mark = s.scalar(select(WorkMark).where(WorkMark.target_id == lever_id))
    assert mark is not None
    r = _post(editor, csrf, f"/markering/{mark.id}/fjern", kind="lever", target_id=lever_id, version=str(mark.version))
    assert r.status_code == 303
    assert "Ingen kommuner har markeret" in editor.get(f"/vidensportal/{lever_id}").text


def test_contact_crud_and_deletion_removes_it_from_the_proposal_page(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    editor, csrf = _logged_in("aarhus-redaktoer")
    page = editor.get("/arbejdsrum/kontakter")
    assert page.status_code == 200 and "Mette Hansen" in page.text and page.headers["cache-control"] == "no-store"
    r = _post(editor, csrf, "/arbejdsrum/kontakter", name="Jens Jensen", role="Controller", email="jj@aarhus.dk")
    assert r.status_code == 303
    with Session(engine) as s:
        jens = s.scalar(select(Contact).where(Contact.name == "Jens Jensen"))
    assert jens is not None
    r = _post(editor, csrf, f"/arbejdsrum/kontakter/{jens.id}", version=str(jens.version), name="Jens Jensen",
              role="Økonomikonsulent", email="jj@aarhus.dk")
    assert r.status_code == 303 and "Økonomikonsulent" in editor.get("/arbejdsrum/kontakter").text
    stale = _post(editor, csrf, f"/arbejdsrum/kontakter/{jens.id}", version="1", name="Jens Stale", role="", email="")
    assert stale.status_code == 409 and 'value="Jens Stale"' in stale.text
    # bad e-mail: 400 in Danish, nothing saved
    bad = _post(editor, csrf, "/arbejdsrum/kontakter", name="X", email="ikke-en-adresse")
    assert bad.status_code == 400 and "gyldig adresse" in bad.text
    # mark with Jens as contact, then delete Jens: gone from the proposal page
    _post(editor, csrf, "/markering", kind="proposal", target_id=str(pid), status="overvejer", contact_id=str(jens.id))
    reader, _ = _logged_in("aarhus-laeser")
    assert "jj@aarhus.dk" in reader.get(f"/idebank/{pid}").text
    assert _post(editor, csrf, f"/arbejdsrum/kontakter/{jens.id}/slet", version="2").status_code == 303
    after = reader.get(f"/idebank/{pid}")
    assert "jj@aarhus.dk" not in after.text and "Jens Jensen" not in after.text
    assert "Aarhus" in ca.soup(after.text).find(id="tabel-markeringer").get_text()
    # another municipality's editor may not touch Aarhus's contacts; a reader gets no form
    other, ocsrf = _logged_in("kbh-redaktoer")
    before = ca.snapshot(engine)
    assert _post(other, ocsrf, f"/arbejdsrum/kontakter/{world['contact']}/slet").status_code == 403
    assert _post(other, ocsrf, "/arbejdsrum/kontakter", name="Y", kommune=str(OWN)).status_code == 403
    assert ca.snapshot(engine) == before
    assert "Opret kontaktperson" not in reader.get("/arbejdsrum/kontakter").text
    assert editor.get("/arbejdsrum/kontakter/x").status_code in (404, 405)


def test_stale_version_gets_the_conflict_message_and_keeps_the_input(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    editor, csrf = _logged_in("aarhus-redaktoer")
    _post(editor, csrf, "/markering", kind="proposal", target_id=str(pid), status="overvejer")
    with Session(engine) as s:
        mark = s.scalar(select(WorkMark).where(WorkMark.target_id == str(pid)))
    assert mark is not None
    net.set_mark(engine, users["editor"], OWN, "proposal", pid, status="i_gang", version=mark.version)
    r = _post(editor, csrf, "/markering", kind="proposal", target_id=str(pid), status="gennemfoert",
              note="Min vigtige bemærkning", version=str(mark.version))
    assert r.status_code == 409
    assert "Dine indtastninger står stadig i formularen" in r.text and "Min vigtige bemærkning" in r.text
    assert 'value="gennemfoert" selected' in r.text
    with Session(engine) as s:
        assert s.get(WorkMark, mark.id).status == "i_gang"  # type: ignore[union-attr]
    # notes of the network: the coordinator writes on an old version
    coord, ccsrf = _logged_in("aarhus-laeser")
    nid = world["network"]
    assert _post(coord, ccsrf, f"/netvaerk/{nid}/noter", version="1", notes="Første noter").status_code == 303
    r = _post(coord, ccsrf, f"/netvaerk/{nid}/noter", version="1", notes="Mine nye noter")
    assert r.status_code == 409 and "Mine nye noter" in r.text
    assert "Dine indtastninger står stadig i formularen" in ca.soup(r.text).find(id="netvaerk-fejl").get_text()
    with Session(engine) as s:
        assert s.get(Network, nid).notes == "Første noter"  # type: ignore[union-attr]


def test_network_members_see_everything_non_members_get_404(engine: Any, users: Any, world: Any) -> None:
    nid, pid = world["network"], world["proposal"]
    net.set_mark(engine, users["editor"], OWN, "proposal", pid, status="i_gang", contact_id=world["contact"])
    net.create_experience(engine, users["editor"], OWN, {"title": "LED i gadebelysningen", "proposal_id": pid,
                                                         "realised": "2025: -1.200\n2026: -2.400",
                                                         "what_worked": "Udbud sammen med nabokommunen"})
    meeting = net.create_meeting(engine, users["reader"], nid, {"title": "Netværksmøde 1", "held_on": "2027-03-15",
                                                               "agenda": "Kortlister", "minutes": "Referat her"})
    share = net.share(engine, users["editor"], nid, OWN, "shortlist")
    member, _ = _logged_in("frb-redaktoer")
    page = member.get(f"/netvaerk/{nid}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    doc = ca.soup(page.text)
    assert "Aarhus" in doc.find(id="medlem-751").get_text() and "Frederiksberg" in doc.find(id="medlem-147").get_text()
    assert "I gang" in doc.find(id="medlem-751").get_text() and SECRET_MAIL in doc.find(id="medlem-751").get_text()
    assert "LED i gadebelysningen" in page.text and "-1.200" in page.text
    assert "Netværksmøde 1" in page.text and "15. marts 2027" in page.text and "Referat her" in page.text
    assert f"/netvaerk/{nid}/delt/{share.id}" in page.text
    assert 'id="nyt-moede-form"' not in page.text  # not a coordinator
    assert member.get(f"/netvaerk/{nid}/delt/{share.id}").status_code == 200
    assert member.get(f"/netvaerk/{nid}/moeder/{meeting.id}").status_code == 200
    assert "Råderumsnetværk Øst 2027" in member.get("/netvaerk").text
    outsider, _ = _logged_in("kbh-redaktoer")
    for path in (f"/netvaerk/{nid}", f"/netvaerk/{nid}/delt/{share.id}", f"/netvaerk/{nid}/moeder/{meeting.id}"):
        r = outsider.get(path)
        assert r.status_code == 404, path
        assert "Netværksmøde" not in r.text and "Råderumsnetværk Øst" not in r.text and "Referat her" not in r.text
    assert "Råderumsnetværk Øst 2027" not in outsider.get("/netvaerk").text
    # the share's id under another network is 404 too; bad ids are 400/404, never 500
    other = net.create_network(engine, SYSTEM_ACTOR, "Netværk Vest", municipalities=[MEMBER])
    assert member.get(f"/netvaerk/{other.id}/delt/{share.id}").status_code == 404
    assert member.get("/netvaerk/abc").status_code == 400
    assert member.get("/netvaerk/99999").status_code == 404
    assert member.get(f"/netvaerk/{nid}/moeder/99999").status_code == 404
    # not logged in: to the login page
    anon = ca.new_client().get(f"/netvaerk/{nid}", follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login")


def test_coordinator_forms_work_and_others_are_refused(engine: Any, users: Any, world: Any) -> None:
    nid = world["network"]
    coord, ccsrf = _logged_in("aarhus-laeser")
    page = coord.get(f"/netvaerk/{nid}")
    assert 'id="nyt-moede-form"' in page.text
    r = _post(coord, ccsrf, f"/netvaerk/{nid}/moeder", title="Opstartsmøde", held_on="2027-02-01", place="Aarhus",
              agenda="1. Velkomst", minutes="")
    assert r.status_code == 303
    with Session(engine) as s:
        m = s.scalar(select(NetworkMeeting).where(NetworkMeeting.network_id == nid))
    assert m is not None
    r = _post(coord, ccsrf, f"/netvaerk/{nid}/moeder/{m.id}", version=str(m.version), title="Opstartsmøde",
              held_on="01.02.2027", place="Aarhus", agenda="1. Velkomst", minutes="Alle var der")
    assert r.status_code == 303 and "Alle var der" in coord.get(f"/netvaerk/{nid}/moeder/{m.id}").text
    assert _post(coord, ccsrf, f"/netvaerk/{nid}/moeder", title="X", held_on="i morgen").status_code == 400
    # an editor of a member municipality who is not a coordinator: 403, nothing changes
    editor, ecsrf = _logged_in("aarhus-redaktoer")
    before = ca.snapshot(engine)
    assert _post(editor, ecsrf, f"/netvaerk/{nid}/noter", version="1", notes="Hacket").status_code == 403
    assert _post(editor, ecsrf, f"/netvaerk/{nid}/moeder", title="Mit møde", held_on="2027-05-01").status_code == 403
    assert _post(editor, ecsrf, f"/netvaerk/{nid}/moeder/{m.id}/slet", version="2").status_code == 403
    assert _post(editor, ecsrf, f"/netvaerk/{nid}/medlemmer", tilfoej="101").status_code == 403
    assert _post(editor, ecsrf, "/netvaerk", name="Mit netværk").status_code == 403
    outsider, ocsrf = _logged_in("kbh-redaktoer")
    assert _post(outsider, ocsrf, f"/netvaerk/{nid}/noter", version="1", notes="x").status_code == 404
    assert _post(outsider, ocsrf, f"/netvaerk/{nid}/del", kind="shortlist").status_code == 404
    anon = ca.new_client()
    assert _post(anon, ca.anonymous_csrf(anon), f"/netvaerk/{nid}/noter", version="1", notes="x").status_code == 403
    assert ca.snapshot(engine) == before
    assert _post(coord, ccsrf, f"/netvaerk/{nid}/moeder/{m.id}/slet", version="2").status_code == 303


def test_operator_manages_networks_on_the_web(engine: Any, users: Any, world: Any) -> None:
    op, csrf = _logged_in("operatoer")
    page = op.get("/netvaerk")
    assert 'id="nyt-netvaerk-form"' in page.text
    r = _post(op, csrf, "/netvaerk", name="Råderumsnetværk Vest 2027", description="Vest",
              kommuner="Odense, 851", koordinatorer="kbh-redaktoer")
    assert r.status_code == 303
    nid = int(re.search(r"/netvaerk/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    page = op.get(f"/netvaerk/{nid}")
    assert "Odense" in page.text and "Aalborg" in page.text and "kbh-redaktoer" in page.text
    assert _post(op, csrf, f"/netvaerk/{nid}/medlemmer", tilfoej="101", fjern="461").status_code == 303
    page = op.get(f"/netvaerk/{nid}")
    assert 'id="medlem-101"' in page.text and 'id="medlem-461"' not in page.text
    assert _post(op, csrf, f"/netvaerk/{nid}/koordinatorer", fjern="kbh-redaktoer").status_code == 303
    assert _post(op, csrf, f"/netvaerk/{nid}/medlemmer", tilfoej="Atlantis").status_code == 404
    assert _post(op, csrf, f"/netvaerk/{nid}", version="1", name="Nyt navn").status_code == 409
    with Session(engine) as s:
        version = s.get(Network, nid).version  # type: ignore[union-attr]
    r = _post(op, csrf, f"/netvaerk/{nid}", version=str(version), name="Vest 2027", description="")
    assert r.status_code == 303
    assert _post(op, csrf, f"/netvaerk/{nid}/slet").status_code == 303
    assert op.get(f"/netvaerk/{nid}").status_code == 404


def test_share_and_unshare_a_scenario_and_the_shortlist(engine: Any, users: Any, world: Any) -> None:
    nid = world["network"]
    ws.add_to_shortlist(engine, users["editor"], OWN, world["proposal"], comment="Til udvalget")
    cat = cs.create_catalogue(engine, users["editor"], OWN, 2027, "Råderumskatalog 2027")
    p = cs.add_proposal(engine, users["editor"], cat.id, {"title": "Færre vikarer", "area_id": "folkeskole",
                                                          "amount_b": "-500", "amount_bo1": "-1.250"})
    sc = cs.create_scenario(engine, users["editor"], cat.id, "Scenarie A", proposal_ids=[p.id])
    editor, csrf = _logged_in("aarhus-redaktoer")
    page = editor.get(f"/netvaerk/{nid}")
    assert "Scenarie A" in page.text and 'id="del-scenarie"' in page.text
    assert _post(editor, csrf, f"/netvaerk/{nid}/del", kind="scenario", scenario_id=str(sc.id)).status_code == 303
    assert _post(editor, csrf, f"/netvaerk/{nid}/del", kind="shortlist").status_code == 303
    assert _post(editor, csrf, f"/netvaerk/{nid}/del", kind="scenario", scenario_id="999999").status_code == 404
    assert _post(editor, csrf, f"/netvaerk/{nid}/del", kind="alt").status_code == 400
    with Session(engine) as s:
        shares = {sh.kind: sh.id for sh in s.scalars(select(NetworkShare).where(NetworkShare.network_id == nid))}
    member, mcsrf = _logged_in("frb-redaktoer")
    view = member.get(f"/netvaerk/{nid}/delt/{shares['scenario']}")
    assert view.status_code == 200 and "Færre vikarer" in view.text and "-1.250" in view.text and "-500" in view.text
    assert "<form" not in ca.soup(view.text).find("main").decode()  # read-only
    shortlist = member.get(f"/netvaerk/{nid}/delt/{shares['shortlist']}")
    assert shortlist.status_code == 200 and "Til udvalget" in shortlist.text
    # another member may not withdraw Aarhus's share
    before = ca.snapshot(engine)
    assert _post(member, mcsrf, f"/netvaerk/{nid}/delt/{shares['scenario']}/tilbagekald").status_code == 403
    assert ca.snapshot(engine) == before
    assert _post(editor, csrf, f"/netvaerk/{nid}/delt/{shares['scenario']}/tilbagekald").status_code == 303
    assert member.get(f"/netvaerk/{nid}/delt/{shares['scenario']}").status_code == 404
    assert "Scenarie A" not in ca.soup(member.get(f"/netvaerk/{nid}").text).find(id="delinger").get_text()


def test_experiences_forms_and_casesamling_search(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    editor, csrf = _logged_in("aarhus-redaktoer")
    form = editor.get(f"/erfaringer/ny?forslag={pid}")
    assert form.status_code == 200 and 'id="erfaring-form"' in form.text
    assert editor.get("/erfaringer/ny?forslag=999999").status_code == 404
    assert editor.get("/erfaringer/ny?forslag=abc").status_code == 400
    assert editor.get("/erfaringer/ny?greb=findes-ikke").status_code == 404
    bad = _post(editor, csrf, "/erfaringer", title="X", proposal_id=str(pid), realised="2025 -1200")
    assert bad.status_code == 400 and "år: beløb" in bad.text
    r = _post(editor, csrf, "/erfaringer", title="Ny vejbelysning med LED", proposal_id=str(pid),
              realised="2025: -1.200\n2026: -2.400", what_worked="Fælles udbud", what_did_not="Lang leveringstid",
              contact_id=str(world["contact"]), public="1")
    assert r.status_code == 303
    eid = int(re.search(r"/erfaringer/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    r2 = _post(editor, csrf, "/erfaringer", title="Intern erfaring om vikarer", proposal_id=str(pid),
               what_worked="Hemmeligt")
    assert r2.status_code == 303
    page = editor.get(f"/erfaringer/{eid}")
    assert page.status_code == 200 and "-2.400" in page.text and "besparelser er negative" in page.text
    assert SECRET_MAIL in page.text
    public = ca.new_client()
    pp = public.get(f"/erfaringer/{eid}")
    assert pp.status_code == 200 and SECRET_MAIL not in pp.text and "Mette Hansen" not in pp.text
    private_id = int(re.search(r"/erfaringer/(\d+)", r2.headers["location"]).group(1))  # type: ignore[union-attr]
    assert public.get(f"/erfaringer/{private_id}").status_code == 404
    # the proposal page lists both for a logged-in user, only the public one for the public
    assert "Intern erfaring om vikarer" in editor.get(f"/idebank/{pid}").text
    pub = public.get(f"/idebank/{pid}").text
    assert "Ny vejbelysning med LED" in pub and "Intern erfaring om vikarer" not in pub
    # the case collection: the thesaurus finds "vejbelysning" for "gadelys"
    hits = public.get("/casesamling", params={"q": "gadelys"})
    assert hits.status_code == 200 and "Ny vejbelysning med LED" in hits.text and "Intern erfaring" not in hits.text
    assert "besparelser er negative" in hits.text and "2026: -2.400" in hits.text
    assert "Intern erfaring om vikarer" in editor.get("/casesamling", params={"q": "vikarer"}).text
    assert "Ny vejbelysning" not in editor.get("/casesamling", params={"q": "vikarer"}).text
    assert "Ny vejbelysning" in editor.get("/casesamling", params={"kommune": "Aarhus"}).text
    assert "Ny vejbelysning" not in editor.get("/casesamling", params={"kommune": "Odense"}).text
    net.set_mark(engine, users["editor"], OWN, "proposal", pid, status="gennemfoert")
    assert "Ny vejbelysning" in editor.get("/casesamling", params={"status": "gennemfoert"}).text
    assert "Ny vejbelysning" not in editor.get("/casesamling", params={"status": "opgivet"}).text
    assert public.get("/casesamling", params={"status": "gennemfoert"}).status_code == 400
    assert public.get("/casesamling", params={"omraade": "findes-ikke"}).status_code == 400
    # edit on a stale version: conflict, the input kept
    edit = editor.get(f"/erfaringer/{eid}/ret")
    assert edit.status_code == 200 and "2025: -1.200" in edit.text
    ok = _post(editor, csrf, f"/erfaringer/{eid}", version="1", title="Ny vejbelysning med LED", proposal_id=str(pid),
               realised="2025: -1.300", public="1")
    assert ok.status_code == 303
    stale = _post(editor, csrf, f"/erfaringer/{eid}", version="1", title="Min titel", proposal_id=str(pid),
                  realised="2025: -9.999")
    assert stale.status_code == 409 and "Min titel" in stale.text and "2025: -9.999" in stale.text
    # another municipality may not edit or delete it
    other, ocsrf = _logged_in("kbh-redaktoer")
    before = ca.snapshot(engine)
    assert _post(other, ocsrf, f"/erfaringer/{eid}/slet").status_code == 403
    assert ca.snapshot(engine) == before
    assert _post(editor, csrf, f"/erfaringer/{eid}/slet", version="2").status_code == 303
    assert editor.get(f"/erfaringer/{eid}").status_code == 404


def test_bad_input_never_gives_500(engine: Any, users: Any, world: Any) -> None:
    editor, csrf = _logged_in("aarhus-redaktoer")
    pid = str(world["proposal"])
    assert _post(editor, csrf, "/markering", kind="proposal", target_id=pid, status="måske").status_code == 400
    assert _post(editor, csrf, "/markering", kind="noget", target_id=pid, status="i_gang").status_code == 400
    assert _post(editor, csrf, "/markering", kind="proposal", target_id="999999", status="i_gang").status_code == 404
    assert _post(editor, csrf, "/markering", kind="lever", target_id="findes-ikke", status="i_gang").status_code == 404
    assert _post(editor, csrf, "/markering", kind="proposal", target_id=pid, status="i_gang",
                 contact_id="abc").status_code == 400
    assert _post(editor, csrf, "/markering/0/fjern", kind="proposal", target_id=pid).status_code == 400
    assert _post(editor, csrf, "/markering/99999/fjern", kind="proposal", target_id=pid).status_code == 404
    assert _post(editor, csrf, "/arbejdsrum/kontakter/99999", version="1", name="x").status_code == 404
    assert _post(editor, csrf, "/erfaringer/99999", version="1", title="x").status_code == 404
    assert editor.get("/erfaringer/abc").status_code == 400
    assert editor.get("/casesamling", params={"kommune": "Atlantis"}).status_code == 404
    assert editor.get("/casesamling", params={"q": "x" * 300}).status_code == 400
    # without CSRF the middleware refuses the POST
    assert editor.post("/markering", data={"kind": "proposal", "target_id": pid, "status": "i_gang"}).status_code == 403


def test_an_experience_names_its_catalogue_proposal_only_to_those_who_may_read_the_catalogue(
        engine: Any, users: Any, world: Any) -> None:
    cat = cs.create_catalogue(engine, users["editor"], OWN, 2027, "Råderumskatalog 2027")
    p = cs.add_proposal(engine, users["editor"], cat.id, {"title": "Hemmelig besparelse på vikarer",
                                                          "area_id": "folkeskole", "amount_b": "-500"})
    e = net.create_experience(engine, users["editor"], OWN, {"title": "Vikarer i skolen", "catalogue_proposal_id":
                                                             str(p.id), "public": "1"})
    own, _ = _logged_in("aarhus-laeser")
    facts = ca.soup(own.get(f"/erfaringer/{e.id}").text).find(id="erfaring-fakta")
    link = facts.find("a", href=f"/katalog/{cat.id}/forslag/{p.id}")
    assert link is not None and link.get_text() == "Råderumskatalog 2027 (budget 2027): Hemmelig besparelse på vikarer"
    assert own.get(link["href"]).status_code == 200
    for client in (_logged_in("kbh-redaktoer")[0], ca.new_client()):  # another municipality; the public
        page = client.get(f"/erfaringer/{e.id}")
        assert page.status_code == 200
        facts = ca.soup(page.text).find(id="erfaring-fakta")
        assert "Hemmelig besparelse" not in page.text and "/katalog/" not in facts.decode()
        assert "kun ses af kommunens egne brugere" in facts.get_text()


def test_the_operator_marks_on_behalf_of_a_chosen_municipality(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    op, csrf = _logged_in("operatoer")
    page = ca.soup(op.get(f"/idebank/{pid}").text)
    assert page.find(id="markering-kommune") is not None and page.find(id="markering-form") is None
    chosen = op.get(f"/idebank/{pid}?kommune=Aarhus")
    form = ca.soup(chosen.text).find(id="markering-form")
    assert form is not None and form.find("input", attrs={"name": "kommune"})["value"] == str(OWN)
    assert "Aarhus Kommunes markering" in chosen.text and "Mette Hansen" in form.decode()  # Aarhus's contacts
    r = _post(op, csrf, "/markering", kind="proposal", target_id=str(pid), status="i_gang", kommune=str(OWN))
    assert r.status_code == 303 and r.headers["location"] == f"/idebank/{pid}?kommune={OWN}&ok=markeret#vi-arbejder"
    after = op.get(r.headers["location"].split("#")[0])
    assert "Aarhus" in ca.soup(after.text).find(id="tabel-markeringer").get_text()
    with Session(engine) as s:
        mark = s.scalars(select(WorkMark).where(WorkMark.target_id == str(pid))).one()
        assert (mark.municipality_code, mark.created_by) == (OWN, "operatoer")
    assert op.get(f"/idebank/{pid}?kommune=Atlantis").status_code == 404
    # anyone else acts for their own municipality whatever the address says
    other, _ = _logged_in("kbh-redaktoer")
    page = ca.soup(other.get(f"/idebank/{pid}?kommune={OWN}").text)
    assert page.find(id="markering-kommune") is None
    assert page.find(id="markering-form").find("input", attrs={"name": "kommune"}) is None
    assert "København Kommunes markering" in page.get_text()


def test_reads_kept_for_every_viewer_never_give_the_public_what_is_private(engine: Any, users: Any,
                                                                             world: Any) -> None:
    """marks_on and network_view keep what they read while the store is unchanged, shared by every viewer of the
    same kind. With NO change in between: a member's view first, then the public and a non-member; then the other
    way round on a second proposal."""
    pid, nid = world["proposal"], world["network"]
    net.set_mark(engine, users["editor"], OWN, "proposal", pid, status="i_gang", contact_id=world["contact"],
                 note="Intern bemærkning")
    net.create_experience(engine, users["editor"], OWN, {"title": "Intern erfaring", "proposal_id": str(pid),
                                                         "contact_id": str(world["contact"]), "public": ""})
    member, _ = _logged_in("aarhus-redaktoer")
    assert SECRET_MAIL in member.get(f"/idebank/{pid}").text
    assert "Intern erfaring" in member.get(f"/netvaerk/{nid}").text
    public = ca.new_client().get(f"/idebank/{pid}").text
    assert SECRET_MAIL not in public and "Intern bemærkning" not in public and "Intern erfaring" not in public
    assert "1 kommune arbejder med dette" in public
    outsider, _ = _logged_in("kbh-redaktoer")
    assert outsider.get(f"/netvaerk/{nid}").status_code == 404
    # public first, then a logged-in user, on another proposal
    other = ca.sample_proposal(engine, MEMBER)
    net.set_mark(engine, users["editor"], OWN, "proposal", other, status="overvejer", contact_id=world["contact"])
    assert SECRET_MAIL not in ca.new_client().get(f"/idebank/{other}").text
    assert SECRET_MAIL in outsider.get(f"/idebank/{other}").text
