"""Råderum: økonomisk råderum for danske kommuner: benchmark, styringscockpit, idébank og vidensportal.

The public API, for use from Python (the CLI and the web app use the same functions)::

    import raaderum
    rel = raaderum.open_release()                       # the data release in use (checked on open)
    kf = raaderum.key_figures(rel, "Aarhus", 2022)      # nøgletal with provenance
    res = raaderum.run_benchmark(rel, "Aarhus", 2022)   # peers, references, potentials, bands
    with raaderum.IdeaStore() as store:                 # the idea bank (SQLite file or PostgreSQL)
        hits = store.search("velfærdsteknologi")

Names are imported on first use, so ``import raaderum`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "open_release": "raaderum.release.reader",
    "Release": "raaderum.release.reader",
    "key_figures": "raaderum.analysis.key_figures",
    "area_panel": "raaderum.analysis.key_figures",
    "run_benchmark": "raaderum.analysis.benchmark",
    "REFERENCES": "raaderum.analysis.benchmark",
    "choose_peers": "raaderum.analysis.peers",
    "decompose": "raaderum.analysis.decomposition",
    "load_catalog": "raaderum.catalog",
    "load_levers": "raaderum.ideas.levers",
    "MunicipalityRegister": "raaderum.release.municipalities",
    "IdeaStore": "raaderum.store.ideas",
    "SearchFilters": "raaderum.ideas",
    "build_release": "raaderum.release.build",
    "update_release": "raaderum.release.update",
    "StatbankClient": "raaderum.release.statbank",
    "RaaderumError": "raaderum.errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'raaderum' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
