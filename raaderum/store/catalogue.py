"""The råderumskatalog as stored: reads and the pure sums over it (totals per year, committee and scenario).

Reading only; every change is a service in :mod:`raaderum.server.catalogue` (permission, audit row, optimistic
locking). Amounts are in 1.000 kr. with savings NEGATIVE (a negative amount lowers net expenditure), as in the
idea bank and in Danish budget documents; ``None`` is unknown and never 0.

The sums follow ONE rule, everywhere they are shown (web, CLI, PDF, Word, Excel): a total is the sum of the known
amounts of the proposals that count (unknown, –, when none of them has an amount for the year), and the proposals
that count are those whose status is neither *fravalgt* nor *udsat* (:data:`COUNTED_STATUSES`). A scenario's total
is the same sum over its members.

    >>> rows = totals([p1, p2], 2027, targets={"": t})                              # doctest: +SKIP
    >>> rows[-1].amounts["b"] == (p1.amount_b or 0) + (p2.amount_b or 0)            # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from raaderum.errors import CatalogueNotFound, CatalogueProposalNotFound, ScenarioNotFound, ShareLinkNotFound
from raaderum.store.models import (
    CATALOGUE_DEFAULT_STATUS,
    CATALOGUE_STATUSES,
    Catalogue,
    CatalogueProposal,
    CatalogueScenario,
    CatalogueScenarioItem,
    CatalogueShareLink,
    CatalogueStatusChange,
    CatalogueTarget,
    LocalWorkspace,
    User,
)

#: The four budget periods: the budget year B and the plan years BO1-BO3.
PERIODS: tuple[str, ...] = ("b", "bo1", "bo2", "bo3")
PERIOD_LABELS: dict[str, str] = {"b": "B", "bo1": "BO1", "bo2": "BO2", "bo3": "BO3"}
#: Statuses whose proposals count in the totals (fravalgt and udsat do not).
COUNTED_STATUSES: tuple[str, ...] = ("ide", "under_analyse", "i_kataloget", "vedtaget")
#: The key of the whole catalogue's row in targets and totals.
OVERALL = ""
SIGN_NOTE = ("Beløb i 1.000 kr. pr. år. Negativt fortegn (-) = besparelse/mindreudgift, positivt (+) = merudgift. "
             "Fravalgte og udsatte forslag tæller ikke med i summerne.")


def period_year(budget_year: int, period: str) -> int:
    """The calendar year of a period: B is the budget year, BO1 the year after, and so on."""
    return int(budget_year) + PERIODS.index(period)


def period_label(budget_year: int, period: str) -> str:
    """'B 2027', 'BO1 2028', …"""
    return f"{PERIOD_LABELS[period]} {period_year(budget_year, period)}"


def amounts_of(row: Any) -> dict[str, float | None]:
    """The four period amounts of a proposal or target row."""
    return {p: getattr(row, f"amount_{p}") for p in PERIODS}


def full_year_amount(p: Any) -> float | None:
    """The last known yearly amount (BO3, then BO2, BO1, B): the effect once the proposal is fully phased in."""
    for period in reversed(PERIODS):
        v = getattr(p, f"amount_{period}")
        if v is not None:
            return float(v)
    return None


def counts(p: Any) -> bool:
    """Does the proposal count in the totals (its status is not fravalgt or udsat)?"""
    return p.status in COUNTED_STATUSES


# ------------------------------------------------------------------------------------------------ totals (pure)


@dataclass
class TotalRow:
    """The sums of one committee (or of the whole selection: ``committee`` ''), against its target."""

    committee: str
    #: period → sum of the known amounts of the counted proposals (None when none of them has an amount for it)
    amounts: dict[str, float | None]
    one_off_investment: float
    staff_effect: float
    count: int  # counted proposals
    excluded: int  # proposals left out of the sums (fravalgt, udsat)
    unknown: dict[str, int]  # period → counted proposals without an amount for it
    target: dict[str, float | None]
    #: period → total − target (1.000 kr.): > 0 = the target is not reached by this much; ≤ 0 = reached.
    remaining: dict[str, float | None]

    @property
    def label(self) -> str:
        return self.committee or "I alt"

    @property
    def has_target(self) -> bool:
        return any(v is not None for v in self.target.values())

    def reached(self, period: str) -> bool | None:
        r = self.remaining[period]
        return None if r is None else r <= 1e-9

    def to_dict(self) -> dict[str, Any]:
        return {"committee": self.committee or None, "label": self.label, "amounts": dict(self.amounts),
                "one_off_investment": self.one_off_investment, "staff_effect": self.staff_effect,
                "count": self.count, "excluded": self.excluded, "unknown": dict(self.unknown),
                "target": dict(self.target), "remaining": dict(self.remaining),
                "reached": {p: self.reached(p) for p in PERIODS}}


#: The fields a sum reads, in one C-level call per proposal (an ORM attribute read costs a Python call each).
_SUM_FIELDS = attrgetter("committee", "status", *(f"amount_{p}" for p in PERIODS), "one_off_investment",
                         "staff_effect")
_N = len(PERIODS)


def _sum_values(committee: str, values: Sequence[tuple[Any, ...]], target: Any | None) -> TotalRow:
    """The sums of proposals given as :data:`_SUM_FIELDS` tuples (one pass over plain values)."""
    counted = [v for v in values if v[1] in COUNTED_STATUSES]
    n = len(counted)
    sums: dict[str, float | None] = {}
    unknown: dict[str, int] = {}
    for i, period in enumerate(PERIODS):
        known = [v[2 + i] for v in counted if v[2 + i] is not None]
        unknown[period] = n - len(known)
        sums[period] = None if n and not known else float(sum(known))
    goal: dict[str, float | None] = amounts_of(target) if target is not None else dict.fromkeys(PERIODS)
    remaining = {p: None if goal[p] is None else (sums[p] or 0.0) - float(goal[p])  # type: ignore[arg-type]
                 for p in PERIODS}
    return TotalRow(committee=committee, amounts=sums,
                    one_off_investment=float(sum(v[2 + _N] or 0.0 for v in counted)),
                    staff_effect=float(sum(v[3 + _N] or 0.0 for v in counted)), count=n,
                    excluded=len(values) - n, unknown=unknown, target=goal, remaining=remaining)


def _sum_row(committee: str, proposals: Sequence[Any], target: Any | None) -> TotalRow:
    return _sum_values(committee, [_SUM_FIELDS(p) for p in proposals], target)


def totals(proposals: Iterable[Any], targets: dict[str, Any] | None = None,
           committees: Sequence[str] | None = None) -> list[TotalRow]:
    """One row per committee (those of ``committees`` in that order, then any other the proposals name, sorted),
    then the row of the whole selection (committee ''). ``targets`` maps committee ('' = overall) → target row."""
    values = [_SUM_FIELDS(p) for p in proposals]
    targets = targets or {}
    by_committee: dict[str, list[tuple[Any, ...]]] = {}
    for v in values:
        by_committee.setdefault(v[0], []).append(v)
    order = list(dict.fromkeys([*(committees or []), *sorted(by_committee), *sorted(c for c in targets if c)]))
    rows = [_sum_values(c, by_committee.get(c, []), targets.get(c)) for c in order if c]
    rows.append(_sum_values(OVERALL, values, targets.get(OVERALL)))
    return rows


# ------------------------------------------------------------------------------------------------ reads


@dataclass
class ScenarioData:
    scenario: CatalogueScenario
    members: set[int]


@dataclass
class CatalogueData:
    """A catalogue with everything a page or a document shows, read in one session."""

    catalogue: Catalogue
    proposals: list[CatalogueProposal]
    scenarios: list[ScenarioData]
    targets: dict[str, CatalogueTarget]
    share_links: list[CatalogueShareLink] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.catalogue.id

    @property
    def municipality_code(self) -> int:
        return self.catalogue.municipality_code

    @property
    def budget_year(self) -> int:
        return self.catalogue.budget_year

    def scenario(self, ident: int | str) -> ScenarioData:
        """A scenario by id or by name (case and spacing ignored); :class:`ScenarioNotFound` otherwise."""
        for sd in self.scenarios:
            if isinstance(ident, int) or str(ident).strip().isdigit():
                if sd.scenario.id == int(ident):
                    return sd
            elif " ".join(sd.scenario.name.split()).casefold() == " ".join(str(ident).split()).casefold():
                return sd
        known = ", ".join(f"{s.scenario.id}: {s.scenario.name}" for s in self.scenarios) or "ingen"
        raise ScenarioNotFound(f"Scenariet {ident!r} findes ikke i kataloget {self.catalogue.name!r} "
                               f"(scenarier: {known}).")

    def selection(self, scenario: ScenarioData | None = None, committee: str | None = None) -> list[CatalogueProposal]:
        """The proposals of a scenario (all when None), of one committee (all when None)."""
        out = self.proposals
        if scenario is not None:
            out = [p for p in out if p.id in scenario.members]
        if committee:
            key = " ".join(committee.split()).casefold()
            out = [p for p in out if " ".join(p.committee.split()).casefold() == key]
        return out

    def committees(self) -> list[str]:
        """The committees the catalogue's proposals and targets name, sorted."""
        return sorted({p.committee for p in self.proposals if p.committee} | {c for c in self.targets if c})

    @cached_property
    def scenario_totals(self) -> list[tuple[ScenarioData, TotalRow]]:
        """Each scenario with the sums of its members over the whole catalogue (computed once per read)."""
        return [(sd, totals(self.selection(sd), self.targets)[-1]) for sd in self.scenarios]

    def totals(self, scenario: ScenarioData | None = None, committee: str | None = None) -> list[TotalRow]:
        rows = totals(self.selection(scenario, committee), self.targets)
        if committee:
            key = " ".join(committee.split()).casefold()
            rows = [r for r in rows if " ".join(r.committee.split()).casefold() == key]
        return rows

    def proposal(self, proposal_id: int) -> CatalogueProposal:
        for p in self.proposals:
            if p.id == int(proposal_id):
                return p
        raise CatalogueProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i kataloget.")


def _not_found(catalogue_id: Any) -> CatalogueNotFound:
    return CatalogueNotFound(f"Råderumskatalog nr. {catalogue_id} findes ikke (måske er det slettet, eller "
                             "nummeret er forkert).")


def get_catalogue(engine: Engine, catalogue_id: int) -> Catalogue:
    """The catalogue row; :class:`CatalogueNotFound` otherwise."""
    with Session(engine, expire_on_commit=False) as s:
        c = s.get(Catalogue, int(catalogue_id))
        if c is None:
            raise _not_found(catalogue_id)
        return c


def load_catalogue(engine: Engine, catalogue_id: int) -> CatalogueData:
    """The catalogue with its proposals (by committee, then number), scenarios, targets and share links."""
    with Session(engine, expire_on_commit=False) as s:
        c = s.get(Catalogue, int(catalogue_id))
        if c is None:
            raise _not_found(catalogue_id)
        props = list(s.scalars(select(CatalogueProposal).where(CatalogueProposal.catalogue_id == c.id)
                               .order_by(CatalogueProposal.committee, CatalogueProposal.id)))
        scen = list(s.scalars(select(CatalogueScenario).where(CatalogueScenario.catalogue_id == c.id)
                              .order_by(CatalogueScenario.name, CatalogueScenario.id)))
        members: dict[int, set[int]] = {sc.id: set() for sc in scen}
        if scen:
            for sid, pid in s.execute(select(CatalogueScenarioItem.scenario_id, CatalogueScenarioItem.proposal_id)
                                      .where(CatalogueScenarioItem.scenario_id.in_(list(members)))):
                members[sid].add(pid)
        targets = {t.committee: t for t in s.scalars(select(CatalogueTarget)
                                                     .where(CatalogueTarget.catalogue_id == c.id))}
        links = list(s.scalars(select(CatalogueShareLink).where(CatalogueShareLink.catalogue_id == c.id)
                               .order_by(CatalogueShareLink.created_at.desc())))
        return CatalogueData(c, props, [ScenarioData(sc, members[sc.id]) for sc in scen], targets, links)


def catalogues(engine: Engine, municipality_code: int | None = None) -> list[Catalogue]:
    """The catalogues (of one municipality), newest budget year first."""
    with Session(engine, expire_on_commit=False) as s:
        q = select(Catalogue).order_by(Catalogue.budget_year.desc(), Catalogue.name, Catalogue.id)
        if municipality_code is not None:
            q = q.where(Catalogue.municipality_code == int(municipality_code))
        return list(s.scalars(q))


def proposal_counts(engine: Engine, catalogue_ids: Sequence[int]) -> dict[int, int]:
    with Session(engine) as s:
        rows = s.execute(select(CatalogueProposal.catalogue_id, func.count()).where(
            CatalogueProposal.catalogue_id.in_(list(catalogue_ids))).group_by(CatalogueProposal.catalogue_id))
        return {int(c): int(n) for c, n in rows}


def get_proposal(engine: Engine, proposal_id: int) -> CatalogueProposal:
    with Session(engine, expire_on_commit=False) as s:
        p = s.get(CatalogueProposal, int(proposal_id))
        if p is None:
            raise CatalogueProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i noget råderumskatalog.")
        return p


def status_history(engine: Engine, proposal_id: int) -> list[CatalogueStatusChange]:
    """The proposal's status changes, oldest first (the first is its creation)."""
    with Session(engine, expire_on_commit=False) as s:
        return list(s.scalars(select(CatalogueStatusChange).where(CatalogueStatusChange.proposal_id == int(proposal_id))
                              .order_by(CatalogueStatusChange.at, CatalogueStatusChange.id)))


def histories(engine: Engine, proposal_ids: Sequence[int]) -> dict[int, list[CatalogueStatusChange]]:
    out: dict[int, list[CatalogueStatusChange]] = {int(i): [] for i in proposal_ids}
    if not out:
        return out
    with Session(engine, expire_on_commit=False) as s:
        for h in s.scalars(select(CatalogueStatusChange).where(CatalogueStatusChange.proposal_id.in_(list(out)))
                           .order_by(CatalogueStatusChange.at, CatalogueStatusChange.id)):
            out[h.proposal_id].append(h)
    return out


def shared_catalogue_id(engine: Engine, token: str) -> int:
    """The catalogue behind a live read-only link; :class:`ShareLinkNotFound` otherwise."""
    with Session(engine) as s:
        link = s.get(CatalogueShareLink, str(token)) if token and len(token) <= 64 else None
        if link is None or link.revoked_at is not None:
            raise ShareLinkNotFound("Læselinket findes ikke eller er tilbagekaldt. Bed kommunen om et nyt link.")
        return int(link.catalogue_id)


def has_accounts(engine: Engine) -> bool:
    """Does the app store hold any user account? (The embedded default's local user exists only when not.)"""
    with Session(engine) as s:
        return s.scalar(select(User.id).limit(1)) is not None


def local_choice(engine: Engine) -> LocalWorkspace | None:
    """The municipality the embedded default's local user chose (None before the choice)."""
    with Session(engine, expire_on_commit=False) as s:
        return s.get(LocalWorkspace, 1)


def status_label(status: str) -> str:
    return CATALOGUE_STATUSES.get(status, status)


__all__ = ["CATALOGUE_DEFAULT_STATUS", "CATALOGUE_STATUSES", "COUNTED_STATUSES", "OVERALL", "PERIODS",
           "PERIOD_LABELS", "SIGN_NOTE", "CatalogueData", "ScenarioData", "TotalRow", "amounts_of", "catalogues",
           "counts", "full_year_amount", "get_catalogue", "get_proposal", "has_accounts", "histories",
           "load_catalogue", "local_choice", "period_label", "period_year", "proposal_counts", "shared_catalogue_id",
           "status_history", "status_label", "totals"]
