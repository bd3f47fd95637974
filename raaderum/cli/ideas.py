"""`raaderum ideas ...`: the idea bank (Idébanken) on the command line. Thin: parse, call raaderum.ideas, print.

Register in the main CLI with ``app.add_typer(ideas.app, name="ideas")``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from raaderum.cli._common import handles_errors, print_json
from raaderum.errors import InputError

if TYPE_CHECKING:  # the package raaderum.ideas imports openpyxl and the search stack: only for type checkers
    from raaderum.ideas.records import ProposalRecord
    from raaderum.store.ideas import IdeaStore

app = typer.Typer(help="Idébanken: råderumsforslag fra kommunernes budgetter (import, søgning, lignende forslag).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def sample_notice() -> str:
    """The notice printed above lists that hold sample proposals."""
    from raaderum.ideas.records import SAMPLE_BATCH_NAME  # lazy: start-up

    return (f"Bemærk: idébanken indeholder eksempeldata ({SAMPLE_BATCH_NAME}); "
            "forslag mærket [EKSEMPEL] er ikke rigtige kommuners forslag.")


def _open_store(*, with_sample: bool = True) -> IdeaStore:
    from raaderum.store.ideas import IdeaStore  # lazy: start-up

    store = IdeaStore()
    store.migrate()
    if with_sample:
        store.ensure_sample()
    return store


def _plain(html_text: str) -> str:
    """Highlighted HTML → Rich markup (marks in bold yellow)."""
    from rich.markup import escape  # lazy: start-up

    parts = re.split(r"(<mark>.*?</mark>)", html_text)
    out = []
    for part in parts:
        if part.startswith("<mark>"):
            out.append(f"[bold yellow]{escape(html.unescape(part[6:-7]))}[/bold yellow]")
        else:
            out.append(escape(html.unescape(part)))
    return "".join(out)


def _amounts(r: ProposalRecord) -> str:
    from raaderum.ideas.amounts import format_amount  # lazy: start-up

    text = " / ".join(f"{label} {format_amount(v)}" for label, v in zip(("B", "BO1", "BO2", "BO3"), r.amounts,
                                                                       strict=True))
    if r.one_off_investment is not None:
        text += f"; engangsinvestering {format_amount(r.one_off_investment)}"
    return text + " (1.000 kr., besparelser negative)"


def _header(r: ProposalRecord) -> str:
    tag = "[EKSEMPEL] " if r.is_sample else ""
    area = r.area_name or (f"{r.area_text} (ikke i kataloget)" if r.area_text else "intet område")
    kind = r.type_name or (f"{r.type_text} (ukendt type)" if r.type_text else "ingen type")
    return (f"{tag}#{r.id} {r.municipality_name} ({r.municipality_code}), budget {r.budget_year} · {area} · "
            f"{kind} · {r.committee_text or 'intet udvalg'}")


#: Exit code of `ideas import` when a sheet's mapping needs the operator's decision (nothing was written).
EXIT_NEEDS_DECISION = 4


@app.command("import")
@handles_errors
def import_(
    file: Path = typer.Argument(..., help="Excel-fil (.xlsx) med forslag, fx KL's databaseværktøj."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Vis rapporten og kolonnekortet uden at gemme noget."),
    as_json: bool = typer.Option(False, "--json", help="Skriv rapporten som JSON."),
    savings_positive: bool = typer.Option(False, "--besparelser-positive", "--savings-positive",
                                          help="Filen skriver besparelser som positive tal; vend fortegnet."),
    maps: list[str] = typer.Option([], "--map", help="Ret en kolonne: \"H=type\" eller \"Ark 2!H=titel\" "
                                                     "(gentag for flere; \"H=\" gemmer kolonnen som kildefelt)."),
    unit: str | None = typer.Option(None, "--unit", help="Beløbenes enhed: kr, 1000kr eller mio."),
    kommune: str | None = typer.Option(None, "--kommune", help="Kommunen, når arket ikke har en kommunekolonne."),
    budgetaar: int | None = typer.Option(None, "--budgetaar", help="Budgetåret, når arket ikke har et."),
    header_rows: str | None = typer.Option(None, "--header-rows", help="Kolonnehovedets rækker, fx 4,5."),
    yes: bool = typer.Option(False, "--yes", help="Bekræft det foreslåede kolonnekort og importér."),
    profile: str | None = typer.Option(None, "--gem-profil", help="Gem det bekræftede kolonnekort som en "
                                                                   "layoutprofil med dette navn."),
) -> None:
    """Importér forslag fra en Excel-fil i et hvilket som helst layout; hver række rapporteres som importeret,
    afvist eller sprunget over. Kræver arket en beslutning (tvetydige kolonner, enhed eller fortegn), stopper
    importen med kolonnekortet og exitkode 4, indtil det er rettet (--map, --unit) eller bekræftet (--yes)."""
    if not file.exists():
        raise InputError(f"Filen {str(file)!r} findes ikke.")
    from raaderum.ideas.layouts import parse_overrides  # lazy: start-up
    from raaderum.server.imports import import_workbook  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    overrides = parse_overrides(maps, unit=unit, savings_positive=True if savings_positive else None,
                                municipality=kommune, budget_year=budgetaar, header_rows=header_rows)
    store = _open_store(with_sample=False)
    try:
        report = import_workbook(store, SYSTEM_ACTOR, file, dry_run=dry_run,
                                 savings_positive=True if savings_positive else None, overrides=overrides or None,
                                 accept=yes, save_profile_as=profile)
    finally:
        store.close()
    if as_json:
        print_json(report.to_dict())
    else:
        typer.echo(report.summary_text())
    if report.stopped:
        raise typer.Exit(EXIT_NEEDS_DECISION)


profiles_app = typer.Typer(help="Layoutprofiler: gemte, bekræftede kolonnekort til import af projektmapper.",
                           no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(profiles_app, name="profiler")


@profiles_app.command("list")
@handles_errors
def profiles_list(as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Vis de gemte layoutprofiler."""
    from raaderum.store.import_profiles import list_profiles  # lazy: start-up

    store = _open_store(with_sample=False)
    try:
        profiles = list_profiles(store)
    finally:
        store.close()
    if as_json:
        print_json([p.to_dict() for p in profiles])
        return
    if not profiles:
        typer.echo("Der er ingen gemte layoutprofiler endnu (gem en med 'ideas import FIL --yes --gem-profil NAVN').")
    for p in profiles:
        mapped = sum(1 for f in p.columns.values() if f)
        typer.echo(f"{p.name}: {mapped} kolonner kortlagt, enhed {p.unit or 'fra arket'}, "
                   f"signatur {p.signature[:12]}…")


@profiles_app.command("export")
@handles_errors
def profiles_export(out: Path = typer.Option(..., "--out", help="JSON-fil at skrive.")) -> None:
    """Gem alle layoutprofiler i en JSON-fil (kan læses ind igen med backup/restore)."""
    import json  # lazy: start-up

    from raaderum.store.import_profiles import export_profiles  # lazy: start-up

    store = _open_store(with_sample=False)
    try:
        data = export_profiles(store)
    finally:
        store.close()
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"Layoutprofilerne er skrevet til {out}.")


@profiles_app.command("delete")
@handles_errors
def profiles_delete(name: str = typer.Argument(..., help="Profilens navn.")) -> None:
    """Slet en layoutprofil (revisionsloggen får en række)."""
    from raaderum.server.imports import delete_profile  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    store = _open_store(with_sample=False)
    try:
        delete_profile(store, SYSTEM_ACTOR, name)
    finally:
        store.close()
    typer.echo(f"Layoutprofilen {name!r} er slettet.")


@app.command("list")
@handles_errors
def list_(
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
    kommune: str = typer.Option(None, "--kommune", help="Kun forslag fra denne kommune (navn eller kode)."),
    year: int = typer.Option(None, "--year", help="Kun forslag fra dette budgetår."),
) -> None:
    """Vis alle gemte forslag med de normaliserede felter og kilde (fil, ark, række)."""
    from rich.console import Console  # lazy: start-up
    from rich.markup import escape  # lazy: start-up

    store = _open_store()
    try:
        code = store.register.resolve(kommune).code if kommune else None
        records = store.list(municipality_code=code, budget_year=year)
    finally:
        store.close()
    if as_json:
        print_json({"count": len(records), "amount_unit": "1.000 kr.; besparelser negative",
                    "sample_notice": sample_notice() if any(r.is_sample for r in records) else None,
                    "proposals": [r.to_dict() for r in records]})
        return
    con = Console(highlight=False)
    if any(r.is_sample for r in records):
        con.print(f"[italic]{escape(sample_notice())}[/italic]")
    con.print(f"{len(records)} forslag")
    for r in records:
        con.print(f"[bold]{escape(r.display_title)}[/bold]")
        con.print(f"  {escape(_header(r))}")
        con.print(f"  {escape(_amounts(r))}")
        con.print(f"  Kilde: {escape(r.source_file)}, ark {escape(r.source_sheet)!s}, række {r.source_row}")


@app.command("search")
@handles_errors
def search(
    query: str = typer.Argument(..., help="Søgetekst på dansk, fx 'gadelys' eller 'velfærdsteknologi'."),
    area: str = typer.Option(None, "--area", help="Fagområde (id eller navn, fx aeldre eller Ældrepleje)."),
    type_: str = typer.Option(None, "--type", help="Forslagstype, fx effektivisering."),
    kommune: str = typer.Option(None, "--kommune", help="Kommune (navn eller kode)."),
    year: int = typer.Option(None, "--year", help="Budgetår."),
    limit: int = typer.Option(10, "--limit", min=0, max=500, help="Højst så mange resultater."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Søg i idébanken (ordstammer, sammensatte ord og synonymer) med facetter."""
    from rich.console import Console  # lazy: start-up
    from rich.markup import escape  # lazy: start-up

    from raaderum.ideas.search import SearchFilters  # lazy: start-up
    from raaderum.store.quick_search import quick_search  # lazy: start-up

    # A current index file answers without opening the store (no SQLAlchemy); otherwise the ordinary path.
    result = None if kommune else quick_search(query, SearchFilters(area=area, type=type_, year=year), limit)
    if result is None:
        store = _open_store()
        try:
            if kommune:
                kommune = str(store.register.resolve(kommune).code)
            result = store.search(query, SearchFilters(area=area, type=type_, municipality=kommune, year=year),
                                  limit=limit)
        finally:
            store.close()
    if as_json:
        print_json(result.to_dict())
        return
    con = Console(highlight=False)
    if result.has_sample:
        con.print(f"[italic]{escape(sample_notice())}[/italic]")
    con.print(f"{result.total} forslag matcher {query!r}; viser {len(result.hits)}.")
    if result.expansions:
        con.print("Søgningen omfatter også: " + escape(", ".join(result.expansions)))
    for h in result.hits:
        con.print(f"[bold]{_plain(h.title_html)}[/bold]")
        con.print(f"  {escape(_header(h.record))}")
        con.print(f"  {_plain(h.snippet_html)}")
        con.print(f"  {escape(_amounts(h.record))}")
    for name, label in (("area", "Fagområde"), ("type", "Type"), ("year", "Budgetår"),
                        ("amount_band", "Beløb")):
        values = result.facets.get(name, [])
        if values:
            con.print(f"{label}: " + escape(", ".join(f"{v.label} ({v.count})" for v in values[:8])))


@app.command("similar")
@handles_errors
def similar(
    proposal_id: int = typer.Argument(..., help="Forslagets nummer (fra list eller search)."),
    limit: int = typer.Option(10, "--limit", min=1, max=100, help="Højst så mange forslag."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Vis forslag, der ligner et givet forslag (fra andre kommuner og år)."""
    from rich.console import Console  # lazy: start-up
    from rich.markup import escape  # lazy: start-up

    store = _open_store()
    try:
        base = store.get(proposal_id)
        hits = store.similar(proposal_id, limit)
    finally:
        store.close()
    if as_json:
        print_json({"proposal": base.to_dict(), "method": "cosinus-lighed mellem BM25-vægtede ordstammer",
                    "similar": [h.to_dict() for h in hits]})
        return
    con = Console(highlight=False)
    con.print(f"Forslag som ligner: [bold]{escape(base.display_title)}[/bold]")
    con.print(f"  {escape(_header(base))}")
    if not hits:
        con.print("Ingen lignende forslag fundet.")
    for h in hits:
        con.print(f"{h.score:.2f}  [bold]{escape(h.record.display_title)}[/bold]")
        con.print(f"      {escape(_header(h.record))}")


@app.command("clusters")
@handles_errors
def clusters(
    threshold: float = typer.Option(0.5, "--threshold", min=0.05, max=1.0, help="Lighedstærskel (0-1)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Vis grupper af næsten ens forslag på tværs af kommuner og år."""
    store = _open_store()
    try:
        found = store.clusters(threshold)
    finally:
        store.close()
    if as_json:
        print_json({"threshold": threshold, "clusters": [c.to_dict() for c in found]})
        return
    typer.echo(f"{len(found)} grupper af næsten ens forslag (tærskel {threshold:.2f}).")
    for c in found:
        typer.echo(f"- {c.title}: {len(c.ids)} forslag fra {', '.join(c.municipalities)} "
                   f"({', '.join(map(str, c.years))}); numre {', '.join(map(str, c.ids))}")


@app.command("template")
@handles_errors
def template(
    xlsx: Path = typer.Option(..., "--xlsx", help="Hvor skabelonen skal gemmes (.xlsx)."),
) -> None:
    """Gem en Excel-skabelon til indsamling af forslag (med vejledning og rullelister)."""
    if xlsx.suffix.lower() != ".xlsx":
        raise InputError(f"Skabelonen skal gemmes som .xlsx, ikke {xlsx.suffix or 'uden filtype'}.")
    from raaderum.ideas.template import write_template  # lazy: start-up

    path = write_template(xlsx)
    typer.echo(f"Skabelon gemt i {path}.")


__all__ = ["app"]


@app.command("export")
@handles_errors
def export(
    kommune: str = typer.Option(..., "--kommune", help="Kommunen, pakken laves til (kode eller navn)."),
    udvalg: str = typer.Option(..., "--udvalg", help="Udvalget, som det hedder i kommunen (se `ideas udvalg`)."),
    xlsx: Path = typer.Option(..., "--xlsx", help="Excel-fil at skrive."),
    year: int | None = typer.Option(None, "--year", help="Regnskabsår for benchmark (standard: seneste)."),
    reference: str = typer.Option("peer_mean", "--reference", help="Referenceniveau for rækkefølgen."),
) -> None:
    """Udvalgspakke: andre kommuners forslag for udvalgets områder, ordnet efter kommunens mulighedsrum."""
    from raaderum.reports.committee_pack import build_committee_pack, write_committee_pack  # lazy: start-up

    store = _open_store()
    try:
        pack = build_committee_pack(kommune, udvalg, store=store, year=year, reference=reference)
        if xlsx.suffix.lower() != ".xlsx":
            raise InputError(f"Udvalgspakken skrives som .xlsx, ikke {xlsx.name!r}.")
        write_committee_pack(pack, xlsx)
    finally:
        store.close()
    areas = ", ".join(a.name for a in pack.areas)
    typer.echo(f"Udvalgspakke for {pack.committee} i {pack.municipality_name}: {pack.proposal_count} forslag fra "
               f"andre kommuner om {areas}; skrevet til {xlsx}.")
    if pack.has_sample:
        typer.echo("Bemærk: pakken indeholder eksempeldata (fiktive forslag), mærket i hver række.")


@app.command("udvalg")
@handles_errors
def udvalg(
    kommune: str = typer.Option(..., "--kommune", help="Kommune (kode eller navn)."),
    set_: list[str] = typer.Option([], "--set", help="OMRÅDE=Udvalgsnavn (tomt navn nulstiller til standard)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Vis eller ret kommunens udvalgsopdeling (hvilket fagudvalg hvert område hører under)."""
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up
    from raaderum.server.workspace import set_committee  # lazy: start-up
    from raaderum.store.committees import committee_entries  # lazy: start-up

    store = _open_store(with_sample=False)
    try:
        m = store.register.resolve(kommune)
        for item in set_:
            area, sep, name = item.partition("=")
            if not sep:
                raise InputError(f"--set skal have formen OMRÅDE=Udvalgsnavn, ikke {item!r}.")
            set_committee(store.engine, SYSTEM_ACTOR, m.code, area.strip(), name)
        entries = committee_entries(store, m.code)
    finally:
        store.close()
    if as_json:
        print_json({"municipality": {"code": m.code, "name": m.name},
                    "committees": [e.__dict__ for e in entries]})
        return
    typer.echo(f"Udvalgsopdeling i {m.name} Kommune:")
    for e in entries:
        typer.echo(f"  {e.area_name}: {e.committee}{' (standard)' if e.is_default else ''}")
