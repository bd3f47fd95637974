"""Issue 13, follow-up (ex post): the comparison of an area's accounts after adoption with the year before, corrected
for the target group and for prices, on hand-computed cases and on the shipped accounts (a real example: Herning
Kommune, administration, a proposal dated to budget 2019)."""

from __future__ import annotations

from typing import Any

import pytest

from raaderum.analysis import followup as fu
from raaderum.analysis.key_figures import area_panel
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable, UnknownArea
from raaderum.release.reader import Release

HERNING = 657


def test_compare_on_hand_computed_cases() -> None:
    # 10 % more people in the target group and 5 % more money: the spending per person fell 4,5 %
    et, change, observed = fu.compare(1_000_000.0, 100.0, 1_050_000.0, 110.0)
    assert et == pytest.approx(1_050_000 / 110)
    assert change == pytest.approx(1_050_000 / 110 / 10_000 - 1)
    assert observed == pytest.approx((1_050_000 / 110 - 10_000) * 110 / 1000) == pytest.approx(-50.0)
    # the same money and people, but prices up 10 %: in base-year prices the area spends 1/1,1 as much
    et, change, observed = fu.compare(1_000_000.0, 100.0, 1_000_000.0, 100.0, factor=1 / 1.1)
    assert change == pytest.approx(1 / 1.1 - 1)
    assert observed == pytest.approx((1_000_000 / 1.1 / 100 - 10_000) * 100 / 1000)
    # demography alone: twice the people at twice the money is no change per person
    assert fu.compare(500.0, 5.0, 1000.0, 10.0) == (100.0, 0.0, 0.0)
    # a real increase per person is positive
    assert fu.compare(1000.0, 10.0, 1320.0, 11.0)[2] == pytest.approx((120 - 100) * 11 / 1000)


def test_herning_administration_after_budget_2019_is_the_shipped_example(release: Release) -> None:
    r = fu.followup(release, HERNING, "administration", 2019, {"b": -5000.0, "bo1": -10000.0, "bo2": -15000.0,
                                                                "bo3": -15000.0})
    assert r.available and r.base_year == 2018 and r.label == "Sammenligning, ikke bevis for effekt"
    assert "faste 2018-priser" in r.method and "PRIS113" in r.method and "ikke kommunernes" in r.method
    assert [y.year for y in r.years] == [2019, 2020, 2021, 2022]
    assert [y.period for y in r.years] == ["b", "bo1", "bo2", "bo3"]
    assert [y.expected for y in r.years] == [-5000.0, -10000.0, -15000.0, -15000.0]
    # recomputed here from the release's own tables (E = kr. per inhabitant × population; N = all inhabitants)
    funcs = load_catalog().area("administration").functions

    def spent(year: int) -> tuple[float, float]:
        rows = release.query(f"SELECT sum(per_inhabitant) FROM expenditure WHERE municipality_code = ? AND year = ? "
                             f"AND function IN ({', '.join('?' for _ in funcs)})", [HERNING, year, *funcs])
        pop = release.query("SELECT population FROM population WHERE municipality_code = ? AND year = ?",
                            [HERNING, year])[0][0]
        return float(rows[0][0]) * pop, float(pop)

    index = {int(y): float(v) for y, v, _ in release.query(
        "SELECT year, value, status FROM price_index WHERE index_id = 'PRIS113'")}
    E0, N0 = spent(2018)
    assert r.base_expenditure == pytest.approx(E0) and r.base_target == pytest.approx(N0)
    for y in r.years:
        E, N = spent(y.year)
        e_fixed = E * index[2018] / index[y.year] / N
        assert y.unit_cost_fixed == pytest.approx(e_fixed)
        assert y.observed == pytest.approx((e_fixed - E0 / N0) * N / 1000)
        assert y.comparable and y.status == "observed"
    # what makes it the example: spending per inhabitant fell every year after the budget
    assert all(y.change < -0.05 for y in r.years)
    assert [round(y.change, 3) for y in r.years] == [-0.07, -0.094, -0.113, -0.142]
    assert round(r.years[0].observed) == -15022


def test_target_group_change_is_corrected_for(release: Release) -> None:
    """Folkeskole is per 6-16-year-old: the observed development is per-person spending × that year's children."""
    r = fu.followup(release, 751, "folkeskole", 2020)
    assert r.available and r.target_group == "6-16"
    p0 = area_panel(release, 2019)
    j = p0.area_index("folkeskole")
    i = p0.index(751)
    assert r.base_target == pytest.approx(p0.target[i, j])
    y = r.years[0]
    p1 = area_panel(release, 2020)
    assert y.target == pytest.approx(p1.target[p1.index(751), j]) and y.target != r.base_target
    assert y.status == "estimated" and "skøn" in y.note


def test_elderly_care_before_2018_is_a_break_not_a_fall(release: Release) -> None:
    """The elderly-care functions exist from 2018: budget 2018 has no base year to compare with."""
    r = fu.followup(release, 751, "aeldre", 2018)
    assert not r.available and "2017" in r.reason and r.years == []
    assert fu.followup(release, 751, "aeldre", 2019).available


def test_no_accounts_yet_no_base_year_and_themes(release: Release) -> None:
    last = release.years[-1]
    r = fu.followup(release, 751, "folkeskole", last + 1)
    assert not r.available and "ingen regnskabsår" in r.reason
    r = fu.followup(release, 751, "folkeskole", release.years[0])
    assert not r.available and "basisåret" in r.reason
    with pytest.raises(UnknownArea):
        fu.followup(release, 751, "indkoeb", 2020)
    # years after BO3 are not compared by default, but can be asked for
    assert len(fu.followup(release, 751, "folkeskole", 2017).years) == 4
    assert len(fu.followup(release, 751, "folkeskole", 2017, years_after=8).years) == 8


def test_without_a_price_index_the_follow_up_corrects_for_demography_only_and_says_so(
        release: Release, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_index(*args: Any, **kwargs: Any) -> Any:
        raise DataNotAvailable("intet prisindeks")

    monkeypatch.setattr(fu, "price_basis", no_index)
    r = fu.followup(release, HERNING, "administration", 2019)
    assert r.available and "UDEN priskorrektion" in r.method and "demografien" in r.method
    assert r.prices.startswith("Løbende priser")
    E0, N0 = r.base_expenditure, r.base_target
    y = r.years[0]
    assert y.unit_cost_fixed == pytest.approx(y.expenditure / y.target)
    assert y.observed == pytest.approx((y.expenditure / y.target - E0 / N0) * y.target / 1000)


def test_the_catalogue_shows_the_follow_up_of_adopted_proposals(engine: Any, users: Any) -> None:
    from raaderum.reports.catalogue_report import build_report
    from raaderum.server import catalogue as cs

    op = users["operator"]
    c = cs.create_catalogue(engine, op, HERNING, 2019, "Herning 2019")
    a = cs.add_proposal(engine, op, c.id, {"title": "Fælles servicecenter", "area_id": "administration",
                                           "amount_b": "-5.000", "amount_bo1": "-10.000"})
    b = cs.add_proposal(engine, op, c.id, {"title": "Digital post", "area_id": "administration",
                                           "amount_b": "-1.000"})
    t = cs.add_proposal(engine, op, c.id, {"title": "Indkøb", "area_id": "indkoeb", "amount_b": "-700"})
    cs.add_proposal(engine, op, c.id, {"title": "Ikke vedtaget", "area_id": "folkeskole", "amount_b": "-9"})
    for p in (a, b, t):
        cs.set_status(engine, op, p.id, p.version, "vedtaget")
    r = build_report(engine, c.id)
    groups = {g.area_id: g for g in r.followups}
    assert set(groups) == {"administration", "indkoeb"}
    adm = groups["administration"]
    assert {p.id for p in adm.proposals} == {a.id, b.id}
    assert adm.result is not None and adm.result.years[0].expected == -6000.0  # both proposals' B
    assert adm.result.years[1].expected == -10000.0 and adm.result.years[2].expected is None
    assert groups["indkoeb"].result is None and "Tema" in groups["indkoeb"].note
    assert "ikke bevis for effekt" in r.followup_note
    later = cs.create_catalogue(engine, op, HERNING, release_last(engine) + 2, "Senere")
    p = cs.add_proposal(engine, op, later.id, {"title": "x", "area_id": "administration"})
    cs.set_status(engine, op, p.id, p.version, "vedtaget")
    r = build_report(engine, later.id)
    assert r.followups == [] and "bliver mulig" in r.followup_note


def release_last(_: Any) -> int:
    from raaderum.release.reader import open_release

    return open_release().years[-1]
