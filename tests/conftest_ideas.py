"""Fixtures for the idea-bank tests (imported by the test modules; tests/conftest.py belongs to the lead).

The store fixtures run every test against SQLite and PostgreSQL. PostgreSQL tests use a fresh schema per test
(dropped afterwards). If PostgreSQL is unreachable the tests FAIL, unless RAADERUM_SKIP_POSTGRES=1.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine, text

from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import embedded_release_dir, open_release
from raaderum.store.ideas import IdeaStore

PG_CANDIDATES = [
    os.environ.get("RAADERUM_TEST_POSTGRES_URL", ""),
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
]


@pytest.fixture(scope="session")
def register() -> MunicipalityRegister:
    return open_release(embedded_release_dir()).municipalities()


@pytest.fixture(scope="session")
def postgres_base_url() -> str:
    errors = []
    for url in filter(None, PG_CANDIDATES):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return url
        except Exception as e:  # noqa: BLE001 - report every attempt
            errors.append(f"{url}: {type(e).__name__}: {str(e).splitlines()[0]}")
        finally:
            engine.dispose()
    if os.environ.get("RAADERUM_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL ikke tilgængelig, og RAADERUM_SKIP_POSTGRES=1: " + "; ".join(errors))
    pytest.fail("PostgreSQL er ikke tilgængelig (sæt RAADERUM_SKIP_POSTGRES=1 for at springe over): "
                + "; ".join(errors))


@pytest.fixture
def postgres_url(postgres_base_url: str) -> Iterator[str]:
    schema = f"raaderum_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_base_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield f"{postgres_base_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ideas.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str, register: MunicipalityRegister) -> Iterator[IdeaStore]:
    s = IdeaStore(db_url, register=register)
    s.migrate()
    try:
        yield s
    finally:
        s.close()


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
