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

import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import snowballstemmer
from scipy import sparse

from raaderum.errors import (
    InputError,
    ProposalNotFound,  # re-exported
)
from raaderum.ideas.records import AMOUNT_BANDS, UNKNOWN_BAND, ProposalRecord, band_label
from raaderum.ideas.vocabulary import Vocabulary, fold, load_vocabulary
from raaderum.release.municipalities import normalise
from raaderum.release.reader import current_register

K1, B = 1.2, 0.75
RRF_K = 60
TITLE_WEIGHT, DESCRIPTION_WEIGHT, META_WEIGHT = 3.0, 1.0, 1.0
COMPOUND_PART_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.7
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


class SearchIndex:
    """An in-memory search index over proposals (rebuild it after the store changes)."""

    def __init__(self, records: Iterable[ProposalRecord], vocabulary: Vocabulary | None = None) -> None:
        self.vocab = vocabulary or load_vocabulary()
        self._simword_cache: dict[str, list[tuple[int, float]]] = {}
        self.records: list[ProposalRecord] = list(records)
        n = len(self.records)
        self.ids = np.array([r.id if r.id is not None else i + 1 for i, r in enumerate(self.records)],
                            dtype=np.int64)
        self._pos = {int(i): p for p, i in enumerate(self.ids)}
        self._build_synonyms()
        self._build_text(n)
        self._build_facets()

    @classmethod
    def from_records(cls, records: Iterable[ProposalRecord], vocabulary: Vocabulary | None = None) -> SearchIndex:
        return cls(records, vocabulary)

    def __len__(self) -> int:
        return len(self.records)

    # ---- building

    def _build_synonyms(self) -> None:
        self._syn_groups: list[list[tuple[list[str], list[str]]]] = []
        for g in self.vocab.search_synonyms:
            members = []
            for term in g.terms:
                ws = [w for w in words(term) if w not in DANISH_STOPWORDS]
                members.append(([stem(w) for w in ws], ws))
            self._syn_groups.append(members)

    def _doc_fields(self, r: ProposalRecord) -> tuple[list[str], list[str], list[str]]:
        meta = " ".join(x for x in (r.area_text, self.vocab.area_name(r.area_id) or "", r.type_text,
                                    r.committee_text) if x)
        return words(r.title), words(r.description), words(meta)

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
        self._compound_cache[word] = parts
        return parts

    def _build_text(self, n: int) -> None:
        fields = [self._doc_fields(r) for r in self.records]
        counts: Counter[str] = Counter()
        for t, d, m in fields:
            counts.update(set(t) | set(d) | set(m))
        self._known_words = {w for w, c in counts.items() if len(w) >= 3 and w not in DANISH_STOPWORDS
                             and not w.isdigit()}
        for members in self._syn_groups:
            for _stems, ws in members:
                self._known_words.update(w for w in ws if len(w) >= 3)
        self._known_stems = {stem(w) for w in self._known_words}
        self._compound_cache: dict[str, list[str]] = {}

        term_ids: dict[str, int] = {}
        word_ids: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        wrows: list[int] = []
        wcols: list[int] = []
        wvals: list[float] = []
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
                tid = term_ids.setdefault(term, len(term_ids))
                rows.append(di)
                cols.append(tid)
                vals.append(f)
            for w, wv in wbest.items():
                wid = word_ids.setdefault(w, len(word_ids))
                wrows.append(di)
                wcols.append(wid)
                wvals.append(wv)
        self.term_ids = term_ids
        tfm = sparse.csr_matrix((np.array(vals), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                                shape=(n, len(term_ids)))
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(term_ids)) if cols else np.zeros(0)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)) if n else np.zeros(0)
        avgdl = float(lengths.mean()) if n and lengths.mean() > 0 else 1.0
        tfm = tfm.tocoo()
        denom = tfm.data + K1 * (1 - B + B * lengths[tfm.row] / avgdl)
        bm = tfm.data * (K1 + 1) / denom * self.idf[tfm.col]
        self.bm25 = sparse.csc_matrix((bm, (tfm.row, tfm.col)), shape=(n, len(term_ids)))
        norms = np.sqrt(np.asarray(self.bm25.multiply(self.bm25).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.unit = sparse.csr_matrix(sparse.diags(1.0 / norms) @ self.bm25)
        self.unit_csc = self.unit.tocsc()
        # Word-level index for the n-gram channel.
        self.word_ids = word_ids
        self.words_list = [""] * len(word_ids)
        for w, i in word_ids.items():
            self.words_list[i] = w
        self.word_docs = sparse.csc_matrix(
            (np.array(wvals), (np.array(wrows, dtype=np.int64), np.array(wcols, dtype=np.int64))),
            shape=(n, len(word_ids)))
        gram_ids: dict[str, int] = {}
        grows: list[int] = []
        gcols: list[int] = []
        self.word_ngram_count = np.zeros(len(word_ids), dtype=np.float64)
        for w, wi in word_ids.items():
            gs = ngrams(w)
            self.word_ngram_count[wi] = len(gs)
            for g in gs:
                grows.append(wi)
                gcols.append(gram_ids.setdefault(g, len(gram_ids)))
        self.gram_ids = gram_ids
        self.gram_words = sparse.csc_matrix(
            (np.ones(len(grows)), (np.array(grows, dtype=np.int64), np.array(gcols, dtype=np.int64))),
            shape=(len(word_ids), len(gram_ids)))

    def _build_facets(self) -> None:
        recs = self.records
        self.f_area = _Categorical([r.area_id or f"tekst:{r.area_text}" for r in recs])
        self.f_type = _Categorical([r.type_id or f"tekst:{r.type_text}" for r in recs])
        self.f_mun = _Categorical([str(r.municipality_code) for r in recs])
        self.f_year = _Categorical([str(r.budget_year) for r in recs])
        self.f_committee = _Categorical([fold(r.committee_text) for r in recs])
        self.f_band = _Categorical([r.amount_band for r in recs])
        self.is_sample = np.array([r.is_sample for r in recs], dtype=bool)
        self._mun_names: dict[str, str] = {}
        self._mun_keys: dict[str, str] = {}
        committee_spellings: dict[str, Counter[str]] = defaultdict(Counter)
        area_labels: dict[str, str] = {}
        type_labels: dict[str, str] = {}
        for r in recs:
            self._mun_names[str(r.municipality_code)] = r.municipality_name
            self._mun_keys[normalise(r.municipality_name)] = str(r.municipality_code)
            committee_spellings[fold(r.committee_text)][r.committee_text] += 1
            akey = r.area_id or f"tekst:{r.area_text}"
            area_labels[akey] = (self.vocab.area_name(r.area_id) or r.area_id) if r.area_id else (
                f"{r.area_text} (ikke i kataloget)" if r.area_text else "Intet område angivet")
            tkey = r.type_id or f"tekst:{r.type_text}"
            ptype = self.vocab.type(r.type_id) if r.type_id else None
            tname = ptype.name if ptype else None
            type_labels[tkey] = tname or (f"{r.type_text} (ukendt type)" if r.type_text else "Ingen type angivet")
        self._labels = {
            "area": area_labels, "type": type_labels, "municipality": self._mun_names,
            "committee": {k: (c.most_common(1)[0][0] or "Intet udvalg angivet") for k, c in
                          committee_spellings.items()},
        }

    # ---- querying

    def _concepts(self, query: str) -> tuple[list[_Concept], list[str]]:
        qwords = [w for w in words(query) if w not in DANISH_STOPWORDS]
        qstems = [stem(w) for w in qwords]
        used = [False] * len(qwords)
        concepts: list[_Concept] = []
        expansions: list[str] = []
        # Synonym phrases first (longest first), matched on stems.
        matches: list[tuple[int, int, int]] = []  # (length, start, group)
        for gi, group in enumerate(self._syn_groups):
            for stems, ws in group:
                k = len(stems)
                if not k:
                    continue
                for s in range(len(qstems) - k + 1):
                    # Short stems collide (ledere/ledige → "led"): those must match as words.
                    if qstems[s:s + k] == stems and all(len(st_) >= 4 or qw == w for st_, qw, w in
                                                        zip(stems, qwords[s:s + k], ws, strict=True)):
                        matches.append((k, s, gi))
        for k, s, gi in sorted(matches, key=lambda m: -m[0]):
            if any(used[s:s + k]):
                continue
            for j in range(s, s + k):
                used[j] = True
            members: list[tuple[list[str], list[str], float]] = [(qstems[s:s + k], qwords[s:s + k], 1.0)]
            for stems, ws in self._syn_groups[gi]:
                if stems != qstems[s:s + k]:
                    members.append((stems, ws, SYNONYM_WEIGHT))
                    expansions.append(" ".join(ws))
            concepts.append(_Concept(" ".join(qwords[s:s + k]), members))
        for j, (w, s_) in enumerate(zip(qwords, qstems, strict=True)):
            if used[j]:
                continue
            single: list[tuple[list[str], list[str], float]] = [([s_], [w], 1.0)]
            # A compound query word that is not in the index also searches its parts.
            if s_ not in self.term_ids:
                parts = self._split_compound(w)
                if parts:
                    single.append((parts, [], 0.6))
            concepts.append(_Concept(w, single))
        return concepts, list(dict.fromkeys(expansions))

    def _bm25_scores(self, concepts: list[_Concept], n: int) -> np.ndarray:
        scores = np.zeros(n)
        for c in concepts:
            for stems, _ws, weight in c.members:
                w = weight / max(1, len(stems)) ** 0.5
                for s_ in stems:
                    tid = self.term_ids.get(s_)
                    if tid is None:
                        continue
                    lo, hi = self.bm25.indptr[tid], self.bm25.indptr[tid + 1]
                    scores[self.bm25.indices[lo:hi]] += w * self.bm25.data[lo:hi]
        return scores

    def _similar_words(self, word: str) -> list[tuple[int, float]]:
        """Index words similar to ``word`` by character n-grams: [(word id, similarity)], best first."""
        cache = self._simword_cache
        if word in cache:
            return cache[word]
        gs = [self.gram_ids[g] for g in ngrams(word) if g in self.gram_ids]
        nq = len(ngrams(word))
        result: list[tuple[int, float]] = []
        if gs and nq:
            overlap = np.asarray(self.gram_words[:, gs].sum(axis=1)).ravel()
            cand = np.nonzero(overlap >= max(2, 0.3 * nq))[0]
            if len(cand):
                ov = overlap[cand]
                nw = self.word_ngram_count[cand]
                dice = 2 * ov / (nq + nw)
                c_qw = ov / nq
                wlen = np.array([len(self.words_list[i]) for i in cand])
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
            order = order[np.lexsort((self.ids[order], -np.array([self.records[i].budget_year for i in order])))] \
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
        tiebreak = 1e-6 * (bm / (bm.max() or 1.0) + ng)
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
        return [SimilarHit(int(self.ids[i]), float(sims[i]), self.records[i]) for i in cand]

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
