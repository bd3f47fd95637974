"""Fault test against a real PostgreSQL: the database is restarted in the middle of a write load on
`raaderum serve --workers 2`.

Asserted: every write that got a success answer is in the database afterwards; the app answers again after the
outage without being restarted; no 500 outside the outage window (during it the app answers a clean 503
"Databasen er midlertidigt utilgængelig").

Which PostgreSQL is restarted: by default a throw-away cluster of the machine's PostgreSQL version, created for
the test with ``pg_createcluster`` (so that the restart does not cut off others using the shared server); with
``RAADERUM_FAULTS_CLUSTER=main``, or when ``pg_createcluster`` is unavailable or we are not root, the cluster at
127.0.0.1:5432 itself (``pg_ctlcluster <version> main restart``), in a dedicated database that is dropped afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import conftest_accounts as ca
import httpx
import pytest
from e2e_support import free_port, start_server
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from raaderum.store.engine import make_engine, migrate
from raaderum.store.models import Proposal

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EDITORS = [(751, "aarhus"), (101, "koebenhavn"), (461, "odense"), (851, "aalborg"), (630, "vejle"),
           (265, "roskilde")]


def _pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(x) for x in v.split(".")])[-1]


def _ctl(version: str, cluster: str, action: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, action], check=True,
                   capture_output=True, timeout=120)


@dataclass
class Postgres:
    url: str
    restart: Callable[[], None]


@pytest.fixture
def restartable_postgres(postgres_base_url: str) -> Iterator[Postgres]:
    version = _pg_version()
    dbname = f"raaderum_faults_{uuid.uuid4().hex[:10]}"
    dedicated = (os.environ.get("RAADERUM_FAULTS_CLUSTER", "dedicated") != "main"
                 and shutil.which("pg_createcluster") is not None and os.geteuid() == 0)
    if dedicated:
        cluster, port = f"raaderum_faults_{uuid.uuid4().hex[:6]}", free_port()
        subprocess.run(["pg_createcluster", version, cluster, "-p", str(port), "--", "--auth=trust"], check=True,
                       capture_output=True, timeout=120)
        server = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        try:
            _ctl(version, cluster, "start")
            yield from _database(f"{server}/postgres", dbname,
                                 lambda: _ctl(version, cluster, "restart"))
        finally:
            subprocess.run(["pg_dropcluster", "--stop", version, cluster], capture_output=True, timeout=120)
    else:
        yield from _database(postgres_base_url, dbname, lambda: _ctl(version, "main", "restart"))


def _database(admin_url: str, dbname: str, restart: Callable[[], None]) -> Iterator[Postgres]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dbname}"'))
        base = admin_url.rsplit("/", 1)[0]
        yield Postgres(f"{base}/{dbname}", restart)
    finally:
        for _ in range(30):  # the server may still be coming back
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
                break
            except Exception:  # noqa: BLE001
                time.sleep(1)
        admin.dispose()


@dataclass
class Outcome:
    at: float
    kind: str
    status: int  # 0: no HTTP answer (connection error or timeout)
    title: str = ""
    body: str = ""


@dataclass
class Load:
    base: str
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, o: Outcome) -> None:
        with self.lock:
            self.outcomes.append(o)


def _login(client: httpx.Client, name: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"name": name, "password": ca.PASSWORD, "csrf_token": token.group(1),
                                    "next": "/"})
    assert r.status_code == 303, r.text
    home = client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found is not None
    return found.group(1)


def _worker(load: Load, name: str, n_thread: int) -> None:
    with httpx.Client(base_url=load.base, timeout=15) as client:
        csrf = _login(client, name)
        i = 0
        while not load.stop.is_set():
            i += 1
            title = f"Fejltest {n_thread}-{i} {uuid.uuid4().hex[:6]}"
            try:
                r = client.post("/arbejdsrum/forslag", data={"csrf_token": csrf, "title": title,
                                                             "description": "Skrevet under genstart"})
                load.add(Outcome(time.time(), "write", r.status_code, title, r.text[:2000]))
                if r.status_code == 303:
                    assert re.fullmatch(r"/arbejdsrum/forslag/\d+\?ok=oprettet", r.headers["location"])
                r = client.get("/arbejdsrum")
                load.add(Outcome(time.time(), "read", r.status_code, body=r.text[:2000]))
            except httpx.HTTPError as e:
                load.add(Outcome(time.time(), "write-or-read", 0, title, repr(e)))
                time.sleep(0.1)


def test_postgres_restart_during_write_load(restartable_postgres: Postgres, tmp_path: Path) -> None:
    url = restartable_postgres.url
    migrate(url)
    engine = make_engine(url)
    try:
        for code, name in EDITORS:
            ca.make_user(engine, f"{name}-fejltest", "editor", code)
    finally:
        engine.dispose()
    server = start_server({"RAADERUM_DATABASE_URL": url, "RAADERUM_HOME": str(tmp_path)}, workers=2)
    base = next(server)
    load = Load(base)
    threads = [threading.Thread(target=_worker, args=(load, f"{name}-fejltest", i), daemon=True)
               for i, (_, name) in enumerate(EDITORS)]
    try:
        for t in threads:
            t.start()
        time.sleep(4)
        outage_start = time.time()
        restartable_postgres.restart()
        outage_end = time.time()
        time.sleep(6)
        load.stop.set()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        # the app answers again, without having been restarted
        with httpx.Client(base_url=base, timeout=15) as client:
            csrf = _login(client, f"{EDITORS[0][1]}-fejltest")
            assert client.get("/arbejdsrum").status_code == 200
            r = client.post("/arbejdsrum/forslag", data={"csrf_token": csrf, "title": "Efter genstarten"})
            assert r.status_code == 303
            load.add(Outcome(time.time(), "write", 303, "Efter genstarten"))
    finally:
        load.stop.set()
        server.close()  # stops `raaderum serve`

    outcomes = load.outcomes
    acknowledged = {o.title for o in outcomes if o.kind == "write" and o.status == 303}
    before = [o for o in outcomes if o.status == 303 and o.at < outage_start]
    after = [o for o in outcomes if o.status == 303 and o.at > outage_end]
    assert before and after, "the load did not write both before and after the restart"
    window = (outage_start - 0.5, outage_end + 5.0)
    statuses = sorted({o.status for o in outcomes})
    assert set(statuses) <= {0, 200, 303, 503}, [(o.kind, o.status, o.body[:300]) for o in outcomes
                                                  if o.status not in (0, 200, 303, 503)][:5]
    late = [o for o in outcomes if o.status in (0, 500, 503) and not window[0] <= o.at <= window[1]]
    assert not late, [(round(o.at - outage_start, 2), o.kind, o.status, o.body[:200]) for o in late][:5]
    for o in outcomes:
        if o.status == 503:
            assert "Databasen er midlertidigt utilgængelig" in o.body
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            stored = set(s.scalars(select(Proposal.title).where(Proposal.title.in_(acknowledged))))
    finally:
        engine.dispose()
    assert acknowledged - stored == set(), "acknowledged writes are missing after the restart"
    print(f"\nfejltest: {len(acknowledged)} bekræftede skrivninger, alle gemt; svar: "
          + ", ".join(f"{s}: {sum(o.status == s for o in outcomes)}" for s in statuses)
          + f"; nedetid {outage_end - outage_start:.1f} s")
