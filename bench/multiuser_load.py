"""Benchmark: 50 logged-in users working at the same time on `raaderum serve --workers 2` with PostgreSQL.

Creates a fresh PostgreSQL database, migrates it, seeds 50 municipal editors (one per municipality) and the
sample idea bank, starts the server, logs every user in, then runs the users for --seconds (default 60):
80 % reads (workspace page, idea-bank search, proposal page, municipality overview) and 20 % writes (add to the
shortlist, change status and comment of a shortlist entry, edit the user's own proposal, with optimistic locking).
Each user sends its next request when the previous one has answered, after a think time drawn uniformly from
0-2 × --think-ms (default 0: no think time, a closed loop and the hardest case). Prints req/s, p50/p95 per request
type and the error count (target: 0 errors, p95 under 200 ms); drops the database at the end.

The load generator runs on the same machine as the server and competes with it for CPU: the figures are
conservative.

Run: .venv/bin/python bench/multiuser_load.py [--seconds 60] [--users 50] [--workers 2] [--think-ms 0]
     (PostgreSQL from RAADERUM_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from e2e_support import start_server  # noqa: E402

PASSWORD = "korrekt-hest-batteri"
WORDS = ["gadelys", "rehabilitering", "indkøb", "skole", "vikar", "digital", "ældre", "energi", "bygninger",
         "kørsel", "dagtilbud", "velfærdsteknologi", "udbud", "sygefravær", "LED"]
READS = {"workspace": 0.25, "search": 0.25, "proposal": 0.15, "overview": 0.15}
WRITES = {"shortlist_add": 0.07, "shortlist_update": 0.08, "proposal_edit": 0.05}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ITEM_RE = re.compile(r'action="/arbejdsrum/shortlist/(\d+)">\s*<input[^>]*>\s*<input type="hidden" name="version" '
                     r'value="(\d+)"')


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def setup_database(admin_url: str, users: int) -> tuple[str, list[tuple[str, int]], list[int]]:
    """A fresh database with the schema, ``users`` editors and the sample; returns its URL, the users and ids."""
    from raaderum.release.reader import open_release
    from raaderum.server.accounts import User, hash_password
    from raaderum.store.engine import migrate
    from raaderum.store.ideas import IdeaStore
    from raaderum.store.models import Proposal

    name = f"raaderum_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
        engine = store.engine
        codes = [m.code for m in open_release().register][:users]
        pw = hash_password(PASSWORD)  # one hash for all: seeding 50 argon2 hashes would take 10 s
        people = [(f"redaktoer-{c}", c) for c in codes]
        with Session(engine) as s, s.begin():
            s.execute(insert(User), [{"name": n, "role": "editor", "municipality_code": c, "password_hash": pw,
                                      "disabled": False, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00")}
                                     for n, c in people])
        with Session(engine) as s:
            ids = list(s.scalars(select(Proposal.id)))
    return url, people, ids


def drop_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class User:
    def __init__(self, base: str, name: str, code: int, rng: random.Random) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=30)
        self.name, self.code, self.rng = name, code, rng
        self.csrf = ""
        self.items: dict[int, int] = {}  # shortlist item id → version
        self.own: tuple[int, int] | None = None  # own proposal id, version

    async def login(self) -> None:
        page = await self.client.get("/login")
        token = CSRF_RE.search(page.text)
        assert token, "no CSRF token on the login page"
        r = await self.client.post("/login", data={"name": self.name, "password": PASSWORD,
                                                   "csrf_token": token.group(1), "next": "/arbejdsrum"})
        assert r.status_code == 303, f"login failed for {self.name}: {r.status_code}"
        self.remember((await self.client.get("/arbejdsrum")).text)
        r = await self.client.post("/arbejdsrum/forslag", data={"csrf_token": self.csrf, "title":
                                                                f"Benchmarkforslag fra {self.code}"})
        assert r.status_code == 303, r.text[:300]
        pid = int(r.headers["location"].split("/")[-1].split("?")[0])
        self.own = (pid, 1)

    def remember(self, html: str) -> None:
        found = CSRF_RE.search(html)
        if found:
            self.csrf = found.group(1)
        self.items = {int(i): int(v) for i, v in ITEM_RE.findall(html)}

    async def step(self, ids: list[int]) -> tuple[str, httpx.Response]:
        kinds = {**READS, **WRITES}
        kind = self.rng.choices(list(kinds), weights=list(kinds.values()))[0]
        if kind == "shortlist_update" and not self.items:
            kind = "shortlist_add"
        c = self.client
        if kind == "workspace":
            r = await c.get("/arbejdsrum")
            if r.status_code == 200:
                self.remember(r.text)
        elif kind == "search":
            r = await c.get("/idebank", params={"q": self.rng.choice(WORDS)})
        elif kind == "proposal":
            r = await c.get(f"/idebank/{self.rng.choice(ids)}")
        elif kind == "overview":
            r = await c.get(f"/kommune/{self.code}")
        elif kind == "shortlist_add":
            r = await c.post("/arbejdsrum/shortlist", data={"csrf_token": self.csrf,
                                                            "proposal_id": str(self.rng.choice(ids))})
        elif kind == "shortlist_update":
            item, version = self.rng.choice(list(self.items.items()))
            r = await c.post(f"/arbejdsrum/shortlist/{item}", data={
                "csrf_token": self.csrf, "version": str(version), "status": self.rng.choice(
                    ["til_overvejelse", "arbejdes_videre_med", "fravalgt"]),
                "comment": f"Kommentar {self.rng.randint(1, 10**6)}"})
            if r.status_code == 303:
                self.items[item] = version + 1
        else:
            assert self.own is not None
            pid, version = self.own
            r = await c.post(f"/arbejdsrum/forslag/{pid}", data={
                "csrf_token": self.csrf, "version": str(version),
                "description": f"Opdateret {self.rng.randint(1, 10**6)}"})
            if r.status_code == 303:
                self.own = (pid, version + 1)
        return kind, r


async def run(base: str, people: list[tuple[str, int]], ids: list[int], seconds: float,
              think_ms: float) -> tuple[dict[str, list[float]], dict[str, int], float, list[str]]:
    rng = random.Random(2026)
    users = [User(base, n, c, random.Random(rng.random())) for n, c in people]
    try:
        t = time.perf_counter()
        # At most 10 logins at once: every login in flight counts against the per-address limit until its password
        # is checked (the limit is atomic), and all 50 users come from 127.0.0.1 here.
        gate = asyncio.Semaphore(10)

        async def log_in(u: User) -> None:
            async with gate:
                await u.login()

        await asyncio.gather(*(log_in(u) for u in users))
        print(f"{len(users)} brugere logget ind på {time.perf_counter() - t:.1f} s")
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        samples: list[str] = []
        start = time.perf_counter()
        until = start + seconds

        async def loop(u: User) -> None:
            while time.perf_counter() < until:
                t0 = time.perf_counter()
                try:
                    kind, r = await u.step(ids)
                    ok = r.status_code in (200, 303)
                    why = f"HTTP {r.status_code} {r.request.method} {r.request.url.path}"
                except httpx.HTTPError as e:
                    kind, ok, why = "connection", False, f"{type(e).__name__}: {e}"
                dt = (time.perf_counter() - t0) * 1000
                latencies[kind].append(dt)
                if not ok:
                    errors[kind] += 1
                    if len(samples) < 5:
                        samples.append(why)
                if think_ms:
                    await asyncio.sleep(u.rng.uniform(0, 2 * think_ms) / 1000)

        await asyncio.gather(*(loop(u) for u in users))
        return latencies, errors, time.perf_counter() - start, samples
    finally:
        await asyncio.gather(*(u.client.aclose() for u in users))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--think-ms", type=float, default=0)
    args = ap.parse_args()
    admin_url = os.environ.get("RAADERUM_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    t = time.perf_counter()
    url, people, ids = setup_database(admin_url, args.users)
    print(f"Database {url.rsplit('/', 1)[1]} oprettet, migreret og fyldt ({len(ids)} forslag, {len(people)} "
          f"redaktører) på {time.perf_counter() - t:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as home:
            server = start_server({"RAADERUM_DATABASE_URL": url, "RAADERUM_HOME": home}, workers=args.workers)
            base = next(server)
            try:
                latencies, errors, elapsed, samples = asyncio.run(run(base, people, ids, args.seconds,
                                                                      args.think_ms))
            finally:
                server.close()
    finally:
        drop_database(admin_url, url)
    total = sum(len(v) for v in latencies.values())
    n_errors = sum(errors.values())
    reads = sum(len(latencies[k]) for k in READS)
    print(f"\n{args.users} brugere, {args.workers} arbejdsprocesser, {elapsed:.0f} s, tænketid "
          f"{args.think_ms:.0f} ms i snit: {total} forespørgsler, {total / elapsed:.1f} req/s, "
          f"{100 * reads / max(total, 1):.0f} % læsninger, {n_errors} fejl")
    print(f"{'type':<18}{'antal':>8}{'p50 ms':>10}{'p95 ms':>10}{'maks ms':>10}{'fejl':>7}")
    worst = 0.0
    for kind in [*READS, *WRITES, *(k for k in latencies if k not in READS and k not in WRITES)]:
        v = latencies.get(kind, [])
        if not v:
            continue
        p95 = percentile(v, 95)
        worst = max(worst, p95)
        print(f"{kind:<18}{len(v):>8}{statistics.median(v):>10.1f}{p95:>10.1f}{max(v):>10.1f}{errors[kind]:>7}")
    allv = [x for v in latencies.values() for x in v]
    print(f"{'alle':<18}{len(allv):>8}{statistics.median(allv):>10.1f}{percentile(allv, 95):>10.1f}"
          f"{max(allv):>10.1f}{n_errors:>7}")
    for s in samples:
        print("fejl, fx:", s)
    met = n_errors == 0 and worst < 200
    print(f"Mål (0 fejl, p95 under 200 ms for hver type): {'nået' if met else 'IKKE nået'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
