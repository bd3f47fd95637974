"""`raaderum users ...`: user accounts for the multi-user server (run by the operator on the server)."""

from __future__ import annotations

import getpass

import typer

from raaderum.cli._common import app, handles_errors, print_json
from raaderum.errors import InputError

users_app = typer.Typer(help="Brugere af Råderum-serveren: opret, vis og deaktivér.", no_args_is_help=True,
                        add_completion=False, pretty_exceptions_enable=False)
app.add_typer(users_app, name="users")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


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
    from sqlalchemy.orm import Session

    from raaderum.accounts import ROLES, add_user
    from raaderum.audit import record
    from raaderum.cli.db import open_engine

    if role not in ROLES:
        raise InputError(f"Ukendt rolle {role!r}; brug {', '.join(ROLES)}.")
    code = None
    if kommune:
        from raaderum.municipalities import MunicipalityRegister

        code = MunicipalityRegister.from_release().resolve(kommune).code
    if password is None:
        password = typer.prompt("Adgangskode", hide_input=True, confirmation_prompt=True)
    engine = open_engine()
    try:
        with Session(engine) as s, s.begin():
            user = add_user(s, name, role, password=password, municipality_code=code)
            record(s, _actor(), "user.add", "user", user.id, None, user.to_dict(), code)
            info = user.to_dict()
    finally:
        engine.dispose()
    where = f" i kommune {code}" if code else ""
    typer.echo(f"Brugeren {info['name']} er oprettet som {ROLES[role].lower()}{where}.")


@users_app.command("list")
@handles_errors
def list_(as_json: bool = typer.Option(False, "--json", help="Skriv brugerne som JSON.")) -> None:
    """Vis alle brugere med rolle, kommune og status."""
    from sqlalchemy.orm import Session

    from raaderum.accounts import list_users
    from raaderum.cli.db import open_engine

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
    from sqlalchemy.orm import Session

    from raaderum.accounts import disable_user, get_user
    from raaderum.audit import record
    from raaderum.cli.db import open_engine

    engine = open_engine()
    try:
        with Session(engine) as s, s.begin():
            before = get_user(s, name).to_dict()
            user = disable_user(s, name)
            record(s, _actor(), "user.disable", "user", user.id, before, user.to_dict(), user.municipality_code)
    finally:
        engine.dispose()
    typer.echo(f"Brugeren {name} er deaktiveret.")
