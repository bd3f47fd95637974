"""The Atom feeds of the digest "Råderum": the public /feed.atom and the private, signed feed per user.

Both must be valid XML in the Atom namespace with unique tag: ids, RFC 3339 dates and titles, and nothing private
(a network's meeting or share, a non-public experience, a contact's e-mail) may reach the public feed or the feed
of a user who is not a member of that network. The world is the one of tests/test_digest.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import conftest_accounts as ca
import pytest
from sqlalchemy import Engine
from test_digest import SECRET_WORDS, World, build_world

from raaderum import config
from raaderum.reports.digest import DigestItem, render_atom
from raaderum.server import digest as dg
from raaderum.server.accounts import User, disable_user
from raaderum.server.permissions import SYSTEM_ACTOR

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture
def world(engine: Engine, users: dict[str, User]) -> World:
    return build_world(engine, users)


def parse_atom(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert RFC3339.match(root.findtext(f"{A}updated") or "")
    ids = []
    for entry in root.findall(f"{A}entry"):
        eid = entry.findtext(f"{A}id") or ""
        assert eid.startswith("tag:") and re.match(r"^tag:[a-z0-9.-]+,\d{4}:\S+$", eid), eid
        ids.append(eid)
        assert (entry.findtext(f"{A}title") or "").strip()
        for tag in ("updated", "published"):
            value = entry.findtext(f"{A}{tag}") or ""
            assert RFC3339.match(value), value
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        link = entry.find(f"{A}link")
        assert link is not None and (link.get("href") or "").startswith("http")
    assert len(ids) == len(set(ids)), "entry ids are not unique"
    return root


def entry_titles(root: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") or "" for e in root.findall(f"{A}entry")]


def test_public_feed_is_valid_atom_and_holds_only_public_items(world: World) -> None:
    r = ca.new_client().get("/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = parse_atom(r.content)
    titles = entry_titles(root)
    assert "Hverdagsrehabilitering <i> & træning" in titles  # escaped in the XML, intact once parsed
    assert "Færre vikartimer i folkeskolen" in titles and "Offentlig erfaring med vikartimer" in titles
    for word in SECRET_WORDS:
        assert word not in r.text, word
    assert not [c for c in root.iter(f"{A}category") if c.get("term") in ("mark", "network")]
    assert root.findtext(f"{A}id", "").startswith("tag:")


def test_private_feed_is_signed_and_shows_only_the_users_networks(world: World) -> None:
    settings = config.current()
    client = ca.new_client()
    member, outsider = world.users["other_editor"], world.users["editor"]
    mine = client.get(dg.feed_path(world.engine, settings, member.id))
    assert mine.status_code == 200 and "no-store" in mine.headers["cache-control"]
    titles = entry_titles(parse_atom(mine.content))
    assert "Møde i Råderumsnetværk Øst 2027: Hemmeligt netværksmøde" in titles
    assert "Intern erfaring med vikartimer" in titles
    assert "kontakt@kk.example" not in mine.text and "Kirsten Kontakt" not in mine.text

    theirs = client.get(dg.feed_path(world.engine, settings, outsider.id))
    assert theirs.status_code == 200
    parse_atom(theirs.content)
    for word in ("Hemmeligt netværksmøde", "Fortroligt dagsordenspunkt", "har delt sin kortliste",
                 "Råderumsnetværk Øst 2027", "kontakt@kk.example", "Kirsten Kontakt"):
        assert word not in theirs.text, word

    good = dg.feed_path(world.engine, settings, member.id)
    token = good.rsplit("/", 1)[1].removesuffix(".atom")
    for bad in (good.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
                f"/feed/{outsider.id}/{token}.atom", f"/feed/abc/{token}.atom", "/feed/1/x.atom"):
        r = client.get(bad)
        assert r.status_code == 404 and "Linket findes ikke" in r.text, bad


def test_a_disabled_users_feed_is_gone(world: World) -> None:
    path = dg.feed_path(world.engine, config.current(), world.users["reader"].id)
    disable_user(world.engine, SYSTEM_ACTOR, world.users["reader"].name)
    assert ca.new_client().get(path).status_code == 404


def test_render_atom_escapes_and_drops_what_xml_cannot_hold() -> None:
    items = [DigestItem("proposal", "proposal/1", 'A <b> & "c"\x0b', "x\x01y ]]> z", "/idebank/1",
                        datetime(2026, 3, 3, 9, 15, tzinfo=UTC)),
             DigestItem("proposal", "proposal/1", "dublet", "", "/idebank/1", datetime(2026, 3, 2, tzinfo=UTC)),
             DigestItem("lever", "lever/a b/v2", "Greb", "", "/vidensportal/a", datetime(2026, 3, 4, tzinfo=UTC))]
    body = render_atom(items, title="Råderum", subtitle="t", feed_key="feed/offentlig", authority="raaderum.example",
                       base_url="https://raaderum.example", self_url="https://raaderum.example/feed.atom",
                       fallback_updated=datetime(2026, 3, 1, tzinfo=UTC))
    root = parse_atom(body)
    assert entry_titles(root) == ["Greb", 'A <b> & "c"']  # newest first, one entry per id
    assert root.findtext(f"{A}updated") == "2026-03-04T00:00:00Z"
    empty = parse_atom(render_atom([], title="R", subtitle="", feed_key="k", authority="h", base_url="http://h",
                                   self_url="http://h/feed.atom", fallback_updated=datetime(2026, 3, 1, tzinfo=UTC)))
    assert empty.findall(f"{A}entry") == []
