from __future__ import annotations

import math

import numpy as np
import pytest

from raaderum.analysis.key_figures import area_panel, area_time_series, key_figures, rank_desc
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable, UnknownMunicipality
from raaderum.release.reader import Release


def test_area_figure_is_the_sum_of_its_functions_per_target_member(release: Release) -> None:
    kf = key_figures(release, "Aarhus", 2021)
    fn = {f.id: f for f in kf.functions}
    area = next(a for a in kf.areas if a.id == "beskaeftigelse")
    parts = ["5.48.66", "5.57.73", "5.57.78", "5.58.81", "5.68.90"]
    assert area.per_inhabitant == sum(fn[p].per_inhabitant for p in parts)
    pop = release.query("SELECT population FROM population WHERE municipality_code = 751 AND year = 2021")[0][0]
    n = release.query("SELECT persons FROM target_groups WHERE municipality_code = 751 AND year = 2021 "
                      "AND target_group = '17-64'")[0][0]
    assert area.per_target == pytest.approx(area.per_inhabitant * pop / n)
    assert area.target_group == "17-64" and area.target_status == "observed" and area.status == "observed"


def test_national_figure_and_rank(release: Release) -> None:
    kf = key_figures(release, 101, 2022)
    f = next(f for f in kf.functions if f.id == "3.22.01")
    values = [v for (v,) in release.query("SELECT per_inhabitant FROM expenditure WHERE function = '3.22.01' "
                                          "AND year = 2022 AND municipality_code <> 0")]
    assert f.rank == 1 + sum(v > f.per_inhabitant for v in values)
    assert f.ranked == 98
    assert f.national_per_inhabitant == release.query(
        "SELECT per_inhabitant FROM expenditure WHERE function = '3.22.01' AND year = 2022 "
        "AND municipality_code = 0")[0][0]


def test_estimated_years_say_how(release: Release) -> None:
    kf = key_figures(release, "Odense", 2024)
    dagtilbud = next(a for a in kf.areas if a.id == "dagtilbud")
    # Data release 2: the population on 1 January 2024 is observed, so kr. per inhabitant is observed; only the
    # target group (0-5-year-olds, single ages known for 2021 only) is an estimate, and says how.
    assert dagtilbud.status == "observed"
    assert dagtilbud.target_status == "estimated" and dagtilbud.per_target_status == "estimated"
    assert "age_share" in dagtilbud.methods and "population_trend" not in dagtilbud.methods
    aeldre = next(a for a in kf.areas if a.id == "aeldre")
    assert aeldre.status == "observed" and aeldre.methods == ["cohort_ageing"]


def test_missing_is_not_zero(release: Release) -> None:
    kf = key_figures(release, "Odense", 2017)
    aeldre = next(a for a in kf.areas if a.id == "aeldre")
    assert aeldre.per_inhabitant is None and aeldre.rank is None and aeldre.status == "missing"
    series = area_time_series(release, 461, load_catalog().area("aeldre"))
    assert series[0] == {"year": 2016, "per_inhabitant": None, "partial": False,
                         "prices": "Løbende priser (ikke prisreguleret)", "factor": 1.0}
    assert series[2]["per_inhabitant"] > 0


def test_bad_year_and_municipality(release: Release) -> None:
    with pytest.raises(DataNotAvailable, match="2016-2024"):
        key_figures(release, "Aarhus", 2030)
    with pytest.raises(UnknownMunicipality):
        key_figures(release, "Atlantis", 2020)


def test_panel_is_consistent(release: Release) -> None:
    p = area_panel(release, 2021)
    assert p.unit_cost.shape == (98, len(load_catalog().areas))
    ok = ~np.isnan(p.unit_cost)
    assert np.allclose(p.unit_cost[ok], (p.expenditure / p.target)[ok])
    # The national unit cost is ΣE/ΣN over the 98 (one definition everywhere).
    j = p.area_index("folkeskole")
    assert p.national_unit_cost[j] == pytest.approx(p.expenditure[:, j].sum() / p.target[:, j].sum(), rel=1e-12)


def test_rank_desc_handles_ties_and_missing() -> None:
    v = np.array([5.0, 7.0, math.nan, 7.0, 1.0])
    assert [rank_desc(v, i) for i in range(5)] == [3, 1, None, 1, 4]
