"""A sheet's own notes on its amounts: the unit ("Beløb i kr.", "i 1.000 kr.", "mio. kr.") and the sign
("Besparelser er angivet med positivt fortegn"), as written in the title block above the header or in header cells.

The idea bank stores amounts in 1.000 kr. with savings negative. A note sets the sheet's unit and sign; the import
states what it assumed in its report, and when notes contradict each other (or a sheet says nothing and its
amounts look like kroner) it asks instead of guessing.

    >>> unit_notes("Note: beløb i 1.000 kr.; besparelser er negative"), sign_notes("Besparelser er positive")
    (['1000kr'], ['positive'])
    >>> unit_notes("Økonomisk effekt (kr.)", header=True), unit_notes("B (mio. kr.)", header=True)
    (['kr'], ['mio'])
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from raaderum.errors import InputError
from raaderum.ideas.vocabulary import fold

#: Units an amount can be written in, and the factor to 1.000 kr.
UNITS: dict[str, Decimal] = {"kr": Decimal("0.001"), "1000kr": Decimal(1), "mio": Decimal(1000)}
UNIT_LABELS = {"kr": "kr.", "1000kr": "1.000 kr.", "mio": "mio. kr."}
#: With no unit stated, amounts whose median size is at least this are taken to look like kroner (in 1.000 kr.
#: that would be a typical proposal of 20 mio. kr. or more).
KRONER_MEDIAN = 20_000

_MIO = re.compile(r"\b(?:mio|mill|millioner|million)\b(?: (?:kr|kroner|dkk)\b)?")
_THOUSAND = re.compile(r"\b(?:1000 ?(?:kr|kroner|dkk)|t ?kr|tkr|tkroner|tusinde? ?(?:kr|kroner)|(?:kr|dkk) ?1000|"
                       r"t ?dkk|1000 ?dkr)\b")
_KRONER_HEADER = re.compile(r"\b(?:kr|kroner|dkk|dkr)\b")
_KRONER_NOTE = re.compile(r"\b(?:i|in|angivet i|opgjort i|anfoert i|beloeb\w*)\s+(?:hele\s+)?(?:kr|kroner|dkk|dkr)\b"
                          r"|\bhele (?:kr|kroner)\b|^(?:kr|kroner|dkk|dkr)$")

_SAVING = r"(?:besparelse\w*|mindreudgift\w*|merindtaegt\w*|indtaegt\w*|reduktion\w*|effektivisering\w*)"
_COST = r"(?:merudgift\w*|udgift\w*|investering\w*|omkostning\w*)"
_POS = r"(?:positiv\w*|plus|\+)"
_NEG = r"(?:negativ\w*|minus)"
_GAP = (r"(?:(?:er|bliver|vil|vaere|skal|angivet|angives|anfoert|anfoeres|opgjort|opgoeres|vist|vises|skrevet|"
        r"skrives|indtastet|indtastes|noteret|noteres|markeret|markeres|fremgaar|staar|med|som|ved|et|en|altid|og|"
        r"merindtaegter|indtaegter|mindreudgifter|i|tabellen|arket|filen|beloebene|alle|generelt|fortegn|tal|"
        r"beloeb|her|nedenfor|neden|for|af|kommunen) ){0,5}")
_CLAUSE = re.compile(r"[;,:()\n]|\.\s|\s[-–]\s")
_SIGN_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(rf"\b{_SAVING} {_GAP}(?P<s>{_POS}|{_NEG})"), False),
    (re.compile(rf"(?:^|\s)(?P<s>{_POS}|{_NEG}) (?:(?:tal|beloeb|fortegn|vaerdier)\w* )?(?:er|angiver|betyder|"
                rf"svarer til|udtrykker|viser|markerer|indikerer) (?:en |et )?{_SAVING}"), False),
    (re.compile(rf"(?:^|\s)(?P<s>{_POS}|{_NEG}) (?:tal|beloeb|fortegn|vaerdier)\w* (?:en |et )?{_SAVING}"), False),
    (re.compile(rf"\b{_COST} {_GAP}(?P<s>{_POS}|{_NEG})"), True),
]


def unit_notes(text: str, *, header: bool = False) -> list[str]:
    """The units ``text`` states ("kr", "1000kr", "mio"), in order of appearance, without repeats.

    In a header cell a bare "kr." is a unit; in a title-block note it must read as one ("Beløb i kr.")."""
    f = fold(text)
    if not f:
        return []
    found: list[tuple[int, str]] = []
    rest = f
    for pattern, unit in ((_MIO, "mio"), (_THOUSAND, "1000kr")):
        for m in pattern.finditer(rest):
            found.append((m.start(), unit))
        rest = pattern.sub(lambda m: " " * len(m.group(0)), rest)
    kroner = _KRONER_HEADER if header else _KRONER_NOTE
    for m in kroner.finditer(rest):
        # "2,5 mio. kr." and "1.000 kr." were taken above; a number right before "kr." is an amount, not a unit.
        before = rest[:m.start()].rstrip()
        if before and before[-1].isdigit() and not header:
            continue
        found.append((m.start(), "kr"))
    found.sort()
    return list(dict.fromkeys(u for _, u in found))


def sign_notes(text: str) -> list[str]:
    """What ``text`` says about the sign of savings: ["positive"] (savings written as positive numbers),
    ["negative"], both (a contradiction within one note), or []."""
    out: list[str] = []
    # Clause by clause (folding drops the punctuation that separates "udgifter er positive, besparelser negative").
    for clause in _CLAUSE.split(str(text)):
        f = fold(clause.replace("=", " er "))
        if not f or not re.search(r"positiv|negativ|plus|minus|\+", f):
            continue
        for pattern, inverse in _SIGN_PATTERNS:
            for m in pattern.finditer(f):
                positive = bool(re.match(_POS, m.group("s")))
                if inverse:
                    positive = not positive
                out.append("positive" if positive else "negative")
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Note:
    """A unit or sign note found in a cell of the sheet."""

    kind: str  # "unit" | "sign"
    value: str  # a unit id, or "positive"/"negative"
    cell: str  # "A2"
    text: str  # the cell's text, shortened
    where: str  # "titelblok" | "kolonnehoved"

    def quote(self) -> str:
        return f"{self.cell}: {self.text!r}"


def short(text: str, n: int = 80) -> str:
    t = " ".join(str(text).split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def parse_unit(value: str) -> str:
    """An operator's unit ("kr", "kroner", "1000kr", "1.000 kr.", "t.kr.", "tkr", "mio", "mio. kr.") as a unit id;
    :class:`InputError` otherwise."""
    f = fold(value).replace(" ", "")
    table = {"kr": "kr", "kroner": "kr", "dkk": "kr", "helekroner": "kr", "1000kr": "1000kr", "1000": "1000kr",
             "tkr": "1000kr", "tusindkr": "1000kr", "tusindekr": "1000kr", "1000dkk": "1000kr", "mio": "mio",
             "miokr": "mio", "mio.kr": "mio", "millioner": "mio", "mill": "mio"}
    if f in table:
        return table[f]
    raise InputError(f"Ukendt enhed {value!r}; brug kr, 1000kr eller mio.")


def looks_like_kroner(values: Iterable[Decimal | float]) -> tuple[bool, float | None]:
    """(do these bare amounts look like kroner rather than 1.000 kr., their median absolute size)."""
    sizes = [abs(float(v)) for v in values if v]
    if len(sizes) < 2:
        return False, None
    med = statistics.median(sizes)
    return med >= KRONER_MEDIAN, med


__all__ = ["KRONER_MEDIAN", "UNITS", "UNIT_LABELS", "Note", "looks_like_kroner", "parse_unit", "sign_notes",
           "unit_notes"]
