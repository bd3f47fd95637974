"""The public API of the package is small, explicit and importable (cf. httpx's test_exported_members)."""

from __future__ import annotations

import raaderum


def test_every_exported_name_resolves() -> None:
    for name in raaderum.__all__:
        assert getattr(raaderum, name) is not None, name


def test_exports_are_the_documented_set() -> None:
    assert set(raaderum.__all__) == {
        "__version__", "open_release", "Release", "key_figures", "area_panel", "run_benchmark", "REFERENCES",
        "choose_peers", "decompose", "load_catalog", "load_levers", "MunicipalityRegister", "IdeaStore",
        "SearchFilters", "build_release", "update_release", "StatbankClient", "RaaderumError"}


def test_public_api_works_end_to_end() -> None:
    rel = raaderum.open_release()
    assert raaderum.key_figures(rel, "Aarhus", 2022).municipality.code == 751
    assert raaderum.run_benchmark(rel, "Aarhus", 2022).total["potential"] >= 0
