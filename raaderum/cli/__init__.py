"""The command line: ``raaderum``. Thin: parse, call the core, print (Danish text or ``--json``).

Start-up matters (``raaderum --help`` should cost little more than ``import typer``, see
``bench/cli_startup.py``): a command module imports only typer, the standard library and the light
:mod:`raaderum.errors` / :mod:`raaderum.config` at its top; everything else is imported inside the command
function that needs it (``# lazy: start-up``).
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from raaderum.cli import backup as _backup  # noqa: F401,E402  (registers backup, restore)
from raaderum.cli import benchmark as _benchmark  # noqa: F401,E402  (registers benchmark)
from raaderum.cli import config as _config  # noqa: F401,E402  (registers config)
from raaderum.cli import data as _data  # noqa: F401,E402  (registers `raaderum data ...`)
from raaderum.cli import db as _db  # noqa: F401,E402  (registers `raaderum db migrate|status`)
from raaderum.cli import dea as _dea  # noqa: F401,E402  (registers dea)
from raaderum.cli import demografi as _demografi  # noqa: F401,E402  (registers demografi)
from raaderum.cli import digest as _digest  # noqa: F401,E402  (registers `raaderum digest send`)
from raaderum.cli import figures as _figures  # noqa: F401,E402  (registers kommuner, noegletal)
from raaderum.cli import ideas as _ideas  # noqa: E402
from raaderum.cli import katalog as _katalog  # noqa: F401,E402  (registers `raaderum katalog ...`)
from raaderum.cli import netvaerk as _netvaerk  # noqa: F401,E402  (registers `raaderum netvaerk ...`)
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
        sys.exit(e.exit_code)


__all__ = ["app", "main"]
