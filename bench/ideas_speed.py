"""Speed of the idea bank: search over 100,000 generated proposals and import of a 10,000-row workbook.

    .venv/bin/python bench/ideas_speed.py [--proposals 100000] [--rows 10000]

Prints figures; asserts nothing (targets: search p95 < 30 ms, import < 10 s). Proposals are generated from the
sample's titles and sentences with random municipalities, years, areas and amounts (fixed seed).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
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


def generate(n: int, seed: int = 7) -> list[ProposalRecord]:
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
            id=i + 1, municipality_code=code, municipality_name=name, budget_year=rng.choice(range(2016, 2025)),
            title=(t.title + " " + rng.choice(SUFFIXES)).strip(), description=text, area_id=t.area_id,
            area_text=t.area_text, committee_text=t.committee_text, type_id=t.type_id, type_text=t.type_text,
            amount_b=amounts[0], amount_bo1=amounts[1], amount_bo2=amounts[2], amount_bo3=amounts[3]))
    return out


def bench_search(n: int) -> None:
    t0 = time.perf_counter()
    records = generate(n)
    t1 = time.perf_counter()
    index = SearchIndex(records)
    t2 = time.perf_counter()
    print(f"Genereret {_n(n)} forslag på {t1 - t0:.1f} s; indeks bygget på {t2 - t1:.1f} s")
    rng = random.Random(1)
    for q in QUERIES:  # warm the per-word caches once, as a running server would
        index.search(q, limit=20)
    timings = []
    for i in range(300):
        q = QUERIES[i % len(QUERIES)]
        filters = SearchFilters(year=rng.choice([None, 2020])) if i % 3 == 0 else None
        s = time.perf_counter()
        index.search(q, filters, limit=20)
        timings.append((time.perf_counter() - s) * 1000)
    cold = []
    for q in ["hjemmeplejens ruter", "skoleområdet klassekvotient", "udbud af rengøring", "busruter"]:
        s = time.perf_counter()
        index.search(q, limit=20)
        cold.append((time.perf_counter() - s) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * len(timings)) - 1]
    print(f"Søgning over {_n(n)} forslag (300 søgninger, top 20 med facetter): p50 {statistics.median(timings):.1f} "
          f"ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (mål: p95 < 30 ms)")
    print(f"Første søgning med nye ord (kold cache): {', '.join(f'{c:.1f}' for c in cold)} ms")
    s = time.perf_counter()
    index.similar(1, 10)
    print(f"Lignende forslag: {(time.perf_counter() - s) * 1000:.1f} ms")


def write_workbook(path: Path, rows: int) -> None:
    base = sample_records()
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Idébank")
    ws.write_row(0, 0, ["KL's databaseværktøj (genereret til test)"])
    ws.write_row(2, 0, ["Kommune", "Budgetår", "Fagområde", "Udvalg", "Titel", "Beskrivelse", "Type",
                        "Beløb i 1.000 kr.", "", "", "", "Engangsinvestering", "Kontakt"])
    ws.merge_range(2, 7, 2, 10, "Beløb i 1.000 kr.")
    ws.write_row(3, 7, ["B", "BO1", "BO2", "BO3"])
    rng = random.Random(3)
    for i in range(rows):
        t = base[i % len(base)]
        amounts = [("ej opgjort" if a is None else (f"{a:,.0f}".replace(",", ".") if i % 2 else a))
                   for a in t.amounts]
        ws.write_row(4 + i, 0, [t.municipality_name, t.budget_year, t.area_text, t.committee_text,
                                f"{t.title} (variant {i})", t.description, t.type_text, *amounts,
                                t.one_off_investment if t.one_off_investment is not None else "",
                                f"kontakt{rng.randint(1, 99)}@kommune.dk"])
    wb.close()


def bench_import(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "idebank.xlsx"
        write_workbook(path, rows)
        store = IdeaStore(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        try:
            store.migrate()
            s = time.perf_counter()
            report = store.import_workbook(path, dry_run=True)
            dry = time.perf_counter() - s
            s = time.perf_counter()
            report = store.import_workbook(path)
            full = time.perf_counter() - s
            s = time.perf_counter()
            again = store.import_workbook(path)
            re_import = time.perf_counter() - s
            c = report.counts()
            print(f"Import af {_n(rows)} rækker: læsning (--dry-run) {dry:.2f} s; import med lagring {full:.2f} s "
                  f"(mål < 10 s); {c['imported']} importeret, {c['rejected']} afvist, {c['skipped']} sprunget "
                  f"over; genimport {re_import:.2f} s med {again.counts()['imported']} nye")
        finally:
            store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--proposals", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=10_000)
    args = ap.parse_args()
    bench_search(args.proposals)
    bench_import(args.rows)


if __name__ == "__main__":
    main()
