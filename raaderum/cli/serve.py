"""`raaderum serve`: the web application."""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors


@app.command("serve")
@handles_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse at lytte på."),
    port: int = typer.Option(8000, "--port", help="Port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Antal arbejdsprocesser."),
) -> None:
    """Start webapplikationen (Råderumsoverblik, cockpit, idébank, vidensportal, API under /api/v1)."""
    import uvicorn

    from raaderum.release import open_release

    from raaderum.ideas.store import IdeaStore

    rel = open_release()  # fail early, with a clear message, if the release is broken
    # Prepare the app store once, before the workers start (they would otherwise race to create it).
    with IdeaStore() as store:
        store.migrate()
        store.ensure_sample()
    typer.echo(f"Råderum kører på http://{host}:{port}/ (datarelease {rel.id}, {workers} arbejdsproces(ser)). "
               "Stop med Ctrl+C.")
    uvicorn.run("raaderum.web:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
