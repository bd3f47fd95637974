"""What every view of a råderumskatalog shows, built once: the web pages, the CLI, and the committee material as
PDF (:mod:`raaderum.reports.catalogue_pdf`), Word (:mod:`raaderum.reports.catalogue_docx`) and Excel
(:mod:`raaderum.reports.catalogue_xlsx`) all render a :class:`CatalogueReport`, so they cannot disagree.

A report is a catalogue (or one committee of it, or one scenario) with

* the totals per year and committee against the targets (:func:`raaderum.store.catalogue.totals`: the sum of the
  known amounts of the proposals that count; fravalgt and udsat do not);
* per proposal its area's benchmark gap (mulighedsrum) under the catalogue's reference, the range of the gap over
  the six references and the share of the gap the proposal would close: its full-year effect (the last known of
  BO3, BO2, BO1, B) × 1.000 / the gap. The benchmark is the municipality's, for the latest accounts year of the
  release (:func:`raaderum.analysis.benchmark.run_benchmark`, default peers, B = 1.000);
* the follow-up of the adopted proposals (:mod:`raaderum.analysis.followup`) when the catalogue's budget year has
  accounts;
* the source and method of every benchmark figure quoted (:meth:`CatalogueReport.method_lines`).

Amounts are in 1.000 kr., savings NEGATIVE, and every view shows the sign explicitly (:func:`fmt_signed`).
It reads only; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from raaderum.analysis.benchmark import REFERENCES, BenchmarkResult, run_benchmark
from raaderum.analysis.followup import CAVEAT, LABEL, Followup, followup
from raaderum.catalog import load_catalog
from raaderum.errors import InputError
from raaderum.formatting import MISSING, fmt_date, fmt_mio, fmt_number, fmt_pct
from raaderum.ideas.committees import area_names
from raaderum.release.reader import Release, open_release
from raaderum.store.catalogue import (
    PERIOD_LABELS,
    PERIODS,
    SIGN_NOTE,
    CatalogueData,
    ScenarioData,
    TotalRow,
    counts,
    full_year_amount,
    histories,
    load_catalogue,
    period_year,
    status_label,
    totals,
)
from raaderum.store.models import CatalogueProposal, CatalogueStatusChange, Proposal

#: Number formats of the signed amounts in Excel (Danish Excel shows them as +1.250 / -1.250).
XLSX_SIGNED = "+#,##0;-#,##0;0"
XLSX_SIGNED1 = "+#,##0.0;-#,##0.0;0"


def fmt_signed(x: float | int | None, decimals: int = 0) -> str:
    """An amount with its sign always shown: '+1.250', '-1.250', '0'; '–' when unknown."""
    if x is None:
        return MISSING
    text = fmt_number(x, decimals)
    if text in ("0", "0,0", "0,00"):
        return text
    return text if text.startswith("-") else "+" + text


_TZ = ZoneInfo("Europe/Copenhagen")


def fmt_when(dt: datetime | None, with_time: bool = False) -> str:
    """A stored moment in Danish time: '01.12.2026' or '01.12.2026 kl. 14:05' (naive values are UTC)."""
    if dt is None:
        return MISSING
    local = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(_TZ)
    return local.strftime("%d.%m.%Y kl. %H:%M" if with_time else "%d.%m.%Y")


def fmt_staff(x: float | None) -> str:
    """Staff effect in full-time equivalents: '-2,5 årsværk'."""
    return MISSING if x is None else f"{fmt_signed(x, 1)} årsværk"


def _mio(x: float | None) -> str:
    """Millions without the unit (the first number of a range: '12,3–45,6 mio. kr.')."""
    return fmt_mio(x).removesuffix(" mio. kr.")


def signed_words(x: float | None) -> str:
    """'besparelse', 'merudgift' or '' for a signed amount."""
    if x is None or abs(x) < 1e-9:
        return ""
    return "besparelse" if x < 0 else "merudgift"


# ------------------------------------------------------------------------------------------------ benchmark gap


@dataclass
class AreaGap:
    """An area's benchmark gap for the municipality under the catalogue's reference, with its range."""

    area_id: str
    area_name: str
    year: int
    reference: str
    reference_name: str
    potential: float | None  # kr. per year (max(0, e − e_ref) × N)
    range_min: float | None  # smallest potential over the six references
    range_max: float | None
    band: dict[str, Any] | None  # bootstrap P10/P50/P90 of the potential
    unit_cost: float | None
    reference_value: float | None
    target_group: str
    status: str
    flags: list[str]

    @property
    def text(self) -> str:
        if self.potential is None:
            return f"Gabet kan ikke beregnes for {self.area_name.lower()} (tal mangler)."
        span = f"spænd over de seks referenceniveauer {_mio(self.range_min)}–{fmt_mio(self.range_max)}"
        if self.potential <= 0:
            return (f"Intet gab i {self.area_name.lower()} ved {self.reference_name.lower()} (regnskab {self.year}): "
                    f"området ligger på eller under referencen ({span}).")
        return (f"Gab i {self.area_name.lower()}: {fmt_mio(self.potential)} om året ved "
                f"{self.reference_name.lower()} (regnskab {self.year}; {span}).")


@lru_cache(maxsize=256)
def cached_benchmark(release: Release, code: int, reference: str) -> BenchmarkResult:
    """The municipality's benchmark in the latest accounts year (pure function of the immutable release)."""
    return run_benchmark(release, code, None, reference=reference)


def area_gaps(res: BenchmarkResult) -> dict[str, AreaGap]:
    ref = REFERENCES[res.reference]
    out = {}
    for a in res.areas:
        pots: list[float] = [float(v["potential"]) for v in a.references.values() if v.get("potential") is not None]
        out[a.id] = AreaGap(a.id, a.name, res.year, res.reference, ref.name, a.potential,
                            min(pots) if pots else None, max(pots) if pots else None, a.band, a.unit_cost,
                            a.references[res.reference].get("value"), a.denominator_name, a.status, list(a.flags))
    return out


def gap_share(p: Any, gap: AreaGap | None) -> float | None:
    """The share of the gap the proposal would close: −full-year amount × 1.000 / gap (None when not defined)."""
    amount = full_year_amount(p)
    if gap is None or gap.potential is None or gap.potential <= 0 or amount is None:
        return None
    return -amount * 1000.0 / gap.potential


def gap_share_text(p: Any, gap: AreaGap | None) -> str:
    names = area_names()
    if not p.area_id:
        return "Intet område valgt: intet benchmarkgab."
    if gap is None:
        return f"{names.get(p.area_id, p.area_id)} er et tema uden regnskabstal: intet benchmarkgab."
    share = gap_share(p, gap)
    if share is None:
        if full_year_amount(p) is None:
            return gap.text + " Forslaget har endnu ingen beløb."
        return gap.text
    if share < 0:
        return gap.text + f" Forslaget er en merudgift og øger gabet med {fmt_pct(-share)}."
    return gap.text + f" Forslaget lukker {fmt_pct(share)} af gabet (fuld årsvirkning)."


# ------------------------------------------------------------------------------------------------ the report


@dataclass
class ProposalView:
    p: CatalogueProposal
    gap: AreaGap | None
    share: float | None
    share_text: str
    source_text: str
    source_is_sample: bool
    scenarios: list[str]
    history: list[CatalogueStatusChange] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.p.id

    @property
    def counted(self) -> bool:
        return counts(self.p)

    @property
    def area_name(self) -> str:
        return area_names().get(self.p.area_id or "", "") if self.p.area_id else ""

    @property
    def full_year(self) -> float | None:
        return full_year_amount(self.p)

    def amounts(self) -> list[float | None]:
        return [getattr(self.p, f"amount_{period}") for period in PERIODS]


@dataclass
class FollowupGroup:
    """The follow-up of one area: its adopted proposals and the comparison of the accounts."""

    area_id: str
    area_name: str
    proposals: list[CatalogueProposal]
    result: Followup | None  # None for a theme (no accounts to follow)
    note: str = ""


@dataclass
class CatalogueReport:
    data: CatalogueData
    municipality_name: str
    committee: str | None
    scenario: ScenarioData | None
    proposals: list[ProposalView]
    totals: list[TotalRow]
    benchmark: BenchmarkResult | None
    gaps: dict[str, AreaGap]
    followups: list[FollowupGroup]
    followup_note: str
    release: Release
    generated: date = field(default_factory=date.today)

    @property
    def catalogue(self) -> Any:
        return self.data.catalogue

    @property
    def budget_year(self) -> int:
        return int(self.data.catalogue.budget_year)

    @property
    def periods(self) -> list[tuple[str, str]]:
        """(period, 'B 2027') for the four periods."""
        return [(p, f"{PERIOD_LABELS[p]} {period_year(self.budget_year, p)}") for p in PERIODS]

    @property
    def title(self) -> str:
        return f"{self.catalogue.name}"

    @property
    def committee_label(self) -> str:
        return self.committee or "Alle udvalg"

    @property
    def scenario_label(self) -> str:
        return self.scenario.scenario.name if self.scenario else "Hele kataloget"

    @property
    def reference_name(self) -> str:
        return REFERENCES[self.catalogue.reference].name

    @property
    def sign_note(self) -> str:
        return SIGN_NOTE

    @property
    def generated_text(self) -> str:
        return fmt_date(self.generated)

    @property
    def overall(self) -> TotalRow:
        return self.totals[-1]

    def method_lines(self) -> list[tuple[str, str]]:
        """(label, text): the source and method of every figure the documents quote."""
        res = self.benchmark
        lines = [
            ("Beløb", "1.000 kr. pr. år; negativt fortegn (-) = besparelse/mindreudgift, positivt (+) = merudgift. "
                      "Tomt (–) = ikke oplyst, ikke 0. B er budgetåret, BO1-BO3 overslagsårene."),
            ("Summer", "Summen af de kendte beløb for forslag med status idé, under analyse, i kataloget eller "
                       "vedtaget; fravalgte og udsatte forslag tæller ikke med. Mål mod sum: forskel = sum − mål "
                       "(positiv = målet er ikke nået)."),
            ("Personaleeffekt", "Årsværk; negativ = færre årsværk."),
        ]
        if res is not None:
            ref = REFERENCES[res.reference]
            peers = ", ".join(p.name for p in res.peers.peers)
            lines += [
                ("Benchmarkgab (mulighedsrum)", f"max(0, e − e_ref) × N kr. pr. år for kommunens område; e = "
                 "nettodriftsudgift pr. person i områdets målgruppe (N, 1. januar). Kilde: Danmarks Statistik, "
                 f"{res.provenance.get('table', 'REGK31')}, regnskab {res.year}, "
                 f"{str(res.provenance.get('price_basis') or 'løbende priser').lower()}; datarelease "
                 f"{res.provenance.get('release_id', '')}."),
                ("Referenceniveau", f"{ref.name}: {ref.explanation}"),
                ("Sammenligningskommuner", f"{res.peers.description()}: {peers}."),
                ("Spænd og bånd", "Spænd = laveste og højeste gab over de seks referenceniveauer; bånd = bootstrap "
                                  f"P10-P90 af gabet (B = {res.method.get('bootstrap', {}).get('B', 1000)} "
                                  "trækninger af sammenligningskommunerne)."),
                ("Andel af gabet", "Forslagets fulde årsvirkning (sidste kendte beløb af BO3, BO2, BO1, B) × 1.000 "
                                   "/ gabet. Et gab er et spørgsmål, ikke en facitliste: en lav udgift kan være god "
                                   "drift eller lavere service, og kommunerne konterer ikke altid ens."),
            ]
        if self.followups:
            lines.append(("Opfølgning", next((g.result.method for g in self.followups if g.result), CAVEAT)))
        lines.append(("Kilde", "Udgifts- og befolkningstal: Danmarks Statistik. Forslag: kommunens råderumskatalog "
                               "i Råderum; forslag hentet fra idébanken nævner kilden."))
        return lines


def _source_text(p: CatalogueProposal, src: Proposal | None) -> tuple[str, bool]:
    if p.source_proposal_id is None and not p.source_municipality_name:
        return "", False
    sample = bool(src is not None and src.is_sample)
    where = f"{p.source_municipality_name} Kommune" if p.source_municipality_name else "en anden kommune"
    text = (f"Hentet fra idébanken: forslag nr. {p.source_proposal_id or '(slettet)'} fra {where}, budget "
            f"{p.source_budget_year or '–'}" + (f" («{p.source_title}»)" if p.source_title else "")
            + (" – eksempeldata (fiktivt forslag)" if sample else "") + ".")
    return text, sample


def build_report(engine: Engine, catalogue: int | CatalogueData, *, scenario: int | str | None = None,
                 committee: str | None = None, release: Release | None = None, with_history: bool = False,
                 with_followup: bool = True) -> CatalogueReport:
    """The report of a catalogue (or of one committee, or one scenario of it); see the module docstring."""
    release = release or open_release()
    data = catalogue if isinstance(catalogue, CatalogueData) else load_catalogue(engine, int(catalogue))
    sc = data.scenario(scenario) if scenario not in (None, "") else None
    chosen = None
    if committee:
        key = " ".join(committee.split()).casefold()
        chosen = next((c for c in data.committees() if " ".join(c.split()).casefold() == key), None)
        if chosen is None:
            raise InputError(f"Udvalget {committee!r} har ingen forslag eller mål i kataloget. Udvalg i kataloget: "
                             f"{', '.join(data.committees()) or 'ingen'}.")
    props = data.selection(sc, chosen)
    rows = totals(props, data.targets, [chosen] if chosen else None)
    if chosen:
        rows = [r for r in rows if r.committee == chosen]
    code = data.municipality_code
    name = release.register.by_code(code).name
    res = cached_benchmark(release, code, data.catalogue.reference)
    gaps = area_gaps(res)
    source_ids = {p.source_proposal_id for p in props if p.source_proposal_id}
    sources: dict[int, Proposal] = {}
    if source_ids:
        with Session(engine, expire_on_commit=False) as s:
            sources = {p.id: p for p in s.scalars(select(Proposal).where(Proposal.id.in_(sorted(source_ids))))}
    hist = histories(engine, [p.id for p in props]) if with_history else {}
    scen_names = {p.id: [sd.scenario.name for sd in data.scenarios if p.id in sd.members] for p in props}
    views = []
    for p in props:
        gap = gaps.get(p.area_id or "")
        text, sample = _source_text(p, sources.get(p.source_proposal_id or 0))
        views.append(ProposalView(p, gap, gap_share(p, gap), gap_share_text(p, gap), text, sample,
                                  scen_names[p.id], hist.get(p.id, [])))
    groups, note = (_followups(release, code, data.budget_year, props) if with_followup else ([], ""))
    return CatalogueReport(data, name, chosen, sc, views, rows, res, gaps, groups, note, release)


def _followups(release: Release, code: int, budget_year: int,
               props: list[CatalogueProposal]) -> tuple[list[FollowupGroup], str]:
    adopted = [p for p in props if p.status == "vedtaget"]
    if not adopted:
        return [], "Ingen vedtagne forslag at følge op på endnu."
    if budget_year > release.years[-1]:
        return [], (f"Opfølgningen i regnskabet bliver mulig, når regnskabet for {budget_year} findes (datareleasen "
                    f"har regnskab til og med {release.years[-1]}).")
    areas = {a.id for a in load_catalog().areas}
    names = area_names()
    by_area: dict[str, list[CatalogueProposal]] = {}
    for p in adopted:
        by_area.setdefault(p.area_id or "", []).append(p)
    groups = []
    for area_id, ps in sorted(by_area.items(), key=lambda kv: names.get(kv[0], kv[0] or "~")):
        if area_id not in areas:
            groups.append(FollowupGroup(area_id, names.get(area_id, "Intet område"), ps, None,
                                        "Tema eller intet område: ingen regnskabstal at følge op på."))
            continue
        expected = {period: (sum(getattr(p, f"amount_{period}") or 0.0 for p in ps)
                             if any(getattr(p, f"amount_{period}") is not None for p in ps) else None)
                    for period in PERIODS}
        groups.append(FollowupGroup(area_id, names[area_id], ps, followup(release, code, area_id, budget_year,
                                                                           expected)))
    return groups, f"{LABEL}. {CAVEAT}"


def status_text(p: CatalogueProposal) -> str:
    return status_label(p.status)


__all__ = ["XLSX_SIGNED", "XLSX_SIGNED1", "AreaGap", "CatalogueReport", "FollowupGroup", "ProposalView",
           "area_gaps", "build_report", "cached_benchmark", "fmt_signed", "fmt_staff", "fmt_when", "gap_share",
           "gap_share_text", "signed_words", "status_text"]
