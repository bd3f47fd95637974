"""The catalogue's sums (one pass over plain values, issue 13's page speed) follow the one rule of
:mod:`raaderum.store.catalogue`: per committee and overall, the sum of the known amounts of the proposals that count
(unknown when none of them has an amount), fravalgt and udsat left out; a scenario's sum is the same over its
members. Checked against a direct reading of that rule on random catalogues."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from raaderum.store import catalogue as cstore

COMMITTEES = ["Børne- og Ungeudvalget", "Teknik- og Miljøudvalget", "Økonomiudvalget", ""]
amount = st.one_of(st.none(), st.integers(-5000, 500).map(float))
proposal = st.builds(lambda c, s, a, once, staff: SimpleNamespace(
    committee=c, status=s, **{f"amount_{p}": v for p, v in zip(cstore.PERIODS, a, strict=True)},
    one_off_investment=once, staff_effect=staff),
    st.sampled_from(COMMITTEES), st.sampled_from(sorted(cstore.CATALOGUE_STATUSES)), st.tuples(*[amount] * 4),
    amount, st.one_of(st.none(), st.floats(-10, 2, allow_nan=False)))


def _rule(committee: str, props: list[Any]) -> dict[str, Any]:
    counted = [p for p in props if p.status not in ("fravalgt", "udsat")]
    sums = {}
    for period in cstore.PERIODS:
        known = [getattr(p, f"amount_{period}") for p in counted if getattr(p, f"amount_{period}") is not None]
        sums[period] = None if counted and not known else float(sum(known))
    return {"committee": committee, "amounts": sums, "count": len(counted), "excluded": len(props) - len(counted),
            "one_off": sum(p.one_off_investment or 0.0 for p in counted),
            "staff": sum(p.staff_effect or 0.0 for p in counted)}


@settings(max_examples=200, deadline=None)
@given(st.lists(proposal, max_size=30), st.dictionaries(st.sampled_from(COMMITTEES), st.tuples(*[amount] * 4),
                                                        max_size=3))
def test_totals_follow_the_rule(props: list[Any], goals: dict[str, tuple[float | None, ...]]) -> None:
    targets = {c: SimpleNamespace(**{f"amount_{p}": v for p, v in zip(cstore.PERIODS, g, strict=True)})
               for c, g in goals.items()}
    rows = cstore.totals(props, targets)
    # the proposals' committees (sorted), then those only a target names (sorted)
    named = list(dict.fromkeys([*sorted({p.committee for p in props if p.committee}),
                                *sorted(c for c in targets if c)]))
    assert [r.committee for r in rows] == [*named, ""]
    for r in rows:
        members = props if not r.committee else [p for p in props if p.committee == r.committee]
        want = _rule(r.committee, members)
        assert r.amounts == want["amounts"] and r.count == want["count"] and r.excluded == want["excluded"]
        assert r.one_off_investment == want["one_off"] and r.staff_effect == want["staff"]
        goal = targets.get(r.committee)
        for period in cstore.PERIODS:
            g = getattr(goal, f"amount_{period}") if goal is not None else None
            assert r.remaining[period] == (None if g is None else (r.amounts[period] or 0.0) - g)


def test_scenario_totals_are_the_sums_of_their_members() -> None:
    props = [SimpleNamespace(id=i, committee=COMMITTEES[i % 3], status="ide" if i % 4 else "fravalgt",
                             amount_b=-100.0 * i, amount_bo1=None, amount_bo2=-10.0, amount_bo3=-1.0 * i,
                             one_off_investment=None, staff_effect=-0.5) for i in range(1, 13)]
    scenarios = [cstore.ScenarioData(SimpleNamespace(id=k, name=f"Scenarie {k}"), {p.id for p in props[k::3]})
                 for k in range(3)]
    data = cstore.CatalogueData(SimpleNamespace(id=1), props, scenarios, {})  # type: ignore[arg-type]
    for sd, row in data.scenario_totals:
        assert row.amounts == cstore.totals([p for p in props if p.id in sd.members])[-1].amounts
        assert row.amounts["bo1"] is None  # no member has an amount for BO1: unknown, not 0
    assert data.scenario_totals is data.scenario_totals  # computed once per read
