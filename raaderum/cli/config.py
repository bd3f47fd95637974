"""`raaderum config`: every setting of the registry (:mod:`raaderum.config`) with its value, secrets masked."""

from __future__ import annotations

import typer

from raaderum import config
from raaderum.cli._common import app, handles_errors, print_json

TYPE_LABELS = {"str": "tekst", "path": "sti", "bool": "ja/nej", "int": "heltal", "float": "tal"}


def _value_text(value: str | None, type_: str) -> str:
    if value is None:
        return "ikke sat"
    if type_ == "bool":
        return {"True": "ja", "False": "nej"}.get(value, value)
    return value


@app.command("config")
@handles_errors
def config_cmd(as_json: bool = typer.Option(False, "--json", help="Skriv JSON.")) -> None:
    """Vis alle indstillinger (miljøvariabler) med værdi, standard og forklaring; hemmeligheder skjules."""
    settings = config.current()
    shown = settings.shown()
    effective = {"home_dir": str(settings.home_dir),
                 "app_database_url": config.mask_secret(settings.app_database_url)}
    if as_json:
        print_json({"settings": shown, "effective": effective})
        return
    typer.echo("Råderums indstillinger (læses fra miljøvariablerne, når en kommando starter):")
    for s in shown:
        origin = (f"sat i miljøet; standard: {_value_text(s['default'], s['type'])}" if s["given"]
                  else "standard")
        typer.echo("")
        typer.echo(f"{s['env']} ({s['name']}, {TYPE_LABELS.get(s['type'], s['type'])})")
        typer.echo(f"  Værdi: {_value_text(s['value'], s['type'])} ({origin})")
        typer.echo(f"  {s['help']}")
    typer.echo("")
    typer.echo(f"Mappe i brug: {effective['home_dir']}")
    typer.echo(f"App-database i brug: {effective['app_database_url']}")
