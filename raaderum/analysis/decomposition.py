"""Drivers of spending (styringscockpit): why a municipality spends what it spends on an area.

Spending per inhabitant factorises as E/P = (N/P) · (R/N) · (E/R): demography (target group per inhabitant) ×
coverage (dækningsgrad, recipients per target-group member) × unit cost per recipient. Against a reference, the
differences are split with LMDI weights L(a, b) = (a − b)/(ln a − ln b), so the parts add up exactly to the total
difference. Demography is not controllable; coverage and unit cost are.

The release carries E, P and N, but no recipients R (activity counts are not in Statistics Denmark's accounts
tables), so coverage and unit cost per recipient come out combined as "spending per target-group member";
:func:`decompose` says so in ``missing``.

    >>> d = decompose({"demography": 0.10, "per_target": 50_000.0}, {"demography": 0.08, "per_target": 55_000.0})
    >>> round(d.total, 2), round(sum(d.parts.values()), 2)
    (600.0, 600.0)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

#: The factors, in order, with their Danish names and whether the municipality controls them.
FACTORS: dict[str, tuple[str, bool]] = {
    "demography": ("Demografi (målgruppens andel af befolkningen)", False),
    "coverage": ("Dækningsgrad (modtagere pr. person i målgruppen)", True),
    "unit_cost": ("Enhedsudgift pr. modtager", True),
    "per_target": ("Udgift pr. person i målgruppen (dækningsgrad × enhedsudgift)", True),
}


def lmdi_weight(a: float, b: float) -> float:
    """The logarithmic mean L(a, b) = (a − b)/(ln a − ln b), with L(a, a) = a. Both must be positive."""
    if a <= 0 or b <= 0:
        raise ValueError("LMDI kræver positive værdier")
    if math.isclose(a, b, rel_tol=1e-12):
        return a
    return (a - b) / (math.log(a) - math.log(b))


@dataclass
class Decomposition:
    """``total`` = value − reference (kr. per inhabitant); ``parts`` add up to it exactly."""

    value: float
    reference: float
    total: float
    parts: dict[str, float]
    missing: list[str] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decompose(factors: dict[str, float], reference: dict[str, float]) -> Decomposition | None:
    """Split value − reference of a product of factors into one additive part per factor (LMDI-I).

    Returns None (and the caller should say why) when a factor is missing or not positive: a log of 0 or of a
    negative net cost is undefined, so such cases are flagged rather than forced.
    """
    keys = [k for k in factors if k in reference]
    if not keys or any(factors[k] is None or reference[k] is None for k in keys):
        return None
    if any(factors[k] <= 0 or reference[k] <= 0 for k in keys):
        return None
    value = math.prod(factors[k] for k in keys)
    ref = math.prod(reference[k] for k in keys)
    w = lmdi_weight(value, ref)
    parts = {k: w * math.log(factors[k] / reference[k]) for k in keys}
    missing = [] if "coverage" in keys else ["coverage", "unit_cost"]
    note = "" if not missing else ("Antal modtagere findes ikke i datagrundlaget, så dækningsgrad og enhedsudgift "
                                   "pr. modtager kan ikke skilles ad; de indgår samlet i udgift pr. person i "
                                   "målgruppen.")
    return Decomposition(value=value, reference=ref, total=value - ref, parts=parts, missing=missing, note=note)
