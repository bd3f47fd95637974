"""Linking the idea bank to the benchmark: which proposals should a municipality read first for an area?

For municipality m and area a, proposals in a are ranked in tiers:

0. from m's peers (sammenligningskommuner) whose unit cost in a is lower than m's: they run the area cheaper
   under similar conditions, so their ideas are the most relevant; within the tier, the cheapest proposer first;
1. from m's other peers;
2. from other municipalities with a lower unit cost than m;
3. the rest;
4. m's own proposals, last.

Within a tier, ties go to the newest budget year, then the proposal id. Each proposal also shows what it amounts
to per inhabitant of the proposing municipality: the full-year effect (the last known of BO3, BO2, BO1, B; in
1.000 kr., savings negative) × 1.000 / the proposer's population in the accounts year used.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from raaderum.analysis.benchmark import BenchmarkResult
from raaderum.analysis.key_figures import area_panel
from raaderum.formatting import fmt_number, fmt_pct
from raaderum.ideas.records import ProposalRecord
from raaderum.release.reader import Release

TIER_LABELS = {
    0: "Sammenligningskommune med lavere enhedsudgift",
    1: "Sammenligningskommune",
    2: "Anden kommune med lavere enhedsudgift",
    3: "Anden kommune",
    4: "Kommunens eget forslag",
}


@dataclass
class LinkedProposal:
    id: int
    title: str
    municipality_code: int
    municipality_name: str
    budget_year: int
    area_id: str | None
    type_name: str | None
    is_sample: bool
    tier: int
    tier_label: str
    is_peer: bool
    proposer_unit_cost: float | None
    unit_cost_gap: float | None  # proposer's unit cost relative to the municipality's, e.g. -0.12 = 12 % lower
    full_year_amount: float | None  # 1.000 kr., savings negative
    amount_per_inhabitant: float | None  # kr. per inhabitant of the proposing municipality
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def full_year_amount(p: ProposalRecord) -> float | None:
    """The last known yearly amount (BO3, then BO2, BO1, B): the effect once the proposal is fully phased in."""
    for v in (p.amount_bo3, p.amount_bo2, p.amount_bo1, p.amount_b):
        if v is not None:
            return float(v)
    return None


def _nan(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def rank_proposals(proposals: list[ProposalRecord], benchmark: BenchmarkResult, area_id: str,
                   release: Release) -> list[LinkedProposal]:
    """Rank ``proposals`` (all in ``area_id``) for ``benchmark``'s municipality, as the module docstring says."""
    panel = area_panel(release, benchmark.year)
    j = panel.area_index(area_id)
    me = benchmark.municipality.code
    own_cost = _nan(panel.unit_cost[panel.index(me), j])
    peers = {p.code for p in benchmark.peers.peers}
    denominator = panel.denominator[j]
    out: list[LinkedProposal] = []
    for p in proposals:
        try:
            i = panel.index(p.municipality_code)
        except KeyError:
            continue
        cost = _nan(panel.unit_cost[i, j])
        gap = (cost / own_cost - 1) if cost is not None and own_cost not in (None, 0) and own_cost > 0 else None
        lower = gap is not None and gap < 0
        is_peer = p.municipality_code in peers
        if p.municipality_code == me:
            tier = 4
        elif is_peer:
            tier = 0 if lower else 1
        else:
            tier = 2 if lower else 3
        amount = full_year_amount(p)
        pop = _nan(panel.population[i])
        per_inh = amount * 1000 / pop if amount is not None and pop else None
        bits = [TIER_LABELS[tier]]
        if cost is not None:
            bits.append(f"{fmt_number(cost)} kr. pr. {denominator}-årig" if denominator != "alle"
                        else f"{fmt_number(cost)} kr. pr. indbygger")
        if gap is not None and p.municipality_code != me:
            bits.append(f"{fmt_pct(abs(gap), 0)} {'lavere' if gap < 0 else 'højere'} end {benchmark.municipality.name}")
        if per_inh is not None:
            bits.append(f"forslaget svarer til {fmt_number(per_inh)} kr. pr. indbygger i {p.municipality_name}")
        out.append(LinkedProposal(
            id=int(p.id or 0), title=p.display_title, municipality_code=p.municipality_code,
            municipality_name=p.municipality_name, budget_year=p.budget_year, area_id=p.area_id,
            type_name=p.type_name, is_sample=p.is_sample, tier=tier, tier_label=TIER_LABELS[tier], is_peer=is_peer,
            proposer_unit_cost=cost, unit_cost_gap=gap, full_year_amount=amount, amount_per_inhabitant=per_inh,
            reason="; ".join(bits) + "."))
    big = np.inf
    out.sort(key=lambda lp: (lp.tier, lp.proposer_unit_cost if lp.tier in (0, 2) and lp.proposer_unit_cost
                             is not None else big, -lp.budget_year, lp.id))
    return out
