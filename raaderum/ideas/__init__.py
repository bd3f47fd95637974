"""Idébanken: råderum proposals from municipalities' budgets, imported from KL's Excel database tools and every
municipality's own catalogue, and searched in Danish.

    >>> from raaderum.ideas import SearchFilters; from raaderum.store.ideas import IdeaStore   # doctest: +SKIP
    >>> store = IdeaStore(); store.migrate(); store.ensure_sample()
    >>> store.search("gadelys", SearchFilters(year=2020)).hits[0].title_html

Amounts are in 1.000 kr. with savings negative; ``None`` is unknown, never 0. Sample proposals (``is_sample``)
are fictitious and labelled "Eksempeldata" wherever they are shown.

The names below are loaded on first use (a CLI search needs the search, not the workbook reader or the template).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raaderum.ideas.amounts import ParsedAmount, flip_sign, format_amount, parse_amount
    from raaderum.ideas.excel_import import (
        ImportReport,
        RowOutcome,
        SheetInfo,
        WorkbookError,
        parse_budget_year,
        read_workbook,
    )
    from raaderum.ideas.layouts import LayoutProfile, SheetOverrides, parse_overrides
    from raaderum.ideas.records import (
        AMOUNT_BANDS,
        SAMPLE_BATCH_NAME,
        SAMPLE_LABEL,
        BatchInfo,
        ProposalRecord,
        amount_band,
    )
    from raaderum.ideas.sample_data import sample_records
    from raaderum.ideas.search import (
        Cluster,
        FacetValue,
        ProposalNotFound,
        SearchFilters,
        SearchHit,
        SearchIndex,
        SearchResult,
        SimilarHit,
    )
    from raaderum.ideas.template import write_template
    from raaderum.ideas.vocabulary import Vocabulary, load_vocabulary

_WHERE = {
    "ParsedAmount": "amounts", "flip_sign": "amounts", "format_amount": "amounts", "parse_amount": "amounts",
    "ImportReport": "excel_import", "RowOutcome": "excel_import", "SheetInfo": "excel_import",
    "WorkbookError": "excel_import", "parse_budget_year": "excel_import", "read_workbook": "excel_import",
    "LayoutProfile": "layouts", "SheetOverrides": "layouts", "parse_overrides": "layouts",
    "AMOUNT_BANDS": "records", "SAMPLE_BATCH_NAME": "records", "SAMPLE_LABEL": "records", "BatchInfo": "records",
    "ProposalRecord": "records", "amount_band": "records",
    "sample_records": "sample_data",
    "Cluster": "search", "FacetValue": "search", "ProposalNotFound": "search", "SearchFilters": "search",
    "SearchHit": "search", "SearchIndex": "search", "SearchResult": "search", "SimilarHit": "search",
    "write_template": "template",
    "Vocabulary": "vocabulary", "load_vocabulary": "vocabulary",
}


def _module(name: str) -> Any:  # noqa: PLR0911 - one static import per module, for the import contract
    if name == "amounts":
        from raaderum.ideas import amounts  # lazy: loaded on first use of the name
        return amounts
    if name == "excel_import":
        from raaderum.ideas import excel_import  # lazy: the workbook reader, only to import
        return excel_import
    if name == "layouts":
        from raaderum.ideas import layouts  # lazy: loaded on first use of the name
        return layouts
    if name == "records":
        from raaderum.ideas import records  # lazy: loaded on first use of the name
        return records
    if name == "sample_data":
        from raaderum.ideas import sample_data  # lazy: 150 records, needed once
        return sample_data
    if name == "search":
        from raaderum.ideas import search  # lazy: loaded on first use of the name
        return search
    if name == "template":
        from raaderum.ideas import template  # lazy: xlsxwriter, only to write the template
        return template
    from raaderum.ideas import vocabulary  # lazy: loaded on first use of the name
    return vocabulary


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'raaderum.ideas' has no attribute {name!r}")
    value = getattr(_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "AMOUNT_BANDS",
    "SAMPLE_BATCH_NAME",
    "SAMPLE_LABEL",
    "BatchInfo",
    "Cluster",
    "FacetValue",
    "ImportReport",
    "LayoutProfile",
    "ParsedAmount",
    "ProposalNotFound",
    "ProposalRecord",
    "RowOutcome",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "SheetInfo",
    "SheetOverrides",
    "SimilarHit",
    "Vocabulary",
    "WorkbookError",
    "amount_band",
    "flip_sign",
    "format_amount",
    "load_vocabulary",
    "parse_amount",
    "parse_budget_year",
    "parse_overrides",
    "read_workbook",
    "sample_records",
    "write_template",
]
