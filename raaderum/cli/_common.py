"""Shared pieces of the CLI: the Typer app, JSON output and error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NoReturn, TypeVar

import typer

from raaderum.errors import RaaderumError

app = typer.Typer(
    name="raaderum",
    help="Råderum: find økonomisk råderum i danske kommuner (benchmark, nøgletal, idébank).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def wide_console() -> Any:
    """A Rich console that does not squeeze tables to 80 columns when the output is piped to a file."""
    from rich.console import Console  # lazy: start-up

    return Console(width=None if sys.stdout.isatty() else 150)


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"Fejl: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn Råderum's own errors into a clear message on stderr and the error's own exit code (``exit_code``)."""
    try:
        yield
    except RaaderumError as e:
        fail(str(e), e.exit_code)


def handles_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with user_errors():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _default(o: Any) -> Any:
    import numpy as np  # lazy: start-up

    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if np.isnan(o) else float(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _clean(o: Any) -> Any:
    if isinstance(o, float) and o != o:  # NaN is not JSON: null
        return None
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    return o


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_clean(json.loads(json.dumps(data, default=_default))), ensure_ascii=False,
                                indent=2) + "\n")
