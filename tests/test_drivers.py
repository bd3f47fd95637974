from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raaderum.analysis.decomposition import decompose, lmdi_weight


def test_hand_computed_two_factor_case() -> None:
    # value 0.1 × 50 000 = 5 000; reference 0.08 × 55 000 = 4 400; difference 600.
    d = decompose({"demography": 0.10, "per_target": 50_000.0}, {"demography": 0.08, "per_target": 55_000.0})
    assert d is not None
    L = (5000 - 4400) / (math.log(5000) - math.log(4400))
    assert d.parts["demography"] == pytest.approx(L * math.log(0.10 / 0.08))
    assert d.parts["per_target"] == pytest.approx(L * math.log(50_000 / 55_000))
    assert d.parts["demography"] > 0 > d.parts["per_target"]
    assert sum(d.parts.values()) == pytest.approx(600.0)
    assert d.missing == ["coverage", "unit_cost"] and "modtagere" in d.note


def test_three_factors_with_coverage() -> None:
    d = decompose({"demography": 0.2, "coverage": 0.5, "unit_cost": 100.0},
                  {"demography": 0.2, "coverage": 0.4, "unit_cost": 100.0})
    assert d is not None and d.missing == []
    assert d.parts["demography"] == pytest.approx(0.0)
    assert d.parts["unit_cost"] == pytest.approx(0.0)
    assert d.parts["coverage"] == pytest.approx(10.0 - 8.0)


def test_zero_or_negative_is_not_forced() -> None:
    assert decompose({"demography": 0.1, "per_target": 0.0}, {"demography": 0.1, "per_target": 10.0}) is None
    assert decompose({"demography": 0.1, "per_target": -5.0}, {"demography": 0.1, "per_target": 10.0}) is None


def test_lmdi_weight_limits() -> None:
    assert lmdi_weight(5.0, 5.0) == 5.0
    assert 4.0 < lmdi_weight(4.0, 6.0) < 5.0  # the log mean lies below the arithmetic mean
    with pytest.raises(ValueError):
        lmdi_weight(0.0, 1.0)


pos = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)


@given(pos, pos, pos, pos)
def test_parts_always_add_up_exactly(a: float, b: float, c: float, d: float) -> None:
    r = decompose({"demography": a, "per_target": b}, {"demography": c, "per_target": d})
    assert r is not None
    scale = max(a * b, c * d)  # float error grows with the magnitude of the two products
    assert sum(r.parts.values()) == pytest.approx(a * b - c * d, abs=1e-9 * scale + 1e-9)
