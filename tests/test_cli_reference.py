"""docs/CLI.md is generated from the commands; this fails when a command changed and the file was not regenerated."""

from __future__ import annotations

from pathlib import Path

from raaderum.cli.reference import cli_reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "CLI.md"


def test_cli_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == cli_reference(), "docs/CLI.md er forældet: kør `make docs`."


def test_every_command_has_help_text() -> None:
    text = cli_reference()
    sections = text.split("### ")[1:]
    assert len(sections) >= 20
    for s in sections:
        title, _, rest = s.partition("\n")
        assert rest.strip().split("\n")[0].strip(), f"{title} mangler en hjælpetekst"
