"""Benchmark: start-up time of the command line, next to a bare ``python -c "import typer"`` in the same run.

Each command runs as a fresh process (subprocess, output discarded) several times, interleaved so that a slow
moment of the machine hits all three alike; one warm-up round is not counted. Reports the median and the
fastest wall time of each, and the difference to the bare import. Target (issue 9): ``raaderum --help`` within
0.3 s of ``import typer``. The median CPU time (user + system) of each process is printed too: on a busy machine
it varies much less than the wall time.

Uses the venv this script runs in: ``sys.executable`` and the ``raaderum`` script next to it.

Run: .venv/bin/python bench/cli_startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.3


def raaderum_command() -> list[str]:
    script = Path(sys.executable).with_name("raaderum")
    return [str(script)] if script.exists() else [sys.executable, "-m", "raaderum"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{proc.stderr}")
    return dt, _children_cpu() - cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11, help="timed runs per command (after one warm-up round)")
    args = ap.parse_args()
    raaderum = raaderum_command()
    commands = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "raaderum --help": [*raaderum, "--help"],
        "raaderum kommuner --json": [*raaderum, "kommuner", "--json"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.runs + 1):
        for name, cmd in commands.items():
            dt, used = timed(cmd)
            if round_:  # round 0 is the warm-up (file cache, .pyc files)
                times[name].append(dt)
                cpu[name].append(used)
    bare = "python -c 'import typer'"
    base = statistics.median(times[bare])
    print(f"{args.runs} runs each, median (fastest) wall time and median CPU time; {' '.join(raaderum)} on "
          f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}:")
    for name, v in times.items():
        med = statistics.median(v)
        extra = "" if name == bare else f"   +{med - base:.3f} s over import typer"
        print(f"  {name:26s} {med:6.3f} s ({min(v):.3f} s), cpu {statistics.median(cpu[name]):.3f} s{extra}")
    diff = statistics.median(times["raaderum --help"]) - base
    verdict = "met" if diff <= TARGET_S else "MISSED"
    print(f"raaderum --help - import typer = {diff:.3f} s (target <= {TARGET_S:.1f} s: {verdict})")


if __name__ == "__main__":
    main()
