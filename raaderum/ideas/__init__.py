"""Idébanken: råderum proposals from municipalities' budgets, imported from KL's Excel database tools and
searched in Danish.

    >>> from raaderum.ideas import SearchFilters; from raaderum.store.ideas import IdeaStore   # doctest: +SKIP
    >>> store = IdeaStore(); store.migrate(); store.ensure_sample()
    >>> store.search("gadelys", SearchFilters(year=2020)).hits[0].title_html

Amounts are in 1.000 kr. with savings negative; ``None`` is unknown, never 0. Sample proposals (``is_sample``)
are fictitious and labelled "Eksempeldata" wherever they are shown.
"""

from raaderum.ideas.amounts import ParsedAmount, flip_sign, format_amount, parse_amount
from raaderum.ideas.excel_import import (
    ImportReport,
    RowOutcome,
    SheetInfo,
    WorkbookError,
    parse_budget_year,
    read_workbook,
)
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

__all__ = [
    "AMOUNT_BANDS",
    "SAMPLE_BATCH_NAME",
    "SAMPLE_LABEL",
    "BatchInfo",
    "Cluster",
    "FacetValue",
    "ImportReport",
    "ParsedAmount",
    "ProposalNotFound",
    "ProposalRecord",
    "RowOutcome",
    "SearchFilters",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "SheetInfo",
    "SimilarHit",
    "Vocabulary",
    "WorkbookError",
    "amount_band",
    "flip_sign",
    "format_amount",
    "load_vocabulary",
    "parse_amount",
    "parse_budget_year",
    "read_workbook",
    "sample_records",
    "write_template",
]
