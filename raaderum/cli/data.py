"""`raaderum data info|build|check|update|import-noegletal`: the data release in use, and making new ones."""

from __future__ import annotations

from pathlib import Path

import typer

from raaderum.cli._common import app, handles_errors, print_json

data_app = typer.Typer(help="Datareleasen: hvilken er i brug, og byg eller hent en ny.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("info")
@handles_errors
def info(as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Vis datareleasen i brug med kilder, år, kontrolsummer og skøn."""
    from rich.console import Console  # lazy: start-up

    from raaderum.release.reader import open_release  # lazy: start-up

    rel = open_release()
    m = rel.manifest
    if as_json:
        print_json({"path": str(rel.path), "checks": rel.checks, **m})
        return
    con = Console()
    con.print(f"[bold]Datarelease i brug:[/bold] {m['release_id']} ({m['description']})")
    con.print(f"Sti: {rel.path}")
    con.print(f"Bygget: {m['built_at']} af {m['builder']}; katalogversion {m['catalog_version']}")
    con.print(f"Mål: {m['measure']}; {m['accounts']}; {m['price_basis']}")
    y = m["years"]
    con.print(f"Regnskabsår: {y['expenditure'][0]}-{y['expenditure'][1]}; observeret folketal: "
              f"{'-'.join(map(str, y['population_observed']))}; aldersfordeling: "
              f"{', '.join(map(str, y['age_observed'])) or 'ingen'}")
    con.print(f"Kontrol ved indlæsning: {rel.checks['municipalities']} kommuner, "
              f"{rel.checks['national_rows_checked']} landstal genberegnet inden for tolerancen, "
              f"{rel.checks.get('population_totals_checked', 0)} folketal 1. januar lig Danmarks offentliggjorte "
              "(de 98 kommuner + Christiansø).")
    pi = m.get("price_index")
    if pi:
        con.print(f"Prisindeks til faste priser: {pi['name']} ({pi['label']}); standardbasisår "
                  f"{pi.get('default_base_year')}.")
    else:
        con.print("Intet prisindeks: tallene kan kun vises i løbende priser.")
    val = (m.get("method_validation") or {}).get("results", [])
    if val:
        con.print("[bold]Skønsmetodernes fejl på tilbageholdte datoer[/bold] (gennemsnitlig absolut afvigelse over "
                  "de 98 kommuner; i parentes første releases metode, 2021-andele)")
        for r in val:
            con.print(f"- {r['method']} {r['target_group']} {r['held_out']} ({r['horizon']} år): "
                      f"{r['mape'] * 100:.2f} % ({r['baseline_mape'] * 100:.2f} %)".replace(".", ","))
    con.print("[bold]Kilder[/bold]")
    for s in m["sources"]:
        con.print(f"- {s['title']} ({s['table'] or 'ingen tabel'}; {s['years'] or 'uden år'}). "
                  f"{s['attribution']}. Licens: {s['licence']}.")
        con.print(f"  Oprindelse: {s['provenance']}")
        for f in s["files"]:
            con.print(f"  {f['path']}  sha256 {f['sha256']}")
    con.print("[bold]Skøn og manglende værdier[/bold] (markeret pr. værdi i releasen)")
    for k, v in {**m["methods"], **m["missing_reasons"]}.items():
        con.print(f"- {k}: {v}")
    con.print(m["attribution"])


@data_app.command("build")
@handles_errors
def build(
    out: Path = typer.Option(None, "--out", help="Mappe til den nye release (standard: den indlejrede)."),
    raw: Path = typer.Option(None, "--raw", help="Mappe med rådata (standard: data/raw)."),
) -> None:
    """Byg datareleasen reproducerbart fra rådatafilerne i data/raw."""
    from raaderum.release.build import build_release  # lazy: start-up
    from raaderum.release.raw_inputs import read_raw_inputs  # lazy: start-up
    from raaderum.release.reader import check_release, embedded_release_dir  # lazy: start-up

    target = out or embedded_release_dir()
    inputs = read_raw_inputs(raw)
    build_release(inputs, target, overwrite=out is None)
    summary = check_release(target)
    typer.echo(f"Datarelease bygget i {target}: {summary['municipalities']} kommuner, "
               f"{summary['national_rows_checked']} landstal kontrolleret.")


@data_app.command("check")
@handles_errors
def check(path: Path = typer.Argument(None, help="Mappe med en release (standard: den i brug).")) -> None:
    """Kontrollér en datarelease (kontrolsummer, 98 kommuner, nøgler, landstal)."""
    from raaderum.release.reader import check_release, current_release_dir  # lazy: start-up

    target = path or current_release_dir()
    summary = check_release(target)
    typer.echo(f"OK: {target} ({summary['municipalities']} kommuner, {summary['national_rows_checked']} "
               "landstal kontrolleret).")


@data_app.command("update")
@handles_errors
def update(
    years: str = typer.Option(None, "--years", help="Regnskabsår, fx 2016-2024 (standard: alle i REGK31)."),
    base_url: str = typer.Option(None, "--base-url", help="API-adresse (standard: https://api.statbank.dk/v1)."),
) -> None:
    """Hent en ny release fra Danmarks Statistiks API; skift kun til den, når den er komplet og kontrolleret."""
    from rich.console import Console  # lazy: start-up

    from raaderum.errors import InputError  # lazy: start-up
    from raaderum.release.statbank import DEFAULT_BASE_URL, StatbankClient  # lazy: start-up
    from raaderum.release.update import update_release  # lazy: start-up

    span = None
    if years:
        a, _, b = years.partition("-")
        if not (a.isdigit() and (not b or b.isdigit())):
            raise InputError(f"--years skal være et år eller et interval som 2016-2024, ikke {years!r}.")
        span = range(int(a), int(b or a) + 1)
    con = Console(stderr=True)
    with StatbankClient(base_url or DEFAULT_BASE_URL) as client:
        result = update_release(client, years=span, progress=lambda msg: con.print(msg))
    typer.echo(f"Ny datarelease i brug: {result.release_id} ({result.years[0]}-{result.years[1]}), "
               f"i {result.release_dir}. Forrige: {result.previous_id}.")
    if result.price_index:
        typer.echo(f"Prisindeks til faste priser: {result.price_index.get('name')} "
                   f"({result.price_index.get('label')}).")


@data_app.command("import-noegletal")
@handles_errors
def import_noegletal_cmd(
    file: Path = typer.Argument(..., help="CSV-eksport fra noegletal.dk (Latin-1, semikolon, danske tal)."),
) -> None:
    """Læs en eksport fra noegletal.dk ind i en ny datarelease; skift kun til den, når den er kontrolleret."""
    from rich.console import Console  # lazy: start-up

    from raaderum.release.noegletal import import_noegletal  # lazy: start-up

    con = Console(stderr=True)
    result = import_noegletal(file, progress=lambda msg: con.print(msg))
    typer.echo(f"Ny datarelease i brug: {result.release_id} ({result.years[0]}-{result.years[1]}), "
               f"i {result.release_dir}. Forrige: {result.previous_id}.")
