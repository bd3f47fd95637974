"""Reading an amount cell of an idea-bank workbook.

Amounts are stored in **1.000 kr.** with **savings negative**: the sign convention of Danish budget documents,
where a negative amount lowers the municipality's net expenditure (a saving or extra income) and a positive
amount raises it (an investment or extra spending). Workbooks that write savings as positive numbers are
imported with ``savings_positive=True``, which flips every amount of that import.

:func:`parse_amount` takes what a cell holds (a number, a text, nothing) and gives exactly one of:

- a value (``Decimal``) in 1.000 kr.;
- unknown (``value is None``): an empty cell or an explicit marker such as "ej opgjort", "-", "?";
- an error with a Danish reason: text that is neither an amount nor an unknown-marker. Never a guess.

    >>> parse_amount("-1.250").value, parse_amount("1,5 mio.").value, parse_amount("(500)").value
    (Decimal('-1250'), Decimal('1500.0'), Decimal('-500'))
    >>> parse_amount("ej opgjort").is_unknown, parse_amount("ca. halvdelen").error is not None
    (True, True)

Number formats: Danish first ("." groups thousands, "," is the decimal sign: "1.250,5" = 1250,5 and "1,250" = 1,25);
a single "." followed by other than exactly three digits is read as a decimal point ("1.5" = 1,5). Spaces and
non-breaking spaces may group thousands ("1 250"). Units: "t.kr."/"tkr."/"1.000 kr." (the column's own unit),
"mio." (× 1.000) and "mia." (× 1.000.000); a bare "kr." is ambiguous (kroner or 1.000 kr.?) and is an error.
Accounting negatives "(500)", a trailing minus "500-" and the minus sign "−" are read as negative.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

#: Amounts larger than this (in 1.000 kr., i.e. 1.000 mia. kr.) are refused as implausible.
MAX_ABS_AMOUNT = Decimal("1000000000")

#: Texts that mean "the amount is not known" (compared after normalisation); they give ``None``, never 0.
UNKNOWN_MARKERS = frozenset({
    "ej opgjort", "ikke opgjort", "endnu ikke opgjort", "ej opgjordt", "ikke beregnet", "ej beregnet",
    "uoplyst", "ukendt", "ikke kendt", "ikke oplyst", "ej oplyst", "kan ikke opgøres", "kan ikke opgores",
    "kan ikke beregnes", "afventer", "afventer beregning", "opgøres senere", "følger", "følger senere",
    "skønnes senere", "ikke relevant", "ej relevant", "ir", "i/r", "n/a", "na", "nan", "-", "--", "–", "—", "?",
    "??", "x", "...", "…", "tbd", "mangler", "ingen oplysninger", "ikke angivet", "ej angivet", "se tekst",
    "se beskrivelse", "beløb følger",
})

_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\t\r\n"), " ")
_UNIT_PATTERNS: list[tuple[re.Pattern[str], Decimal | None]] = [
    (re.compile(r"(?:mia\.?|milliard(?:er)?)\s*(?:kr\.?|kroner)?$"), Decimal(1_000_000)),
    (re.compile(r"(?:mio\.?|mill\.?|million(?:er)?)\s*(?:kr\.?|kroner)?$"), Decimal(1000)),
    (re.compile(r"(?:t\.?\s*kr\.?|tkr\.?|tkr|1\.?000\s*kr\.?|tusinde?\s*kr\.?|tusind\s*kroner|t\.?\s*kroner)$"),
     Decimal(1)),
    (re.compile(r"(?:kr\.?|kroner|dkk)$"), None),  # ambiguous
]
_NUMBER = re.compile(r"\d[\d.,' ]*")


@dataclass(frozen=True)
class ParsedAmount:
    """The reading of one cell: ``value`` (1.000 kr.), or unknown (``value is None``), or ``error``."""

    value: Decimal | None
    error: str | None = None
    is_unknown: bool = False  # an explicit unknown-marker (not merely an empty cell)
    raw: str = ""
    #: The cell named its own unit ("1,5 mio.", "250 t.kr."): ``value`` is in 1.000 kr. already, whatever the
    #: column's unit.
    unit_in_cell: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value)


def _err(raw: str, reason: str) -> ParsedAmount:
    return ParsedAmount(None, error=reason, raw=raw)


def _clean_text(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_SPACES)
    s = s.replace("\u2212", "-").replace("\u2012", "-").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(s.split())


def _parse_number(digits: str) -> Decimal | None:
    """A Danish- or plainly-written unsigned number; None when its grouping is inconsistent."""
    s = digits.replace("'", " ").strip()
    if " " in s:
        groups = s.split(" ")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:-1])):
            return None
        if not re.fullmatch(r"\d{3}(?:[.,]\d+)?", groups[-1]) and len(groups) > 1:
            return None
        s = "".join(groups)
    if "," in s and "." in s:
        dec_sep = "," if s.rfind(",") > s.rfind(".") else "."
        th_sep = "." if dec_sep == "," else ","
        whole, _, frac = s.rpartition(dec_sep)
        parts = whole.split(th_sep)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:]) and frac.isdigit()):
            return None
        s = "".join(parts) + "." + frac
    elif "," in s:
        parts = s.split(",")
        if len(parts) != 2 or not parts[0] or not parts[1]:
            return None
        s = parts[0] + "." + parts[1]  # Danish decimal comma
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3):
            if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
                return None
            s = "".join(parts)  # thousands separators
        elif not parts[0] or not parts[1]:
            return None
    if not re.fullmatch(r"\d+(?:\.\d+)?", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex above rules it out
        return None


def _check_range(value: Decimal, raw: str, unit_in_cell: bool = False) -> ParsedAmount:
    if abs(value) > MAX_ABS_AMOUNT:
        return _err(raw, f"beløbet {raw!r} er urealistisk stort (over 1.000 mia. kr.); kolonnen er i 1.000 kr.")
    return ParsedAmount(value if value != 0 else Decimal(0), raw=raw, unit_in_cell=unit_in_cell)


def parse_amount(value: Any, *, kroner_scale: Decimal | None = None) -> ParsedAmount:
    """Read an amount cell (1.000 kr.). Never raises; see the module docstring for what is accepted.

    ``kroner_scale``: in a sheet that states its amounts in kroner, a cell's own "kr." is no longer ambiguous and
    means this factor to 1.000 kr. (0.001)."""
    if value is None:
        return ParsedAmount(None)
    if isinstance(value, bool):
        return _err(str(value), f"en sandhedsværdi ({value}) er ikke et beløb")
    if isinstance(value, datetime | date | time):
        return _err(str(value), f"en dato/tid ({value}) er ikke et beløb")
    if isinstance(value, int):
        return _check_range(Decimal(value), str(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return _err(str(value), f"{value} er ikke et beløb")
        return _check_range(Decimal(repr(value)), repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return _err(str(value), f"{value} er ikke et beløb")
        return _check_range(value, str(value))
    raw = str(value)
    s = _clean_text(raw)
    if not s:
        return ParsedAmount(None, raw=raw)
    low = s.casefold()
    if low in UNKNOWN_MARKERS or low.rstrip(".") in UNKNOWN_MARKERS:
        return ParsedAmount(None, is_unknown=True, raw=raw)
    if low.startswith("#"):
        return _err(raw, f"Excel-fejlværdi {s!r} i stedet for et beløb")
    text = low
    # An approximate amount is still an amount.
    text = re.sub(r"^(?:ca\.?|cirka|ca)\s+", "", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
        if text.startswith(("-", "+")):
            return _err(raw, f"{s!r} har både parentes og fortegn; skriv fx -500")
    scale = Decimal(1)
    unit_in_cell = False
    for pattern, factor in _UNIT_PATTERNS:
        m = pattern.search(text)
        if m and (m.start() == 0 or text[m.start() - 1] in " 0123456789"):
            if factor is None:
                if kroner_scale is None:
                    return _err(raw, f"enheden i {s!r} er tvetydig (kr. eller 1.000 kr.?); skriv beløbet i 1.000 kr.")
                factor = kroner_scale
            scale = factor
            unit_in_cell = True
            text = text[: m.start()].strip()
            break
    if not text:  # a unit alone ("mio.", "kr.")
        return _err(raw, f"{s!r} er hverken et beløb eller en markering af ukendt beløb (fx 'ej opgjort')")
    sign = ""
    if text[0] in "-+":
        sign, text = text[0], text[1:].strip()
    elif text.endswith("-") and len(text) > 1:
        sign, text = "-", text[:-1].strip()
    if (text and text[0] in "-+") or text.endswith(("-", "+")):
        return _err(raw, f"{s!r} har mere end ét fortegn")
    m = _NUMBER.fullmatch(text)
    number = _parse_number(text) if m else None
    if number is None:
        return _err(raw, f"{s!r} er hverken et beløb eller en markering af ukendt beløb (fx 'ej opgjort')")
    if sign == "-":
        if negative:
            return _err(raw, f"{s!r} har både parentes og fortegn; skriv fx -500")
        negative = True
    result = number * scale
    if negative:
        result = -result
    return _check_range(result, raw, unit_in_cell)


def flip_sign(value: Decimal | float | None) -> Decimal | float | None:
    """The amount with the other sign convention (``None`` stays ``None``; 0 stays 0)."""
    if value is None:
        return None
    return -value if value != 0 else value


def format_amount(value: float | Decimal | None) -> str:
    """Danish display of an amount in 1.000 kr.: ``-1.250`` , ``1.500,5``; ``ukendt`` for None.

    >>> format_amount(-1250), format_amount(1500.5), format_amount(None)
    ('-1.250', '1.500,5', 'ukendt')
    """
    if value is None:
        return "ukendt"
    v = float(value)
    if v == int(v):
        text = f"{int(v):,}".replace(",", ".")
    else:
        text = f"{v:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text


__all__ = ["MAX_ABS_AMOUNT", "UNKNOWN_MARKERS", "ParsedAmount", "flip_sign", "format_amount", "parse_amount"]
