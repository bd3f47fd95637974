"""Every estimate is marked with its method; the target-group methods are validated on held-back dates."""

from __future__ import annotations

import numpy as np
import pytest

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.key_figures import key_figures
from raaderum.release import demography
from raaderum.release.raw_inputs import read_raw_inputs
from raaderum.release.reader import Release
from raaderum.release.registry import METHODS, MISSING_REASONS

STATUS_COLUMNS = {
    "expenditure": [("per_inhabitant_status", "per_inhabitant_method"), ("total_status", "total_method")],
    "population": [("status", "method")], "target_groups": [("status", "method")],
    "structure": [("status", "method")], "series": [("status", "method")], "noegletal": [("status", "method")],
    "price_index": [("status", "method")],
}


@pytest.mark.parametrize("table", list(STATUS_COLUMNS))
def test_every_value_has_a_status_and_every_estimate_its_method(release: Release, table: str) -> None:
    for status, method in STATUS_COLUMNS[table]:
        rows = release.query(f"SELECT {status}, {method}, count(*) FROM {table} GROUP BY ALL")
        for st, me, _n in rows:
            assert st in ("observed", "derived", "estimated", "missing"), (table, st)
            if st == "observed":
                assert me is None, (table, me)
            elif st in ("derived", "estimated"):
                assert me in METHODS, (table, st, me)
            else:
                assert me in MISSING_REASONS, (table, me)
    assert all(len(v) > 40 for v in METHODS.values())


def test_an_observed_per_inhabitant_figure_is_never_estimated_because_of_its_target_group(release: Release) -> None:
    for year in (2016, 2020, 2024):
        kf = key_figures(release, "Aarhus", year)
        for a in kf.areas:
            if a.per_inhabitant is None:
                continue
            assert a.status == "observed", (year, a.id)  # every REGK31 value and every population is observed
            assert a.per_target_status == ("observed" if a.target_status == "observed" else "estimated")
            if a.target_status == "estimated":
                assert a.methods and all(m in METHODS for m in a.methods)
    res = run_benchmark(release, "Aarhus", 2024)
    for a in res.areas:
        assert a.per_inhabitant_status == "observed"
        assert a.expenditure_status == "derived" and a.expenditure_precision and a.expenditure_precision > 0
        assert ("estimated" in a.flags) == (a.target_status == "estimated")


def test_method_errors_are_in_the_manifest_and_below_their_bounds(release: Release) -> None:
    results = release.method_validation()
    assert {(r["method"], r["target_group"]) for r in results} >= {
        (m, tg) for m in ("age_share_interpolated", "cohort_ageing", "age_share_trend") for tg in ("65+", "67+", "80+")}
    for r in results:
        bound = demography.error_bound(str(r["method"]), int(r["horizon"]))  # type: ignore[arg-type]
        assert r["bound"] == bound is not None
        assert r["n"] == 98
        assert r["mape"] <= bound, r  # type: ignore[operator]
        assert r["mape"] < r["baseline_mape"], r  # better than the first release's "2021 shares" on every date
    one_year = [r for r in results if r["method"] == "cohort_ageing" and r["horizon"] == 1]
    assert len(one_year) == 3 and max(float(r["mape"]) for r in one_year) < 0.01  # type: ignore[arg-type]
    assert release.manifest["method_validation"]["bounds"]


def test_the_validation_is_reproduced_from_the_raw_files(release: Release) -> None:
    inputs = read_raw_inputs()
    from raaderum.release import derive
    from raaderum.release.build import _with_national

    years = sorted(set(inputs.population.column("year").to_pylist()))
    codes = sorted(m.code for m in inputs.municipalities)
    population = _with_national(derive.fill_population(inputs.population, codes, years))
    from raaderum.catalog import load_catalog

    groups = derive.target_groups(inputs, derive.population_panel(population, codes), load_catalog())
    assert groups.validation == release.method_validation()


# ------------------------------------------------------------------------------------------ pure methods


def _pyramids(counts: dict[int, np.ndarray]) -> demography.AgePyramids:
    return demography.AgePyramids(codes=np.arange(len(next(iter(counts.values())))), counts=counts)


def test_interpolation_is_exact_for_a_linear_share() -> None:
    n = 3
    years = list(range(2010, 2021))
    pop = np.full((n, len(years)), 1000.0)
    counts = {}
    for y in (2010, 2020):
        c = np.full((n, demography.MAX_AGE + 1), np.nan)
        c[:, 65:] = 0.0
        c[:, 70] = 100.0 + (y - 2010) * 10  # the 65+ share grows from 10 % to 20 %
        counts[y] = c
    g = demography.estimate_groups(_pyramids(counts), pop, years, 65, None)
    assert g.values[:, years.index(2015)] == pytest.approx([150.0] * n)
    assert list(g.method[0]) == [None] + ["age_share_interpolated"] * 9 + [None]


def test_cohort_ageing_with_constant_ratios_is_exact() -> None:
    ages = np.arange(demography.MAX_AGE + 1)
    r = np.where(ages < 100, 0.95, 0.5)

    def pyramid(t: int) -> np.ndarray:
        base = np.where(ages >= 60, 1000.0, 0.0)
        return demography.age_pyramid(base[None, :].repeat(2, axis=0), r, t)

    p0, p1 = np.nan_to_num(pyramid(10)), np.nan_to_num(pyramid(11))
    counts = {2020: p0, 2021: p1}
    years = [2020, 2021, 2022, 2023]
    pop = np.full((2, 4), 1e6)
    est = demography.estimate_groups(_pyramids(counts), pop, years, 80, None)
    truth = np.nan_to_num(pyramid(13))[:, 80:].sum(axis=1)
    assert est.method[0, 3] == "cohort_ageing"
    assert est.values[:, 3] == pytest.approx(truth, rel=1e-9)


def test_ratios_from_a_gap_of_several_years() -> None:
    ages = np.arange(demography.MAX_AGE + 1)
    r = np.where(ages < 100, 0.97, 0.6)
    base = np.where(ages >= 50, 1000.0, 0.0)[None, :]
    p0 = demography.age_pyramid(base, r, 5)
    p4 = demography.age_pyramid(base, r, 9)
    got = demography.cohort_ratios(_pyramids({2015: np.nan_to_num(p0), 2019: np.nan_to_num(p4)}), 2015, 2019)
    assert got[70:95] == pytest.approx(0.97, rel=1e-9)
