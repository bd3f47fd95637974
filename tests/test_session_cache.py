"""The cache of logged-in pages (web/cache.py, SessionPageCacheMiddleware): a network, proposal or lever page is
served again only to the session that asked for it, only after that session has been found alive again, and only
while the app store is unchanged (the audit log's revision, read with the session on every request). Through the
real app, on SQLite and PostgreSQL; the PostgreSQL-only test shows why the revision is not just the highest id."""

from __future__ import annotations

import threading
import time
from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.server import accounts
from raaderum.server import network as net
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store import audit
from raaderum.store.models import AuditEntry, utcnow
from raaderum.web import cache

OWN, MEMBER, OUTSIDER = 751, 147, 101  # Aarhus, Frederiksberg (members); København (not a member)


def _logged_in(name: str) -> tuple[TestClient, str]:
    client = ca.new_client()
    return client, ca.login(client, name)


@pytest.fixture
def world(engine: Any, users: dict[str, Any]) -> dict[str, Any]:
    ca.make_user(engine, "frb-redaktoer", "editor", MEMBER)
    n = net.create_network(engine, SYSTEM_ACTOR, "Råderumsnetværk Øst 2027", municipalities=[OWN, MEMBER])
    cache.clear()
    return {"network": n.id, "proposal": ca.sample_proposal(engine, OUTSIDER)}


def _hits() -> int:
    return cache.session_stats["hits"]


def test_a_second_view_comes_from_the_cache_for_the_same_session_only(engine: Any, users: Any, world: Any) -> None:
    path = f"/netvaerk/{world['network']}"
    editor, csrf = _logged_in("aarhus-redaktoer")
    first = editor.get(path)
    assert first.status_code == 200 and "Råderumsnetværk Øst 2027" in first.text
    hits = _hits()
    second = editor.get(path)
    assert _hits() == hits + 1
    assert second.status_code == 200 and second.text == first.text
    assert second.headers["cache-control"] == "no-store"  # the security headers are added to a hit as to any answer
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    # another member asks for the same URL: its own page (its name, its session's CSRF token), not a hit
    other, other_csrf = _logged_in("frb-redaktoer")
    theirs = other.get(path)
    assert _hits() == hits + 1
    assert theirs.status_code == 200 and "frb-redaktoer" in theirs.text and other_csrf in theirs.text
    assert csrf not in theirs.text
    # a second session of the SAME user is a different key too (its own CSRF token)
    again, again_csrf = _logged_in("aarhus-redaktoer")
    page = again.get(path)
    assert _hits() == hits + 1 and again_csrf in page.text and csrf not in page.text


def test_a_change_by_anyone_shows_on_the_next_view(engine: Any, users: Any, world: Any) -> None:
    pid = world["proposal"]
    editor, csrf = _logged_in("aarhus-redaktoer")
    table = ca.soup(editor.get(f"/idebank/{pid}").text).find(id="tabel-markeringer")
    assert table is None or "Frederiksberg" not in table.get_text()
    editor.get(f"/idebank/{pid}")  # cached now
    hits = _hits()
    # a change in another "worker": the service, as the CLI or another process would call it
    frb = ca.make_user(engine, "frb-2", "editor", MEMBER)
    net.set_mark(engine, frb, MEMBER, "proposal", pid, status="i_gang")
    seen = editor.get(f"/idebank/{pid}")
    assert _hits() == hits  # not served from the cache
    table = ca.soup(seen.text).find(id="tabel-markeringer")
    assert table is not None and "Frederiksberg" in table.get_text()
    # the user's own change through the web: the plain page, cached before the change, shows it at once
    editor.get(f"/idebank/{pid}")
    r = editor.post("/markering", data={"csrf_token": csrf, "kind": "proposal", "target_id": str(pid),
                                        "status": "overvejer"}, follow_redirects=False)
    assert r.status_code == 303
    hits = _hits()
    seen = editor.get(f"/idebank/{pid}")
    assert _hits() == hits
    assert "Aarhus" in ca.soup(seen.text).find(id="tabel-markeringer").get_text()


def test_a_logged_out_or_disabled_session_gets_no_cached_page(engine: Any, users: Any, world: Any) -> None:
    path = f"/netvaerk/{world['network']}"
    editor, csrf = _logged_in("aarhus-redaktoer")
    editor.get(path)
    editor.get(path)
    cookie = editor.cookies.get("raaderum_session")
    assert cookie
    assert editor.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    stale = ca.new_client()
    stale.cookies.set("raaderum_session", cookie)
    hits = _hits()
    r = stale.get(path, follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"] and _hits() == hits
    # disabled: the user's sessions end, so its cached pages are never looked at again
    reader, _ = _logged_in("frb-redaktoer")
    reader.get(path)
    reader.get(path)
    accounts.disable_user(engine, SYSTEM_ACTOR, "frb-redaktoer")
    hits = _hits()
    r = reader.get(path, follow_redirects=False)
    assert r.status_code in (302, 303) and _hits() == hits


def test_only_marked_pages_and_only_200_answers_are_kept(engine: Any, users: Any, world: Any) -> None:
    editor, _ = _logged_in("kbh-redaktoer")  # not a member: the network page is 404
    path = f"/netvaerk/{world['network']}"
    hits, stored = _hits(), cache.session_stats["stored"]
    assert editor.get(path).status_code == 404
    assert editor.get(path).status_code == 404
    editor.get("/arbejdsrum")
    editor.get("/arbejdsrum")
    assert (_hits(), cache.session_stats["stored"]) == (hits, stored)
    # the lever page is marked: kept, then served
    lever_page = editor.get("/vidensportal")
    assert lever_page.status_code == 200
    lever = ca.soup(lever_page.text).select_one('a[href^="/vidensportal/"]')
    assert lever is not None
    editor.get(lever["href"])
    editor.get(lever["href"])
    assert _hits() == hits + 1


def test_the_page_cache_setting_turns_it_off(engine: Any, users: Any, world: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAADERUM_PAGE_CACHE", "0")
    editor, _ = _logged_in("aarhus-redaktoer")
    hits, stored = _hits(), cache.session_stats["stored"]
    for _ in range(3):
        assert editor.get(f"/netvaerk/{world['network']}").status_code == 200
    assert (_hits(), cache.session_stats["stored"]) == (hits, stored)


def test_the_revision_changes_with_every_committed_change(engine: Any, users: Any) -> None:
    before = audit.revision(engine)
    ca.make_user(engine, "ny-bruger", "reader", OWN)
    after = audit.revision(engine)
    assert after != before and after[0] > before[0]
    with Session(engine) as s:  # read inside a session gives the same
        assert audit.revision(s) == after


@pytest.mark.postgres
def test_a_change_that_commits_after_a_later_one_still_changes_the_revision(postgres_url: str) -> None:
    """Two transactions take audit ids 1 and 2; 2 commits first. When 1 commits, the highest id is still 2, but the
    revision must change, or a page cached in between would be served without change 1."""
    from raaderum.store.engine import make_engine, migrate

    migrate(postgres_url)
    eng = make_engine(postgres_url)
    try:
        early = Session(eng)
        early.add(AuditEntry(user_name="t", action="test.early", entity="t", entity_id="1"))
        early.flush()  # takes its id now, commits later
        late_done = threading.Event()

        def late() -> None:
            other = create_engine(postgres_url)
            with Session(other) as s, s.begin():
                s.add(AuditEntry(user_name="t", action="test.late", entity="t", entity_id="2"))
            other.dispose()
            late_done.set()

        t = threading.Thread(target=late)
        t.start()
        t.join(10)
        assert late_done.is_set()
        between = audit.revision(eng)
        early.commit()
        early.close()
        after = audit.revision(eng)
        assert after[0] == between[0]  # the highest id did not move ...
        assert after != between  # ... and yet the revision did
    finally:
        eng.dispose()


def test_the_connection_pool_is_sized_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker runs up to 40 requests at once; a pool of SQLAlchemy's default 5 (+10) would open and close a
    PostgreSQL connection for every request beyond that. No connection is made here."""
    from raaderum.errors import InputError
    from raaderum.store.engine import make_engine

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    eng = make_engine(url)
    assert eng.pool.size() == 20  # type: ignore[attr-defined]
    eng.dispose()
    monkeypatch.setenv("RAADERUM_DB_POOL_SIZE", "7")
    eng = make_engine(url)
    assert eng.pool.size() == 7  # type: ignore[attr-defined]
    eng.dispose()
    monkeypatch.setenv("RAADERUM_DB_POOL_SIZE", "0")
    with pytest.raises(InputError, match="RAADERUM_DB_POOL_SIZE skal være mindst 1"):
        make_engine(url)


def test_revision_memo_builds_once_per_revision_and_keeps_one_value_per_key() -> None:
    memo = audit.RevisionMemo(size=2)
    built: list[str] = []

    def build(name: str) -> Any:
        return lambda: built.append(name) or f"value {name}"

    assert memo.get("a", "r1", build("a")) == "value a"
    assert memo.get("a", "r1", build("a")) == "value a" and built == ["a"] and memo.hits == 1
    memo.get("b", "r1", build("b"))
    memo.get("a", "r1", build("a"))  # a is now the most recently used
    memo.get("c", "r1", build("c"))  # b goes
    memo.get("b", "r1", build("b"))
    assert built == ["a", "b", "c", "b"]
    assert memo.get("b", "r2", build("b2")) == "value b2"  # another revision: built again, in place of the old
    assert len(memo) == 2 and memo.get("b", "r2", build("b2")) == "value b2" and built[-1] == "b2"
    old = audit.RevisionMemo(max_age=0.05)
    old.get("k", "r", build("x"))
    time.sleep(0.1)
    old.get("k", "r", build("x"))  # too old: built again, even with the same revision
    assert built[-2:] == ["x", "x"]


def test_the_revision_sees_a_gap_filled_late_in_a_long_log(engine: Any) -> None:
    """With more than REVISION_WINDOW entries, an id below the highest that commits last (the PostgreSQL
    late-commit case, written here with explicit ids) still changes the revision."""
    with Session(engine) as s:
        base = (s.scalar(select(func.max(AuditEntry.id))) or 0) + 1
    n = audit.REVISION_WINDOW + 200
    late = base + n - 5
    recorded = utcnow()  # the late entry's time is when it was recorded: before the ones that committed first
    with Session(engine) as s, s.begin():
        s.execute(insert(AuditEntry), [{"id": base + i, "user_name": "t", "action": "t.t", "entity": "t",
                                        "entity_id": str(i), "at": utcnow()} for i in range(n) if base + i != late])
    between = audit.revision(engine)
    with Session(engine) as s, s.begin():
        s.execute(insert(AuditEntry), [{"id": late, "user_name": "t", "action": "t.late", "entity": "t",
                                        "entity_id": "late", "at": recorded}])
    after = audit.revision(engine)
    assert after[0] == between[0] and after != between


def test_a_restored_database_never_has_the_revision_of_the_state_before(engine: Any, users: Any,
                                                                         tmp_path: Any) -> None:
    """A restore puts back older ids; the newest entry's time still tells the two states apart, so nothing kept
    for the state before the restore is used after it."""
    from raaderum.server import backups
    from raaderum.store.backup import backup

    path = tmp_path / "backup.json.gz"
    backup(engine, path)
    at_backup = audit.revision(engine)
    ca.make_user(engine, "efter-backup", "reader", OWN)
    before_restore = audit.revision(engine)
    backups.restore_backup(engine, SYSTEM_ACTOR, path, wipe=True)
    after_restore = audit.revision(engine)
    assert after_restore not in (at_backup, before_restore)


def test_no_internal_cache_mark_reaches_a_client(engine: Any, users: Any, world: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in ("1", "0"):
        monkeypatch.setenv("RAADERUM_PAGE_CACHE", setting)  # read when the app is made
        editor, _ = _logged_in("aarhus-redaktoer")
        visitor = ca.new_client()
        pages = [(editor, f"/idebank/{world['proposal']}"), (visitor, f"/idebank/{world['proposal']}"),
                 (editor, "/kommune/751"), (visitor, "/kommune/751"), (editor, f"/netvaerk/{world['network']}")]
        for who, path in pages:
            for _ in range(2):  # a miss and (where kept) a hit
                r = who.get(path)
                assert r.status_code == 200
                assert not [h for h in r.headers if h.lower().startswith("x-raaderum")], (setting, path, r.headers)


def test_the_session_cache_is_bounded_in_entries_and_in_what_the_keys_hold(
        engine: Any, users: Any, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    editor, _ = _logged_in("aarhus-redaktoer")
    path = f"/netvaerk/{world['network']}"
    monkeypatch.setattr(cache.SESSION_PAGES, "size", 3)
    for i in range(6):
        assert editor.get(f"{path}?x={i}").status_code == 200
    assert len(cache._session_entries) == 3
    # a long query string counts: with room for about one page, a page asked with 8 kB of query is not kept
    cache.clear()
    body = len(editor.get(path).content)
    monkeypatch.setattr(cache.SESSION_PAGES, "max_bytes", body + 2000)
    stored = cache.session_stats["stored"]
    editor.get(f"{path}?x={'y' * 8000}")
    assert cache.session_stats["stored"] == stored + 1 and all(
        len(k[2]) < 100 for k in cache._session_entries)  # kept, then dropped at once: too big with its key
