"""Danish search over the idea bank: quality on a judged query set, highlighting, facets, similar, clusters."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

import raaderum.ideas as ideas
from raaderum.catalog import load_catalog
from raaderum.errors import InputError
from raaderum.ideas import ProposalNotFound, ProposalRecord, SearchFilters, SearchIndex, sample_records
from raaderum.ideas.vocabulary import load_vocabulary

QUERIES = Path(__file__).parent / "search_quality" / "queries.toml"
#: The second set (issue 12): written the way finance officers type, judged from the sample's texts before any
#: ranking was looked at; never tuned to.
QUERIES_2 = Path(__file__).parent / "search_quality" / "queries_2.toml"


@pytest.fixture(scope="module")
def records() -> list[ProposalRecord]:
    recs = sample_records()
    for i, r in enumerate(recs, start=1):
        r.id = i
    return recs


@pytest.fixture(scope="module")
def index(records: list[ProposalRecord]) -> SearchIndex:
    return SearchIndex(records)


def _metrics(index: SearchIndex, records: list[ProposalRecord], path: Path = QUERIES) -> tuple[float, float,
                                                                                                 list[str]]:
    queries = tomllib.loads(path.read_text(encoding="utf-8"))["queries"]
    rr_sum = ndcg_sum = 0.0
    lines = []
    for q in queries:
        rel: dict[str, int] = q["relevant"]
        grades = [rel.get(h.record.title, 0) for h in index.search(q["query"], limit=10).hits]
        rr = next((1 / (i + 1) for i, g in enumerate(grades) if g >= 1), 0.0)
        ideal = sorted((rel[r.title] for r in records if r.title in rel), reverse=True)[:10]
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        rr_sum += rr
        ndcg_sum += dcg / idcg
        lines.append(f"{q['query']!r}: RR={rr:.2f} nDCG={dcg / idcg:.2f}")
    return rr_sum / len(queries), ndcg_sum / len(queries), lines


def test_query_set_is_well_formed(records: list[ProposalRecord]) -> None:
    queries = tomllib.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    assert len(queries) >= 25
    titles = {r.title for r in records}
    for q in queries:
        assert q["relevant"] and set(q["relevant"]) <= titles, q["query"]
        assert set(q["relevant"].values()) <= {1, 2} and 2 in q["relevant"].values()
    harder = [q for q in queries if set(q["needs"]) & {"stemming", "compound", "synonym"}]
    assert len(harder) >= 0.8 * len(queries)


def test_search_quality_mrr_and_ndcg(index: SearchIndex, records: list[ProposalRecord]) -> None:
    mrr, ndcg, lines = _metrics(index, records)
    print(f"MRR@10={mrr:.3f} nDCG@10={ndcg:.3f}\n" + "\n".join(lines))
    assert mrr >= 0.95
    assert ndcg >= 0.85


def test_second_query_set_is_well_formed(records: list[ProposalRecord]) -> None:
    queries = tomllib.loads(QUERIES_2.read_text(encoding="utf-8"))["queries"]
    first = {q["query"] for q in tomllib.loads(QUERIES.read_text(encoding="utf-8"))["queries"]}
    assert len(queries) >= 40 and not first & {q["query"] for q in queries}
    titles = {r.title for r in records}
    for q in queries:
        assert q["relevant"] and set(q["relevant"]) <= titles, q["query"]
        assert set(q["relevant"].values()) <= {1, 2} and 2 in q["relevant"].values()
        assert set(q["needs"]) <= {"stemming", "compound", "synonym", "exact"}


def test_search_quality_on_the_second_set(index: SearchIndex, records: list[ProposalRecord]) -> None:
    mrr, ndcg, lines = _metrics(index, records, QUERIES_2)
    print(f"MRR@10={mrr:.3f} nDCG@10={ndcg:.3f}\n" + "\n".join(lines))
    assert mrr >= 0.95
    assert ndcg >= 0.95


def test_a_loaded_index_ranks_exactly_like_the_built_one(index: SearchIndex, records: list[ProposalRecord],
                                                        tmp_path: Path) -> None:
    """The persisted index (memory-mapped arrays and texts) answers every judged query with the same hits, scores,
    highlights and facets as the index it was saved from, so the quality figures hold for a CLI search too."""
    loaded_pair = SearchIndex.load(index.save(tmp_path / "i.index", {"revision": (1, 2, 3)}))
    assert loaded_pair is not None
    loaded = loaded_pair[0]
    for path in (QUERIES, QUERIES_2):
        for q in tomllib.loads(path.read_text(encoding="utf-8"))["queries"]:
            a, b = index.search(q["query"], limit=10), loaded.search(q["query"], limit=10)
            assert [(h.id, h.score, h.title_html, h.snippet_html) for h in a.hits] == \
                [(h.id, h.score, h.title_html, h.snippet_html) for h in b.hits], q["query"]
            assert a.total == b.total and a.facets == b.facets
        assert _metrics(loaded, records, path)[:2] == _metrics(index, records, path)[:2]
    # texts read back from the mapped file are the records' own, and the loaded index can be updated and saved
    assert [loaded.records[i].title for i in range(len(records))] == [r.title for r in records]
    smaller = loaded.updated([], removed=[records[0].id])
    assert len(smaller) == len(records) - 1
    again = SearchIndex.load(smaller.save(tmp_path / "j.index"))
    assert again is not None and len(again[0]) == len(records) - 1
    assert [h.id for h in again[0].search("gadelys").hits] == [h.id for h in smaller.search("gadelys").hits]


@pytest.mark.parametrize(("query", "expected_word"), [
    ("gadelys", "vejbelysning"),
    ("belysning", "vejbelysning"),
    ("teknologi i ældreplejen", "velfærdsteknologi"),
    ("robot", "robotstøvsugere"),
    ("plejefamilie", "plejefamilier"),
])
def test_compounds_and_variants_match(index: SearchIndex, query: str, expected_word: str) -> None:
    text = " ".join((h.record.title + " " + h.record.description).lower() for h in index.search(query, limit=5).hits)
    assert expected_word in text


def test_highlighting_escapes_html_then_marks() -> None:
    rec = ProposalRecord(id=1, municipality_code=101, municipality_name="København", budget_year=2020,
                         title="<b>Vejbelysning</b> & lygter", description="Ny vejbelysning <script>x</script>.")
    hit = SearchIndex([rec]).search("vejbelysning").hits[0]
    assert hit.title_html == "&lt;b&gt;<mark>Vejbelysning</mark>&lt;/b&gt; &amp; lygter"
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>vejbelysning</mark>" in hit.snippet_html


def test_long_snippet_is_cut_around_the_match() -> None:
    text = "Indledning uden betydning. " * 20 + "Her står det om hjemmeplejen og dens ruter. " + "Mere tekst. " * 20
    rec = ProposalRecord(id=7, municipality_code=101, municipality_name="København", budget_year=2020,
                         title="Et forslag", description=text)
    snippet = SearchIndex([rec]).search("hjemmepleje").hits[0].snippet_html
    assert snippet.startswith("… ") and snippet.endswith(" …") and "<mark>hjemmeplejen</mark>" in snippet
    assert len(snippet) < 300


def test_facets_count_the_matching_set(index: SearchIndex, records: list[ProposalRecord]) -> None:
    everything = index.search("", limit=5)
    assert everything.total == len(records) and len(everything.hits) == 5
    for name in ("area", "type", "municipality", "year", "committee", "amount_band"):
        assert sum(v.count for v in everything.facets[name]) == len(records), name
    result = index.search("sygefravær", limit=50)
    area_counts = {v.value: v.count for v in result.facets["area"]}
    assert sum(area_counts.values()) == result.total >= 3 and area_counts["aeldre"] >= 2
    year_values = [v.value for v in everything.facets["year"]]
    assert year_values == ["2020", "2019"]
    assert {v.label for v in everything.facets["area"]} >= {"Ældrepleje", "Tværgående (ikke i kataloget)"}


def test_filters(index: SearchIndex) -> None:
    r = index.search("", SearchFilters(area="Ældrepleje", year=2020), limit=100)
    assert r.total > 0 and all(h.record.area_id == "aeldre" and h.record.budget_year == 2020 for h in r.hits)
    r = index.search("", SearchFilters(municipality="Århus"), limit=100)
    assert r.total > 0 and all(h.record.municipality_code == 751 for h in r.hits)
    r = index.search("", SearchFilters(municipality="751", type="Investering"), limit=100)
    assert all(h.record.type_id == "investering" for h in r.hits)
    r = index.search("", SearchFilters(committee="teknik- og miljøudvalget"), limit=100)
    assert r.total > 0 and all(h.record.committee_text == "Teknik- og Miljøudvalget" for h in r.hits)
    r = index.search("", SearchFilters(amount_band="over_10000"), limit=100)
    assert all(max(abs(a) for a in h.record.amounts if a is not None) >= 10000 for h in r.hits)
    assert index.search("", SearchFilters(include_sample=False)).total == 0
    with pytest.raises(InputError):
        index.search("", SearchFilters(amount_band="kæmpestort"))


def test_similar_finds_the_near_duplicate(index: SearchIndex, records: list[ProposalRecord]) -> None:
    base = next(r for r in records if r.title == "Hverdagsrehabilitering før hjemmehjælp")
    sims = index.similar(base.id, 3)  # type: ignore[arg-type]
    assert sims[0].record.title in {"Hverdagsrehabilitering før hjemmehjælp",
                                    "Rehabiliteringsforløb for nye borgere i hjemmeplejen"}
    assert base.id not in [s.id for s in sims]
    assert sims == sorted(sims, key=lambda s: -s.score)
    with pytest.raises(ProposalNotFound):
        index.similar(10_000)


def test_clusters_span_municipalities_or_years(index: SearchIndex) -> None:
    clusters = index.clusters(0.5)
    assert len(clusters) >= 10
    for c in clusters:
        recs = [index.record(i) for i in c.ids]
        assert len({(r.municipality_code, r.budget_year) for r in recs}) > 1
        assert c.min_similarity >= 0.5
    tech = next(c for c in clusters if "Odense" in c.municipalities and "Svendborg" in c.municipalities)
    assert len(tech.ids) >= 3
    with pytest.raises(InputError):
        index.clusters(1.5)


def test_vocabulary_entries_all_have_explanations() -> None:
    vocab = load_vocabulary()
    assert {t.id for t in vocab.types} == {"effektivisering", "investering", "digitalisering", "indkoeb",
                                           "organisering", "omlaegning", "indtaegt", "servicetilpasning"}
    for t in vocab.types:
        assert t.explanation.strip() and t.synonyms, t.id
    for spec in vocab.columns.values():
        assert spec.explanation.strip() and spec.synonyms, spec.field
    for g in vocab.search_synonyms:
        assert g.explanation.strip() and len(g.terms) >= 2
    known = {a.id for a in vocab.catalog.areas} | {t.id for t in vocab.catalog.themes}
    assert set(vocab.area_synonyms) <= known


def test_sample_covers_every_area_and_is_labelled(records: list[ProposalRecord]) -> None:
    cat = load_catalog()
    covered = {r.area_id for r in records}
    assert {a.id for a in cat.areas} | {t.id for t in cat.themes} <= covered
    assert len(records) >= 150 and len({r.municipality_code for r in records}) >= 40
    assert {r.budget_year for r in records} == {2019, 2020}
    assert all(r.is_sample and "fiktiv" in r.contact for r in records)
    assert len({r.content_hash for r in records}) == len(records)


def test_public_api_is_exported() -> None:
    for name in ideas.__all__:
        assert hasattr(ideas, name), name
    import raaderum.store.ideas as idea_store  # the store layer holds the idea bank's storage

    assert {"IdeaStore", "SearchIndex", "read_workbook", "parse_amount", "write_template"} <= (
        set(ideas.__all__) | set(idea_store.__all__))
    import raaderum.store.engine as db

    for name in db.__all__:
        assert hasattr(db, name), name
