"""Committee pack (udvalgspakke): other municipalities' proposals for the areas under one committee, as Excel.

For municipality m and committee u: the areas (and themes) that u covers in m's own committee mapping, ordered by
m's benchmark gap (mulighedsrum at the chosen reference, largest first); in each area, the proposals ranked as in
:mod:`raaderum.ideas.links` (peers with lower unit costs first). Sheets: "Overblik" (the areas, their gaps and the
method in one sentence), "Forslag" (one row per proposal, frozen header and autofilter) and "Metode og kilder".
Text is always written as text (never as a formula), and sample proposals are labelled in every row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from raaderum.analysis.benchmark import REFERENCES, BenchmarkResult, run_benchmark
from raaderum.catalog import load_catalog
from raaderum.formatting import fmt_date
from raaderum.ideas.links import LinkedProposal, rank_proposals
from raaderum.ideas.records import SAMPLE_LABEL
from raaderum.release.reader import Release, open_release
from raaderum.store.committees import areas_of_committee, committee_mapping
from raaderum.store.ideas import IdeaStore, default_store

KR = "#,##0"
MIO = "#,##0.0"


@dataclass
class PackArea:
    id: str
    name: str
    potential: float | None
    proposals: list[tuple[LinkedProposal | None, Any]] = field(default_factory=list)  # (link, ProposalRecord)


@dataclass
class CommitteePack:
    municipality_code: int
    municipality_name: str
    committee: str
    benchmark: BenchmarkResult | None
    areas: list[PackArea]

    @property
    def proposal_count(self) -> int:
        return sum(len(a.proposals) for a in self.areas)

    @property
    def has_sample(self) -> bool:
        return any(r.is_sample for a in self.areas for _, r in a.proposals)


def build_committee_pack(municipality: str | int, committee: str, *, store: IdeaStore | None = None,
                         release: Release | None = None, year: int | None = None,
                         reference: str = "peer_mean", peers: str = "k=10") -> CommitteePack:
    """The content of a committee pack (see the module docstring); raises InputError for an unknown committee."""
    release = release or open_release()
    store = store or default_store()
    m = release.register.resolve(municipality)
    area_ids = areas_of_committee(store, m.code, committee)
    res = run_benchmark(release, m.code, year, reference=reference, peers=peers)
    cat = load_catalog()
    names = {**{a.id: a.name for a in cat.areas}, **{t.id: t.name for t in cat.themes}}
    benchmarked = {a.id: a for a in res.areas}
    areas: list[PackArea] = []
    for area_id in area_ids:
        records = [r for r in store.list(area_id=area_id) if r.municipality_code != m.code]
        by_id = {r.id: r for r in records}
        if area_id in benchmarked:
            links = rank_proposals(records, res, area_id, release)
            props: list[tuple[LinkedProposal | None, Any]] = [(lp, by_id[lp.id]) for lp in links]
            pot = benchmarked[area_id].potential
        else:  # a theme: no benchmark, newest first
            props = [(None, r) for r in sorted(records, key=lambda r: (-r.budget_year, r.id or 0))]
            pot = None
        areas.append(PackArea(area_id, names.get(area_id, area_id), pot, props))
    areas.sort(key=lambda a: (a.potential is None, -(a.potential or 0.0), a.name))
    own_name = _own_committee_name(store, m.code, area_ids, committee)
    return CommitteePack(m.code, m.name, own_name, res, areas)


def _own_committee_name(store: IdeaStore, code: int, area_ids: list[str], typed: str) -> str:
    """The committee's name as the municipality writes it (the user may have typed another case or spacing)."""
    return committee_mapping(store, code).get(area_ids[0], typed) if area_ids else typed


def write_committee_pack(pack: CommitteePack, target: str | Path | BinaryIO | None = None) -> bytes | None:
    """Write the pack as .xlsx to ``target`` (a path or binary file); with no target, return the bytes."""
    buf = io.BytesIO() if target is None else None
    wb = xlsxwriter.Workbook(buf if buf is not None else target,  # type: ignore[arg-type]
                             {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                              "strings_to_numbers": False})
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#E4E8EC", "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    kr = wb.add_format({"num_format": KR, "valign": "top"})
    mio = wb.add_format({"num_format": MIO, "valign": "top"})
    res = pack.benchmark
    ref_name = REFERENCES[res.reference].name.lower() if res else ""

    ws = wb.add_worksheet("Overblik")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 18)
    ws.write_string(0, 0, f"Udvalgspakke: {pack.committee}, {pack.municipality_name} Kommune", title)
    ws.write_string(1, 0, f"Andre kommuners råderumsforslag for udvalgets områder, ordnet efter kommunens "
                          f"mulighedsrum (regnskab {res.year if res else ''}, {ref_name}). Dannet "
                          f"{fmt_date(datetime.now(UTC))}.")
    if res:
        ws.write_string(2, 0, res.summary())
    if pack.has_sample:
        ws.write_string(3, 0, f"{SAMPLE_LABEL}: pakken indeholder fiktive forslag skrevet til Råderum, ikke rigtige "
                              "kommuners forslag.", bold)
    ws.write_row(5, 0, ["Område", "Mulighedsrum, mio. kr.", "Antal forslag"], head)
    for i, a in enumerate(pack.areas, start=6):
        ws.write_string(i, 0, a.name)
        if a.potential is None:
            ws.write_string(i, 1, "ikke benchmarket (tema)" if a.id not in {x.id for x in load_catalog().areas}
                            else "ikke beregnet")
        else:
            ws.write_number(i, 1, a.potential / 1e6, mio)
        ws.write_number(i, 2, len(a.proposals))
    ws.freeze_panes(6, 0)
    ws.autofilter(5, 0, 5 + max(len(pack.areas), 1), 2)

    ws = wb.add_worksheet("Forslag")
    cols = [("Område", 22), ("Mulighedsrum i området, mio. kr.", 14), ("Kommune", 16), ("Budgetår", 9),
            ("Titel", 40), ("Beskrivelse", 70), ("Type", 16), ("Udvalg (som skrevet)", 22),
            ("B, 1.000 kr.", 11), ("BO1, 1.000 kr.", 11), ("BO2, 1.000 kr.", 11), ("BO3, 1.000 kr.", 11),
            ("Engangsinvestering, 1.000 kr.", 13), ("Fuldt år, kr. pr. indbygger", 13), ("Relevans", 30),
            ("Enhedsudgift hos forslagsstiller, kr.", 14), ("Eksempeldata", 12), ("Kilde", 30), ("Id", 7),
            ("Forslagsnummer i kilden", 12), ("Øvrige felter fra kilden", 50)]
    for j, (label, width) in enumerate(cols):
        ws.write_string(0, j, label, head)
        ws.set_column(j, j, width)
    row = 1
    for a in pack.areas:
        for link, r in a.proposals:
            vals: list[Any] = [a.name, None if a.potential is None else a.potential / 1e6, r.municipality_name,
                               r.budget_year, r.display_title, r.description, r.type_name or r.type_text,
                               r.committee_text, r.amount_b, r.amount_bo1, r.amount_bo2, r.amount_bo3,
                               r.one_off_investment, link.amount_per_inhabitant if link else None,
                               link.tier_label if link else "", link.proposer_unit_cost if link else None,
                               SAMPLE_LABEL if r.is_sample else "",
                               f"{r.source_file}, ark {r.source_sheet}, række {r.source_row}" if r.source_file else "",
                               r.id, getattr(r, "source_ref", "") or "",
                               "; ".join(f"{k}: {v}" for k, v in (getattr(r, "source_fields", None) or {}).items())]
            for j, v in enumerate(vals):
                if v is None:
                    ws.write_blank(row, j, None)
                elif isinstance(v, str):
                    ws.write_string(row, j, v, wrap if j in (4, 5) else None)
                elif j == 1:
                    ws.write_number(row, j, float(v), mio)
                else:
                    ws.write_number(row, j, float(v), kr)
            row += 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row - 1, 1), len(cols) - 1)

    ws = wb.add_worksheet("Metode og kilder")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 100)
    lines = [
        ("Kommune", f"{pack.municipality_name} ({pack.municipality_code})"),
        ("Udvalg", pack.committee),
        ("Områder under udvalget", ", ".join(a.name for a in pack.areas)),
        ("Rækkefølge af områder", "Efter kommunens mulighedsrum = max(0, enhedsudgift − reference) × målgruppe, "
                                  "største først; temaer uden regnskabstal til sidst."),
        ("Rækkefølge af forslag", "Sammenligningskommuner med lavere enhedsudgift først (billigste først), så "
                                  "øvrige sammenligningskommuner, andre kommuner med lavere enhedsudgift og resten; "
                                  "inden for en gruppe nyeste budgetår først."),
        ("Referenceniveau", REFERENCES[res.reference].name if res else ""),
        ("Sammenligningskommuner", ", ".join(p.name for p in res.peers.peers) if res else ""),
        ("Beløb", "1.000 kr. pr. år; besparelser er negative (som i budgetdokumenter). Tom celle = ukendt, ikke 0."),
        ("Fuldt år, kr. pr. indbygger", "Sidste kendte årsbeløb (BO3, BO2, BO1, B) × 1.000 / forslagsstillerens "
                                        "folketal."),
        ("Udgiftstal", f"Kilde: Danmarks Statistik, REGK31 (regnskab {res.year if res else ''}), nettodriftsudgifter, "
                       "løbende priser; datarelease " + (res.provenance.get("release_id", "") if res else "")),
        ("Forslag", "Idébanken i Råderum (importerede idébank-værktøjer; eksempeldata er markeret)."),
    ]
    for i, (k, v) in enumerate(lines):
        ws.write_string(i, 0, k, bold)
        ws.write_string(i, 1, v, wrap)
    wb.close()
    return buf.getvalue() if buf is not None else None
