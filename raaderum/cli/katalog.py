"""`raaderum katalog ...`: the municipality's råderumskatalog on the command line. Thin: parse, call the services of
:mod:`raaderum.server.catalogue` as the system actor (audited as ``system:cli``), print (Danish text or ``--json``).

Every command but ``new`` and ``list`` takes ``--katalog ID``; without it, the only catalogue in the app store is
used (more than one: the command lists them and asks for ``--katalog``). Amounts are in 1.000 kr. with savings
negative (``--b -1.250``), staff effect in årsværk (``--aarsvaerk -2,5``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from raaderum.cli._common import app as main_app
from raaderum.cli._common import handles_errors, print_json
from raaderum.errors import CatalogueNotFound, InputError
from raaderum.formatting import fmt_number

if TYPE_CHECKING:  # the store and the services pull in SQLAlchemy and the release: only for type checkers
    from sqlalchemy import Engine

    from raaderum.reports.catalogue_report import CatalogueReport

app = typer.Typer(help="Råderumskatalog: kommunens forslag pr. budgetår, mål, scenarier, udvalgsmateriale og "
                       "opfølgning.", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

KATALOG = typer.Option(None, "--katalog", help="Katalogets nummer (standard: det eneste katalog).")


_OPEN: list[Any] = []


def _engine() -> Engine:
    """The app store's engine (migrated, with the sample idea bank), closed when the command ends (:func:`_closes`)."""
    from raaderum.store.ideas import IdeaStore  # lazy: start-up

    store = IdeaStore()
    _OPEN.append(store)
    store.migrate()
    store.ensure_sample()
    return store.engine  # type: ignore[no-any-return]


def _closes(func: Callable[..., Any]) -> Callable[..., Any]:
    """Close the app stores a command opened, however it ends."""
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            while _OPEN:
                _OPEN.pop().close()

    return wrapper


def _catalogue_id(engine: Engine, katalog: int | None) -> int:
    from raaderum.store.catalogue import catalogues, get_catalogue  # lazy: start-up

    if katalog is not None:
        return int(get_catalogue(engine, katalog).id)
    found = catalogues(engine)
    if len(found) == 1:
        return int(found[0].id)
    if not found:
        raise CatalogueNotFound("Der er ingen råderumskataloger endnu; opret et med `raaderum katalog new`.")
    listed = "; ".join(f"{c.id}: {c.name} (kommune {c.municipality_code}, budget {c.budget_year})" for c in found)
    raise InputError(f"Der er {len(found)} kataloger; vælg et med --katalog ID ({listed}).")


def _actor() -> Any:
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    return SYSTEM_ACTOR


def _fields(**given: Any) -> dict[str, Any]:
    names = {"titel": "title", "beskrivelse": "description", "udvalg": "committee", "omraade": "area_id",
             "service": "consequences_service", "personale": "consequences_staff", "borgere": "consequences_citizens",
             "b": "amount_b", "bo1": "amount_bo1", "bo2": "amount_bo2", "bo3": "amount_bo3",
             "engang": "one_off_investment", "aarsvaerk": "staff_effect", "ansvarlig": "owner"}
    return {names[k]: v for k, v in given.items() if v is not None}


def _proposal_dict(p: Any) -> dict[str, Any]:
    from raaderum.store.audit import jsonable, snapshot  # lazy: start-up

    return jsonable(snapshot(p))  # type: ignore[no-any-return]


def _when(dt: Any) -> str:
    from raaderum.reports.catalogue_report import fmt_when  # lazy: start-up

    return fmt_when(dt, True)


def _signed(x: float | None, decimals: int = 0) -> str:
    from raaderum.reports.catalogue_report import fmt_signed  # lazy: start-up

    return fmt_signed(x, decimals)


# ------------------------------------------------------------------------------------------------ commands


@app.command("new")
@handles_errors
@_closes
def new(kommune: str = typer.Option(..., "--kommune", help="Kommunen (kode eller navn)."),
        budgetaar: int = typer.Option(..., "--budgetaar", help="Budgetåret (B), fx 2027."),
        navn: str = typer.Option(..., "--navn", help="Katalogets navn, fx 'Råderumskatalog 2027'."),
        reference: str = typer.Option("peer_mean", "--reference", help="Referenceniveau for benchmarkgab."),
        as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Opret et råderumskatalog for en kommune og et budgetår; skriver det nye katalogs nummer."""
    from raaderum.release.reader import open_release  # lazy: start-up
    from raaderum.server.catalogue import create_catalogue  # lazy: start-up

    m = open_release().register.resolve(kommune)
    c = create_catalogue(_engine(), _actor(), m.code, budgetaar, navn, reference=reference)
    if as_json:
        print_json({"id": c.id, "name": c.name, "municipality": {"code": m.code, "name": m.name},
                    "budget_year": c.budget_year, "reference": c.reference, "version": c.version})
        return
    typer.echo(str(c.id))
    typer.echo(f"Råderumskatalog nr. {c.id} «{c.name}» oprettet for {m.name} Kommune, budget {c.budget_year}.",
               err=True)


@app.command("list")
@handles_errors
@_closes
def list_(as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Vis alle råderumskataloger med nummer, kommune, budgetår og antal forslag."""
    from raaderum.release.reader import open_release  # lazy: start-up
    from raaderum.store.catalogue import catalogues, proposal_counts  # lazy: start-up

    engine = _engine()
    rows = catalogues(engine)
    n = proposal_counts(engine, [c.id for c in rows])
    reg = open_release().register
    out: list[dict[str, Any]] = [{"id": c.id, "name": c.name, "municipality": {"code": c.municipality_code,
                                                         "name": reg.by_code(c.municipality_code).name},
            "budget_year": c.budget_year, "proposals": n.get(c.id, 0)} for c in rows]
    if as_json:
        print_json({"catalogues": out})
        return
    if not out:
        typer.echo("Ingen råderumskataloger endnu (opret et med `raaderum katalog new`).")
    for c in out:
        typer.echo(f"{c['id']}: {c['name']} – {c['municipality']['name']}, budget {c['budget_year']}, "
                   f"{c['proposals']} forslag")


@app.command("add")
@handles_errors
@_closes
def add(katalog: int | None = KATALOG,
        fra_idebank: int | None = typer.Option(None, "--fra-idebank", help="Brug idébankens forslag nr. ID som "
                                                                            "eget forslag (kopi med kilde)."),
        titel: str | None = typer.Option(None, "--titel", help="Titel (kræves for et nyt forslag)."),
        beskrivelse: str | None = typer.Option(None, "--beskrivelse", help="Beskrivelse."),
        udvalg: str | None = typer.Option(None, "--udvalg", help="Udvalg (standard: områdets udvalg i kommunen)."),
        omraade: str | None = typer.Option(None, "--omraade", help="Område eller tema (id, fx aeldre)."),
        service: str | None = typer.Option(None, "--service", help="Konsekvenser for service."),
        personale: str | None = typer.Option(None, "--personale", help="Konsekvenser for personale."),
        borgere: str | None = typer.Option(None, "--borgere", help="Konsekvenser for borgerne."),
        b: str | None = typer.Option(None, "--b", help="B (budgetår), 1.000 kr., besparelse negativ."),
        bo1: str | None = typer.Option(None, "--bo1", help="BO1, 1.000 kr."),
        bo2: str | None = typer.Option(None, "--bo2", help="BO2, 1.000 kr."),
        bo3: str | None = typer.Option(None, "--bo3", help="BO3, 1.000 kr."),
        engang: str | None = typer.Option(None, "--engang", help="Engangsinvestering, 1.000 kr."),
        aarsvaerk: str | None = typer.Option(None, "--aarsvaerk", help="Personaleeffekt i årsværk (færre negativ)."),
        ansvarlig: str | None = typer.Option(None, "--ansvarlig", help="Ansvarlig."),
        as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Tilføj et forslag: et nyt, eller et fra idébanken (--fra-idebank ID); skriver forslagets nummer."""
    from raaderum.server.catalogue import add_proposal, adopt_proposal  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    fields = _fields(titel=titel, beskrivelse=beskrivelse, udvalg=udvalg, omraade=omraade, service=service,
                     personale=personale, borgere=borgere, b=b, bo1=bo1, bo2=bo2, bo3=bo3, engang=engang,
                     aarsvaerk=aarsvaerk, ansvarlig=ansvarlig)
    if fra_idebank is not None:
        p = adopt_proposal(engine, _actor(), cid, fra_idebank, fields)
    else:
        p = add_proposal(engine, _actor(), cid, fields)
    if as_json:
        print_json({"id": p.id, "catalogue_id": cid, "proposal": _proposal_dict(p)})
        return
    typer.echo(str(p.id))
    src = f" (fra idébankens nr. {p.source_proposal_id}, {p.source_municipality_name})" if p.source_proposal_id else ""
    typer.echo(f"Forslag nr. {p.id} «{p.title}» tilføjet til katalog nr. {cid}{src}; udvalg: {p.committee}.",
               err=True)


@app.command("set")
@handles_errors
@_closes
def set_(forslag: int = typer.Argument(..., help="Forslagets nummer i kataloget."),
         katalog: int | None = KATALOG,
         version: int | None = typer.Option(None, "--version", help="Ret kun, hvis forslaget stadig har denne "
                                                                     "version (optimistisk låsning)."),
         titel: str | None = typer.Option(None, "--titel", help="Titel."),
         beskrivelse: str | None = typer.Option(None, "--beskrivelse", help="Beskrivelse."),
         udvalg: str | None = typer.Option(None, "--udvalg", help="Udvalg."),
         omraade: str | None = typer.Option(None, "--omraade", help="Område eller tema (id; tomt = intet)."),
         service: str | None = typer.Option(None, "--service", help="Konsekvenser for service."),
         personale: str | None = typer.Option(None, "--personale", help="Konsekvenser for personale."),
         borgere: str | None = typer.Option(None, "--borgere", help="Konsekvenser for borgerne."),
         b: str | None = typer.Option(None, "--b", help="B, 1.000 kr. (tomt = ukendt)."),
         bo1: str | None = typer.Option(None, "--bo1", help="BO1, 1.000 kr."),
         bo2: str | None = typer.Option(None, "--bo2", help="BO2, 1.000 kr."),
         bo3: str | None = typer.Option(None, "--bo3", help="BO3, 1.000 kr."),
         engang: str | None = typer.Option(None, "--engang", help="Engangsinvestering, 1.000 kr."),
         aarsvaerk: str | None = typer.Option(None, "--aarsvaerk", help="Personaleeffekt i årsværk."),
         ansvarlig: str | None = typer.Option(None, "--ansvarlig", help="Ansvarlig."),
         as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Ret et forslags felter (kun de givne felter ændres)."""
    from raaderum.server.catalogue import edit_proposal  # lazy: start-up
    from raaderum.store.catalogue import get_proposal  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    current = get_proposal(engine, forslag)
    if current.catalogue_id != cid:
        raise InputError(f"Forslag nr. {forslag} er ikke i katalog nr. {cid}.")
    fields = _fields(titel=titel, beskrivelse=beskrivelse, udvalg=udvalg, omraade=omraade, service=service,
                     personale=personale, borgere=borgere, b=b, bo1=bo1, bo2=bo2, bo3=bo3, engang=engang,
                     aarsvaerk=aarsvaerk, ansvarlig=ansvarlig)
    if not fields:
        raise InputError("Angiv mindst ét felt at rette (fx --titel eller --b).")
    p = edit_proposal(engine, _actor(), forslag, current.version if version is None else version, fields)
    if as_json:
        print_json({"id": p.id, "proposal": _proposal_dict(p)})
        return
    amounts = ", ".join(f"{k.upper()} {_signed(getattr(p, f'amount_{k}'))}" for k in ("b", "bo1", "bo2", "bo3"))
    typer.echo(f"Forslag nr. {p.id} «{p.title}» gemt (version {p.version}): {amounts} (1.000 kr.).")


@app.command("status")
@handles_errors
@_closes
def status(forslag: int = typer.Argument(..., help="Forslagets nummer i kataloget."),
           ny: str = typer.Argument(..., help="idé, under_analyse, i_kataloget, vedtaget, fravalgt eller udsat."),
           katalog: int | None = KATALOG,
           note: str = typer.Option("", "--note", help="Bemærkning til statusændringen."),
           as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Skift et forslags status (gemmes med dato i forslagets historik)."""
    from raaderum.server.catalogue import set_status  # lazy: start-up
    from raaderum.store.catalogue import get_proposal, status_history, status_label  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    current = get_proposal(engine, forslag)
    if current.catalogue_id != cid:
        raise InputError(f"Forslag nr. {forslag} er ikke i katalog nr. {cid}.")
    p = set_status(engine, _actor(), forslag, current.version, ny, note)
    history = status_history(engine, p.id)
    if as_json:
        print_json({"id": p.id, "status": p.status, "history": [
            {"at": h.at.isoformat(), "from": h.from_status, "to": h.to_status, "by": h.by, "note": h.note}
            for h in history]})
        return
    typer.echo(f"Forslag nr. {p.id} «{p.title}»: {status_label(p.status)}.")
    for h in history:
        step = (f"{status_label(h.from_status)} → " if h.from_status else "") + status_label(h.to_status)
        typer.echo(f"  {_when(h.at)}: {step} ({h.by}){'. ' + h.note if h.note else ''}")


@app.command("target")
@handles_errors
@_closes
def target(katalog: int | None = KATALOG,
           udvalg: str | None = typer.Option(None, "--udvalg", help="Udvalget (standard: hele kataloget)."),
           b: str | None = typer.Option(None, "--b", help="Mål for B, 1.000 kr., besparelse negativ (fx -20.000)."),
           bo1: str | None = typer.Option(None, "--bo1", help="Mål for BO1."),
           bo2: str | None = typer.Option(None, "--bo2", help="Mål for BO2."),
           bo3: str | None = typer.Option(None, "--bo3", help="Mål for BO3."),
           as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Sæt råderumsmålet pr. år for hele kataloget eller ét udvalg (tomt beløb fjerner årets mål)."""
    from sqlalchemy import select  # lazy: start-up
    from sqlalchemy.orm import Session  # lazy: start-up

    from raaderum.server.catalogue import set_target  # lazy: start-up
    from raaderum.store.models import CatalogueTarget  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    amounts = {k: v for k, v in (("b", b), ("bo1", bo1), ("bo2", bo2), ("bo3", bo3)) if v is not None}
    if not amounts:
        raise InputError("Angiv mindst ét år (--b, --bo1, --bo2 eller --bo3).")
    name = " ".join((udvalg or "").split())
    with Session(engine) as s:
        rows = list(s.scalars(select(CatalogueTarget).where(CatalogueTarget.catalogue_id == cid)))
    row = next((t for t in rows if t.committee.casefold() == name.casefold()), None)
    t = set_target(engine, _actor(), cid, name, amounts, row.version if row else 0)
    if as_json:
        print_json({"catalogue_id": cid, "committee": t.committee or None,
                    "target": {k: getattr(t, f"amount_{k}") for k in ("b", "bo1", "bo2", "bo3")}})
        return
    shown = ", ".join(f"{k.upper()} {_signed(getattr(t, f'amount_{k}'))}" for k in ("b", "bo1", "bo2", "bo3"))
    typer.echo(f"Mål for {t.committee or 'hele kataloget'} gemt: {shown} (1.000 kr.; besparelse negativ).")


def _ids(text: str | None) -> list[str]:
    return [p for p in (text or "").replace(";", ",").replace(" ", ",").split(",") if p]


@app.command("scenario")
@handles_errors
@_closes
def scenario(navn: str = typer.Argument(..., help="Scenariets navn (oprettes, hvis det ikke findes)."),
             katalog: int | None = KATALOG,
             tilfoej: str | None = typer.Option(None, "--tilfoej", help="Forslag at tage med, fx 3,5,8."),
             fjern: str | None = typer.Option(None, "--fjern", help="Forslag at tage ud."),
             kun: str | None = typer.Option(None, "--kun", help="Præcis disse forslag (erstatter de valgte)."),
             beskrivelse: str | None = typer.Option(None, "--beskrivelse", help="Beskrivelse."),
             nyt_navn: str | None = typer.Option(None, "--nyt-navn", help="Omdøb scenariet."),
             slet: bool = typer.Option(False, "--slet", help="Slet scenariet (forslagene bliver i kataloget)."),
             as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Opret, ret eller slet et scenarie: et navngivet udvalg af katalogets forslag."""
    from raaderum.errors import ScenarioNotFound  # lazy: start-up
    from raaderum.server.catalogue import create_scenario, delete_scenario, edit_scenario  # lazy: start-up
    from raaderum.store.catalogue import load_catalogue  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    data = load_catalogue(engine, cid)
    try:
        sd = data.scenario(navn)
    except ScenarioNotFound:
        if slet:
            raise
        sd = None
    if slet:
        assert sd is not None
        delete_scenario(engine, _actor(), sd.scenario.id, sd.scenario.version)
        typer.echo(f"Scenariet «{sd.scenario.name}» er slettet.")
        return
    if sd is None:
        sc = create_scenario(engine, _actor(), cid, navn, description=beskrivelse or "",
                             proposal_ids=_ids(kun) or _ids(tilfoej))
    else:
        sc = edit_scenario(engine, _actor(), sd.scenario.id, sd.scenario.version, name=nyt_navn,
                           description=beskrivelse, proposal_ids=_ids(kun) if kun is not None else None,
                           add=_ids(tilfoej), remove=_ids(fjern))
    members = sorted(load_catalogue(engine, cid).scenario(sc.id).members)
    if as_json:
        print_json({"id": sc.id, "name": sc.name, "description": sc.description, "proposal_ids": members,
                    "version": sc.version})
        return
    typer.echo(f"Scenarie nr. {sc.id} «{sc.name}»: forslag {', '.join(map(str, members)) or 'ingen'}.")


def _report_json(r: CatalogueReport) -> dict[str, Any]:
    return {
        "catalogue": {"id": r.data.id, "name": r.catalogue.name, "budget_year": r.budget_year,
                      "reference": r.catalogue.reference, "version": r.catalogue.version},
        "municipality": {"code": r.data.municipality_code, "name": r.municipality_name},
        "committee": r.committee, "scenario": ({"id": r.scenario.scenario.id, "name": r.scenario.scenario.name}
                                               if r.scenario else None),
        "periods": {p: label for p, label in r.periods},
        "amount_unit": "1.000 kr.; besparelser negative",
        "totals": [t.to_dict() for t in r.totals],
        "proposals": [{**_proposal_dict(v.p), "gap": v.gap.potential if v.gap else None, "gap_share": v.share,
                       "benchmark": v.share_text, "source": v.source_text, "scenarios": v.scenarios,
                       "counted": v.counted} for v in r.proposals],
        "method": dict(r.method_lines()),
        "demographic_pressure": _pressure_json(r),
    }


def _pressure_json(r: CatalogueReport) -> dict[str, Any] | None:
    """The demographic pressure beside the targets (1.000 kr., + = merudgift), with the suggested targets."""
    pr = r.pressure
    if pr is None:
        return None
    return {"unit": "1.000 kr.; + = merudgift (flere i målgruppen)", "status": "fremskrivning", "note": pr.note,
            "sign": pr.sign, "suggestion": pr.suggestion_text, "years": pr.years,
            "lines": [{"committee": ln.committee, "label": ln.label, "areas": ln.areas, "pressure": ln.pressure,
                       "suggested_target": ln.suggestion()} for ln in pr.lines]}


def _print_pressure(r: CatalogueReport) -> None:
    pr = r.pressure
    if pr is None:
        return
    typer.echo("\nDemografisk pres (fremskrivning; 1.000 kr., + = merudgift):")
    for ln in pr.lines:
        if r.committee and ln.committee and ln.committee != r.committee:
            continue
        cells = "; ".join(f"{label.split()[0]} {_signed(ln.pressure.get(p))}" for p, label in r.periods)
        typer.echo(f"  {ln.label}: {cells}")
    typer.echo(f"  {pr.note}")
    typer.echo(f"  {pr.suggestion_text}")


def _print_totals(r: CatalogueReport) -> None:
    from rich.console import Console  # lazy: start-up
    from rich.table import Table  # lazy: start-up

    con = Console(highlight=False, width=None)
    table = Table(title=f"{r.title} – {r.municipality_name} Kommune – {r.committee_label} – {r.scenario_label}")
    table.add_column("Udvalg")
    table.add_column("Linje")
    for _, label in r.periods:
        table.add_column(label, justify="right")
    for t in r.totals:
        table.add_row(t.label, f"Forslag i alt ({t.count})", *(_signed(t.amounts[p]) for p, _ in r.periods))
        if t.has_target:
            table.add_row(t.label, "Mål", *(_signed(t.target[p]) for p, _ in r.periods))
            table.add_row(t.label, "Forskel (sum − mål)",
                          *(("–" if t.remaining[p] is None else
                             f"{_signed(t.remaining[p])} ({'nået' if t.reached(p) else 'ikke nået'})")
                            for p, _ in r.periods))
    con.print(table)


@app.command("show")
@handles_errors
@_closes
def show(katalog: int | None = KATALOG,
         scenario_: list[str] = typer.Option([], "--scenario", help="Scenarie (navn eller nummer); gentag for at "
                                                                    "sammenligne flere side om side."),
         udvalg: str | None = typer.Option(None, "--udvalg", help="Kun ét udvalg."),
         as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Vis summer pr. år og udvalg mod målet, og forslagene (for hele kataloget, et udvalg eller scenarier)."""
    from raaderum.reports.catalogue_report import build_report  # lazy: start-up
    from raaderum.store.catalogue import SIGN_NOTE, status_label  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    reports = [build_report(engine, cid, scenario=s, committee=udvalg, with_followup=False, with_demography=True)
               for s in (scenario_ or [None])]  # type: ignore[list-item]
    if as_json:
        if len(reports) == 1:
            print_json(_report_json(reports[0]))
        else:
            print_json({"comparison": [_report_json(r) for r in reports]})
        return
    typer.echo(SIGN_NOTE)
    for r in reports:
        _print_totals(r)
    _print_pressure(reports[0])
    if len(reports) == 1:
        r = reports[0]
        typer.echo(f"\n{len(r.proposals)} forslag:")
        for v in r.proposals:
            amounts = " / ".join(f"{label.split()[0]} {_signed(a)}" for (_, label), a in zip(r.periods, v.amounts(),
                                                                                               strict=True))
            typer.echo(f"  nr. {v.id} {v.p.title} [{v.p.committee}; {status_label(v.p.status)}]: {amounts}")
            typer.echo(f"      {v.share_text}")


@app.command("export")
@handles_errors
@_closes
def export(format_: str = typer.Option(..., "--format", help="pdf, docx eller xlsx."),
           out: Path = typer.Option(..., "--out", help="Filen, der skal skrives."),
           katalog: int | None = KATALOG,
           udvalg: str | None = typer.Option(None, "--udvalg", help="Kun ét udvalg (standard: alle)."),
           scenario_: str | None = typer.Option(None, "--scenario", help="Et scenarie (standard: hele kataloget)."),
           ) -> None:
    """Skriv udvalgsmaterialet (forside, summer pr. år mod mål, én side pr. forslag, metode) som PDF, Word eller
    Excel."""
    fmt = format_.strip().lower()
    if fmt not in ("pdf", "docx", "xlsx"):
        raise InputError(f"Ukendt format {format_!r}; brug pdf, docx eller xlsx.")
    from raaderum.reports.catalogue_report import build_report  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    r = build_report(engine, cid, scenario=scenario_, committee=udvalg, with_history=True)
    if fmt == "pdf":
        from raaderum.reports.catalogue_pdf import committee_pdf as write  # lazy: start-up (WeasyPrint)
    elif fmt == "docx":
        from raaderum.reports.catalogue_docx import committee_docx as write  # lazy: start-up (python-docx)
    else:
        from raaderum.reports.catalogue_xlsx import committee_xlsx as write  # lazy: start-up
    data = write(r)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    typer.echo(f"Udvalgsmateriale for {r.committee_label} ({r.scenario_label}), {len(r.proposals)} forslag, skrevet "
               f"til {out} ({fmt_number(len(data))} bytes).")


@app.command("opfoelgning")
@handles_errors
@_closes
def opfoelgning(katalog: int | None = KATALOG,
                as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Opfølgning på vedtagne forslag: forventet effekt ved siden af den observerede udvikling i regnskabet
    (korrigeret for målgruppe og priser). En sammenligning, ikke et bevis for effekt."""
    from raaderum.reports.catalogue_report import build_report  # lazy: start-up

    engine = _engine()
    cid = _catalogue_id(engine, katalog)
    r = build_report(engine, cid)
    if as_json:
        print_json({"catalogue": {"id": cid, "name": r.title, "budget_year": r.budget_year},
                    "municipality": {"code": r.data.municipality_code, "name": r.municipality_name},
                    "note": r.followup_note,
                    "areas": [{"area_id": g.area_id, "area_name": g.area_name,
                               "proposals": [{"id": p.id, "title": p.title} for p in g.proposals],
                               "note": g.note, "followup": g.result.to_dict() if g.result else None}
                              for g in r.followups]})
        return
    typer.echo(f"Opfølgning på {r.title} ({r.municipality_name} Kommune, budget {r.budget_year}).")
    typer.echo(r.followup_note)
    for g in r.followups:
        typer.echo(f"\n{g.area_name}: " + "; ".join(f"nr. {p.id} {p.title}" for p in g.proposals))
        res = g.result
        if res is None or not res.available:
            typer.echo(f"  {g.note or (res.reason if res else '')}")
            continue
        typer.echo(f"  Basisår {res.base_year}: {fmt_number(res.base_unit_cost)} kr. pr. person i målgruppen "
                   f"({res.prices}).")
        for y in res.years:
            obs = _signed(y.observed) if y.comparable else "ikke sammenlignet"
            change = _signed(y.change * 100, 1) + " %" if y.change is not None else "–"
            typer.echo(f"  {y.year} ({(y.period or '').upper()}): forventet effekt {_signed(y.expected)}, observeret "
                       f"udvikling i regnskabet {obs} (1.000 kr.; udgift pr. person {change})"
                       + (f" {y.note}" if y.note else ""))
        typer.echo(f"  {res.method}")


main_app.add_typer(app, name="katalog")

__all__ = ["app"]
