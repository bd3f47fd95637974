"""The canonical inputs of a data release, whatever their source (raw files, Statistics Denmark's API, a noegletal.dk
import): :class:`ReleaseInputs` and the records of where each input came from (:class:`SourceRecord`)."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from raaderum.release.municipalities import Municipality

#: What the expenditure figures are when the inputs do not say (the statbank path fetches dranst 1 + 2).
MEASURE_DRANST_1_2 = ("Nettodriftsudgifter: dranst 1 (driftskonti) + 2 (statsrefusion), art TOT (I alt, netto), "
                      "fra REGK31")

#: Columns of the canonical accounts input (``ReleaseInputs.expenditure`` and ``.budget``).
ACCOUNTS_SCHEMA = pa.schema([("municipality_code", pa.int32()), ("function", pa.string()), ("year", pa.int32()),
                             ("dranst", pa.int32()), ("art", pa.string()), ("unit", pa.string()),
                             ("value", pa.float64())])


def accounts_table(columns: dict[str, list[object]] | None = None) -> pa.Table:
    """An accounts input table (see :class:`ReleaseInputs`) from lists per column; empty without ``columns``."""
    cols = columns or {f.name: [] for f in ACCOUNTS_SCHEMA}
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in ACCOUNTS_SCHEMA})


NOEGLETAL_SCHEMA = pa.schema([("municipality_code", pa.int32()), ("year", pa.int32()), ("indicator", pa.string()),
                              ("value", pa.float64()), ("marker", pa.string())])


def noegletal_table(columns: dict[str, list[object]] | None = None) -> pa.Table:
    """A noegletal input table (see :class:`ReleaseInputs`) from lists per column; empty without ``columns``."""
    cols = columns or {f.name: [] for f in NOEGLETAL_SCHEMA}
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in NOEGLETAL_SCHEMA})


@dataclass
class SourceRecord:
    """Where one input came from: table, years, files with sha256, attribution, licence, provenance."""

    id: str
    table: str
    title: str
    years: str
    files: list[dict[str, object]] = field(default_factory=list)
    attribution: str = "Kilde: Danmarks Statistik"
    licence: str = ""
    provenance: str = ""
    retrieved: str = ""


@dataclass
class ReleaseInputs:
    """The canonical inputs of a release, whatever their source.

    ``expenditure`` columns: municipality_code (0 = Hele landet), function ('3.22.01'), year, dranst (1, 2 or
    null when the source does not state it), art ('TOT' or null; other kinds are ignored), unit ('INDL' kr. per
    inhabitant or 'LOBM' 1,000 kr. current prices), value (null = not reported); ``measure`` says in Danish what the
    source says the figures are. ``population``: municipality_code, year, population (1 January).
    ``population_totals``: year, denmark (Statistics Denmark's published total), christiansoe (not a municipality).
    ``density``: municipality_code, year, density. ``population_by_age``: municipality_code, year, age, persons (a
    date may cover only some ages). ``area_km2``: municipality_code, [year,] area_km2. ``budget`` (BUDK32): the
    columns of ``expenditure``; kept apart, since a budget is not an account. ``series``: municipality_code, year,
    series (:data:`SERIES`), value. ``noegletal``: municipality_code (0 = the report's average/total row), year,
    indicator (:data:`NOEGLETAL_INDICATORS`), value, marker ('M'/'U' or null). ``price_index``: index_id, year,
    value, status, method; ``price_index_info`` describes it (id, table, name, label, fallback, reference).
    """

    kind: str
    description: str
    municipalities: list[Municipality]
    function_labels: dict[str, str]
    expenditure: pa.Table
    population: pa.Table
    density: pa.Table | None = None
    population_by_age: pa.Table | None = None
    area_km2: pa.Table | None = None
    budget: pa.Table | None = None  # BUDK32, same columns as ``expenditure``; optional
    sources: list[SourceRecord] = field(default_factory=list)
    population_totals: pa.Table | None = None
    series: pa.Table | None = None
    noegletal: pa.Table | None = None
    price_index: pa.Table | None = None
    price_index_info: dict[str, Any] | None = None
    measure: str = MEASURE_DRANST_1_2


def cpi_annual(months: dict[str, float], index_id: str = "PRIS113") -> pa.Table:
    """Annual means of a monthly index; a year with fewer than 12 months is estimated from the mean of its months ×
    the median ratio of the annual mean to the same months in the (up to eight) complete years before it (method
    ``cpi_partial_year``)."""
    by_year: dict[int, dict[int, float]] = {}
    for code, v in months.items():
        m = re.fullmatch(r"(\d{4})M(\d\d)", code)
        if m:
            by_year.setdefault(int(m.group(1)), {})[int(m.group(2))] = v
    full = {y: sum(ms.values()) / 12 for y, ms in by_year.items() if len(ms) == 12}
    rows: dict[str, list[object]] = {"index_id": [], "year": [], "value": [], "status": [], "method": []}
    for y in sorted(by_year):
        ms = by_year[y]
        if y in full:
            value, status, method = full[y], "observed", None
        else:
            ref = [yy for yy in sorted(full) if yy < y][-8:]
            if not ref:
                continue
            known = sorted(ms)
            ratio = statistics.median(full[yy] / (sum(by_year[yy][k] for k in known) / len(known)) for yy in ref)
            value, status, method = sum(ms.values()) / len(ms) * ratio, "estimated", "cpi_partial_year"
        rows["index_id"].append(index_id)
        rows["year"].append(y)
        rows["value"].append(round(value, 6))
        rows["status"].append(status)
        rows["method"].append(method)
    return pa.table({"index_id": pa.array(rows["index_id"], pa.string()), "year": pa.array(rows["year"], pa.int32()),
                     "value": pa.array(rows["value"], pa.float64()), "status": pa.array(rows["status"], pa.string()),
                     "method": pa.array(rows["method"], pa.string())})


__all__ = ["ACCOUNTS_SCHEMA", "MEASURE_DRANST_1_2", "NOEGLETAL_SCHEMA", "ReleaseInputs", "SourceRecord",
           "accounts_table", "cpi_annual", "noegletal_table"]
