"""Follow-up (opfølgning, ex post): what happened in an area's accounts after a proposal was adopted?

For municipality m, area a and a proposal adopted in the budget for year Y (so the base year is t0 = Y − 1, the
last accounts year before the proposal could work), and each accounts year t = Y, Y + 1, … of the release:

* e(t) = E(t) / N(t): net operating expenditure of the area per person in its target group (the key figures'
  definition, :mod:`raaderum.analysis.key_figures`), so a change of the target group (demography) is taken out;
* in fixed prices of t0: e*(t) = e(t) × I(t0) / I(t), with I the price index the release ships
  (:mod:`raaderum.analysis.prices`; the embedded release has the consumer price index PRIS113 as a fallback, not
  the municipalities' price and wage index, and the method text says so). Without an index: demography only, and
  the method text says that too;
* **observed development in the accounts** (observeret udvikling i regnskabet), in 1.000 kr. of t0:
  (e*(t) − e(t0)) × N(t) / 1.000 — what the area spends more (+) or less (−) than it would have at the base
  year's spending per person, for the target group of year t;
* **expected effect** (forventet effekt): the adopted proposals' own amounts for that year (B for Y, BO1 for
  Y + 1, …), 1.000 kr., savings negative.

It is a comparison, not proof of effect: the accounts move for many reasons (other decisions, demand, booking
practice). A year whose functions are not the same as the base year's (a break in the chart of accounts) is
not compared.

    >>> r = followup(open_release(), 751, "folkeskole", 2019, {"b": -500.0})          # doctest: +SKIP
    >>> [(y.year, round(y.observed or 0)) for y in r.years]                           # doctest: +SKIP

:func:`compare` is the pure core over plain numbers (tested on hand-computed cases).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from raaderum.analysis.key_figures import EXPENDITURE_TABLE, area_panel
from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.catalog import load_catalog
from raaderum.errors import DataNotAvailable, UnknownArea
from raaderum.release.reader import Release

PERIODS = ("b", "bo1", "bo2", "bo3")
LABEL = "Sammenligning, ikke bevis for effekt"
CAVEAT = ("Opfølgningen er en sammenligning, ikke et bevis for effekt: regnskabet påvirkes af meget andet end "
          "forslaget (andre beslutninger, efterspørgsel, konteringspraksis), og forventet effekt er forslagets egne "
          "beløb.")


@dataclass
class FollowupYear:
    year: int
    period: str | None  # b, bo1, bo2, bo3 (None after BO3)
    expenditure: float | None  # kr., current prices
    target: float | None  # persons in the target group
    unit_cost: float | None  # kr. per person, current prices
    unit_cost_fixed: float | None  # kr. per person, fixed prices of the base year
    change: float | None  # unit_cost_fixed / base unit cost − 1
    observed: float | None  # 1.000 kr. (fixed base-year prices): (e*(t) − e(t0)) × N(t) / 1.000
    expected: float | None  # 1.000 kr., savings negative (the proposals' amounts for this year)
    status: str
    comparable: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Followup:
    municipality_code: int
    municipality_name: str
    area_id: str
    area_name: str
    target_group: str
    budget_year: int
    base_year: int
    base_expenditure: float | None
    base_target: float | None
    base_unit_cost: float | None
    years: list[FollowupYear]
    available: bool
    reason: str
    prices: str
    method: str
    label: str = LABEL
    caveat: str = CAVEAT
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def compared(self) -> list[FollowupYear]:
        return [y for y in self.years if y.comparable and y.observed is not None]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["years"] = [y.to_dict() for y in self.years]
        return d


def compare(base_expenditure: float, base_target: float, expenditure: float, target: float,
            factor: float = 1.0) -> tuple[float, float, float]:
    """(e*(t), change, observed in 1.000 kr.) for one year: e*(t) = E(t)·factor / N(t), change = e*(t)/e(t0) − 1,
    observed = (e*(t) − e(t0)) × N(t) / 1.000, with e(t0) = E(t0) / N(t0) and ``factor`` = I(t0) / I(t).

    >>> compare(1_000_000.0, 100.0, 1_050_000.0, 110.0)        # 10 % more people, 5 % more money
    (9545.454545454546, -0.045454545454545414, -50.0)
    """
    e0 = base_expenditure / base_target
    et = expenditure * factor / target
    return et, et / e0 - 1, (et - e0) * target / 1000.0


def _functions_with_values(release: Release, code: int, functions: tuple[str, ...]) -> dict[int, frozenset[str]]:
    marks = ", ".join("?" for _ in functions)
    rows = release.query(f"SELECT year, function FROM expenditure WHERE municipality_code = ? AND function IN "
                         f"({marks}) AND per_inhabitant IS NOT NULL AND per_inhabitant_status <> 'missing'",
                         [code, *functions])
    out: dict[int, set[str]] = {}
    for y, f in rows:
        out.setdefault(int(y), set()).add(str(f))
    return {y: frozenset(v) for y, v in out.items()}


def _value(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def followup(release: Release, municipality_code: int, area_id: str, budget_year: int,
             expected: dict[str, float | None] | None = None, *, years_after: int = 4) -> Followup:
    """The follow-up of ``area_id`` in municipality ``municipality_code`` for a budget adopted for ``budget_year``
    (see the module docstring). ``expected`` maps period (b, bo1, bo2, bo3) → 1.000 kr.; ``years_after`` limits
    the accounts years compared (B to BO3 by default)."""
    cat = load_catalog()
    area = next((a for a in cat.areas if a.id == area_id), None)
    if area is None:
        raise UnknownArea(f"{area_id!r} er ikke et serviceområde med regnskabstal (temaer kan ikke følges op i "
                          "regnskabet).")
    m = release.register.by_code(int(municipality_code))
    base = int(budget_year) - 1
    expected = expected or {}
    try:
        basis: PriceBasis | None = price_basis(release, "faste", base) if base in release.years else None
    except DataNotAvailable:
        basis = None
    prices = basis.label if basis is not None else "Løbende priser (intet prisindeks i datareleasen)"
    if basis is not None:
        price_text = (f"i faste {base}-priser: e*(t) = e(t) × I({base}) / I(t) med I = {basis.index_name} "
                      f"({basis.index_label})")
    else:
        price_text = ("UDEN priskorrektion: datareleasen har intet prisindeks, så kun ændringen i målgruppen "
                      "(demografien) er korrigeret")
    method = (f"{LABEL}. Basisår {base} (året før budget {budget_year}). Udgift pr. person i målgruppen "
              f"({cat.target_group(area.target_group).name.lower()}) e = E/N, nettodriftsudgifter "
              f"({EXPENDITURE_TABLE}, regnskab) delt med målgruppen 1. januar, {price_text}. Observeret udvikling "
              f"i regnskabet = (e*(t) − e({base})) × N(t) / 1.000, i 1.000 kr.: negativ = området bruger mindre pr. "
              f"person i målgruppen end i {base}. Forventet effekt = de vedtagne forslags egne beløb for året "
              "(B, BO1, …), besparelser negative. Et år, hvor områdets funktioner ikke er de samme som i basisåret "
              "(brud i kontoplanen), sammenlignes ikke.")
    provenance = {"source": "Danmarks Statistik", "table": EXPENDITURE_TABLE, "release_id": release.id,
                  "price_basis": prices, "prices": basis.to_dict() if basis is not None else None,
                  "attribution": release.manifest.get("attribution") or "Kilde: Danmarks Statistik"}

    def result(years: list[FollowupYear], available: bool, reason: str, e0: float | None = None,
               n0: float | None = None) -> Followup:
        return Followup(m.code, m.name, area.id, area.name, area.target_group, int(budget_year), base,
                        e0, n0, (e0 / n0) if e0 and n0 else None, years, available, reason, prices, method,
                        provenance=provenance)

    if base not in release.years:
        return result([], False, f"Regnskabet for basisåret {base} findes ikke i datareleasen "
                                 f"({release.years[0]}-{release.years[-1]}).")
    fn_years = _functions_with_values(release, m.code, tuple(area.functions))
    panel0 = area_panel(release, base, cat)
    i0, j0 = panel0.index(m.code), panel0.area_index(area.id)
    E0, N0 = _value(panel0.expenditure[i0, j0]), _value(panel0.target[i0, j0])
    if E0 is None or N0 is None or N0 <= 0 or E0 <= 0 or not fn_years.get(base):
        return result([], False, f"Områdets regnskab for basisåret {base} mangler (fx funktioner, der først "
                                 "findes fra et senere år), så der kan ikke sammenlignes.", E0, N0)
    out: list[FollowupYear] = []
    for k in range(years_after):
        t = int(budget_year) + k
        if t not in release.years:
            break
        period = PERIODS[k] if k < len(PERIODS) else None
        exp = _value(expected.get(period)) if period else None
        panel = area_panel(release, t, cat)
        i, j = panel.index(m.code), panel.area_index(area.id)
        E, N = _value(panel.expenditure[i, j]), _value(panel.target[i, j])
        status = str(panel.status[i, j])
        if fn_years.get(t, frozenset()) != fn_years[base]:
            out.append(FollowupYear(t, period, E, N, None, None, None, None, exp, status, False,
                                    f"Brud i kontoplanen: områdets funktioner med tal i {t} er ikke de samme som i "
                                    f"{base}; året sammenlignes ikke."))
            continue
        if E is None or N is None or N <= 0:
            out.append(FollowupYear(t, period, E, N, None, None, None, None, exp, status, False,
                                    f"Regnskab eller målgruppe mangler for {t}."))
            continue
        factor = basis.factor(t) / basis.factor(base) if basis is not None else 1.0
        et, change, observed = compare(E0, N0, E, N, factor)
        note = "Målgruppen er et skøn (se Metode og data)." if status == "estimated" else ""
        out.append(FollowupYear(t, period, E, N, E / N, et, change, observed, exp, status, True, note))
    if not out:
        return result([], False, f"Datareleasen har endnu ingen regnskabsår fra {budget_year} "
                                 f"(seneste er {release.years[-1]}).", E0, N0)
    return result(out, True, "", E0, N0)


__all__ = ["CAVEAT", "LABEL", "Followup", "FollowupYear", "compare", "followup"]
