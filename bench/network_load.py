"""Benchmark: the råderumsnetværk's pages under load (issue 15) on `raaderum serve --workers 2`.

Seeds a fresh app store with the sample idea bank and "200 municipalities' worth" of network data. There are
only 98 municipalities, and a municipality has at most one mark per proposal, so the volume of 200 is reached by
200 municipality SLOTS spread over the 98 (slot i belongs to municipality i mod 98; about two slots each): every
slot adds 2 marks ("Vi arbejder med dette", with a contact person) and 2 experiences (realised amounts, what
worked, what did not), i.e. 400 marks, 400 experiences and one contact per municipality. The marks are
concentrated on a "hot" set of 50 proposals (8 marks each on average), so a proposal page shows many
municipalities. 20 networks of 10 members each (200 memberships, every municipality in at least two), each with
a meeting and a shared shortlist.

Then 32 logged-in editors (32 connections, a closed loop: a connection sends its next request when the previous
one has answered, no think time) take turns over their network's page (/netvaerk/<id>: members, marks with
contacts, experiences, shares, meetings), a hot proposal page (/idebank/<id> with "Vi arbejder med dette") and,
for comparison, their workspace (/arbejdsrum, an existing logged-in page; no target). Prints p50/p95 per page.
Target: under 100 ms p95 for the network and the proposal page.

With wrk, each page kind first gets --warmup seconds of the same load from cold caches ("kold", printed, not part
of the target), then --seconds measured ("målt"). What the caches do: a logged-in network, proposal or lever page
is kept for the session that saw it while the app store's audit revision is unchanged (web/cache.py), and what
every viewer sees alike (marks, experiences, a network's members) is kept per revision (RevisionMemo in
store/audit.py). --no-cache serves with RAADERUM_PAGE_CACHE=0: every page is rendered (the shared reads are
still kept), which is what a user's FIRST view of a page costs.

The load generator (wrk, or Python asyncio + httpx) runs on the same machine as the server and competes with it
for CPU: the figures are conservative.

Run: .venv/bin/python bench/network_load.py [--seconds 20] [--warmup 5] [--connections 32] [--workers 2] [--sqlite]
     [--no-cache]
     (PostgreSQL from RAADERUM_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test; a
     fresh database, dropped at the end. --sqlite: a SQLite file instead)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from e2e_support import start_server  # noqa: E402

PASSWORD = "korrekt-hest-batteri"
SLOTS, MARKS_PER_SLOT, EXPERIENCES_PER_SLOT, NETWORKS, MEMBERS, HOT = 200, 2, 2, 20, 10, 50
STATUSES = ["overvejer", "i_gang", "gennemfoert", "opgivet"]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TEXTS = ["Fælles udbud med nabokommunerne gav bedre priser.", "Lang leveringstid og modstand i organisationen.",
         "Velfærdsteknologi i hjemmeplejen frigjorde tid.", "LED i gadebelysningen tjente sig hjem på fire år.",
         "Rehabilitering før hjemmehjælp virkede for de fleste borgere.", "Vikarforbruget faldt kun langsomt."]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def seed(url: str, connections: int) -> dict[str, Any]:
    """The schema, the sample idea bank, users, contacts, marks, experiences and networks."""
    from raaderum.release.reader import open_release
    from raaderum.server import network as net
    from raaderum.server.accounts import hash_password
    from raaderum.server.permissions import SYSTEM_ACTOR
    from raaderum.store.engine import migrate
    from raaderum.store.ideas import IdeaStore
    from raaderum.store.models import Contact, Experience, NetworkShare, Proposal, User, WorkMark

    migrate(url)
    rng = random.Random(2027)
    with IdeaStore(url) as store:
        store.ensure_sample()
        engine = store.engine
        codes = sorted(m.code for m in open_release().register)
        now = datetime.now(UTC)
        with Session(engine) as s:
            pids = list(s.scalars(select(Proposal.id).order_by(Proposal.id)))
        hot = pids[:HOT]
        pw = hash_password(PASSWORD)
        with Session(engine) as s, s.begin():
            s.execute(insert(User), [{"name": f"redaktoer-{c}", "role": "editor", "municipality_code": c,
                                      "password_hash": pw, "disabled": False, "created_at": now} for c in codes])
            s.execute(insert(Contact), [{"municipality_code": c, "name": f"Kontakt {c}", "role": "Budgetchef",
                                         "email": f"budget@k{c}.dk", "created_at": now, "created_by": "bench",
                                         "updated_at": now, "updated_by": "bench", "version": 1} for c in codes])
        with Session(engine) as s:
            contact_of = {c: i for i, c in s.execute(select(Contact.id, Contact.municipality_code))}
        marks, exps, used = [], [], set()
        for slot in range(SLOTS):
            code = codes[slot % len(codes)]
            for _ in range(MARKS_PER_SLOT):
                pid = rng.choice([p for p in hot if (code, p) not in used] or pids)
                used.add((code, pid))
                marks.append({"municipality_code": code, "target_kind": "proposal", "target_id": str(pid),
                              "status": rng.choice(STATUSES), "contact_id": contact_of[code], "note": "",
                              "created_at": now, "created_by": "bench", "updated_at": now, "updated_by": "bench",
                              "version": 1})
            for _ in range(EXPERIENCES_PER_SLOT):
                pid = rng.choice(hot)
                exps.append({"municipality_code": code, "title": f"Erfaring fra {code} med forslag {pid}",
                             "proposal_id": pid, "realised": {"2025": -rng.randint(100, 3000) * 1.0,
                                                              "2026": -rng.randint(100, 3000) * 1.0},
                             "what_worked": rng.choice(TEXTS), "what_did_not": rng.choice(TEXTS),
                             "contact_id": contact_of[code], "public": rng.random() < 0.5, "created_at": now,
                             "created_by": "bench", "updated_at": now, "updated_by": "bench", "version": 1})
        with Session(engine) as s, s.begin():
            s.execute(insert(WorkMark), marks)
            s.execute(insert(Experience), exps)
        networks: list[tuple[int, list[int]]] = []
        order = codes * 3
        for i in range(NETWORKS):
            members = list(dict.fromkeys(order[i * MEMBERS:(i + 1) * MEMBERS]))
            n = net.create_network(engine, SYSTEM_ACTOR, f"Råderumsnetværk {i + 1}", municipalities=members)
            net.create_meeting(engine, SYSTEM_ACTOR, n.id, {"title": f"Netværksmøde {i + 1}", "held_on": "2027-03-15",
                                                            "agenda": "Kortlister og erfaringer",
                                                            "minutes": "Referat."})
            networks.append((n.id, members))
        with Session(engine) as s, s.begin():
            s.execute(insert(NetworkShare), [{"network_id": nid, "municipality_code": m[0], "kind": "shortlist",
                                              "scenario_id": None, "created_at": now, "created_by": "bench"}
                                             for nid, m in networks])
    # the users: one editor per connection, each a member of a network (round robin over the networks)
    people = []
    for i in range(connections):
        nid, members = networks[i % len(networks)]
        code = members[(i // len(networks)) % len(members)]
        people.append((f"redaktoer-{code}", nid))
    return {"people": people, "hot": hot, "marks": len(marks), "experiences": len(exps), "networks": len(networks)}


class Client:
    def __init__(self, base: str, name: str, network: int, rng: random.Random) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=30)
        self.name, self.network, self.rng = name, network, rng

    async def login(self) -> None:
        page = await self.http.get("/login")
        token = CSRF_RE.search(page.text)
        assert token, "no CSRF token on the login page"
        r = await self.http.post("/login", data={"name": self.name, "password": PASSWORD,
                                                 "csrf_token": token.group(1), "next": "/"})
        assert r.status_code == 303, f"login failed for {self.name}: {r.status_code}"


async def logged_in_pairs(base: str, people: list[tuple[str, int]], hot: list[int]) -> dict[str, list[str]]:
    """Log every editor in (httpx) and return, per page kind, "cookie|path" lines for wrk."""
    rng = random.Random(15)
    clients = [Client(base, n, nid, random.Random(rng.random())) for n, nid in people]
    try:
        gate = asyncio.Semaphore(8)

        async def log_in(c: Client) -> None:
            async with gate:
                await c.login()

        await asyncio.gather(*(log_in(c) for c in clients))
        out: dict[str, list[str]] = defaultdict(list)
        for c in clients:
            cookie = "; ".join(f"{k}={v}" for k, v in c.http.cookies.items())
            out["network"].append(f"{cookie}|/netvaerk/{c.network}")
            out["proposal"] += [f"{cookie}|/idebank/{pid}" for pid in c.rng.sample(hot, 5)]
            out["workspace"].append(f"{cookie}|/arbejdsrum")
            for path in (f"/netvaerk/{c.network}", f"/idebank/{hot[0]}"):  # warm the workers
                r = await c.http.get(path)
                assert r.status_code == 200, (path, r.status_code)
        return out
    finally:
        await asyncio.gather(*(c.http.aclose() for c in clients))


def run_wrk(base: str, pairs: dict[str, list[str]], seconds: float, connections: int,
            warmup: float) -> dict[tuple[str, str], tuple[float, ...]]:
    """wrk (C, 2 threads) per page kind, first ``warmup`` seconds from cold caches ("cold"), then ``seconds``
    measured ("warm"): requests/s, p50, p95, max (ms), errors."""
    script = Path(__file__).with_name("network_load.lua")
    out = {}
    for kind, lines in pairs.items():
        env = {**os.environ, "RAADERUM_PAIRS": "\n".join(lines)}
        for phase, secs in (("cold", warmup), ("warm", seconds)):
            if secs <= 0:
                continue
            res = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(secs)}s", "--timeout", "10s", "-s",
                                  str(script), base], env=env, capture_output=True, text=True, check=True).stdout
            line = next(ln for ln in res.splitlines() if ln.startswith("RESULT"))
            n, dur, p50, p95, mx, errors = line.split()[1:]
            out[(kind, phase)] = (int(n) / float(dur), float(p50), float(p95), float(mx), int(errors))
    return out


async def run(base: str, people: list[tuple[str, int]], hot: list[int],
              seconds: float) -> tuple[dict[str, list[float]], dict[str, int], float]:
    rng = random.Random(15)
    clients = [Client(base, n, nid, random.Random(rng.random())) for n, nid in people]
    try:
        gate = asyncio.Semaphore(8)  # the per-address login limit counts logins in flight

        async def log_in(c: Client) -> None:
            async with gate:
                await c.login()

        await asyncio.gather(*(log_in(c) for c in clients))
        # warm every worker (first renders, caches) before measuring
        for c in clients:
            await c.http.get(f"/netvaerk/{c.network}")
            await c.http.get(f"/idebank/{hot[0]}")
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        start = time.perf_counter()
        until = start + seconds

        async def loop(c: Client) -> None:
            turn = c.rng.randrange(3)
            while time.perf_counter() < until:
                turn = (turn + 1) % 3
                kind, path = [("network", f"/netvaerk/{c.network}"), ("proposal", f"/idebank/{c.rng.choice(hot)}"),
                              ("workspace", "/arbejdsrum")][turn]
                t0 = time.perf_counter()
                try:
                    r = await c.http.get(path)
                    ok = r.status_code == 200 and ("Vi arbejder med dette" in r.text or kind != "proposal")
                except httpx.HTTPError:
                    ok = False
                latencies[kind].append((time.perf_counter() - t0) * 1000)
                if not ok:
                    errors[kind] += 1

        await asyncio.gather(*(loop(c) for c in clients))
        return latencies, errors, time.perf_counter() - start
    finally:
        await asyncio.gather(*(c.http.aclose() for c in clients))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of load before the measured seconds (wrk)")
    ap.add_argument("--no-cache", action="store_true", help="serve with RAADERUM_PAGE_CACHE=0 (every page rendered)")
    ap.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                    help="load generator: wrk (C; Debian package `wrk`) when installed, else Python (asyncio+httpx)")
    args = ap.parse_args()
    admin_url = os.environ.get("RAADERUM_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    with tempfile.TemporaryDirectory() as home:
        if args.sqlite:
            url = f"sqlite:///{Path(home) / 'bench.sqlite'}"
        else:
            name = f"raaderum_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        try:
            t = time.perf_counter()
            info = seed(url, args.connections)
            print(f"Fyldt på {time.perf_counter() - t:.1f} s: {info['marks']} markeringer, {info['experiences']} "
                  f"erfaringer ({SLOTS} kommune-pladser over de 98 kommuner), {info['networks']} netværk à "
                  f"{MEMBERS} medlemmer, {len(info['hot'])} forslag med markeringer")
            env = {"RAADERUM_DATABASE_URL": url, "RAADERUM_HOME": home}
            if args.no_cache:
                env["RAADERUM_PAGE_CACHE"] = "0"
            server = start_server(env, workers=args.workers)
            base = next(server)
            use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
            try:
                if use_wrk:
                    pairs = asyncio.run(logged_in_pairs(base, info["people"], info["hot"]))
                    results = run_wrk(base, pairs, args.seconds, args.connections, args.warmup)
                else:
                    latencies, errors, elapsed = asyncio.run(run(base, info["people"], info["hot"], args.seconds))
            finally:
                server.close()
        finally:
            if not args.sqlite:
                admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
                admin.dispose()
    db = "SQLite" if args.sqlite else "PostgreSQL"
    if use_wrk:
        print(f"\nwrk, {args.connections} forbindelser (logget ind, {len(info['people'])} brugere), "
              f"{args.workers} arbejdsprocesser, {db}, {args.seconds:.0f} s pr. side:")
        print(f"{'side':<12}{'gennemløb':<11}{'req/s':>8}{'p50 ms':>10}{'p95 ms':>10}{'maks ms':>10}{'fejl':>7}")
        for (kind, phase), (rps, p50, p95, mx, err) in results.items():
            label = "kold" if phase == "cold" else "målt"
            print(f"{kind:<12}{label:<11}{rps:>8.1f}{p50:>10.1f}{p95:>10.1f}{mx:>10.1f}{err:>7}")
        cache = "SLÅET FRA" if args.no_cache else "slået til"
        print(f"(kold = de første {args.warmup:.0f} s fra tomme mellemlagre, ikke med i målet; målt = de næste "
              f"{args.seconds:.0f} s. Mellemlageret af sider pr. session er {cache} (RAADERUM_PAGE_CACHE).)")
        met = all(results[(k, "warm")][4] == 0 and results[(k, "warm")][2] < 100 for k in ("network", "proposal"))
        print("(workspace = /arbejdsrum, en eksisterende side for brugere, der er logget ind: kun til sammenligning)")
        print(f"Mål (0 fejl, p95 under 100 ms for netværks- og forslagssiden): {'nået' if met else 'IKKE nået'}")
        return 0
    total = sum(len(v) for v in latencies.values())
    print(f"\n{args.connections} forbindelser (logget ind), {args.workers} arbejdsprocesser, {db}, {elapsed:.0f} s: "
          f"{total} forespørgsler, {total / elapsed:.1f} req/s, {sum(errors.values())} fejl")
    print(f"{'side':<12}{'antal':>8}{'p50 ms':>10}{'p95 ms':>10}{'maks ms':>10}{'fejl':>7}")
    worst = 0.0
    for kind in ("network", "proposal", "workspace"):
        v = latencies.get(kind, [])
        if not v:
            continue
        p95 = percentile(v, 95)
        if kind != "workspace":
            worst = max(worst, p95)
        print(f"{kind:<12}{len(v):>8}{statistics.median(v):>10.1f}{p95:>10.1f}{max(v):>10.1f}{errors[kind]:>7}")
    met = not sum(errors.values()) and worst < 100
    print("(workspace = /arbejdsrum, en eksisterende side for brugere, der er logget ind: kun til sammenligning)")
    print(f"Mål (0 fejl, p95 under 100 ms for netværks- og forslagssiden): {'nået' if met else 'IKKE nået'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
