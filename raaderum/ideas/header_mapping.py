"""Understanding a sheet's column headers: which column holds which field of a proposal.

A header is read as words, not matched as a string. Each header (and each spelling of each field in
``vocabulary.toml``) becomes a small bag of *atoms*: folded Snowball stems, with compounds split into known parts
("Forslagstype" = forslag + type, "Kommunenavn" = kommune + navn) and abbreviations resolved ("nr." = nummer).
Every atom has a weight for its role: the head word counts most (the last part of a compound, the last word before
a preposition: "Type af tiltag" is about a *type*), modifiers less. A header's score for a field is the best
weighted Dice overlap with any of the field's spellings (1.0 for an exact spelling).

Columns are then assigned (:func:`assign`):

- amount columns by pattern: B/BO1-BO3, "Overslagsår 2", "B+1", "Budgetår 1-4", "År 1-4", a calendar year
  ("2021", "Budget 2022": placed relative to each row's budget year), and formula totals ("I alt", "Total")
  which are recognised and left out;
- a column takes a field only when that field clearly wins: its score is at least :data:`ACCEPT` and beats the
  runner-up by :data:`MARGIN`. A column is never given two fields, and a field (except contact and note, which
  may span several columns) never two columns. A column that is close between fields, or two columns that are
  equally good for one field, are *ambiguous*: they are reported as a :class:`Question` and left unmapped
  (their values are kept with each proposal as raw source fields, never dropped);
- the values under a header count too (:class:`ValueProfile`): a "budget year" whose cells are not years, or an
  amount column of prose, scores less; a column of municipality names is the municipality even under an unknown
  header.

Multi-row headers (up to three rows, merged cells carried over the columns they span) are read bottom-up: a
column's own label decides when it is clear on its own ("Beløb i 1.000 kr." over "BO1"); otherwise the label
with the rows above it ("Kontaktperson" over "Navn").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer

from raaderum.errors import InputError
from raaderum.ideas.vocabulary import Vocabulary, fold

#: A field is taken for a column only with at least this score ...
ACCEPT = 0.6
#: ... and this much more than the next-best field (or the next-best column for the same field).
MARGIN = 0.15
#: Score of a header that matches an amount pattern (B, BO1, 2021, "I alt", …).
PATTERN_SCORE = 0.95
#: Score of a field read from the column's values alone (a column of municipality names under "Afsender x").
VALUE_SCORE = 0.7

AMOUNT_FIELDS = ("amount_b", "amount_bo1", "amount_bo2", "amount_bo3")
MONEY_FIELDS = (*AMOUNT_FIELDS, "one_off_investment")
TOTAL = "total"
#: Fields that may span several columns (their values are joined).
MULTI_FIELDS = frozenset({"contact", "note"})
#: Fields a row's text is read from (everything but amounts and year columns).
TEXT_FIELDS = ("municipality", "municipality_code", "budget_year", "area", "committee", "title", "description",
               "type", "contact", "note", "source_ref")

#: Danish names of the fields (what the report and the operator's form show).
FIELD_LABELS: dict[str, str] = {
    "municipality": "kommune", "municipality_code": "kommunekode", "budget_year": "budgetår",
    "area": "fagområde", "committee": "udvalg", "title": "titel", "description": "beskrivelse",
    "type": "forslagstype", "contact": "kontaktperson", "note": "bemærkning (gemmes som kildefelt)",
    "source_ref": "forslagsnummer (kildereference)", "one_off_investment": "engangsinvestering",
    "amount_b": "beløb B (budgetåret)", "amount_bo1": "beløb BO1", "amount_bo2": "beløb BO2",
    "amount_bo3": "beløb BO3", TOTAL: "sumkolonne (ignoreres)",
}
FIELDS = tuple(FIELD_LABELS)


def field_label(fld: str | None) -> str:
    """The Danish name of a field id (``year:2021`` → "beløb for 2021"; None → "ikke brugt")."""
    if fld is None:
        return "ikke tildelt (gemmes som kildefelt)"
    if fld.startswith("year:"):
        return f"beløb for {fld[5:]} (placeres efter rækkens budgetår)"
    return FIELD_LABELS.get(fld, fld)


def is_money(fld: str | None) -> bool:
    return bool(fld) and (fld in MONEY_FIELDS or fld.startswith("year:") or fld == TOTAL)  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------------------------
# Words

_stemmer = snowballstemmer.stemmer("danish")
_PREPOSITIONS = frozenset("af paa for til i fra med ved om over under pr hos".split())
_STOP = frozenset("""
og evt eventuelt maks max min tegn ca de den det en et der som samt eller el skal kan her venligst udfyld udfyldes
angiv angives obligatorisk valgfrit felt kolonne hvis hvilket hvilken hvad the of ex fx jf se
""".split())
_UNIT_WORDS = frozenset("kr kroner dkk tkr t 1000 mio mia mill mil".split())
_LINKS = ("s", "e")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return fold(_stemmer.stemWord(word))


@dataclass(frozen=True)
class _Lexicon:
    atoms: frozenset[str]
    aliases: Mapping[str, str]
    generic: frozenset[str]
    synonyms: Mapping[str, tuple[tuple[str, tuple[tuple[str, float], ...]], ...]]
    exact: Mapping[str, str]


_lexicons: dict[int, tuple[Vocabulary, _Lexicon]] = {}


def lexicon(vocab: Vocabulary) -> _Lexicon:
    """The header lexicon of ``vocab`` (built once per vocabulary)."""
    hit = _lexicons.get(id(vocab))
    if hit is not None and hit[0] is vocab:
        return hit[1]
    aliases = {fold(k): fold(v) for k, v in vocab.header_aliases.items()}
    atoms = {_stem(fold(a)) for a in vocab.header_atoms} | {fold(a) for a in vocab.header_atoms}
    for spec in vocab.columns.values():
        for syn in spec.synonyms:
            ws = [w for w in fold(syn).split() if w not in _STOP and w not in _PREPOSITIONS]
            if len(ws) == 1 and 2 <= len(ws[0]) <= 8:
                atoms.add(_stem(ws[0]))
                atoms.add(ws[0])
    generic = frozenset(_stem(fold(g)) for g in vocab.header_generic)
    lex = _Lexicon(frozenset(atoms), aliases, generic, {}, {})
    syns: dict[str, tuple[tuple[str, tuple[tuple[str, float], ...]], ...]] = {}
    exact: dict[str, str] = {}
    for spec in vocab.columns.values():
        items = []
        for syn in spec.synonyms:
            key = fold(syn)
            exact.setdefault(key, spec.field)
            items.append((key, tuple(_atoms_of(key, lex).items())))
        syns[spec.field] = tuple(items)
    lex = _Lexicon(lex.atoms, aliases, generic, syns, exact)
    _lexicons[id(vocab)] = (vocab, lex)
    return lex


def _split(word: str, atoms: frozenset[str], depth: int = 0) -> list[str] | None:
    """``word`` as known parts (stems), longest last part first; None when it is no compound of known parts."""
    if depth > 3 or len(word) < 5:
        return None
    best: list[str] | None = None
    for i in range(2, len(word) - 1):
        left, right = word[:i], word[i:]
        rs = _stem(right)
        if len(right) < 2 or (right not in atoms and rs not in atoms):
            continue
        for lw in (left, *(left[:-1] for c in _LINKS if left.endswith(c) and len(left) > 3)):
            ls = _stem(lw)
            if lw in atoms or ls in atoms:
                cand = [ls, rs]
            else:
                sub = _split(lw, atoms, depth + 1)
                if sub is None:
                    continue
                cand = [*sub, rs]
            if best is None or len(cand) < len(best) or (len(cand) == len(best) and len(right) > len(best[-1])):
                best = cand
            break
        if best is not None and len(best) == 2:
            break
    return best


#: Weights of the words of a header by role: the head word, other words before a preposition, words after it, and
#: the non-final parts of a compound (relative to the word).
HEAD, WORD, TAIL, PART = 1.0, 0.7, 0.5, 0.5


def _atoms_of(folded: str, lex: _Lexicon) -> dict[str, float]:
    """Weighted atoms of a folded header (see :data:`HEAD`). A generic head ("navn") gives its weight to the word
    it names: "Kommunens navn" is about a kommune, "Navn på initiativ" about an initiativ."""
    words = [lex.aliases.get(w, w) for w in folded.split()]
    words = [w for w in words if w not in _STOP and w not in _UNIT_WORDS and not w.isdigit() and w != "+"]
    if not words:
        return {}
    head_end = len(words)
    for i, w in enumerate(words):
        if i > 0 and w in _PREPOSITIONS:
            head_end = i
            break
    head = [w for w in words[:head_end] if w not in _PREPOSITIONS]
    tail = [w for w in words[head_end:] if w not in _PREPOSITIONS]
    items: list[tuple[list[str], float]] = []  # (atoms of one word, role)
    for region, base in ((head, HEAD), (tail, TAIL)):
        for k, w in enumerate(region):
            s = _stem(w)
            parts = None if (s in lex.atoms and len(s) <= 8) or w in lex.atoms else _split(w, lex.atoms)
            items.append((parts or [s], base if k == len(region) - 1 else base * WORD))
    flat: list[tuple[str, float]] = []
    for parts, role in items:
        for j, p in enumerate(parts):
            flat.append((p, role if j == len(parts) - 1 else role * PART))
    # A generic head word hands the head role to the nearest word before it (or, after a preposition, after it).
    heads = [i for i, (_atom, weight) in enumerate(flat) if weight == HEAD]
    if heads and flat[heads[0]][0] in lex.generic and len(flat) > 1:
        h = heads[0]
        other = h - 1 if h > 0 else h + 1
        flat[other] = (flat[other][0], HEAD)
        flat[h] = (flat[h][0], TAIL)
    out: dict[str, float] = {}
    for atom, weight in flat:
        out[atom] = max(out.get(atom, 0.0), weight)
    return out


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5 and abs(len(a) - len(b)) <= 3:
        return a.startswith(b) or b.startswith(a)
    return False


def _dice(h: Mapping[str, float], s: Sequence[tuple[str, float]]) -> float:
    if not h or not s:
        return 0.0
    num = 0.0
    for a, ws in s:
        wh = h.get(a)
        if wh is None:
            wh = next((v for k, v in h.items() if _same(k, a)), None)
        if wh is not None:
            num += wh + ws
    den = sum(h.values()) + sum(w for _, w in s)
    return num / den if den else 0.0


@lru_cache(maxsize=16384)
def _text_scores(folded: str, lex_id: int) -> tuple[tuple[str, float], ...]:
    lex = _lexicons[lex_id][1]
    exact = lex.exact.get(folded)
    atoms = _atoms_of(folded, lex)
    out = []
    for fld, items in lex.synonyms.items():
        best = 1.0 if exact == fld else max((_dice(atoms, a) for _k, a in items), default=0.0)
        if best > 0.2:
            out.append((fld, round(best, 4)))
    out.sort(key=lambda x: -x[1])
    return tuple(out)


# --------------------------------------------------------------------------------------------------------------
# Amount patterns

# Words that may surround a plan-year label in an amount header ("Beløb i 1.000 kr. BO1", "Netto 2021 (mio. kr.)").
AMOUNT_FILLER = frozenset(
    "beloeb beloebet i 1000 kr t tkr mio dkk netto effekt effekten provenu besparelse besparelser forslag fuld "
    "virkning indfasning drift driftsbeloeb driftsudgift driftsudgifter aarsvirkning okonomi oekonomi konsekvens "
    "konsekvenser oekonomisk oekonomiske budgetvirkning udgift udgifter mindreudgift mindreudgifter merudgift "
    "merudgifter af paa til kroner mill millioner priser pl prisniveau faste loebende aarets niveau estimeret "
    "forventet forventede samlet samlede".split())
_TOTAL_LABEL = re.compile(
    r"^(?:i ?alt|total|totalt|totaler|sum|summen|samlet|samlet sum|samlet total|hele perioden|sum i ?alt)"
    r"(?: (?:b|bo|b bo ?3|\d{4}(?: \d{2,4})?|[0-9 ]+))?$")


@lru_cache(maxsize=16384)
def amount_field(label: str) -> str | None:
    """The amount field a header names: ``amount_b`` … ``amount_bo3``, ``year:2021``, ``total``; else None.

    >>> amount_field("BO2"), amount_field("Overslagsår 1"), amount_field("Budgetår 3"), amount_field("2022")
    ('amount_bo2', 'amount_bo1', 'amount_bo2', 'year:2022')
    >>> amount_field("I alt"), amount_field("Beløb i 1.000 kr."), amount_field("B-år")
    ('total', None, None)
    """
    key = fold(label)
    tokens = key.split()
    if not tokens:
        return None
    # "i alt" would lose its "i" as filler: totals first, on the label without unit words.
    core = " ".join(t for t in tokens if t not in AMOUNT_FILLER or t in ("i", "samlet", "samlede"))
    core = re.sub(r"\b(?:samlede?|samlet) (?=(?:sum|total|i ?alt)\b)", "", core).strip()
    if core and _TOTAL_LABEL.match(core):
        return TOTAL
    rest = [t for t in tokens if t not in AMOUNT_FILLER]
    if not rest:
        return None
    years = [t for t in rest if re.fullmatch(r"(?:b|bo)?(?:19|20)\d\d", t)]
    if len(years) == 1:
        others = [t for t in rest if t != years[0]]
        if " ".join(others) in ("", "budget", "aar", "budgetaar", "overslagsaar", "overslag", "pl", "b", "bo",
                                "regnskab", "budget b", "i"):
            return f"year:{re.sub(r'^[a-z]+', '', years[0])}"
        return None
    joined = " ".join(rest)
    if re.fullmatch(r"b|budget b|budgetaar b|b budgetaar|ba|b 0|bo ?0", joined):
        return "amount_b"
    m = re.fullmatch(r"(?:bo|o|ov|bf|overslagsaar|overslag|overslagsaar bo|bo overslagsaar) ?([123])"
                     r"|([123]) ?(?:overslagsaar|overslag|bo)|(?:overslagsaar|bo)([123])|b ?\+ ?([123])", joined)
    if m:
        return f"amount_bo{next(g for g in m.groups() if g)}"
    m = re.fullmatch(r"(?:budgetaar|aar|budget aar|budgetaar nr|aar nr) ?([1-4])|([1-4]) (?:budgetaar|aar)", joined)
    if m:
        n = int(next(g for g in m.groups() if g))
        return AMOUNT_FIELDS[n - 1]
    return None


# --------------------------------------------------------------------------------------------------------------
# Values under a header


@dataclass(frozen=True)
class ValueProfile:
    """What the first data rows of a column hold (shares of its non-empty cells)."""

    n: int = 0
    years: float = 0.0
    amounts: float = 0.0
    numbers: float = 0.0
    municipalities: float = 0.0
    codes: float = 0.0
    long_text: float = 0.0
    types: float = 0.0
    areas: float = 0.0
    samples: tuple[str, ...] = ()


def _factor(fld: str, v: ValueProfile | None) -> float:
    """How well the values fit the field (a multiplier on the header's score)."""
    if v is None or v.n < 2:
        return 1.0
    if fld == "budget_year":
        return 1.1 if v.years >= 0.8 else (0.5 if v.years < 0.5 else 0.85)
    if is_money(fld):
        return 1.0 if v.amounts >= 0.8 else (0.5 if v.amounts < 0.5 else 0.85)
    if fld == "municipality":
        return 1.1 if v.municipalities >= 0.6 else (0.6 if v.municipalities < 0.2 else 0.9)
    if fld == "municipality_code":
        return 1.1 if v.codes >= 0.6 else 0.6
    if fld in ("title", "description", "committee", "area", "contact"):
        factor = 0.5 if v.numbers >= 0.8 else 1.0
        if fld == "description" and v.long_text >= 0.5:
            factor *= 1.1
        if fld == "area" and v.areas >= 0.5:
            factor *= 1.1
        return factor
    if fld == "type":
        return 1.1 if v.types >= 0.5 else (0.6 if v.numbers >= 0.8 else 1.0)
    return 1.0


# --------------------------------------------------------------------------------------------------------------
# Header rows → column labels


@dataclass(frozen=True)
class HeaderColumn:
    """One column of a (multi-row) header: its own label and the labels of the rows above it over this column."""

    index: int
    own: str
    groups: tuple[str, ...] = ()
    own_level: int = 0

    @property
    def label(self) -> str:
        return " / ".join((*self.groups, self.own)) if self.own else " / ".join(self.groups)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


def header_columns(levels: Sequence[Sequence[Any]]) -> list[HeaderColumn]:
    """Columns of a header of one to three rows (``levels``, top first).

    An upper cell whose columns to the right are empty (a merged cell, as read) is carried over them while the rows
    below have labels there, and until a new label starts in that row or a row above it.
    """
    h = len(levels)
    n = max((len(r) for r in levels), default=0)
    text = [[_text(r[i]) if i < len(r) else "" for i in range(n)] for r in levels]
    carried = [[""] * n for _ in range(h)]
    for k in range(h):
        for j in range(n):
            if text[k][j]:
                carried[k][j] = text[k][j]
            elif (k < h - 1 and j > 0 and carried[k][j - 1]
                  and not any(text[u][j] for u in range(k))
                  and any(text[d][j] for d in range(k + 1, h))):
                carried[k][j] = carried[k][j - 1]
    out = []
    for j in range(n):
        own_level = next((k for k in range(h - 1, -1, -1) if text[k][j]), -1)
        if own_level < 0:
            groups = tuple(carried[k][j] for k in range(h) if carried[k][j])
            out.append(HeaderColumn(j, "", groups, -1))
            continue
        groups = tuple(dict.fromkeys(carried[k][j] for k in range(own_level) if carried[k][j]))
        out.append(HeaderColumn(j, text[own_level][j], groups, own_level))
    return out


# --------------------------------------------------------------------------------------------------------------
# Scoring and assignment


@dataclass
class Question:
    """Something the operator must decide before the sheet is imported (or accept the suggestion with --yes)."""

    kind: str  # "column", "field", "unit", "sign", "municipality", "budget_year", "header", "title"
    message: str
    column: str | None = None
    choices: list[str] = field(default_factory=list)
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "column": self.column, "choices": list(self.choices),
                "suggestion": self.suggestion}


@dataclass
class ColumnChoice:
    """The decision for one column: the field (or None), how sure, why, and the runners-up."""

    index: int
    letter: str
    label: str
    field: str | None
    confidence: float
    status: str  # "mapped" | "unmapped" | "ambiguous" | "total" | "empty"
    source: str  # "overskrift" | "indhold" | "operatør" | "profil" | ""
    alternatives: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    samples: list[str] = dataclasses.field(default_factory=list)
    hidden: bool = False
    formula: bool = False
    unit: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.letter, "label": self.label, "field": self.field, "field_label": field_label(self.field)
                if self.field else None, "confidence": round(self.confidence, 2), "status": self.status,
                "source": self.source, "alternatives": [{"field": f, "field_label": field_label(f),
                                                         "score": round(s, 2)} for f, s in self.alternatives],
                "samples": list(self.samples), "hidden": self.hidden, "formula": self.formula, "unit": self.unit,
                "note": self.note}


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 → A, 26 → AA)."""
    name, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def column_index(letter: str) -> int:
    """0-based column index of Excel letters ("A" → 0); :class:`InputError` for anything else."""
    s = letter.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", s):
        raise InputError(f"{letter!r} er ikke et kolonnebogstav (fx H eller AB).")
    n = 0
    for ch in s:
        n = n * 26 + ord(ch) - 64
    return n - 1


def label_scores(label: str, vocab: Vocabulary) -> list[tuple[str, float]]:
    """Every field a header label could name, with its score (best first; values not considered).

    >>> v = load_vocabulary()                                           # doctest: +SKIP
    >>> label_scores("Typen af tiltaget", v)[:2]                        # doctest: +SKIP
    [('type', 1.0), ('title', 0.6)]
    """
    folded = fold(label)
    if not folded:
        return []
    amount = amount_field(label)
    lexicon(vocab)  # registers the vocabulary's lexicon for _text_scores
    scores = list(_text_scores(folded, id(vocab)))
    if amount:
        # A pattern ("Budgetår 2", "Budget 2021") is more specific than any word in it.
        scores = [(amount, PATTERN_SCORE)] + [(f, round(s * 0.5, 4)) for f, s in scores]
    return scores


def _candidates(col: HeaderColumn, vocab: Vocabulary) -> tuple[list[tuple[str, float]], str]:
    """The column's candidate fields (best first) and the label that decided them."""
    if not col.own and not col.groups:
        return [], ""
    own = col.own or col.groups[-1]
    first = label_scores(own, vocab)
    if _clear(first) or not col.groups or not col.own:
        if first or not col.groups:
            return first, own
    # Not clear on its own: read it with the rows above ("Kontaktperson / Navn").
    for k in range(len(col.groups) - 1, -1, -1):
        combined = " ".join((*col.groups[k:], col.own))
        scores = label_scores(combined, vocab)
        if _clear(scores):
            return scores, combined
    # Amount groups: an own label that names no field under "Beløb i 1.000 kr." is still unknown, not a title.
    return first, own


def _clear(scores: Sequence[tuple[str, float]]) -> bool:
    if not scores or scores[0][1] < ACCEPT:
        return False
    return len(scores) == 1 or scores[0][1] - scores[1][1] >= MARGIN


@dataclass
class Assignment:
    """The outcome of :func:`assign`: a choice per column and the questions left open."""

    columns: list[ColumnChoice]
    questions: list[Question]

    def field_columns(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for c in self.columns:
            if c.field and c.status == "mapped":
                out.setdefault(c.field, []).append(c.index)
        return out


def assign(cols: Sequence[HeaderColumn], vocab: Vocabulary, *, values: Mapping[int, ValueProfile] | None = None,
           fixed: Mapping[int, tuple[str | None, str]] | None = None,
           hidden: frozenset[int] = frozenset(), formulas: frozenset[int] = frozenset()) -> Assignment:
    """Assign fields to columns (see the module docstring). ``fixed``: column → (field or None, source) decided by
    the operator or a profile, taken as given. Never raises on any header."""
    values = values or {}
    fixed = dict(fixed or {})
    choices: dict[int, ColumnChoice] = {}
    cands: dict[int, list[tuple[str, float]]] = {}
    questions: list[Question] = []
    for col in cols:
        letter = column_letter(col.index)
        vp = values.get(col.index)
        samples = list(vp.samples) if vp else []
        base = ColumnChoice(col.index, letter, col.label, None, 0.0, "unmapped", "", samples=samples,
                            hidden=col.index in hidden, formula=col.index in formulas)
        if col.index in fixed:
            fld, source = fixed[col.index]
            base.field, base.confidence, base.source = fld, 1.0, source
            base.status = ("total" if fld == TOTAL else "mapped") if fld else "unmapped"
            base.note = f"sat af {source}"
            choices[col.index] = base
            continue
        if not col.own and not col.groups:
            base.status = "empty" if not (vp and vp.n) else "unmapped"
            choices[col.index] = base
            continue
        raw, _used = _candidates(col, vocab)
        scored = sorted(((f, min(1.0, s * _factor(f, vp))) for f, s in raw), key=lambda x: -x[1])
        cands[col.index] = scored
        base.alternatives = scored[:4]
        choices[col.index] = base

    taken: dict[str, int] = {}
    for idx, (fld, _src) in fixed.items():
        if fld and fld not in MULTI_FIELDS and fld != TOTAL:
            taken[fld] = idx

    # Each column proposes its clear best field; conflicts between columns are settled by score and margin.
    pending = {i: list(s) for i, s in cands.items()}
    for _round in range(6):
        proposals: dict[str, list[tuple[float, int]]] = {}
        for i, scored in pending.items():
            ch = choices[i]
            if ch.status in ("mapped", "total") or not scored:
                continue
            live = [(f, s) for f, s in scored if f in MULTI_FIELDS or f == TOTAL or f not in taken]
            if not live or live[0][1] < ACCEPT:
                continue
            if len(live) > 1 and live[0][1] - live[1][1] < MARGIN:
                continue
            proposals.setdefault(live[0][0], []).append((live[0][1], i))
        if not proposals:
            break
        progressed = False
        for fld, bids in proposals.items():
            bids.sort(key=lambda b: (-b[0], b[1]))
            if fld in MULTI_FIELDS or fld == TOTAL:
                for s, i in bids:
                    _take(choices[i], fld, s, "overskrift")
                progressed = True
                continue
            top_score, top_i = bids[0]
            if len(bids) == 1 or top_score - bids[1][0] >= MARGIN:
                _take(choices[top_i], fld, top_score, "overskrift")
                taken[fld] = top_i
                for _s, i in bids[1:]:
                    pending[i] = [(f, s) for f, s in pending[i] if f != fld]
                progressed = True
            else:
                tied = [i for s, i in bids if top_score - s < MARGIN]
                letters = ", ".join(column_letter(i) for i in tied)
                questions.append(Question(
                    "field", f"Kolonnerne {letters} kan alle være {field_label(fld)}; vælg én (de andre gemmes som "
                    "kildefelter).", column=column_letter(tied[0]), choices=[column_letter(i) for i in tied],
                    suggestion=f"{column_letter(tied[0])}={fld}"))
                for i in tied:
                    choices[i].status = "ambiguous"
                    choices[i].note = f"både denne og {len(tied) - 1} anden kolonne ligner {field_label(fld)}"
                    pending[i] = []
        if not progressed:
            break

    # Columns close between two fields: a question (left unmapped, kept as a source field, until answered).
    for i, scored in cands.items():
        ch = choices[i]
        if ch.status != "unmapped":
            continue
        live = [(f, s) for f, s in scored if f in MULTI_FIELDS or f == TOTAL or f not in taken]
        if live and live[0][1] >= ACCEPT and len(live) > 1 and live[0][1] - live[1][1] < MARGIN:
            ch.status = "ambiguous"
            opts = [f for f, s in live if live[0][1] - s < MARGIN][:3]
            ch.note = "tæt mellem " + " og ".join(field_label(f) for f in opts)
            questions.append(Question(
                "column", f"Kolonne {ch.letter} ({ch.label!r}) kan være " + " eller ".join(field_label(f) for f in opts)
                + "; vælg felt, eller lad den blive gemt som kildefelt.", column=ch.letter,
                choices=opts, suggestion=None))
        elif live and live[0][1] < ACCEPT:
            ch.note = f"ligner svagt {field_label(live[0][0])} ({live[0][1]:.2f}); ikke sikkert nok"
    # Fields read from the values alone, when no header named them.
    for fld, attr in (("municipality", "municipalities"), ("budget_year", "years")):
        if fld in taken:
            continue
        best: tuple[float, int] | None = None
        for col in cols:
            ch = choices[col.index]
            vp = values.get(col.index)
            if ch.status != "unmapped" or vp is None or vp.n < 2 or col.index in fixed:
                continue
            share = getattr(vp, attr)
            if share >= 0.9 and (best is None or share > best[0]):
                best = (share, col.index)
        if best is not None:
            ch = choices[best[1]]
            _take(ch, fld, VALUE_SCORE, "indhold")
            ch.note = f"kolonnens indhold er {field_label(fld)} ({best[0]:.0%} af cellerne)"
            taken[fld] = best[1]
    return Assignment([choices[c.index] for c in cols], questions)


def _take(ch: ColumnChoice, fld: str, score: float, source: str) -> None:
    ch.field, ch.confidence, ch.source = fld, score, source
    ch.status = "total" if fld == TOTAL else "mapped"
    if fld == TOTAL:
        ch.note = "sumkolonne (fx formlen 'I alt'); beløbene er summer af andre kolonner og gemmes ikke"


def header_quality(cols: Sequence[HeaderColumn], vocab: Vocabulary) -> tuple[int, bool]:
    """(number of columns given a field, is it a usable header) for a candidate header without looking at values.

    Usable: a title or description column and at least three fields in all."""
    a = assign(cols, vocab)
    got = [c.field for c in a.columns if c.status == "mapped" and c.field]
    score = len(set(got)) + sum(1 for c in a.columns if c.status == "ambiguous") // 2
    return score, bool({"title", "description"} & set(got)) and len(set(got)) >= 3


# --------------------------------------------------------------------------------------------------------------
# The operator's words for fields


def field_for_name(name: str, vocab: Vocabulary) -> str | None:
    """The field id an operator's name means ("type", "titel", "Kommune", "BO1", "2021", "i alt"); None for "not a
    field" ("-", "ingen", "kildefelt"); :class:`InputError` for a name that is none of them."""
    s = name.strip()
    key = fold(s)
    if key in ("", "ingen", "intet", "kildefelt", "ignorer", "ignore", "none", "raa", "behold", "keep", "skip"):
        return None
    if s in FIELD_LABELS or s.startswith("year:"):
        return s
    if key in {fold(v) for v in FIELD_LABELS}:
        return next(f for f, v in FIELD_LABELS.items() if fold(v) == key)
    if re.fullmatch(r"(?:19|20)\d\d", key):
        return f"year:{key}"
    amount = amount_field(s)
    if amount:
        return amount
    hit = vocab.column_for(s)
    if hit:
        return hit
    for f in FIELD_LABELS:
        if key == fold(f.replace("_", " ")):
            return f
    known = ", ".join(sorted(f for f in FIELD_LABELS if f != TOTAL))
    raise InputError(f"Ukendt felt {name!r}. Brug et af: {known}, et årstal (fx 2021), 'i alt' eller '-' for "
                     "'gem som kildefelt'.")


__all__ = ["ACCEPT", "AMOUNT_FIELDS", "FIELDS", "FIELD_LABELS", "MARGIN", "MONEY_FIELDS", "TEXT_FIELDS", "TOTAL",
           "Assignment", "ColumnChoice", "HeaderColumn", "Question", "ValueProfile", "amount_field", "assign",
           "column_index", "column_letter", "field_for_name", "field_label", "header_columns", "header_quality",
           "is_money", "label_scores", "lexicon"]
