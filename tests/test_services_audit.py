"""Authorisation and audit over EVERY service of :mod:`raaderum.server` (issue 9, "services own permission and audit").

:data:`SERVICES` is a registry of every service function: how to prepare its target, how to call it (as the web
routes do: the service itself, with the acting user), how to call it through the web app, and what its one audit
row must say. A meta-test fails when ``raaderum/server`` grows a public function that takes an acting user and is
not in the registry (or in :data:`NOT_SERVICES`, with the reason).

For each service × role (operator, editor, reader, no user, a disabled operator) × own/other municipality:

* allowed calls succeed and write EXACTLY ONE audit row (action, entity, entity id, user id and name, municipality,
  before/after), and every row the call wrote (the change and its audit row) was written in ONE database
  transaction, which was committed (watched on the engine: every INSERT/UPDATE/DELETE with its transaction);
* refused calls raise PermissionDenied, change no row of any app table and write nothing; they are refused also
  when their input is invalid (the permission is checked first);
* with a crash injected between the change and the audit row (``raaderum.store.audit.record`` patched where the
  services look it up, flushing the change and then raising), nothing is changed and no audit row exists.

Entry points: the services directly (as the web routes call them), the web app through TestClient (a
representative subset, with real sessions and CSRF tokens), and the CLI (``raaderum users add/disable``,
``raaderum ideas import``, ``raaderum ideas udvalg --set``) through typer's CliRunner, whose audit rows name the
system actor. SQLite for everything, PostgreSQL (marker ``postgres``) for a subset.

The PostgreSQL server comes from the shared ``postgres_base_url`` fixture (tests/conftest.py); the module's own
schema, users, logins and workbooks are made here, once per module and backend.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import itertools
import pkgutil
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session

import raaderum
import raaderum.server
import raaderum.store.audit as audit_module
from raaderum.errors import PermissionDenied
from raaderum.ideas.levers import lever as shipped_lever
from raaderum.server import accounts, imports, levers, sessions, workspace
from raaderum.server import catalogue as catalogue_svc
from raaderum.server import digest as digest_svc
from raaderum.server import network as network_svc
from raaderum.server.permissions import ACTIONS, SYSTEM_ACTOR
from raaderum.store.engine import make_engine, migrate
from raaderum.store.ideas import IdeaStore, close_default_store
from raaderum.store.models import (
    DEFAULT_STATUS,
    AuditEntry,
    Base,
    Catalogue,
    CatalogueProposal,
    CatalogueScenario,
    CatalogueShareLink,
    CatalogueStatusChange,
    CatalogueTarget,
    CommitteeMapping,
    Contact,
    DigestSubscription,
    Experience,
    ImportBatch,
    LoginSession,
    Network,
    NetworkMeeting,
    NetworkShare,
    Proposal,
    ProposalStatus,
    ShareLink,
    ShortlistItem,
    User,
    WorkMark,
    WorkspaceNote,
)

PASSWORD = "korrekt-hest-batteri"
OWN, OTHER, THIRD = 751, 101, 147  # Aarhus (the editor's and reader's), København, Frederiksberg
NAMES = {OWN: "Aarhus", OTHER: "København", THIRD: "Frederiksberg"}
LEVER = "hverdagsrehabilitering"  # edited by save_lever
RESET_LEVER = "velfaerdsteknologi_aeldre"  # edited in prepare, reset by reset_lever
COMMITTEE_AREA = "folkeskole"
ROLES = ("operator", "editor", "reader", "anonymous", "disabled")


# ------------------------------------------------------------------------------------------------ the world


@dataclass
class World:
    backend: str
    url: str
    engine: Engine
    users: dict[str, User | None]
    tmp: Path
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def n(self) -> int:
        return next(self.counter)


def _world(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A migrated app store with the sample idea bank and the users of every role (SQLite or PostgreSQL)."""
    tmp = tmp_path_factory.mktemp(f"services_{backend}")
    admin, schema = None, None
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'app.sqlite'}"
    else:
        base = request.getfixturevalue("postgres_base_url")  # tests/conftest.py
        schema = f"raaderum_svc_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = f"{base}?options=-csearch_path%3D{schema}"
    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
    engine = make_engine(url)
    try:
        add = accounts.add_user
        users: dict[str, User | None] = {
            "operator": add(engine, SYSTEM_ACTOR, "tjek-operatoer", "operator", password=PASSWORD),
            "editor": add(engine, SYSTEM_ACTOR, "tjek-aarhus-redaktoer", "editor", password=PASSWORD,
                          municipality_code=OWN),
            "reader": add(engine, SYSTEM_ACTOR, "tjek-aarhus-laeser", "reader", password=PASSWORD,
                          municipality_code=OWN),
            "other_editor": add(engine, SYSTEM_ACTOR, "tjek-kbh-redaktoer", "editor", password=PASSWORD,
                                municipality_code=OTHER),
            "anonymous": None,
        }
        add(engine, SYSTEM_ACTOR, "tjek-deaktiveret", "operator", password=PASSWORD)
        users["disabled"] = accounts.disable_user(engine, SYSTEM_ACTOR, "tjek-deaktiveret")
        yield World(backend, url, engine, users, tmp)
    finally:
        close_default_store()
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            admin.dispose()


@pytest.fixture(scope="module")
def sqlite_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from _world("sqlite", request, tmp_path_factory)


@pytest.fixture(scope="module")
def postgresql_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from _world("postgresql", request, tmp_path_factory)


@pytest.fixture
def world(backend: str, request: pytest.FixtureRequest) -> World:
    """The module's world of the test's ``backend`` (made once per module and backend)."""
    return request.getfixturevalue(f"{backend}_world")  # type: ignore[no-any-return]


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world, with RAADERUM_DATABASE_URL pointing at it (for the web app and the CLI)."""
    monkeypatch.setenv("RAADERUM_DATABASE_URL", world.url)
    monkeypatch.setenv("RAADERUM_WARM_UP", "0")
    return world


# ------------------------------------------------------------------------------------------------ observing


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of EVERY app table (sessions and login attempts too), by primary key. A session's ``last_seen``
    is left out: the web app touches it now and then while it reads a session, which is not a change."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            cols = [c for c in t.columns if not (t.name == "sessions" and c.key == "last_seen")]
            rows = conn.execute(select(*cols).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(r) for r in rows]
    return out


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {t for t in before if before[t] != after[t]}


def audit_since(engine: Engine, last_id: int) -> list[AuditEntry]:
    with Session(engine, expire_on_commit=False) as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id)))
        s.expunge_all()
        return rows


def last_audit_id(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0)


_DML = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Txn:
    id: int
    dml: list[tuple[str, str]] = field(default_factory=list)  # (verb, table)
    end: str | None = None  # "commit" | "rollback"


class TransactionWatch:
    """Every database transaction begun while active (on any engine), with the rows it wrote and how it ended."""

    def __init__(self) -> None:
        self.txns: list[Txn] = []
        self._current: dict[int, Txn] = {}
        self._ids = itertools.count(1)

    def __enter__(self) -> TransactionWatch:
        event.listen(Engine, "begin", self._begin)
        event.listen(Engine, "commit", self._commit)
        event.listen(Engine, "rollback", self._rollback)
        event.listen(Engine, "before_cursor_execute", self._execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Engine, "begin", self._begin)
        event.remove(Engine, "commit", self._commit)
        event.remove(Engine, "rollback", self._rollback)
        event.remove(Engine, "before_cursor_execute", self._execute)

    def _begin(self, conn: Any) -> None:
        txn = Txn(next(self._ids))
        self.txns.append(txn)
        self._current[id(conn)] = txn

    def _end(self, conn: Any, how: str) -> None:
        txn = self._current.pop(id(conn), None)
        if txn is not None:
            txn.end = how

    def _commit(self, conn: Any) -> None:
        self._end(conn, "commit")

    def _rollback(self, conn: Any) -> None:
        self._end(conn, "rollback")

    def _execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        m = _DML.match(statement)
        if m:
            txn = self._current.get(id(conn))
            if txn is None:  # outside a transaction (autocommit): a transaction of its own
                txn = Txn(next(self._ids), end="autocommit")
                self.txns.append(txn)
            txn.dml.append((m.group(1).split()[0].upper(), m.group(2).lower()))

    def of(self, session: Session) -> Txn:
        """The transaction ``session`` is in now."""
        return self._current[id(session.connection())]

    @property
    def writing(self) -> list[Txn]:
        return [t for t in self.txns if t.dml]


def assert_one_transaction(watch: TransactionWatch) -> Txn:
    """Everything the call wrote was written in ONE committed transaction, with exactly one audit row in it."""
    writing = watch.writing
    assert len(writing) == 1, f"the change was written in {len(writing)} transactions: {writing}"
    txn = writing[0]
    assert txn.end == "commit", txn
    audit_rows = [d for d in txn.dml if d == ("INSERT", "audit_log")]
    assert len(audit_rows) == 1, txn
    assert [d for d in txn.dml if d[1] != "audit_log"], f"an audit row without a change: {txn}"
    return txn


class InjectedCrash(RuntimeError):
    """Raised by the patched audit writer, after the change was flushed and before its audit row exists."""


def patch_record(monkeypatch: pytest.MonkeyPatch, replacement: Callable[..., Any]) -> list[str]:
    """Replace ``raaderum.store.audit.record`` where it is looked up: the module itself (``audit.record``) and
    every ``raaderum`` module that imported the name (``from raaderum.store.audit import record``)."""
    original = audit_module.record
    patched = ["raaderum.store.audit"]
    monkeypatch.setattr(audit_module, "record", replacement)
    for name, mod in list(sys.modules.items()):
        if name.startswith("raaderum.") and mod is not audit_module and getattr(mod, "record", None) is original:
            monkeypatch.setattr(mod, "record", replacement)
            patched.append(name)
    return patched


def crash_on_audit(monkeypatch: pytest.MonkeyPatch, watch: TransactionWatch | None = None) -> list[str]:
    """Patch the audit writer to crash after the change is flushed; returns the actions it was reached for."""
    reached: list[str] = []

    def crashing(session: Session, user: Any, action: str, *args: Any, **kwargs: Any) -> None:
        session.flush()  # the change is now in the database, inside the change's transaction
        if watch is not None:
            txn = watch.of(session)
            assert txn.dml and ("INSERT", "audit_log") not in txn.dml, f"audit reached before the change: {txn}"
        reached.append(action)
        raise InjectedCrash(f"injected crash before the audit row of {action}")

    patched = patch_record(monkeypatch, crashing)
    assert {"raaderum.server.workspace", "raaderum.server.levers"} <= set(patched), patched
    return reached


# ------------------------------------------------------------------------------------------------ helpers


def _lever_fields(lever_id: str, **change: Any) -> dict[str, Any]:
    lv = shipped_lever(lever_id)
    return {"title": lv.title, "summary": lv.summary, "body": lv.body, "key_figures": list(lv.key_figures),
            "questions": list(lv.questions), "time_to_effect": lv.time_to_effect,
            "requires_investment": lv.requires_investment, "areas": list(lv.areas),
            "idea_types": list(lv.idea_types), **change}


def _lever_version(w: World, lever_id: str) -> int:
    row = levers.get_edit(w.engine, lever_id)
    return row.version if row is not None else 0


HEADER = ["Kommune", "Budgetår", "Fagområde", "Udvalg", "Titel", "Beskrivelse", "Type", "B", "BO1", "BO2", "BO3",
          "Engangsinvestering", "Kontaktperson"]


def write_workbook(path: Path, municipality: str, title: str, amount: int) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Forslag"
    ws.append(HEADER)
    ws.append([municipality, 2020, "Ældreområdet", "Ældreudvalget", title, "Borgere genoptræner daglige gøremål.",
               "Omlægning", -amount, -2 * amount, -3 * amount, -3 * amount, None, "Økonomi"])
    wb.save(path)
    wb.close()
    return path


def _proposal(w: World, code: int, what: str = "Forslag") -> Any:
    return workspace.create_proposal(w.engine, SYSTEM_ACTOR, code, {"title": f"{what} {w.n()} til audittest"})


def _row(w: World, model: Any, key: Any) -> Any:
    with Session(w.engine, expire_on_commit=False) as s:
        return s.get(model, key)


# ------------------------------------------------------------------------------------------------ the registry
# prepare(world, code) → ctx: the target, made by the system actor through the services (not under test here);
# call(world, actor, ctx, code): the service as the web routes call it; check(world, entry, ctx, code, actor): the
# one audit row (and the change) of an allowed call; bad(world, actor, ctx, code): the call with INVALID input (a
# refused actor must still get PermissionDenied); web(client, csrf, ctx, code): the same through the web app.


@dataclass(frozen=True)
class Service:
    func: Callable[..., Any]
    action: str
    audit_action: str
    entity: str
    prepare: Callable[[World, int], dict[str, Any]]
    call: Callable[[World, User | None, dict[str, Any], int], Any]
    check: Callable[[World, AuditEntry, dict[str, Any], int, User], None]
    bad: Callable[[World, User | None, dict[str, Any], int], Any]
    web: Callable[[Any, str, dict[str, Any], int], Any] | None = None
    targets: tuple[str, ...] = ("own", "other")

    @property
    def id(self) -> str:
        return f"{self.func.__module__.rsplit('.', 1)[-1]}.{self.func.__name__}"

    @property
    def municipal(self) -> bool:
        return ACTIONS[self.action].municipal


def _post(client: Any, csrf: str, path: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)


# ---- accounts


def _add_user_prepare(w: World, code: int) -> dict[str, Any]:
    return {"name": f"ny-bruger-{w.n()}"}


def _add_user_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        new = s.scalar(select(User).where(User.name == ctx["name"]))
        assert new is not None and new.municipality_code == code and not new.disabled
        assert e.entity_id == str(new.id)
    assert e.before is None
    assert {k: e.after[k] for k in ("name", "role", "municipality_code", "disabled")} == {
        "name": ctx["name"], "role": "reader", "municipality_code": code, "disabled": False}
    assert "password_hash" not in e.after and "$argon2" not in repr(e.after)  # never the hash in the log


def _disable_prepare(w: World, code: int) -> dict[str, Any]:
    u = accounts.add_user(w.engine, SYSTEM_ACTOR, f"udloeber-{w.n()}", "reader", password=PASSWORD,
                          municipality_code=code)
    sessions.create_session(w.engine, u)  # a live session, which the disabling must end
    return {"uid": u.id, "name": u.name}


def _disable_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["uid"])
    assert e.before["disabled"] is False and e.after["disabled"] is True and e.after["name"] == ctx["name"]
    assert _row(w, User, ctx["uid"]).disabled
    with Session(w.engine) as s:
        assert s.scalar(select(func.count()).select_from(LoginSession)
                        .where(LoginSession.user_id == ctx["uid"])) == 0


# ---- imports


def _import_prepare(w: World, code: int) -> dict[str, Any]:
    n = w.n()
    title = f"Importeret audittest-forslag {n}"
    # amounts stay in the range of 1.000 kr. (the importer asks about the unit when they look like kroner)
    path = write_workbook(w.tmp / f"idebank-{w.backend}-{n}.xlsx", NAMES[code], title, 7 + n % 900)
    return {"path": path, "title": title}


def _import_call(w: World, actor: User | None, ctx: dict[str, Any], code: int) -> Any:
    with IdeaStore(w.url) as store:
        return imports.import_workbook(store, actor, ctx["path"])  # type: ignore[arg-type]


def _import_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        p = s.scalar(select(Proposal).where(Proposal.title == ctx["title"]))
        assert p is not None and p.municipality_code == code
        assert e.entity_id == str(p.batch_id)
        assert s.get(ImportBatch, p.batch_id).file_name == ctx["path"].name
    assert e.before is None
    assert e.after["file"] == ctx["path"].name
    assert e.after["sha256"] == hashlib.sha256(ctx["path"].read_bytes()).hexdigest()
    assert e.after["counts"]["imported"] == 1 and e.after["counts"]["rejected"] == 0


def _import_web(client: Any, csrf: str, ctx: dict[str, Any], code: int) -> Any:
    path: Path = ctx["path"]
    return client.post("/admin/import", data={"csrf_token": csrf},
                       files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
                       follow_redirects=False)


# ---- workspace: shortlist and share links


def _sl_add_prepare(w: World, code: int) -> dict[str, Any]:
    return {"pid": _proposal(w, THIRD, "Kortlisteforslag").id}


def _sl_add_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        item = s.scalar(select(ShortlistItem).where(ShortlistItem.municipality_code == code,
                                                    ShortlistItem.proposal_id == ctx["pid"]))
        assert item is not None and item.created_by == actor.name
        assert e.entity_id == str(item.id)
    assert e.before is None
    assert e.after["proposal_id"] == ctx["pid"] and e.after["municipality_code"] == code
    assert e.after["comment"] == "Audittest" and e.after["created_by"] == actor.name


def _sl_item_prepare(w: World, code: int) -> dict[str, Any]:
    pid = _proposal(w, THIRD, "Kortlistepunkt").id
    item = workspace.add_to_shortlist(w.engine, SYSTEM_ACTOR, code, pid, comment="Før")
    return {"item": item.id, "version": item.version}


def _sl_update_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["item"])
    assert (e.before["status"], e.before["comment"]) == (DEFAULT_STATUS, "Før")
    assert (e.after["status"], e.after["comment"], e.after["updated_by"]) == ("fravalgt", "Efter", actor.name)
    assert e.after["version"] == e.before["version"] + 1
    assert _row(w, ShortlistItem, ctx["item"]).status == "fravalgt"


def _sl_remove_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["item"])
    assert e.before["id"] == ctx["item"] and e.before["comment"] == "Før" and e.after is None
    assert _row(w, ShortlistItem, ctx["item"]) is None


def _share_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        links = list(s.scalars(select(ShareLink).where(ShareLink.municipality_code == code,
                                                       ShareLink.created_by == actor.name)))
    assert e.entity_id in {link.token[:8] + "…" for link in links}
    assert e.before is None and e.after["municipality_code"] == code and e.after["created_by"] == actor.name
    assert "token" not in e.after and not any(link.token in repr(e.after) for link in links)  # never the secret


def _revoke_prepare(w: World, code: int) -> dict[str, Any]:
    return {"token": workspace.create_share_link(w.engine, SYSTEM_ACTOR, code).token}


def _revoke_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == ctx["token"][:8] + "…"
    assert e.before["revoked_at"] is None and e.after["revoked_by"] == actor.name and e.after["revoked_at"]
    assert "token" not in e.after and ctx["token"] not in repr(e.before) + repr(e.after)
    assert _row(w, ShareLink, ctx["token"]).revoked_by == actor.name


# ---- workspace: own proposals


def _create_prepare(w: World, code: int) -> dict[str, Any]:
    return {"title": f"Nyt audittest-forslag {w.n()}"}


def _create_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        p = s.scalar(select(Proposal).where(Proposal.title == ctx["title"]))
        assert p is not None and p.municipality_code == code
        assert e.entity_id == str(p.id)
        assert s.get(ProposalStatus, p.id).created_by == actor.name
    assert e.before is None and e.after["title"] == ctx["title"] and e.after["municipality_code"] == code


def _proposal_prepare(w: World, code: int) -> dict[str, Any]:
    rec = _proposal(w, code)
    return {"pid": rec.id, "version": rec.version, "title": rec.title}


def _edit_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["pid"])
    assert e.before["title"] == ctx["title"] and e.after["title"] == "Rettet i audittest"
    assert e.after["version"] == ctx["version"] + 1
    assert _row(w, Proposal, ctx["pid"]).title == "Rettet i audittest"


def _withdraw_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["pid"])
    assert e.before["withdrawn_at"] is None and e.before["title"] == ctx["title"]
    assert e.after["withdrawn_by"] == actor.name and e.after["withdrawn_at"]
    assert _row(w, ProposalStatus, ctx["pid"]).withdrawn_by == actor.name


# ---- workspace: committees and notes


def _committee_prepare(w: World, code: int) -> dict[str, Any]:
    row = _row(w, CommitteeMapping, (code, COMMITTEE_AREA))
    return {"name": f"Læringsudvalg {w.n()}", "before": row.committee if row is not None else None}


def _committee_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == f"{code}/{COMMITTEE_AREA}"
    assert (e.before or {}).get("committee") == ctx["before"]
    assert e.after["committee"] == ctx["name"] and e.after["area_id"] == COMMITTEE_AREA
    assert _row(w, CommitteeMapping, (code, COMMITTEE_AREA)).committee == ctx["name"]


def _note_prepare(w: World, code: int) -> dict[str, Any]:
    note = workspace.get_note(w.engine, code)
    return {"version": note.version if note else 0, "before": note.text if note else None,
            "text": f"Note {w.n()} fra audittesten"}


def _note_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(code)
    assert (e.before or {}).get("text") == ctx["before"]
    assert e.after["text"] == ctx["text"] and e.after["updated_by"] == actor.name
    assert _row(w, WorkspaceNote, code).text == ctx["text"]


# ---- levers


def _save_lever_prepare(w: World, code: int) -> dict[str, Any]:
    row = levers.get_edit(w.engine, LEVER)
    return {"version": row.version if row else 0, "before": row.title if row else shipped_lever(LEVER).title,
            "title": f"Greb rettet i audittest {w.n()}"}


def _save_lever_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == LEVER
    assert e.before["title"] == ctx["before"] and e.after["title"] == ctx["title"]
    row = levers.get_edit(w.engine, LEVER)
    assert row is not None and row.title == ctx["title"] and row.updated_by == actor.name


def _save_lever_web(client: Any, csrf: str, ctx: dict[str, Any], code: int) -> Any:
    f = _lever_fields(LEVER, title=ctx["title"])
    return _post(client, csrf, f"/admin/greb/{LEVER}", version=str(ctx["version"]), title=f["title"],
                 summary=f["summary"], body=f["body"], key_figures="\n".join(f["key_figures"]),
                 questions="\n".join(f["questions"]), time_to_effect=f["time_to_effect"], areas=f["areas"],
                 idea_types=f["idea_types"])


def _create_lever_prepare(w: World, code: int) -> dict[str, Any]:
    return {"id": f"audit_greb_{w.backend}_{w.n()}"}


def _create_lever_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == ctx["id"] and e.before is None
    assert e.after["id"] == ctx["id"] and e.after["title"] == "Nyt greb fra audittesten"
    assert levers.get_edit(w.engine, ctx["id"]) is not None


def _reset_prepare(w: World, code: int) -> dict[str, Any]:
    title = f"Greb før nulstilling {w.n()}"
    levers.save_lever(w.engine, SYSTEM_ACTOR, RESET_LEVER, _lever_fields(RESET_LEVER, title=title),
                      _lever_version(w, RESET_LEVER))
    return {"version": _lever_version(w, RESET_LEVER), "before": title}


def _reset_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == RESET_LEVER
    assert e.before["title"] == ctx["before"] and e.after["title"] == shipped_lever(RESET_LEVER).title
    assert levers.get_edit(w.engine, RESET_LEVER) is None


# ---- råderumskatalog (issue 13)

#: The catalogue entries number their rows with a counter of their own: the world's counter also sizes the amounts
#: of the import workbooks (see ``write_workbook``), which must stay in the range the importer takes without asking.
_CAT_COUNTER = itertools.count(1)


def _cat_n() -> int:
    return next(_CAT_COUNTER)


def _cat(w: World, code: int) -> Any:
    return catalogue_svc.create_catalogue(w.engine, SYSTEM_ACTOR, code, 2027, f"Audittest-katalog {_cat_n()}")


def _cat_prop(w: World, code: int) -> dict[str, Any]:
    c = _cat(w, code)
    p = catalogue_svc.add_proposal(w.engine, SYSTEM_ACTOR, c.id, {"title": f"Katalogforslag {_cat_n()}",
                                                                   "area_id": "folkeskole", "amount_b": "-100"})
    return {"cid": c.id, "cversion": c.version, "cname": c.name, "pid": p.id, "version": p.version,
            "title": p.title}


def _cat_scenario(w: World, code: int) -> dict[str, Any]:
    ctx = _cat_prop(w, code)
    sc = catalogue_svc.create_scenario(w.engine, SYSTEM_ACTOR, ctx["cid"], f"Scenarie {_cat_n()}")
    return {**ctx, "sid": sc.id, "sversion": sc.version, "sname": sc.name}


def _cat_create_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        c = s.scalar(select(Catalogue).where(Catalogue.name == ctx["name"]))
        assert c is not None and c.municipality_code == code and c.created_by == actor.name
        assert e.entity_id == str(c.id)
    assert e.before is None and e.after["name"] == ctx["name"] and e.after["budget_year"] == 2027


def _cat_edit_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["cid"])
    assert e.before["name"] == ctx["cname"] and e.after["name"] == ctx["new"]
    assert e.after["version"] == ctx["cversion"] + 1 and e.after["updated_by"] == actor.name
    assert _row(w, Catalogue, ctx["cid"]).name == ctx["new"]


def _cat_add_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        p = s.scalar(select(CatalogueProposal).where(CatalogueProposal.title == ctx["title"]))
        assert p is not None and p.catalogue_id == ctx["cid"] and p.municipality_code == code
        assert p.amount_b == -1250.0 and p.status == "ide"
        steps = list(s.scalars(select(CatalogueStatusChange).where(CatalogueStatusChange.proposal_id == p.id)))
        assert [(h.from_status, h.to_status, h.by) for h in steps] == [(None, "ide", actor.name)]
        assert e.entity_id == str(p.id)
    assert e.before is None and e.after["title"] == ctx["title"] and e.after["amount_b"] == -1250.0


def _cat_adopt_prepare(w: World, code: int) -> dict[str, Any]:
    c = _cat(w, code)
    return {"cid": c.id, "src": _proposal(w, THIRD, "Idébankforslag").id}


def _cat_adopt_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        p = s.scalar(select(CatalogueProposal).where(CatalogueProposal.catalogue_id == ctx["cid"],
                                                     CatalogueProposal.source_proposal_id == ctx["src"]))
        assert p is not None and p.municipality_code == code
        src = s.get(Proposal, ctx["src"])
        assert p.title == src.title and p.source_title == src.title
        assert e.entity_id == str(p.id)
    assert e.before is None
    assert (e.after["source_proposal_id"], e.after["source_municipality_code"]) == (ctx["src"], THIRD)
    assert e.after["source_municipality_name"] == NAMES[THIRD]


def _cat_prop_edit_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["pid"])
    assert e.before["title"] == ctx["title"] and e.after["title"] == "Rettet i audittest"
    assert e.after["version"] == ctx["version"] + 1
    assert _row(w, CatalogueProposal, ctx["pid"]).title == "Rettet i audittest"


def _cat_status_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["pid"])
    assert (e.before["status"], e.after["status"]) == ("ide", "under_analyse")
    with Session(w.engine) as s:
        steps = list(s.scalars(select(CatalogueStatusChange).where(CatalogueStatusChange.proposal_id == ctx["pid"])
                               .order_by(CatalogueStatusChange.id)))
    assert [(h.from_status, h.to_status) for h in steps] == [(None, "ide"), ("ide", "under_analyse")]
    assert steps[-1].by == actor.name and steps[-1].note == "Audittest"


def _cat_target_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        t = s.scalar(select(CatalogueTarget).where(CatalogueTarget.catalogue_id == ctx["cid"]))
        assert t is not None and (t.amount_b, t.amount_bo1, t.committee) == (-5000.0, -10000.0, "")
        assert e.entity_id == str(t.id)
    assert e.before is None and e.after["amount_b"] == -5000.0 and e.after["updated_by"] == actor.name


def _cat_scenario_create_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        sc = s.scalar(select(CatalogueScenario).where(CatalogueScenario.catalogue_id == ctx["cid"]))
        assert sc is not None and sc.name == "Scenarie A: uden serviceforringelser"
        assert e.entity_id == str(sc.id)
    assert e.before is None and e.after["proposal_ids"] == [ctx["pid"]]


def _cat_scenario_edit_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["sid"])
    assert e.before["proposal_ids"] == [] and e.after["proposal_ids"] == [ctx["pid"]]
    assert e.after["version"] == ctx["sversion"] + 1


def _cat_scenario_delete_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == str(ctx["sid"]) and e.after is None and e.before["name"] == ctx["sname"]
    assert _row(w, CatalogueScenario, ctx["sid"]) is None
    assert _row(w, CatalogueProposal, ctx["pid"]) is not None  # the proposals stay


def _cat_share_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    with Session(w.engine) as s:
        links = list(s.scalars(select(CatalogueShareLink).where(CatalogueShareLink.catalogue_id == ctx["cid"])))
    assert [e.entity_id] == [link.token[:8] + "…" for link in links]
    assert e.before is None and e.after["catalogue_id"] == ctx["cid"] and e.after["created_by"] == actor.name
    assert "token" not in e.after and not any(link.token in repr(e.after) for link in links)


def _cat_revoke_prepare(w: World, code: int) -> dict[str, Any]:
    c = _cat(w, code)
    return {"cid": c.id, "token": catalogue_svc.create_share_link(w.engine, SYSTEM_ACTOR, c.id).token}


def _cat_revoke_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    assert e.entity_id == ctx["token"][:8] + "…"
    assert e.before["revoked_at"] is None and e.after["revoked_by"] == actor.name
    assert ctx["token"] not in repr(e.before) + repr(e.after)
    assert _row(w, CatalogueShareLink, ctx["token"]).revoked_by == actor.name



def _profile_prepare(w: World, code: int) -> dict[str, Any]:
    from raaderum.ideas.layouts import LayoutProfile
    from raaderum.store.import_profiles import save_profile

    name = f"Layout audittest {w.backend} {w.n()}"
    signature = hashlib.sha256(name.encode()).hexdigest()
    save_profile(w.engine, LayoutProfile(name=name, signature=signature, header_height=1,
                                         columns={"A": "title", "B": "municipality"}))
    return {"name": name}


def _profile_call(w: World, actor: User | None, ctx: dict[str, Any], code: int) -> Any:
    with IdeaStore(w.url) as store:
        return imports.delete_profile(store, actor, ctx["name"])  # type: ignore[arg-type]


def _profile_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    from raaderum.store.import_profiles import list_profiles

    assert e.entity == "import_profile" and e.entity_id == ctx["name"] and e.after is None
    assert e.before["name"] == ctx["name"]
    assert ctx["name"] not in {p.name for p in list_profiles(w.engine)}


# ---- the råderumsnetværk (issue 15). Networks made here always have Aarhus (OWN) and København (OTHER) as
# members and no coordinator, so the editor and reader of Aarhus SEE them (a member) but may not coordinate them:
# they get PermissionDenied, not NetworkNotFound.


def _net(w: World) -> Any:
    return network_svc.create_network(w.engine, SYSTEM_ACTOR, f"Audit-netværk {w.backend} {w.n()}",
                                      municipalities=[OWN, OTHER])


def _net_ctx(w: World, code: int) -> dict[str, Any]:
    n = _net(w)
    return {"nid": n.id, "version": n.version, "name": n.name}


def _contact_ctx(w: World, code: int) -> dict[str, Any]:
    c = network_svc.create_contact(w.engine, SYSTEM_ACTOR, code, {"name": f"Kontakt {w.n()}", "role": "Chef",
                                                                  "email": "kontakt@kommune.dk"})
    return {"contact": c.id, "version": c.version}


def _mark_ctx(w: World, code: int) -> dict[str, Any]:
    pid = _proposal(w, OTHER, "Markeret forslag").id
    m = network_svc.set_mark(w.engine, SYSTEM_ACTOR, code, "proposal", pid, status="overvejer")
    return {"pid": pid, "mark": m.id, "version": m.version}


def _exp_ctx(w: World, code: int) -> dict[str, Any]:
    pid = _proposal(w, OTHER, "Erfaringsforslag").id
    e = network_svc.create_experience(w.engine, SYSTEM_ACTOR, code, {"title": f"Erfaring {w.n()}",
                                                                     "proposal_id": pid, "realised": "2025: -100"})
    return {"pid": pid, "exp": e.id, "version": e.version}


def _meeting_ctx(w: World, code: int) -> dict[str, Any]:
    ctx = _net_ctx(w, code)
    m = network_svc.create_meeting(w.engine, SYSTEM_ACTOR, ctx["nid"], {"title": "Møde", "held_on": "2027-03-15"})
    return {**ctx, "meeting": m.id, "mversion": m.version}


def _share_ctx(w: World, code: int) -> dict[str, Any]:
    ctx = _net_ctx(w, code)
    sh = network_svc.share(w.engine, SYSTEM_ACTOR, ctx["nid"], code, "shortlist")
    return {**ctx, "share": sh.id}


def _net_check(entity: str, model: Any, key: str, test: Callable[[Any, dict[str, Any], User], bool] | None
               ) -> Callable[[World, AuditEntry, dict[str, Any], int, User], None]:
    """The audit row names ``entity`` and the row ``ctx[key]`` (or the new row); ``test`` checks the row after the
    change (None: the row is gone)."""
    def check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
        assert e.entity == entity
        row_id = ctx.get(key) or int(e.entity_id)
        assert e.entity_id == str(row_id)
        row = _row(w, model, row_id)
        if test is None:
            assert row is None and e.after is None and e.before["id"] == row_id
        else:
            assert row is not None and test(row, ctx, actor), snapshot_of(row)
    return check


def snapshot_of(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _sub_version(w: World, user: User | None) -> int:
    if user is None or user.id is None:
        return 0
    sub = _row(w, DigestSubscription, user.id)
    return int(sub.version) if sub is not None else 0


def _sub_check(w: World, e: AuditEntry, ctx: dict[str, Any], code: int, actor: User) -> None:
    sub = _row(w, DigestSubscription, actor.id)
    assert e.entity_id == str(actor.id) and sub is not None
    if e.action == "subscription.edit":
        assert sub.areas == ["aeldre"] and sub.email == "abonnent@kommune.dk" and sub.email_opt_in
        assert e.after["areas"] == ["aeldre"]
    else:
        assert sub.link_key and sub.link_key not in repr(e.after) + repr(e.before)


NETWORK_SERVICES: tuple[Service, ...] = (
    # one's OWN digest subscription (scope SELF: every active user; see expected_allowed)
    Service(digest_svc.set_subscription, "subscription.edit", "subscription.edit", "digest_subscription",
            lambda w, code: {},
            lambda w, a, c, code: digest_svc.set_subscription(w.engine, a, {  # type: ignore[arg-type]
                "areas": ["aeldre"], "email": "abonnent@kommune.dk", "email_opt_in": "1"}, _sub_version(w, a)),
            _sub_check,
            lambda w, a, c, code: digest_svc.set_subscription(w.engine, a, {"areas": ["intet"], "email": "x"}, "x"),  # type: ignore[arg-type]
            targets=("any",)),
    Service(digest_svc.rotate_links, "subscription.edit", "subscription.rotate", "digest_subscription",
            lambda w, code: {},
            lambda w, a, c, code: digest_svc.rotate_links(w.engine, a),  # type: ignore[arg-type]
            _sub_check,
            lambda w, a, c, code: digest_svc.rotate_links(w.engine, a),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.create_contact, "contact.edit", "contact.create", "contact",
            lambda w, code: {},
            lambda w, a, c, code: network_svc.create_contact(w.engine, a, code, {"name": "Anne Jensen",  # type: ignore[arg-type]
                                                                                 "email": "aj@kommune.dk"}),
            _net_check("contact", Contact, "", lambda r, c, a: r.name == "Anne Jensen" and r.created_by == a.name),
            lambda w, a, c, code: network_svc.create_contact(w.engine, a, code, {"name": "", "email": "ikke-en"})),  # type: ignore[arg-type]
    Service(network_svc.edit_contact, "contact.edit", "contact.edit", "contact",
            _contact_ctx,
            lambda w, a, c, code: network_svc.edit_contact(w.engine, a, c["contact"], c["version"],  # type: ignore[arg-type]
                                                           {"name": "Rettet Navn", "email": "ny@kommune.dk"}),
            _net_check("contact", Contact, "contact", lambda r, c, a: r.name == "Rettet Navn"
                       and r.version == c["version"] + 1),
            lambda w, a, c, code: network_svc.edit_contact(w.engine, a, c["contact"], "x", {"name": ""})),  # type: ignore[arg-type]
    Service(network_svc.delete_contact, "contact.edit", "contact.delete", "contact",
            _contact_ctx,
            lambda w, a, c, code: network_svc.delete_contact(w.engine, a, c["contact"], c["version"]),  # type: ignore[arg-type]
            _net_check("contact", Contact, "contact", None),
            lambda w, a, c, code: network_svc.delete_contact(w.engine, a, c["contact"], "x")),  # type: ignore[arg-type]
    Service(network_svc.set_mark, "mark.set", "mark.set", "work_mark",
            lambda w, code: {"pid": _proposal(w, OTHER, "Til markering").id},
            lambda w, a, c, code: network_svc.set_mark(w.engine, a, code, "proposal", c["pid"], status="i_gang"),  # type: ignore[arg-type]
            _net_check("work_mark", WorkMark, "", lambda r, c, a: r.status == "i_gang"
                       and r.target_id == str(c["pid"])),
            lambda w, a, c, code: network_svc.set_mark(w.engine, a, code, "proposal", c["pid"], status="måske")),  # type: ignore[arg-type]
    Service(network_svc.remove_mark, "mark.remove", "mark.remove", "work_mark",
            _mark_ctx,
            lambda w, a, c, code: network_svc.remove_mark(w.engine, a, c["mark"], c["version"]),  # type: ignore[arg-type]
            _net_check("work_mark", WorkMark, "mark", None),
            lambda w, a, c, code: network_svc.remove_mark(w.engine, a, c["mark"], "x")),  # type: ignore[arg-type]
    Service(network_svc.create_experience, "experience.edit", "experience.create", "experience",
            lambda w, code: {"pid": _proposal(w, OTHER, "Med erfaring").id},
            lambda w, a, c, code: network_svc.create_experience(w.engine, a, code, {  # type: ignore[arg-type]
                "title": "Sådan gik det", "proposal_id": c["pid"], "realised": "2025: -1.200\n2026: -2.400"}),
            _net_check("experience", Experience, "", lambda r, c, a: r.realised == {"2025": -1200.0, "2026": -2400.0}),
            lambda w, a, c, code: network_svc.create_experience(w.engine, a, code, {"title": "", "realised": "x"})),  # type: ignore[arg-type]
    Service(network_svc.edit_experience, "experience.edit", "experience.edit", "experience",
            _exp_ctx,
            lambda w, a, c, code: network_svc.edit_experience(w.engine, a, c["exp"], c["version"],  # type: ignore[arg-type]
                                                              {"what_worked": "Tidlig inddragelse"}),
            _net_check("experience", Experience, "exp", lambda r, c, a: r.what_worked == "Tidlig inddragelse"
                       and r.realised == {"2025": -100.0}),
            lambda w, a, c, code: network_svc.edit_experience(w.engine, a, c["exp"], "x", {"realised": "i år: x"})),  # type: ignore[arg-type]
    Service(network_svc.delete_experience, "experience.edit", "experience.delete", "experience",
            _exp_ctx,
            lambda w, a, c, code: network_svc.delete_experience(w.engine, a, c["exp"], c["version"]),  # type: ignore[arg-type]
            _net_check("experience", Experience, "exp", None),
            lambda w, a, c, code: network_svc.delete_experience(w.engine, a, c["exp"], "x")),  # type: ignore[arg-type]
    Service(network_svc.share, "network.share", "network.share", "network_share",
            _net_ctx,
            lambda w, a, c, code: network_svc.share(w.engine, a, c["nid"], code, "shortlist"),  # type: ignore[arg-type]
            _net_check("network_share", NetworkShare, "", lambda r, c, a: r.network_id == c["nid"]
                       and r.kind == "shortlist"),
            lambda w, a, c, code: network_svc.share(w.engine, a, c["nid"], code, "alt")),  # type: ignore[arg-type]
    Service(network_svc.unshare, "network.share", "network.unshare", "network_share",
            _share_ctx,
            lambda w, a, c, code: network_svc.unshare(w.engine, a, c["share"]),  # type: ignore[arg-type]
            _net_check("network_share", NetworkShare, "share", None),
            lambda w, a, c, code: network_svc.unshare(w.engine, a, c["share"])),  # type: ignore[arg-type]
    Service(network_svc.create_network, "network.manage", "network.create", "network",
            lambda w, code: {"name": f"Nyt netværk {w.backend} {w.n()}"},
            lambda w, a, c, code: network_svc.create_network(w.engine, a, c["name"], municipalities=[OWN, "147"]),  # type: ignore[arg-type]
            _net_check("network", Network, "", lambda r, c, a: r.name == c["name"]),
            lambda w, a, c, code: network_svc.create_network(w.engine, a, "", municipalities=["Atlantis"]),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.edit_network, "network.manage", "network.edit", "network",
            _net_ctx,
            lambda w, a, c, code: network_svc.edit_network(w.engine, a, c["nid"], c["version"],  # type: ignore[arg-type]
                                                           description="Øst"),
            _net_check("network", Network, "nid", lambda r, c, a: r.description == "Øst"),
            lambda w, a, c, code: network_svc.edit_network(w.engine, a, c["nid"], "x", name=""),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.delete_network, "network.manage", "network.delete", "network",
            _net_ctx,
            lambda w, a, c, code: network_svc.delete_network(w.engine, a, c["nid"], c["version"]),  # type: ignore[arg-type]
            _net_check("network", Network, "nid", None),
            lambda w, a, c, code: network_svc.delete_network(w.engine, a, c["nid"], "x"),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.change_members, "network.manage", "network.members", "network",
            _net_ctx,
            lambda w, a, c, code: network_svc.change_members(w.engine, a, c["nid"], add=["Frederiksberg"],  # type: ignore[arg-type]
                                                             remove=[str(OTHER)]),
            _net_check("network", Network, "nid", lambda r, c, a: True),
            lambda w, a, c, code: network_svc.change_members(w.engine, a, c["nid"], add=["Atlantis"]),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.change_coordinators, "network.manage", "network.coordinators", "network",
            _net_ctx,
            lambda w, a, c, code: network_svc.change_coordinators(w.engine, a, c["nid"],  # type: ignore[arg-type]
                                                                  add=["tjek-aarhus-laeser"]),
            _net_check("network", Network, "nid", lambda r, c, a: True),
            lambda w, a, c, code: network_svc.change_coordinators(w.engine, a, c["nid"], add=["ingen-bruger"]),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.set_notes, "network.coordinate", "network.notes", "network",
            _net_ctx,
            lambda w, a, c, code: network_svc.set_notes(w.engine, a, c["nid"], c["version"], "Næste møde: maj"),  # type: ignore[arg-type]
            _net_check("network", Network, "nid", lambda r, c, a: r.notes == "Næste møde: maj"),
            lambda w, a, c, code: network_svc.set_notes(w.engine, a, c["nid"], "x", "\x00"),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.create_meeting, "network.coordinate", "network.meeting.create", "network_meeting",
            _net_ctx,
            lambda w, a, c, code: network_svc.create_meeting(w.engine, a, c["nid"], {  # type: ignore[arg-type]
                "title": "Netværksmøde", "held_on": "15.03.2027", "agenda": "1. Velkomst"}),
            _net_check("network_meeting", NetworkMeeting, "", lambda r, c, a: r.network_id == c["nid"]
                       and r.held_on.isoformat() == "2027-03-15"),
            lambda w, a, c, code: network_svc.create_meeting(w.engine, a, c["nid"], {"title": "", "held_on": "snart"}),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.edit_meeting, "network.coordinate", "network.meeting.edit", "network_meeting",
            _meeting_ctx,
            lambda w, a, c, code: network_svc.edit_meeting(w.engine, a, c["meeting"], c["mversion"],  # type: ignore[arg-type]
                                                           {"minutes": "Referat: enighed"}),
            _net_check("network_meeting", NetworkMeeting, "meeting", lambda r, c, a: r.minutes == "Referat: enighed"),
            lambda w, a, c, code: network_svc.edit_meeting(w.engine, a, c["meeting"], "x", {"held_on": "31.02.2027"}),  # type: ignore[arg-type]
            targets=("any",)),
    Service(network_svc.delete_meeting, "network.coordinate", "network.meeting.delete", "network_meeting",
            _meeting_ctx,
            lambda w, a, c, code: network_svc.delete_meeting(w.engine, a, c["meeting"], c["mversion"]),  # type: ignore[arg-type]
            _net_check("network_meeting", NetworkMeeting, "meeting", None),
            lambda w, a, c, code: network_svc.delete_meeting(w.engine, a, c["meeting"], "x"),  # type: ignore[arg-type]
            targets=("any",)),
)


SERVICES: tuple[Service, ...] = (
    Service(accounts.add_user, "user.add", "user.add", "user",
            _add_user_prepare,
            lambda w, a, c, code: accounts.add_user(w.engine, a, c["name"], "reader", password=PASSWORD,  # type: ignore[arg-type]
                                                    municipality_code=code),
            _add_user_check,
            lambda w, a, c, code: accounts.add_user(w.engine, a, "!", "konge", password="kort"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, "/admin/brugere", name=c["name"], role="reader", kommune=str(code),
                                         password=PASSWORD)),
    Service(accounts.disable_user, "user.disable", "user.disable", "user",
            _disable_prepare,
            lambda w, a, c, code: accounts.disable_user(w.engine, a, user_id=c["uid"]),  # type: ignore[arg-type]
            _disable_check,
            lambda w, a, c, code: accounts.disable_user(w.engine, a, "ingen-saadan-bruger"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/admin/brugere/{c['uid']}/deaktiver")),
    Service(imports.import_workbook, "ideas.import", "ideas.import", "import_batch",
            _import_prepare, _import_call, _import_check,
            lambda w, a, c, code: _import_call(w, a, {"path": w.tmp / "findes-ikke.xlsx"}, code),
            _import_web),
    Service(imports.delete_profile, "ideas.import", "ideas.import", "import_profile",
            _profile_prepare, _profile_call, _profile_check,
            lambda w, a, c, code: _profile_call(w, a, {"name": "ingen-saadan-profil"}, code)),
    Service(workspace.add_to_shortlist, "shortlist.add", "shortlist.add", "shortlist_item",
            _sl_add_prepare,
            lambda w, a, c, code: workspace.add_to_shortlist(w.engine, a, code, c["pid"],  # type: ignore[arg-type]
                                                             comment="Audittest"),
            _sl_add_check,
            lambda w, a, c, code: workspace.add_to_shortlist(w.engine, a, code, c["pid"],  # type: ignore[arg-type]
                                                             status="måske", comment="x" * 6000),
            lambda cl, t, c, code: _post(cl, t, "/arbejdsrum/shortlist", kommune=str(code), proposal_id=str(c["pid"]),
                                         comment="Audittest")),
    Service(workspace.update_shortlist_item, "shortlist.update", "shortlist.update", "shortlist_item",
            _sl_item_prepare,
            lambda w, a, c, code: workspace.update_shortlist_item(w.engine, a, c["item"], c["version"],  # type: ignore[arg-type]
                                                                  status="fravalgt", comment="Efter"),
            _sl_update_check,
            lambda w, a, c, code: workspace.update_shortlist_item(w.engine, a, c["item"], "ikke-et-tal",  # type: ignore[arg-type]
                                                                  status="måske"),
            lambda cl, t, c, code: _post(cl, t, f"/arbejdsrum/shortlist/{c['item']}", version=str(c["version"]),
                                         status="fravalgt", comment="Efter")),
    Service(workspace.remove_from_shortlist, "shortlist.remove", "shortlist.remove", "shortlist_item",
            _sl_item_prepare,
            lambda w, a, c, code: workspace.remove_from_shortlist(w.engine, a, c["item"], c["version"]),  # type: ignore[arg-type]
            _sl_remove_check,
            lambda w, a, c, code: workspace.remove_from_shortlist(w.engine, a, c["item"], "ikke-et-tal"),  # type: ignore[arg-type]
            None),
    Service(workspace.create_share_link, "shortlist.share", "shortlist.share", "share_link",
            lambda w, code: {},
            lambda w, a, c, code: workspace.create_share_link(w.engine, a, code),  # type: ignore[arg-type]
            _share_check,
            lambda w, a, c, code: workspace.create_share_link(w.engine, a, code),  # type: ignore[arg-type]
            None),
    Service(workspace.revoke_share_link, "shortlist.share", "shortlist.unshare", "share_link",
            _revoke_prepare,
            lambda w, a, c, code: workspace.revoke_share_link(w.engine, a, c["token"]),  # type: ignore[arg-type]
            _revoke_check,
            lambda w, a, c, code: workspace.revoke_share_link(w.engine, a, c["token"]),  # type: ignore[arg-type]
            None),
    Service(workspace.create_proposal, "proposal.create", "proposal.create", "proposal",
            _create_prepare,
            lambda w, a, c, code: workspace.create_proposal(w.engine, a, code, {"title": c["title"]}),  # type: ignore[arg-type]
            _create_check,
            lambda w, a, c, code: workspace.create_proposal(w.engine, a, code, {"title": "", "budget_year": "x"}),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, "/arbejdsrum/forslag", kommune=str(code), title=c["title"])),
    Service(workspace.edit_proposal, "proposal.edit", "proposal.edit", "proposal",
            _proposal_prepare,
            lambda w, a, c, code: workspace.edit_proposal(w.engine, a, c["pid"], c["version"],  # type: ignore[arg-type]
                                                          {"title": "Rettet i audittest"}),
            _edit_check,
            lambda w, a, c, code: workspace.edit_proposal(w.engine, a, c["pid"], "ikke-et-tal",  # type: ignore[arg-type]
                                                          {"title": "", "ukendt_felt": "x"}),
            lambda cl, t, c, code: _post(cl, t, f"/arbejdsrum/forslag/{c['pid']}", version=str(c["version"]),
                                         title="Rettet i audittest")),
    Service(workspace.withdraw_proposal, "proposal.withdraw", "proposal.withdraw", "proposal",
            _proposal_prepare,
            lambda w, a, c, code: workspace.withdraw_proposal(w.engine, a, c["pid"], c["version"]),  # type: ignore[arg-type]
            _withdraw_check,
            lambda w, a, c, code: workspace.withdraw_proposal(w.engine, a, c["pid"], "ikke-et-tal"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/arbejdsrum/forslag/{c['pid']}/traek-tilbage",
                                         version=str(c["version"]))),
    Service(workspace.set_committee, "committee.set", "committee.set", "committee_mapping",
            _committee_prepare,
            lambda w, a, c, code: workspace.set_committee(w.engine, a, code, COMMITTEE_AREA, c["name"]),  # type: ignore[arg-type]
            _committee_check,
            lambda w, a, c, code: workspace.set_committee(w.engine, a, code, "intet_omraade", "x"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, "/arbejdsrum/udvalg", kommune=str(code), area_id=COMMITTEE_AREA,
                                         committee=c["name"])),
    Service(workspace.set_note, "note.edit", "note.edit", "workspace_note",
            _note_prepare,
            lambda w, a, c, code: workspace.set_note(w.engine, a, code, c["text"], c["version"]),  # type: ignore[arg-type]
            _note_check,
            lambda w, a, c, code: workspace.set_note(w.engine, a, code, "x" * 30000, "ikke-et-tal"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, "/arbejdsrum/noter", kommune=str(code), version=str(c["version"]),
                                         text=c["text"])),
    Service(levers.save_lever, "lever.edit", "lever.edit", "lever",
            _save_lever_prepare,
            lambda w, a, c, code: levers.save_lever(w.engine, a, LEVER, _lever_fields(LEVER, title=c["title"]),  # type: ignore[arg-type]
                                                    c["version"]),
            _save_lever_check,
            lambda w, a, c, code: levers.save_lever(w.engine, a, LEVER, {"title": ""}, "ikke-et-tal"),  # type: ignore[arg-type]
            _save_lever_web, targets=("any",)),
    Service(levers.create_lever, "lever.edit", "lever.create", "lever",
            _create_lever_prepare,
            lambda w, a, c, code: levers.create_lever(w.engine, a, c["id"],  # type: ignore[arg-type]
                                                      _lever_fields(LEVER, title="Nyt greb fra audittesten")),
            _create_lever_check,
            lambda w, a, c, code: levers.create_lever(w.engine, a, "Ugyldigt Id!", {}),  # type: ignore[arg-type]
            None, targets=("any",)),
    Service(levers.reset_lever, "lever.edit", "lever.reset", "lever",
            _reset_prepare,
            lambda w, a, c, code: levers.reset_lever(w.engine, a, RESET_LEVER, c["version"]),  # type: ignore[arg-type]
            _reset_check,
            lambda w, a, c, code: levers.reset_lever(w.engine, a, "intet_greb", "ikke-et-tal"),  # type: ignore[arg-type]
            None, targets=("any",)),
    Service(catalogue_svc.create_catalogue, "catalogue.create", "catalogue.create", "catalogue",
            lambda w, code: {"name": f"Katalog fra audittesten {_cat_n()}"},
            lambda w, a, c, code: catalogue_svc.create_catalogue(w.engine, a, code, 2027, c["name"]),  # type: ignore[arg-type]
            _cat_create_check,
            lambda w, a, c, code: catalogue_svc.create_catalogue(w.engine, a, code, "x", ""),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, "/katalog", navn=c["name"], budgetaar="2027", kommune=str(code))),
    Service(catalogue_svc.edit_catalogue, "catalogue.edit", "catalogue.edit", "catalogue",
            lambda w, code: {**_cat_prop(w, code), "new": f"Omdøbt i audittest {_cat_n()}"},
            lambda w, a, c, code: catalogue_svc.edit_catalogue(w.engine, a, c["cid"], c["cversion"],  # type: ignore[arg-type]
                                                               name=c["new"]),
            _cat_edit_check,
            lambda w, a, c, code: catalogue_svc.edit_catalogue(w.engine, a, c["cid"], "ikke-et-tal", name=""),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}", version=str(c["cversion"]), navn=c["new"])),
    Service(catalogue_svc.add_proposal, "catalogue.edit", "catalogue.proposal.add", "catalogue_proposal",
            lambda w, code: {"cid": _cat(w, code).id, "title": f"Nyt katalogforslag {_cat_n()}"},
            lambda w, a, c, code: catalogue_svc.add_proposal(w.engine, a, c["cid"], {  # type: ignore[arg-type]
                "title": c["title"], "area_id": "folkeskole", "amount_b": "-1.250"}),
            _cat_add_check,
            lambda w, a, c, code: catalogue_svc.add_proposal(w.engine, a, c["cid"], {"title": "", "ukendt": "x"}),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/forslag", title=c["title"],
                                         area_id="folkeskole", amount_b="-1.250")),
    Service(catalogue_svc.adopt_proposal, "catalogue.edit", "catalogue.proposal.adopt", "catalogue_proposal",
            _cat_adopt_prepare,
            lambda w, a, c, code: catalogue_svc.adopt_proposal(w.engine, a, c["cid"], c["src"]),  # type: ignore[arg-type]
            _cat_adopt_check,
            lambda w, a, c, code: catalogue_svc.adopt_proposal(w.engine, a, c["cid"], 2147483646, {"x": 1}),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/fra-idebank", proposal_id=str(c["src"]))),
    Service(catalogue_svc.edit_proposal, "catalogue.edit", "catalogue.proposal.edit", "catalogue_proposal",
            _cat_prop,
            lambda w, a, c, code: catalogue_svc.edit_proposal(w.engine, a, c["pid"], c["version"],  # type: ignore[arg-type]
                                                              {"title": "Rettet i audittest"}),
            _cat_prop_edit_check,
            lambda w, a, c, code: catalogue_svc.edit_proposal(w.engine, a, c["pid"], "ikke-et-tal",  # type: ignore[arg-type]
                                                              {"title": "", "amount_b": "mange"}),
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/forslag/{c['pid']}", version=str(c["version"]),
                                         title="Rettet i audittest")),
    Service(catalogue_svc.set_status, "catalogue.status", "catalogue.status", "catalogue_proposal",
            _cat_prop,
            lambda w, a, c, code: catalogue_svc.set_status(w.engine, a, c["pid"], c["version"], "under_analyse",  # type: ignore[arg-type]
                                                           "Audittest"),
            _cat_status_check,
            lambda w, a, c, code: catalogue_svc.set_status(w.engine, a, c["pid"], "x", "måske"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/forslag/{c['pid']}/status",
                                         version=str(c["version"]), status="under_analyse", note="Audittest")),
    Service(catalogue_svc.set_target, "catalogue.target", "catalogue.target", "catalogue_target",
            lambda w, code: {"cid": _cat(w, code).id},
            lambda w, a, c, code: catalogue_svc.set_target(w.engine, a, c["cid"], "",  # type: ignore[arg-type]
                                                           {"b": "-5.000", "bo1": "-10.000"}, 0),
            _cat_target_check,
            lambda w, a, c, code: catalogue_svc.set_target(w.engine, a, c["cid"], "", {"b2": "x"}, "x"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/maal", version="0", udvalg="", b="-5.000",
                                         bo1="-10.000")),
    Service(catalogue_svc.create_scenario, "catalogue.scenario", "catalogue.scenario.create", "catalogue_scenario",
            _cat_prop,
            lambda w, a, c, code: catalogue_svc.create_scenario(w.engine, a, c["cid"],  # type: ignore[arg-type]
                                                                "Scenarie A: uden serviceforringelser",
                                                                proposal_ids=[c["pid"]]),
            _cat_scenario_create_check,
            lambda w, a, c, code: catalogue_svc.create_scenario(w.engine, a, c["cid"], "", proposal_ids=["x"]),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/scenarie",
                                         name="Scenarie A: uden serviceforringelser", forslag=str(c["pid"]))),
    Service(catalogue_svc.edit_scenario, "catalogue.scenario", "catalogue.scenario.edit", "catalogue_scenario",
            _cat_scenario,
            lambda w, a, c, code: catalogue_svc.edit_scenario(w.engine, a, c["sid"], c["sversion"],  # type: ignore[arg-type]
                                                              proposal_ids=[c["pid"]]),
            _cat_scenario_edit_check,
            lambda w, a, c, code: catalogue_svc.edit_scenario(w.engine, a, c["sid"], "x", proposal_ids=["x"]),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/scenarie/{c['sid']}",
                                         version=str(c["sversion"]), medlemmer="1", forslag=str(c["pid"]))),
    Service(catalogue_svc.delete_scenario, "catalogue.scenario", "catalogue.scenario.delete", "catalogue_scenario",
            _cat_scenario,
            lambda w, a, c, code: catalogue_svc.delete_scenario(w.engine, a, c["sid"], c["sversion"]),  # type: ignore[arg-type]
            _cat_scenario_delete_check,
            lambda w, a, c, code: catalogue_svc.delete_scenario(w.engine, a, c["sid"], "x"),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/scenarie/{c['sid']}/slet",
                                         version=str(c["sversion"]))),
    Service(catalogue_svc.create_share_link, "catalogue.share", "catalogue.share", "catalogue_share_link",
            lambda w, code: {"cid": _cat(w, code).id},
            lambda w, a, c, code: catalogue_svc.create_share_link(w.engine, a, c["cid"]),  # type: ignore[arg-type]
            _cat_share_check,
            lambda w, a, c, code: catalogue_svc.create_share_link(w.engine, a, c["cid"]),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/{c['cid']}/del")),
    Service(catalogue_svc.revoke_share_link, "catalogue.share", "catalogue.unshare", "catalogue_share_link",
            _cat_revoke_prepare,
            lambda w, a, c, code: catalogue_svc.revoke_share_link(w.engine, a, c["token"]),  # type: ignore[arg-type]
            _cat_revoke_check,
            lambda w, a, c, code: catalogue_svc.revoke_share_link(w.engine, a, c["token"]),  # type: ignore[arg-type]
            lambda cl, t, c, code: _post(cl, t, f"/katalog/del/{c['token']}/tilbagekald")),
)
SERVICES = SERVICES + NETWORK_SERVICES
BY_ID = {s.id: s for s in SERVICES}

#: Public functions of raaderum/server that take a user but are not state-changing services, with the reason.
NOT_SERVICES: dict[str, str] = {
    "raaderum.server.permissions.can": "the permission question itself; changes nothing",
    "raaderum.server.permissions.require": "the permission check every service makes; changes nothing",
    "raaderum.server.permissions.require_some": "the first permission check of row-scoped services; changes nothing",
    "raaderum.server.sessions.create_session": "login state (a session token), not an audited change of app data",
    "raaderum.server.catalogue.can_read": "the catalogue's reading right (the question itself); changes nothing",
    "raaderum.server.catalogue.require_read": "the check of that reading right before a page or export; changes "
                                              "nothing",
    "raaderum.server.network.network_view": "reads a network as the user may see it; changes nothing",
    "raaderum.server.network.shared_content": "reads what a member shared, as the user may see it; changes nothing",
    "raaderum.server.network.marks_on": "reads the marks and experiences of a proposal or lever; changes nothing",
    "raaderum.server.digest.build_digest": "reads the month's digest as the user may see it; changes nothing",
    "raaderum.server.digest.feed_items": "reads the feed's items as the user may see them; changes nothing",
    "raaderum.server.digest.send_digests": "one claim and one audit row PER E-MAIL, each in its own transaction "
                                           "(a crash mid-run keeps what was sent); tests/test_digest.py checks its "
                                           "permission, its audit rows and re-runs against a real SMTP server",
    "raaderum.server.backups.restore_backup": "replaces every table, the audit log included, so 'one new audit row' "
                                              "cannot be counted here; tests/test_backup.py checks its permission, "
                                              "its audit row in the same transaction and a crash before it",
}


def expected_allowed(role: str, svc: Service, target: str) -> bool:
    """Written out here, independently of permissions.RULES."""
    if role == "operator":
        return True
    if svc.action == "subscription.edit":  # one's own subscription: every active user
        return role in ("editor", "reader")
    if role == "editor":
        return svc.municipal and target == "own"
    return False  # reader, anonymous, disabled


def target_code(target: str) -> int:
    return OTHER if target == "other" else OWN


# ------------------------------------------------------------------------------------------------ meta-tests


def _takes_a_user(func: Callable[..., Any]) -> bool:
    for p in inspect.signature(func).parameters.values():
        ann = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", repr(p.annotation))
        if p.name in ("actor", "user") or re.search(r"\bUser\b", str(ann)):
            return True
    return False


def _server_functions_taking_a_user() -> dict[str, Callable[..., Any]]:
    found = {}
    for info in pkgutil.iter_modules(raaderum.server.__path__):
        mod = importlib.import_module(f"raaderum.server.{info.name}")
        for name, obj in vars(mod).items():
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != mod.__name__:
                continue
            if _takes_a_user(obj):
                found[f"{mod.__name__}.{name}"] = obj
    return found


def test_every_service_of_raaderum_server_is_in_the_registry() -> None:
    found = _server_functions_taking_a_user()
    registered = {s.func for s in SERVICES}
    missing = sorted(name for name, f in found.items() if f not in registered and name not in NOT_SERVICES)
    assert not missing, (f"public functions of raaderum/server that take an acting user but are not in this test's "
                         f"registry SERVICES (add them, or to NOT_SERVICES with the reason): {missing}")
    stale = sorted(set(NOT_SERVICES) - set(found))
    assert not stale, f"NOT_SERVICES names functions that no longer exist or take no user: {stale}"
    assert all(f"{s.func.__module__}.{s.func.__name__}" in found for s in SERVICES)
    assert len({s.id for s in SERVICES}) == len(SERVICES)


def test_every_action_of_the_authorisation_table_has_a_service() -> None:
    # backup.restore belongs to restore_backup, tested in tests/test_backup.py; digest.send to send_digests, tested
    # in tests/test_digest.py (see NOT_SERVICES)
    assert {s.action for s in SERVICES} == set(ACTIONS) - {"backup.restore", "digest.send"}
    assert all(s.targets == ("own", "other") for s in SERVICES if s.municipal)


def test_the_meta_test_bites() -> None:
    """A new public function taking a user (as ``actor``, ``user`` or annotated ``User``) would be found."""
    def grant_role(engine: Engine, actor: User, name: str) -> None: ...  # noqa: ARG001
    def touch(engine: Engine, who: User | None) -> None: ...  # noqa: ARG001
    def read(engine: Engine, name: str) -> None: ...  # noqa: ARG001
    assert _takes_a_user(grant_role) and _takes_a_user(touch) and not _takes_a_user(read)


def test_only_services_write_audit_rows() -> None:
    """No module outside raaderum/server and raaderum/store writes an audit row itself (``audit.record``)."""
    root = Path(raaderum.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("server/", "store/")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "raaderum.store.audit" \
                    and any(a.name == "record" for a in node.names):
                offenders.append(f"{rel}:{node.lineno} imports record")
            if isinstance(node, ast.Attribute) and node.attr == "record" and isinstance(node.value, ast.Name) \
                    and node.value.id in ("audit", "audit_log"):
                offenders.append(f"{rel}:{node.lineno} calls {node.value.id}.record")
    assert not offenders, offenders


# ------------------------------------------------------------------------------------------------ the matrix


def _cases(backend: str, keep: Callable[[str, Service, str], bool]) -> list[Any]:
    marks = [pytest.mark.postgres] if backend == "postgresql" else []
    return [pytest.param(backend, s.id, role, target, marks=marks, id=f"{backend}-{s.id}-{role}-{target}")
            for s in SERVICES for role in ROLES for target in s.targets if keep(role, s, target)]


#: PostgreSQL: every service for the operator, the editor (own and other) and an anonymous visitor.
MATRIX = (_cases("sqlite", lambda r, s, t: True)
          + _cases("postgresql", lambda r, s, t: r in ("operator", "editor") or (r == "anonymous" and t != "other")))


@pytest.mark.slow  # ~1,000 cases; `make test` runs them, `make test-fast` runs the crash cases only
@pytest.mark.parametrize(("backend", "service", "role", "target"), MATRIX)
def test_service_authorisation_and_audit(world: World, service: str, role: str, target: str) -> None:
    svc = BY_ID[service]
    code = target_code(target)
    actor = world.users[role]
    ctx = svc.prepare(world, code)
    before, last = snapshot(world.engine), last_audit_id(world.engine)
    t0 = datetime.now(UTC)
    with TransactionWatch() as watch:
        if expected_allowed(role, svc, target):
            svc.call(world, actor, ctx, code)
        else:
            with pytest.raises(PermissionDenied) as refused:
                svc.call(world, actor, ctx, code)
            assert str(refused.value)  # a Danish reason
    t1 = datetime.now(UTC)
    after, new = snapshot(world.engine), audit_since(world.engine, last)
    if not expected_allowed(role, svc, target):
        assert after == before, f"a refused call changed {changed_tables(before, after)}"
        assert new == []
        assert watch.writing == [], watch.writing
        return
    assert actor is not None
    assert len(new) == 1, [(e.action, e.entity_id) for e in new]
    e = new[0]
    assert (e.action, e.entity, e.user_name, e.user_id) == (svc.audit_action, svc.entity, actor.name, actor.id)
    own_thing = svc.action == "subscription.edit"  # audited under the user's own municipality
    assert e.municipality_code == (code if svc.municipal else actor.municipality_code if own_thing else None)
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC)
    assert t0 <= at <= t1
    assert "audit_log" in changed_tables(before, after) and len(changed_tables(before, after)) >= 2
    svc.check(world, e, ctx, code, actor)
    assert_one_transaction(watch)


CRASH = (_cases("sqlite", lambda r, s, t: r == "operator" or (r == "editor" and expected_allowed(r, s, t)))
         + _cases("postgresql", lambda r, s, t: r == "operator" and t != "other"))


@pytest.mark.parametrize(("backend", "service", "role", "target"), CRASH)
def test_crash_between_change_and_audit_row_changes_nothing(world: World, service: str, role: str, target: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    svc = BY_ID[service]
    code = target_code(target)
    ctx = svc.prepare(world, code)
    before, last = snapshot(world.engine), last_audit_id(world.engine)
    with TransactionWatch() as watch:
        reached = crash_on_audit(monkeypatch, watch)
        with pytest.raises(InjectedCrash):
            svc.call(world, world.users[role], ctx, code)
    monkeypatch.undo()
    assert reached == [svc.audit_action]  # the change had been made (and flushed) when the crash came
    after = snapshot(world.engine)
    assert after == before, f"the crash left changes in {changed_tables(before, after)}"
    assert audit_since(world.engine, last) == []
    assert [t for t in watch.writing if t.end != "rollback"] == [], watch.writing


REFUSED_CRASH = _cases("sqlite", lambda r, s, t: r in ("reader", "anonymous", "editor")
                       and not expected_allowed(r, s, t))


@pytest.mark.parametrize(("backend", "service", "role", "target"), REFUSED_CRASH)
def test_refused_calls_write_nothing_even_with_a_crashing_audit(world: World, service: str, role: str, target: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before the change: the (crashing) audit writer is never reached, and also not with bad input."""
    svc = BY_ID[service]
    code = target_code(target)
    ctx = svc.prepare(world, code)
    before, last = snapshot(world.engine), last_audit_id(world.engine)
    reached = crash_on_audit(monkeypatch)
    with TransactionWatch() as watch:
        with pytest.raises(PermissionDenied):
            svc.call(world, world.users[role], ctx, code)
        with pytest.raises(PermissionDenied):  # permission first: invalid input does not get a different answer
            svc.bad(world, world.users[role], ctx, code)
    monkeypatch.undo()
    assert reached == []
    assert snapshot(world.engine) == before
    assert audit_since(world.engine, last) == []
    assert watch.writing == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_op_calls_write_no_audit_row(world: World) -> None:
    """No entry without its change: calls that change nothing write nothing."""
    e, op = world.engine, world.users["operator"]
    assert op is not None
    ctx = _sl_item_prepare(world, OWN)
    pid = _row(world, ShortlistItem, ctx["item"]).proposal_id
    rec = _proposal(world, OWN)
    workspace.set_committee(e, op, OWN, COMMITTEE_AREA, "Børneudvalg nul")
    link = workspace.create_share_link(e, op, OWN)
    workspace.revoke_share_link(e, op, link.token)
    before, last = snapshot(e), last_audit_id(e)
    assert workspace.add_to_shortlist(e, op, OWN, pid).id == ctx["item"]  # already there
    workspace.set_committee(e, op, OWN, COMMITTEE_AREA, "Børneudvalg nul")  # the same name
    workspace.edit_proposal(e, op, rec.id, rec.version, {"title": rec.title})  # the same title
    assert accounts.disable_user(e, op, "tjek-deaktiveret").disabled  # disabled already
    workspace.revoke_share_link(e, op, link.token)  # revoked already
    assert snapshot(e) == before and audit_since(e, last) == []


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("role", ROLES)
def test_import_dry_run_needs_the_permission_and_writes_nothing(world: World, role: str) -> None:
    ctx = _import_prepare(world, OWN)
    before, last = snapshot(world.engine), last_audit_id(world.engine)
    with IdeaStore(world.url) as store:
        if role == "operator":
            report = imports.import_workbook(store, world.users[role], ctx["path"], dry_run=True)  # type: ignore[arg-type]
            assert report.counts()["imported"] == 1 and report.batch_id is None
        else:
            with pytest.raises(PermissionDenied):
                imports.import_workbook(store, world.users[role], ctx["path"], dry_run=True)  # type: ignore[arg-type]
    assert snapshot(world.engine) == before and audit_since(world.engine, last) == []


# ------------------------------------------------------------------------------------------------ the web app


def _csrf_in(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert m is not None, "no csrf_token field on the page"
    return m.group(1)


@dataclass
class WebUser:
    client: Any
    csrf: str
    user: User | None


@pytest.fixture(scope="module")
def _web_clients() -> Iterator[dict[str, dict[str, WebUser]]]:
    """backend → role → client, made on first use and closed at the end of the module."""
    made: dict[str, dict[str, WebUser]] = {}
    try:
        yield made
    finally:
        for clients in made.values():
            for w in clients.values():
                w.client.close()
        close_default_store()


@pytest.fixture
def web(env: World, _web_clients: dict[str, dict[str, WebUser]]) -> dict[str, WebUser]:
    """A logged-in TestClient per role (real sessions, real CSRF tokens), and an anonymous visitor."""
    from starlette.testclient import TestClient

    from raaderum.web import create_app

    if env.backend in _web_clients:
        return _web_clients[env.backend]
    out: dict[str, WebUser] = {}
    for role in ("operator", "editor", "reader", "anonymous"):
        client = TestClient(create_app(), base_url="http://testserver")
        csrf = _csrf_in(client.get("/login").text)
        user = env.users[role]
        if user is not None:
            r = client.post("/login", data={"name": user.name, "password": PASSWORD, "csrf_token": csrf,
                                            "next": "/"}, follow_redirects=False)
            assert r.status_code == 303, r.text
            home = client.get("/")
            assert "Log ud" in home.text
            csrf = _csrf_in(home.text)
        out[role] = WebUser(client, csrf, user)
    _web_clients[env.backend] = out
    return out


WEB_ROLES = ("operator", "editor", "reader", "anonymous")
WEB_SERVICES = ("accounts.add_user", "accounts.disable_user", "imports.import_workbook", "workspace.add_to_shortlist",
                "workspace.update_shortlist_item", "workspace.edit_proposal", "workspace.withdraw_proposal",
                "workspace.set_committee", "workspace.set_note", "levers.save_lever", "catalogue.create_catalogue",
                "catalogue.edit_catalogue", "catalogue.add_proposal", "catalogue.adopt_proposal",
                "catalogue.edit_proposal", "catalogue.set_status", "catalogue.set_target", "catalogue.create_scenario",
                "catalogue.edit_scenario", "catalogue.delete_scenario", "catalogue.create_share_link",
                "catalogue.revoke_share_link")


def _web_cases(backend: str, roles: tuple[str, ...]) -> list[Any]:
    marks = [pytest.mark.postgres] if backend == "postgresql" else []
    return [pytest.param(backend, sid, role, target, marks=marks, id=f"{backend}-{sid}-{role}-{target}")
            for sid in WEB_SERVICES for role in roles for target in BY_ID[sid].targets]


@pytest.mark.parametrize(("backend", "service", "role", "target"),
                         _web_cases("sqlite", WEB_ROLES) + _web_cases("postgresql", ("operator", "editor")),
                         )
def test_web_routes_call_the_services(env: World, web: dict[str, WebUser], service: str, role: str,
                                      target: str) -> None:
    svc = BY_ID[service]
    assert svc.web is not None
    code = target_code(target)
    ctx = svc.prepare(env, code)
    before, last = snapshot(env.engine), last_audit_id(env.engine)
    w = web[role]
    response = svc.web(w.client, w.csrf, ctx, code)
    after, new = snapshot(env.engine), audit_since(env.engine, last)
    if not expected_allowed(role, svc, target):
        assert response.status_code == 403, (response.status_code, response.text[:300])
        assert after == before, f"a refused request changed {changed_tables(before, after)}"
        assert new == []
        return
    assert response.status_code in (200, 303), (response.status_code, response.text[:500])
    assert w.user is not None
    assert len(new) == 1, [(e.action, e.entity_id) for e in new]
    e = new[0]
    assert (e.action, e.entity, e.user_name, e.user_id) == (svc.audit_action, svc.entity, w.user.name, w.user.id)
    svc.check(env, e, ctx, code, w.user)


@pytest.mark.parametrize(("backend", "service"),
                         [pytest.param("sqlite", s, id=f"sqlite-{s}") for s in WEB_SERVICES]
                         + [pytest.param("postgresql", s, id=f"postgresql-{s}", marks=pytest.mark.postgres)
                            for s in ("workspace.edit_proposal", "imports.import_workbook", "accounts.disable_user")],
                         )
def test_web_request_crashing_before_the_audit_row_changes_nothing(env: World, web: dict[str, WebUser],
                                                                   service: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    svc = BY_ID[service]
    assert svc.web is not None
    ctx = svc.prepare(env, OWN)
    before, last = snapshot(env.engine), last_audit_id(env.engine)
    reached = crash_on_audit(monkeypatch)
    w = web["operator"]
    try:
        response = svc.web(w.client, w.csrf, ctx, OWN)
    except InjectedCrash:
        response = None
    monkeypatch.undo()
    assert reached == [svc.audit_action]
    assert response is None or response.status_code == 500
    assert snapshot(env.engine) == before
    assert audit_since(env.engine, last) == []


# ------------------------------------------------------------------------------------------------ the CLI


def _cli(args: list[str]) -> Any:
    from typer.testing import CliRunner

    import raaderum.cli

    return CliRunner().invoke(raaderum.cli.app, args)


def _cli_cases() -> list[Any]:
    cases = ["users add", "users disable", "ideas import", "ideas udvalg --set"]
    return ([pytest.param("sqlite", c, id=f"sqlite-{c}") for c in cases]
            + [pytest.param("postgresql", c, id=f"postgresql-{c}", marks=pytest.mark.postgres) for c in cases])


def _cli_command(w: World, command: str) -> tuple[list[str], str, dict[str, Any], Callable[[AuditEntry], None]]:
    """(args, audit action, ctx, check of the audit row) of one CLI command."""
    n = w.n()
    if command == "users add":
        ctx = {"name": f"cli-bruger-{n}"}

        def check(e: AuditEntry) -> None:
            _add_user_check(w, e, ctx, OWN, SYSTEM_ACTOR)
        return (["users", "add", ctx["name"], "--role", "reader", "--kommune", "Aarhus", "--password", PASSWORD],
                "user.add", ctx, check)
    if command == "users disable":
        ctx = _disable_prepare(w, OWN)
        return ["users", "disable", ctx["name"]], "user.disable", ctx, lambda e: _disable_check(w, e, ctx, OWN,
                                                                                                 SYSTEM_ACTOR)
    if command == "ideas import":
        ctx = _import_prepare(w, OTHER)
        return ["ideas", "import", str(ctx["path"])], "ideas.import", ctx, lambda e: _import_check(w, e, ctx, OTHER,
                                                                                                   SYSTEM_ACTOR)
    if command == "ideas udvalg --set":
        ctx = _committee_prepare(w, OWN)
        return (["ideas", "udvalg", "--kommune", "Aarhus", "--set", f"{COMMITTEE_AREA}={ctx['name']}"],
                "committee.set", ctx, lambda e: _committee_check(w, e, ctx, OWN, SYSTEM_ACTOR))
    raise AssertionError(command)


@pytest.mark.parametrize(("backend", "command"), _cli_cases())
def test_cli_commands_are_audited_as_the_system_actor(env: World, command: str) -> None:
    args, action, ctx, check = _cli_command(env, command)
    before, last = snapshot(env.engine), last_audit_id(env.engine)
    r = _cli(args)
    assert r.exit_code == 0, (r.output, r.exception)
    new = audit_since(env.engine, last)
    assert len(new) == 1, [(e.action, e.entity_id) for e in new]
    e = new[0]
    assert (e.action, e.user_name, e.user_id) == (action, SYSTEM_ACTOR.name, None)
    assert e.user_name == "system:cli"
    check(e)
    assert len(changed_tables(before, snapshot(env.engine))) >= 2


@pytest.mark.parametrize(("backend", "command"), _cli_cases())
def test_cli_command_crashing_before_the_audit_row_changes_nothing(env: World, command: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    args, action, ctx, check = _cli_command(env, command)
    before, last = snapshot(env.engine), last_audit_id(env.engine)
    reached = crash_on_audit(monkeypatch)
    r = _cli(args)
    monkeypatch.undo()
    assert reached == [action]
    assert r.exit_code != 0 and isinstance(r.exception, InjectedCrash), (r.output, r.exception)
    assert snapshot(env.engine) == before
    assert audit_since(env.engine, last) == []
