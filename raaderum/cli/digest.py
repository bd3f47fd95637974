"""`raaderum digest send`: the monthly digest "Råderum" by e-mail. Thin: the service
:func:`raaderum.server.digest.send_digests` does the work as the system actor (audited as ``system:cli``).

    raaderum digest send --dry-run --month 2026-03     print every recipient's digest; send and write nothing
    raaderum digest send                               send last month's digest to everyone who opted in

Sending is idempotent per user and month: a re-run skips those already sent and retries those that failed. A send
a stopped run left unfinished for over an hour is reported and resent only with --gensend-afbrudte. Exit code 0
when nothing failed, 3 when an e-mail failed or was left unfinished, or no SMTP server is set up (try again later),
2 on bad input.
"""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors, print_json

digest_app = typer.Typer(help="Nyhedsbrevet Råderum: månedens nyt på e-mail til dem, der har tilmeldt sig.",
                         no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(digest_app, name="digest")


@digest_app.command("send")
@handles_errors
def send(
    dry_run: bool = typer.Option(False, "--dry-run", help="Vis hver modtagers nyhedsbrev; send og gem intet."),
    month: str | None = typer.Option(None, "--month", help="Måneden som ÅÅÅÅ-MM (standard: sidste hele måned)."),
    resend_stuck: bool = typer.Option(False, "--gensend-afbrudte",
                                      help="Send igen til modtagere, hvis afsendelse blev afbrudt for over en time "
                                           "siden (det vides ikke, om e-mailen nåede frem)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv rapporten som JSON."),
) -> None:
    """Send månedens nyhedsbrev til alle aktive brugere, der har tilmeldt sig med en e-mailadresse."""
    from raaderum import config  # lazy: start-up
    from raaderum.cli.db import open_engine  # lazy: start-up
    from raaderum.server.digest import send_digests  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    engine = open_engine()
    try:
        report = send_digests(engine, config.current(), SYSTEM_ACTOR, month, dry_run=dry_run,
                              resend_stuck=resend_stuck)
    finally:
        engine.dispose()
    if as_json:
        data = report.to_dict()
        if dry_run:
            for row, result in zip(data["results"], report.results, strict=True):
                row["text"] = result.text
        print_json(data)
    else:
        what = "Tørløb (intet sendt, intet gemt)" if dry_run else "Afsendelse"
        typer.echo(f"{what} af nyhedsbrevet Råderum for {report.month}: {len(report.results)} modtager(e).")
        if not report.results:
            typer.echo("Ingen aktive brugere har tilmeldt sig nyhedsbrevet på e-mail.")
        for r in report.results:
            line = f"- {r.user_name} <{r.email}>: {r.label}, {r.items} punkt(er)"
            typer.echo(line + (f" – {r.error}" if r.error else ""))
            if dry_run and r.text:
                typer.echo("")
                typer.echo(r.text)
        counts = ", ".join(f"{n} {label}" for key, label in
                           (("sent", "sendt"), ("failed", "fejlede"), ("already_sent", "allerede sendt"),
                            ("empty", "tomme"), ("dry_run", "vist"), ("in_progress", "i gang"),
                            ("stuck", "afbrudt"))
                           if (n := report.count(key)))
        if counts:
            typer.echo(f"I alt: {counts}.")
    if report.failed:
        raise typer.Exit(3)
