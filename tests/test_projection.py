"""Issue 14: the population projection (hand-made populations, the shipped data, the back-test) and the
demografiregulering (projected target group × unit cost)."""

from __future__ import annotations

import numpy as np
import pytest

from raaderum.analysis import demography as dm
from raaderum.analysis.demography import demographic_pressure, load_age_weights, pressure_overview
from raaderum.analysis.projection import (
    BACKTEST_BOUNDS,
    ELDERLY_FROM,
    PROJECTION_YEARS,
    TREND_BAND,
    backtest,
    birth_rates,
    elderly_change,
    has_official_projection,
    load_inputs,
    project_core,
    project_population,
)
from raaderum.catalog import load_catalog
from raaderum.release.demography import MAX_AGE, AgePyramids
from raaderum.release.reader import Release

A = MAX_AGE + 1


def _pyramid(**ages: float) -> np.ndarray:
    p = np.zeros((1, A))
    for k, v in ages.items():
        p[0, int(k.lstrip("a"))] = v
    return p


# --------------------------------------------------------------------------------------------- hand-made


def test_ageing_births_and_survival_without_totals_are_exact() -> None:
    base = _pyramid(a30=100, a70=50, a125=10)
    r = np.ones(A)
    r[ELDERLY_FROM - 1:] = 0.9
    got = project_core(base, 2021, [2022, 2023], r, None, np.array([0.1]), {})
    y1 = got.pyramids[2022][0]
    assert y1[31] == 100 and y1[71] == pytest.approx(45) and y1[0] == pytest.approx(10)  # 0.1 × the 100 aged 31
    assert y1[125] == pytest.approx(9)  # the oldest age absorbs its own survivors
    assert y1.sum() == pytest.approx(164) and not got.calibrated[2022]
    y2 = got.pyramids[2023][0]
    assert y2[32] == 100 and y2[1] == pytest.approx(10) and y2[72] == pytest.approx(40.5)
    assert y2[0] == pytest.approx(10) and y2[125] == pytest.approx(8.1)
    np.testing.assert_allclose(got.factors[2023], [1.0])


def test_calibration_hits_the_observed_total_and_the_mean_factor_carries_on() -> None:
    base = _pyramid(a30=100, a70=50)
    r = np.ones(A)
    r[ELDERLY_FROM - 1:] = 0.9
    got = project_core(base, 2021, [2022, 2023, 2024], r, None, np.array([0.1]),
                       {2022: np.array([165.0]), 2023: np.array([180.0])}, lookback=2)
    c1 = (165 - 45) / 110  # the 0-64 (100 aged 31 + 10 born) scaled so the total is 165; the 45 aged 71 stay
    assert got.pyramids[2022][0].sum() == pytest.approx(165)
    assert got.pyramids[2022][0][31] == pytest.approx(100 * c1) and got.pyramids[2022][0][71] == pytest.approx(45)
    young = 100 * c1 + 0.1 * 100 * c1 + 10 * c1  # aged 32, born, aged 1 (births before the factor)
    c2 = (180 - 40.5) / young
    assert got.factors[2023][0] == pytest.approx(c2) and got.pyramids[2023][0].sum() == pytest.approx(180)
    assert got.calibrated == {2022: True, 2023: True, 2024: False}
    assert got.factors[2024][0] == pytest.approx(np.sqrt(c1 * c2))  # geometric mean of the last two
    y3 = got.pyramids[2024][0]
    assert y3[33] == pytest.approx(100 * c1 * c2 * np.sqrt(c1 * c2))


def test_observed_elderly_replace_the_aged_ones() -> None:
    base = _pyramid(a30=100, a70=50)
    obs = np.full((1, A), np.nan)
    obs[0, ELDERLY_FROM:] = 0
    obs[0, 71] = 47
    r = np.ones(A)
    got = project_core(base, 2021, [2022], r, None, np.array([0.0]), {2022: np.array([150.0])},
                       observed_elderly={2022: obs})
    assert got.pyramids[2022][0][71] == 47 and got.pyramids[2022][0].sum() == pytest.approx(150)


def test_elderly_change_measures_national_ratios_and_municipal_factors() -> None:
    t1 = np.full((2, A), np.nan)
    t0 = np.full((2, A), np.nan)
    t1[:, 65:] = 0
    t0[:, 65:] = 0
    t1[:, 65:100] = 100
    t0[0, 66:101] = 80  # municipality A keeps 80 % a year, B all of them: nationally 90 %
    t0[1, 66:101] = 100
    t0[:, 65] = 100
    p = AgePyramids(codes=np.array([1, 2]), counts={2019: t1, 2020: t0})
    r, k = elderly_change(p, 2019, 2020)
    np.testing.assert_allclose(r[65:100], 0.9)
    np.testing.assert_allclose(k, [0.8 / 0.9, 1.0 / 0.9])


def test_birth_rates() -> None:
    p = _pyramid(a0=30, a25=200, a40=100)
    assert birth_rates(p)[0] == pytest.approx(0.1)


# --------------------------------------------------------------------------------------------- shipped data


def test_projection_of_the_shipped_release(release: Release) -> None:
    proj = project_population(release)
    inp = load_inputs(release)
    last = max(inp.totals)
    assert proj.base_year == last == 2026 and proj.budget_years == [2027, 2028, 2029, 2030]
    assert [proj.label(y) for y in proj.budget_years] == ["B", "BO1", "BO2", "BO3"]
    assert {proj.status[y] for y in proj.budget_years} == {"projection"} and proj.status[2021] == "observed"
    assert proj.method == "cohort_net_change" and "Fremskrivning" in proj.method_text
    for y in range(2022, 2027):  # calibrated exactly to the observed totals
        np.testing.assert_allclose(proj.band(None, 0, None, [y])[:, 0], inp.totals[y], rtol=1e-9)
    np.testing.assert_allclose(proj.pyramids[2022][:, 65:], inp.pyramids.counts[2022][:, 65:])
    for y in proj.budget_years:
        arr = proj.pyramids[y]
        assert np.isfinite(arr).all() and (arr >= 0).all()
    growth = proj.band(None, 0, None, [2030])[:, 0] / inp.totals[2026] - 1
    recent = inp.totals[2026] / inp.totals[2022] - 1  # the recent net migration carries on (step 4)
    assert np.abs(growth).max() < 0.2 and abs(growth.mean()) < 0.05 and np.corrcoef(growth, recent)[0, 1] > 0.8
    assert not has_official_projection(release) and proj.parameters["official_years"] == []
    d = proj.to_dict(751)
    assert d["status"]["2030"] == "projection" and len(d["single_ages"]["2027"]) == A


def test_backtest_is_reported_per_municipality_and_band_and_bounded(release: Release) -> None:
    bt = backtest(release)
    assert {s["band"] for s in bt.summary} >= {"65+", "67+", "70+", "80+", "90+", "i alt", TREND_BAND}
    assert {(s["base"], s["target"]) for s in bt.summary if s["band"] == "80+"} >= {(2019, 2022), (2015, 2019)}
    for s in bt.summary:
        assert s["n"] == 98 * s.get("n_bases", 1) and s["horizon"] <= PROJECTION_YEARS
        rows = [r for r in bt.rows if (r["band"], r["base"], r["target"]) == (s["band"], s["base"], s["target"])]
        assert len(rows) == 98  # the pooled trend test lists the municipalities of its latest base
        if s["band"] != TREND_BAND:
            assert max(abs(r["rel_error"]) for r in rows) == pytest.approx(s["max"])
    for band, bound in BACKTEST_BOUNDS.items():
        worst = max(s["p90"] for s in bt.summary if s["band"] == band)
        assert worst <= bound, (band, worst, bound)
    # the municipality's own change of its 65+ beats national ratios alone on every 80+ back-test
    national = backtest(release, municipal_elderly=False)
    for s in bt.summary:
        if s["band"] == "80+":
            other = next(x for x in national.summary if (x["band"], x["base"], x["target"]) ==
                         ("80+", s["base"], s["target"]))
            assert s["mape"] < other["mape"]
    assert bt.error("80+", 3) is not None and bt.error(TREND_BAND, 4) is not None


# --------------------------------------------------------------------------------------------- demografiregulering


def test_demografiregulering_is_projected_group_times_unit_cost_on_a_hand_case() -> None:
    class BT:
        pass

    class P:
        budget_years = [2027, 2028, 2029, 2030]

    errs = [(0.01, "a"), (0.02, "b"), (None, "c"), (0.04, "d")]
    years = dm._years(P(), 0, 100.0, np.array([110.0, 120.0, 90.0, 100.0]), 100.0, errs)  # type: ignore[arg-type]
    assert [y["change"] for y in years] == [1000.0, 2000.0, -1000.0, 0.0]
    assert [y["expected"] for y in years] == [11000.0, 12000.0, 9000.0, 10000.0]
    assert [y["change_from_previous"] for y in years] == [1000.0, 1000.0, -3000.0, 1000.0]
    assert years[0]["band"] == {"low": pytest.approx(890.0), "high": pytest.approx(1110.0)}
    assert years[2]["band"] is None and {y["status"] for y in years} == {"projection"}
    assert [y["label"] for y in years] == ["B", "BO1", "BO2", "BO3"]


def test_demografiregulering_on_the_shipped_data(release: Release) -> None:
    cat = load_catalog()
    res = demographic_pressure(release, "Aarhus")
    proj = project_population(release)
    assert res.budget_years == [2027, 2028, 2029, 2030] and res.base_year == 2026
    assert "Faste" in res.provenance["price_basis"] and res.provenance["status"] == "projection"
    for a in res.areas:
        tg = cat.target_group(a.target_group)
        assert a.unit_cost is not None
        for y in a.years:
            n = proj.group(751, tg, [y["year"]])[0]
            base = proj.group(751, tg, [2026])[0]
            assert y["change"] == pytest.approx(a.unit_cost * (n - base))
            assert y["band"]["low"] < y["change"] < y["band"]["high"]
    tot = res.total[-1]
    assert tot["change"] == pytest.approx(sum(a.years[-1]["change"] for a in res.areas))
    eld = next(a for a in res.areas if a.id == "aeldre")
    w = load_age_weights()["aeldre"]
    assert w.assumption and w.source and eld.weighted is not None and eld.weighted["assumption"]
    weights = w.weights()
    W = {y: float(proj.pyramids[y][proj.row(751)] @ weights) for y in (2024, 2026, 2030)}
    assert eld.weighted["years"][-1]["change"] == pytest.approx(eld.expenditure * (W[2030] - W[2026]) / W[2024])
    assert weights[67] == 1 and weights[66] == 0 and weights[95] > weights[82] > weights[70]
    rows = res.rows()
    assert len(rows) == 4 * (len(res.areas) + 1)
    ov = pressure_overview(release)
    aarhus = next(m for m in ov["municipalities"] if m["code"] == 751)
    assert aarhus["changes"]["BO3"] == pytest.approx(tot["change"])


def test_demografiregulering_in_current_prices_and_without_unit_cost(release: Release) -> None:
    fixed = demographic_pressure(release, 751, "folkeskole")
    current = demographic_pressure(release, 751, "folkeskole", prices="løbende")
    f = fixed.areas[0].years[0]["change"] / current.areas[0].years[0]["change"]
    assert f == pytest.approx(fixed.method["prices"]["factor"])
    old = demographic_pressure(release, 751, "aeldre", year=2016)  # the elderly functions exist from 2018
    a = old.areas[0]
    assert a.unit_cost is None and a.years[0]["change"] is None and a.notes and a.weighted is None


def test_an_official_projection_in_the_release_is_used_and_said(release: Release,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from raaderum.analysis import projection as pj

    official = np.full((98, A), 1.0)
    monkeypatch.setattr(pj, "has_official_projection", lambda rel: True)
    monkeypatch.setattr(pj, "_official", lambda rel, codes, years: {2027: official})
    saved = release.__dict__.pop("_projections", None)
    try:
        proj = pj.project_population(release)
        assert proj.method == "frkm_official" and "FRKM" in proj.method_text
        assert proj.parameters["official_years"] == [2027] and "FRKM" in proj.provenance["tables"]
        assert proj.band(751, 0, None, [2027])[0] == A and proj.band(751, 0, None, [2028])[0] > 1000
    finally:
        release.__dict__.pop("_projections", None)
        if saved is not None:
            release.__dict__["_projections"] = saved


def test_method_summary_for_the_method_page(release: Release) -> None:
    m = dm.method_summary(release)
    assert "kohortefremskrivning" in m["projection"]["text"] and m["projection"]["status"] == "projection"
    assert m["age_weights"][0]["assumption"] and m["backtest"]["summary"]
