"""Benchmark: build a data release from a generated REGK31-shaped table of ~10 million rows, then query it.

Targets (issue 2): build under 30 s and under 2 GiB peak memory; key figures for one municipality under 20 ms.
Run: .venv/bin/python bench/release_build.py [--rows-scale 1.0]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ARTS = ["TOT", "UE", "I", "LOEN", "KOEB"]  # net + four other kinds the builder must ignore
YEARS = list(range(2015, 2025))


def generate(n_functions: int) -> tuple[object, int]:
    from raaderum.release.build import ReleaseInputs
    from raaderum.release.reader import embedded_release_dir, open_release

    rel = open_release(embedded_release_dir())
    munis = list(rel.register)
    codes = np.array([m.code for m in munis])
    real = list(rel.function_labels)
    synthetic = [f"{h}.{hf:02d}.{f:02d}" for h in range(10) for hf in range(10, 100) for f in range(1, 100)]
    functions = real + [f for f in synthetic if f not in real][: n_functions - len(real)]
    rng = np.random.default_rng(7)
    pop = {(int(c), y): float(rng.integers(2_000, 600_000)) for c in codes for y in YEARS}
    n_m, n_f, n_y = len(codes), len(functions), len(YEARS)
    base = rng.gamma(2.0, 400.0, size=(n_m, n_f, n_y))  # kr. per inhabitant, net
    weights = np.array([[pop[(int(c), y)] for y in YEARS] for c in codes])  # (m, y)
    national = (base * weights[:, None, :]).sum(axis=0) / weights.sum(axis=0)[None, :]  # (f, y)
    per_inh = np.concatenate([national[None], base], axis=0)  # row 0 = Hele landet
    all_codes = np.concatenate([[0], codes])
    nat_pop = weights.sum(axis=0)
    pops = np.concatenate([nat_pop[None], weights], axis=0)  # (m+1, y)
    M = n_m + 1
    # Full cartesian product: municipality × function × year × dranst × unit × art.
    m_idx, f_idx, y_idx, d_idx, u_idx, a_idx = np.meshgrid(np.arange(M), np.arange(n_f), np.arange(n_y),
                                                          np.arange(2), np.arange(2), np.arange(len(ARTS)),
                                                          indexing="ij")
    m_idx, f_idx, y_idx = m_idx.ravel(), f_idx.ravel(), y_idx.ravel()
    d_idx, u_idx, a_idx = d_idx.ravel(), u_idx.ravel(), a_idx.ravel()
    net = per_inh[m_idx, f_idx, y_idx]
    share = np.where(d_idx == 0, 1.1, -0.1)
    value = np.where(u_idx == 0, net, net * pops[m_idx, y_idx] / 1000) * share
    value = np.where(a_idx == 0, value, value * 0.37)
    fn_arr = pa.array(functions).take(pa.array(f_idx))
    table = pa.table({
        "municipality_code": pa.array(all_codes[m_idx].astype(np.int32)),
        "function": fn_arr,
        "year": pa.array(np.array(YEARS, dtype=np.int32)[y_idx]),
        "dranst": pa.array((d_idx + 1).astype(np.int32)),
        "art": pa.array(ARTS).take(pa.array(a_idx)),
        "unit": pa.array(["INDL", "LOBM"]).take(pa.array(u_idx)),
        "value": pa.array(value),
    })
    population = pa.table({
        "municipality_code": pa.array([c for (c, _y) in pop], pa.int32()),
        "year": pa.array([y for (_c, y) in pop], pa.int32()),
        "population": pa.array(list(pop.values()), pa.float64()),
    })
    ages = np.arange(100)
    by_age = {"municipality_code": [], "year": [], "age": [], "persons": []}  # type: dict[str, list[int]]
    for c in codes:
        p = pop[(int(c), 2021)]
        w = np.exp(-ages / 60.0)
        counts = np.floor(w / w.sum() * p).astype(int)
        counts[0] += int(p - counts.sum())
        for a, n in zip(ages, counts, strict=True):
            by_age["municipality_code"].append(int(c))
            by_age["year"].append(2021)
            by_age["age"].append(int(a))
            by_age["persons"].append(int(n))
    inputs = ReleaseInputs(
        kind="bench", description="Genereret REGK31-formet tabel til hastighedsmåling (ikke rigtige tal)",
        municipalities=munis, function_labels={f: f"Funktion {f}" for f in functions}, expenditure=table,
        population=population, population_by_age=pa.table({k: pa.array(v, pa.int32()) for k, v in by_age.items()}))
    return inputs, table.num_rows


def child(out: str, n_functions: int) -> None:
    from raaderum.release.build import build_release

    t0 = time.perf_counter()
    inputs, rows = generate(n_functions)
    t1 = time.perf_counter()
    build_release(inputs, Path(out))  # type: ignore[arg-type]
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"rows": rows, "generate_s": t1 - t0, "build_s": t2 - t1, "peak_bytes": peak}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--functions", type=int, default=500)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.functions)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench-release"
        res = subprocess.run([sys.executable, __file__, "--child", str(out), "--functions", str(args.functions)],
                             capture_output=True, text=True, check=False)
        if res.returncode:
            print(res.stdout, res.stderr)
            raise SystemExit(res.returncode)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"Input rows (REGK31-shaped):       {r['rows']:,}")
        print(f"Generate input:                   {r['generate_s']:.2f} s (not part of the target)")
        print(f"Build release (incl. checks):     {r['build_s']:.2f} s   (target < 30 s)")
        print(f"Peak memory of the build process: {r['peak_bytes'] / 2**30:.2f} GiB (target < 2 GiB; "
              "includes the generated input)")

        from raaderum.analysis.key_figures import key_figures
        from raaderum.release.reader import Release

        t = time.perf_counter()
        rel = Release(out)
        print(f"Open + verify release:            {(time.perf_counter() - t) * 1000:.0f} ms")
        codes = [m.code for m in rel.register]
        times = []
        for i in range(40):
            t = time.perf_counter()
            key_figures(rel, codes[i % len(codes)], 2024)
            times.append((time.perf_counter() - t) * 1000)
        print(f"Key figures, one municipality:    first {times[0]:.1f} ms, median {statistics.median(times[1:]):.1f} "
              f"ms, p95 {np.percentile(times[1:], 95):.1f} ms (target < 20 ms)")


if __name__ == "__main__":
    main()
