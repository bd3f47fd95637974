"""Drivers of spending (styringscockpit): why a municipality spends what it spends on an area.

Spending per inhabitant factorises as E/P = (N/P) · (R/N) · (E/R): demography (target group per inhabitant) ×
coverage (dækningsgrad, recipients per target-group member) × unit cost per recipient. Against a reference, the
differences are split with LMDI weights L(a, b) = (a − b)/(ln a − ln b), so the parts add up exactly to the total
difference. Demography is not controllable; coverage and unit cost are.

:func:`decompose` is the pure LMDI split of any product of factors. :func:`spending_decomposition` applies it over
the release: the release carries E, P and N for every area, and recipients R only where
``raaderum/catalog/coverage.toml`` names a series for them (kontant- og uddannelseshjælp with AUK01's net
unemployed recipients); elsewhere coverage and unit cost per recipient come out combined as "spending per
target-group member", and the result says so in ``missing`` and ``note``.

    >>> d = decompose({"demography": 0.10, "per_target": 50_000.0}, {"demography": 0.08, "per_target": 55_000.0})
    >>> round(d.total, 2), round(sum(d.parts.values()), 2)
    (600.0, 600.0)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from raaderum.analysis.key_figures import area_panel, price_provenance
from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.catalog import Catalog, CoverageEntry, load_catalog, load_coverage
from raaderum.release.reader import Release

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


# --------------------------------------------------------------------------------------------- over the release

NO_RECIPIENTS_NOTE = ("Antal modtagere findes ikke i datagrundlaget for {area}, så dækningsgrad og enhedsudgift pr. "
                      "modtager kan ikke skilles ad; de indgår samlet i udgift pr. person i målgruppen.")


@dataclass
class DecompositionRow:
    """One decomposition of one scope (the whole area, or a coverage entry's functions) against one reference.

    ``factors``/``reference_factors`` are the factor values (demography = N/P, coverage = R/N, unit_cost = E/R, or
    per_target = E/N where there are no recipients); ``decomposition.parts`` add up exactly to ``decomposition.total``
    (kr. per inhabitant), and ``parts_dkk`` to ``total_dkk`` (× the municipality's population; derived)."""

    scope: str
    scope_name: str
    against: str  # "peers" | "national"
    against_name: str
    functions: list[str]
    factors: dict[str, float | None]
    reference_factors: dict[str, float | None]
    decomposition: Decomposition | None
    total_dkk: float | None
    parts_dkk: dict[str, float]
    missing: list[str]
    note: str
    factor_names: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["decomposition"] = self.decomposition.to_dict() if self.decomposition else None
        return d


@dataclass
class SpendingDecomposition:
    municipality: int
    area: str
    year: int
    rows: list[DecompositionRow]
    notes: list[str]
    provenance: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"municipality": self.municipality, "area": self.area, "year": self.year,
                "rows": [r.to_dict() for r in self.rows], "notes": list(self.notes), "provenance": self.provenance}


def _recipients(release: Release, series: str, year: int) -> dict[int, float]:
    return {int(m): float(v) for m, v in release.query(
        "SELECT municipality_code, value FROM series WHERE series = ? AND year = ? AND value IS NOT NULL",
        [series, year])}


def _target(release: Release, tg: str, year: int) -> dict[int, float]:
    return {int(m): float(v) for m, v in release.query(
        "SELECT municipality_code, persons FROM target_groups WHERE target_group = ? AND year = ?", [tg, year])}


def _row(scope: str, scope_name: str, against: str, against_name: str, functions: list[str],
         own: dict[str, float | None], ref: dict[str, float | None], population: float, missing: list[str],
         note: str, names: dict[str, str]) -> DecompositionRow:
    usable = {k: v for k, v in own.items() if v is not None}
    d = decompose(usable, {k: v for k, v in ref.items() if v is not None}) \
        if len(usable) == len(own) and all(v is not None for v in ref.values()) else None
    if d is not None:
        d.missing, d.note = list(missing), note
    total_dkk = None if d is None else d.total * population
    parts_dkk = {} if d is None else {k: v * population for k, v in d.parts.items()}
    if d is None:
        note = ("Dekomponeringen kræver positive tal for alle faktorer; for en nettoudgift på 0 eller derunder "
                "eller et manglende tal kan den ikke beregnes. " + note).strip()
    return DecompositionRow(scope=scope, scope_name=scope_name, against=against, against_name=against_name,
                            functions=functions, factors=own, reference_factors=ref, decomposition=d,
                            total_dkk=total_dkk, parts_dkk=parts_dkk, missing=list(missing), note=note,
                            factor_names=names)


def spending_decomposition(release: Release, municipality: int | str, area_id: str, year: int | None = None, *,
                           peers: list[int] | None = None, prices: str | PriceBasis | None = None,
                           base_year: int | None = None, catalog: Catalog | None = None,
                           coverage: tuple[CoverageEntry, ...] | None = None) -> SpendingDecomposition:
    """Why ``municipality`` spends what it spends on ``area_id`` in ``year``, against its ``peers`` (codes; the
    aggregate ΣE/ΣP etc. over them) and the country (all 98).

    The whole area is split into demography × spending per target-group member; each coverage entry of the area
    (``raaderum/catalog/coverage.toml``, e.g. kontant- og uddannelseshjælp with AUK01 recipients) into demography ×
    coverage × unit cost per recipient. LMDI parts add up exactly. Where the release has no recipients the row says
    so (``missing`` and ``note``)."""
    catalog = catalog or load_catalog()
    entries = [c for c in (coverage if coverage is not None else load_coverage()) if c.area == area_id]
    basis = price_basis(release, prices, base_year)
    m = release.register.resolve(municipality)
    year = release.check_year(year)
    f = basis.factor(year)
    panel = area_panel(release, year, catalog)
    j = panel.area_index(area_id)
    area = panel.areas[j]
    i = panel.index(m.code)
    P, N, E = panel.population, panel.target[:, j], panel.expenditure[:, j] * f
    codes = [int(c) for c in panel.codes]
    groups = [("peers", "Sammenligningskommunerne", [panel.index(c) for c in (peers or []) if c in panel.codes]),
              ("national", "Hele landet", list(range(len(codes))))]
    rows: list[DecompositionRow] = []
    notes: list[str] = []
    tg_name = catalog.target_group(panel.denominator[j]).name
    names2 = {"demography": FACTORS["demography"][0], "per_target": FACTORS["per_target"][0]}
    area_note = NO_RECIPIENTS_NOTE.format(area=area.name) if not entries else (
        "Modtagertal findes kun for " + ", ".join(f"{c.name} ({', '.join(c.functions)})" for c in entries)
        + "; for hele området indgår dækningsgrad og enhedsudgift samlet i udgift pr. person i målgruppen.")
    for against, label, sel in groups:
        if not sel:
            continue
        ok = [k for k in sel if np.isfinite(E[k]) and np.isfinite(N[k]) and N[k] > 0 and P[k] > 0]
        own = {"demography": _pos(N[i] / P[i]), "per_target": _pos(E[i] / N[i])}
        ref = {"demography": _pos(N[ok].sum() / P[ok].sum()) if ok else None,
               "per_target": _pos(E[ok].sum() / N[ok].sum()) if ok else None}
        rows.append(_row("area", f"{area.name} (målgruppe {tg_name})", against, label, list(area.functions),
                         own, ref, float(P[i]), ["coverage", "unit_cost"], area_note, names2))
    fn_values = {(int(mm), fn): v for mm, fn, v in release.query(
        "SELECT municipality_code, function, per_inhabitant FROM expenditure WHERE year = ?", [year])}
    for c in entries:
        R = _recipients(release, c.recipients, year)
        Ntg = _target(release, c.target_group, year)
        names3 = {"demography": f"Demografi (andel {catalog.target_group(c.target_group).name})",
                  "coverage": c.coverage_name, "unit_cost": c.unit_cost_name}
        if not R:
            notes.append(f"{c.name}: datareleasen har ingen modtagertal ({c.recipients_name}) for {year}.")
            continue

        def spend(code: int, c: CoverageEntry = c) -> float | None:
            vals = [fn_values.get((code, fn)) for fn in c.functions]
            if any(v is None for v in vals):
                return None
            return float(sum(vals)) * P[panel.index(code)] * f  # type: ignore[arg-type]

        for against, label, sel in groups:
            if not sel:
                continue
            sel_codes = [codes[k] for k in sel]
            ok = [cc for cc in sel_codes if cc in R and cc in Ntg and spend(cc) is not None and R[cc] > 0]
            Pi, Ei, Ri, Ni = float(P[i]), spend(m.code), R.get(m.code), Ntg.get(m.code)
            own = {"demography": _pos(Ni / Pi) if Ni else None,
                   "coverage": _pos(Ri / Ni) if Ri and Ni else None,
                   "unit_cost": _pos(Ei / Ri) if Ei is not None and Ri else None}
            sP = sum(float(P[panel.index(cc)]) for cc in ok)
            sN, sR = sum(Ntg[cc] for cc in ok), sum(R[cc] for cc in ok)
            sE = sum(spend(cc) or 0.0 for cc in ok)
            ref = {"demography": _pos(sN / sP) if sP else None, "coverage": _pos(sR / sN) if sN else None,
                   "unit_cost": _pos(sE / sR) if sR else None}
            rows.append(_row(c.id, c.name, against, label, list(c.functions), own, ref, Pi, [], c.caveat, names3))
    provenance = {"source": "Danmarks Statistik", "tables": ["REGK31", "FOLK1A", *sorted(
        {SERIES_TABLES.get(c.recipients, c.recipients) for c in entries})], "year": year,
        **price_provenance(release, basis, year), "release_id": release.id,
        "method": "LMDI-I: ΔE = L(E_m, E_ref) · ln(x_m / x_ref) pr. faktor, L(a, b) = (a − b)/(ln a − ln b); "
                  "referencen er aggregatet (ΣE/ΣP osv.) over sammenligningskommunerne eller alle 98.",
        "dkk": "Kroner i alt = kr. pr. indbygger × kommunens folketal (afledt)."}
    return SpendingDecomposition(municipality=m.code, area=area_id, year=year, rows=rows, notes=notes,
                                 provenance=provenance)


SERIES_TABLES = {"social_assistance_fte": "AUK01"}


def _pos(x: float | None) -> float | None:
    """x when it is a positive finite number, else None (a log of 0 or a negative net cost is undefined)."""
    if x is None or not np.isfinite(x) or x <= 0:
        return None
    return float(x)
