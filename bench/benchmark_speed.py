"""Speed of the råderum benchmark on the shipped data (2-core target machine).

1. All 98 municipalities × all areas × all references, bootstrap B = 1000 (target < 2 s), with the standard peer
   model, with every area's own model (``peer_model="auto"``, four peer sets per municipality) and in fixed prices.
2. One municipality recomputed with new weights: the interactive slider case (target < 20 ms), for every peer model.

Run: ``.venv/bin/python bench/benchmark_speed.py``. The first pass warms the per-year caches (area panel,
structure matrices, national bootstrap), as a running server would have them; the cold time is printed too.
Times are medians over several runs; p95 and the maximum are printed next to them (a shared machine has outliers).
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from raaderum.analysis.benchmark import REFERENCES, run_benchmark
from raaderum.analysis.peers import load_peer_models
from raaderum.release.reader import embedded_release_dir, open_release

RUNS = 5
ALL_TARGET_S = 2.0
ONE_TARGET_MS = 20.0


def _p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _all(rel: Any, year: int, **kw: Any) -> tuple[list[float], int]:
    codes = rel.register.codes()
    times = []
    n_areas = 0
    for _ in range(RUNS):
        t = time.perf_counter()
        for code in codes:
            res = run_benchmark(rel, code, year, B=1000, **kw)
        times.append(time.perf_counter() - t)
        n_areas = len(res.areas)
    return times, n_areas


def main() -> None:
    gc.freeze()
    t0 = time.perf_counter()
    rel = open_release(embedded_release_dir())
    year = rel.years[-1]
    codes = rel.register.codes()
    t1 = time.perf_counter()
    run_benchmark(rel, codes[0], year, B=1000)
    cold = time.perf_counter() - t1
    print(f"Åbning af datarelease: {(t1 - t0) * 1000:.0f} ms; første kørsel (kolde cacher): {cold * 1000:.0f} ms")
    for label, kw in (("standardmodellen", {}), ("områdernes egne modeller (auto)", {"peer_model": "auto"}),
                      ("faste priser, standardmodellen", {"prices": "faste"})):
        run_benchmark(rel, codes[0], year, B=1000, **kw)  # warm this variant's caches
        times, n_areas = _all(rel, year, **kw)
        ok = "OK" if statistics.median(times) < ALL_TARGET_S else "IKKE NÅET"
        print(f"Alle {len(codes)} kommuner × {n_areas} områder × {len(REFERENCES)} referencer, B = 1000 ({year}), "
              f"{label}: median {statistics.median(times):.2f} s, maks {max(times):.2f} s over {RUNS} kørsler "
              f"(mål < {ALL_TARGET_S:g} s: {ok})")

    weights = {
        "standard": ["ln_population=1.5", "ln_density=0.5,share_80_plus=1.2", "population_growth_5y=2",
                     "socioeconomic_index=2.5", "unemployment_rate=1,higher_education_share=0"],
        "aeldre": ["share_80_plus=3", "ln_density=2", "socioeconomic_index=0", "share_67_plus=0.5",
                   "ln_population=1"],
        "skole": ["share_6_16=3", "socioeconomic_index=0.5", "higher_education_share=2", "ln_density=0",
                  "unemployment_rate=1"],
        "beskaeftigelse": ["unemployment_rate=3", "higher_education_share=0", "socioeconomic_index=2",
                           "ln_density=1", "share_65_plus=1"],
    }
    for model in load_peer_models():
        run_benchmark(rel, "Aarhus", year, B=1000, peer_model=model)
        one = []
        for _ in range(RUNS):
            for w in weights[model]:
                t = time.perf_counter()
                run_benchmark(rel, "Aarhus", year, weights=w, B=1000, peer_model=model)
                one.append(time.perf_counter() - t)
        ok = "OK" if statistics.median(one) * 1000 < ONE_TARGET_MS else "IKKE NÅET"
        print(f"Én kommune med nye vægte (Aarhus, model {model}, B = 1000, 200 stabilitetstrækninger): "
              f"median {statistics.median(one) * 1000:.1f} ms, p95 {_p95(one) * 1000:.1f} ms, maks "
              f"{max(one) * 1000:.1f} ms over {len(one)} kørsler (mål < {ONE_TARGET_MS:g} ms: {ok})")


if __name__ == "__main__":
    main()
