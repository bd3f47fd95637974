"""Speed of the råderumskatalog (issue 13): a catalogue of 300 proposals over 8 committees and 5 scenarios.

    .venv/bin/python bench/catalogue_speed.py [--proposals 300] [--runs 100] [--no-documents]

Measures the pages as served: the web app is started with its lifespan (``RAADERUM_WARM_UP=1``: the warm-up of the
release's caches and the search index, then the app's own ``gc.freeze()``, as ``raaderum serve`` does) and driven
in-process through Starlette's TestClient by a logged-in editor: every middleware (security headers, page cache,
session, CSRF), the route, the database reads and the template; not the socket and HTTP parsing of uvicorn. The
catalogue page (target < 100 ms, p95 quoted) is timed with the garbage collector's pauses during the run counted per
generation; for comparison also in an app started without warm-up (no ``gc.freeze()``: every full collection walks
the release and the caches). Then a scenario page, the committee PDF of the largest committee (target < 5 s) and of
one scenario, the Word and Excel material, and the whole catalogue as one PDF. Prints the figures; asserts nothing.
Fixed seed; a temporary SQLite app store (RAADERUM_HOME in a temporary folder).

What made the page slow (issue 13: median 31 ms, p95 121 ms), found with cProfile, a time breakdown per step and
the collector's callbacks: (1) per-request recomputation: the sums of the five scenarios were computed twice per
request, through ~50.000 ORM attribute reads a request, and the area names were rebuilt for every proposal (now one
pass over plain values, once per request); (2) the tail was the cyclic garbage collector: the old bench ran an app
without its warm-up, so nothing was frozen and every full collection walked the release's and the caches' ~280.000
objects (up to several hundred ms), and through the test client each rendered page also stayed in a reference
cycle (Starlette's ``http.response.debug`` extension, which only test clients use, keeps a TemplateResponse's
context: the report with its 300 ORM objects, ~3.700 objects a request). The catalogue pages are now rendered to a
string, so nothing holds the context and the whole page is freed by reference counting under any server.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

AREAS = ["dagtilbud", "folkeskole", "sfo", "specialundervisning", "udsatte_boern", "aeldre", "sundhed", "misbrug",
         "beskaeftigelse", "administration", "kultur_fritid", "veje_trafik", "groenne_omraader", "ejendomme",
         "indkoeb", "digitalisering", "organisering"]
WORDS = ["Samling", "Digital", "Fælles", "Omlægning", "Færre", "Bedre", "Tidlig", "Ny", "Styrket", "Mindre"]
THINGS = ["visitation", "rengøring", "indkøb af hjælpemidler", "vikardækning", "ledelse", "kørsel", "bygninger",
          "åbningstider", "selvbetjening", "rehabilitering", "energiforbrug", "specialtilbud"]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms".replace(",", "X").replace(".", ",").replace("X", ".")


def _s(seconds: float) -> str:
    return f"{seconds:,.2f} s".replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=300)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--no-documents", action="store_true", help="only the pages (skip PDF, Word and Excel)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="raaderum-katalog-bench-"))
    os.environ.update({"RAADERUM_HOME": str(tmp), "RAADERUM_DATABASE_URL": f"sqlite:///{tmp / 'app.sqlite'}",
                       "RAADERUM_WARM_UP": "0"})
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

    import conftest_accounts as ca

    from raaderum.server import catalogue as cs
    from raaderum.server import workspace as ws
    from raaderum.server.permissions import SYSTEM_ACTOR
    from raaderum.store.engine import make_engine, migrate
    from raaderum.store.ideas import IdeaStore

    url = os.environ["RAADERUM_DATABASE_URL"]
    migrate(url)
    with IdeaStore(url) as store:
        store.ensure_sample()
    engine = make_engine(url)
    editor = ca.make_user(engine, "bench-redaktoer", "editor", 751)
    # the municipality's own name for one committee: 8 committees in all (the catalogue's default has 7)
    ws.set_committee(engine, SYSTEM_ACTOR, 751, "sundhed", "Sundheds- og Forebyggelsesudvalget")
    from raaderum.store.committees import committee_mapping

    mapping = committee_mapping(engine, 751)
    by_committee_areas: dict[str, list[str]] = {}
    for area in AREAS:
        by_committee_areas.setdefault(mapping[area], []).append(area)
    names = sorted(by_committee_areas)
    assert len(names) == 8, names
    rng = random.Random(20261201)
    t0 = time.perf_counter()
    c = cs.create_catalogue(engine, editor, 751, 2027, "Råderumskatalog 2027 (bench)")
    ids = []
    for i in range(args.proposals):
        amounts = sorted((rng.randint(-4000, 300) for _ in range(4)), reverse=True)
        area = rng.choice(by_committee_areas[names[i % len(names)]])  # spread evenly over the 8 committees
        fields = {"title": f"{rng.choice(WORDS)} {rng.choice(THINGS)} nr. {i + 1}", "area_id": area,
                  "description": " ".join(rng.choice(THINGS) for _ in range(40)),
                  "consequences_service": "Ingen mærkbare ændringer for borgerne i de fleste tilfælde.",
                  "consequences_staff": "Færre stillinger over tre år, klares ved naturlig afgang.",
                  "consequences_citizens": "Kortere ventetid i den digitale løsning.",
                  **{f"amount_{p}": str(a) for p, a in zip(("b", "bo1", "bo2", "bo3"), amounts, strict=True)},
                  "one_off_investment": str(rng.choice([0, 0, 250, 1000])), "staff_effect": str(rng.randint(-5, 1)),
                  "owner": rng.choice(["Økonomichefen", "Direktøren", "Centerchefen"])}
        p = cs.add_proposal(engine, editor, c.id, fields)
        if rng.random() < 0.4:
            p = cs.set_status(engine, editor, p.id, p.version, rng.choice(["under_analyse", "i_kataloget",
                                                                           "fravalgt", "udsat"]))
        ids.append(p.id)
    from raaderum.store.catalogue import load_catalogue

    data = load_catalogue(engine, c.id)
    committees = data.committees()
    for committee in ["", *committees]:
        cs.set_target(engine, editor, c.id, committee, {"b": "-10.000", "bo1": "-20.000", "bo2": "-30.000",
                                                        "bo3": "-40.000"}, 0)
    scenarios = []
    for k in range(5):
        members = rng.sample(ids, len(ids) // 3)
        scenarios.append(cs.create_scenario(engine, editor, c.id, f"Scenarie {chr(65 + k)}", proposal_ids=members))
    built = time.perf_counter() - t0
    data = load_catalogue(engine, c.id)
    by_committee = {name: len(data.selection(committee=name)) for name in committees}
    largest = max(by_committee, key=lambda k: by_committee[k])
    print(f"Katalog: {len(data.proposals)} forslag, {len(committees)} udvalg, {len(data.scenarios)} scenarier "
          f"(bygget på {_s(built)}).")
    print(f"Største udvalg: {largest} ({by_committee[largest]} forslag); pr. udvalg: "
          + ", ".join(f"{k} {v}" for k, v in sorted(by_committee.items())) + ".")
    load = f"{os.getloadavg()[0]:.2f}".replace(".", ",")
    print(f"Belastning (load average, 1 min): {load} på {os.cpu_count()} kerner.")

    from starlette.testclient import TestClient

    from raaderum.web import create_app

    def pct95(times: list[float]) -> float:
        return sorted(times)[int(0.95 * (len(times) - 1))]

    def page_figures(label: str, client: TestClient) -> None:
        pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        started: list[float] = []

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started.append(time.perf_counter())
            elif started:
                pauses[info["generation"]].append(time.perf_counter() - started.pop())

        timed_on(client, f"/katalog/{c.id}", 3)  # the first requests: the municipality's benchmark, templates
        gc.callbacks.append(on_gc)
        cpu: list[float] = []
        try:
            times, size = timed_on(client, f"/katalog/{c.id}", args.runs, cpu)
        finally:
            gc.callbacks.remove(on_gc)
        full = pauses[2]
        print(f"Katalogside /katalog/{c.id} ({label}): median {_ms(statistics.median(times))}, "
              f"p95 {_ms(pct95(times))}, højst {_ms(max(times))}, {size // 1024} kB, {len(times)} kald (mål < 100 ms)")
        print(f"  CPU-tid pr. kald (processens, alle tråde; mindre følsom for en travl maskine): median "
              f"{_ms(statistics.median(cpu))}, p95 {_ms(pct95(cpu))}, højst {_ms(max(cpu))}")
        print(f"  GC under målingen: {len(pauses[0])} + {len(pauses[1])} små samlinger "
              f"({_ms(sum(pauses[0]) + sum(pauses[1]))} i alt), {len(full)} fulde "
              f"(længste {_ms(max(full) if full else 0.0)}); {len(gc.get_objects())} objekter følges af GC")

    def timed_on(client: TestClient, path: str, runs: int,
                 cpu: list[float] | None = None) -> tuple[list[float], int]:
        times, size = [], 0
        for _ in range(runs):
            c0, t = time.process_time(), time.perf_counter()
            r = client.get(path)
            times.append(time.perf_counter() - t)
            if cpu is not None:
                cpu.append(time.process_time() - c0)
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            size = len(r.content)
        return times, size

    # 1. as served: the lifespan warms the caches and freezes them out of the garbage collector
    os.environ["RAADERUM_WARM_UP"] = "1"
    t_start = time.perf_counter()
    with TestClient(create_app()) as client:
        print(f"App startet med opvarmning og gc.freeze() på {_s(time.perf_counter() - t_start)}.")
        ca.login(client, editor.name)
        page_figures("som serveret", client)

        def timed(path: str, runs: int) -> tuple[list[float], int]:
            return timed_on(client, path, runs)

        times, _ = timed(f"/katalog/{c.id}/scenarie/{scenarios[0].id}", max(5, args.runs // 2))
        print(f"Scenarieside: median {_ms(statistics.median(times))}")
        times, _ = timed(f"/katalog/{c.id}/sammenlign?scenarie={scenarios[0].id}&scenarie={scenarios[1].id}", 5)
        print(f"Sammenligning af to scenarier: median {_ms(statistics.median(times))}")
        from urllib.parse import quote

        documents = () if args.no_documents else (
                             (f"Udvalgs-PDF ({largest}, {by_committee[largest]} forslag)",
                              f"format=pdf&udvalg={quote(largest)}"),
                             (f"Udvalgs-PDF ({largest}, scenarie A)", f"format=pdf&udvalg={quote(largest)}"
                                                                      f"&scenarie={scenarios[0].id}"),
                             ("Word (.docx), samme udvalg", f"format=docx&udvalg={quote(largest)}"),
                             ("Excel (.xlsx), hele kataloget", "format=xlsx"),
                             (f"PDF af hele kataloget ({len(data.proposals)} forslag)", "format=pdf"))
        for label, query in documents:
            runs = 1 if "hele kataloget (" in label else 3
            times, size = timed(f"/katalog/{c.id}/dokument?{query}", runs)
            target = " (mål < 5 s)" if label.startswith("Udvalgs-PDF") else ""
            print(f"{label}: {_s(min(times))} (median {_s(statistics.median(times))}), {size // 1024} kB{target}")
    gc.unfreeze()
    # 2. for comparison: an app without the warm-up, so without its gc.freeze()
    os.environ["RAADERUM_WARM_UP"] = "0"
    with TestClient(create_app()) as cold_client:
        ca.login(cold_client, editor.name)
        page_figures("uden opvarmning og gc.freeze(), til sammenligning", cold_client)
    ca.close_app_caches()
    engine.dispose()


if __name__ == "__main__":
    main()
