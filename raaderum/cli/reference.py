"""The CLI reference (docs/CLI.md), generated from the commands themselves so it cannot drift.

Regenerate with ``make docs``; ``tests/test_cli_reference.py`` fails when the file is out of date.
"""

from __future__ import annotations

from typing import Any

import typer


def _lines(cmd: Any, path: list[str]) -> list[str]:
    out: list[str] = []
    if hasattr(cmd, "commands"):  # a group (Typer ships its own Click internals; duck-type them)
        if path[1:]:
            out += [f"## `{' '.join(path)}`", "", (cmd.help or "").strip(), ""]
        for name in sorted(cmd.commands):
            out += _lines(cmd.commands[name], [*path, name])
        return out
    out += [f"### `{' '.join(path)}`", "", (cmd.help or "").strip().split("\n\n")[0], ""]
    args = [p for p in cmd.params if getattr(p, "param_type_name", "") == "argument"]
    opts = [p for p in cmd.params if getattr(p, "param_type_name", "") == "option" and p.name != "help"]
    if args:
        out.append("Argumenter: " + "; ".join(f"`{a.name.upper()}` – {(getattr(a, 'help', '') or '').strip()}"
                                              for a in args))
        out.append("")
    if opts:
        out += ["| tilvalg | betydning | standard |", "|---|---|---|"]
        for o in opts:
            names = " / ".join(f"`{n}`" for n in (*o.opts, *getattr(o, "secondary_opts", [])))
            default = "" if o.default in (None, False, (), []) or o.is_flag else f"`{o.default}`"
            out.append(f"| {names} | {(o.help or '').strip()} | {default} |")
        out.append("")
    return out


def cli_reference() -> str:
    from raaderum.cli import app  # lazy: start-up

    root = typer.main.get_command(app)
    head = ["# Råderums kommandolinje", "",
            "Genereret fra kommandoerne (`make docs`); rettes ikke i hånden. Alle kommandoer kaldes som "
            "`.venv/bin/raaderum …`.", ""]
    return "\n".join(head + _lines(root, ["raaderum"])).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys  # lazy: start-up
    from pathlib import Path  # lazy: start-up

    Path(sys.argv[1]).write_text(cli_reference(), encoding="utf-8")
