"""Coverage in the decomposition, what the figures cover, and one national unit cost everywhere."""

from __future__ import annotations

import math

import pytest

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.decomposition import spending_decomposition
from raaderum.analysis.key_figures import area_panel, area_unit_cost_series, key_figures
from raaderum.analysis.peers import choose_peers
from raaderum.analysis.scope import figures_scope, genitive
from raaderum.catalog import load_catalog, load_coverage, load_service_scope
from raaderum.release.reader import Release


def test_coverage_entries_are_complete(release: Release) -> None:
    cat = load_catalog()
    series = set(release.manifest["series"])
    for c in load_coverage():
        assert c.area in cat.area_ids() and set(c.functions) <= set(cat.area(c.area).functions)
        assert c.recipients in series and c.target_group in cat.target_groups
        assert len(c.explanation) > 40 and len(c.caveat) > 40 and c.coverage_name and c.unit_cost_name
    scope = load_service_scope()
    assert scope.outside and all(len(r) > 20 for r in scope.outside.values())
    assert set(scope.outside) <= set(release.function_labels)


def test_kontanthjaelp_is_demography_times_coverage_times_unit_cost(release: Release) -> None:
    year = 2024
    R = dict(release.query("SELECT municipality_code, value FROM series WHERE series = 'social_assistance_fte' "
                           "AND year = ?", [year]))
    N = dict(release.query("SELECT municipality_code, persons FROM target_groups WHERE target_group = '17-64' "
                           "AND year = ?", [year]))
    P = dict(release.query("SELECT municipality_code, population FROM population WHERE year = ?", [year]))
    e = dict(release.query("SELECT municipality_code, per_inhabitant FROM expenditure WHERE function = '5.57.73' "
                           "AND year = ?", [year]))
    for code in release.register.codes():
        peers = choose_peers(release, code, year).codes
        d = spending_decomposition(release, code, "beskaeftigelse", year, peers=peers)
        rows = {(r.scope, r.against): r for r in d.rows}
        k = rows[("kontanthjaelp", "national")]
        assert k.factors["demography"] == pytest.approx(N[code] / P[code])
        assert k.factors["coverage"] == pytest.approx(R[code] / N[code])
        assert k.factors["unit_cost"] == pytest.approx(e[code] * P[code] / R[code])
        codes = release.register.codes()
        assert k.reference_factors["coverage"] == pytest.approx(sum(R[c] for c in codes) / sum(N[c] for c in codes))
        for r in d.rows:
            dec = r.decomposition
            assert dec is not None, (code, r.scope, r.against)
            assert sum(dec.parts.values()) == pytest.approx(dec.total, rel=1e-9, abs=1e-6)
            assert dec.value == pytest.approx(math.prod(r.factors.values()))
            assert sum(r.parts_dkk.values()) == pytest.approx(r.total_dkk, rel=1e-9, abs=1e-3)
        assert set(k.decomposition.parts) == {"demography", "coverage", "unit_cost"} and k.missing == []
        area = rows[("area", "peers")]
        assert area.missing == ["coverage", "unit_cost"] and "5.57.73" in area.note
        assert "nettoledige" in k.note  # the caveat: one benefit type only


def test_areas_without_recipients_say_so(release: Release) -> None:
    d = spending_decomposition(release, "Aarhus", "aeldre", 2024, peers=[461, 851])
    assert {r.scope for r in d.rows} == {"area"}
    for r in d.rows:
        assert r.missing == ["coverage", "unit_cost"] and "Antal modtagere findes ikke" in r.note
        assert set(r.decomposition.parts) == {"demography", "per_target"}
    d = spending_decomposition(release, "Læsø", "specialundervisning", 2017, peers=[461])
    assert any(r.decomposition is None and "0 eller derunder" in r.note for r in d.rows)  # Læsø reports 0


def test_what_the_figures_cover(release: Release) -> None:
    s = figures_scope(release, "Aarhus", 2023)
    service = release.query("SELECT value FROM noegletal WHERE indicator = 'serviceudgifter_pr_indb' AND "
                            "municipality_code = 751 AND year = 2023")[0][0]
    outside = set(load_service_scope().outside)
    inside = release.query("SELECT sum(per_inhabitant) FROM expenditure WHERE municipality_code = 751 AND year = 2023 "
                           f"AND function NOT IN ({', '.join(repr(f) for f in outside)})")[0][0]
    assert s.service_per_inhabitant == service and s.covered_per_inhabitant == pytest.approx(inside)
    assert s.share == pytest.approx(inside / service) and 0.4 < s.share < 0.75
    assert sum(p.share for p in s.by_area) == pytest.approx(s.share)
    assert {p.id for p in s.outside_service} == outside and all(p.share is None for p in s.outside_service)
    assert "57 %" in s.sentence and "Aarhus' serviceudgifter" in s.sentence
    missing = figures_scope(release, "Aarhus")  # 2024: 'M' in noegletal.dk
    assert missing.share is None and missing.service_reason == "noegletal_missing"
    assert "mangler i noegletal.dk" in missing.sentence and missing.latest_year_with_share == 2023
    assert genitive("Odense") == "Odenses" and genitive("Aarhus") == "Aarhus'"


def test_one_national_unit_cost_everywhere(release: Release) -> None:
    # Issue 11: Aarhus daycare 2021 showed 53,045 kr. in the key figures and 53,047 kr. in the benchmark.
    kf = next(a for a in key_figures(release, "Aarhus", 2021).areas if a.id == "dagtilbud")
    bench = run_benchmark(release, "Aarhus", 2021).area("dagtilbud").references["national"]["value"]
    panel = area_panel(release, 2021)
    j = panel.area_index("dagtilbud")
    series = next(r for r in area_unit_cost_series(release, 751, "dagtilbud") if r["year"] == 2021)
    assert kf.national_per_target == bench == panel.national_unit_cost[j] == series["national"]
    assert round(bench) == 53_047
    for y in release.years:
        p = area_panel(release, y)
        res = run_benchmark(release, "Odense", y)
        for a in res.areas:
            v = p.national_unit_cost[p.area_index(a.id)]
            assert a.references["national"]["value"] == (None if math.isnan(v) else v)
