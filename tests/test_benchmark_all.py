"""The whole benchmark for every municipality on the shipped data: no errors, no silent gaps."""

from __future__ import annotations

import math

import pytest

from raaderum.analysis.benchmark import REFERENCES, run_benchmark
from raaderum.release.reader import Release


def _check(res, code: int) -> None:  # noqa: ANN001
    d = res.to_dict()
    assert d["municipality"]["code"] == code
    assert code not in [m["code"] for m in d["peers"]["members"]]
    assert len(d["areas"]) >= 12
    for a in d["areas"]:
        for ref in a["references"].values():
            p = ref["potential"]
            assert p is None or (math.isfinite(p) and p >= 0)
        if a["potential"] is None:  # never a silent gap: a flag says why
            assert {"missing", "zero_or_negative"} & set(a["flags"]) or a["references"][d["reference"]["id"]][
                "value"] is None, (code, a["id"])
        else:
            assert a["unit_cost"] > 0
    assert d["total"]["potential"] == pytest.approx(sum(a["potential"] or 0 for a in d["areas"]))


def test_all_98_latest_year(release: Release) -> None:
    codes = release.register.codes()
    assert len(codes) == 98
    for code in codes:
        _check(run_benchmark(release, code), code)


def test_all_98_need_corrected_latest_year(release: Release) -> None:
    for code in release.register.codes():
        res = run_benchmark(release, code, need_corrected=True)
        assert all(a.need is not None for a in res.areas)
        assert res.total["need_corrected"] >= 0


@pytest.mark.slow
def test_all_98_every_year_every_reference(release: Release) -> None:
    refs = list(REFERENCES)
    for year in release.years:
        for n, code in enumerate(release.register.codes()):
            _check(run_benchmark(release, code, year, reference=refs[n % len(refs)]), code)


@pytest.mark.parametrize("who", ["Læsø", "Samsø", "Fanø", "Ærø", "København", "Frederiksberg"])
@pytest.mark.parametrize("peers", ["k=10", "group", "region", "all"])
def test_outliers_with_every_peer_spec(release: Release, who: str, peers: str) -> None:
    m = release.register.resolve(who)
    res = run_benchmark(release, m, peers=peers, need_corrected=True)
    _check(res, m.code)
    if m.code in (101, 147):
        assert all("capital" in a.flags for a in res.areas)
    else:
        assert all("small_municipality" in a.flags for a in res.areas)
