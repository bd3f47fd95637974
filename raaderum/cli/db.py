"""`raaderum db ...`: the app store's schema. ``raaderum db migrate`` is THE documented way to create or upgrade the
database (run it once after installing or updating Råderum, before ``raaderum serve``)."""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors, print_json

db_app = typer.Typer(help="App-databasen (idébank, brugere, arbejdsrum): migrering og status.", no_args_is_help=True,
                     add_completion=False, pretty_exceptions_enable=False)
app.add_typer(db_app, name="db")


def open_engine(*, migrate_first: bool = False):  # type: ignore[no-untyped-def]
    """An engine on RAADERUM_DATABASE_URL (or the embedded SQLite file), checked to be at the newest schema."""
    from raaderum.store.backup import ensure_schema  # lazy: start-up
    from raaderum.store.engine import make_engine, migrate  # lazy: start-up

    engine = make_engine()
    try:
        if migrate_first:
            migrate(engine=engine)
        else:
            ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _where(engine) -> str:  # type: ignore[no-untyped-def]
    return engine.url.render_as_string(hide_password=True)


@db_app.command("migrate")
@handles_errors
def migrate_cmd() -> None:
    """Opret eller opdatér databasens tabeller til nyeste version (idempotent; kør efter hver opdatering)."""
    from raaderum.store.engine import current_revision, make_engine, migrate  # lazy: start-up

    engine = make_engine()
    try:
        before = current_revision(engine)
        migrate(engine=engine)
        after = current_revision(engine)
        where = _where(engine)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"Databasen {where} er allerede på nyeste version ({after}).")
    else:
        typer.echo(f"Databasen {where} er migreret fra {before or 'tom'} til {after}.")


@db_app.command("status")
@handles_errors
def status_cmd(as_json: bool = typer.Option(False, "--json", help="Skriv status som JSON.")) -> None:
    """Vis databasens adresse, version og antal rækker pr. tabel."""
    from raaderum.store.backup import _revisions, row_counts  # lazy: start-up
    from raaderum.store.engine import current_revision, make_engine  # lazy: start-up

    engine = make_engine()
    try:
        head, _ = _revisions()
        current = current_revision(engine)
        counts = row_counts(engine) if current else {}
        where = _where(engine)
    finally:
        engine.dispose()
    data = {"database": where, "revision": current, "head": head, "up_to_date": current == head, "rows": counts}
    if as_json:
        print_json(data)
        return
    typer.echo(f"Database: {where}")
    typer.echo(f"Version: {current or 'ikke oprettet'} (nyeste: {head})"
               + ("" if current == head else " - kør 'raaderum db migrate'"))
    for name, n in counts.items():
        typer.echo(f"  {name}: {n} rækker")
