from __future__ import annotations

import math

import numpy as np
import pytest

from raaderum.analysis.peers import (
    PeerSpec,
    choose_peers,
    load_peer_catalog,
    nearest,
    parse_peer_catalog,
    parse_peer_spec,
    parse_weights,
    stability,
    standardise,
    structural_distance,
    structure_matrix,
)
from raaderum.errors import InputError, UnknownMunicipality
from raaderum.release.build import STRUCTURE_VARIABLES
from raaderum.release.reader import Release

# ------------------------------------------------------------------------------------------ pure, by hand


def test_distance_and_contributions_by_hand() -> None:
    Z = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0], [3.0, 4.0]])
    d, c = structural_distance(Z, np.array([1.0, 1.0]), 0)
    assert d.tolist() == [0.0, 3.0, 4.0, 5.0]
    assert c[3].tolist() == pytest.approx([9 / 25, 16 / 25])
    assert c[1].tolist() == [1.0, 0.0] and c[0].tolist() == [0.0, 0.0]  # d = 0: no shares, no division
    d, c = structural_distance(Z, np.array([4.0, 1.0]), 0)  # weight 4 on the first variable: 4·3² = 36
    assert d[1] == pytest.approx(6.0) and d[3] == pytest.approx(math.sqrt(36 + 16))
    assert c[3].tolist() == pytest.approx([36 / 52, 16 / 52])


def test_distance_from_another_row_and_bad_weights() -> None:
    Z = np.array([[0.0], [2.0], [5.0]])
    d, _ = structural_distance(Z, np.array([1.0]), 1)
    assert d.tolist() == [2.0, 0.0, 3.0]
    with pytest.raises(InputError):
        structural_distance(Z, np.array([-1.0]), 0)
    with pytest.raises(InputError):
        structural_distance(Z, np.array([1.0, 1.0]), 0)


def test_standardise_by_hand_and_drops_constant_columns() -> None:
    X = np.array([[1.0, 7.0, 1.0], [2.0, 7.0, np.nan], [3.0, 7.0, 2.0]])
    Z, kept = standardise(X)
    sd = math.sqrt(2 / 3)  # population sd (ddof=0) of 1, 2, 3
    assert Z[:, 0].tolist() == pytest.approx([-1 / sd, 0.0, 1 / sd])
    assert kept.tolist() == [True, False, False]
    assert (Z[:, 1:] == 0).all()


def test_nearest_excludes_self_and_breaks_ties_by_order() -> None:
    d = np.array([0.0, 1.0, 1.0, 0.5])
    assert nearest(d, 0, 2).tolist() == [3, 1]
    assert nearest(d, 0, 2, order=np.array([100, 900, 500, 200])).tolist() == [3, 2]
    assert 0 not in nearest(np.zeros(4), 0, 3).tolist()
    with pytest.raises(InputError):
        nearest(d, 0, 4)
    with pytest.raises(InputError):
        nearest(d, 0, 0)


def test_stability_is_seeded_and_counts_memberships() -> None:
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(30, 4))
    w = np.array([1.0, 0.5, 2.0, 1.0])
    a = stability(Z, w, 3, 5, draws=300, seed=7)
    b = stability(Z, w, 3, 5, draws=300, seed=7)
    assert np.array_equal(a, b)
    assert a[3] == 0.0  # never its own peer
    assert a.sum() == pytest.approx(5.0)  # every draw has exactly k members
    assert ((a >= 0) & (a <= 1)).all()
    # No perturbation: the base set every time, nobody else.
    base = nearest(structural_distance(Z, w, 3)[0], 3, 5)
    fixed = stability(Z, w, 3, 5, draws=200, perturbation=0.0)
    assert set(np.nonzero(fixed == 1.0)[0].tolist()) == set(base.tolist())
    assert fixed.sum() == pytest.approx(5.0)


def test_stability_of_a_clear_cluster_is_one() -> None:
    Z = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [10.0, 10.0], [11.0, 9.0]])
    s = stability(Z, np.array([1.0, 1.0]), 0, 2, draws=200)
    assert s[1] == 1.0 and s[2] == 1.0 and s[3] == 0.0 and s[4] == 0.0


# ------------------------------------------------------------------------------------------ parsing


def test_parse_peer_spec() -> None:
    assert parse_peer_spec("k=10") == PeerSpec("nearest", k=10, text="k=10")
    assert parse_peer_spec("K = 7").k == 7
    assert parse_peer_spec("15").k == 15
    assert parse_peer_spec(None).k == load_peer_catalog().default_k
    assert parse_peer_spec("group").kind == "group" and parse_peer_spec("Kommunegruppe").kind == "group"
    assert parse_peer_spec("region").kind == "region"
    assert parse_peer_spec("alle").kind == "all"
    assert parse_peer_spec("101, 147,101").codes == (101, 147)
    assert parse_peer_spec("751").codes == (751,)  # a municipality code, not k
    with pytest.raises(InputError):
        parse_peer_spec("k=0")
    with pytest.raises(InputError):
        parse_peer_spec(",")


def test_parse_peer_spec_with_names(release: Release) -> None:
    spec = parse_peer_spec("Århus, Høje Taastrup, 0101", release)
    assert spec.codes == (751, 169, 101)
    with pytest.raises(UnknownMunicipality):
        parse_peer_spec("Atlantis", release)


def test_parse_weights() -> None:
    w = parse_weights("ln_population=2, share_80_plus=0")
    assert w["ln_population"] == 2.0 and w["share_80_plus"] == 0.0
    assert w["ln_density"] == load_peer_catalog().default_weights()["ln_density"]
    assert parse_weights({"density": 3})["ln_density"] == 3.0  # by release source name
    assert parse_weights("ln_density=0.5")["ln_density"] == 0.5
    with pytest.raises(InputError):  # the comma separates pairs, so a decimal comma is an error, not 0
        parse_weights("ln_density=0,5")
    with pytest.raises(InputError, match="Ukendt strukturvariabel"):
        parse_weights("spending=1")
    with pytest.raises(InputError, match="≥ 0"):
        parse_weights("ln_density=-1")
    with pytest.raises(InputError, match="variabel=vægt"):
        parse_weights("ln_density")
    zero = ",".join(f"{v}=0" for v in load_peer_catalog().ids())
    with pytest.raises(InputError, match="over 0"):
        parse_weights(zero)


def test_catalogue_every_variable_has_a_reason_and_a_release_source() -> None:
    cat = load_peer_catalog()
    assert cat.default_k == 10 and cat.stability_draws >= 200 and cat.stability_perturbation == 0.2
    assert len(cat.variables) >= 5
    for v in cat.variables:
        assert len(v.reason.strip()) >= 20, v.id
        assert v.source in STRUCTURE_VARIABLES, v.id
        assert v.weight >= 0
    assert len(set(cat.ids())) == len(cat.ids())


def test_catalogue_rejects_unknown_transform() -> None:
    with pytest.raises(InputError):
        parse_peer_catalog('[[variables]]\nid = "x"\ntransform = "sqrt"\n')


# ------------------------------------------------------------------------------------------ over the release


def test_structure_matrix_is_standardised(release: Release) -> None:
    sm = structure_matrix(release, 2021)
    assert sm.Z.shape == (98, len(load_peer_catalog().variables))
    assert sm.kept.all()
    assert np.allclose(sm.Z.mean(axis=0), 0) and np.allclose(sm.Z.std(axis=0), 1)
    j = [v.id for v in sm.variables].index("ln_population")
    i = sm.index(101)
    assert sm.raw[i, j] > 600_000 and sm.Z[i, j] == sm.Z[:, j].max()  # København is the largest


@pytest.mark.parametrize("spec", ["k=10", "k=1", "group", "region", "all", "147,101,751"])
def test_municipality_is_never_its_own_peer(release: Release, spec: str) -> None:
    ps = choose_peers(release, "København", 2024, spec)
    assert 101 not in ps.codes
    assert len(ps.nearest10) == 10 and release.register.codes().index(101) not in ps.nearest10.tolist()
    if spec == "147,101,751":
        assert ps.codes == [751, 147] and any("aldrig sin egen" in n for n in ps.notes)


def test_nearest_peers_have_distances_contributions_and_stability(release: Release) -> None:
    ps = choose_peers(release, "Aarhus", 2024)
    assert len(ps.peers) == 10
    dists = [p.distance for p in ps.peers]
    assert dists == sorted(dists) and dists[0] > 0
    for p in ps.peers:
        assert sum(p.contributions.values()) == pytest.approx(1.0)
        assert p.stability is not None and 0 <= p.stability <= 1
    assert ps.stability_mean == pytest.approx(np.mean([p.stability for p in ps.peers]))
    assert all(o["code"] not in ps.codes for o in ps.outsiders)
    d = ps.to_dict()
    assert d["kind"] == "nearest" and d["k"] == 10 and len(d["members"]) == 10
    assert ps.stability_dict()["draws"] == 200


def test_fixed_groups(release: Release) -> None:
    m = release.register.resolve("Aarhus")
    g = choose_peers(release, m, 2024, "group")
    assert {release.register.by_code(c).group_code for c in g.codes} == {m.group_code}
    assert len(g.codes) == 2 and g.stability_mean is None and g.peers[0].stability is None
    r = choose_peers(release, m, 2024, "region")
    assert {release.register.by_code(c).region_code for c in r.codes} == {m.region_code}
    assert len(choose_peers(release, m, 2024, "all").codes) == 97
    with pytest.raises(InputError, match="ingen andre"):
        choose_peers(release, m, 2024, "751")


def test_weights_change_the_peers(release: Release) -> None:
    base = choose_peers(release, "Læsø", 2024)
    only_growth = choose_peers(release, "Læsø", 2024, weights={v: 0 for v in load_peer_catalog().ids()}
                               | {"population_growth_5y": 1.0})
    assert base.codes != only_growth.codes
    assert only_growth.variables_used == ["population_growth_5y"]
    assert all(p.contributions == {"population_growth_5y": 1.0} for p in only_growth.peers)


def test_estimated_structure_is_said(release: Release) -> None:
    est = choose_peers(release, "Aarhus", 2024).estimated_variables  # ages after 2022 are aged cohorts
    assert est["share_80_plus"] == ["cohort_ageing"] and "share_0_5" in est
    # 2021 has every single age; education is observed in 2019 and 2022 only, so it is interpolated in 2021.
    ps = choose_peers(release, "Aarhus", 2021)
    assert ps.estimated_variables == {"higher_education_share": ["series_interpolated"]}
    assert any("Andel med videregående uddannelse" in n for n in ps.notes)
    ps = choose_peers(release, "Aarhus", 2021, weights="higher_education_share=0")
    assert ps.estimated_variables == {} and not ps.notes


def test_too_few_draws_and_bad_k(release: Release) -> None:
    with pytest.raises(InputError, match="200"):
        choose_peers(release, "Aarhus", 2024, draws=50)
    with pytest.raises(InputError):
        choose_peers(release, "Aarhus", 2024, "k=98")
