from __future__ import annotations

import numpy as np
import pytest

from raaderum.analysis.benchmark import (
    FLAGS,
    REFERENCES,
    benchmark_arrays,
    national_weighted_mean,
    potential,
    ref_value,
    resolve_reference,
    run_benchmark,
    total_potential,
)
from raaderum.analysis.key_figures import area_panel
from raaderum.errors import DataNotAvailable, InputError, UnknownMunicipality
from raaderum.release.reader import Release

# ------------------------------------------------------------------------------------------ formulas by hand


def test_peer_references_by_hand() -> None:
    v = np.array([40.0, 10.0, 30.0, 20.0])
    assert ref_value("peer_mean", v) == 25.0
    assert ref_value("peer_median", v) == 25.0
    assert ref_value("peer_median", np.array([3.0, 1.0, 2.0])) == 2.0
    # P25, numpy 'linear': virtual index 0.25·(4 − 1) = 0.75 → 10 + 0.75·(20 − 10)
    assert ref_value("peer_p25", v) == 17.5 == np.percentile(v, 25, method="linear")
    assert ref_value("cheapest_peer", v) == 10.0
    ten = np.arange(10.0, 0.0, -1.0)  # 10 … 1: the 5 cheapest are 1 … 5
    assert ref_value("best5_of_10", ten) == 3.0
    assert ref_value("best5_of_10", np.array([4.0, 2.0])) == 3.0  # fewer than 5: all of them


def test_peer_references_leave_out_zero_negative_and_missing() -> None:
    v = np.array([10.0, 0.0, -5.0, np.nan, 30.0])
    assert ref_value("peer_mean", v) == 20.0
    assert ref_value("cheapest_peer", v) == 10.0
    assert np.isnan(ref_value("peer_mean", np.array([np.nan, -1.0])))
    with pytest.raises(InputError):
        ref_value("national", v)


def test_national_weighted_mean_by_hand() -> None:
    # ΣE/ΣN with every municipality that has a figure, E ≤ 0 included; N ≤ 0 or missing left out.
    E = np.array([100.0, 300.0, -20.0, 50.0, np.nan])
    N = np.array([10.0, 20.0, 10.0, 0.0, 5.0])
    assert national_weighted_mean(E, N) == pytest.approx(380.0 / 40.0)
    assert np.isnan(national_weighted_mean(np.array([np.nan]), np.array([1.0])))


def test_potential_by_hand() -> None:
    assert potential(120.0, 100.0, 50.0) == 1000.0
    assert potential(80.0, 100.0, 50.0) == 0.0
    assert potential(0.0, 100.0, 50.0) is None  # flagged, not 0 and not a division
    assert potential(-3.0, 100.0, 50.0) is None
    assert potential(None, 100.0, 50.0) is None
    assert potential(120.0, float("nan"), 50.0) is None
    assert potential(0.1 * 3, 0.1 + 0.1 + 0.1, 1e6) == 0.0  # rounding noise is not room


def test_total_never_nets_negative_gaps() -> None:
    assert total_potential([100.0, None, 0.0, 50.0]) == 150.0
    assert total_potential([-40.0, 10.0]) == 10.0
    assert total_potential([]) == 0.0


def _hand_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    e = np.array([100.0, 80.0, 90.0, 120.0, 50.0])
    N = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    return e[:, None], (e * N)[:, None], N[:, None]


def test_benchmark_arrays_by_hand() -> None:
    U, E, N = _hand_case()
    r = benchmark_arrays(U, E, N, 0, np.array([1, 2, 3]), np.array([1, 2, 3, 4]), B=1000, seed=1)
    got = dict(zip(r.references, r.ref_values[:, 0], strict=True))
    assert got["peer_mean"] == pytest.approx(290 / 3)
    assert got["peer_median"] == 90.0
    assert got["peer_p25"] == 85.0  # index 0.5 between 80 and 90
    assert got["cheapest_peer"] == 80.0
    assert got["best5_of_10"] == pytest.approx((80 + 90 + 120 + 50) / 4)
    national = (1000 + 1600 + 2700 + 4800 + 2500) / 150
    assert got["national"] == pytest.approx(national)
    pots = dict(zip(r.references, r.potentials[:, 0], strict=True))
    assert pots["peer_mean"] == pytest.approx((100 - 290 / 3) * 10)
    assert pots["peer_median"] == pytest.approx(100.0)
    assert pots["peer_p25"] == pytest.approx(150.0)
    assert pots["cheapest_peer"] == pytest.approx(200.0)
    assert pots["national"] == pytest.approx((100 - national) * 10)
    assert r.totals.tolist() == pytest.approx(r.potentials[:, 0].tolist())
    assert r.potential_draws.shape == (len(r.references), 1, 1000)
    lo, mid, hi = r.bands[r.references.index("peer_mean"), 0]
    assert 0 <= lo <= mid <= hi
    # The cheapest of a resample is at least the cheapest peer: its potential never exceeds 200.
    assert r.bands[r.references.index("cheapest_peer"), 0, 2] <= 200.0 + 1e-9


def test_bootstrap_is_deterministic_per_seed() -> None:
    U, E, N = _hand_case()
    args = (U, E, N, 0, np.array([1, 2, 3]), np.array([1, 2, 3, 4]))
    a = benchmark_arrays(*args, B=1000, seed=42)
    b = benchmark_arrays(*args, B=1000, seed=42)
    c = benchmark_arrays(*args, B=1000, seed=43)
    assert np.array_equal(a.potential_draws, b.potential_draws) and np.array_equal(a.bands, b.bands)
    assert not np.array_equal(a.potential_draws, c.potential_draws)
    # The point values do not depend on the seed.
    assert np.array_equal(a.ref_values, c.ref_values)


def test_bootstrap_band_of_identical_peers_is_a_point() -> None:
    U = np.array([[100.0], [90.0], [90.0], [90.0]])
    N = np.ones((4, 1)) * 10
    r = benchmark_arrays(U, U * N, N, 0, np.array([1, 2, 3]), np.array([1, 2, 3]), B=1000)
    i = r.references.index("peer_median")
    assert r.bands[i, 0].tolist() == pytest.approx([100.0, 100.0, 100.0])


def test_zero_negative_and_missing_get_no_potential() -> None:
    U = np.array([[0.0, -5.0, np.nan], [10.0, 10.0, 10.0], [20.0, 20.0, 20.0]])
    N = np.full((3, 3), 5.0)
    r = benchmark_arrays(U, U * N, N, 0, np.array([1, 2]), np.array([1, 2]), B=1000)
    assert np.isnan(r.potentials).all() and np.isnan(r.bands).all()
    assert r.totals.tolist() == [0.0] * len(r.references)


def test_peers_with_zero_cost_are_left_out_and_listed() -> None:
    U = np.array([[50.0], [0.0], [40.0], [-1.0], [30.0]])
    N = np.ones((5, 1))
    r = benchmark_arrays(U, U * N, N, 0, np.array([1, 2, 3, 4]), np.array([1, 2, 3, 4]), B=1000)
    assert r.peer_counts.tolist() == [2]
    assert r.excluded_peers == [[1, 3]]
    assert r.ref_values[r.references.index("cheapest_peer"), 0] == 30.0


def test_own_row_in_peers_is_refused() -> None:
    U, E, N = _hand_case()
    with pytest.raises(InputError, match="sin egen"):
        benchmark_arrays(U, E, N, 0, np.array([0, 1]), np.array([1, 2]))


def test_references_have_names_and_explanations() -> None:
    assert list(REFERENCES) == ["national", "peer_mean", "peer_median", "peer_p25", "best5_of_10", "cheapest_peer"]
    for r in REFERENCES.values():
        assert r.name and len(r.explanation) > 30
    assert all(len(t) > 20 for t in FLAGS.values())
    assert resolve_reference("P25") == "peer_p25"
    assert resolve_reference("Median af sammenligningskommunerne") == "peer_median"
    assert resolve_reference("landsgennemsnit") == "national"
    with pytest.raises(InputError, match="Vælg et af"):
        resolve_reference("average")


# ------------------------------------------------------------------------------------------ over the release


def test_run_benchmark_aarhus(release: Release) -> None:
    res = run_benchmark(release, "Århus", 2024)
    assert res.municipality.code == 751 and res.year == 2024 and res.reference == "peer_mean"
    assert 751 not in res.peers.codes and len(res.peers.codes) == 10
    pots = [a.potential for a in res.areas]
    known = [p for p in pots if p is not None]
    assert known == sorted(known, reverse=True) and all(p >= 0 for p in known)
    assert pots[len(known):] == [None] * (len(pots) - len(known))  # None last
    assert res.total["potential"] == pytest.approx(sum(known))
    for r_id, tot in res.total["by_reference"].items():
        assert tot == pytest.approx(sum(a.references[r_id]["potential"] or 0.0 for a in res.areas))
    rng = res.total["range"]
    assert rng["min"] == min(res.total["by_reference"].values())
    assert rng["max"] == max(res.total["by_reference"].values())
    area = res.area("folkeskole")
    assert area.denominator == "6-16" and area.unit_cost == pytest.approx(area.expenditure / area.target)
    assert area.references["peer_mean"]["value"] == pytest.approx(
        np.mean([p["unit_cost"] for p in area.peer_values]))
    assert res.area("sundhed").denominator == "alle"


def test_national_reference_matches_the_national_figure(release: Release) -> None:
    res = run_benchmark(release, "Aarhus", 2021)
    p = area_panel(release, 2021)
    # In 2021 every input is observed: ΣE/ΣN of the 98 reproduces Statistics Denmark's national figure.
    for a in res.areas:
        assert a.references["national"]["value"] == pytest.approx(p.national_unit_cost[p.area_index(a.id)],
                                                                   rel=0.005), a.id


def test_flags_for_outliers(release: Release) -> None:
    laesoe = run_benchmark(release, "Læsø", 2024)
    for a in laesoe.areas:
        assert "small_municipality" in a.flags
        # The population on 1 January 2024 is observed (data release 2); age-based target groups are estimates.
        assert ("estimated" in a.flags) == (a.denominator != "alle"), a.id
    spec = laesoe.area("specialundervisning")
    assert "zero_or_negative" in spec.flags and spec.potential is None and spec.band is None
    assert spec.unit_cost is not None and spec.unit_cost <= 0  # shown as it is, not hidden
    assert "specialundervisning" in laesoe.total["areas_without_potential"]
    kbh = run_benchmark(release, 101, 2024)
    assert all("capital" in a.flags for a in kbh.areas)
    assert "break_in_series" in kbh.area("aeldre").flags
    old = run_benchmark(release, 101, 2016)
    aeldre = old.area("aeldre")
    assert "missing" in aeldre.flags and aeldre.potential is None and aeldre.unit_cost is None
    assert all(v["value"] is None for k, v in aeldre.references.items())
    assert "aeldre" in old.total["areas_without_potential"] and old.areas[-1].potential is None


def test_same_inputs_same_result_and_the_seed_matters(release: Release) -> None:
    a = run_benchmark(release, "Odense", 2023, seed=5).to_dict()
    b = run_benchmark(release, "Odense", 2023, seed=5).to_dict()
    c = run_benchmark(release, "Odense", 2023, seed=6).to_dict()
    assert a == b
    assert a["total"]["potential"] == c["total"]["potential"]
    assert a["total"]["band"] != c["total"]["band"]


def test_weights_and_specs_change_peers_not_rules(release: Release) -> None:
    base = run_benchmark(release, "Fanø", 2024)
    other = run_benchmark(release, "Fanø", 2024, weights="ln_population=5")
    assert base.peers.codes != other.peers.codes
    assert other.method["peers"]["weights"]["ln_population"] == 5.0
    grp = run_benchmark(release, "Fanø", 2024, peers="group", reference="best5_of_10")
    # best5_of_10 uses the 10 structurally nearest whatever the spec: same as with k=10
    assert grp.total["by_reference"]["best5_of_10"] == pytest.approx(base.total["by_reference"]["best5_of_10"])
    assert grp.peers.spec.kind == "group" and len(grp.peers.codes) == 30


def test_method_and_provenance_carry_every_parameter(release: Release) -> None:
    res = run_benchmark(release, "Aarhus", 2024, reference="p25", B=1200, seed=9)
    m = res.method
    assert m["reference"] == "peer_p25"
    assert m["bootstrap"]["B"] == 1200 and m["bootstrap"]["seed"] == 9
    assert m["bootstrap"]["percentiles"] == [10, 50, 90]
    assert m["peers"]["k"] == 10 and m["peers"]["spec"] == "k=10"
    assert set(m["peers"]["weights"]) == {v["id"] for v in m["peers"]["variables"]}
    assert m["stability"]["draws"] == 200 and m["stability"]["perturbation"] == 0.2
    assert "linear" in m["percentile_method"]
    p = res.provenance
    assert p["table"] == "REGK31" and p["year"] == 2024 and p["release_id"] == release.id
    assert "Løbende" in p["price_basis"] and p["attribution"] == "Kilde: Danmarks Statistik"


def test_bad_input_is_refused(release: Release) -> None:
    with pytest.raises(InputError, match="1.000"):
        run_benchmark(release, "Aarhus", B=999)
    with pytest.raises(UnknownMunicipality):
        run_benchmark(release, "Christiansø")
    with pytest.raises(DataNotAvailable):
        run_benchmark(release, "Aarhus", 2010)
    with pytest.raises(InputError):
        run_benchmark(release, "Aarhus", reference="mode")
