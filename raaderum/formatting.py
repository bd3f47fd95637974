"""Danish number and date formats: 1.234.567 kr., 12,5 %, 29. november 2026.

    >>> fmt_number(1234567.4), fmt_number(-1250.55, 1), fmt_pct(0.125), fmt_number(None)
    ('1.234.567', '-1.250,6', '12,5 %', '–')
"""

from __future__ import annotations

import math
from datetime import date, datetime

MISSING = "–"
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def _is_missing(x: float | int | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_number(x: float | int | None, decimals: int = 0) -> str:
    """A number with '.' as thousands separator and ',' as decimal separator; '–' when missing."""
    if _is_missing(x):
        return MISSING
    s = f"{float(x):,.{decimals}f}"  # type: ignore[arg-type]
    s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return "0" if s in ("-0", "-0,0") else s


def fmt_kr(x: float | int | None, decimals: int = 0) -> str:
    return MISSING if _is_missing(x) else f"{fmt_number(x, decimals)} kr."


def fmt_mio(x: float | int | None, decimals: int = 1) -> str:
    """Kroner shown in millions: 12,3 mio. kr."""
    return MISSING if _is_missing(x) else f"{fmt_number(float(x) / 1e6, decimals)} mio. kr."  # type: ignore[arg-type]


def fmt_pct(share: float | None, decimals: int = 1) -> str:
    """A share (0.125) as a Danish percentage ('12,5 %')."""
    return MISSING if _is_missing(share) else f"{fmt_number(float(share) * 100, decimals)} %"  # type: ignore[arg-type]


def fmt_date(d: date | datetime) -> str:
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


STATUS_LABELS = {"observed": "observeret", "estimated": "skøn", "missing": "mangler", "sample": "eksempeldata",
                 "derived": "afledt"}


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def per_unit(group_name: str) -> str:
    """The unit after "kr. pr." for a target group's name, in Danish: 'Alle indbyggere' → 'indbygger',
    '0-5-årige' → '0-5-årig', '65+-årige' → '65+-årig'.

    >>> f"kr. pr. {per_unit('Alle indbyggere')}", per_unit("0-5-årige")
    ('kr. pr. indbygger', '0-5-årig')
    """
    name = " ".join(group_name.split())
    if name.casefold().startswith("alle "):
        name = name[5:]
    return name.removesuffix("e")
