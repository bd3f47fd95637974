"""The shape of a data release: its schema version, its tables and their key columns, and file checksums.

Shared by the builder (:mod:`raaderum.release.build`) and the reader (:mod:`raaderum.release.reader`), so that
neither has to import the other for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

SCHEMA_VERSION = 1

#: The tables of a release: file stem → its key columns (checked unique on load).
TABLES: dict[str, tuple[str, ...]] = {
    "municipalities": ("code",),
    "functions": ("function",),
    "expenditure": ("municipality_code", "function", "year"),
    "population": ("municipality_code", "year"),
    "target_groups": ("municipality_code", "year", "target_group"),
    "structure": ("municipality_code", "year", "variable"),
    "population_by_age": ("municipality_code", "year", "age"),
    "budget": ("municipality_code", "function", "year"),
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["SCHEMA_VERSION", "TABLES", "sha256_file"]
