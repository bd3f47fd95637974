"""Fixed prices: fixed / current = I(base) / I(year) for every year and base year, and every figure says its basis."""

from __future__ import annotations

import pytest

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.decomposition import spending_decomposition
from raaderum.analysis.key_figures import area_time_series, area_unit_cost_series, key_figures
from raaderum.analysis.prices import price_basis, resolve_prices
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable, InputError
from raaderum.release.reader import Release


def _index(release: Release) -> dict[int, float]:
    return dict(release.query("SELECT year, value FROM price_index WHERE index_id = 'PRIS113'"))


def test_key_figures_fixed_over_current_is_the_index_ratio_for_every_year_and_base(release: Release) -> None:
    idx = _index(release)
    current = {y: key_figures(release, "Aarhus", y) for y in release.years}
    for base in release.years:
        for y in release.years:
            fixed = key_figures(release, "Aarhus", y, prices="faste", base_year=base)
            ratio = idx[base] / idx[y]
            for a, c in zip(fixed.areas, current[y].areas, strict=True):
                for field in ("per_inhabitant", "national_per_inhabitant", "per_target", "national_per_target",
                              "expenditure"):
                    fv, cv = getattr(a, field), getattr(c, field)
                    assert (fv is None) == (cv is None)
                    if cv:
                        assert fv / cv == pytest.approx(ratio, rel=1e-12), (base, y, a.id, field)
                assert a.rank == c.rank and a.rank_per_target == c.rank_per_target and a.target_size == c.target_size
            for f, c in zip(fixed.functions, current[y].functions, strict=True):
                if c.per_inhabitant:
                    assert f.per_inhabitant / c.per_inhabitant == pytest.approx(ratio, rel=1e-12)
            p = fixed.provenance
            assert p["prices"]["basis"] == "faste" and p["prices"]["base_year"] == base
            assert p["prices"]["factor"] == pytest.approx(ratio)
            assert p["price_basis"] == (f"Faste {base}-priser (forbrugerprisindeks, ikke kommunernes pris- og "
                                        "lønindeks)")


def test_time_series_and_unit_cost_series_in_fixed_prices(release: Release) -> None:
    idx = _index(release)
    area = load_catalog().area("folkeskole")
    cur = area_time_series(release, 751, area)
    for base in (2016, 2020, 2023, 2024):
        fixed = area_time_series(release, 751, area, prices="faste", base_year=base)
        for f, c in zip(fixed, cur, strict=True):
            assert f["per_inhabitant"] / c["per_inhabitant"] == pytest.approx(idx[base] / idx[c["year"]], rel=1e-12)
            assert f["prices"].startswith(f"Faste {base}-priser") and c["prices"].startswith("Løbende")
        fu = area_unit_cost_series(release, 751, "folkeskole", peers=[461, 851], prices="faste", base_year=base)
        cu = area_unit_cost_series(release, 751, "folkeskole", peers=[461, 851])
        for f, c in zip(fu, cu, strict=True):
            r = idx[base] / idx[c["year"]]
            for k in ("own", "peers", "national"):
                assert f[k] / c[k] == pytest.approx(r, rel=1e-12)


@pytest.mark.parametrize("base", [2016, 2021, 2023])
def test_benchmark_in_fixed_prices_scales_every_kroner_figure(release: Release, base: int) -> None:
    idx = _index(release)
    for y in (2018, 2024):
        cur = run_benchmark(release, "Odense", y, need_corrected=True)
        fix = run_benchmark(release, "Odense", y, need_corrected=True, prices="faste", base_year=base)
        r = idx[base] / idx[y]
        assert fix.peers.codes == cur.peers.codes  # peers never depend on prices
        for a, c in zip(sorted(fix.areas, key=lambda x: x.id), sorted(cur.areas, key=lambda x: x.id), strict=True):
            for k in ("unit_cost", "expenditure", "potential", "expenditure_precision"):
                if getattr(c, k):
                    assert getattr(a, k) / getattr(c, k) == pytest.approx(r, rel=1e-9), (a.id, k)
            for ref in c.references:
                for k in ("value", "potential"):
                    if c.references[ref][k]:
                        assert a.references[ref][k] / c.references[ref][k] == pytest.approx(r, rel=1e-9)
                if c.references[ref]["band"] and c.references[ref]["band"]["p90"]:
                    assert a.references[ref]["band"]["p90"] / c.references[ref]["band"]["p90"] == pytest.approx(
                        r, rel=1e-9)
            if c.need and c.need.get("potential"):
                assert a.need["index"] == pytest.approx(c.need["index"])  # the need index has no unit
                assert a.need["potential"] / c.need["potential"] == pytest.approx(r, rel=1e-9)
        assert fix.total["potential"] / cur.total["potential"] == pytest.approx(r, rel=1e-9)
        assert fix.provenance["price_basis"].startswith(f"Faste {base}-priser")
        assert fix.method["prices"]["factor"] == pytest.approx(r)
        assert cur.provenance["prices"]["basis"] == "løbende"


def test_decomposition_in_fixed_prices_scales_kroner_and_keeps_shares(release: Release) -> None:
    idx = _index(release)
    cur = spending_decomposition(release, "Aarhus", "beskaeftigelse", 2020, peers=[461, 851])
    fix = spending_decomposition(release, "Aarhus", "beskaeftigelse", 2020, peers=[461, 851], prices="faste",
                                 base_year=2023)
    r = idx[2023] / idx[2020]
    for a, c in zip(fix.rows, cur.rows, strict=True):
        assert a.decomposition.total / c.decomposition.total == pytest.approx(r)
        assert a.factors["demography"] == pytest.approx(c.factors["demography"])
    assert fix.provenance["prices"]["base_year"] == 2023


def test_default_base_year_and_errors(release: Release) -> None:
    b = price_basis(release, "faste")
    assert b.base_year == 2023 and b.fallback and b.estimated_years == (2024,)
    assert price_basis(release, None).label == "Løbende priser (ikke prisreguleret)"
    assert resolve_prices("LØBENDE") == "løbende" and resolve_prices("fixed") == "faste"
    with pytest.raises(InputError, match="løbende"):
        resolve_prices("reale")
    with pytest.raises(DataNotAvailable, match="1970"):
        price_basis(release, "faste", 1970)
    with pytest.raises(InputError, match="basisår"):
        price_basis(release, "løbende", 2020)
