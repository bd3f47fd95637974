"""Helpers for the idea-bank tests: real .xlsx workbooks in the KL layout, and where PostgreSQL is looked for.

A plain module the test modules import (``import conftest_ideas as fx``, ``from conftest_ideas import …``). It
defines no fixture: the store fixtures (``db_url``, ``store``, ``postgres_url`` …) are all in tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

PG_CANDIDATES = [
    os.environ.get("RAADERUM_TEST_POSTGRES_URL", ""),
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
]


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]],
               merges: dict[str, Sequence[str]] | None = None) -> Path:
    """A real .xlsx with ``sheets`` (name → rows, row 1 first) and merged ranges per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
    wb.save(path)
    wb.close()
    return path


HEADER = ["Kommune", "Budgetår", "Fagområde", "Udvalg", "Titel", "Beskrivelse", "Type", "B", "BO1", "BO2", "BO3",
          "Engangsinvestering", "Kontaktperson"]


def row(kommune: Any = "Aarhus", year: Any = 2020, area: Any = "Ældreområdet", committee: Any = "Ældreudvalget",
        title: Any = "Hverdagsrehabilitering", description: Any = "Borgere genoptræner daglige gøremål.",
        typ: Any = "Omlægning", b: Any = -100, bo1: Any = -200, bo2: Any = -300, bo3: Any = -300,
        one_off: Any = None, contact: Any = "Økonomi") -> list[Any]:
    return [kommune, year, area, committee, title, description, typ, b, bo1, bo2, bo3, one_off, contact]
