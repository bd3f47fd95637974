"""Benchmark: what the web stack costs per request, next to a bare Starlette "hello" app in the same run.

Three targets, one after the other, each for the same time at the same number of connections (closed loop: a
connection sends its next request when the previous one has answered), each on ONE worker process:

* a bare Starlette app answering "hello" (uvicorn with its defaults, no access log): the ceiling;
* ``/healthz`` of ``raaderum serve --workers 1`` with its default settings: the cost of Råderum's middleware
  (the page cache included), routing and JSON answer;
* ``/kommune/751`` of a second ``raaderum serve --workers 1`` with the page cache off (``RAADERUM_PAGE_CACHE=0``):
  an overview page rendered for every request (the benchmark itself is computed once per process and kept);
* for comparison, not a target: ``/kommune/751`` of the first server, answered from the page cache.

Targets (issue 9): ``/healthz`` at 50 % or more of the bare app, the uncached overview at 10 % or more. The
baseline in the issue: ``/healthz`` 615 vs bare 5,334 req/s (12 %), uncached overview 238 req/s (4.5 %).

With wrk installed (Debian package `wrk`) the load comes from wrk (C, 2 threads); without it, from a Python
client (threads, one ``httpx.Client`` each), which itself needs much of one core and caps the rate it can
measure, so the percentages are only indicative. The load generator runs on the same machine as the server and
competes with it for CPU: the figures are conservative.

Run: .venv/bin/python bench/web_overhead.py [--seconds 10] [--connections 32] [--python]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from e2e_support import free_port, start_server  # noqa: E402

BARE_APP = '''\
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("hello")


app = Starlette(routes=[Route("/", hello)])
'''
BASELINE = {"bare": 5334.0, "healthz": 615.0, "overview": 238.0}
TARGET_SHARE = {"healthz": 0.50, "overview": 0.10}


@contextmanager
def bare_server(folder: Path) -> Iterator[str]:
    """uvicorn serving the bare Starlette app on a free port, one worker, as ``raaderum serve`` runs uvicorn."""
    (folder / "bare_hello.py").write_text(BARE_APP, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bare_hello:app", "--app-dir", str(folder), "--host",
                             "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
                             "--no-access-log"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the bare uvicorn app stopped")
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.time() > deadline:
                    raise RuntimeError("the bare uvicorn app did not start within 30 s") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def load_wrk(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """req/s and the number of errors (socket errors and non-2xx/3xx answers) from wrk."""
    subprocess.run(["wrk", "-t2", f"-c{connections}", "-d2s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, errors + (int(bad.group(1)) if bad else 0)


def load_python(url: str, seconds: float, connections: int) -> tuple[float, int]:
    """req/s and errors from ``connections`` threads, each with its own keep-alive ``httpx.Client``."""
    counts = [0] * connections
    errors = [0] * connections
    start = threading.Barrier(connections + 1)
    until = [0.0]

    def run(i: int) -> None:
        with httpx.Client(timeout=10) as client:
            client.get(url)  # connect and warm up, not counted
            start.wait()
            while time.perf_counter() < until[0]:
                try:
                    ok = client.get(url).status_code < 400
                except httpx.HTTPError:
                    ok = False
                if ok:
                    counts[i] += 1
                else:
                    errors[i] += 1

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    until[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - t0), sum(errors)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--python", action="store_true", help="use the Python client even when wrk is installed")
    args = ap.parse_args()
    use_wrk = bool(shutil.which("wrk")) and not args.python
    load = load_wrk if use_wrk else load_python
    load_before = os.getloadavg()[0]
    results: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with bare_server(folder) as base:
            results["bare"] = load(base + "/", args.seconds, args.connections)
        env = {"RAADERUM_HOME": tmp, "RAADERUM_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite"}
        os.environ.update(env)
        for extra, targets in (({"RAADERUM_PAGE_CACHE": "1"}, (("healthz", "/healthz"), ("cached", "/kommune/751"))),
                               ({"RAADERUM_PAGE_CACHE": "0"}, (("overview", "/kommune/751"),))):
            gen = start_server({**env, **extra}, workers=1)
            base = next(gen)
            try:
                for name, path in targets:
                    results[name] = load(base + path, args.seconds, args.connections)
            finally:
                gen.close()
    bare = results["bare"][0]
    client = "wrk -t2" if use_wrk else "Python threads + httpx (caps the measurable rate)"
    print(f"{args.connections} connections, {args.seconds:.0f} s each, one worker, load from {client}; "
          f"load average before the run {load_before:.2f}:")
    labels = {"bare": "bare Starlette hello", "healthz": "/healthz",
              "overview": "/kommune/751 (page cache off)", "cached": "/kommune/751 (page cache on)"}
    for name in ("bare", "healthz", "overview", "cached"):
        rate, errors = results[name]
        share = rate / bare if bare else 0.0
        line = f"  {labels[name]:31s} {rate:8.1f} req/s  {share:6.1%} of bare  errors {errors}"
        if name in TARGET_SHARE:
            verdict = "met" if share >= TARGET_SHARE[name] else "MISSED"
            base_share = BASELINE[name] / BASELINE["bare"]
            line += f"  (target >= {TARGET_SHARE[name]:.0%}: {verdict}; issue baseline {base_share:.1%})"
        print(line)


if __name__ == "__main__":
    main()
