"""Speed of the råderum benchmark on the shipped data (2-core target machine).

1. All 98 municipalities × all areas × all references, bootstrap B = 1000 (target < 2 s).
2. One municipality recomputed with new weights: the interactive slider case (target < 100 ms).

Run: ``.venv/bin/python bench/benchmark_speed.py``. The first pass warms the per-year caches (area panel,
structure matrix, national bootstrap), as a running server would have them; the cold time is printed too.
"""

from __future__ import annotations

import statistics
import time

from raaderum.analysis.benchmark import REFERENCES, run_benchmark
from raaderum.release.reader import embedded_release_dir, open_release

RUNS = 5


def main() -> None:
    t0 = time.perf_counter()
    rel = open_release(embedded_release_dir())
    year = rel.years[-1]
    codes = rel.register.codes()
    t1 = time.perf_counter()
    run_benchmark(rel, codes[0], year, B=1000)
    cold = time.perf_counter() - t1
    print(f"Åbning af datarelease: {(t1 - t0) * 1000:.0f} ms; første kørsel (kolde cacher): {cold * 1000:.0f} ms")

    all_times = []
    n_refs = len(REFERENCES)
    for _ in range(RUNS):
        t = time.perf_counter()
        for code in codes:
            res = run_benchmark(rel, code, year, B=1000)
        all_times.append(time.perf_counter() - t)
    n_areas = len(res.areas)
    print(f"Alle {len(codes)} kommuner × {n_areas} områder × {n_refs} referencer, B = 1000 ({year}): "
          f"median {statistics.median(all_times):.2f} s, min {min(all_times):.2f} s over {RUNS} kørsler "
          f"(mål < 2 s)")

    weights = ["ln_population=1.5", "ln_density=0.5,share_80_plus=1.2", "population_growth_5y=2",
               "share_0_5=0.1", "ln_population=1,ln_density=1"]
    one = []
    for _ in range(RUNS):
        for w in weights:
            t = time.perf_counter()
            run_benchmark(rel, "Aarhus", year, weights=w, B=1000)
            one.append(time.perf_counter() - t)
    print(f"Én kommune med nye vægte (Aarhus, B = 1000, 200 stabilitetstrækninger): "
          f"median {statistics.median(one) * 1000:.1f} ms, maks {max(one) * 1000:.1f} ms over {len(one)} kørsler "
          f"(mål < 100 ms)")


if __name__ == "__main__":
    main()
