"""Need correction (behovskorrektion) of unit costs: what would this municipality be expected to spend?

Per service area, ordinary least squares of ln(unit cost) on the standardised structural variables, over the
municipalities with a positive, finite unit cost:

    ln e_m = α + z_m β + ε_m

The expected unit cost of municipality m is the *leave-one-out* prediction ê_(m) = exp(ŷ_(m)), estimated
without m itself (through the hat matrix: ŷ_(m) = y_m − r_m / (1 − h_mm)), so a municipality's own spending
never sets its own expectation. The need index is I = e / ê (1 = spends as expected for its structure), and
against a reference index I_ref from the peers' indices the need-corrected gap is

    max(0, I − I_ref) · ê · N   kr. per year.

No smearing correction is applied to exp(ŷ): ê is the geometric-mean expectation, and it cancels in the
index comparison. The model refuses (:class:`EstimationError`) when n < p + 5 or the design is singular.

    >>> import numpy as np
    >>> x = np.linspace(-1, 1, 12)[:, None]
    >>> m = fit_need_model(1.0 + 0.5 * x[:, 0], x)
    >>> round(m.r2, 6), m.n, m.p, np.allclose(m.loo_log_prediction, 1.0 + 0.5 * x[:, 0])
    (1.0, 12, 1, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raaderum.errors import EstimationError

#: Observations needed beyond the number of variables before a model is estimated.
MIN_EXTRA_OBSERVATIONS = 5
#: Leverage above which a leave-one-out prediction is not trusted (the point determines its own fit).
MAX_LEVERAGE = 1 - 1e-8

METHOD_TEXT = ("Behovskorrektion: pr. område OLS af ln(enhedsudgift) på de standardiserede rammevilkår i områdets "
               "sammenligningsmodel (de samme variable, som vælger sammenligningskommunerne, dem med vægt over 0) "
               "over kommunerne med positiv enhedsudgift; forventet enhedsudgift ê beregnet uden kommunen selv "
               "(leave-one-out); indeks I = e/ê; behovskorrigeret potentiale = max(0, I − I_ref) · ê · N.")


@dataclass
class NeedModel:
    """A fitted need model: coefficients, fit and leave-one-out predictions for the rows it used."""

    n: int
    p: int
    r2: float
    coefficients: np.ndarray  # intercept first
    rows: np.ndarray  # indices (into the input) of the observations used
    loo_log_prediction: np.ndarray  # ŷ_(m) for ``rows``, in the same order
    variables: list[str]

    def predict_log(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        return self.coefficients[0] + X @ self.coefficients[1:]


def fit_need_model(y_log: np.ndarray, X: np.ndarray, variables: list[str] | None = None, *,
                   rows: np.ndarray | None = None, label: str = "") -> NeedModel:
    """OLS of ``y_log`` on ``X`` (plus an intercept) with leave-one-out predictions from the hat matrix."""
    y = np.asarray(y_log, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    n, p = X.shape
    where = f" for {label}" if label else ""
    if y.shape != (n,):
        raise EstimationError(f"Behovsmodellen{where}: {y.size} udgifter til {n} kommuner.")
    if not (np.isfinite(y).all() and np.isfinite(X).all()):
        raise EstimationError(f"Behovsmodellen{where} har manglende værdier.")
    if p < 1:
        raise EstimationError(f"Behovsmodellen{where} kan ikke estimeres: der er ingen strukturvariable.")
    if n < p + MIN_EXTRA_OBSERVATIONS:
        raise EstimationError(f"Behovsmodellen{where} kan ikke estimeres: {n} kommuner med en positiv "
                              f"enhedsudgift, men {p} variable kræver mindst {p + MIN_EXTRA_OBSERVATIONS}.")
    A = np.column_stack([np.ones(n), X])
    rank = np.linalg.matrix_rank(A)
    if rank < p + 1:
        raise EstimationError(f"Behovsmodellen{where} kan ikke estimeres: variablene er lineært afhængige "
                              f"(rang {rank} af {p + 1}).")
    Q, R = np.linalg.qr(A)
    coef = np.linalg.solve(R, Q.T @ y)
    fitted = A @ coef
    resid = y - fitted
    h = (Q**2).sum(axis=1)
    if (h >= MAX_LEVERAGE).any():
        raise EstimationError(f"Behovsmodellen{where} kan ikke estimeres: en kommune bestemmer alene sin egen "
                              "forudsigelse (leverage 1).")
    loo = y - resid / (1 - h)
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float((resid**2).sum()) / tss if tss > 0 else 1.0
    return NeedModel(n=n, p=p, r2=r2, coefficients=coef,
                     rows=np.arange(n) if rows is None else np.asarray(rows),
                     loo_log_prediction=loo, variables=list(variables or [f"x{j}" for j in range(p)]))


def need_expected(unit_cost: np.ndarray, Z: np.ndarray, variables: list[str] | None = None,
                  label: str = "") -> tuple[NeedModel, np.ndarray]:
    """Fit on the rows with a positive, finite unit cost; return the model and ê for every row.

    ê is the leave-one-out prediction for the rows in the fit and the model's prediction for the others
    (which were not in the fit anyway); NaN where the structural variables are missing.
    """
    e = np.asarray(unit_cost, dtype=float)
    Z = np.asarray(Z, dtype=float)
    ok = np.isfinite(e) & (np.where(np.isfinite(e), e, 0) > 0) & np.isfinite(Z).all(axis=1)
    rows = np.nonzero(ok)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(e[rows])
    model = fit_need_model(y, Z[rows], variables, rows=rows, label=label)
    expected = np.full(e.shape, np.nan)
    fin = np.isfinite(Z).all(axis=1)
    expected[fin] = np.exp(model.predict_log(Z[fin]))
    expected[rows] = np.exp(model.loo_log_prediction)
    return model, expected


def need_index(unit_cost: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """I = e / ê where both are positive and finite; NaN otherwise."""
    e = np.asarray(unit_cost, dtype=float)
    x = np.asarray(expected, dtype=float)
    ok = np.isfinite(e) & np.isfinite(x) & (np.where(np.isfinite(x), x, 0) > 0) & (np.where(np.isfinite(e), e, 0) > 0)
    out = np.full(e.shape, np.nan)
    out[ok] = e[ok] / x[ok]
    return out


def need_corrected_potential(index: float, reference_index: float, expected: float, target: float) -> float | None:
    """max(0, I − I_ref) · ê · N, or None when an input is missing."""
    vals = (index, reference_index, expected, target)
    if any(v is None or not np.isfinite(v) for v in vals):
        return None
    return float(max(0.0, index - reference_index) * expected * target)


__all__ = ["METHOD_TEXT", "NeedModel", "fit_need_model", "need_corrected_potential", "need_expected",
           "need_index"]
