"""`raaderum backup FILE` / `raaderum restore FILE`: all app data to and from one JSON file."""

from __future__ import annotations

from pathlib import Path

import typer

from raaderum.cli._common import app, fail, handles_errors


@app.command("backup")
@handles_errors
def backup_cmd(file: Path = typer.Argument(..., help="Backupfil (JSON) at skrive.")) -> None:
    """Gem alle app-data (idébank, brugere, kortlister, noter, revisionslog) i én fil."""
    from raaderum.cli.db import open_engine  # lazy: start-up
    from raaderum.store.backup import backup  # lazy: start-up

    engine = open_engine()
    try:
        counts = backup(engine, file)
    finally:
        engine.dispose()
    typer.echo(f"Backup skrevet til {file}: " + ", ".join(f"{n} {c}" for n, c in counts.items()) + " rækker.")


@app.command("restore")
@handles_errors
def restore_cmd(
    file: Path = typer.Argument(..., help="Backupfil skrevet af 'raaderum backup'."),
    yes: bool = typer.Option(False, "--yes", help="Slet alle nuværende data i databasen før gendannelsen."),
) -> None:
    """Gendan alle app-data fra en backup (i én transaktion; databasen skal være tom, eller brug --yes)."""
    from raaderum.server.backups import restore_backup  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up
    from raaderum.store.backup import read_backup  # lazy: start-up
    from raaderum.store.engine import make_engine  # lazy: start-up

    read_backup(file)  # a clear message for a bad file before touching the database
    engine = make_engine()
    try:
        counts = restore_backup(engine, SYSTEM_ACTOR, file, wipe=yes)
    finally:
        engine.dispose()
    if not counts:
        fail("Backuppen indeholdt ingen tabeller.")
    typer.echo(f"Gendannet fra {file}: " + ", ".join(f"{n} {c}" for n, c in counts.items()) + " rækker. "
               "Alle brugere skal logge ind igen.")
