"""`raaderum kommuner` and `raaderum noegletal`."""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors, print_json, wide_console


@app.command("kommuner")
@handles_errors
def kommuner(as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """De 98 kommuner med kode, region og kommunegruppe."""
    from raaderum.release.reader import open_release  # lazy: start-up

    rel = open_release()
    munis = list(rel.register)
    if as_json:
        print_json({"release_id": rel.id, "municipalities": [m.to_dict() for m in munis]})
        return
    from rich.table import Table  # lazy: start-up

    t = Table(title=f"De {len(munis)} kommuner", caption="Kilde: Danmarks Statistik (KOMGRP)")
    for col in ("Kode", "Kommune", "Region", "Kommunegruppe"):
        t.add_column(col)
    for m in munis:
        t.add_row(str(m.code), m.name, m.region, m.group)
    wide_console().print(t)


@app.command("noegletal")
@handles_errors
def noegletal(
    kommune: str = typer.Argument(..., help="Kommunekode eller navn, fx 751, Aarhus eller 'Høje Taastrup'."),
    year: int | None = typer.Option(None, "--year", "-y", help="Regnskabsår (standard: seneste)."),
    prices: str = typer.Option("løbende", "--prices", help="Prisgrundlag: løbende eller faste."),
    base_year: int | None = typer.Option(None, "--base-year",
                                         help="Basisår for faste priser (standard: releasens, fx 2023)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Nøgletal for en kommune: nettodriftsudgifter pr. indbygger og pr. målgruppe, landstal og placering."""
    from rich.table import Table  # lazy: start-up

    from raaderum.analysis.key_figures import key_figures, round_to_precision  # lazy: start-up
    from raaderum.formatting import fmt_number, status_label  # lazy: start-up
    from raaderum.release.reader import open_release  # lazy: start-up

    rel = open_release()
    kf = key_figures(rel, kommune, year, prices=prices, base_year=base_year)
    if as_json:
        print_json(kf.to_dict())
        return
    con = wide_console()
    m = kf.municipality
    basis = kf.provenance["price_basis"]
    con.print(f"[bold]Nøgletal for {m.name} Kommune ({m.code}), regnskab {kf.year}[/bold]")
    con.print(f"Nettodriftsudgifter; prisgrundlag: {basis}. Placering: 1 = højeste udgift af "
              f"{kf.areas[0].ranked if kf.areas else 98} kommuner.")
    t = Table(title=f"Serviceområder ({basis.split(' (')[0].lower()})")
    for col in ("Område", "Kr. pr. indb.", "Landet", "Nr.", "Målgruppe", "Kr. pr. målgr.", "Landet", "Nr.",
                "Udgift i alt, mio. kr. (afledt)", "Status"):
        t.add_column(col, justify="right" if col not in ("Område", "Målgruppe", "Status") else "left")
    estimated = False
    for a in kf.areas:
        estimated |= a.status == "estimated" or a.per_target_status == "estimated"
        exp = round_to_precision(a.expenditure, a.expenditure_precision)
        t.add_row(a.name, fmt_number(a.per_inhabitant), fmt_number(a.national_per_inhabitant),
                  str(a.rank or "–"), a.target_group_name or "", fmt_number(a.per_target),
                  fmt_number(a.national_per_target), str(a.rank_per_target or "–"),
                  fmt_number(None if exp is None else exp / 1e6, 1),
                  status_label(a.status) + (f" / pr. målgr.: {status_label(a.per_target_status)}"
                                            if a.per_target_status and a.per_target_status != a.status else ""))
    con.print(t)
    con.print(f"Udgift i alt = kr. pr. indbygger × folketal ({status_label('derived')}), afrundet til den præcision, "
              "kildens hele kroner pr. indbygger giver.")
    t = Table(title=f"Funktioner (kontoplan, {basis.split(' (')[0].lower()})")
    for col in ("Funktion", "Kr. pr. indb.", "Landet", "Nr.", "Status"):
        t.add_column(col, justify="left" if col in ("Funktion", "Status") else "right")
    for f in kf.functions:
        t.add_row(f"{f.id} {f.name}"[:70], fmt_number(f.per_inhabitant), fmt_number(f.national_per_inhabitant),
                  str(f.rank or "–"), status_label(f.status))
    con.print(t)
    methods = sorted({mm for a in kf.areas for mm in a.methods})
    if estimated or methods:
        con.print("[italic]Skøn:[/italic] " + " ".join(rel.method_text(mm) for mm in methods))
    missing = [f.id for f in kf.functions if f.status == "missing"]
    if missing:
        con.print(f"Mangler ({', '.join(missing)}): {rel.method_text('function_not_in_chart')}")
    con.print(f"Kilde: Danmarks Statistik, {kf.provenance['table']} {kf.year}; {basis.lower()}; "
              f"datarelease {rel.id}.")
