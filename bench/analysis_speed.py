"""Speed of the analyses of issue 14 on the shipped data (2-core target machine).

1. DEA for all 98 municipalities × every specification of the registry (θ, max-slack phase, super-efficiency),
   target < 2 s. The per-year caches of the area panel are warm, as a running server would have them; the DEA
   results themselves are recomputed in every run (their cache is cleared), so the LPs are what is timed.
2. The DEA bootstrap (Simar–Wilson, B = 500) of all 98 municipalities in one specification, target < 60 s: by
   default the heaviest specification (all areas, four outputs) and the elderly-care one (two outputs); ``--all``
   runs every specification. The one-municipality case (``dea_potential``, what a page or the CLI asks for) too.
3. The population projection for all 98 municipalities × 4 budget years (B, BO1-BO3), target < 2 s, with the
   back-test and the demografiregulering (one municipality, and the overview column for all 98).

Run: ``.venv/bin/python bench/analysis_speed.py [--all]``. Times are medians over several runs where a run is short;
p95 and the maximum are printed next to them (a shared machine has outliers).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any

from raaderum.analysis.dea import DEA_SPECS, DEFAULT_DEA_B, dea_potential, run_dea, run_dea_all
from raaderum.analysis.demography import demographic_pressure, pressure_overview
from raaderum.analysis.key_figures import area_panel
from raaderum.analysis.projection import backtest, project_population
from raaderum.release.reader import embedded_release_dir, open_release

RUNS = 5
DEA_ALL_TARGET_S = 2.0
DEA_BOOTSTRAP_TARGET_S = 60.0
BOOTSTRAP_SPECS = ("alle_omraader", "aeldre")
PROJECTION_TARGET_S = 2.0


def _p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _fresh(rel: Any) -> None:
    """Forget the DEA results (not the area panels), so the next run solves every LP again."""
    rel.__dict__.pop("_dea_cores", None)


def _ok(seconds: float, target: float) -> str:
    return "OK" if seconds < target else "IKKE NÅET"


def bench_dea(rel: Any, year: int) -> None:
    _fresh(rel)
    t = time.perf_counter()
    res = run_dea_all(rel, year, B=0)
    cold = time.perf_counter() - t
    times = []
    for _ in range(RUNS):
        _fresh(rel)
        t = time.perf_counter()
        res = run_dea_all(rel, year, B=0)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    n_units = sum(len(r.units) for r in res.values() if not isinstance(r, Exception))
    print(f"DEA, {len(DEA_SPECS)} specifikationer × 98 kommuner ({n_units} LP'er i fase 1 + max-slack-fase + "
          f"super-effektivitet, {year}): median {med:.2f} s, p95 {_p95(times):.2f} s, maks {max(times):.2f} s over "
          f"{RUNS} kørsler; første kørsel {cold:.2f} s (mål < {DEA_ALL_TARGET_S:g} s: {_ok(med, DEA_ALL_TARGET_S)})")
    for sid, r in res.items():
        if isinstance(r, Exception):
            print(f"  {sid}: ikke mulig i {year}: {r}")
            continue
        s = r.summary
        print(f"  {sid:<20} {s['efficient']:>3} af {s['units']:>2} effektive ({s['strongly_efficient']} uden slack, "
              f"{s['efficient_by_construction']} pr. konstruktion, {len(s['frontier_outliers'])} mulige outliers); "
              f"median θ {s['median_theta']:.3f}")


def bench_bootstrap(rel: Any, year: int, specs: tuple[str, ...]) -> None:
    worst = 0.0
    for sid in specs:
        _fresh(rel)
        run_dea(rel, sid, year, B=0)  # the frontier itself (timed above); the bootstrap is what is timed here
        t = time.perf_counter()
        res = run_dea(rel, sid, year, B=DEFAULT_DEA_B)
        dt = time.perf_counter() - t
        worst = max(worst, dt)
        boot = res.method["bootstrap"]
        print(f"DEA-bootstrap B = {DEFAULT_DEA_B}, {sid} ({len(res.units)} kommuner × {DEFAULT_DEA_B} LP'er, "
              f"båndbredde h = {boot['bandwidth']:.4f}): {dt:.1f} s (mål < {DEA_BOOTSTRAP_TARGET_S:g} s: "
              f"{_ok(dt, DEA_BOOTSTRAP_TARGET_S)})")
    if len(specs) > 1:
        print(f"  langsomste specifikation: {worst:.1f} s")
    one = []
    for code in (751, 101, 825):  # Aarhus, København, Læsø
        _fresh(rel)
        run_dea(rel, "aeldre", year, B=0)
        t = time.perf_counter()
        dea_potential(rel, code, "aeldre", year, B=DEFAULT_DEA_B)
        one.append(time.perf_counter() - t)
    print(f"DEA-potentiale med bånd for én kommune (ældrepleje, B = {DEFAULT_DEA_B}): median "
          f"{statistics.median(one) * 1000:.0f} ms, maks {max(one) * 1000:.0f} ms")


def _fresh_projection(rel: Any) -> None:
    """Forget the projection and its inputs, so the next run reads the release and projects again."""
    for key in ("_projections", "_projection_inputs", "_projection_backtests"):
        rel.__dict__.pop(key, None)


def bench_projection(rel: Any) -> None:
    """3. The population projection of all 98 municipalities × single ages 0-125 to B, BO1-BO3 (from the 2021
    pyramid through the calibrated years 2022-2026), target < 2 s; reading the single ages from the release
    included. Also the back-test and the demografiregulering of one municipality and of the overview column."""
    times, bt_times = [], []
    for _ in range(RUNS):
        _fresh_projection(rel)
        t = time.perf_counter()
        proj = project_population(rel)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        backtest(rel)
        bt_times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(f"Befolkningsfremskrivning, 98 kommuner × enkeltårsaldre 0-125 × {len(proj.budget_years)} budgetår "
          f"({proj.budget_years[0]}-{proj.budget_years[-1]}, indlæsning af aldersfordelingerne medregnet): median "
          f"{med * 1000:.0f} ms, p95 {_p95(times) * 1000:.0f} ms, maks {max(times) * 1000:.0f} ms over {RUNS} "
          f"kørsler (mål < {PROJECTION_TARGET_S:g} s: {_ok(med, PROJECTION_TARGET_S)})")
    print(f"  tilbagetest (alle basis- og måldatoer): median {statistics.median(bt_times) * 1000:.0f} ms")
    one = []
    for code in (751, 101, 825):
        t = time.perf_counter()
        demographic_pressure(rel, code)
        one.append(time.perf_counter() - t)
    t = time.perf_counter()
    pressure_overview(rel)
    ov = time.perf_counter() - t
    print(f"  demografiregulering for én kommune (alle områder): median {statistics.median(one) * 1000:.0f} ms; "
          f"kolonnen 'demografisk pres' for alle 98: {ov * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="bootstrap every specification (takes minutes)")
    args = ap.parse_args()
    gc.freeze()
    t0 = time.perf_counter()
    rel = open_release(embedded_release_dir())
    year = rel.years[-1]
    area_panel(rel, year)
    print(f"Åbning af datarelease og områdetal: {(time.perf_counter() - t0) * 1000:.0f} ms")
    bench_dea(rel, year)
    bench_bootstrap(rel, year, tuple(s.id for s in DEA_SPECS) if args.all else BOOTSTRAP_SPECS)
    bench_projection(rel)


if __name__ == "__main__":
    main()
