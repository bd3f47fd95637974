"""What the figures cover: how large a share of a municipality's service expenditure the shipped functions are.

The benchmark covers the functions of the release (25 functions in the embedded release), not the whole budget.
Next to a municipality's total, :func:`figures_scope` says how much of its service expenditure (noegletal.dk's
"Serviceudgifter pr. indb.") the shipped functions inside the service-expenditure definition make up, area by area,
and lists the shipped functions outside that definition (transfers, insured unemployed, co-financing of the health
service; ``raaderum/catalog/scope.toml``) separately, since they are not part of the denominator.

    share = Σ kr. per inhabitant of the shipped service functions / serviceudgifter pr. indbygger

Both are current-price kroner per inhabitant of the same year, so the share does not depend on the price basis.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from raaderum.analysis.key_figures import function_panel
from raaderum.catalog import Catalog, ServiceScope, load_catalog, load_service_scope
from raaderum.formatting import fmt_number, fmt_pct
from raaderum.release.reader import Release

INDICATOR = "serviceudgifter_pr_indb"


@dataclass
class ScopePart:
    id: str  # area id, or function for the functions outside service expenditure
    name: str
    per_inhabitant: float | None
    share: float | None  # of service expenditure per inhabitant
    functions: list[str]


@dataclass
class FiguresScope:
    municipality: int
    year: int
    service_per_inhabitant: float | None  # noegletal.dk
    service_status: str  # observed | missing
    service_reason: str | None  # why missing ('M' in the source, or not in the release)
    covered_per_inhabitant: float | None  # Σ shipped service functions
    share: float | None
    national_share: float | None
    by_area: list[ScopePart]
    outside_service: list[ScopePart]
    sentence: str
    provenance: dict[str, Any] = field(default_factory=dict)
    latest_year_with_share: int | None = None  # the latest year the share can be computed, when not ``year``

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _service(release: Release, code: int, year: int) -> tuple[float | None, str, str | None]:
    rows = release.query("SELECT value, status, method FROM noegletal WHERE indicator = ? AND municipality_code = ? "
                         "AND year = ?", [INDICATOR, code, year])
    if not rows:
        return None, "missing", "not_in_release"
    value, status, method = rows[0]
    return (None if value is None else float(value)), str(status), method


def genitive(name: str) -> str:
    """Danish genitive of a name: "Aarhus'", "Københavns"."""
    return name + ("'" if name[-1:].lower() in "sxz" else "s")


def figures_scope(release: Release, municipality: int | str, year: int | None = None, *,
                  catalog: Catalog | None = None, scope: ServiceScope | None = None) -> FiguresScope:
    """The share of ``municipality``'s service expenditure in ``year`` that the shipped functions cover."""
    catalog = catalog or load_catalog()
    scope = scope or load_service_scope()
    m = release.register.resolve(municipality)
    year = release.check_year(year)
    fp = function_panel(release, year)
    i = fp.index(m.code)
    col = {f: k for k, f in enumerate(fp.functions)}

    def per_inh(code_row: int | None, fns: list[str]) -> float | None:
        vals = [fp.per_inhabitant[code_row, col[f]] if code_row is not None else fp.national[col[f]]
                for f in fns if f in col]
        vals = [float(v) for v in vals if v == v]  # NaN (missing) left out
        return float(sum(vals)) if vals else None

    service, status, reason = _service(release, m.code, year)
    nat_service, _, _ = _service(release, 0, year)
    parts: list[ScopePart] = []
    for a in catalog.areas:
        fns = [f for f in a.functions if scope.is_service(f) and f in col]
        if not fns:
            continue
        v = per_inh(i, fns)
        parts.append(ScopePart(id=a.id, name=a.name, per_inhabitant=v, functions=fns,
                               share=None if v is None or not service else v / service))
    outside = [ScopePart(id=f, name=f"{f} {fp.labels[col[f]]}", per_inhabitant=per_inh(i, [f]), share=None,
                         functions=[f]) for f in fp.functions if not scope.is_service(f)]
    service_fns = [f for f in fp.functions if scope.is_service(f)]
    covered = per_inh(i, service_fns)
    share = None if covered is None or not service else covered / service
    nat_cov = per_inh(None, service_fns)
    nat_share = None if nat_cov is None or not nat_service else nat_cov / nat_service
    if share is None:
        why = {"noegletal_missing": "mangler i noegletal.dk ('M')", "noegletal_undefined": "er udefineret ('U')"}
        because = why.get(reason or "", "findes ikke i datareleasen")
        sentence = (f"Serviceudgifterne pr. indbygger for {m.name} i {year} {because}, så det kan ikke siges, hvor "
                    "stor en del af dem de viste funktioner dækker.")
    else:
        sentence = (f"De {len(service_fns)} viste funktioner inden for serviceudgifterne dækker "
                    f"{fmt_pct(share, 0)} af {genitive(m.name)} serviceudgifter i {year} ({fmt_number(covered)} af "
                    f"{fmt_number(service)} kr. pr. indbygger); resten af serviceudgifterne er ikke med i "
                    f"benchmarken. {len(outside)} viste funktioner er overførsler m.m. uden for serviceudgifterne og "
                    "vises for sig.")
    provenance = {
        "numerator": "REGK31 kr. pr. indbygger, sum af de viste funktioner inden for serviceudgifterne",
        "denominator": "noegletal.dk: Serviceudgifter pr. indb. (Indenrigs- og Sundhedsministeriet; kilden angiver "
                       "ikke prisgrundlaget, seneste år kan være foreløbigt)",
        "classification": "raaderum/catalog/scope.toml (Råderums læsning af definitionen af serviceudgifter) "
                          f"version {scope.version}",
        "outside_reasons": {p.id: scope.outside[p.id] for p in outside},
        "price_basis": "Løbende priser (kr. pr. indbygger i samme år i tæller og nævner, så andelen afhænger ikke "
                       "af prisgrundlaget)",
        "release_id": release.id,
    }
    latest = None
    if share is None:
        have = [int(y) for (y,) in release.query(
            "SELECT year FROM noegletal WHERE indicator = ? AND municipality_code = ? AND value IS NOT NULL "
            "AND year <= ? ORDER BY year", [INDICATOR, m.code, year]) if int(y) in release.years]
        latest = have[-1] if have else None
        if latest is not None:
            sentence += f" Seneste år med tallet er {latest}."
    return FiguresScope(municipality=m.code, year=year, service_per_inhabitant=service, service_status=status,
                        service_reason=reason, covered_per_inhabitant=covered, share=share, national_share=nat_share,
                        by_area=parts, outside_service=outside, sentence=sentence, provenance=provenance,
                        latest_year_with_share=latest)


__all__ = ["FiguresScope", "ScopePart", "figures_scope", "genitive"]
