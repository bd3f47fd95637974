"""`raaderum users ...`: user accounts for the multi-user server (run by the operator on the server)."""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors, print_json
from raaderum.errors import InputError

users_app = typer.Typer(help="Brugere af Råderum-serveren: opret, vis og deaktivér.", no_args_is_help=True,
                        add_completion=False, pretty_exceptions_enable=False)
app.add_typer(users_app, name="users")


@users_app.command("add")
@handles_errors
def add(
    name: str = typer.Argument(..., help="Brugernavn (2-64 tegn: bogstaver, tal og . _ @ -)."),
    role: str = typer.Option(..., "--role", help="operator, editor eller reader."),
    kommune: str | None = typer.Option(None, "--kommune", help="Kommunens navn eller kode (krævet for editor)."),
    password: str | None = typer.Option(None, "--password",
                                        help="Adgangskode (mindst 10 tegn); uden flaget spørges der skjult."),
) -> None:
    """Opret en bruger med en rolle (og for redaktører en kommune)."""
    from raaderum.cli.db import open_engine  # lazy: start-up
    from raaderum.server.accounts import ROLES, add_user  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    if role not in ROLES:
        raise InputError(f"Ukendt rolle {role!r}; brug {', '.join(ROLES)}.")
    code = None
    if kommune:
        from raaderum.release.reader import current_register  # lazy: start-up

        code = current_register().resolve(kommune).code
    if password is None:
        password = typer.prompt("Adgangskode", hide_input=True, confirmation_prompt=True)
    engine = open_engine()
    try:
        info = add_user(engine, SYSTEM_ACTOR, name, role, password=password, municipality_code=code).to_dict()
    finally:
        engine.dispose()
    where = f" i kommune {code}" if code else ""
    typer.echo(f"Brugeren {info['name']} er oprettet som {ROLES[role].lower()}{where}.")


@users_app.command("list")
@handles_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Skriv brugerne som JSON.")) -> None:
    """Vis alle brugere med rolle, kommune og status."""
    from sqlalchemy.orm import Session  # lazy: start-up

    from raaderum.cli.db import open_engine  # lazy: start-up
    from raaderum.server.accounts import list_users  # lazy: start-up

    engine = open_engine()
    try:
        with Session(engine) as s:
            users = [u.to_dict() | {"role_label": u.role_label} for u in list_users(s)]
    finally:
        engine.dispose()
    if as_json:
        print_json(users)
        return
    if not users:
        typer.echo("Der er ingen brugere endnu. Opret en med 'raaderum users add NAVN --role operator'.")
        return
    for u in users:
        status = "deaktiveret" if u["disabled"] else "aktiv"
        kommune = f", kommune {u['municipality_code']}" if u["municipality_code"] else ""
        typer.echo(f"{u['name']}\t{u['role_label']}{kommune}\t{status}")


@users_app.command("disable")
@handles_errors
def disable(name: str = typer.Argument(..., help="Brugernavnet.")) -> None:
    """Deaktivér en bruger: den kan ikke længere logge ind, og dens sessioner afsluttes."""
    from raaderum.cli.db import open_engine  # lazy: start-up
    from raaderum.server.accounts import disable_user  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    engine = open_engine()
    try:
        disable_user(engine, SYSTEM_ACTOR, name)
    finally:
        engine.dispose()
    typer.echo(f"Brugeren {name} er deaktiveret.")
