"""The command line: ``raaderum``. Thin: parse, call the core, print (Danish text or ``--json``)."""

from __future__ import annotations

import sys
from typing import Any

import typer

from raaderum.cli import backup as _backup  # noqa: F401,E402  (registers backup, restore)
from raaderum.cli import benchmark as _benchmark  # noqa: F401,E402  (registers benchmark)
from raaderum.cli import data as _data  # noqa: F401,E402  (registers `raaderum data ...`)
from raaderum.cli import db as _db  # noqa: F401,E402  (registers `raaderum db migrate|status`)
from raaderum.cli import figures as _figures  # noqa: F401,E402  (registers kommuner, noegletal)
from raaderum.cli import ideas as _ideas  # noqa: E402
from raaderum.cli import serve as _serve  # noqa: F401,E402  (registers serve)
from raaderum.cli import users as _users  # noqa: F401,E402  (registers `raaderum users ...`)
from raaderum.cli._common import app, fail, print_json  # noqa: F401  (re-exported for sub-modules)
from raaderum.errors import RaaderumError

app.add_typer(_ideas.app, name="ideas")


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``raaderum`` command."""
    try:
        return app(args=argv, standalone_mode=True)
    except RaaderumError as e:  # pragma: no cover - typer handles via fail(); safety net
        typer.echo(f"Fejl: {e}", err=True)
        sys.exit(2)


__all__ = ["app", "main"]
