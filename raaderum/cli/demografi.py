"""`raaderum demografi`: demografiregulering of one municipality for B and BO1-BO3 (text, ``--json``, ``--xlsx``)."""

from __future__ import annotations

from pathlib import Path

import typer

from raaderum.cli._common import app, handles_errors, print_json, wide_console


@app.command("demografi")
@handles_errors
def demografi(
    kommune: str = typer.Argument(..., help="Kommunekode eller navn, fx 751, Aarhus eller 'Høje Taastrup'."),
    omraade: str | None = typer.Option(None, "--omraade", "-o", help="Kun dette serviceområde, fx aeldre."),
    year: int | None = typer.Option(None, "--year", "-y",
                                    help="Regnskabsår for udgiften pr. person i målgruppen (standard: seneste)."),
    prices: str = typer.Option("faste", "--prices", help="Prisgrundlag: faste (standard) eller løbende."),
    base_year: int | None = typer.Option(None, "--base-year",
                                         help="Basisår for faste priser (standard: releasens, fx 2023)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Skriv tabellen som Excel-projektmappe til denne fil."),
) -> None:
    """Demografiregulering: forventet ændring i udgiften i B og BO1-BO3 alene pga. befolkningens udvikling."""
    from rich.table import Table  # lazy: start-up

    from raaderum.analysis.demography import demographic_pressure  # lazy: start-up
    from raaderum.formatting import MISSING, fmt_mio, fmt_number, fmt_pct  # lazy: start-up
    from raaderum.release.reader import open_release  # lazy: start-up

    rel = open_release()
    res = demographic_pressure(rel, kommune, omraade, prices=prices, base_year=base_year, year=year)
    if xlsx is not None:
        from raaderum.reports.demography_xlsx import write_demography_xlsx  # lazy: start-up

        write_demography_xlsx(res, xlsx)
    if as_json:
        print_json(res.to_dict())
        return
    con = wide_console()
    m = res.municipality
    labels = [f"{y['label']} {y['year']}" for y in res.total]
    con.print(f"[bold]Demografiregulering for {m.name} Kommune ({m.code}): fremskrivning "
              f"{res.budget_years[0]}-{res.budget_years[-1]} mod basisår {res.base_year}[/bold]")
    con.print(f"Ændring i udgiften fra basisåret (mio. kr., {res.provenance['price_basis']}), hvis udgiften pr. "
              f"person i målgruppen holdes på niveauet fra regnskab {res.accounts_year}. "
              + res.to_dict()["sign_convention"])
    t = Table()
    for c in ("Område", "Målgruppe", "Kr. pr. person", *labels, f"Bånd {res.total[-1]['label']}"):
        t.add_column(c, justify="left" if c in ("Område", "Målgruppe") else "right")

    def band(y: dict) -> str:
        b = y.get("band")
        return MISSING if not b else f"{fmt_mio(b['low'])} til {fmt_mio(b['high'])}"

    for a in res.areas:
        t.add_row(a.name, a.target_group_name, fmt_number(a.unit_cost),
                  *(fmt_mio(y["change"]) for y in a.years), band(a.years[-1]))
        if a.weighted:
            t.add_row(f"  {a.name}, aldersvægtet (antagelse)", "vægtet 67+", MISSING,
                      *(fmt_mio(y["change"]) for y in a.weighted["years"]), band(a.weighted["years"][-1]))
    t.add_row("[bold]I alt[/bold]", "", "", *(fmt_mio(x["change"]) for x in res.total), band(res.total[-1]))
    con.print(t)
    errs = ", ".join(f"{y['label']} {fmt_pct(y['rel_error'], 1)}" for y in res.areas[0].years
                     if y["rel_error"] is not None)
    con.print(f"Bånd: {res.method['band']} (fx {res.areas[0].name}: {errs}).")
    for a in res.areas:
        if a.weighted:
            con.print(f"Aldersvægtning ({a.name}) er en ANTAGELSE: " + ", ".join(
                f"{b['lo']}{'-' + str(b['hi']) if b['hi'] is not None else '+'} år: {b['weight']:g}"
                for b in a.weighted["bands"]) + f". {a.weighted['source']}")
        for n in a.notes:
            con.print(f"{a.name}: {n}")
    con.print(f"Fremskrivning, ikke observerede tal ({res.method['projection_method']}): {res.method['projection']}")
    if xlsx is not None:
        con.print(f"Projektmappe skrevet: {xlsx}")
    con.print(f"Kilde: Danmarks Statistik ({', '.join(res.provenance['tables'])}); {res.provenance['price_basis']}; "
              f"datarelease {res.provenance['release_id']}.")
