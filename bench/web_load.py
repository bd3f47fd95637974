"""Benchmark: the overview and area pages under load against `raaderum serve --workers 2`.

32 concurrent connections for 30 s (closed loop: each connection sends its next request when the previous one
has answered), municipalities and areas drawn at random with a fixed seed; reports req/s, p50, p95 and errors per
page type. Target (issue 5): p95 under 150 ms, no errors. The load generator runs on the same 2-core machine as
the server, so it competes with the server for CPU: the figures are conservative.

With wrk installed (Debian package `wrk`) the load comes from wrk (C, 2 threads, `bench/web_load.lua`), once per
page type and once mixed; without it, from a Python asyncio client (which itself needs much of one core).

Run: .venv/bin/python bench/web_load.py [--seconds 30] [--connections 32] [--workers 2] [--python]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from e2e_support import start_server  # noqa: E402

AREAS = ["dagtilbud", "folkeskole", "sfo", "specialundervisning", "udsatte_boern", "aeldre", "sundhed",
         "beskaeftigelse", "administration", "kultur_fritid", "veje_trafik"]


async def worker(client: httpx.AsyncClient, base: str, codes: list[int], until: float, rng: random.Random,
                 results: dict[str, list[float]], errors: dict[str, int]) -> None:
    while time.perf_counter() < until:
        code = rng.choice(codes)
        if rng.random() < 0.5:
            kind, url = "overview", f"{base}/kommune/{code}"
        else:
            kind, url = "area", f"{base}/kommune/{code}/omraade/{rng.choice(AREAS)}"
        t = time.perf_counter()
        try:
            r = await client.get(url)
            ok = r.status_code == 200
            why = f"HTTP {r.status_code}"
        except httpx.HTTPError as e:
            ok = False
            why = f"{type(e).__name__}: {e}"
        if not ok and not errors[kind]:
            print(f"first error on {url}: {why}")
        dt = (time.perf_counter() - t) * 1000
        if ok:
            results[kind].append(dt)
        else:
            errors[kind] += 1


async def run(base: str, seconds: float, connections: int) -> None:
    from raaderum.release.reader import open_release

    codes = [m.code for m in open_release().register]
    results: dict[str, list[float]] = {"overview": [], "area": []}
    errors = {"overview": 0, "area": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        # warm-up: one request of each kind, not counted
        await client.get(f"{base}/kommune/751")
        await client.get(f"{base}/kommune/751/omraade/aeldre")
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(worker(client, base, codes, until, random.Random(i), results, errors)
                               for i in range(connections)))
        elapsed = time.perf_counter() - start
    total = sum(len(v) for v in results.values())
    print(f"{connections} connections, {seconds:.0f} s, {total} answered requests: {total / elapsed:.1f} req/s, "
          f"errors {sum(errors.values())}")
    for kind, v in results.items():
        if v:
            v.sort()
            p95 = v[int(0.95 * (len(v) - 1))]
            print(f"  {kind:9s} n={len(v):5d}  p50 {statistics.median(v):6.1f} ms  p95 {p95:6.1f} ms  "
                  f"max {v[-1]:6.1f} ms  errors {errors[kind]}  (target p95 < 150 ms)")


def run_wrk(base: str, seconds: float, connections: int) -> None:
    from raaderum.release.reader import open_release

    codes = " ".join(str(m.code) for m in open_release().register)
    script = Path(__file__).with_name("web_load.lua")
    # warm-up (not counted): every worker computes its caches
    subprocess.run(["wrk", "-t2", "-c8", "-d3s", "-s", str(script), base], env={**os.environ, "RAADERUM_CODES": codes},
                   capture_output=True, check=True)
    print(f"wrk, {connections} connections, {seconds:.0f} s per run, random municipality and area (seed 20191125):")
    for mode in ("overview", "area", "mixed"):
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", "-s",
                              str(script), base], env={**os.environ, "RAADERUM_CODES": codes, "RAADERUM_MODE": mode},
                             capture_output=True, text=True, check=True).stdout
        line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
        n, dur, p50, p95, mx, errors = line.split()[1:]
        print(f"  {mode:9s} {int(n) / float(dur):7.1f} req/s  p50 {float(p50):6.1f} ms  p95 {float(p95):6.1f} ms  "
              f"max {float(mx):7.1f} ms  errors {errors}  (target p95 < 150 ms, 0 errors)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--python", action="store_true", help="use the Python client even when wrk is installed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {"RAADERUM_HOME": home, "RAADERUM_DATABASE_URL": f"sqlite:///{home}/bench.sqlite"}
        os.environ.update(env)
        gen = start_server(env, workers=args.workers)
        base = next(gen)
        try:
            if shutil.which("wrk") and not args.python:
                run_wrk(base, args.seconds, args.connections)
            else:
                asyncio.run(run(base, args.seconds, args.connections))
        finally:
            gen.close()


if __name__ == "__main__":
    main()
