"""The råderumsnetværk's services and what each user may see (issue 15), on SQLite and PostgreSQL.

The services' permission table, audit rows and crash safety are in tests/test_services_audit.py (the registry).
Here: member or non-member × role × own or other municipality for every network action, mark and experience, with
refused actions changing nothing; what logged-in users, the public and non-members see; optimistic locking;
contacts deleted everywhere; and the CLI ``raaderum netvaerk``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from raaderum.cli import app as cli_app
from raaderum.errors import (
    ConflictError,
    ContactNotFound,
    InputError,
    MeetingNotFound,
    NetworkNotFound,
    NetworkShareNotFound,
    PermissionDenied,
    UnknownMunicipality,
)
from raaderum.server import catalogue as catalogue_svc
from raaderum.server import network as net
from raaderum.server import workspace
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store.audit import entries
from raaderum.store.models import AuditEntry, User, WorkMark

OWN, OTHER, THIRD, OUTSIDER = 751, 101, 147, 461  # Aarhus, København, Frederiksberg, Odense


class World:
    """A network of Aarhus and Frederiksberg coordinated by a reader of Odense (not a member), and users of
    every kind: members (editor and reader of Aarhus), non-members (editor and reader of København), the
    coordinator, the operator, a disabled editor of Aarhus and an anonymous visitor."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        mk = ca.make_user
        self.users: dict[str, User | None] = {
            "operator": mk(engine, "op", "operator"),
            "member_editor": mk(engine, "aarhus-red", "editor", OWN),
            "member_reader": mk(engine, "aarhus-laes", "reader", OWN),
            "other_editor": mk(engine, "kbh-red", "editor", OTHER),
            "other_reader": mk(engine, "kbh-laes", "reader", OTHER),
            "coordinator": mk(engine, "odense-koord", "reader", OUTSIDER),
            "anonymous": None,
        }
        mk(engine, "aarhus-deaktiv", "editor", OWN)
        from raaderum.server.accounts import disable_user

        self.users["disabled"] = disable_user(engine, SYSTEM_ACTOR, "aarhus-deaktiv")
        self.network = net.create_network(engine, SYSTEM_ACTOR, "Råderumsnetværk Øst 2027",
                                          municipalities=[OWN, "Frederiksberg"], coordinators=["odense-koord"])
        self.proposal = ca.sample_proposal(engine, OTHER)
        self.contact = net.create_contact(engine, SYSTEM_ACTOR, OWN, {"name": "Anne Jensen", "role": "Økonomichef",
                                                                      "email": "anne.jensen@aarhus.dk"})
        self.mark = net.set_mark(engine, SYSTEM_ACTOR, OWN, "proposal", self.proposal, status="i_gang",
                                 contact_id=self.contact.id, note="Vi regner på det")
        self.private_exp = net.create_experience(engine, SYSTEM_ACTOR, OWN, {
            "title": "Hemmelig erfaring", "proposal_id": self.proposal, "realised": "2025: -1.250",
            "what_worked": "Tidlig dialog", "contact_id": self.contact.id})
        self.public_exp = net.create_experience(engine, SYSTEM_ACTOR, OWN, {
            "title": "Offentlig erfaring", "proposal_id": self.proposal, "public": True,
            "contact_id": self.contact.id, "what_did_not": "For kort tid"})
        self.meeting = net.create_meeting(engine, SYSTEM_ACTOR, self.network.id, {
            "title": "Første netværksmøde", "held_on": "15.03.2027", "agenda": "Kortlister", "minutes": "Referat"})
        self.share = net.share(engine, SYSTEM_ACTOR, self.network.id, OWN, "shortlist")


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


#: Who may SEE the network (and what is shared in it).
SEES_NETWORK = {"operator", "member_editor", "member_reader", "coordinator"}


def _audit_count(engine: Engine) -> int:
    with Session(engine) as s:
        return len(entries(s, limit=100_000))


def _attempt(world: World, role: str, call: Callable[[User | None], Any], allowed: bool,
             refusal: tuple[type[Exception], ...] = (PermissionDenied,)) -> Any:
    """``call`` as ``role``: when allowed, it succeeds and writes one audit row; when not, it raises one of
    ``refusal`` and every table is exactly as before."""
    before, audits = ca.snapshot(world.engine), _audit_count(world.engine)
    actor = world.users[role]
    if allowed:
        out = call(actor)
        assert _audit_count(world.engine) == audits + 1
        return out
    with pytest.raises(refusal) as refused:
        call(actor)
    assert str(refused.value)
    assert ca.snapshot(world.engine) == before, f"{role}: a refused call changed something"
    return None


ROLES = ("operator", "member_editor", "member_reader", "other_editor", "other_reader", "coordinator", "anonymous",
         "disabled")


@pytest.mark.parametrize("role", ROLES)
def test_marks_contacts_and_experiences_own_municipality_only(world: World, role: str) -> None:
    """Editors change their own municipality's marks, contacts and experiences; nobody else's (member or not)."""
    for code in (OWN, OTHER):
        allowed = role == "operator" or (role == "member_editor" and code == OWN) or (
            role == "other_editor" and code == OTHER)
        pid = ca.sample_proposal(world.engine, THIRD)
        _attempt(world, role, lambda u, c=code, p=pid: net.set_mark(world.engine, u, c, "proposal", p,
                                                                  status="overvejer"), allowed)
        _attempt(world, role, lambda u, c=code: net.create_contact(world.engine, u, c, {"name": "Ny Kontakt"}),
                 allowed)
        _attempt(world, role, lambda u, c=code, p=pid: net.create_experience(
            world.engine, u, c, {"title": "Ny erfaring", "proposal_id": p}), allowed)
    own_allowed = role in ("operator", "member_editor")
    m = _row(world, WorkMark, world.mark.id)
    _attempt(world, role, lambda u: net.set_mark(world.engine, u, OWN, "proposal", world.proposal, status="opgivet",
                                                 version=m.version), own_allowed)
    ver = world.private_exp.version
    _attempt(world, role, lambda u: net.edit_experience(world.engine, u, world.private_exp.id, ver,
                                                        {"what_worked": "Rettet"}), own_allowed)
    _attempt(world, role, lambda u: net.edit_contact(world.engine, u, world.contact.id, world.contact.version,
                                                     {"name": "Anne J."}), own_allowed)


def _row(world: World, model: Any, key: Any) -> Any:
    with Session(world.engine, expire_on_commit=False) as s:
        return s.get(model, key)


@pytest.mark.parametrize("role", ROLES)
def test_network_actions_by_membership_and_role(world: World, role: str) -> None:
    """Coordinators (and the operator) write meetings and notes; members see but may not; non-members are not
    even told the network exists; only the operator manages networks; a member's editor shares its own things."""
    nid = world.network.id
    coordinates = role in ("operator", "coordinator")
    # non-members (and the anonymous) cannot see it: 404-type answer; members who don't coordinate: 403-type
    refusal = (PermissionDenied, NetworkNotFound, MeetingNotFound)
    meeting = {"title": "Møde", "held_on": "2027-05-01"}
    _attempt(world, role, lambda u: net.create_meeting(world.engine, u, nid, meeting), coordinates, refusal)
    n = _row(world, type(world.network), nid)
    _attempt(world, role, lambda u: net.set_notes(world.engine, u, nid, n.version, "Noter"), coordinates, refusal)
    mt = _row(world, type(world.meeting), world.meeting.id)
    _attempt(world, role, lambda u: net.edit_meeting(world.engine, u, mt.id, mt.version, {"minutes": "Nyt"}),
             coordinates, refusal)
    if role in ("member_editor", "member_reader"):
        with pytest.raises(PermissionDenied):
            net.create_meeting(world.engine, world.users[role], nid, {"title": "x", "held_on": "2027-05-01"})
    if role in ("other_editor", "other_reader"):
        with pytest.raises(NetworkNotFound):
            net.set_notes(world.engine, world.users[role], nid, n.version, "x")
    # managing the network: the operator only
    _attempt(world, role, lambda u: net.change_members(world.engine, u, nid, add=[str(OTHER)]), role == "operator")
    _attempt(world, role, lambda u: net.create_network(world.engine, u, f"Netværk af {role}"), role == "operator")
    # sharing: the member municipality's editor (and the operator) for the member municipality
    share_allowed = role in ("operator", "member_editor")
    sid = _scenario(world)
    sh = _attempt(world, role, lambda u: net.share(world.engine, u, nid, OWN, "scenario", sid),
                  share_allowed, (PermissionDenied, NetworkNotFound))
    if sh is not None:
        _attempt(world, role, lambda u: net.unshare(world.engine, u, sh.id), True)
    _attempt(world, role, lambda u: net.unshare(world.engine, u, world.share.id), share_allowed)


def _scenario(world: World) -> int:
    cat = catalogue_svc.create_catalogue(world.engine, SYSTEM_ACTOR, OWN, 2027,
                                         f"Katalog {_audit_count(world.engine)}")
    p = catalogue_svc.add_proposal(world.engine, SYSTEM_ACTOR, cat.id, {"title": "Færre vikarer",
                                                                        "area_id": "folkeskole",
                                                                        "amount_b": "-1.500"})
    return int(catalogue_svc.create_scenario(world.engine, SYSTEM_ACTOR, cat.id, "Scenarie A",
                                             proposal_ids=[p.id]).id)


def test_a_non_member_municipality_cannot_share_with_the_network(world: World) -> None:
    """København's editor may share København's things, but København is not a member: refused, nothing written."""
    before = ca.snapshot(world.engine)
    with pytest.raises((PermissionDenied, NetworkNotFound)):
        net.share(world.engine, world.users["other_editor"], world.network.id, OTHER, "shortlist")
    with pytest.raises(PermissionDenied, match="ikke medlem"):  # even the operator: København is no member
        net.share(world.engine, world.users["operator"], world.network.id, OTHER, "shortlist")
    assert ca.snapshot(world.engine) == before


@pytest.mark.parametrize("role", ROLES)
def test_what_each_user_sees_of_the_network(world: World, role: str) -> None:
    user = world.users[role]
    if role not in SEES_NETWORK:
        with pytest.raises(NetworkNotFound):
            net.network_view(world.engine, user, world.network.id)
        with pytest.raises(NetworkShareNotFound):
            net.shared_content(world.engine, user, world.share.id)
        return
    view = net.network_view(world.engine, user, world.network.id)
    assert [m.name for m in view.members] == ["Frederiksberg", "Aarhus"]
    aarhus = view.members[1]
    assert [v.mark.target_id for v in aarhus.marks] == [str(world.proposal)]
    assert aarhus.marks[0].contact is not None and aarhus.marks[0].contact.email == "anne.jensen@aarhus.dk"
    assert {e.experience.title for e in aarhus.experiences} == {"Hemmelig erfaring", "Offentlig erfaring"}
    assert [m.title for m in view.meetings] == ["Første netværksmøde"]
    assert [u.name for u in view.coordinators] == ["odense-koord"]
    assert view.can_coordinate == (role in ("operator", "coordinator"))
    assert view.own_member == (OWN if role in ("member_editor", "member_reader") else None)
    shared = net.shared_content(world.engine, user, world.share.id)
    assert shared.municipality_name == "Aarhus" and shared.shortlist is not None


def test_shared_scenario_is_readable_by_members(world: World) -> None:
    sid = _scenario(world)
    sh = net.share(world.engine, world.users["member_editor"], world.network.id, OWN, "scenario", sid)
    content = net.shared_content(world.engine, world.users["coordinator"], sh.id)
    assert content.scenario is not None and content.catalogue is not None
    assert [p.title for p in content.catalogue.selection(content.scenario)] == ["Færre vikarer"]
    assert net.share(world.engine, world.users["member_editor"], world.network.id, OWN, "scenario", sid).id == sh.id
    # a scenario of another municipality's catalogue cannot be shared as Aarhus's
    other = catalogue_svc.create_catalogue(world.engine, SYSTEM_ACTOR, OTHER, 2027, "Københavns katalog")
    other_sc = catalogue_svc.create_scenario(world.engine, SYSTEM_ACTOR, other.id, "B")
    with pytest.raises(Exception, match="findes ikke"):
        net.share(world.engine, world.users["operator"], world.network.id, OWN, "scenario", other_sc.id)


def test_public_sees_counts_and_public_experiences_without_contacts(world: World) -> None:
    public = net.marks_on(world.engine, None, "proposal", world.proposal)
    assert public["logged_in"] is False and public["marks"] == []
    assert public["counts"]["i_gang"] == 1 and public["total"] == 1
    assert [e["experience"].title for e in public["experiences"]] == ["Offentlig erfaring"]
    assert all(e["contact"] is None for e in public["experiences"])
    assert public["experience_total"] == 2
    assert "anne" not in repr(public).lower()
    seen = net.marks_on(world.engine, world.users["other_reader"], "proposal", world.proposal)
    assert [(m["municipality"], m["mark"].status, m["contact"].name) for m in seen["marks"]] == [
        ("Aarhus", "i_gang", "Anne Jensen")]
    assert {e["experience"].title for e in seen["experiences"]} == {"Hemmelig erfaring", "Offentlig erfaring"}
    # a disabled user is not logged in
    assert net.marks_on(world.engine, world.users["disabled"], "proposal", world.proposal)["marks"] == []


def test_deleting_a_contact_removes_it_everywhere(world: World) -> None:
    net.delete_contact(world.engine, world.users["member_editor"], world.contact.id)
    seen = net.marks_on(world.engine, world.users["operator"], "proposal", world.proposal)
    assert seen["marks"][0]["contact"] is None
    assert all(e["contact"] is None for e in seen["experiences"])
    view = net.network_view(world.engine, world.users["operator"], world.network.id)
    assert all(v.contact is None for m in view.members for v in m.marks)
    assert "anne.jensen" not in json.dumps(ca.snapshot(world.engine)["work_marks"], default=str)
    with pytest.raises(ContactNotFound):
        net.set_mark(world.engine, world.users["member_editor"], OWN, "lever", "hverdagsrehabilitering",
                     status="overvejer", contact_id=world.contact.id)


def test_a_contact_of_another_municipality_cannot_be_used(world: World) -> None:
    kbh = net.create_contact(world.engine, SYSTEM_ACTOR, OTHER, {"name": "Bo Hansen"})
    with pytest.raises(ContactNotFound):
        net.set_mark(world.engine, world.users["member_editor"], OWN, "lever", "hverdagsrehabilitering",
                     status="overvejer", contact_id=kbh.id)


def test_optimistic_locking_gives_the_conflict_message(world: World) -> None:
    ed = world.users["member_editor"]
    m = _row(world, WorkMark, world.mark.id)
    net.set_mark(world.engine, ed, OWN, "proposal", world.proposal, status="gennemfoert", version=m.version)
    before = ca.snapshot(world.engine)
    with pytest.raises(ConflictError, match="aarhus-red") as e:
        net.set_mark(world.engine, ed, OWN, "proposal", world.proposal, status="opgivet", version=m.version)
    assert "IKKE gemt" in str(e.value)
    with pytest.raises(ConflictError):  # a second "new" mark of the same thing without a version
        net.set_mark(world.engine, ed, OWN, "proposal", world.proposal, status="opgivet")
    e1 = world.private_exp
    net.edit_experience(world.engine, ed, e1.id, e1.version, {"what_worked": "A"})
    with pytest.raises(ConflictError):
        net.edit_experience(world.engine, ed, e1.id, e1.version, {"what_worked": "B"})
    n = world.network
    with pytest.raises(ConflictError):
        net.set_notes(world.engine, world.users["coordinator"], n.id, n.version + 5, "x")
    assert ca.snapshot(world.engine)["work_marks"] == before["work_marks"]


def test_bad_input_gets_a_clear_message_and_changes_nothing(world: World) -> None:
    ed = world.users["member_editor"]
    before = ca.snapshot(world.engine)
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: net.set_mark(world.engine, ed, OWN, "proposal", world.proposal, status="måske"), "Ukendt status"),
        (lambda: net.set_mark(world.engine, ed, OWN, "budget", 1, status="i_gang"), "Ukendt type"),
        (lambda: net.set_mark(world.engine, ed, OWN, "lever", "intet-greb", status="i_gang"), "findes ikke"),
        (lambda: net.set_mark(world.engine, ed, OWN, "proposal", 2_000_000_000, status="i_gang"), "findes ikke"),
        (lambda: net.create_contact(world.engine, ed, OWN, {"name": "X", "email": "ikke en adresse"}), "gyldig"),
        (lambda: net.create_contact(world.engine, ed, OWN, {"name": ""}), "udfyldes"),
        (lambda: net.create_experience(world.engine, ed, OWN, {"title": "Uden kobling"}), "knyttes"),
        (lambda: net.create_experience(world.engine, ed, OWN, {"title": "X", "proposal_id": world.proposal,
                                                               "realised": "2025 -100"}), "år: beløb"),
        (lambda: net.create_experience(world.engine, ed, OWN, {"title": "X", "proposal_id": world.proposal,
                                                               "realised": "1850: -100"}), "uden for"),
        (lambda: net.create_experience(world.engine, ed, OWN, {"title": "X", "proposal_id": world.proposal,
                                                               "realised": "2025: mange"}), "Beløbet for 2025"),
        (lambda: net.create_meeting(world.engine, world.users["coordinator"], world.network.id,
                                    {"title": "M", "held_on": "30.02.2027"}), "kan ikke læses"),
        (lambda: net.create_network(world.engine, SYSTEM_ACTOR, "Råderumsnetværk Øst 2027"), "allerede"),
        (lambda: net.change_members(world.engine, SYSTEM_ACTOR, world.network.id, remove=[str(OTHER)]),
         "ikke medlem"),
        (lambda: net.change_members(world.engine, SYSTEM_ACTOR, world.network.id), "mindst én"),
    ]
    for call, message in cases:
        with pytest.raises((InputError, ConflictError, LookupError)) as e:
            call()
        assert message in str(e.value), (message, str(e.value))
    with pytest.raises(UnknownMunicipality):
        net.create_network(world.engine, SYSTEM_ACTOR, "Nyt", municipalities=["Atlantis"])
    assert ca.snapshot(world.engine) == before


def test_realised_amounts_are_read_in_danish_formats(world: World) -> None:
    e = net.create_experience(world.engine, SYSTEM_ACTOR, OWN, {
        "title": "Beløb", "lever_id": "hverdagsrehabilitering", "realised": "2026: -2.400,5; 2025 = -1.200"})
    assert e.realised == {"2025": -1200.0, "2026": -2400.5}
    assert e.area_id is None and e.lever_id == "hverdagsrehabilitering"
    e2 = net.create_experience(world.engine, SYSTEM_ACTOR, OWN, {"title": "Areal", "proposal_id": world.proposal})
    assert e2.area_id is not None  # from the proposal


def test_removing_a_member_withdraws_its_shares_and_deleting_a_network_removes_its_content(world: World) -> None:
    assert net.change_members(world.engine, SYSTEM_ACTOR, world.network.id, remove=["Aarhus"]) == [THIRD]
    with pytest.raises(NetworkShareNotFound):
        net.shared_content(world.engine, world.users["operator"], world.share.id)
    with pytest.raises(NetworkNotFound):  # Aarhus's editor is no longer a member
        net.network_view(world.engine, world.users["member_editor"], world.network.id)
    net.delete_network(world.engine, SYSTEM_ACTOR, world.network.id)
    tables = ca.snapshot(world.engine)
    for t in ("networks", "network_members", "network_coordinators", "network_meetings", "network_shares"):
        assert tables[t]["rows"] == [], t
    # the municipalities' own things stay
    assert len(tables["work_marks"]["rows"]) == 1 and len(tables["experiences"]["rows"]) == 2


def test_every_change_is_audited_with_before_and_after(world: World) -> None:
    with Session(world.engine) as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.entity.in_(
            ["network", "contact", "work_mark", "experience", "network_meeting", "network_share"]))
            .order_by(AuditEntry.id)))
    assert [r.action for r in rows] == ["network.create", "contact.create", "mark.set", "experience.create",
                                        "experience.create", "network.meeting.create", "network.share"]
    assert rows[0].after["members"] == [THIRD, OWN] and rows[0].after["coordinators"] == ["odense-koord"]
    assert all(r.user_name == "system:cli" for r in rows)


# ------------------------------------------------------------------------------------------------ the CLI


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli_app, list(args))


def test_cli_netvaerk_add_members_list(engine: Engine) -> None:
    ca.make_user(engine, "koord", "reader", OUTSIDER)
    r = _cli("netvaerk", "add", "Råderumsnetværk Vest 2027", "--kommuner", "751,Herning,461", "--koordinator",
             "koord", "--json")
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert [m["name"] for m in made["members"]] == ["Odense", "Herning", "Aarhus"]
    assert made["coordinators"] == ["koord"]
    r = _cli("netvaerk", "members", "råderumsnetværk vest 2027", "--add", "101", "--remove", "Odense")
    assert r.exit_code == 0, r.output
    assert "København (101)" in r.output and "Odense" not in r.output
    r = _cli("netvaerk", "list", "--json")
    listed = json.loads(r.output)["networks"]
    assert [(n["name"], [m["code"] for m in n["members"]]) for n in listed] == [
        ("Råderumsnetværk Vest 2027", [101, 657, 751])]
    with Session(engine) as s:
        found = entries(s, entity="network")
        assert [e.action for e in found] == ["network.members", "network.create"]
        assert all(e.user_name == "system:cli" for e in found)


@pytest.mark.parametrize(("args", "message"), [
    (("netvaerk", "add", "X", "--kommuner", "Atlantis"), "Ukendt kommune"),
    (("netvaerk", "add", "X", "--koordinator", "ingen"), "findes ikke"),
    (("netvaerk", "members", "Intet netværk", "--add", "101"), "findes ikke"),
    (("netvaerk", "add", " "), "udfyldes"),
])
def test_cli_netvaerk_errors(engine: Engine, args: tuple[str, ...], message: str) -> None:
    before = ca.snapshot(engine)
    r = _cli(*args)
    assert r.exit_code == 2 and message in r.output, r.output
    assert ca.snapshot(engine) == before


def test_shortlist_shared_with_network_shows_the_shortlist(world: World) -> None:
    workspace.add_to_shortlist(world.engine, SYSTEM_ACTOR, OWN, world.proposal, comment="Interessant")
    content = net.shared_content(world.engine, world.users["member_reader"], world.share.id)
    assert content.shortlist is not None
    assert [(r.proposal.id, r.item.comment) for r in content.shortlist] == [(world.proposal, "Interessant")]
