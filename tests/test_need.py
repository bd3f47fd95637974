from __future__ import annotations

import numpy as np
import pytest

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.need import fit_need_model, need_corrected_potential, need_expected, need_index
from raaderum.errors import EstimationError
from raaderum.release.reader import Release


def test_known_answer_exact_model() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    y = 2.0 + 0.5 * X[:, 0] - 0.3 * X[:, 1]
    m = fit_need_model(y, X, ["a", "b"])
    assert m.coefficients.tolist() == pytest.approx([2.0, 0.5, -0.3])
    assert m.r2 == pytest.approx(1.0) and m.n == 30 and m.p == 2 and m.variables == ["a", "b"]
    assert np.allclose(m.loo_log_prediction, y)  # an exact model predicts every point without it


def test_leave_one_out_equals_refitting_without_the_point() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(15, 2))
    y = 1.0 + X @ np.array([0.4, -0.2]) + rng.normal(scale=0.3, size=15)
    m = fit_need_model(y, X)
    for i in (0, 7, 14):
        keep = np.arange(15) != i
        A = np.column_stack([np.ones(14), X[keep]])
        beta, *_ = np.linalg.lstsq(A, y[keep], rcond=None)
        assert m.loo_log_prediction[i] == pytest.approx(beta[0] + X[i] @ beta[1:])
    resid = y - np.column_stack([np.ones(15), X]) @ m.coefficients
    assert m.r2 == pytest.approx(1 - (resid**2).sum() / ((y - y.mean()) ** 2).sum())


def test_small_hand_case_one_variable() -> None:
    # y = x on x = 0..5 except the last point y = 7: the fit without it is exactly y = x, so ŷ_(5) = 5.
    x = np.arange(6.0)
    y = x.copy()
    y[5] = 7.0
    m = fit_need_model(y, x[:, None])
    assert m.loo_log_prediction[5] == pytest.approx(5.0)


def test_need_expected_index_and_potential_known_answer() -> None:
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(40, 2))
    expected_true = np.exp(8.0 + 0.3 * Z[:, 0] + 0.1 * Z[:, 1])
    e = expected_true.copy()
    model, ehat = need_expected(e, Z, ["x1", "x2"])
    assert np.allclose(ehat, expected_true) and model.n == 40
    index = need_index(e, ehat)
    assert np.allclose(index, 1.0)
    # A municipality spending 20 % over its expectation, against a reference index 1: 0.2 · ê · N.
    assert need_corrected_potential(1.2, 1.0, 5000.0, 100.0) == pytest.approx(0.2 * 5000 * 100)
    assert need_corrected_potential(0.9, 1.0, 5000.0, 100.0) == 0.0
    assert need_corrected_potential(float("nan"), 1.0, 5000.0, 100.0) is None


def test_need_expected_leaves_out_zero_negative_and_missing() -> None:
    rng = np.random.default_rng(6)
    Z = rng.normal(size=(20, 1))
    e = np.exp(5 + Z[:, 0])
    e[[2, 3, 4]] = [0.0, -10.0, np.nan]
    model, ehat = need_expected(e, Z)
    assert model.n == 17 and sorted(set(range(20)) - set(model.rows.tolist())) == [2, 3, 4]
    assert np.isfinite(ehat).all()  # the others still get a prediction (they were not in the fit)
    idx = need_index(e, ehat)
    assert np.isnan(idx[[2, 3, 4]]).all() and np.isfinite(np.delete(idx, [2, 3, 4])).all()


def test_refuses_too_few_observations() -> None:
    X = np.random.default_rng(8).normal(size=(6, 2))
    with pytest.raises(EstimationError, match="mindst 7"):  # p = 2 needs n ≥ p + 5
        fit_need_model(np.arange(6.0), X)
    fit_need_model(np.arange(7.0), np.vstack([X, [[0.3, -0.2]]]))  # n = 7 is enough


def test_refuses_a_singular_design() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=20)
    with pytest.raises(EstimationError, match="lineært afhængige"):
        fit_need_model(rng.normal(size=20), np.column_stack([x, 2 * x]))
    with pytest.raises(EstimationError, match="ingen strukturvariable"):
        fit_need_model(rng.normal(size=20), np.zeros((20, 0)))


def test_need_corrected_benchmark_over_the_release(release: Release) -> None:
    res = run_benchmark(release, "Aarhus", 2024, need_corrected=True)
    for a in res.areas:
        assert a.need is not None and "error" not in a.need, a.id
        assert 0 <= a.need["r2"] <= 1 and a.need["n"] >= 90 and a.need["p"] == len(a.need["variables"])
        if a.need["potential"] is not None:
            assert a.need["potential"] >= 0
    pots = [a.need["potential"] for a in res.areas if a.need and a.need.get("potential")]
    assert res.total["need_corrected"] == pytest.approx(sum(pots))
    assert res.method["need_corrected"] is True and "leave-one-out" in res.method["need_method"]


def test_need_refused_with_message_where_the_area_has_no_figures(release: Release) -> None:
    res = run_benchmark(release, "Aarhus", 2016, need_corrected=True)
    a = res.area("aeldre")
    assert "need_not_estimable" in a.flags
    assert "kan ikke estimeres" in a.need["error"] and "0 kommuner" in a.need["error"]
