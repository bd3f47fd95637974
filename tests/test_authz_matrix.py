"""The authorisation matrix over HTTP on PostgreSQL: every role (and an anonymous visitor) × every state-changing
action × own/other municipality. Allowed → the change is made (and audited); denied → 403 and not one row of any
table changed.

The expected outcomes are written out here, independently of :data:`raaderum.server.accounts.RULES`.
Real sessions and real CSRF tokens: every request passes the CSRF check, so a 403 is the authorisation's answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import conftest_accounts as ca
import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from raaderum.server import workspace as ws
from raaderum.server.accounts import ACTIONS, User
from raaderum.store.engine import make_engine, migrate

pytestmark = pytest.mark.postgres

ROLES = ("operator", "editor", "reader", "anonymous")
MUNICIPAL = ("proposal.create", "proposal.edit", "proposal.withdraw", "shortlist.add", "shortlist.update",
             "shortlist.remove", "shortlist.share", "committee.set", "note.edit", "catalogue.create", "catalogue.edit",
             "catalogue.status", "catalogue.target", "catalogue.scenario", "catalogue.share", "mark.set", "mark.remove",
             "contact.edit", "experience.edit", "network.share")
#: network.coordinate: the operator and the network's coordinators; the matrix's network has none, but Aarhus is
#: a member, so Aarhus's editor and reader see it and are refused (403), not told it is missing (404).
GLOBAL = ("user.add", "user.disable", "ideas.import", "lever.edit", "network.manage", "network.coordinate")
#: Actions with no web route (the shell's system actor only); their permission and audit are tested with the
#: service itself: backup.restore in tests/test_backup.py.
CLI_ONLY = ("backup.restore", "digest.send")
#: One's own things (the digest subscription): every logged-in user, for themself.
SELF = ("subscription.edit",)
LEVER = "hverdagsrehabilitering"


def expected_allowed(role: str, action: str, target: str) -> bool:
    if role == "operator":
        return True
    if action in SELF:
        return role in ("editor", "reader")
    if role == "editor":
        return action in MUNICIPAL and target == "own"
    return False


@dataclass
class World:
    engine: Engine
    url: str
    operator: User
    clients: dict[str, TestClient]
    csrf: dict[str, str]
    tmp: Path
    counter: Iterator[int]


@pytest.fixture(scope="module")
def world(postgres_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    import uuid

    from raaderum.store.ideas import IdeaStore

    schema = f"raaderum_authz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = f"{postgres_base_url}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    mp = pytest.MonkeyPatch()
    try:
        migrate(url)
        with IdeaStore(url) as store:
            store.ensure_sample()
        users = ca.standard_users(engine)
        mp.setenv("RAADERUM_DATABASE_URL", url)
        mp.setenv("RAADERUM_WARM_UP", "0")
        clients, csrf = {}, {}
        for role, name in (("operator", "operatoer"), ("editor", "aarhus-redaktoer"), ("reader", "aarhus-laeser")):
            clients[role] = ca.new_client()
            csrf[role] = ca.login(clients[role], name)
        clients["anonymous"] = ca.new_client()
        csrf["anonymous"] = ca.anonymous_csrf(clients["anonymous"])
        yield World(engine, url, users["operator"], clients, csrf, tmp_path_factory.mktemp("authz"),
                    itertools.count(1))
    finally:
        mp.undo()
        ca.close_app_caches()
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def env(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    # tests/conftest.py's autouse fixture removes RAADERUM_DATABASE_URL for every test; point it back at the world
    monkeypatch.setenv("RAADERUM_DATABASE_URL", world.url)
    monkeypatch.setenv("RAADERUM_WARM_UP", "0")
    return world


# ------------------------------------------------------------------------------------------------ the actions
# Each action: prepare(world, code) → context made by the operator through the core (not under test here), then
# request(client, csrf, ctx, code) → response, and a check that the allowed request really changed something.


def _xlsx(world: World) -> Path:
    from conftest_ideas import HEADER, row, write_xlsx

    n = next(world.counter)
    return write_xlsx(world.tmp / f"idebank-{n}.xlsx",
                      {"Forslag": [HEADER, row(kommune="Vejle", title=f"Importeret forslag {n}", b=-10 * n)]})


def prepare(world: World, action: str, code: int) -> dict[str, Any]:
    op, e = world.operator, world.engine
    n = next(world.counter)
    if action in ("proposal.edit", "proposal.withdraw"):
        rec = ws.create_proposal(e, op, code, {"title": f"Forslag {n} til matrixtest"})
        return {"pid": rec.id, "version": rec.version}
    if action == "shortlist.add":
        return {"pid": ws.create_proposal(e, op, ca.OTHER if code == ca.OWN else ca.OWN,
                                          {"title": f"Andet forslag {n}"}).id}
    if action in ("shortlist.update", "shortlist.remove"):
        pid = ws.create_proposal(e, op, 147, {"title": f"Frederiksberg-forslag {n}"}).id
        item = ws.add_to_shortlist(e, op, code, pid)
        return {"item": item.id, "version": item.version}
    if action == "shortlist.share":
        return {}
    if action == "note.edit":
        note = ws.get_note(e, code)
        return {"version": note.version if note else 0}
    if action == "user.disable":
        return {"uid": ca.make_user(e, f"midlertidig-{n}", "reader", code).id}
    if action == "ideas.import":
        return {"file": _xlsx(world)}
    if action.startswith("catalogue.") and action != "catalogue.create":
        from raaderum.server import catalogue as cs

        c = cs.create_catalogue(e, op, code, 2027, f"Matrixkatalog {n}")
        p = cs.add_proposal(e, op, c.id, {"title": f"Matrixforslag {n}", "area_id": "folkeskole"})
        return {"cid": c.id, "pid": p.id, "version": p.version, "n": n}
    if action in ("mark.set", "experience.edit"):
        return {"pid": ws.create_proposal(e, op, 147, {"title": f"Frederiksberg-forslag {n}"}).id, "n": n}
    if action == "mark.remove":
        from raaderum.server import network as net

        pid = ws.create_proposal(e, op, 147, {"title": f"Markeret forslag {n}"}).id
        m = net.set_mark(e, op, code, "proposal", pid, status="overvejer")
        return {"pid": pid, "mark": m.id, "version": m.version}
    if action in ("network.share", "network.coordinate"):
        from raaderum.server import network as net

        return {"nid": net.create_network(e, op, f"Matrixnetværk {n}", municipalities=[ca.OWN, ca.OTHER]).id}
    if action == "lever.edit":
        from raaderum.server.levers import get_edit

        row = get_edit(e, LEVER)
        return {"n": n, "version": row.version if row else 0}
    return {"n": n}


def request(world: World, role: str, action: str, ctx: dict[str, Any], code: int) -> Any:
    c, t = world.clients[role], world.csrf[role]
    post: Callable[..., Any] = lambda path, **data: c.post(path, data={"csrf_token": t, **data},  # noqa: E731
                                                           follow_redirects=False)
    if action == "proposal.create":
        return post("/arbejdsrum/forslag", kommune=str(code), title=f"Matrixforslag {ctx['n']}")
    if action == "proposal.edit":
        return post(f"/arbejdsrum/forslag/{ctx['pid']}", version=str(ctx["version"]), title="Ændret i matrixtest")
    if action == "proposal.withdraw":
        return post(f"/arbejdsrum/forslag/{ctx['pid']}/traek-tilbage", version=str(ctx["version"]))
    if action == "shortlist.add":
        return post("/arbejdsrum/shortlist", kommune=str(code), proposal_id=str(ctx["pid"]))
    if action == "shortlist.update":
        return post(f"/arbejdsrum/shortlist/{ctx['item']}", version=str(ctx["version"]), status="fravalgt",
                    comment="Ændret i matrixtest")
    if action == "shortlist.remove":
        return post(f"/arbejdsrum/shortlist/{ctx['item']}/fjern", version=str(ctx["version"]))
    if action == "shortlist.share":
        return post("/arbejdsrum/del", kommune=str(code))
    if action == "committee.set":
        return post("/arbejdsrum/udvalg", kommune=str(code), area_id="folkeskole",
                    committee=f"Læringsudvalg {ctx['n']}")
    if action == "note.edit":
        return post("/arbejdsrum/noter", kommune=str(code), version=str(ctx["version"]), text="Matrixnote")
    if action == "catalogue.create":
        return post("/katalog", navn=f"Nyt matrixkatalog {ctx['n']}", budgetaar="2027", kommune=str(code))
    if action == "catalogue.edit":
        return post(f"/katalog/{ctx['cid']}/forslag/{ctx['pid']}", version=str(ctx["version"]),
                    title="Ændret i matrixtest")
    if action == "catalogue.status":
        return post(f"/katalog/{ctx['cid']}/forslag/{ctx['pid']}/status", version=str(ctx["version"]),
                    status="under_analyse")
    if action == "catalogue.target":
        return post(f"/katalog/{ctx['cid']}/maal", version="0", b="-1.000")
    if action == "catalogue.scenario":
        return post(f"/katalog/{ctx['cid']}/scenarie", name=f"Matrixscenarie {ctx['n']}")
    if action == "catalogue.share":
        return post(f"/katalog/{ctx['cid']}/del")
    if action == "mark.set":
        return post("/markering", kind="proposal", target_id=str(ctx["pid"]), status="i_gang", kommune=str(code))
    if action == "mark.remove":
        return post(f"/markering/{ctx['mark']}/fjern", kind="proposal", target_id=str(ctx["pid"]),
                    version=str(ctx["version"]))
    if action == "contact.edit":
        return post("/arbejdsrum/kontakter", name=f"Kontakt {ctx['n']}", email="k@kommune.dk", kommune=str(code))
    if action == "experience.edit":
        return post("/erfaringer", title=f"Erfaring {ctx['n']}", proposal_id=str(ctx["pid"]),
                    realised="2025: -100", kommune=str(code))
    if action == "network.share":
        return post(f"/netvaerk/{ctx['nid']}/del", kind="shortlist", kommune=str(code))
    if action == "network.coordinate":
        return post(f"/netvaerk/{ctx['nid']}/moeder", title="Matrixmøde", held_on="2027-03-15")
    if action == "network.manage":
        return post("/netvaerk", name=f"Nyt matrixnetværk {ctx['n']}", kommuner="751, 101")
    if action == "subscription.edit":
        from sqlalchemy import select

        from raaderum.store.models import DigestSubscription, User

        name = {"operator": "operatoer", "editor": "aarhus-redaktoer", "reader": "aarhus-laeser"}.get(role)
        with Session(world.engine) as s:
            uid = s.scalar(select(User.id).where(User.name == name)) if name else None
            sub = s.get(DigestSubscription, uid) if uid is not None else None
            version = sub.version if sub is not None else 0
        return post("/nyhedsbrev/abonnement", areas="aeldre", email=f"abonnent{ctx['n']}@kommune.dk",
                    email_opt_in="1", version=str(version))
    if action == "user.add":
        return post("/admin/brugere", name=f"ny-bruger-{ctx['n']}", role="reader", kommune=str(code),
                    password="korrekt-hest-batteri")
    if action == "user.disable":
        return post(f"/admin/brugere/{ctx['uid']}/deaktiver")
    if action == "ideas.import":
        path: Path = ctx["file"]
        with path.open("rb") as f:
            return c.post("/admin/import", data={"csrf_token": t},
                          files={"file": (path.name, f.read(), "application/octet-stream")},
                          follow_redirects=False)
    if action == "lever.edit":
        from raaderum.ideas.levers import lever

        lv = lever(LEVER)
        return post(f"/admin/greb/{LEVER}", version=str(ctx["version"]), title=f"Greb ændret i matrixtest {ctx['n']}",
                    summary=lv.summary, body=lv.body, key_figures="\n".join(lv.key_figures),
                    questions="\n".join(lv.questions), time_to_effect=lv.time_to_effect, areas=list(lv.areas),
                    idea_types=list(lv.idea_types))
    raise AssertionError(action)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every backed-up table's rows, and the knowledge portal's edits (``lever_edits``)."""
    from sqlalchemy import select

    from raaderum.server.levers import LeverEdit

    tables = ca.snapshot(engine)
    if "lever_edits" not in tables:
        with engine.connect() as conn:
            tables["lever_edits"] = {"rows": [tuple(r) for r in conn.execute(select(LeverEdit.__table__))]}
    return tables


CASES = [(role, action, target) for role in ROLES for action in (*MUNICIPAL, *GLOBAL, *SELF)
         for target in (("own", "other") if action in MUNICIPAL else ("own",))]


def test_matrix_covers_every_action() -> None:
    assert set(MUNICIPAL) | set(GLOBAL) | set(CLI_ONLY) | set(SELF) == set(ACTIONS)
    assert len(CASES) == len(ROLES) * (2 * len(MUNICIPAL) + len(GLOBAL) + len(SELF))


@pytest.mark.parametrize(("role", "action", "target"), CASES, ids=["-".join(c) for c in CASES])
def test_authorisation(env: World, role: str, action: str, target: str) -> None:
    code = ca.OWN if target == "own" else ca.OTHER
    ctx = prepare(env, action, code)
    before = snapshot(env.engine)
    response = request(env, role, action, ctx, code)
    after = snapshot(env.engine)
    if expected_allowed(role, action, target):
        assert response.status_code in (200, 303), (response.status_code, response.text[:500])
        assert after != before, "an allowed action changed nothing"
        seen = {r[0] for r in before["audit_log"]["rows"]}  # ids
        new = [dict(zip(after["audit_log"]["columns"], r, strict=True)) for r in after["audit_log"]["rows"]
               if r[0] not in seen]
        assert any(e["action"].split(".")[0] == action.split(".")[0] for e in new), new
    else:
        assert response.status_code == 403, (response.status_code, response.text[:500])
        assert after == before, "a refused action changed the database"
        assert "Ingen adgang" in response.text


def test_denied_actions_leave_the_audit_log_and_sessions_alone(env: World) -> None:
    with Session(env.engine) as s:
        from sqlalchemy import func, select

        from raaderum.server.sessions import LoginSession

        sessions = s.scalar(select(func.count(LoginSession.id)))
    assert sessions == 3  # the three logged-in clients; refused requests created none
