"""Speed of the idea bank: search over 100,000 generated proposals, a CLI-style cold search (a new process that
loads the persisted index), and the import of a 10,000-row workbook in a layout no test uses, with the saved
layout profile found again on the next workbook.

    .venv/bin/python bench/ideas_speed.py [--proposals 100000] [--rows 10000] [--skip-cold | --only-cold]

Prints figures; asserts nothing (targets: search p95 < 30 ms, cold CLI search < 1 s, import < 10 s). The cold search
runs the real command (``python -m raaderum ideas search Q`` in a new process) several times per query and prints
the median and the max of all runs, wall clock and CPU time (on a busy machine the CPU time is the steadier figure).
Proposals are generated from the sample's titles and sentences with random municipalities, years, areas and amounts
(fixed seed). ``--only-cold`` runs only the cold CLI search.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

from raaderum.ideas import ProposalRecord, SearchFilters, SearchIndex, sample_records
from raaderum.release.reader import open_release
from raaderum.store.ideas import IdeaStore

QUERIES = ["gadelys", "velfærdsteknologi", "teknologi i ældreplejen", "sygefravær i hjemmeplejen", "færre ledere",
           "vikarbureau", "robotter", "rehabilitering", "anbringelse i plejefamilie", "energibesparelse",
           "solceller", "dagplejere", "specialkørsel", "befordring", "tolk", "biblioteker åbningstid", "græsslåning",
           "snerydning", "medicin", "skolestruktur", "kontanthjælp", "sygedagpenge", "misbrug", "indkøbsaftaler",
           "hjælpemidler", "digital selvbetjening", "kvadratmeter", "madservice", "inklusion", "akutteam"]
SUFFIXES = ["", "", "i nord", "fase 2", "på tværs af centre", "i landdistrikterne", "og bedre kvalitet",
            "i samarbejde med nabokommuner", "som pilotprojekt", "med tidlig indsats"]


def _n(x: int) -> str:
    return f"{x:,}".replace(",", ".")


def generate(n: int, seed: int = 7, *, with_ids: bool = True) -> list[ProposalRecord]:
    rng = random.Random(seed)
    base = sample_records()
    sentences = [s.strip() + "." for r in base for s in re.split(r"\.\s+", r.description.rstrip(".")) if s.strip()]
    municipalities = [(m.code, m.name) for m in open_release().municipalities()]
    out = []
    for i in range(n):
        t = rng.choice(base)
        code, name = rng.choice(municipalities)
        text = " ".join([t.description.split(". ")[0] + "."] + rng.sample(sentences, rng.randint(1, 3)))
        scale = rng.choice([0.3, 0.5, 1, 1.5, 2, 4])
        amounts = [None if a is None or rng.random() < 0.05 else round(a * scale, -1) for a in t.amounts]
        out.append(ProposalRecord(
            id=i + 1 if with_ids else None, municipality_code=code, municipality_name=name,
            budget_year=rng.choice(range(2016, 2025)), title=(t.title + " " + rng.choice(SUFFIXES)).strip(),
            description=text + f" (nr. {i})", area_id=t.area_id, area_text=t.area_text,
            committee_text=t.committee_text, type_id=t.type_id, type_text=t.type_text, amount_b=amounts[0],
            amount_bo1=amounts[1], amount_bo2=amounts[2], amount_bo3=amounts[3]))
    return out


def _p95(timings: list[float]) -> float:
    timings = sorted(timings)
    return timings[int(0.95 * len(timings)) - 1]


def bench_search(records: list[ProposalRecord]) -> SearchIndex:
    n = len(records)
    t1 = time.perf_counter()
    index = SearchIndex(records)
    t2 = time.perf_counter()
    print(f"Indeks over {_n(n)} forslag bygget på {t2 - t1:.1f} s (sker kun én gang; derefter indlæses filen)")
    rng = random.Random(1)
    for q in QUERIES:  # warm the per-word caches once, as a running server would
        index.search(q, limit=20)
    timings, cpu = [], []
    for i in range(300):
        q = QUERIES[i % len(QUERIES)]
        filters = SearchFilters(year=rng.choice([None, 2020])) if i % 3 == 0 else None
        s, c = time.perf_counter(), time.thread_time()
        index.search(q, filters, limit=20)
        timings.append((time.perf_counter() - s) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    cold = []
    for q in ["hjemmeplejens ruter", "skoleområdet klassekvotient", "udbud af rengøring", "busruter"]:
        s = time.perf_counter()
        index.search(q, limit=20)
        cold.append((time.perf_counter() - s) * 1000)
    print(f"Søgning over {_n(n)} forslag (300 søgninger, top 20 med facetter): p50 {statistics.median(timings):.1f} "
          f"ms, p95 {_p95(timings):.1f} ms, max {max(timings):.1f} ms; CPU-tid p95 {_p95(cpu):.1f} ms (mål: p95 < 30 "
          "ms)")
    print(f"Første søgning med nye ord (kold cache): {', '.join(f'{c:.1f}' for c in cold)} ms")
    s = time.perf_counter()
    index.similar(1, 10)
    print(f"Lignende forslag: {(time.perf_counter() - s) * 1000:.1f} ms (første gang, inkl. normerede vektorer)")
    extra = generate(100, seed=99)
    for k, r in enumerate(extra):
        r.id = n + k + 1
    s = time.perf_counter()
    grown = index.updated(extra, removed=[1, 2, 3])
    print(f"Trinvis opdatering (100 nye, 3 slettede): {(time.perf_counter() - s):.2f} s; {_n(len(grown))} forslag")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "i.index"
        s = time.perf_counter()
        index.save(path, {"revision": (n,)})
        saved = time.perf_counter() - s
        s = time.perf_counter()
        SearchIndex.load(path)
        loaded = time.perf_counter() - s
        print(f"Indeksfil: {path.stat().st_size / 1e6:.0f} MB; gemt på {saved:.2f} s, indlæst på {loaded:.2f} s")
    return index


_COLD = """
import sys, time
c0 = time.process_time()
t0 = time.perf_counter()
from raaderum.store.ideas import IdeaStore
from raaderum.ideas.search import SearchFilters
t1 = time.perf_counter()
store = IdeaStore(sys.argv[1], index_dir=sys.argv[2])
store.migrate()
store.ensure_sample()
t2 = time.perf_counter()
result = store.search(sys.argv[3], SearchFilters(), limit=10)
t3 = time.perf_counter()
store.close()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {result.total} {time.process_time() - c0:.3f}")
"""


def _cli(home: Path, url: str, query: str) -> tuple[float, float, str]:
    """One ``raaderum ideas search QUERY`` in a new process, exactly as a user runs it (the installed command's
    module, the default index folder under RAADERUM_HOME): (wall seconds, CPU seconds of the child, stdout)."""
    env = {**os.environ, "RAADERUM_HOME": str(home), "RAADERUM_DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "raaderum", "ideas", "search", query], capture_output=True,
                         text=True, check=True, env=env).stdout
    wall = time.perf_counter() - s
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, out


def bench_cold(records: list[ProposalRecord], runs: int = 4) -> None:
    """The CLI search in a new process over a store of ``records``: Python start, the CLI's imports, the store's
    migration check, its revision, loading the persisted index (memory-mapped), the query and the printing. Every
    run counts (no best-of): median and max over all runs of all queries, wall clock and CPU time."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        url = f"sqlite:///{home / 'cold.sqlite'}"
        store = IdeaStore(url, index_dir=home / "search-index")  # the CLI's default folder under RAADERUM_HOME
        store.migrate()
        s = time.perf_counter()
        for i in range(0, len(records), 20_000):
            store.add_batch(f"del{i}.xlsx", f"{i:064d}", [ProposalRecord(**{**r.__dict__, "id": None})
                                                            for r in records[i:i + 20_000]])
        print(f"{_n(len(records))} forslag gemt i SQLite på {time.perf_counter() - s:.1f} s")
        s = time.perf_counter()
        store.search("gadelys")
        index_file = store.index_file()
        size = index_file.stat().st_size / 1e6 if index_file is not None else 0.0
        print(f"Første søgning i en ny database (bygger og gemmer indekset, {size:.0f} MB): "
              f"{time.perf_counter() - s:.1f} s")
        walls, cpus = [], []
        for q in ["gadelys", "sygefravær i hjemmeplejen", "velfærdsteknologi", "færre ledere", "tolk"]:
            got = [_cli(home, url, q) for _ in range(runs)]
            walls += [w for w, _, _ in got]
            cpus += [c for _, c, _ in got]
            first = got[0][2].splitlines()[0] if got[0][2] else ""
            print(f"  raaderum ideas search {q!r}: " + ", ".join(f"{w:.2f}" for w, _, _ in got)
                  + f" s (CPU {', '.join(f'{c:.2f}' for _, c, _ in got)} s); {first}")
        print(f"Kold CLI-søgning (raaderum ideas search) over {_n(len(records))} forslag, {len(walls)} kørsler: "
              f"median {statistics.median(walls):.2f} s, max {max(walls):.2f} s; CPU-tid median "
              f"{statistics.median(cpus):.2f} s, max {max(cpus):.2f} s (mål < 1 s; belastning "
              f"{os.getloadavg()[0]:.1f})")
        out = subprocess.run([sys.executable, "-c", _COLD, url, str(home / "search-index"), "gadelys"],
                             capture_output=True, text=True, check=True).stdout.split()
        imp, open_, search, total, _cpu = out
        print(f"  Heraf i processen (uden CLI-laget): import af idébanken {imp} s, database og migrering {open_} s, "
              f"indlæs indeks + søg {search} s ({total} hits)")
        extra = generate(50, seed=5, with_ids=False)
        store.add_batch("senere.xlsx", "9" * 64, extra)
        wall, _, _ = _cli(home, url, "gadelys")
        print(f"  Efter import af 50 nye forslag: CLI-søgning {wall:.2f} s (indekset indhentes trinvis og gemmes)")
        wall, _, _ = _cli(home, url, "gadelys")
        print(f"  Og derefter igen kold: {wall:.2f} s")
        store.close()


def write_new_layout(path: Path, rows: int, seed: int = 3) -> None:
    """A workbook in a layout no rule was written for: a title block with the unit and sign, a three-row merged
    header, calendar-year amounts in kroner with savings positive, a formula total, a hidden helper column and
    columns no field knows."""
    base = sample_records()
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Katalog")
    ws.write(0, 0, "Råderumskatalog (genereret til benchmark)")
    ws.write(1, 0, "Alle beløb er i kr.")
    ws.write(2, 0, "Besparelser er angivet med positivt fortegn.")
    ws.merge_range(4, 0, 4, 5, "Forslaget")
    ws.merge_range(4, 6, 4, 10, "Økonomisk virkning")
    ws.merge_range(4, 11, 4, 13, "Opfølgning")
    for c, label in enumerate(["Løbenr.", "Kommunens navn", "Vedtaget i budget", "Rubrik", "Indhold", "Kategori"]):
        ws.merge_range(5, c, 6, c, label)
    ws.merge_range(5, 6, 5, 9, "Beløb i kr.")
    ws.merge_range(5, 10, 6, 10, "Samlet")
    for c, label in enumerate(["Status", "Behandlet", "Sortering"], start=11):
        ws.merge_range(5, c, 6, c, label)
    ws.write_row(6, 6, ["2021", "2022", "2023", "2024"])
    ws.set_column(13, 13, None, None, {"hidden": True})
    for i in range(rows):
        t = base[i % len(base)]
        amounts = [0 if a is None else -int(a * 1000) for a in t.amounts]
        r = 7 + i
        ws.write_row(r, 0, [f"F-{i + 1}", t.municipality_name, 2021, f"{t.title} (variant {i})", t.description,
                            t.type_text, *amounts])
        ws.write_formula(r, 10, f"=SUM(G{r + 1}:J{r + 1})", None, sum(amounts))
        ws.write_row(r, 11, [rng.choice(["Vedtaget", "Udskudt", "Til drøftelse"]), rng.choice(["Ja", "Nej"]), i])
    wb.close()


def bench_import(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "katalog.xlsx"
        write_new_layout(path, rows)
        store = IdeaStore(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", index_dir=Path(tmp) / "idx")
        try:
            store.migrate()
            s = time.perf_counter()
            report = store.import_workbook(path, dry_run=True)
            dry = time.perf_counter() - s
            sheet = report.sheets[0]
            print(f"Nyt layout, {_n(rows)} rækker: læsning og kolonnekort (--dry-run) {dry:.2f} s; kolonnehoved i "
                  f"række {'+'.join(map(str, sheet.header_rows))}, spørgsmål: {len(sheet.questions)}")
            for a in sheet.assumptions:
                print(f"  Antagelse: {a}")
            s = time.perf_counter()
            report = store.import_workbook(path, save_profile_as="Benchmark-layout")
            full = time.perf_counter() - s
            c = report.counts()
            print(f"Import med lagring og gemt profil {full:.2f} s (mål < 10 s); {_n(c['imported'])} importeret, "
                  f"{c['rejected']} afvist, {c['skipped']} sprunget over; profil: {report.saved_profiles}")
            second = Path(tmp) / "katalog2.xlsx"
            write_new_layout(second, rows, seed=4)
            s = time.perf_counter()
            again = store.import_workbook(second)
            re_import = time.perf_counter() - s
            print(f"Næste fil i samme layout (profilen genkendes): {re_import:.2f} s, profil brugt: "
                  f"{again.profiles_used}, spørgsmål: {again.counts()['questions']}, "
                  f"{again.counts()['imported']} nye (samme forslag: intet tilføjes)")
        finally:
            store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--proposals", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--skip-cold", action="store_true", help="Spring den kolde CLI-søgning over (tager minutter).")
    ap.add_argument("--only-cold", action="store_true", help="Kun den kolde CLI-søgning.")
    args = ap.parse_args()
    print(f"Maskine: {os.cpu_count()} kerner, belastning (load average) {os.getloadavg()[0]:.1f} ved start")
    t0 = time.perf_counter()
    records = generate(args.proposals)
    print(f"Genereret {_n(args.proposals)} forslag på {time.perf_counter() - t0:.1f} s")
    if not args.only_cold:
        bench_search(records)
    if not args.skip_cold:
        bench_cold(records)
    if not args.only_cold:
        bench_import(args.rows)
    print(f"Belastning (load average) ved slut: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
