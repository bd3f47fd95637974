"""DEA (raaderum.analysis.dea): hand-checked frontiers, invariance, duality with an independent multiplier-form
solution, super-efficiency, the Simar–Wilson bootstrap, and runs of every specification on the shipped release."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import linprog

from raaderum.analysis import dea
from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.dea import (
    CRS,
    DEA_SPECS,
    VRS,
    dea_data,
    dea_peer_codes,
    dea_peers,
    dea_potential,
    dea_scores,
    resolve_dea_spec,
    run_dea,
    run_dea_all,
    spec_for_area,
    super_efficiency,
    sw_bootstrap,
)
from raaderum.analysis.peers import choose_peers
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable, InputError, UnknownDeaSpec
from raaderum.release.reader import Release

# ------------------------------------------------------------------------------------------ independent solutions


def envelopment_one(X: np.ndarray, Y: np.ndarray, o: int, rts: str = VRS, exclude_self: bool = False) -> float:
    """θ of unit o by ONE plain linprog call in envelopment form (no stacking, no scaling, no reduction)."""
    n, m = X.shape
    s = Y.shape[1]
    cols = [j for j in range(n) if not (exclude_self and j == o)]
    c = np.r_[1.0, np.zeros(len(cols))]
    A_ub = np.vstack([np.c_[-X[o][:, None], X[cols].T], np.c_[np.zeros((s, 1)), -Y[cols].T]])
    b_ub = np.r_[np.zeros(m), -Y[o]]
    A_eq = np.r_[0.0, np.ones(len(cols))][None, :] if rts == VRS else None
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0] if rts == VRS else None,
                  bounds=[(0, None)] * (1 + len(cols)), method="highs")
    return float(res.x[0]) if res.status == 0 else float("nan")


def multiplier_one(X: np.ndarray, Y: np.ndarray, o: int, rts: str = VRS) -> float:
    """The dual (multiplier form) of unit o's LP: max u·y_o + u0 s.t. v·x_o = 1, u·y_j + u0 − v·x_j ≤ 0 ∀j,
    u, v ≥ 0, u0 free (0 under CRS). By LP duality its optimum is the envelopment θ."""
    n, m = X.shape
    s = Y.shape[1]
    # variables: v (m), u (s), u0 (1)
    c = -np.r_[np.zeros(m), Y[o], 1.0]
    A_ub = np.c_[-X, Y, np.ones(n)]
    A_eq = np.r_[X[o], np.zeros(s), 0.0][None, :]
    bounds = [(0, None)] * (m + s) + [(None, None) if rts == VRS else (0, 0)]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    assert res.status == 0
    return float(-res.fun)


def random_data(seed: int, n: int = 40, s: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Y = rng.lognormal(8, 0.8, size=(n, s))
    X = (Y.sum(axis=1) ** rng.uniform(0.8, 1.1) * rng.uniform(1.0, 2.0, n))[:, None] * 1000
    return X, Y


# ------------------------------------------------------------------------------------------ hand-checked cases

#: (x; y1, y2). A, B, C span the frontier; D's reference is ½A + ½B (θ = 4/8); E's θ = 4/6 (λ not unique);
#: F = (4; 1.5, 8) has the lowest input (θ = 1) but B = (4; 2, 8) has more y1: weakly efficient, slack 0.5.
PAPER_X = np.array([[4.0], [4.0], [6.0], [8.0], [6.0], [4.0]])
PAPER_Y = np.array([[8.0, 2.0], [2.0, 8.0], [9.0, 9.0], [5.0, 5.0], [6.0, 3.0], [1.5, 8.0]])
A, B_, C, D, E, F = range(6)


def test_two_output_example_solved_on_paper() -> None:
    s = dea_scores(PAPER_X, PAPER_Y, VRS)
    assert s.theta == pytest.approx([1, 1, 1, 0.5, 2 / 3, 1], abs=1e-7)
    assert s.efficient.tolist() == [True, True, True, False, False, True]
    assert s.strongly_efficient.tolist() == [True, True, True, False, False, False]
    # D: the unique optimum is λ_A = λ_B = ½, no slacks
    assert s.lambdas[D] == pytest.approx([0.5, 0.5, 0, 0, 0, 0], abs=1e-7)
    assert s.output_slacks[D] == pytest.approx([0, 0], abs=1e-7)
    # F: θ = 1, but its reference is B alone with 0.5 more of y1 (max-slack phase)
    assert s.lambdas[F] == pytest.approx([0, 1, 0, 0, 0, 0], abs=1e-7)
    assert s.output_slacks[F] == pytest.approx([0.5, 0.0], abs=1e-7)
    assert s.input_slacks[F] == pytest.approx([0.0], abs=1e-7)
    # E: any λ_A ∈ [2/3, 5/6] on A and B; the reported one is one of them
    assert s.lambdas[E, [A, B_]].sum() == pytest.approx(1)
    assert 2 / 3 - 1e-9 <= s.lambdas[E, A] <= 5 / 6 + 1e-9
    # CRS on paper: C scaled by 5/9 gives (5, 5) for 6·5/9 = 10/3, so θ_D = (10/3)/8 = 5/12 (λ_C = 5/9)
    crs = dea_scores(PAPER_X, PAPER_Y, CRS)
    assert crs.theta[D] == pytest.approx(5 / 12) and crs.lambdas[D] == pytest.approx([0, 0, 5 / 9, 0, 0, 0])


def test_one_output_dominated_unit_with_known_references() -> None:
    """(x; y): (2; 1), (4; 4), (6; 5), (8; 4.5). Under VRS the last one is compared with the segment from (4; 4) to
    (6; 5): y = 4.5 at x = 5, so θ = 5/8 with λ = ½, ½. Under CRS the best ratio y/x = 1 gives θ = 4.5/8."""
    X = np.array([[2.0], [4.0], [6.0], [8.0]])
    Y = np.array([[1.0], [4.0], [5.0], [4.5]])
    v = dea_scores(X, Y, VRS)
    assert v.theta == pytest.approx([1, 1, 1, 0.625])
    assert v.lambdas[3] == pytest.approx([0, 0.5, 0.5, 0])
    c = dea_scores(X, Y, CRS)
    assert c.theta == pytest.approx([0.5, 1, 5 / 6, 0.5625])
    assert c.lambdas[3] == pytest.approx([0, 4.5 / 4, 0, 0])  # CRS: λ need not sum to 1


def test_super_efficiency_on_paper() -> None:
    """Without A, y1 ≥ 8 needs λ_C ≥ 6/7 next to B: θ = (4 + 2·6/7)/4 = 10/7. Without B: λ_A = 1/103, λ_C = 6/103,
    λ_F = 96/103 gives y = (2, 8) for 424/103, θ = 106/103. Without C nobody has y ≥ (9, 9): infeasible."""
    sup, lam = super_efficiency(PAPER_X, PAPER_Y, [A, B_, C], VRS)
    assert sup[0] == pytest.approx(10 / 7, abs=1e-7)
    assert lam[0] == pytest.approx([0, 1 / 7, 6 / 7, 0, 0, 0], abs=1e-7)
    assert sup[1] == pytest.approx(106 / 103, abs=1e-7)
    assert lam[1] == pytest.approx([1 / 103, 0, 6 / 103, 0, 0, 96 / 103], abs=1e-7)
    assert np.isnan(sup[2]) and not lam[2].any()
    # an inefficient unit's super-efficiency is its θ (it was not in its own reference set)
    assert super_efficiency(PAPER_X, PAPER_Y, [D], VRS)[0][0] == pytest.approx(0.5)


def test_efficient_by_construction_under_vrs() -> None:
    flag = dea.efficient_by_construction(PAPER_X, PAPER_Y, VRS)
    assert flag.tolist() == [True, True, True, False, False, True]  # lowest input (A, B, F) or most y (C)
    assert not dea.efficient_by_construction(PAPER_X, PAPER_Y, CRS).any()


# ------------------------------------------------------------------------------------------ invariance


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scaling_inputs_or_outputs_leaves_theta_unchanged(seed: int) -> None:
    X, Y = random_data(seed)
    base = dea_scores(X, Y).theta
    assert dea_scores(X * 1e-3, Y).theta == pytest.approx(base, abs=1e-7)
    assert dea_scores(X * 7.5, Y * np.array([3.0, 0.01])).theta == pytest.approx(base, abs=1e-7)
    perm = np.random.default_rng(seed).permutation(len(X))
    assert dea_scores(X[perm], Y[perm]).theta == pytest.approx(base[perm], abs=1e-7)


@pytest.mark.parametrize("seed", [4, 5])
def test_a_unit_on_the_frontier_gets_theta_one(seed: int) -> None:
    """The projection of every unit (θ·x − s⁻, y + s⁺) lies on the frontier: added as new units, they get θ = 1 and
    leave the others' θ unchanged; so does a copy of an efficient unit."""
    X, Y = random_data(seed, n=30)
    s = dea_scores(X, Y)
    proj_x = s.theta[:, None] * X - s.input_slacks
    proj_y = Y + s.output_slacks
    eff = int(np.nonzero(s.efficient)[0][0])
    X2 = np.vstack([X, proj_x, X[eff]])
    Y2 = np.vstack([Y, proj_y, Y[eff]])
    s2 = dea_scores(X2, Y2)
    assert s2.theta[30:] == pytest.approx(np.ones(31), abs=1e-7)
    assert s2.theta[:30] == pytest.approx(s.theta, abs=1e-7)
    assert s.theta[np.argmin(X[:, 0])] == 1.0  # the lowest input is on the VRS frontier


def test_lambdas_are_a_feasible_solution_and_sum_to_one() -> None:
    X, Y = random_data(6, n=50, s=3)
    for rts in (VRS, CRS):
        s = dea_scores(X, Y, rts)
        assert ((s.theta > 0) & (s.theta <= 1)).all()
        assert (s.lambdas @ X <= s.theta[:, None] * X * (1 + 1e-6) + 1e-6).all()
        assert (s.lambdas @ Y >= Y * (1 - 1e-6) - 1e-6).all()
        if rts == VRS:
            assert s.lambdas.sum(axis=1) == pytest.approx(np.ones(50), abs=1e-6)
        # every unit with λ > 0 is itself efficient (the reference set lies on the frontier)
        assert s.efficient[np.nonzero(s.lambdas.any(axis=0))[0]].all()


# ------------------------------------------------------------------------------------------ independent checks


@pytest.mark.parametrize("seed,s,rts", [(7, 1, VRS), (8, 2, VRS), (9, 3, VRS), (10, 2, CRS), (11, 4, VRS)])
def test_duality_envelopment_equals_multiplier_form(seed: int, s: int, rts: str) -> None:
    """θ from the module (stacked, scaled, reduced envelopment LPs) = θ of one plain envelopment linprog per unit =
    the optimum of the multiplier form written independently here."""
    X, Y = random_data(seed, n=35, s=s)
    theta = dea_scores(X, Y, rts).theta
    env = np.array([envelopment_one(X, Y, o, rts) for o in range(len(X))])
    mult = np.array([multiplier_one(X, Y, o, rts) for o in range(len(X))])
    assert env == pytest.approx(mult, rel=1e-7, abs=1e-8)
    assert theta == pytest.approx(env, rel=1e-6, abs=1e-7)


def test_super_efficiency_matches_one_lp_per_unit() -> None:
    X, Y = random_data(12, n=40, s=2)
    sup, _ = super_efficiency(X, Y, None, VRS)
    ref = np.array([envelopment_one(X, Y, o, VRS, exclude_self=True) for o in range(len(X))])
    assert np.isnan(sup).tolist() == np.isnan(ref).tolist()
    assert np.isnan(ref).any()  # some unit with the most of an output: infeasible under VRS
    ok = ~np.isnan(ref)
    assert sup[ok] == pytest.approx(ref[ok], rel=1e-6)


def test_stacked_lps_equal_one_lp_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    X, Y = random_data(13, n=45, s=2)
    stacked = dea_scores(X, Y)
    monkeypatch.setattr(dea, "BLOCKS_PER_LP", 1)
    single = dea_scores(X, Y)
    assert single.theta == pytest.approx(stacked.theta, abs=1e-8)
    assert single.output_slacks.sum(axis=1) == pytest.approx(stacked.output_slacks.sum(axis=1), rel=1e-6, abs=1e-6)


def test_column_generation_reaches_the_optimum_over_the_whole_pool() -> None:
    """The bootstrap evaluates units by column generation from a small start set; the result must be the optimum
    against every row of the pool (here: random pools, one plain LP per point as the reference)."""
    X, Y = random_data(15, n=40, s=3)
    sx, sy = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / sx, Y / sy
    rng = np.random.default_rng(0)
    pools, points, starts, expected = [], [], [], []
    for _ in range(3):
        XP = Xs * rng.uniform(1.0, 1.5, size=(40, 1))
        for o in range(40):
            pools.append((XP, Ys))
            points.append((Xs[o], Ys[o]))
            starts.append(np.array([o]))  # only the pseudo-unit itself: feasible, far from optimal
            expected.append(_plain_theta(Xs[o], Ys[o], XP, Ys))
    got = dea._theta_colgen(points, pools, starts, VRS)
    assert got == pytest.approx(np.array(expected), rel=1e-7, abs=1e-9)


def _plain_theta(x: np.ndarray, y: np.ndarray, XR: np.ndarray, YR: np.ndarray) -> float:
    n = len(XR)
    c = np.r_[1.0, np.zeros(n)]
    A_ub = np.vstack([np.c_[-x[:, None], XR.T], np.c_[np.zeros((len(y), 1)), -YR.T]])
    res = linprog(c, A_ub=A_ub, b_ub=np.r_[np.zeros(len(x)), -y], A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0],
                  bounds=[(0, None)] * (n + 1), method="highs")
    assert res.status == 0
    return float(res.x[0])


def test_bad_data_is_refused() -> None:
    with pytest.raises(InputError):
        dea_scores(np.array([[1.0], [0.0]]), np.array([[1.0], [2.0]]))
    with pytest.raises(InputError):
        dea_scores(np.array([[1.0], [2.0]]), np.array([[1.0], [np.nan]]))
    with pytest.raises(InputError):
        dea_scores(np.array([[1.0], [2.0]]), np.array([[1.0]]))
    with pytest.raises(InputError):
        dea_scores(PAPER_X, PAPER_Y, "nirs")


# ------------------------------------------------------------------------------------------ bootstrap


def test_bootstrap_is_seeded_biased_the_right_way_and_independent_of_who_is_evaluated() -> None:
    X, Y = random_data(14, n=40, s=2)
    theta = dea_scores(X, Y).theta
    b1 = sw_bootstrap(X, Y, theta, B=100, seed=3)
    b2 = sw_bootstrap(X, Y, theta, B=100, seed=3)
    assert np.array_equal(b1.draws, b2.draws)
    assert not np.array_equal(b1.draws, sw_bootstrap(X, Y, theta, B=100, seed=4).draws)
    # the pseudo-frontier lies inside the estimated one: θ̂* ≥ θ̂, so the bias is ≥ 0 and the band lies below θ̂
    assert (b1.draws >= theta[None, :] - 1e-7).all()
    assert (b1.bias() >= -1e-9).all()
    bands = b1.bands()
    assert (bands[:, 0] <= bands[:, 1] + 1e-12).all() and (bands[:, 1] <= bands[:, 2] + 1e-12).all()
    assert (bands[:, 2] <= theta + 1e-9).all() and (bands > 0).all()
    assert b1.bandwidth > 0
    sub = sw_bootstrap(X, Y, theta, B=100, seed=3, units=[5, 17])
    assert sub.draws == pytest.approx(b1.draws[:, [5, 17]], abs=1e-8)


def test_bootstrap_band_covers_the_true_efficiency_on_simulated_data() -> None:
    """A known convex frontier x = 0.5 + y^1.3 (so the VRS technology is right) with half-normal inefficiency: the
    P10–P90 band (nominally 80 %) should hold the true θ for most units, while θ̂ (which overestimates θ) is above
    the truth for all of them."""
    rng = np.random.default_rng(2024)
    n = 70
    y = rng.uniform(1, 10, n)
    true = np.exp(-np.abs(rng.normal(0, 0.25, n)))
    X = ((0.5 + y ** 1.3) / true)[:, None]
    Y = y[:, None]
    theta = dea_scores(X, Y).theta
    boot = sw_bootstrap(X, Y, theta, B=200, seed=1)
    bands = boot.bands()
    covered = ((bands[:, 0] <= true) & (true <= bands[:, 2])).mean()
    assert (theta >= true - 1e-9).mean() > 0.95
    assert covered >= 0.6
    assert abs(boot.bias_corrected().mean() - true.mean()) < abs(theta.mean() - true.mean())


# ------------------------------------------------------------------------------------------ registry


def test_registry_has_a_reasoned_spec_for_every_area_and_two_across() -> None:
    cat = load_catalog()
    ids = [s.id for s in DEA_SPECS]
    assert len(ids) == len(set(ids))
    for s in DEA_SPECS:
        assert s.label and s.reason and len(s.reason) > 40 and s.outputs
        assert s.orientation == "input" and s.returns_to_scale == VRS
        d = s.to_dict()
        assert d["input"]["unit"] == "kr." and d["returns_to_scale_name"]
    for area in cat.areas:
        spec = spec_for_area(area.id)
        # the first output is the area's own target group: the same N as the benchmark's unit cost
        assert spec.outputs[0].id == area.target_group, area.id
    across = [s for s in DEA_SPECS if s.kind == "across"]
    assert len(across) == 2
    assert set(resolve_dea_spec("alle_omraader").areas) == {a.id for a in cat.areas}
    assert resolve_dea_spec("beskaeftigelse").outputs[1].id == "social_assistance_fte"  # AUK01 recipients
    assert resolve_dea_spec("Ældrepleje").id == "aeldre" and resolve_dea_spec("tværgående").kind == "across"
    with pytest.raises(UnknownDeaSpec) as exc:
        resolve_dea_spec("hjemmepleje")
    assert exc.value.status == 404 and "aeldre" in str(exc.value)


# ------------------------------------------------------------------------------------------ the shipped release


@pytest.fixture(scope="module")
def results(release: Release) -> dict[str, dea.DeaResult]:
    out = run_dea_all(release, B=0)
    assert all(isinstance(r, dea.DeaResult) for r in out.values()), out
    return out  # type: ignore[return-value]


def test_every_spec_runs_on_all_98_municipalities(release: Release, results: dict[str, dea.DeaResult]) -> None:
    all_codes = set(release.register.codes())
    for sid, res in results.items():
        codes = [u.code for u in res.units]
        assert len(codes) + len(res.excluded) == 98, sid
        assert set(codes) | {x["code"] for x in res.excluded} == all_codes
        for x in res.excluded:  # left out only for a reason, never silently
            assert x["reason"] in dea.EXCLUSION_REASONS and x["explanation"]
            assert x["reason"] != "zero_or_negative" or (x["expenditure"] is not None and x["expenditure"] <= 0)
        theta = np.array([u.theta for u in res.units])
        assert ((theta > 0) & (theta <= 1)).all(), sid
        n_eff = sum(u.efficient for u in res.units)
        assert n_eff >= 1 and res.summary["efficient"] == n_eff
        assert f"{n_eff} af {len(codes)} kommuner er effektive" in res.method["efficient_count"]
        assert "egenskab ved metoden" in res.method["why_many_efficient"]
        for u in res.units:
            lam = sum(r["lambda"] for r in u.references)
            assert lam == pytest.approx(1.0, abs=1e-5), (sid, u.code)  # VRS
            assert u.potential == pytest.approx((1 - u.theta) * u.expenditure) and u.potential >= 0
            assert all(res.unit(r["code"]).efficient for r in u.references)
            assert (u.rank is None) == (u.super_efficiency is None)
            if u.unit_cost is not None:
                assert u.frontier_unit_cost == pytest.approx(u.theta * u.unit_cost)
        assert res.provenance["year"] == res.year and res.provenance["release_id"] == release.id
        assert res.provenance["price_basis"] and "REGK31" in res.provenance["tables"]
        assert res.summary["estimated_outputs"] == sum("estimated_output" in u.flags for u in res.units)
        json.dumps(res.to_dict(), allow_nan=False)  # the JSON of `raaderum dea --json` and the API


def test_release_figures_match_an_independent_lp(release: Release, results: dict[str, dea.DeaResult]) -> None:
    """Two specifications re-solved with one plain envelopment LP per municipality on the raw kroner."""
    for sid in ("aeldre", "boern_skole_aeldre"):
        d = dea_data(release, sid)
        theta = np.array([u.theta for u in results[sid].units])
        ref = np.array([envelopment_one(d.X, d.Y, o) for o in range(len(d.X))])
        assert theta == pytest.approx(ref, rel=1e-6, abs=1e-7), sid


def test_recipients_are_an_output_where_the_release_has_them(release: Release,
                                                              results: dict[str, dea.DeaResult]) -> None:
    res = results["beskaeftigelse"]
    assert "AUK01" in res.provenance["tables"]
    auk = dict(release.query("SELECT municipality_code, value FROM series WHERE series = 'social_assistance_fte' "
                             "AND year = ?", [res.year]))
    u = res.unit(751)
    assert u.outputs["social_assistance_fte"] == pytest.approx(auk[751])


def test_specs_that_a_year_cannot_support_say_so(release: Release) -> None:
    out = run_dea_all(release, 2016, B=0)
    for sid in ("aeldre", "boern_skole_aeldre", "alle_omraader"):
        assert isinstance(out[sid], DataNotAvailable) and "2016" in str(out[sid])
    assert isinstance(out["folkeskole"], dea.DeaResult)


def test_outliers_on_the_frontier_are_flagged_not_dropped(results: dict[str, dea.DeaResult]) -> None:
    res = results["specialundervisning"]
    outliers = {o["code"] for o in res.summary["frontier_outliers"]}
    assert outliers
    for u in res.units:
        if u.code in outliers:
            assert "frontier_outlier" in u.flags
            assert u.super_efficiency is not None and u.super_efficiency > dea.OUTLIER_SUPER_EFFICIENCY
        if any(r["code"] in outliers for r in u.references if r["code"] != u.code):
            assert "outlier_reference" in u.flags
    assert res.to_dict()["flags"]["frontier_outlier"]


def test_reference_municipalities_work_as_a_peer_set(release: Release, results: dict[str, dea.DeaResult]) -> None:
    res = results["folkeskole"]
    ineff = next(u for u in res.units if not u.efficient and len(u.references) >= 2)
    p = dea_peers(release, ineff.code, "folkeskole")
    assert p.basis == "references" and p.codes == [r["code"] for r in ineff.references]
    assert dea_peer_codes(release, ineff.code, "folkeskole") == p.codes
    ps = choose_peers(release, ineff.code, res.year, p.text)
    assert ps.spec.kind == "list" and set(ps.codes) == set(p.codes)
    bm = run_benchmark(release, ineff.code, res.year, peers=p.text, B=1000)
    assert {x.code for x in bm.peers.peers} == set(p.codes)
    # an efficient municipality: the references of its super-efficiency LP (the frontier without it)
    eff = next(u for u in res.units if u.efficient and u.super_efficiency is not None)
    pe = dea_peers(release, eff.code, "folkeskole")
    assert pe.basis == "super_efficiency" and eff.code not in pe.codes and pe.codes
    # efficient with an infeasible super-efficiency (the largest): no peers, said so, never the default k=10
    cph = res.unit(101)
    assert "super_infeasible" in cph.flags
    with pytest.raises(DataNotAvailable):
        dea_peers(release, 101, "folkeskole")


def test_dea_potential_has_the_shape_of_a_benchmark_reference(release: Release) -> None:
    bm = run_benchmark(release, "Aarhus", None, B=1000)
    ref = bm.area("aeldre").references["peer_mean"]
    pot = dea_potential(release, "Aarhus", "aeldre", B=100)
    assert set(ref) <= set(pot)  # value, potential, band, reference_band
    res = run_dea(release, "aeldre", B=0)
    u = res.unit(751)
    assert pot["potential"] == pytest.approx(u.potential) and pot["theta"] == pytest.approx(u.theta)
    e = bm.area("aeldre").unit_cost
    assert e is not None and pot["value"] == pytest.approx(u.theta * e)
    assert pot["expenditure"] == pytest.approx(bm.area("aeldre").expenditure)  # the benchmark's E
    band = pot["band"]
    assert 0 <= band["p10"] <= band["p50"] <= band["p90"] and band["p10"] >= pot["potential"] - 1e-6
    assert pot["reference_band"]["p10"] <= pot["reference_band"]["p90"] <= pot["value"] + 1e-6
    assert pot["method"]["bootstrap"]["B"] == 100 and pot["method"]["bootstrap"]["seed"] == dea.DEA_SEED
    assert pot["provenance"]["source"] == "Danmarks Statistik" and pot["id"] == "dea"
    # never merged: the benchmark's totals know nothing of DEA
    assert "dea" not in bm.total["by_reference"] and "dea" not in bm.area("aeldre").references
    # the same band whether one municipality or all are bootstrapped (same draws)
    full = run_dea(release, "aeldre", B=100)
    got = full.unit(751).bootstrap
    assert got is not None
    for key in ("theta_band", "potential_band"):
        assert got[key] == pytest.approx(pot["bootstrap"][key], rel=1e-6)


def test_dea_potential_of_a_municipality_left_out(release: Release, results: dict[str, dea.DeaResult]) -> None:
    code = results["specialundervisning"].excluded[0]["code"]
    pot = dea_potential(release, code, "specialundervisning", B=0)
    assert pot["potential"] is None and pot["band"] is None and "excluded" in pot["flags"] and pot["note"]


def test_fixed_prices_scale_the_kroner_not_theta(release: Release) -> None:
    cur = run_dea(release, "folkeskole", B=0)
    fixed = run_dea(release, "folkeskole", B=0, prices="faste", base_year=2020)
    assert fixed.prices is not None
    factor = fixed.prices.factor(cur.year)
    assert factor != 1
    for a, b in zip(cur.units, fixed.units, strict=True):
        assert b.theta == a.theta and b.potential == pytest.approx(a.potential * factor)
    assert fixed.provenance["prices"]["base_year"] == 2020


def test_too_few_bootstrap_draws_are_refused(release: Release) -> None:
    with pytest.raises(InputError):
        run_dea(release, "folkeskole", B=20)
