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
* the source and method of every benchmark figure quoted (:meth:`CatalogueReport.method_lines`);
* on request (``with_demography``) the demographic pressure (demografiregulering, issue 14) per budget year for the
  municipality and per committee, next to the targets it informs (:class:`CataloguePressure`).

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
from raaderum.analysis.demography import demographic_pressure
from raaderum.analysis.followup import CAVEAT, LABEL, Followup, followup
from raaderum.catalog import load_catalog
from raaderum.errors import InputError, RaaderumError
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
from raaderum.store.committees import committee_mapping
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


def gap_share_text(p: Any, gap: AreaGap | None, names: dict[str, str] | None = None) -> str:
    names = names if names is not None else area_names()
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


# ------------------------------------------------------------------------------------------------ demographic pressure

#: What the sign of the demographic pressure means, in the catalogue's own convention (the same as the library's).
PRESSURE_SIGN = ("Positivt demografisk pres (+) = merudgift: flere i målgruppen kræver flere penge for at holde "
                 "udgiften pr. person; negativt (-) = mindreudgift. Samme fortegn som katalogets beløb, hvor "
                 "besparelser er negative.")
#: How the suggested target is made from the pressure.
SUGGESTION_TEXT = ("Forslag til mål = −demografisk pres, afrundet til hele 1.000 kr.: et råderum (besparelser), der "
                   "finansierer presset inden for den nuværende ramme. Et negativt pres giver et positivt mål "
                   "(plads til merudgifter).")


@lru_cache(maxsize=128)
def cached_pressure(release: Release, code: int) -> dict[str, Any]:
    """``demographic_pressure(release, code).to_dict()`` (a pure function of the immutable release)."""
    return demographic_pressure(release, code).to_dict()


@dataclass
class PressureLine:
    """The demographic pressure of the municipality (``committee`` '') or of one committee's areas."""

    committee: str
    areas: list[str]  # the areas' names
    #: period → expected change of spending in 1.000 kr. (+ = merudgift); None: the projection has no such year
    pressure: dict[str, float | None]

    @property
    def label(self) -> str:
        return self.committee or "Hele kommunen"

    def suggestion(self) -> dict[str, float | None]:
        """period → the suggested target (1.000 kr., savings negative): −pressure, rounded to whole 1.000 kr."""
        return {p: None if v is None else 0.0 - round(v) for p, v in self.pressure.items()}


@dataclass
class CataloguePressure:
    """Demografiregulering for the catalogue's budget years (:func:`raaderum.analysis.demography.demographic_pressure`,
    converted from kr. to 1.000 kr.): per period the municipality's total over the areas covered, and per committee
    the sum over its areas in the municipality's own area → committee mapping."""

    lines: list[PressureLine]
    years: dict[str, int]  # period → calendar year
    covered: dict[str, bool]  # period → the projection has that year
    budget_years: list[int]  # the years the projection covers
    base_year: int
    accounts_year: int
    method_name: str
    prices: str
    projection: str

    @property
    def total(self) -> PressureLine:
        return self.lines[0]

    def line(self, committee: str | None) -> PressureLine | None:
        key = " ".join((committee or "").split()).casefold()
        return next((ln for ln in self.lines if " ".join(ln.committee.split()).casefold() == key), None)

    @property
    def sign(self) -> str:
        return PRESSURE_SIGN

    @property
    def suggestion_text(self) -> str:
        return SUGGESTION_TEXT

    @property
    def note(self) -> str:
        gap = [p for p, ok in self.covered.items() if not ok]
        years = f"{self.budget_years[0]}–{self.budget_years[-1]}" if self.budget_years else "ingen år"
        out = (f"Fremskrivning, ikke observerede tal: {self.method_name}. Ændring i forhold til {self.base_year} "
               f"(seneste observerede folketal) med regnskab {self.accounts_year} som enhedsudgift, "
               f"{self.prices[:1].lower() + self.prices[1:]}; omregnet fra kr. til 1.000 kr. Udvalgenes tal er "
               "summen over deres områder efter kommunens fordeling af områder på udvalg (ældreplejen uvægtet, som "
               "i kommunens i alt).")
        if gap:
            out += (f" Fremskrivningen dækker {years}; for {', '.join(p.upper() for p in gap)} er der intet tal "
                    "(–).")
        return out


def catalogue_pressure(engine: Engine, data: CatalogueData, release: Release) -> CataloguePressure:
    """The demographic pressure of the catalogue's municipality for the catalogue's B and BO1-BO3."""
    d = cached_pressure(release, data.municipality_code)
    by_year = {int(y): k for k, y in enumerate(d["budget_years"])}
    years = {p: period_year(data.budget_year, p) for p in PERIODS}
    covered = {p: years[p] in by_year for p in PERIODS}

    def thousands(changes: list[float | None]) -> float | None:
        known = [c for c in changes if c is not None]
        return sum(known) / 1000.0 if known else None

    total = {p: (d["total"][by_year[years[p]]]["change"] / 1000.0 if covered[p] else None) for p in PERIODS}
    lines = [PressureLine("", [a["name"] for a in d["areas"]], total)]
    mapping = committee_mapping(engine, data.municipality_code)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for a in d["areas"]:
        grouped.setdefault(mapping.get(a["id"], ""), []).append(a)
    for committee in sorted(c for c in grouped if c):
        areas = grouped[committee]
        lines.append(PressureLine(committee, [a["name"] for a in areas], {
            p: thousands([a["years"][by_year[years[p]]]["change"] for a in areas]) if covered[p] else None
            for p in PERIODS}))
    return CataloguePressure(lines, years, covered, [int(y) for y in d["budget_years"]], int(d["base_year"]),
                             int(d["accounts_year"]), str(d["method"]["name"]),
                             str(d["method"]["prices"].get("label") or d["provenance"].get("price_basis") or ""),
                             str(d["method"]["projection"]))


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
    #: the area's name ('' without an area); None = looked up when first asked
    area_label: str | None = None

    @property
    def id(self) -> int:
        return self.p.id

    @property
    def counted(self) -> bool:
        return counts(self.p)

    @property
    def area_name(self) -> str:
        if self.area_label is None:
            self.area_label = area_names().get(self.p.area_id or "", "") if self.p.area_id else ""
        return self.area_label

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
    #: the demographic pressure next to the targets (built with ``with_demography``; None otherwise)
    pressure: CataloguePressure | None = None
    pressure_note: str = ""

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
        if self.pressure is not None:
            lines.append(("Demografisk pres", f"{self.pressure.note} {self.pressure.sign} {self.pressure.projection}"))
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
                 with_followup: bool = True, with_demography: bool = False) -> CatalogueReport:
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
    names = area_names()
    views = []
    for p in props:
        gap = gaps.get(p.area_id or "")
        text, sample = _source_text(p, sources.get(p.source_proposal_id or 0))
        views.append(ProposalView(p, gap, gap_share(p, gap), gap_share_text(p, gap, names), text, sample,
                                  scen_names[p.id], hist.get(p.id, []),
                                  names.get(p.area_id or "", "") if p.area_id else ""))
    groups, note = (_followups(release, code, data.budget_year, props) if with_followup else ([], ""))
    pressure, pressure_note = None, ""
    if with_demography:
        try:
            pressure = catalogue_pressure(engine, data, release)
        except RaaderumError as e:  # e.g. a municipality without the population data: the page still shows
            pressure_note = f"Det demografiske pres kan ikke beregnes for kommunen: {e}"
    return CatalogueReport(data, name, chosen, sc, views, rows, res, gaps, groups, note, release,
                           pressure=pressure, pressure_note=pressure_note)


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


__all__ = ["PRESSURE_SIGN", "SUGGESTION_TEXT", "XLSX_SIGNED", "XLSX_SIGNED1", "AreaGap", "CataloguePressure",
           "CatalogueReport", "FollowupGroup", "PressureLine", "ProposalView", "area_gaps", "build_report",
           "cached_benchmark", "cached_pressure", "catalogue_pressure", "fmt_signed", "fmt_staff", "fmt_when",
           "gap_share", "gap_share_text", "signed_words", "status_text"]
