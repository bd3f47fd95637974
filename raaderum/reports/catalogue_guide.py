"""The discussion guide (drøftelsesguide) for a budget seminar: per area where the municipality has a benchmark
gap, the gap and its range, three questions to discuss, the levers of the knowledge portal and the closest ideas
from other municipalities in the idea bank.

* The gap is the benchmark's (:func:`raaderum.analysis.benchmark.run_benchmark`, latest accounts year, default
  peers) under the chosen reference; the range is the smallest and largest gap over the six references and the
  band the bootstrap P10-P90.
* The questions are the levers' own questions (:mod:`raaderum.ideas.levers`, with the operator's edits), the first
  three different ones of the area's levers; when the levers give fewer, general questions fill up to three.
* The ideas are ranked for the gap by :func:`raaderum.store.links.proposals_for_gap` (peers with a lower unit cost
  first); the municipality's own proposals are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from raaderum.analysis.benchmark import REFERENCES, BenchmarkResult
from raaderum.formatting import fmt_date
from raaderum.ideas.levers import Lever, levers_for_area
from raaderum.ideas.links import LinkedProposal
from raaderum.release.reader import Release, open_release
from raaderum.reports.catalogue_report import AreaGap, area_gaps, cached_benchmark
from raaderum.store.ideas import IdeaStore
from raaderum.store.levers import effective_levers
from raaderum.store.links import proposals_for_gap

GENERAL_QUESTIONS = (
    "Hvad forklarer forskellen til sammenligningskommunerne: målgruppens størrelse, hvor mange der får ydelsen "
    "(dækningsgrad), eller hvad hver ydelse koster (enhedsudgift)?",
    "Hvilket serviceniveau ønsker vi på området, og hvad ville en lavere eller højere udgift betyde for borgerne?",
    "Hvad har de kommuner, der driver området billigere under lignende vilkår, gjort, og kan det bruges hos os?",
)
IDEAS_PER_AREA = 5


@dataclass
class GuideArea:
    gap: AreaGap
    questions: list[str]
    levers: list[Lever]
    ideas: list[LinkedProposal]


@dataclass
class DiscussionGuide:
    municipality_code: int
    municipality_name: str
    benchmark: BenchmarkResult
    areas: list[GuideArea]
    generated: date = field(default_factory=date.today)

    @property
    def reference_name(self) -> str:
        return REFERENCES[self.benchmark.reference].name

    @property
    def generated_text(self) -> str:
        return fmt_date(self.generated)

    @property
    def has_sample(self) -> bool:
        return any(i.is_sample for a in self.areas for i in a.ideas)

    def method_lines(self) -> list[tuple[str, str]]:
        res = self.benchmark
        ref = REFERENCES[res.reference]
        return [
            ("Gab (mulighedsrum)", "max(0, e − e_ref) × N kr. pr. år; e = nettodriftsudgift pr. person i områdets "
             f"målgruppe. Kilde: Danmarks Statistik, {res.provenance.get('table', 'REGK31')}, regnskab {res.year}, "
             f"{str(res.provenance.get('price_basis') or 'løbende priser').lower()}; datarelease "
             f"{res.provenance.get('release_id', '')}."),
            ("Referenceniveau", f"{ref.name}: {ref.explanation}"),
            ("Sammenligningskommuner", f"{res.peers.description()}: "
             f"{', '.join(p.name for p in res.peers.peers)}."),
            ("Spænd og bånd", "Spænd = laveste og højeste gab over de seks referenceniveauer; bånd = bootstrap "
                              "P10-P90 af sammenligningskommunerne."),
            ("Spørgsmål og greb", "Vidensportalens greb for området og deres spørgsmål; generelle spørgsmål, hvor "
                                  "grebene giver færre end tre."),
            ("Idéer", "Idébankens forslag fra andre kommuner på området, sammenligningskommuner med lavere "
                      "enhedsudgift først. Eksempeldata (fiktive forslag) er markeret."),
            ("Forbehold", "Et gab er et spørgsmål, ikke en facitliste: en lav udgift kan være god drift eller lavere "
                          "service, og kommunerne konterer ikke altid ens."),
        ]


def questions_for(levers: list[Lever]) -> list[str]:
    """The first three different questions of the levers, filled up with :data:`GENERAL_QUESTIONS`."""
    out: list[str] = []
    for lv in levers:
        for q in lv.questions:
            if q not in out:
                out.append(q)
            if len(out) == 3:
                return out
    for q in GENERAL_QUESTIONS:
        if len(out) == 3:
            break
        out.append(q)
    return out


def build_guide(engine: Engine, municipality_code: int, *, reference: str = "peer_mean",
                store: IdeaStore | None = None, release: Release | None = None) -> DiscussionGuide:
    """The guide for the municipality under ``reference`` (see the module docstring)."""
    release = release or open_release()
    m = release.register.by_code(int(municipality_code))
    res = cached_benchmark(release, m.code, reference)
    levers: Any = effective_levers(engine)
    areas = []
    for gap in area_gaps(res).values():
        if gap.potential is None or gap.potential <= 0:
            continue
        lv = levers_for_area(gap.area_id, levers)
        ideas = [i for i in proposals_for_gap(m.code, gap.area_id, benchmark=res, store=store, release=release)
                 if i.municipality_code != m.code][:IDEAS_PER_AREA]
        areas.append(GuideArea(gap, questions_for(lv), lv, ideas))
    areas.sort(key=lambda a: -(a.gap.potential or 0.0))
    return DiscussionGuide(m.code, m.name, res, areas)


__all__ = ["GENERAL_QUESTIONS", "DiscussionGuide", "GuideArea", "build_guide", "questions_for"]
