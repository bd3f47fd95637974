"""The inputs of a release, read back from the release itself: what ``data import-noegletal`` rebuilds from.

Only what was observed (or given as input) is read back; everything the builder derived or estimated is left to the
builder, which computes it again. Building :func:`inputs_from_release` of a release gives the same tables
(tested on the embedded release).
"""

from __future__ import annotations

import pyarrow as pa

from raaderum.release.inputs import ReleaseInputs, SourceRecord, accounts_table, noegletal_table
from raaderum.release.reader import Release

#: Where the builder took the areas from (``manifest["area_source"]``).
AREA_FROM_INPUT = "area_km2"


def _table(release: Release, sql: str, types: dict[str, pa.DataType]) -> pa.Table:
    rows = release.query(sql)
    cols = list(types)
    return pa.table({c: pa.array([r[k] for r in rows], t) for k, (c, t) in enumerate(types.items())},
                    schema=pa.schema([(c, types[c]) for c in cols]))


def _accounts(release: Release, table: str, per_inh: str, total: str, per_status: str | None,
              total_status: str | None) -> pa.Table:
    """Accounts rows back from a release table: observed kr. per inhabitant (INDL) and 1,000 kr. (LOBM); a
    function that did not exist in a year goes back as the source had it (0 everywhere), a value not reported as
    null."""
    cond_p = f"{per_status} = 'observed'" if per_status else f"{per_inh} IS NOT NULL"
    cond_t = f"{total_status} = 'observed'" if total_status else f"{total} IS NOT NULL"
    missing = (f"""UNION ALL SELECT municipality_code, function, year, 'INDL',
                   CASE WHEN per_inhabitant_method = 'function_not_in_chart' THEN 0.0 END
                   FROM {table} WHERE {per_status} = 'missing'""" if per_status else "")
    rows = release.query(f"""
        SELECT municipality_code, function, year, 'INDL', {per_inh} FROM {table} WHERE {cond_p}
        UNION ALL
        SELECT municipality_code, function, year, 'LOBM', {total} FROM {table} WHERE {cond_t}
        {missing}
        ORDER BY 1, 2, 3, 4""")
    return accounts_table({"municipality_code": [r[0] for r in rows], "function": [r[1] for r in rows],
                           "year": [r[2] for r in rows], "dranst": [None] * len(rows), "art": ["TOT"] * len(rows),
                           "unit": [r[3] for r in rows], "value": [r[4] for r in rows]})


def inputs_from_release(release: Release) -> ReleaseInputs:
    """The canonical inputs that built ``release`` (as far as it keeps them; see the module docstring)."""
    m = release.manifest
    expenditure = _accounts(release, "expenditure", "per_inhabitant", "total_1000kr", "per_inhabitant_status",
                            "total_status")
    budget = _accounts(release, "budget", "per_inhabitant", "total_1000kr", None, None)
    population = _table(release, "SELECT municipality_code, year, population FROM population WHERE "
                                 "municipality_code <> 0 AND status = 'observed' ORDER BY 1, 2",
                        {"municipality_code": pa.int32(), "year": pa.int32(), "population": pa.float64()})
    totals = _table(release, "SELECT year, denmark, christiansoe FROM population_totals ORDER BY 1",
                    {"year": pa.int32(), "denmark": pa.float64(), "christiansoe": pa.float64()})
    by_age = _table(release, "SELECT municipality_code, year, age, persons FROM population_by_age ORDER BY 1, 2, 3",
                    {"municipality_code": pa.int32(), "year": pa.int32(), "age": pa.int32(),
                     "persons": pa.float64()})
    series = _table(release, "SELECT municipality_code, year, series, value FROM series WHERE status = 'observed' "
                             "ORDER BY 1, 2, 3",
                    {"municipality_code": pa.int32(), "year": pa.int32(), "series": pa.string(),
                     "value": pa.float64()})
    rows = release.query("SELECT municipality_code, year, indicator, value, marker FROM noegletal ORDER BY 1, 2, 3")
    noegletal = noegletal_table({"municipality_code": [r[0] for r in rows], "year": [r[1] for r in rows],
                                 "indicator": [r[2] for r in rows], "value": [r[3] for r in rows],
                                 "marker": [r[4] for r in rows]})
    prices = _table(release, "SELECT index_id, year, value, status, method FROM price_index ORDER BY 1, 2",
                    {"index_id": pa.string(), "year": pa.int32(), "value": pa.float64(), "status": pa.string(),
                     "method": pa.string()})
    info = {k: v for k, v in (m.get("price_index") or {}).items() if k not in ("years", "default_base_year")}
    area = None
    if m.get("area_source") == AREA_FROM_INPUT:
        area = _table(release, "SELECT municipality_code, year, value FROM structure WHERE variable = 'area_km2' "
                               "AND status = 'observed' ORDER BY 1, 2",
                      {"municipality_code": pa.int32(), "year": pa.int32(), "area_km2": pa.float64()})
    return ReleaseInputs(
        kind=str(m.get("kind", "release")), description=str(m.get("description", "")),
        municipalities=list(release.register), function_labels=dict(release.function_labels),
        expenditure=expenditure, population=population, density=None, population_by_age=by_age,
        area_km2=area, budget=budget if budget.num_rows else None,
        sources=[SourceRecord(**s) for s in m.get("sources", [])],
        population_totals=totals, series=series, noegletal=noegletal,
        price_index=prices if prices.num_rows else None, price_index_info=info or None,
        measure=str(m.get("measure") or ""))


__all__ = ["AREA_FROM_INPUT", "inputs_from_release"]
