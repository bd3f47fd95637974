"""The shape of a data release: its schema version, its tables and their key columns, and file checksums.

Shared by the builder (:mod:`raaderum.release.build`) and the reader (:mod:`raaderum.release.reader`), so that
neither has to import the other for it.

Schema 2 (data release 2) adds ``population_totals`` (Denmark's published total, Christiansø and the sum of the 98
per 1 January), ``series`` (annual socio-economic series from Statistics Denmark), ``noegletal`` (the Ministry's key
figures from noegletal.dk) and ``price_index`` (the deflator of fixed prices). The reader still opens schema-1
releases: their missing tables read as empty.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SCHEMA_VERSION = 2
#: Schema versions the reader can open.
SUPPORTED_SCHEMAS = (1, 2)

#: The tables of a schema-1 release: file stem → its key columns (checked unique on load).
TABLES_V1: dict[str, tuple[str, ...]] = {
    "municipalities": ("code",),
    "functions": ("function",),
    "expenditure": ("municipality_code", "function", "year"),
    "population": ("municipality_code", "year"),
    "target_groups": ("municipality_code", "year", "target_group"),
    "structure": ("municipality_code", "year", "variable"),
    "population_by_age": ("municipality_code", "year", "age"),
    "budget": ("municipality_code", "function", "year"),
}

#: The tables of a release of the current schema.
TABLES: dict[str, tuple[str, ...]] = {
    **TABLES_V1,
    "population_totals": ("year",),
    "series": ("municipality_code", "year", "series"),
    "noegletal": ("municipality_code", "year", "indicator"),
    "price_index": ("index_id", "year"),
}

#: Column types of the tables schema 2 added, so a schema-1 release can show them as empty tables.
NEW_TABLE_COLUMNS: dict[str, str] = {
    "population_totals": "year INTEGER, municipalities DOUBLE, christiansoe DOUBLE, denmark DOUBLE",
    "series": "municipality_code INTEGER, year INTEGER, series VARCHAR, value DOUBLE, status VARCHAR, method VARCHAR",
    "noegletal": "municipality_code INTEGER, year INTEGER, indicator VARCHAR, value DOUBLE, status VARCHAR, "
                 "marker VARCHAR, method VARCHAR",
    "price_index": "index_id VARCHAR, year INTEGER, value DOUBLE, status VARCHAR, method VARCHAR",
}


def tables_for(schema_version: int) -> dict[str, tuple[str, ...]]:
    """The tables (and key columns) a release of ``schema_version`` has as files."""
    return TABLES_V1 if schema_version == 1 else TABLES


def sql_path(path: Path | str) -> str:
    """``path`` as a quoted SQL string literal for DuckDB (``'`` doubled): a folder named ``O'Brien`` is data,
    never SQL. DuckDB cannot bind a file name as a parameter in COPY or FROM, so every path goes through here."""
    return "'" + Path(path).as_posix().replace("'", "''") + "'"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["NEW_TABLE_COLUMNS", "SCHEMA_VERSION", "SUPPORTED_SCHEMAS", "TABLES", "TABLES_V1", "sha256_file",
           "tables_for"]
