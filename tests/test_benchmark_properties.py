"""Property tests (hypothesis) of the benchmark's invariants over arbitrary small panels."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from raaderum.analysis.benchmark import benchmark_arrays, total_potential
from raaderum.analysis.peers import nearest, stability, structural_distance

PEER_REFS = ["peer_mean", "peer_median", "peer_p25", "best5_of_10", "cheapest_peer"]
costs = st.one_of(st.just(np.nan), st.floats(-100, 0), st.floats(0.5, 1e5))


@st.composite
def panels(draw: st.DrawFn) -> dict:
    n = draw(st.integers(4, 14))
    A = draw(st.integers(1, 4))
    V = draw(st.integers(1, 4))
    U = draw(arrays(float, (n, A), elements=costs))
    N = draw(arrays(float, (n, A), elements=st.floats(1, 1e5)))
    Z = draw(arrays(float, (n, V), elements=st.floats(-3, 3)))
    w = draw(arrays(float, (V,), elements=st.floats(0.1, 3)))
    codes = np.array(draw(st.lists(st.integers(101, 999), min_size=n, max_size=n, unique=True)))
    i = draw(st.integers(0, n - 1))
    k = draw(st.integers(1, n - 1))
    return {"U": U, "E": U * N, "N": N, "Z": Z, "w": w, "codes": codes, "i": i, "k": k}


def _run(p: dict, B: int = 200, seed: int = 11) -> tuple:
    d, _ = structural_distance(p["Z"], p["w"], p["i"])
    peers = nearest(d, p["i"], p["k"], order=p["codes"])
    near10 = nearest(d, p["i"], min(10, len(d) - 1), order=p["codes"])
    return peers, near10, benchmark_arrays(p["U"], p["E"], p["N"], p["i"], peers, near10, B=B, seed=seed,
                                          order=p["codes"])


@settings(max_examples=60, deadline=None)
@given(panels())
def test_potentials_and_bands_are_never_negative(p: dict) -> None:
    _, _, r = _run(p)
    fin = r.potentials[np.isfinite(r.potentials)]
    assert (fin >= 0).all()
    assert (r.bands[np.isfinite(r.bands)] >= 0).all() and (r.potential_draws >= 0).all()
    b = r.bands
    ok = np.isfinite(b).all(axis=-1)
    assert (b[ok][:, 0] <= b[ok][:, 1] + 1e-9).all() and (b[ok][:, 1] <= b[ok][:, 2] + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(panels())
def test_municipality_never_in_its_own_peer_set(p: dict) -> None:
    peers, near10, _ = _run(p)
    assert p["i"] not in peers.tolist() and p["i"] not in near10.tolist()
    assert len(set(peers.tolist())) == p["k"]
    s = stability(p["Z"], p["w"], p["i"], p["k"], draws=200, order=p["codes"])
    assert s[p["i"]] == 0.0 and abs(s.sum() - p["k"]) < 1e-9


@settings(max_examples=60, deadline=None)
@given(panels())
def test_total_is_the_sum_of_positive_parts(p: dict) -> None:
    _, _, r = _run(p)
    for row, tot in zip(r.potentials, r.totals, strict=True):
        assert tot == total_potential(list(row))
        parts = row[np.isfinite(row)]
        assert np.isclose(tot, parts[parts > 0].sum())
        assert tot >= parts.max(initial=0.0) - 1e-9


@settings(max_examples=40, deadline=None)
@given(panels(), st.floats(0.5, 1e5))
def test_identical_peers_give_zero(p: dict, level: float) -> None:
    U = p["U"].copy()
    U[:, :] = level  # every municipality, the municipality itself too, has the same unit cost
    q = dict(p, U=U, E=U * p["N"])
    _, _, r = _run(q)
    for ref in PEER_REFS:
        j = r.references.index(ref)
        assert (r.potentials[j] == 0).all(), ref
        assert (r.potential_draws[j] == 0).all(), ref


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(p: dict, rnd) -> None:  # noqa: ANN001
    perm = np.arange(len(p["codes"]))
    rnd.shuffle(perm)
    q = {key: (v[perm] if isinstance(v, np.ndarray) and key != "w" else v) for key, v in p.items()}
    q["i"] = int(np.nonzero(perm == p["i"])[0][0])
    peers_a, _, a = _run(p)
    peers_b, _, b = _run(q)
    assert p["codes"][peers_a].tolist() == q["codes"][peers_b].tolist()
    assert np.allclose(a.ref_values, b.ref_values, equal_nan=True, rtol=1e-9)
    assert np.allclose(a.potentials, b.potentials, equal_nan=True, rtol=1e-9, atol=1e-6)
    assert np.allclose(a.bands, b.bands, equal_nan=True, rtol=1e-9, atol=1e-6)
    assert np.allclose(a.totals, b.totals, rtol=1e-9, atol=1e-6)
