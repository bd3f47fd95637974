"""`raaderum netvaerk ...`: the operator's råderum networks on the command line. Thin: parse, call the services of
:mod:`raaderum.server.network` as the system actor (audited as ``system:cli``), print (Danish text or ``--json``).

Municipalities are given by code or name (``--kommuner 101,147,Frederiksberg``), a network by name or number.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import typer

from raaderum.cli._common import app as main_app
from raaderum.cli._common import handles_errors, print_json

if TYPE_CHECKING:  # the store and the services pull in SQLAlchemy and the release: only for type checkers
    from sqlalchemy import Engine

app = typer.Typer(help="Råderumsnetværk: netværk af kommuner med medlemmer og koordinatorer (operatørens værktøj).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

_OPEN: list[Any] = []


def _engine() -> Engine:
    from raaderum.store.ideas import IdeaStore  # lazy: start-up

    store = IdeaStore()
    _OPEN.append(store)
    store.migrate()
    return store.engine  # type: ignore[no-any-return]


def _closes(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            while _OPEN:
                _OPEN.pop().close()

    return wrapper


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _summary(engine: Engine, network_id: int) -> dict[str, Any]:
    from sqlalchemy.orm import Session  # lazy: start-up

    from raaderum.release.reader import current_register  # lazy: start-up
    from raaderum.store import network as reads  # lazy: start-up
    from raaderum.store.models import Network  # lazy: start-up

    reg = current_register()
    with Session(engine) as s:
        n = s.get(Network, network_id)
        assert n is not None
        codes = reads.member_codes(s, n.id)
        return {"id": n.id, "name": n.name, "description": n.description,
                "members": [{"code": c, "name": reg.by_code(c).name} for c in codes],
                "coordinators": [u.name for u in reads.coordinators(s, n.id)],
                "shares": len(reads.shares_of(s, n.id)), "meetings": len(reads.meetings_of(s, n.id)),
                "created_at": n.created_at.isoformat() if n.created_at else None}


def _print(summary: dict[str, Any]) -> None:
    members = ", ".join(f"{m['name']} ({m['code']})" for m in summary["members"]) or "ingen"
    typer.echo(f"Netværk nr. {summary['id']}: {summary['name']}")
    typer.echo(f"  Medlemmer ({len(summary['members'])}): {members}")
    typer.echo(f"  Koordinatorer: {', '.join(summary['coordinators']) or 'ingen'}")
    typer.echo(f"  Delt med netværket: {summary['shares']}; møder: {summary['meetings']}")


@app.command("add")
@handles_errors
@_closes
def add(navn: str = typer.Argument(..., help="Netværkets navn, fx \"Råderumsnetværk Øst 2027\"."),
        kommuner: str = typer.Option("", "--kommuner", help="Medlemskommuner, kode eller navn, kommasepareret."),
        koordinator: list[str] = typer.Option([], "--koordinator",  # noqa: B008
                                              help="Brugernavn på en koordinator (kan gentages)."),
        beskrivelse: str = typer.Option("", "--beskrivelse", help="Kort beskrivelse af netværket."),
        as_json: bool = typer.Option(False, "--json", help="Skriv resultatet som JSON.")) -> None:
    """Opret et netværk med medlemskommuner og koordinatorer."""
    from raaderum.server.network import create_network  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    engine = _engine()
    coords = [c for k in koordinator for c in _split(k)]
    n = create_network(engine, SYSTEM_ACTOR, navn, municipalities=_split(kommuner), coordinators=coords,
                       description=beskrivelse)
    summary = _summary(engine, n.id)
    if as_json:
        print_json(summary)
        return
    typer.echo("Oprettet.")
    _print(summary)


@app.command("members")
@handles_errors
@_closes
def members(navn: str = typer.Argument(..., help="Netværkets navn eller nummer."),
            add: str = typer.Option("", "--add", help="Kommuner at tilføje (kode eller navn, kommasepareret)."),
            remove: str = typer.Option("", "--remove", help="Kommuner at fjerne (kode eller navn, kommasepareret)."),
            koordinator: str = typer.Option("", "--koordinator", help="Brugere at gøre til koordinatorer."),
            fjern_koordinator: str = typer.Option("", "--fjern-koordinator", help="Koordinatorer at fjerne."),
            as_json: bool = typer.Option(False, "--json", help="Skriv resultatet som JSON.")) -> None:
    """Vis eller ret et netværks medlemmer og koordinatorer (uden --add/--remove: vis dem)."""
    from raaderum.server.network import change_coordinators, change_members, find_network  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    engine = _engine()
    n = find_network(engine, navn)
    if add or remove:
        change_members(engine, SYSTEM_ACTOR, n.id, add=_split(add), remove=_split(remove))
    if koordinator or fjern_koordinator:
        change_coordinators(engine, SYSTEM_ACTOR, n.id, add=_split(koordinator), remove=_split(fjern_koordinator))
    summary = _summary(engine, n.id)
    if as_json:
        print_json(summary)
        return
    _print(summary)


@app.command("list")
@handles_errors
@_closes
def list_networks(as_json: bool = typer.Option(False, "--json", help="Skriv listen som JSON.")) -> None:
    """Vis alle netværk med medlemmer og koordinatorer."""
    from sqlalchemy import select  # lazy: start-up
    from sqlalchemy.orm import Session  # lazy: start-up

    from raaderum.store.models import Network  # lazy: start-up

    engine = _engine()
    with Session(engine) as s:
        ids = list(s.scalars(select(Network.id).order_by(Network.name)))
    found = [_summary(engine, i) for i in ids]
    if as_json:
        print_json({"networks": found})
        return
    if not found:
        typer.echo("Der er ingen netværk endnu; opret et med `raaderum netvaerk add NAVN --kommuner K1,K2`.")
        return
    for summary in found:
        _print(summary)


@app.command("delete")
@handles_errors
@_closes
def delete(navn: str = typer.Argument(..., help="Netværkets navn eller nummer."),
           yes: bool = typer.Option(False, "--yes", help="Slet uden at spørge.")) -> None:
    """Slet et netværk med dets medlemskaber, delinger, møder og noter."""
    from raaderum.server.network import delete_network, find_network  # lazy: start-up
    from raaderum.server.permissions import SYSTEM_ACTOR  # lazy: start-up

    engine = _engine()
    n = find_network(engine, navn)
    if not yes and not typer.confirm(f"Slet netværket {n.name!r} med alle dets møder, noter og delinger?"):
        raise typer.Exit(1)
    delete_network(engine, SYSTEM_ACTOR, n.id, n.version)
    typer.echo(f"Netværket {n.name!r} er slettet.")


main_app.add_typer(app, name="netvaerk")

__all__ = ["app"]
