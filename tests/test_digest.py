"""The digest "Råderum" (issue 15): content per subscription, what stays private, and sending by e-mail against a
REAL SMTP server (aiosmtpd, started here on 127.0.0.1), not a mock of our code.

The world (:func:`build_world`, also used by tests/test_feed.py): two new proposals this month (Aarhus, ældre;
København, folkeskole), a network whose only member is København with a meeting and a share, a contact person
with an e-mail address, a mark and two experiences (one public, one not) by København. Network rows are made
directly with the ORM (the network services are built in parallel).
"""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message
from typing import Any

import conftest_accounts as ca
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from raaderum import config
from raaderum.cli import app as cli_app
from raaderum.config import Settings
from raaderum.errors import ConflictError, DigestLinkNotFound, InputError, MailNotConfigured, PermissionDenied
from raaderum.reports.digest import month_label, render_text
from raaderum.server import digest as dg
from raaderum.server.accounts import User
from raaderum.server.workspace import create_proposal
from raaderum.store.models import (
    AuditEntry,
    Contact,
    DigestSend,
    DigestSubscription,
    Experience,
    Network,
    NetworkMeeting,
    NetworkMember,
    NetworkShare,
    WorkMark,
    utcnow,
)

OWN, OTHER = ca.OWN, ca.OTHER  # Aarhus (not in the network), København (the network's member)
SECRET_WORDS = ("Hemmeligt netværksmøde", "Fortroligt dagsordenspunkt", "har delt sin kortliste",
                "Intern erfaring", "kontakt@kk.example", "Kirsten Kontakt")


# ------------------------------------------------------------------------------------------------ the world


@dataclass
class World:
    engine: Engine
    users: dict[str, User]
    aeldre_id: int
    skole_id: int
    network_id: int
    month: str


def build_world(engine: Engine, users: dict[str, User]) -> World:
    op = users["operator"]
    aeldre = create_proposal(engine, op, OWN, {"title": "Hverdagsrehabilitering <i> & træning", "area_id": "aeldre",
                                              "description": "Borgere træner daglige gøremål.",
                                              "amount_b": "-1250", "amount_bo1": "-2500"})
    skole = create_proposal(engine, op, OTHER, {"title": "Færre vikartimer i folkeskolen", "area_id": "folkeskole",
                                               "amount_b": "-800"})
    with Session(engine) as s, s.begin():
        contact = Contact(municipality_code=OTHER, name="Kirsten Kontakt", role="Økonomichef",
                          email="kontakt@kk.example", created_by="test", updated_by="test")
        net = Network(name="Råderumsnetværk Øst 2027", created_by="test", updated_by="test")
        s.add_all([contact, net])
        s.flush()
        s.add(NetworkMember(network_id=net.id, municipality_code=OTHER, added_by="test"))
        s.add(NetworkMeeting(network_id=net.id, title="Hemmeligt netværksmøde", held_on=date.today(),
                             place="Rådhuset", agenda="Fortroligt dagsordenspunkt", created_by="test",
                             updated_by="test"))
        s.add(NetworkShare(network_id=net.id, municipality_code=OTHER, kind="shortlist", created_by="test"))
        s.add(WorkMark(municipality_code=OTHER, target_kind="proposal", target_id=str(skole.id), status="i_gang",
                       contact_id=contact.id, created_by="test", updated_by="test"))
        s.add(Experience(municipality_code=OTHER, title="Offentlig erfaring med vikartimer", area_id="folkeskole",
                         proposal_id=skole.id, realised={"2025": -700.0, "2026": -800.0}, what_worked="Planlægning.",
                         contact_id=contact.id, public=True, created_by="test", updated_by="test"))
        s.add(Experience(municipality_code=OTHER, title="Intern erfaring med vikartimer", area_id="folkeskole",
                         what_worked="Noget internt.", contact_id=contact.id, public=False, created_by="test",
                         updated_by="test"))
        network_id = net.id
    return World(engine, users, int(aeldre.id or 0), int(skole.id or 0), int(network_id), dg.current_month())


@pytest.fixture
def world(engine: Engine, users: dict[str, User]) -> World:
    return build_world(engine, users)


def titles(digest: Any) -> list[str]:
    return [i.title for i in digest.items]


def text_of(digest: Any) -> str:
    return " ".join(f"{i.title} {i.summary} {i.municipality} {i.network}" for i in digest.items)


def subscribe(w: World, who: str, *, email_addr: str = "", areas: list[str] | None = None,
              committees: list[str] | None = None, opt_in: bool = True) -> DigestSubscription:
    user = w.users[who]
    with Session(w.engine) as s:
        sub = s.get(DigestSubscription, user.id)
        version = sub.version if sub else 0
    return dg.set_subscription(w.engine, user, {"areas": areas or [], "committees": committees or [],
                                                "email": email_addr or f"{user.name}@kommune.example",
                                                "email_opt_in": opt_in}, version)


def audit_rows(engine: Engine, action: str | None = None) -> list[AuditEntry]:
    with Session(engine) as s:
        q = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            q = q.where(AuditEntry.action == action)
        return list(s.scalars(q))


def sends(engine: Engine) -> dict[int, str]:
    with Session(engine) as s:
        return {r.user_id: r.status for r in s.scalars(select(DigestSend))}


# ------------------------------------------------------------------------------------------------ SMTP server


class Sink:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content or envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    controller: Controller
    sink: Sink
    port: int

    def settings(self) -> Settings:
        return dataclasses.replace(config.current(), smtp_host="127.0.0.1", smtp_port=self.port, smtp_tls="none",
                                   public_url="https://raaderum.example",
                                   smtp_sender="Råderum <nyhedsbrev@raaderum.example>")


def start_smtp() -> SmtpServer:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return SmtpServer(controller, sink, port)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = start_smtp()
    try:
        yield server
    finally:
        server.controller.stop()


# ------------------------------------------------------------------------------------------------ content


def test_content_follows_the_subscriptions_areas_and_committees(world: World) -> None:
    editor = world.users["editor"]
    everything = dg.build_digest(world.engine, editor, world.month)
    assert {"Hverdagsrehabilitering <i> & træning", "Færre vikartimer i folkeskolen"} <= set(titles(everything))

    subscribe(world, "editor", areas=["aeldre"])
    aeldre = dg.build_digest(world.engine, editor, world.month)
    assert "Hverdagsrehabilitering <i> & træning" in titles(aeldre)
    assert "Færre vikartimer i folkeskolen" not in titles(aeldre)
    assert "Offentlig erfaring med vikartimer" not in titles(aeldre)
    assert aeldre.filters == "Ældrepleje"

    subscribe(world, "editor", committees=["Børne- og Ungeudvalget"])
    school = dg.build_digest(world.engine, editor, world.month)
    assert "Færre vikartimer i folkeskolen" in titles(school)
    assert "Offentlig erfaring med vikartimer" in titles(school)
    assert "Hverdagsrehabilitering <i> & træning" not in titles(school)


def test_sample_data_is_left_out_and_amounts_carry_the_sign_convention(world: World) -> None:
    d = dg.build_digest(world.engine, None, world.month)
    assert all(not i.sample for i in d.items if i.kind == "proposal")
    assert len([i for i in d.items if i.kind == "proposal"]) == 2  # the shipped sample proposals are not "new"
    text = render_text(d, "https://raaderum.example")
    assert "B: -1.250 · BO1: -2.500 (1.000 kr.)" in text
    assert "besparelser og mindreudgifter er negative" in text
    assert "Realiseret 2025: -700" in text


def test_nothing_private_reaches_the_public_digest_or_a_non_member(world: World) -> None:
    public = dg.build_digest(world.engine, None, world.month)
    assert public.audience == "public"
    for word in SECRET_WORDS:
        assert word not in text_of(public), word
    assert not [i for i in public.items if i.kind in ("mark", "network") or i.private]
    assert "Offentlig erfaring med vikartimer" in titles(public)

    outsider = dg.build_digest(world.engine, world.users["editor"], world.month)  # Aarhus: not a member
    assert not [i for i in outsider.items if i.kind == "network"]
    for word in ("Hemmeligt netværksmøde", "Fortroligt dagsordenspunkt", "har delt sin kortliste",
                 "Råderumsnetværk Øst 2027", "kontakt@kk.example", "Kirsten Kontakt"):
        assert word not in text_of(outsider), word
    assert "Intern erfaring med vikartimer" in titles(outsider)  # logged in: every experience, never the contact
    assert [i for i in outsider.items if i.kind == "mark"]

    member = dg.build_digest(world.engine, world.users["other_editor"], world.month)
    assert "Møde i Råderumsnetværk Øst 2027: Hemmeligt netværksmøde" in titles(member)
    assert any("har delt sin kortliste" in t for t in titles(member))
    assert "kontakt@kk.example" not in text_of(member) and "Kirsten Kontakt" not in text_of(member)


def test_a_bad_month_is_refused_in_danish() -> None:
    for bad in ("2026-13", "26-01", "2026-1", "x", "1999-12", "2999-01", "2026-01-01"):
        with pytest.raises(InputError, match="måned|Måneden"):
            dg.check_month(bad)
    assert dg.check_month(dg.current_month()) == dg.current_month()


# ------------------------------------------------------------------------------------------------ subscription


def test_set_subscription_writes_one_audit_row_and_locks_optimistically(world: World) -> None:
    before = len(audit_rows(world.engine))
    sub = subscribe(world, "reader", areas=["aeldre"])
    rows = audit_rows(world.engine)[before:]
    assert [(r.action, r.entity, r.entity_id, r.user_name) for r in rows] == [
        ("subscription.edit", "digest_subscription", str(world.users["reader"].id), world.users["reader"].name)]
    assert rows[0].after["areas"] == ["aeldre"] and "link_key" not in rows[0].after
    with pytest.raises(ConflictError):
        dg.set_subscription(world.engine, world.users["reader"], {"areas": []}, 0)
    with pytest.raises(InputError, match="ukendt område"):
        dg.set_subscription(world.engine, world.users["reader"], {"areas": ["ingen_steder"]}, sub.version)
    with pytest.raises(InputError, match="e-mailadresse"):
        dg.set_subscription(world.engine, world.users["reader"], {"email_opt_in": "1"}, sub.version)
    with pytest.raises(InputError, match="gyldig e-mailadresse"):
        dg.set_subscription(world.engine, world.users["reader"], {"email": "a@b.dk\r\nBcc: x@y.dk"}, sub.version)
    assert len(audit_rows(world.engine)) == before + 1


def test_anonymous_cannot_edit_a_subscription_and_nobody_sends_but_the_operator(world: World) -> None:
    snap = ca.snapshot(world.engine)
    with pytest.raises(PermissionDenied):
        dg.set_subscription(world.engine, None, {"areas": []}, 0)
    with pytest.raises(PermissionDenied):
        dg.rotate_links(world.engine, None)
    settings = dataclasses.replace(config.current(), smtp_host="127.0.0.1")
    for who in ("editor", "reader", "other_editor"):
        with pytest.raises(PermissionDenied):
            dg.send_digests(world.engine, settings, world.users[who], world.month)
    with pytest.raises(PermissionDenied):
        dg.send_digests(world.engine, settings, None, world.month, dry_run=True)
    assert ca.snapshot(world.engine) == snap


def test_rotating_the_links_revokes_feed_and_unsubscribe_links(world: World) -> None:
    user = world.users["other_editor"]
    subscribe(world, "other_editor")
    settings = config.current()
    feed, unsub = dg.feed_path(world.engine, settings, user.id), dg.unsubscribe_path(world.engine, settings, user.id)
    before = len(audit_rows(world.engine))
    dg.rotate_links(world.engine, user)
    assert [r.action for r in audit_rows(world.engine)[before:]] == ["subscription.rotate"]
    client = ca.new_client()
    assert client.get(feed).status_code == 404
    assert client.get(unsub).status_code == 404
    assert client.get(dg.feed_path(world.engine, settings, user.id)).status_code == 200


# ------------------------------------------------------------------------------------------------ sending


def test_send_over_real_smtp_then_a_rerun_sends_nothing_twice(world: World, smtp: SmtpServer) -> None:
    subscribe(world, "editor", email_addr="redaktoer@aarhus.example")
    subscribe(world, "other_editor", email_addr="redaktoer@kk.example")
    subscribe(world, "reader", email_addr="laeser@aarhus.example", opt_in=False)  # not opted in
    op = world.users["operator"]
    before = len(audit_rows(world.engine))

    report = dg.send_digests(world.engine, smtp.settings(), op, world.month)
    assert {r.user_name: r.status for r in report.results} == {"aarhus-redaktoer": "sent", "kbh-redaktoer": "sent"}
    assert sorted(rcpt[0] for _, rcpt, _ in smtp.sink.messages) == ["redaktoer@aarhus.example",
                                                                    "redaktoer@kk.example"]
    by_to = {rcpt[0]: msg for _, rcpt, msg in smtp.sink.messages}
    msg = by_to["redaktoer@kk.example"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")
             for p in msg.walk() if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "Hemmeligt netværksmøde" in parts["text/plain"] and "Hemmeligt netværksmøde" in parts["text/html"]
    assert "&lt;i&gt; &amp; træning" in parts["text/html"]  # escaped in HTML
    assert "Hemmeligt netværksmøde" not in str(by_to["redaktoer@aarhus.example"])  # not a member
    unsub = msg["List-Unsubscribe"]
    assert unsub.startswith(f"<https://raaderum.example/nyhedsbrev/afmeld/{world.users['other_editor'].id}/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"] and str(email.header.make_header(email.header.decode_header(msg["Subject"]))) \
        == f"Råderum · {month_label(world.month)}"

    with Session(world.engine) as s:
        rows = {r.user_id: r for r in s.scalars(select(DigestSend))}
    assert {r.status for r in rows.values()} == {"sent"}
    assert rows[world.users["other_editor"].id].message_id == msg["Message-ID"]
    new = audit_rows(world.engine)[before:]
    assert [(r.action, r.user_name) for r in new] == [("digest.send", "operatoer")] * 2
    assert {r.entity_id for r in new} == {f"{world.users[w].id}:{world.month}" for w in ("editor", "other_editor")}

    again = dg.send_digests(world.engine, smtp.settings(), op, world.month)
    assert {r.status for r in again.results} == {"already_sent"}
    assert len(smtp.sink.messages) == 2
    assert len(audit_rows(world.engine)) == before + 2


def test_a_failing_smtp_server_marks_failed_and_a_later_run_sends(world: World) -> None:
    subscribe(world, "other_editor", email_addr="redaktoer@kk.example")
    op = world.users["operator"]
    down = start_smtp()
    down.controller.stop()  # the port is closed: connecting fails
    report = dg.send_digests(world.engine, down.settings(), op, world.month)
    assert [r.status for r in report.results] == ["failed"] and report.results[0].error
    assert sends(world.engine) == {world.users["other_editor"].id: "failed"}
    with Session(world.engine) as s:
        row = s.get(DigestSend, (world.users["other_editor"].id, world.month))
        assert row is not None and row.error
    assert [r.action for r in audit_rows(world.engine, "digest.fail")] == ["digest.fail"]

    up = start_smtp()
    try:
        retry = dg.send_digests(world.engine, up.settings(), op, world.month)
        assert [r.status for r in retry.results] == ["sent"]
        assert len(up.sink.messages) == 1
        assert sends(world.engine) == {world.users["other_editor"].id: "sent"}
        third = dg.send_digests(world.engine, up.settings(), op, world.month)
        assert [r.status for r in third.results] == ["already_sent"] and len(up.sink.messages) == 1
    finally:
        up.controller.stop()


def test_a_send_left_unfinished_is_reported_and_resent_only_when_asked(world: World, smtp: SmtpServer) -> None:
    """A run stopped between claiming a user's month and finishing it leaves 'sending'. Within the hour another
    run may still be sending: skipped. Later it is 'stuck': reported (exit 3 on the CLI), and resent once only
    with resend_stuck, since whether the first e-mail went out is not known."""
    subscribe(world, "other_editor", email_addr="redaktoer@kk.example")
    uid, op = world.users["other_editor"].id, world.users["operator"]
    with Session(world.engine) as s, s.begin():
        s.add(DigestSend(user_id=uid, month=world.month, status="sending", email="redaktoer@kk.example", items=1,
                         at=utcnow() - timedelta(minutes=5)))
    fresh = dg.send_digests(world.engine, smtp.settings(), op, world.month, resend_stuck=True)
    assert [r.status for r in fresh.results] == ["in_progress"] and not smtp.sink.messages and not fresh.failed
    with Session(world.engine) as s, s.begin():
        s.get(DigestSend, (uid, world.month)).at = utcnow() - dg.STUCK_AFTER - timedelta(minutes=1)
    stuck = dg.send_digests(world.engine, smtp.settings(), op, world.month)
    assert [r.status for r in stuck.results] == ["stuck"] and stuck.failed == 1 and not smtp.sink.messages
    assert "--gensend-afbrudte" in stuck.results[0].label
    dry = dg.send_digests(world.engine, smtp.settings(), op, world.month, dry_run=True)
    assert [r.status for r in dry.results] == ["stuck"]
    assert sends(world.engine) == {uid: "sending"}
    resent = dg.send_digests(world.engine, smtp.settings(), op, world.month, resend_stuck=True)
    assert [r.status for r in resent.results] == ["sent"] and len(smtp.sink.messages) == 1
    assert sends(world.engine) == {uid: "sent"}
    again = dg.send_digests(world.engine, smtp.settings(), op, world.month, resend_stuck=True)
    assert [r.status for r in again.results] == ["already_sent"] and len(smtp.sink.messages) == 1


def test_an_empty_digest_is_not_sent(world: World, smtp: SmtpServer) -> None:
    subscribe(world, "editor", areas=["kultur_fritid"])  # nothing new there, and not in any network
    report = dg.send_digests(world.engine, smtp.settings(), world.users["operator"], world.month)
    assert [(r.status, r.items) for r in report.results] == [("empty", 0)]
    assert "intet nyt" in report.results[0].label
    assert smtp.sink.messages == [] and sends(world.engine) == {}


def test_dry_run_sends_nothing_and_writes_nothing(world: World, smtp: SmtpServer) -> None:
    subscribe(world, "other_editor", email_addr="redaktoer@kk.example")
    snap = ca.snapshot(world.engine)
    report = dg.send_digests(world.engine, smtp.settings(), world.users["operator"], world.month, dry_run=True)
    assert [r.status for r in report.results] == ["dry_run"]
    assert "Hemmeligt netværksmøde" in report.results[0].text
    assert smtp.sink.messages == [] and ca.snapshot(world.engine) == snap


def test_without_smtp_a_real_send_is_refused_with_a_clear_danish_error(world: World) -> None:
    subscribe(world, "other_editor")
    settings = dataclasses.replace(config.current(), smtp_host=None)
    with pytest.raises(MailNotConfigured, match="SMTP-server") as e:
        dg.send_digests(world.engine, settings, world.users["operator"], world.month)
    assert (e.value.status, e.value.exit_code) == (503, 3)
    assert sends(world.engine) == {}


def test_cli_digest_send(world: World, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    subscribe(world, "other_editor", email_addr="redaktoer@kk.example")
    runner = CliRunner()
    r = runner.invoke(cli_app, ["digest", "send", "--month", world.month])
    assert r.exit_code == 3 and "SMTP-server" in r.output, r.output  # not configured

    dry = runner.invoke(cli_app, ["digest", "send", "--dry-run", "--month", world.month])
    assert dry.exit_code == 0, dry.output
    assert "Tørløb" in dry.output and "Hemmeligt netværksmøde" in dry.output and sends(world.engine) == {}

    monkeypatch.setenv("RAADERUM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RAADERUM_SMTP_PORT", str(smtp.port))
    sent = runner.invoke(cli_app, ["digest", "send", "--month", world.month, "--json"])
    assert sent.exit_code == 0, sent.output
    assert '"sent": 1' in sent.output and len(smtp.sink.messages) == 1
    rows = audit_rows(world.engine, "digest.send")
    assert [(r.user_name, r.user_id) for r in rows] == [("system:cli", None)]

    bad = runner.invoke(cli_app, ["digest", "send", "--month", "2026-13"])
    assert bad.exit_code == 2 and "Ugyldig måned" in bad.output

    # a send a stopped run left unfinished: reported with exit 3, resent with --gensend-afbrudte
    subscribe(world, "editor", email_addr="redaktoer@aarhus.example")
    with Session(world.engine) as s, s.begin():
        s.add(DigestSend(user_id=world.users["editor"].id, month=world.month, status="sending",
                         email="redaktoer@aarhus.example", items=1, at=utcnow() - dg.STUCK_AFTER * 2))
    stuck = runner.invoke(cli_app, ["digest", "send", "--month", world.month])
    assert stuck.exit_code == 3 and "afbrudt" in stuck.output and "--gensend-afbrudte" in stuck.output
    resent = runner.invoke(cli_app, ["digest", "send", "--month", world.month, "--gensend-afbrudte"])
    assert resent.exit_code == 0, resent.output
    assert "1 sendt" in resent.output and len(smtp.sink.messages) == 2


# ------------------------------------------------------------------------------------------------ unsubscribe


def test_the_signed_unsubscribe_link_works_without_login_and_a_tampered_one_is_404(world: World) -> None:
    user = world.users["other_editor"]
    subscribe(world, "other_editor")
    path = dg.unsubscribe_path(world.engine, config.current(), user.id)
    client = ca.new_client()
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    snap = ca.snapshot(world.engine)
    for bad in (tampered, f"/nyhedsbrev/afmeld/{user.id + 1}/{path.rsplit('/', 1)[1]}",
                "/nyhedsbrev/afmeld/abc/def", "/nyhedsbrev/afmeld/99999999999/x"):
        assert client.get(bad).status_code == 404, bad
        r = client.post(bad, data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 404 and "Linket findes ikke" in r.text or r.status_code == 404, bad
    assert ca.snapshot(world.engine) == snap

    page = client.get(path)
    assert page.status_code == 200 and "Afmeld nyhedsbrevet" in page.text
    before = len(audit_rows(world.engine))
    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click", no cookie, no CSRF token
    fresh = ca.new_client()
    r = fresh.post(path, content=b"List-Unsubscribe=One-Click",
                   headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "afmeldt" in r.text
    with Session(world.engine) as s:
        sub = s.get(DigestSubscription, user.id)
        assert sub is not None and sub.email_opt_in is False
    rows = audit_rows(world.engine)[before:]
    assert [(r.action, r.user_name, r.user_id) for r in rows] == [("subscription.unsubscribe", "link:afmeld", None)]
    again = fresh.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200 and "allerede afmeldt" in again.text
    assert len(audit_rows(world.engine)) == before + 1  # no change, no audit row


def test_unsubscribe_by_token_service(world: World) -> None:
    user = world.users["editor"]
    subscribe(world, "editor")
    settings = config.current()
    token = dg.unsubscribe_path(world.engine, settings, user.id).rsplit("/", 1)[1]
    with pytest.raises(DigestLinkNotFound):
        dg.unsubscribe_by_token(world.engine, user.id, token + "x", settings=settings)
    assert dg.unsubscribe_by_token(world.engine, user.id, token, settings=settings) is True
    assert dg.unsubscribe_by_token(world.engine, user.id, token, settings=settings) is False
    assert len(audit_rows(world.engine, "subscription.unsubscribe")) == 1


# ------------------------------------------------------------------------------------------------ web


def test_subscription_page_and_form(world: World) -> None:
    client = ca.new_client()
    r = client.get("/nyhedsbrev/abonnement", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    anon = ca.anonymous_csrf(client)
    snap = ca.snapshot(world.engine)
    r = client.post("/nyhedsbrev/abonnement", data={"csrf_token": anon, "version": "0", "areas": "aeldre"})
    assert r.status_code == 403 and ca.snapshot(world.engine) == snap

    csrf = ca.login(client, "aarhus-laeser")
    page = client.get("/nyhedsbrev/abonnement")
    assert page.status_code == 200 and "Ældrepleje" in page.text and "/feed/" in page.text
    r = client.post("/nyhedsbrev/abonnement", data={"csrf_token": csrf, "version": "0", "areas": ["aeldre"],
                                                     "committees": ["Børne- og Ungeudvalget"],
                                                     "email": "laeser@aarhus.example", "email_opt_in": "1"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    with Session(world.engine) as s:
        sub = s.get(DigestSubscription, world.users["reader"].id)
        assert sub is not None and (sub.areas, sub.committees, sub.email_opt_in) == (
            ["aeldre"], ["Børne- og Ungeudvalget"], True)
    stale = client.post("/nyhedsbrev/abonnement", data={"csrf_token": csrf, "version": "0"})
    assert stale.status_code == 409 and "IKKE gemt" in stale.text
    bad = client.post("/nyhedsbrev/abonnement", data={"csrf_token": csrf, "version": "1", "email": "ikke en mail"})
    assert bad.status_code == 400 and "gyldig e-mailadresse" in bad.text
    assert client.post("/nyhedsbrev/abonnement/nye-links", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    with Session(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.entity == "digest_subscription")) == 2


def test_digest_page_for_visitors_and_users(world: World) -> None:
    client = ca.new_client()
    page = client.get("/nyhedsbrev")
    assert page.status_code == 200 and "Færre vikartimer i folkeskolen" in page.text
    for word in SECRET_WORDS:
        assert word not in page.text, word
    for bad in ("2026-13", "abc", "2999-01", "x" * 30):
        r = client.get(f"/nyhedsbrev?maaned={bad}")
        assert r.status_code == 400 and "måned" in r.text.lower(), bad
    assert client.get("/nyhedsbrev?maaned=" + "9" * 100).status_code == 400

    ca.login(client, "aarhus-redaktoer")  # not a member
    mine = client.get("/nyhedsbrev")
    assert "Intern erfaring med vikartimer" in mine.text and "Hemmeligt netværksmøde" not in mine.text
    assert "kontakt@kk.example" not in mine.text

    member = ca.new_client()
    ca.login(member, "kbh-redaktoer")
    theirs = member.get(f"/nyhedsbrev?maaned={world.month}")
    assert "Hemmeligt netværksmøde" in theirs.text and "kontakt@kk.example" not in theirs.text
