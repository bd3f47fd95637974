"""Danish search over the idea bank: an in-memory index built from the store's proposals.

Two rankings are fused by reciprocal rank (RRF, k = 60):

1. **Stemmed BM25** (k1 = 1.2, b = 0.75) on Snowball Danish stems, title counted three times, description once,
   area/type/committee once. Compounds are also split into known parts ("vejbelysning" → vej + belysning), and
   query terms are expanded with the search synonyms of ``vocabulary.toml`` (gadelys ~ vejbelysning,
   velfærdsteknologi ~ teknologi i ældreplejen).
2. **Character 3-5-gram similarity** between query words and the words of each proposal (æøå folded), so
   compounds, inflections and spelling variants match ("belysning" finds "gadebelysningen"). A proposal's score
   is how well it covers each query concept (best-matching word per concept), averaged over the concepts.

``search`` returns hits with HTML-escaped, ``<mark>``-highlighted titles and snippets, plus facet counts (area,
type, municipality, budget year, committee, amount band) over every proposal that matches the query and filters.
``similar`` ranks proposals by cosine similarity of their BM25 vectors; ``clusters`` groups near-duplicates
across municipalities and years.

    >>> index = SearchIndex.from_records(records)                     # doctest: +SKIP
    >>> result = index.search("gadelys", SearchFilters(year=2020))     # doctest: +SKIP
    >>> result.hits[0].title_html                                      # doctest: +SKIP
    'Udskiftning af <mark>vejbelysning</mark> til LED'
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import dataclasses
import hashlib
import html
import mmap
import os
import pickle
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import snowballstemmer

from raaderum.errors import (
    IndexFileChanged,
    InputError,
    ProposalNotFound,  # re-exported
)
from raaderum.ideas.records import AMOUNT_BANDS, UNKNOWN_BAND, ProposalRecord, amount_band, band_label
from raaderum.ideas.vocabulary import Vocabulary, fold, load_vocabulary
from raaderum.release.municipalities import normalise

K1, B = 1.2, 0.75
RRF_K = 60
TITLE_WEIGHT, DESCRIPTION_WEIGHT, META_WEIGHT = 3.0, 1.0, 1.0
COMPOUND_PART_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.7
#: Weight of a thesaurus word that is related to the query's word but not the same thing.
RELATED_WEIGHT = 0.35
#: Weight of a query word's compound parts when the word itself is in the index ("hjemmeplejen" also searches pleje).
COMPOUND_QUERY_WEIGHT = 0.3
#: A proposal covering c of the query's n concepts keeps COORD_BASE + (1 - COORD_BASE)·c/n of its BM25 score.
COORD_BASE = 0.5
NGRAM_MIN_SIM = 0.5
NGRAM_MAX_CANDIDATES = 40
#: A proposal matches a query when its BM25 score is positive or it covers at least this share of the concepts.
NGRAM_MATCH_COVERAGE = 0.55
CANDIDATES_PER_CHANNEL = 300

DANISH_STOPWORDS = frozenset("""
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min havde ham hun nu
over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev kunne ind når være dog noget
ville jo deres efter ned skulle denne end dette mit også under have dig anden hende mine alt meget sit sine vor mod
disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan kan samt via ved mv fx bl ca pr nye ny
blandt stedet
""".split())

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("danish")
_stem_cache: dict[str, str] = {}


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (letters and digits; hyphens and punctuation split)."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def stem(word: str) -> str:
    s = _stem_cache.get(word)
    if s is None:
        s = _stemmer.stemWord(word)
        if len(_stem_cache) < 500_000:
            _stem_cache[word] = s
    return s


def _fold_word(w: str) -> str:
    return w.replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("é", "e")


def ngrams(word: str) -> set[str]:
    """Character 3-, 4- and 5-grams of a word with boundary marks (æøå folded)."""
    w = f"<{_fold_word(word)}>"
    return {w[i:i + n] for n in (3, 4, 5) for i in range(len(w) - n + 1)}


# --------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SearchFilters:
    """Filters; each may be one value or a list of values (any of them)."""

    area: str | list[str] | None = None
    type: str | list[str] | None = None
    municipality: str | int | list[str | int] | None = None
    year: int | list[int] | None = None
    committee: str | list[str] | None = None
    amount_band: str | list[str] | None = None
    include_sample: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count}


@dataclass
class SearchHit:
    id: int
    score: float
    title_html: str
    snippet_html: str
    record: ProposalRecord
    bm25_rank: int | None = None
    ngram_rank: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 6), "title_html": self.title_html,
                "snippet_html": self.snippet_html, "bm25_rank": self.bm25_rank, "ngram_rank": self.ngram_rank,
                "proposal": self.record.to_dict()}


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    filters: SearchFilters = field(default_factory=SearchFilters)
    expansions: list[str] = field(default_factory=list)

    @property
    def has_sample(self) -> bool:
        return any(h.record.is_sample for h in self.hits)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "filters": self.filters.to_dict(),
                "expansions": list(self.expansions),
                "method": "BM25 på danske ordstammer + tegn-n-gram-lighed (3-5), flettet med reciprok rang (k=60)",
                "sample_notice": ("Resultaterne indeholder eksempeldata (fiktive forslag), ikke rigtige kommuners "
                                  "forslag.") if self.has_sample else None,
                "hits": [h.to_dict() for h in self.hits],
                "facets": {k: [v.to_dict() for v in vs] for k, vs in self.facets.items()}}


@dataclass
class SimilarHit:
    id: int
    score: float
    record: ProposalRecord

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 6), "proposal": self.record.to_dict()}


@dataclass
class Cluster:
    """Near-duplicate proposals from more than one municipality or budget year."""

    ids: list[int]
    municipalities: list[str]
    years: list[int]
    title: str
    min_similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"ids": self.ids, "municipalities": self.municipalities, "years": self.years, "title": self.title,
                "min_similarity": round(self.min_similarity, 4)}


# --------------------------------------------------------------------------------------------------------------
# Index


@dataclass
class _Concept:
    """One query concept: its own stems plus synonym alternatives (each a list of stems / words)."""

    label: str
    members: list[tuple[list[str], list[str], float]]  # (stems, words, weight)


class _Categorical:
    def __init__(self, keys: Sequence[str]) -> None:
        self.values: list[str] = []
        self.index: dict[str, int] = {}
        codes = np.empty(len(keys), dtype=np.int32)
        for i, k in enumerate(keys):
            c = self.index.get(k)
            if c is None:
                c = self.index[k] = len(self.values)
                self.values.append(k)
            codes[i] = c
        self.codes = codes

    def extended(self, keep: np.ndarray, keys: Sequence[str]) -> _Categorical:
        """The rows at ``keep``, then rows with ``keys`` (new values get new codes)."""
        out = _Categorical.__new__(_Categorical)
        out.values = list(self.values)
        out.index = dict(self.index)
        extra = np.empty(len(keys), dtype=np.int32)
        for i, k in enumerate(keys):
            c = out.index.get(k)
            if c is None:
                c = out.index[k] = len(out.values)
                out.values.append(k)
            extra[i] = c
        out.codes = np.concatenate([self.codes[keep], extra])
        return out


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(ProposalRecord))
_FLOAT_FIELDS = frozenset({"amount_b", "amount_bo1", "amount_bo2", "amount_bo3", "one_off_investment"})
_INT_FIELDS = frozenset({"municipality_code", "budget_year", "source_row", "id", "batch_id", "version"})
_NONE_INT = np.iinfo(np.int64).min


def _sp() -> Any:
    """scipy.sparse, imported when an index is built, updated or compared (a search of a loaded index needs only
    numpy, so a CLI search starts faster)."""
    from scipy import sparse  # lazy: not needed to search a loaded index

    return sparse


class _Sparse:
    """A compressed sparse matrix as plain numpy arrays (what the search reads); scipy is used to build it."""

    __slots__ = ("data", "indices", "indptr", "kind", "shape")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int],
                 kind: str) -> None:
        self.data, self.indices, self.indptr, self.shape, self.kind = data, indices, indptr, shape, kind

    @classmethod
    def of(cls, m: Any, kind: str) -> _Sparse:
        m = m.tocsc() if kind == "csc" else m.tocsr()
        m.sort_indices()
        return cls(m.data.astype(np.float32), m.indices.astype(np.int32), m.indptr.astype(np.int64),
                   (int(m.shape[0]), int(m.shape[1])), kind)

    def scipy(self) -> Any:
        sp = _sp()
        cls = sp.csc_matrix if self.kind == "csc" else sp.csr_matrix
        return cls((self.data, self.indices, self.indptr), shape=self.shape)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.data, self.indices, self.indptr, self.shape, self.kind)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.data, self.indices, self.indptr, self.shape, self.kind = state


class _Texts:
    """A column of distinct texts as one UTF-8 blob and offsets: loads as fast as an array, decodes per row."""

    __slots__ = ("blob", "offsets")

    def __init__(self, values: Sequence[str]) -> None:
        encoded = [v.encode("utf-8") for v in values]
        self.blob = b"".join(encoded)
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return str(self.blob[self.offsets[i]:self.offsets[i + 1]], "utf-8")

    def tolist(self) -> list[str]:
        b, o = self.blob, self.offsets.tolist()
        return [str(b[o[i]:o[i + 1]], "utf-8") for i in range(len(o) - 1)]

    def concat(self, other: _Texts) -> _Texts:
        out = _Texts.__new__(_Texts)
        out.blob = bytes(self.blob) + bytes(other.blob)
        out.offsets = np.concatenate([self.offsets, other.offsets[1:] + len(self.blob)])
        return out

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # Protocol 5 (the index file) hands the blob out of band, so a loaded index reads it from the memory-mapped
        # file instead of copying it (``blob`` is then a memoryview of the file; every use works on either).
        blob = pickle.PickleBuffer(self.blob) if int(protocol) >= 5 else bytes(self.blob)
        return (_texts_of, (blob, self.offsets))


def _texts_of(blob: Any, offsets: np.ndarray) -> _Texts:
    out = _Texts.__new__(_Texts)
    out.blob, out.offsets = blob, offsets
    return out


class _Lookup:
    """A read-only str → int map (or set of str) stored as sorted texts and an array: it loads as fast as an
    array and answers by binary search. A loaded index has these; building and updating use dicts and sets."""

    __slots__ = ("keys", "values")

    def __init__(self, keys: _Texts, values: np.ndarray | None) -> None:
        self.keys, self.values = keys, values

    @classmethod
    def of(cls, mapping: Mapping[str, int] | set[str] | frozenset[str] | _Lookup) -> _Lookup:
        if isinstance(mapping, _Lookup):
            return mapping
        if isinstance(mapping, set | frozenset):
            return cls(_Texts(sorted(mapping)), None)
        items = sorted(mapping.items())
        return cls(_Texts([k for k, _ in items]), np.array([v for _, v in items], dtype=np.int64))

    def _find(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)  # type: ignore[arg-type]
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def get(self, key: str, default: Any = None) -> Any:
        i = self._find(key)
        if i < 0:
            return default
        return int(self.values[i]) if self.values is not None else True

    def __getitem__(self, key: str) -> int:
        i = self._find(key)
        if i < 0 or self.values is None:
            raise KeyError(key)
        return int(self.values[i])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) >= 0

    def __len__(self) -> int:
        return len(self.keys)

    def to_dict(self) -> dict[str, int]:
        assert self.values is not None
        return dict(zip(self.keys.tolist(), self.values.tolist(), strict=True))

    def to_set(self) -> set[str]:
        return set(self.keys.tolist())

    def __getstate__(self) -> tuple[_Texts, np.ndarray | None]:
        return (self.keys, self.values)

    def __setstate__(self, state: tuple[_Texts, np.ndarray | None]) -> None:
        self.keys, self.values = state


def _as_dict(m: Any) -> dict[str, int]:
    return m.to_dict() if isinstance(m, _Lookup) else dict(m)


def _as_set(m: Any) -> set[str]:
    return m.to_set() if isinstance(m, _Lookup) else set(m)


def _as_list(m: Any) -> list[str]:
    return m.tolist() if isinstance(m, _Texts) else list(m)


def _encode(values: list[Any]) -> Any:
    """A column of texts (or other objects): dictionary-encoded when values repeat, a text blob when they are
    distinct texts, else the list itself."""
    try:
        index: dict[Any, int] = {}
        codes = np.empty(len(values), dtype=np.int32)
        for i, v in enumerate(values):
            c = index.get(v)
            if c is None:
                c = index[v] = len(index)
            codes[i] = c
    except TypeError:  # unhashable (dicts): kept as a list
        return list(values)
    if len(index) <= len(values) // 2:
        return codes, list(index)
    if all(isinstance(v, str) for v in values):
        return _Texts(values)
    return list(values)


def _decoded(col: Any) -> list[Any]:
    if isinstance(col, tuple):
        codes, values = col
        return [values[c] for c in codes.tolist()]
    if isinstance(col, _Texts):
        return col.tolist()
    return list(col)


class RecordTable(Sequence[ProposalRecord]):
    """Proposals stored by column (numbers as arrays, repeated texts once, other texts as one blob), so that an
    index of 100.000 proposals loads in a fraction of a second; a :class:`ProposalRecord` is made only for the rows
    that are shown."""

    def __init__(self, columns: dict[str, Any], n: int) -> None:
        self._cols = columns
        self._n = n
        self._cache: dict[int, ProposalRecord] = {}

    @classmethod
    def from_records(cls, records: Iterable[ProposalRecord]) -> RecordTable:
        recs = records if isinstance(records, list) else list(records)
        return cls.from_columns({name: [getattr(r, name) for r in recs] for name in _RECORD_FIELDS}, len(recs))

    @classmethod
    def from_columns(cls, values: Mapping[str, list[Any]], n: int) -> RecordTable:
        cols: dict[str, Any] = {}
        for name in _RECORD_FIELDS:
            col = values[name]
            if name in _FLOAT_FIELDS:
                cols[name] = np.array([np.nan if v is None else float(v) for v in col], dtype=np.float64)
            elif name in _INT_FIELDS:
                cols[name] = np.array([_NONE_INT if v is None else int(v) for v in col], dtype=np.int64)
            elif name == "is_sample":
                cols[name] = np.array(col, dtype=bool)
            else:
                cols[name] = _encode(list(col))
        return cls(cols, n)

    def __getstate__(self) -> tuple[dict[str, Any], int]:
        return (self._cols, self._n)

    def __setstate__(self, state: tuple[dict[str, Any], int]) -> None:
        self._cols, self._n = state
        self._cache = {}

    def __len__(self) -> int:
        return self._n

    def _value(self, name: str, i: int) -> Any:
        col = self._cols[name]
        if name in _FLOAT_FIELDS:
            v = float(col[i])
            return None if v != v else v
        if name in _INT_FIELDS:
            v = int(col[i])
            return None if v == _NONE_INT else v
        if name == "is_sample":
            return bool(col[i])
        if isinstance(col, tuple):  # dictionary-encoded: (codes, values)
            return col[1][col[0][i]]
        return col[i]

    def __getitem__(self, i: int) -> ProposalRecord:  # type: ignore[override]
        if isinstance(i, slice):  # pragma: no cover - not used by the index
            raise TypeError("RecordTable does not slice; use take()")
        if i < 0:
            i += self._n
        rec = self._cache.get(i)
        if rec is None:
            d = {name: self._value(name, i) for name in _RECORD_FIELDS}
            d["source_fields"] = dict(d["source_fields"] or {})
            rec = ProposalRecord(**d)
            if len(self._cache) < 5000:
                self._cache[i] = rec
        return rec

    def __iter__(self) -> Iterator[ProposalRecord]:
        for i in range(self._n):
            yield self[i]

    def column(self, name: str) -> Any:
        """Every row's value of ``name``: a numpy array for numbers, a list for texts and other values."""
        col = self._cols[name]
        if isinstance(col, np.ndarray):
            return col
        return _decoded(col)

    def take(self, positions: np.ndarray) -> RecordTable:
        if len(positions) == self._n and np.array_equal(positions, np.arange(self._n)):
            return RecordTable(dict(self._cols), self._n)
        cols: dict[str, Any] = {}
        for name, col in self._cols.items():
            if isinstance(col, tuple):
                cols[name] = (col[0][positions], col[1])
            elif isinstance(col, np.ndarray):
                cols[name] = col[positions]
            else:
                values = col.tolist() if isinstance(col, _Texts) else col
                taken = [values[int(p)] for p in positions]
                cols[name] = _Texts(taken) if isinstance(col, _Texts) else taken
        return RecordTable(cols, len(positions))

    def concat(self, other: RecordTable) -> RecordTable:
        cols: dict[str, Any] = {}
        for name in _RECORD_FIELDS:
            a, b = self._cols[name], other._cols[name]
            if isinstance(a, np.ndarray):
                cols[name] = np.concatenate([a, b])
            elif isinstance(a, tuple):  # extend the dictionary with the new rows' values
                values = list(a[1])
                index = {v: i for i, v in enumerate(values)}
                extra = []
                for v in _decoded(b):
                    c = index.get(v)
                    if c is None:
                        c = index[v] = len(values)
                        values.append(v)
                    extra.append(c)
                cols[name] = (np.concatenate([a[0], np.array(extra, dtype=np.int32)]), values)
            elif isinstance(a, _Texts) and isinstance(b, _Texts):
                cols[name] = a.concat(b)
            else:
                merged = _decoded(a) + _decoded(b)
                cols[name] = _Texts(merged) if all(isinstance(v, str) for v in merged) else merged
        return RecordTable(cols, self._n + other._n)


#: Version of the persisted index layout (:meth:`SearchIndex.save`); a file of another version is rebuilt.
INDEX_FORMAT = 7
#: Alignment of the raw arrays in the index file (any numpy dtype can be viewed in place at such an offset).
_ALIGN = 64


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def _dump_parts(obj: Any) -> tuple[bytes, list[memoryview]]:
    """``obj`` pickled with protocol 5, its arrays' (and text blobs') raw bytes handed out of band."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    return data, [b.raw() for b in buffers]


def _read_parts(path: str | Path) -> tuple[dict[str, Any], Any, Any, tuple[int, int, int]] | None:
    """(header, state, lazy reader of the update state, file stamp) of an index file written by
    :meth:`SearchIndex.save`: the arrays are views of the memory-mapped file (copy-on-write, private to this
    process; replacing the file later does not change them), so nothing is copied. None when the file is not an
    index of this format."""
    with open(path, "rb") as f:
        header = pickle.load(f)  # noqa: S301 - our own file in the user's data folder
        if not isinstance(header, dict) or header.get("format") != INDEX_FORMAT:
            return None
        layout = pickle.load(f)  # noqa: S301
        start = f.tell()
        st = os.fstat(f.fileno())
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(mapped)
    n_state, n_update = int(layout["state"]), int(layout["update"])
    data_at = _aligned(start + n_state + n_update)
    buffers: list[memoryview] = []
    for n in (*layout["buffers"], *layout["update_buffers"]):
        buffers.append(view[data_at:data_at + int(n)])
        data_at += _aligned(int(n))
    if data_at > len(view) + _ALIGN:
        raise EOFError("index file is cut short")
    k = len(layout["buffers"])
    state = pickle.loads(view[start:start + n_state], buffers=buffers[:k])  # noqa: S301

    def update() -> Any:
        return pickle.loads(view[start + n_state:start + n_state + n_update], buffers=buffers[k:])  # noqa: S301

    return header, state, update, (st.st_ino, st.st_size, st.st_mtime_ns)


class SearchIndex:
    """An in-memory search index over proposals. It can be saved and loaded (:meth:`save`, :meth:`load`), and
    brought up to date with the proposals added, changed or removed since (:meth:`updated`) without a rebuild."""

    #: Where a loaded index's term frequencies are: (path, file stamp, reader of the mapped file); None in memory.
    _update_source: tuple[str, tuple[int, int, int], Any] | None = None

    def __init__(self, records: Iterable[ProposalRecord], vocabulary: Vocabulary | None = None) -> None:
        self.vocab = vocabulary or load_vocabulary()
        self._init_caches()
        self._build_synonyms()
        table = records if isinstance(records, RecordTable) else RecordTable.from_records(records)
        self.records = table
        self.ids = self._ids_of(table)
        self._known_words: set[str] = set()
        self._known_stems: set[str] = set()
        self.term_ids: dict[str, int] = {}
        self.word_ids: dict[str, int] = {}
        self.words_list: list[str] = []
        self.gram_ids: dict[str, int] = {}
        fields = self._fields_of(table)
        self._learn(fields)
        tf, self.lengths, word_w = self._index_fields(fields)
        self.tf = _Sparse.of(tf, "csr")
        self.word_w = _Sparse.of(word_w, "csr")
        self.gram_words = _Sparse(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(1, np.int64), (0, 0),
                                  "csc")
        self.word_ngram_count = np.zeros(0)
        self.word_lengths = np.zeros(0, dtype=np.int32)
        self._add_grams(0)
        self._finish()

    @classmethod
    def from_records(cls, records: Iterable[ProposalRecord], vocabulary: Vocabulary | None = None) -> SearchIndex:
        return cls(records, vocabulary)

    def __len__(self) -> int:
        return len(self.records)

    def _init_caches(self) -> None:
        self._simword_cache: dict[str, list[tuple[int, float]]] = {}
        self._compound_cache: dict[str, list[str]] = {}
        self._unit: Any = None
        self._unit_csc: Any = None
        self._pos_map: dict[int, int] | None = None

    @staticmethod
    def _ids_of(table: RecordTable) -> np.ndarray:
        ids = np.asarray(table.column("id"), dtype=np.int64).copy()
        missing = ids == _NONE_INT
        ids[missing] = np.nonzero(missing)[0] + 1
        return ids

    @property
    def _pos(self) -> dict[int, int]:
        if self._pos_map is None:
            self._pos_map = {int(i): p for p, i in enumerate(self.ids.tolist())}
        return self._pos_map

    # ---- building

    def _build_synonyms(self) -> None:
        """The thesaurus as (stems, words, is-equivalent) per group; the words are also known compound parts."""
        self._syn_groups: list[list[tuple[list[str], list[str], bool]]] = []
        for g in self.vocab.search_synonyms:
            members = []
            for terms, equivalent in ((g.terms, True), (g.related, False)):
                for term in terms:
                    ws = [w for w in words(term) if w not in DANISH_STOPWORDS]
                    if ws:
                        members.append(([stem(w) for w in ws], ws, equivalent))
            self._syn_groups.append(members)

    def _fields_of(self, table: RecordTable) -> list[tuple[list[str], list[str], list[str]]]:
        titles = table.column("title")
        descriptions = table.column("description")
        areas = table.column("area_text")
        area_ids = table.column("area_id")
        types = table.column("type_text")
        committees = table.column("committee_text")
        area_name = self.vocab.area_name
        out = []
        for i in range(len(table)):
            meta = " ".join(x for x in (areas[i], area_name(area_ids[i]) or "", types[i], committees[i]) if x)
            out.append((words(titles[i]), words(descriptions[i]), words(meta)))
        return out

    def _learn(self, fields: Sequence[tuple[list[str], list[str], list[str]]]) -> None:
        """Add the words of ``fields`` (and of the thesaurus) to the words compounds may be split into."""
        seen: set[str] = set()
        for t, d, m in fields:
            seen.update(t)
            seen.update(d)
            seen.update(m)
        new = {w for w in seen if len(w) >= 3 and w not in DANISH_STOPWORDS and not w.isdigit()}
        for members in self._syn_groups:
            for _stems, ws, _eq in members:
                new.update(w for w in ws if len(w) >= 3)
        new -= self._known_words
        if new:
            self._known_words |= new
            self._known_stems |= {stem(w) for w in new}
            self._compound_cache.clear()

    def _split_compound(self, word: str) -> list[str]:
        """Known parts of a compound word (as stems), e.g. vejbelysning → [vej, belysning]; [] if none."""
        cached = self._compound_cache.get(word)
        if cached is not None:
            return cached
        parts: list[str] = []
        if len(word) >= 7:
            best: tuple[int, list[str]] | None = None
            for i in range(3, len(word) - 3):
                left, right = word[:i], word[i:]
                rs = stem(right)
                if right not in self._known_words and rs not in self._known_stems:
                    continue
                lefts = [left] + ([left[:-1]] if left[-1] in "se" and len(left) > 3 else [])
                for lw in lefts:
                    if lw in self._known_words or stem(lw) in self._known_stems:
                        cand = [stem(lw), rs]
                        if best is None or len(right) > best[0]:
                            best = (len(right), cand)
                        break
            if best:
                parts = best[1]
        if len(self._compound_cache) < 500_000:
            self._compound_cache[word] = parts
        return parts

    def _index_fields(self, fields: Sequence[tuple[list[str], list[str], list[str]]]) -> tuple[Any, np.ndarray, Any]:
        """Term frequencies (docs × terms), weighted lengths, and word weights (docs × words) of ``fields`` as scipy
        matrices; new terms and words are added to the index's dictionaries."""
        sp = _sp()
        term_ids, word_ids = self.term_ids, self.word_ids
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        wrows: list[int] = []
        wcols: list[int] = []
        wvals: list[float] = []
        n = len(fields)
        lengths = np.zeros(n, dtype=np.float64)
        for di, (t, d, m) in enumerate(fields):
            tf: dict[str, float] = defaultdict(float)
            wbest: dict[str, float] = {}
            for ws, weight, wweight in ((t, TITLE_WEIGHT, 1.0), (d, DESCRIPTION_WEIGHT, 0.85),
                                        (m, META_WEIGHT, 0.7)):
                for w in ws:
                    if w in DANISH_STOPWORDS:
                        continue
                    tf[stem(w)] += weight
                    for part in self._split_compound(w):
                        tf[part] += weight * COMPOUND_PART_WEIGHT
                    if wbest.get(w, 0.0) < wweight:
                        wbest[w] = wweight
                lengths[di] += weight * len(ws)
            for term, f in tf.items():
                tid = term_ids.get(term)
                if tid is None:
                    tid = term_ids[term] = len(term_ids)
                rows.append(di)
                cols.append(tid)
                vals.append(f)
            for w, wv in wbest.items():
                wid = word_ids.get(w)
                if wid is None:
                    wid = word_ids[w] = len(word_ids)
                    self.words_list.append(w)
                wrows.append(di)
                wcols.append(wid)
                wvals.append(wv)
        tfm = sp.csr_matrix((np.array(vals, dtype=np.float32), (np.array(rows, dtype=np.int64),
                                                                 np.array(cols, dtype=np.int64))),
                            shape=(n, len(term_ids)))
        wm = sp.csr_matrix((np.array(wvals, dtype=np.float32), (np.array(wrows, dtype=np.int64),
                                                                 np.array(wcols, dtype=np.int64))),
                           shape=(n, len(word_ids)))
        return tfm, lengths, wm

    def _add_grams(self, first_new_word: int) -> None:
        """Character n-grams of the words from ``first_new_word`` on (the n-gram channel's index)."""
        sp = _sp()
        grows: list[int] = []
        gcols: list[int] = []
        new_words = self.words_list[first_new_word:]
        counts = np.zeros(len(new_words), dtype=np.float64)
        gram_ids = self.gram_ids
        for k, w in enumerate(new_words):
            gs = ngrams(w)
            counts[k] = len(gs)
            for g in gs:
                gid = gram_ids.get(g)
                if gid is None:
                    gid = gram_ids[g] = len(gram_ids)
                grows.append(first_new_word + k)
                gcols.append(gid)
        old = self.gram_words.scipy().tocoo() if self.gram_words.shape[0] else None
        rows = np.array(grows, dtype=np.int64)
        cols = np.array(gcols, dtype=np.int64)
        if old is not None:
            rows, cols = np.concatenate([old.row, rows]), np.concatenate([old.col, cols])
        m = sp.csc_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                          shape=(len(self.words_list), len(gram_ids)))
        self.gram_words = _Sparse.of(m, "csc")
        self.word_ngram_count = np.concatenate([self.word_ngram_count[:first_new_word], counts])
        self.word_lengths = np.concatenate([self.word_lengths[:first_new_word],
                                            np.array([len(w) for w in new_words], dtype=np.int32)])

    def _finish(self, facets: bool = True) -> None:
        """BM25 weights and the word→documents matrix from the stored term frequencies (and, unless they were
        extended already, the facets)."""
        sp = _sp()
        n = self.tf.shape[0]
        n_terms = len(self.term_ids)
        tf = self.tf.scipy().tocoo()
        df = np.bincount(tf.col, minlength=n_terms) if tf.nnz else np.zeros(n_terms, dtype=np.int64)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)) if n else np.zeros(n_terms)
        avgdl = float(self.lengths.mean()) if n and self.lengths.mean() > 0 else 1.0
        data = tf.data.astype(np.float64)
        denom = data + K1 * (1 - B + B * self.lengths[tf.row] / avgdl)
        bm = data * (K1 + 1) / denom * self.idf[tf.col]
        self.bm25 = _Sparse.of(sp.csc_matrix((bm.astype(np.float32), (tf.row, tf.col)), shape=(n, n_terms)), "csc")
        self.word_docs = _Sparse.of(self.word_w.scipy(), "csc")
        self._pos_map = None
        self._unit = self._unit_csc = None
        if facets:
            self._build_facets()

    @property
    def unit(self) -> Any:
        """Row-normalised BM25 vectors (scipy CSR, for similar and clusters), made on first use."""
        if self._unit is None:
            sp = _sp()
            bm = self.bm25.scipy().astype(np.float64)
            norms = np.sqrt(np.asarray(bm.multiply(bm).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            self._unit = sp.csr_matrix(sp.diags(1.0 / norms) @ bm)
        return self._unit

    @property
    def unit_csc(self) -> Any:
        if self._unit_csc is None:
            self._unit_csc = self.unit.tocsc()
        return self._unit_csc

    def _facet_keys(self, t: RecordTable) -> dict[str, list[str]]:
        area_ids, area_texts = t.column("area_id"), t.column("area_text")
        type_ids, type_texts = t.column("type_id"), t.column("type_text")
        amounts = []
        for f in ("amount_b", "amount_bo1", "amount_bo2", "amount_bo3"):
            col = np.asarray(t.column(f), dtype=np.float64).tolist()
            amounts.append([None if v != v else v for v in col])  # NaN is unknown
        return {
            "area": [a or f"tekst:{x}" for a, x in zip(area_ids, area_texts, strict=True)],
            "type": [a or f"tekst:{x}" for a, x in zip(type_ids, type_texts, strict=True)],
            "municipality": [str(int(c)) for c in t.column("municipality_code")],
            "year": [str(int(y)) for y in t.column("budget_year")],
            "committee": [fold(c) for c in t.column("committee_text")],
            "amount_band": [amount_band(a) for a in zip(*amounts, strict=True)] if len(t) else [],
        }

    def _build_facets(self) -> None:
        t = self.records
        keys = self._facet_keys(t)
        self.years = np.asarray(t.column("budget_year"))
        self.f_area = _Categorical(keys["area"])
        self.f_type = _Categorical(keys["type"])
        self.f_mun = _Categorical(keys["municipality"])
        self.f_year = _Categorical(keys["year"])
        self.f_committee = _Categorical(keys["committee"])
        self.f_band = _Categorical(keys["amount_band"])
        self.is_sample = np.asarray(t.column("is_sample"), dtype=bool)
        self._mun_names: dict[str, str] = {}
        self._mun_keys: dict[str, str] = {}
        self._committee_spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self._labels: dict[str, dict[str, str]] = {"area": {}, "type": {}, "municipality": self._mun_names,
                                                   "committee": {}}
        self._add_labels(t, keys)

    def _add_labels(self, t: RecordTable, keys: Mapping[str, list[str]]) -> None:
        for code, name in dict(zip(keys["municipality"], t.column("municipality_name"), strict=True)).items():
            self._mun_names[code] = name
            self._mun_keys[normalise(name)] = code
        for k, c in zip(keys["committee"], t.column("committee_text"), strict=True):
            self._committee_spellings[k][c] += 1
        self._labels["committee"] = {k: (c.most_common(1)[0][0] or "Intet udvalg angivet")
                                     for k, c in self._committee_spellings.items()}
        for key in set(keys["area"]) - set(self._labels["area"]):
            if key.startswith("tekst:"):
                text = key[len("tekst:"):]
                self._labels["area"][key] = f"{text} (ikke i kataloget)" if text else "Intet område angivet"
            else:
                self._labels["area"][key] = self.vocab.area_name(key) or key
        for key in set(keys["type"]) - set(self._labels["type"]):
            if key.startswith("tekst:"):
                text = key[len("tekst:"):]
                self._labels["type"][key] = f"{text} (ukendt type)" if text else "Ingen type angivet"
            else:
                ptype = self.vocab.type(key)
                self._labels["type"][key] = ptype.name if ptype else f"{key} (ukendt type)"

    # ---- keeping up with the store

    def updated(self, changed: Iterable[ProposalRecord], removed: Iterable[int] = ()) -> SearchIndex:
        """A new index: this one with ``changed`` proposals added (or, for ids already in it, replaced) and the ids
        in ``removed`` left out. Only the new and changed proposals are read word by word; BM25 weights are
        recomputed from the stored term frequencies, so the result ranks like a full rebuild (compounds in the
        older proposals are split with the words known when they were indexed)."""
        sp = _sp()
        changed = list(changed)
        drop = np.array(sorted({int(i) for i in removed} | {int(r.id) for r in changed if r.id is not None}),
                        dtype=np.int64)
        keep = np.nonzero(~np.isin(self.ids, drop))[0] if len(drop) else np.arange(len(self.ids))
        new = copy.copy(self)
        new._init_caches()
        new._update_source = None
        new.term_ids = _as_dict(self.term_ids)
        new.word_ids = _as_dict(self.word_ids)
        new.words_list = _as_list(self.words_list)
        new.gram_ids = _as_dict(self.gram_ids)
        new._known_words = _as_set(self._known_words)
        new._known_stems = _as_set(self._known_stems)
        added = RecordTable.from_records(changed)
        fields = new._fields_of(added)
        new._learn(fields)
        words_before = len(new.words_list)
        tf_add, len_add, w_add = new._index_fields(fields)
        n_terms, n_words = len(new.term_ids), len(new.word_ids)
        all_kept = len(keep) == len(self.ids)
        self._load_update_state()
        old_tf = self.tf.scipy() if all_kept else self.tf.scipy()[keep]
        old_w = self.word_w.scipy() if all_kept else self.word_w.scipy()[keep]
        old_tf.resize((len(keep), n_terms))
        old_w.resize((len(keep), n_words))
        tf_add.resize((tf_add.shape[0], n_terms))
        w_add.resize((w_add.shape[0], n_words))
        new.tf = _Sparse.of(sp.vstack([old_tf, tf_add], format="csr"), "csr")
        new.word_w = _Sparse.of(sp.vstack([old_w, w_add], format="csr"), "csr")
        new.lengths = np.concatenate([self.lengths[keep], len_add])
        new.records = self.records.take(keep).concat(added)
        new.ids = np.concatenate([self.ids[keep], self._ids_of(added)])
        new._add_grams(words_before)
        new._finish(facets=False)
        # Facets: the kept rows' codes, extended with the new rows' keys.
        keys = new._facet_keys(added)
        for name, attr in (("area", "f_area"), ("type", "f_type"), ("municipality", "f_mun"), ("year", "f_year"),
                           ("committee", "f_committee"), ("amount_band", "f_band")):
            setattr(new, attr, getattr(self, attr).extended(keep, keys[name]))
        new.years = np.concatenate([self.years[keep], np.asarray(added.column("budget_year"))])
        new.is_sample = np.concatenate([self.is_sample[keep], np.asarray(added.column("is_sample"), dtype=bool)])
        new._mun_names = dict(self._mun_names)
        new._mun_keys = dict(self._mun_keys)
        new._committee_spellings = defaultdict(Counter, {k: Counter(v) for k, v in
                                                         self._committee_spellings.items()})
        new._labels = {"area": dict(self._labels["area"]), "type": dict(self._labels["type"]),
                       "municipality": new._mun_names, "committee": dict(self._labels["committee"])}
        new._add_labels(added, keys)
        return new

    # ---- persistence

    #: What a search needs, read when the index is loaded ...
    _PERSISTED = ("records", "ids", "term_ids", "word_ids", "words_list", "gram_ids", "gram_words",
                  "word_ngram_count", "word_lengths", "_known_words", "_known_stems", "idf", "bm25", "word_docs",
                  "years", "f_area", "f_type", "f_mun", "f_year", "f_committee", "f_band", "is_sample", "_mun_names",
                  "_mun_keys", "_committee_spellings", "_labels")
    #: ... and what only an update needs (the term frequencies), read from the same file when one is made.
    _UPDATE_STATE = ("tf", "word_w", "lengths")

    def _load_update_state(self) -> None:
        """Read the term frequencies of a loaded index from its file (where they were left for speed);
        :class:`IndexFileChanged` when the file has been replaced since (another process saved a newer index)."""
        if all(hasattr(self, name) for name in self._UPDATE_STATE):
            return
        source = getattr(self, "_update_source", None)
        if source is None:
            raise IndexFileChanged("Søgeindekset har ingen termfrekvenser at opdatere fra.")
        path, stamp, reader = source
        try:
            st = os.stat(path)
            if (st.st_ino, st.st_size, st.st_mtime_ns) != stamp:
                raise IndexFileChanged("Søgeindeksets fil er skiftet ud siden indlæsningen.")
            state = reader()  # the mapped file as loaded (the same bytes the stamp was taken of)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
            raise IndexFileChanged(f"Søgeindeksets fil kan ikke læses: {e}") from None
        for name in self._UPDATE_STATE:
            setattr(self, name, state[name])

    def save(self, path: str | Path, key: Mapping[str, Any] | None = None) -> Path:
        """Write the index to ``path`` (atomically: a temporary file renamed into place), with ``key`` (what it was
        built from: the store's revision and URL) for :meth:`load` to compare."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        self._load_update_state()
        state = {name: getattr(self, name) for name in self._PERSISTED}
        for name in ("term_ids", "word_ids", "gram_ids", "_known_words", "_known_stems"):
            state[name] = _Lookup.of(state[name])
        if not isinstance(state["words_list"], _Texts):
            state["words_list"] = _Texts(state["words_list"])
        update = {name: getattr(self, name) for name in self._UPDATE_STATE}
        header = {"format": INDEX_FORMAT, "vocabulary": self.vocab.version, "synonyms": self._synonym_key(),
                  "key": dict(key or {})}
        # Layout: header pickle, layout pickle, state pickle, update pickle, then the raw arrays (each at a
        # multiple of 64 bytes), so that :meth:`load` maps them in place instead of unpickling copies.
        state_bytes, state_buffers = _dump_parts(state)
        update_bytes, update_buffers = _dump_parts(update)
        layout = {"state": len(state_bytes), "update": len(update_bytes),
                  "buffers": [b.nbytes for b in state_buffers], "update_buffers": [b.nbytes for b in update_buffers]}
        fd, tmp = tempfile.mkstemp(prefix=".raaderum-index-", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(header, f, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(layout, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.write(state_bytes)
                f.write(update_bytes)
                for b in (*state_buffers, *update_buffers):
                    f.write(b"\0" * (_aligned(f.tell()) - f.tell()))
                    f.write(b)
                f.write(b"\0" * (_aligned(f.tell()) - f.tell()))
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return p

    def _synonym_key(self) -> str:
        return hashlib.sha256(repr(self._syn_groups).encode("utf-8")).hexdigest()[:16]

    @classmethod
    def read_key(cls, path: str | Path) -> dict[str, Any] | None:
        """The key a saved index was built from (None: no usable file)."""
        try:
            with open(path, "rb") as f:
                header = pickle.load(f)  # noqa: S301 - our own file in the user's data folder
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            return None
        if not isinstance(header, dict) or header.get("format") != INDEX_FORMAT:
            return None
        return dict(header.get("key") or {})

    @classmethod
    def load(cls, path: str | Path, vocabulary: Vocabulary | None = None) -> tuple[SearchIndex, dict[str, Any]] | None:
        """(index, key) from a file written by :meth:`save`; None when there is none, or it was written by another
        format, vocabulary or thesaurus (then it is rebuilt)."""
        vocab = vocabulary or load_vocabulary()
        try:
            parts = _read_parts(path)
            if parts is None or parts[0].get("vocabulary") != vocab.version:
                return None
            header, state, reader, stamp = parts
            source = (str(path), stamp, reader)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError,
                KeyError, IndexError, MemoryError):
            return None
        index = cls.__new__(cls)
        index.vocab = vocab
        index._init_caches()
        index._build_synonyms()
        if header.get("synonyms") != index._synonym_key() or not isinstance(state, dict):
            return None
        try:
            for name in cls._PERSISTED:
                setattr(index, name, state[name])
        except KeyError:
            return None
        index._update_source = source
        return index, dict(header.get("key") or {})

    # ---- querying

    def _concepts(self, query: str) -> tuple[list[_Concept], list[str]]:
        """The query as concepts: each word or thesaurus phrase with its alternatives (equivalents, related words,
        compound parts), each with a weight."""
        qwords = [w for w in words(query) if w not in DANISH_STOPWORDS]
        qstems = [stem(w) for w in qwords]
        used = [False] * len(qwords)
        concepts: list[_Concept] = []
        expansions: list[str] = []
        # Thesaurus phrases first (longest first), matched on stems; every group naming the same span counts.
        spans: dict[tuple[int, int], list[tuple[int, bool]]] = defaultdict(list)  # (start, length) -> (group, eq)
        for gi, group in enumerate(self._syn_groups):
            for stems, ws, eq in group:
                k = len(stems)
                for st in range(len(qstems) - k + 1):
                    # Short stems collide (ledere/ledige → "led"): those must match as words.
                    if qstems[st:st + k] == stems and all(len(s_) >= 4 or qw == w for s_, qw, w in
                                                          zip(stems, qwords[st:st + k], ws, strict=True)):
                        spans[(st, k)].append((gi, eq))
        for (st, k), hits in sorted(spans.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
            if any(used[st:st + k]):
                continue
            for j in range(st, st + k):
                used[j] = True
            own = qstems[st:st + k]
            weights: dict[tuple[str, ...], tuple[float, list[str]]] = {}
            for gi, query_is_equivalent in hits:
                for stems, ws, eq in self._syn_groups[gi]:
                    if stems == own:
                        continue
                    weight = (SYNONYM_WEIGHT if eq else RELATED_WEIGHT) if query_is_equivalent else \
                        (RELATED_WEIGHT if eq else RELATED_WEIGHT * 0.5)
                    key = tuple(stems)
                    if weight > weights.get(key, (0.0, []))[0]:
                        weights[key] = (weight, ws)
            members: list[tuple[list[str], list[str], float]] = [(own, qwords[st:st + k], 1.0)]
            for key, (weight, ws) in sorted(weights.items(), key=lambda kv: -kv[1][0]):
                members.append((list(key), ws, weight))
                expansions.append(" ".join(ws))
            if k == 1:
                parts = self._split_compound(qwords[st])
                if parts:
                    members.append((parts, [], COMPOUND_QUERY_WEIGHT))
            concepts.append(_Concept(" ".join(qwords[st:st + k]), members))
        for j, (w, s_) in enumerate(zip(qwords, qstems, strict=True)):
            if used[j]:
                continue
            single: list[tuple[list[str], list[str], float]] = [([s_], [w], 1.0)]
            # A compound query word also searches its parts: less when the word itself is in the index.
            parts = self._split_compound(w)
            if parts:
                single.append((parts, [], COMPOUND_QUERY_WEIGHT if s_ in self.term_ids else 0.6))
            concepts.append(_Concept(w, single))
        return concepts, list(dict.fromkeys(expansions))

    def _bm25_scores(self, concepts: list[_Concept], n: int) -> np.ndarray:
        """BM25 per concept (the best of its alternatives), summed; a proposal that covers only some of the query's
        concepts is scaled down (coordination), so the words of a query count together."""
        total = np.zeros(n)
        covered = np.zeros(n)
        for c in concepts:
            best = np.zeros(n)
            for stems, _ws, weight in c.members:
                member = np.zeros(n)
                w = weight / max(1, len(stems)) ** 0.5
                hits = np.zeros(n) if len(stems) > 1 else None
                for s_ in stems:
                    tid = self.term_ids.get(s_)
                    if tid is None:
                        continue
                    lo, hi = self.bm25.indptr[tid], self.bm25.indptr[tid + 1]
                    idx = self.bm25.indices[lo:hi]
                    member[idx] += w * self.bm25.data[lo:hi]
                    if hits is not None:
                        hits[idx] += 1
                if hits is not None:  # a phrase counts in full only where all of its words are
                    member *= hits / len(stems)
                np.maximum(best, member, out=best)
            total += best
            covered += best > 0
        if len(concepts) > 1:
            total *= COORD_BASE + (1 - COORD_BASE) * covered / len(concepts)
        return total

    def _similar_words(self, word: str) -> list[tuple[int, float]]:
        """Index words similar to ``word`` by character n-grams: [(word id, similarity)], best first."""
        cache = self._simword_cache
        if word in cache:
            return cache[word]
        gs = [self.gram_ids[g] for g in ngrams(word) if g in self.gram_ids]
        nq = len(ngrams(word))
        result: list[tuple[int, float]] = []
        if gs and nq:
            gw = self.gram_words
            hits = np.concatenate([gw.indices[gw.indptr[g]:gw.indptr[g + 1]] for g in gs])
            overlap = np.bincount(hits, minlength=gw.shape[0]).astype(np.float64)
            cand = np.nonzero(overlap >= max(2, 0.3 * nq))[0]
            if len(cand):
                ov = overlap[cand]
                nw = self.word_ngram_count[cand]
                dice = 2 * ov / (nq + nw)
                c_qw = ov / nq
                wlen = self.word_lengths[cand]
                c_wq = np.where(wlen >= 5, ov / nw, 0.0)
                sim = 0.35 * dice + 0.65 * np.maximum(c_qw, 0.9 * c_wq)
                keep = sim >= NGRAM_MIN_SIM
                cand, sim = cand[keep], sim[keep]
                order = np.argsort(-sim)[:NGRAM_MAX_CANDIDATES]
                result = [(int(cand[i]), float(sim[i])) for i in order]
        if len(cache) < 100_000:
            cache[word] = result
        return result

    def _ngram_scores(self, concepts: list[_Concept], n: int) -> np.ndarray:
        total = np.zeros(n)
        if not concepts:
            return total
        for c in concepts:
            best = np.zeros(n)
            for _stems, ws, weight in c.members:
                if not ws:
                    continue
                member = np.zeros(n)
                for w in ws:
                    wscore = np.zeros(n)
                    for wid, sim in self._similar_words(w):
                        lo, hi = self.word_docs.indptr[wid], self.word_docs.indptr[wid + 1]
                        idx = self.word_docs.indices[lo:hi]
                        wscore[idx] = np.maximum(wscore[idx], sim * self.word_docs.data[lo:hi])
                    member += wscore / len(ws)
                np.maximum(best, weight * member, out=best)
            total += best
        return total / len(concepts)

    def _mask(self, filters: SearchFilters) -> np.ndarray | None:
        n = len(self.records)
        mask: np.ndarray | None = None

        def apply(cat: _Categorical, keys: list[str]) -> None:
            nonlocal mask
            codes = [cat.index[k] for k in keys if k in cat.index]
            m = np.isin(cat.codes, np.array(codes, dtype=np.int32)) if codes else np.zeros(n, dtype=bool)
            mask = m if mask is None else mask & m

        def as_list(v: Any) -> list[Any]:
            return list(v) if isinstance(v, list | tuple | set) else [v]

        if filters.area is not None:
            keys = []
            for a in as_list(filters.area):
                aid = self.vocab.area_for(str(a))
                keys.append(aid if aid else f"tekst:{a}")
                keys.append(str(a))
            apply(self.f_area, keys)
        if filters.type is not None:
            keys = []
            for t in as_list(filters.type):
                pt = self.vocab.type_for(str(t))
                keys.append(pt.id if pt else f"tekst:{t}")
                keys.append(str(t))
            apply(self.f_type, keys)
        if filters.municipality is not None:
            keys = []
            for m in as_list(filters.municipality):
                text = str(m).strip()
                if re.fullmatch(r"\d{1,4}", text):
                    keys.append(str(int(text)))
                    continue
                code = self._mun_keys.get(normalise(text))
                if code is None:
                    from raaderum.release.reader import current_register  # lazy: the data release, rarely needed

                    found = current_register().resolve(text)
                    code = str(found.code)
                keys.append(code)
            apply(self.f_mun, keys)
        if filters.year is not None:
            years = []
            for y in as_list(filters.year):
                try:
                    years.append(str(int(y)))
                except (TypeError, ValueError):
                    raise InputError(f"Budgetåret {y!r} er ikke et årstal.") from None
            apply(self.f_year, years)
        if filters.committee is not None:
            apply(self.f_committee, [fold(str(c)) for c in as_list(filters.committee)])
        if filters.amount_band is not None:
            known = {b[0] for b in AMOUNT_BANDS} | {UNKNOWN_BAND[0]}
            bands = [str(b) for b in as_list(filters.amount_band)]
            bad = [b for b in bands if b not in known]
            if bad:
                raise InputError(f"Ukendt beløbsinterval {bad[0]!r}; brug et af: {', '.join(sorted(known))}.")
            apply(self.f_band, bands)
        if not filters.include_sample:
            m = ~self.is_sample
            mask = m if mask is None else mask & m
        return mask

    def _facets(self, selected: np.ndarray) -> dict[str, list[FacetValue]]:
        out: dict[str, list[FacetValue]] = {}
        specs: list[tuple[str, _Categorical]] = [
            ("area", self.f_area), ("type", self.f_type), ("municipality", self.f_mun), ("year", self.f_year),
            ("committee", self.f_committee), ("amount_band", self.f_band)]
        for name, cat in specs:
            counts = np.bincount(cat.codes[selected], minlength=len(cat.values))
            values = []
            for code, cnt in enumerate(counts):
                if cnt <= 0:
                    continue
                key = cat.values[code]
                if name == "year":
                    label = key
                elif name == "amount_band":
                    label = band_label(key)
                else:
                    label = self._labels[name].get(key, key)
                value = key[len("tekst:"):] if key.startswith("tekst:") else key
                values.append(FacetValue(value, label, int(cnt)))
            if name == "year":
                values.sort(key=lambda v: v.value, reverse=True)
            elif name == "amount_band":
                order = [b[0] for b in AMOUNT_BANDS] + [UNKNOWN_BAND[0]]
                values.sort(key=lambda v: order.index(v.value) if v.value in order else 99)
            else:
                values.sort(key=lambda v: (-v.count, v.label))
            out[name] = values
        return out

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 20,
               offset: int = 0) -> SearchResult:
        """Proposals matching ``query`` (Danish free text; empty = all), best first, with facets."""
        filters = filters or SearchFilters()
        if limit < 0 or offset < 0:
            raise InputError("Antal og forskydning skal være 0 eller mere.")
        n = len(self.records)
        mask = self._mask(filters)
        concepts, expansions = self._concepts(query or "")
        if not concepts:
            selected = np.ones(n, dtype=bool) if mask is None else mask
            order = np.nonzero(selected)[0]
            order = order[np.lexsort((self.ids[order], -self.years[order]))] \
                if len(order) else order
            hits = [self._hit(int(i), 0.0, [], None, None) for i in order[offset:offset + limit]]
            return SearchResult(query, int(selected.sum()), hits, self._facets(selected), filters, [])
        bm = self._bm25_scores(concepts, n)
        ng = self._ngram_scores(concepts, n)
        selected = (bm > 0) | (ng >= NGRAM_MATCH_COVERAGE)
        if mask is not None:
            selected &= mask
        idx = np.nonzero(selected)[0]
        fused = np.zeros(n)
        ranks_bm: dict[int, int] = {}
        ranks_ng: dict[int, int] = {}
        for scores, ranks in ((bm, ranks_bm), (ng, ranks_ng)):
            cand = idx[scores[idx] > 0]
            if len(cand) > CANDIDATES_PER_CHANNEL:
                top = np.argpartition(-scores[cand], CANDIDATES_PER_CHANNEL)[:CANDIDATES_PER_CHANNEL]
                cand = cand[top]
            cand = cand[np.lexsort((self.ids[cand], -scores[cand]))]
            for r, i in enumerate(cand, start=1):
                fused[i] += 1.0 / (RRF_K + r)
                ranks[int(i)] = r
        # Tie-break by the raw scores (scaled so they never outweigh a rank step).
        tiebreak = 1e-6 * (bm / ((bm.max() if n else 0.0) or 1.0) + ng)
        final = fused + tiebreak
        ranked = idx[final[idx] > 0]
        need = offset + limit
        if len(ranked) > need and need > 0:
            part = np.argpartition(-final[ranked], need - 1)[:need]
            ranked = ranked[part]
        ranked = ranked[np.lexsort((self.ids[ranked], -final[ranked]))][offset:offset + limit] if need else ranked[:0]
        terms = self._highlight_terms(concepts)
        hits = [self._hit(int(i), float(final[i]), terms, ranks_bm.get(int(i)), ranks_ng.get(int(i)))
                for i in ranked]
        return SearchResult(query, int(len(idx)), hits, self._facets(selected), filters, expansions)

    # ---- highlighting

    def _highlight_terms(self, concepts: list[_Concept]) -> tuple[set[str], set[str]]:
        stems: set[str] = set()
        near: set[str] = set()
        for c in concepts:
            for ss, ws, _w in c.members:
                if _w < RELATED_WEIGHT:
                    continue
                stems.update(ss)
                for w in ws:
                    for wid, sim in self._similar_words(w):
                        if sim >= 0.6:
                            near.add(self.words_list[wid])
        return stems, near

    def _is_match(self, word: str, terms: tuple[set[str], set[str]] | list[Any]) -> bool:
        if not terms:
            return False
        stems, near = terms  # type: ignore[misc]
        lw = word.casefold()
        if lw in DANISH_STOPWORDS:
            return False
        return lw in near or stem(lw) in stems or any(p in stems for p in self._split_compound(lw)[1:])

    def _mark(self, text: str, terms: Any) -> str:
        out: list[str] = []
        pos = 0
        for m in _WORD_RE.finditer(text):
            if self._is_match(m.group(0), terms):
                out.append(html.escape(text[pos:m.start()]))
                out.append(f"<mark>{html.escape(m.group(0))}</mark>")
                pos = m.end()
        out.append(html.escape(text[pos:]))
        return "".join(out)

    def _snippet(self, text: str, terms: Any, width: int = 220) -> str:
        flat = " ".join(text.split())
        if len(flat) <= width:
            return self._mark(flat, terms)
        first = next((m.start() for m in _WORD_RE.finditer(flat) if self._is_match(m.group(0), terms)), 0)
        start = max(0, first - width // 3)
        if start:
            sp = flat.find(" ", start)
            start = sp + 1 if 0 <= sp < first else start
        end = min(len(flat), start + width)
        if end < len(flat):
            sp = flat.rfind(" ", start, end)
            end = sp if sp > start else end
        body = self._mark(flat[start:end], terms)
        return ("… " if start else "") + body + (" …" if end < len(flat) else "")

    def _hit(self, i: int, score: float, terms: Any, rb: int | None, rn: int | None) -> SearchHit:
        r = self.records[i]
        return SearchHit(id=int(self.ids[i]), score=score, title_html=self._mark(r.display_title, terms),
                         snippet_html=self._snippet(r.description, terms), record=r, bm25_rank=rb, ngram_rank=rn)

    # ---- similarity

    def _position(self, proposal_id: int) -> int:
        try:
            return self._pos[int(proposal_id)]
        except (KeyError, ValueError, TypeError):
            raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.") from None

    def _similarities(self, pos: int) -> np.ndarray:
        row = self.unit.getrow(pos)
        sims = np.zeros(len(self.records))
        for tid, v in zip(row.indices, row.data, strict=True):
            lo, hi = self.unit_csc.indptr[tid], self.unit_csc.indptr[tid + 1]
            sims[self.unit_csc.indices[lo:hi]] += v * self.unit_csc.data[lo:hi]
        return sims

    def similar(self, proposal_id: int, n: int = 10, min_score: float = 0.05) -> list[SimilarHit]:
        """The ``n`` proposals most like ``proposal_id`` (cosine of BM25 vectors), excluding itself."""
        pos = self._position(proposal_id)
        sims = self._similarities(pos)
        sims[pos] = -1.0
        cand = np.nonzero(sims >= min_score)[0]
        cand = cand[np.lexsort((self.ids[cand], -sims[cand]))][:n]
        return [SimilarHit(int(self.ids[i]), float(sims[i]), self.records[int(i)]) for i in cand]

    def clusters(self, threshold: float = 0.5, *, min_size: int = 2) -> list[Cluster]:
        """Groups of near-duplicate proposals (cosine ≥ ``threshold``) that span several municipalities or years.

        Two proposals are linked when they are that similar and differ in municipality or budget year; a
        cluster is a connected group of links. Largest clusters first.
        """
        if not 0 < threshold <= 1:
            raise InputError("Tærsklen for næsten-dubletter skal ligge mellem 0 og 1.")
        n = len(self.records)
        parent = list(range(n))

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        mun = self.f_mun.codes
        year = self.f_year.codes
        link_min: dict[tuple[int, int], float] = {}
        unit_t = self.unit.T.tocsr()
        for start in range(0, n, 2000):
            block = (self.unit[start:start + 2000] @ unit_t).tocoo()
            keep = (block.data >= threshold) & (block.row + start < block.col)
            for r, c, v in zip(block.row[keep] + start, block.col[keep], block.data[keep], strict=True):
                if mun[r] != mun[c] or year[r] != year[c]:
                    ra, rc = find(int(r)), find(int(c))
                    if ra != rc:
                        parent[ra] = rc
                    link_min[(int(r), int(c))] = float(v)
        groups: dict[int, list[int]] = defaultdict(list)
        involved = {i for pair in link_min for i in pair}
        for i in involved:
            groups[find(i)].append(i)
        out: list[Cluster] = []
        for members in groups.values():
            if len(members) < min_size:
                continue
            members.sort(key=lambda i: int(self.ids[i]))
            mset = set(members)
            sims = [v for (a, b), v in link_min.items() if a in mset and b in mset]
            recs = [self.records[i] for i in members]
            title = Counter(r.display_title for r in recs).most_common(1)[0][0]
            out.append(Cluster(ids=[int(self.ids[i]) for i in members],
                               municipalities=sorted({r.municipality_name for r in recs}),
                               years=sorted({r.budget_year for r in recs}), title=title,
                               min_similarity=min(sims) if sims else 0.0))
        out.sort(key=lambda c: (-len(c.ids), c.ids[0]))
        return out

    def record(self, proposal_id: int) -> ProposalRecord:
        return self.records[self._position(proposal_id)]


__all__ = ["Cluster", "FacetValue", "ProposalNotFound", "SearchFilters", "SearchHit", "SearchIndex", "SearchResult",
           "SimilarHit", "ngrams", "stem", "words"]
