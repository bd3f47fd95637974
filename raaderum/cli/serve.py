"""`raaderum serve`: the web application."""

from __future__ import annotations

import typer

from raaderum import config
from raaderum.cli._common import app, handles_errors


@app.command("serve")
@handles_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse at lytte på."),
    port: int = typer.Option(8000, "--port", help="Port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Antal arbejdsprocesser."),
) -> None:
    """Start webapplikationen (Råderumsoverblik, cockpit, idébank, vidensportal, API under /api/v1)."""
    import uvicorn  # lazy: start-up

    from raaderum.release.reader import open_release  # lazy: start-up
    from raaderum.store.backup import ensure_schema  # lazy: start-up
    from raaderum.store.ideas import IdeaStore  # lazy: start-up

    rel = open_release()  # fail early, with a clear message, if the release is broken
    # Prepare the app store once, before the workers start (they would otherwise race to create it). The
    # embedded SQLite file is migrated here; a server database must be migrated with `raaderum db migrate`.
    with IdeaStore() as store:
        ensure_schema(store.engine)
        store.ensure_sample()
    # Several workers share one database: each refreshes its search index in the background at most once a
    # second after a change made elsewhere, instead of rebuilding it inside a request.
    config.set_default("search_refresh_seconds", "1")
    typer.echo(f"Råderum kører på http://{host}:{port}/ (datarelease {rel.id}, {workers} arbejdsproces(ser)). "
               "Stop med Ctrl+C.")
    uvicorn.run("raaderum.web:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
