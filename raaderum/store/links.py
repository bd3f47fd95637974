"""The idea-bank proposals of an area, ranked for a municipality's benchmark gap (the ranking itself is pure:
:func:`raaderum.ideas.links.rank_proposals`; this module fetches the proposals from the store's search index)."""

from __future__ import annotations

from raaderum.analysis.benchmark import BenchmarkResult
from raaderum.ideas.links import LinkedProposal, rank_proposals
from raaderum.release.reader import Release, open_release
from raaderum.store.ideas import IdeaStore, default_store


def proposals_for_gap(municipality_code: int, area_id: str, *, benchmark: BenchmarkResult,
                      store: IdeaStore | None = None, release: Release | None = None,
                      limit: int | None = None) -> list[LinkedProposal]:
    """The idea-bank proposals in ``area_id``, ranked for ``municipality_code`` (see the module docstring)."""
    store = store or default_store()
    release = release or open_release()
    records = [r for r in store.search_index().records if r.area_id == area_id]  # in memory, kept fresh
    ranked = rank_proposals(records, benchmark, area_id, release)
    return ranked[:limit] if limit else ranked


__all__ = ["proposals_for_gap"]
