"""Building a data release: canonical inputs → immutable Parquet files + ``manifest.json``.

Both sources of a release produce the same :class:`ReleaseInputs`: the raw files shipped in ``data/raw``
(:mod:`raaderum.release.raw_inputs`) and Statistics Denmark's API (:mod:`raaderum.release.update`); a noegletal.dk
export is imported into a copy of the inputs of the release in use (:mod:`raaderum.release.noegletal`).
:func:`build_release` writes into a temporary directory beside the target, runs every load check on it, and only
then renames it into place: a failed build leaves nothing behind.

What the release fills in where the inputs stop is marked ``estimated`` per value with the id of its method
(:data:`METHODS`), values computed from rounded inputs are ``derived`` with their precision, and functions that
did not exist in a year are ``missing`` (null), never 0. The estimation methods of the target groups are validated
on held-back dates (:mod:`raaderum.release.demography`); the errors are in the manifest (``method_validation``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from raaderum import __version__
from raaderum.catalog import Catalog, load_catalog
from raaderum.errors import DataReleaseError
from raaderum.release import demography, derive
from raaderum.release.inputs import (  # re-exported: the inputs every source of a release produces
    ACCOUNTS_SCHEMA,
    MEASURE_DRANST_1_2,
    NOEGLETAL_SCHEMA,
    ReleaseInputs,
    SourceRecord,
    accounts_table,
    noegletal_table,
)
from raaderum.release.reader import check_release
from raaderum.release.registry import (  # re-exported: the registries of what a release says about its values
    AGE_BANDS,
    CPI_FALLBACK_LABEL,
    METHODS,
    MISSING_REASONS,
    NOEGLETAL_INDICATORS,
    SERIES,
    STRUCTURE_VARIABLES,
)
from raaderum.release.schema import SCHEMA_VERSION, TABLES, sha256_file, sql_path  # re-exported


def _net_sql(source: str, per_inhabitant: str, total: str) -> str:
    """Net operating expenditure, art 'I alt (netto)': where the source has a transaction type, dranst 1 + 2
    (Statistics Denmark has no dranst total); rows without one (an extract that does not state it) are taken as
    they are. A cell with no reported value stays null, never 0."""
    return f"""
        SELECT municipality_code::INTEGER AS municipality_code, function, year::INTEGER AS year,
               CASE WHEN count(value) FILTER (WHERE unit = 'INDL') = 0 THEN NULL
                    ELSE sum(value) FILTER (WHERE unit = 'INDL') END AS {per_inhabitant},
               CASE WHEN count(value) FILTER (WHERE unit = 'LOBM') = 0 THEN NULL
                    ELSE sum(value) FILTER (WHERE unit = 'LOBM') END AS {total}
        FROM {source}
        WHERE (art IS NULL OR art = 'TOT') AND (dranst IS NULL OR dranst IN (1, 2))
        GROUP BY ALL"""


def _with_national(population: pa.Table) -> pa.Table:
    """Add Hele landet (code 0) as the sum of the municipalities, unless the inputs carry it."""
    con = duckdb.connect()
    con.register("p", population)
    t = con.sql("""
        SELECT * FROM p WHERE municipality_code <> 0
        UNION ALL
        SELECT 0, year, sum(population),
               CASE WHEN bool_and(status = 'observed') THEN 'observed' ELSE 'estimated' END,
               CASE WHEN bool_and(status = 'observed') THEN NULL ELSE 'national_sum' END
        FROM p WHERE municipality_code <> 0 GROUP BY year
        ORDER BY 1, 2""").to_arrow_table()
    con.close()
    return t.cast(population.schema)


def build_release(inputs: ReleaseInputs, out_dir: Path | str, *, catalog: Catalog | None = None,
                  built_at: datetime | None = None, overwrite: bool = False) -> Path:
    """Build a release from ``inputs`` into ``out_dir`` (which must not exist unless ``overwrite``).

    Returns ``out_dir``. Raises :class:`DataReleaseError` (nothing is left behind) when the inputs are
    incomplete or the built release fails its checks.
    """
    catalog = catalog or load_catalog()
    out_dir = Path(out_dir)
    recover_directory(out_dir)
    if out_dir.exists() and not overwrite:
        raise DataReleaseError(f"{out_dir} findes allerede; en datarelease ændres aldrig, byg en ny ved siden af.")
    codes = sorted(m.code for m in inputs.municipalities)
    if len(codes) != 98 or len(set(codes)) != 98:
        raise DataReleaseError(f"Kommuneregistret har {len(set(codes))} forskellige koder; der skal være 98.")
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        facts = _write_tables(inputs, tmp, catalog, codes)
        manifest = _manifest(inputs, tmp, catalog, built_at or datetime.now(UTC), facts)
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        check_release(tmp)
        switch_directory(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    import ctypes  # lazy: only when an existing release is replaced
    import ctypes.util  # lazy: only when an existing release is replaced

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(rc == 0)


def switch_directory(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target`` so that a kill at any moment leaves a complete
    release at ``target`` (the old or the new), never none: build beside, exchange (or rename), then remove.

    With an existing ``target`` the two folders are swapped in one atomic step (renameat2 RENAME_EXCHANGE) and the
    old one, now at ``new``, is removed afterwards. Where the kernel or file system cannot exchange, the old folder
    is first renamed aside and the new one renamed in; :func:`recover_directory` (run by the next build) puts
    the old one back if a kill fell between the two renames.
    """
    if not target.exists():
        os.replace(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    aside = target.parent / f".{target.name}.old-{os.getpid()}"
    os.replace(target, aside)
    os.replace(new, target)
    shutil.rmtree(aside, ignore_errors=True)


def recover_directory(target: Path) -> None:
    """If a replace was killed between its two renames, move the old release back to ``target``."""
    if target.exists():
        return
    for aside in sorted(target.parent.glob(f".{target.name}.old-*")):
        if (aside / "manifest.json").exists():
            os.replace(aside, target)
            return


def _empty(columns: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({k: pa.array([], t) for k, t in columns.items()})


def _write_tables(inputs: ReleaseInputs, tmp: Path, catalog: Catalog, codes: list[int]) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        con.register("exp_in", inputs.expenditure)
        con.execute("CREATE TABLE wide AS " + _net_sql("exp_in", "per_inh_obs", "total_obs"))
        known = set(codes) | {0}
        bad = con.execute("SELECT DISTINCT municipality_code FROM wide").fetchall()
        unknown = sorted(c for (c,) in bad if c not in known)
        if unknown:
            raise DataReleaseError(f"Udgiftsdata har ukendte kommunekoder: {unknown[:10]}.")
        years = [y for (y,) in con.execute("SELECT DISTINCT year FROM wide ORDER BY 1").fetchall()]
        population = _with_national(derive.fill_population(inputs.population, codes, years))
        pop_panel = derive.population_panel(population, codes)
        con.register("pop", population)
        con.execute("""
            CREATE TABLE dead AS SELECT function, year FROM wide GROUP BY ALL
            HAVING bool_and(coalesce(per_inh_obs, 0) = 0 AND coalesce(total_obs, 0) = 0)""")
        con.execute("""
            CREATE TABLE expenditure AS
            SELECT w.municipality_code, w.function, w.year,
              CASE WHEN d.function IS NOT NULL THEN NULL
                   WHEN per_inh_obs IS NOT NULL THEN per_inh_obs
                   WHEN total_obs IS NOT NULL AND p.population > 0 THEN total_obs * 1000 / p.population
              END AS per_inhabitant,
              CASE WHEN d.function IS NOT NULL THEN 'missing'
                   WHEN per_inh_obs IS NOT NULL THEN 'observed'
                   WHEN total_obs IS NOT NULL AND p.population > 0 THEN 'derived' ELSE 'missing'
              END AS per_inhabitant_status,
              CASE WHEN d.function IS NOT NULL THEN 'function_not_in_chart'
                   WHEN per_inh_obs IS NOT NULL THEN NULL
                   WHEN total_obs IS NOT NULL AND p.population > 0 THEN 'per_inhabitant_from_total'
                   ELSE 'not_reported'
              END AS per_inhabitant_method,
              CASE WHEN d.function IS NOT NULL THEN NULL
                   WHEN total_obs IS NOT NULL THEN total_obs
                   WHEN per_inh_obs IS NOT NULL THEN per_inh_obs * p.population / 1000
              END AS total_1000kr,
              CASE WHEN d.function IS NOT NULL THEN 'missing'
                   WHEN total_obs IS NOT NULL THEN 'observed'
                   WHEN per_inh_obs IS NOT NULL AND p.population IS NOT NULL THEN 'derived' ELSE 'missing'
              END AS total_status,
              CASE WHEN d.function IS NOT NULL THEN 'function_not_in_chart'
                   WHEN total_obs IS NOT NULL THEN NULL
                   WHEN per_inh_obs IS NOT NULL AND p.population IS NOT NULL THEN 'total_from_per_inhabitant'
                   ELSE 'not_reported'
              END AS total_method,
              -- kr. per inhabitant is published in whole kroner: a total derived from it is uncertain by
              -- half a krone per inhabitant (in 1,000 kr.)
              CASE WHEN d.function IS NULL AND total_obs IS NULL AND per_inh_obs IS NOT NULL
                   THEN 0.5 * p.population / 1000 END AS total_precision_1000kr
            FROM wide w
            LEFT JOIN dead d ON d.function = w.function AND d.year = w.year
            LEFT JOIN pop p ON p.municipality_code = w.municipality_code AND p.year = w.year""")
        groups = derive.target_groups(inputs, pop_panel, catalog)
        structure = derive.structure(inputs, pop_panel, groups)
        munis = pa.table({
            "code": pa.array([m.code for m in inputs.municipalities], pa.int32()),
            "name": [m.name for m in inputs.municipalities],
            "region_code": pa.array([m.region_code for m in inputs.municipalities], pa.int32()),
            "region": [m.region for m in inputs.municipalities],
            "group_code": pa.array([m.group_code for m in inputs.municipalities], pa.int32()),
            "group_name": [m.group for m in inputs.municipalities],
        })
        labels = pa.table({"function": list(inputs.function_labels),
                           "label": list(inputs.function_labels.values())})
        by_age = inputs.population_by_age if inputs.population_by_age is not None else _empty(
            {"municipality_code": pa.int32(), "year": pa.int32(), "age": pa.int32(), "persons": pa.int32()})
        totals = inputs.population_totals if inputs.population_totals is not None else _empty(
            {"year": pa.int32(), "denmark": pa.float64(), "christiansoe": pa.float64()})
        series = inputs.series if inputs.series is not None else _empty(
            {"municipality_code": pa.int32(), "year": pa.int32(), "series": pa.string(), "value": pa.float64()})
        noegletal = inputs.noegletal if inputs.noegletal is not None else noegletal_table()
        prices = inputs.price_index if inputs.price_index is not None else _empty(
            {"index_id": pa.string(), "year": pa.int32(), "value": pa.float64(), "status": pa.string(),
             "method": pa.string()})
        con.register("budget_in", inputs.budget if inputs.budget is not None else accounts_table())
        con.execute("CREATE TABLE budget AS " + _net_sql("budget_in", "per_inhabitant", "total_1000kr"))
        for name, tbl in (("population", population), ("target_groups", groups.table), ("structure", structure),
                          ("municipalities", munis), ("labels", labels), ("by_age", by_age), ("totals", totals),
                          ("series", series), ("noegletal", noegletal), ("prices", prices)):
            con.register(f"in_{name}", tbl)
        con.execute("""
            CREATE TABLE functions AS
            SELECT e.function, coalesce(l.label, '') AS label,
                   min(e.year) FILTER (WHERE e.per_inhabitant_status <> 'missing')::INTEGER AS first_year,
                   max(e.year) FILTER (WHERE e.per_inhabitant_status <> 'missing')::INTEGER AS last_year
            FROM expenditure e LEFT JOIN in_labels l USING (function) GROUP BY ALL""")
        queries = {
            "municipalities": "SELECT * FROM in_municipalities ORDER BY code",
            "functions": "SELECT * FROM functions ORDER BY function",
            "expenditure": "SELECT * FROM expenditure ORDER BY municipality_code, function, year",
            "population": "SELECT * FROM in_population ORDER BY municipality_code, year",
            "target_groups": "SELECT * FROM in_target_groups ORDER BY municipality_code, year, target_group",
            "structure": "SELECT * FROM in_structure ORDER BY municipality_code, year, variable",
            "population_by_age": "SELECT municipality_code::INTEGER AS municipality_code, year::INTEGER AS year, "
                                 "age::INTEGER AS age, persons::DOUBLE AS persons FROM in_by_age "
                                 "ORDER BY 1, 2, 3",
            "budget": "SELECT * FROM budget ORDER BY municipality_code, function, year",
            "population_totals": """
                SELECT t.year::INTEGER AS year, p.municipalities, t.christiansoe::DOUBLE AS christiansoe,
                       t.denmark::DOUBLE AS denmark
                FROM in_totals t LEFT JOIN (SELECT year, sum(population) AS municipalities FROM in_population
                                            WHERE municipality_code <> 0 GROUP BY year) p USING (year)
                ORDER BY 1""",
            "series": "SELECT municipality_code::INTEGER AS municipality_code, year::INTEGER AS year, series, "
                      "value::DOUBLE AS value, 'observed' AS status, NULL::VARCHAR AS method FROM in_series "
                      "WHERE value IS NOT NULL ORDER BY 1, 2, 3",
            "noegletal": """
                SELECT municipality_code::INTEGER AS municipality_code, year::INTEGER AS year, indicator,
                       value::DOUBLE AS value, CASE WHEN value IS NULL THEN 'missing' ELSE 'observed' END AS status,
                       marker, CASE WHEN marker = 'M' THEN 'noegletal_missing'
                                    WHEN marker = 'U' THEN 'noegletal_undefined'
                                    WHEN value IS NULL THEN 'not_reported' END AS method
                FROM in_noegletal ORDER BY 1, 2, 3""",
            "price_index": "SELECT index_id, year::INTEGER AS year, value::DOUBLE AS value, status, method "
                           "FROM in_prices ORDER BY 1, 2",
        }
        for name, q in queries.items():
            target = sql_path(tmp / f"{name}.parquet")
            con.execute(f"COPY ({q}) TO {target} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)")
    finally:
        con.close()
    return {"validation": groups.validation, "age_dates": groups.age_dates}


def _price_manifest(inputs: ReleaseInputs, tmp: Path) -> dict[str, Any] | None:
    info = dict(inputs.price_index_info or {})
    if not info:
        return None
    con = duckdb.connect()
    rows = con.execute(f"SELECT year, status FROM {sql_path(tmp / 'price_index.parquet')} "
                       "WHERE index_id = ? ORDER BY year", [info["id"]]).fetchall()
    con.close()
    observed = [y for y, st in rows if st == "observed"]
    info["years"] = [rows[0][0], rows[-1][0]] if rows else []
    info["default_base_year"] = observed[-1] if observed else (rows[-1][0] if rows else None)
    return info


def _manifest(inputs: ReleaseInputs, tmp: Path, catalog: Catalog, built_at: datetime,
              facts: dict[str, Any]) -> dict[str, object]:
    con = duckdb.connect()
    files: dict[str, dict[str, object]] = {}
    for name in TABLES:
        p = tmp / f"{name}.parquet"
        rows = con.execute(f"SELECT count(*) FROM {sql_path(p)}").fetchone()[0]  # type: ignore[index]
        files[p.name] = {"sha256": sha256_file(p), "rows": int(rows), "bytes": p.stat().st_size}
    exp = sql_path(tmp / "expenditure.parquet")
    pop = sql_path(tmp / "population.parquet")
    y0, y1 = con.execute(f"SELECT min(year), max(year) FROM {exp}").fetchone()  # type: ignore[misc]
    pop_obs = con.execute(f"SELECT min(year), max(year) FROM {pop} WHERE status = 'observed'").fetchone()
    totals = con.execute(f"SELECT year, municipalities, christiansoe, denmark FROM "
                         f"{sql_path(tmp / 'population_totals.parquet')} ORDER BY year").fetchall()
    noeg = [r[0] for r in con.execute(f"SELECT DISTINCT indicator FROM {sql_path(tmp / 'noegletal.parquet')} "
                                      "ORDER BY 1").fetchall()]
    con.close()
    content = hashlib.sha256("".join(f["sha256"] for f in files.values()).encode()).hexdigest()  # type: ignore
    validation = facts.get("validation", [])
    return {
        "schema_version": SCHEMA_VERSION,
        "release_id": f"{inputs.kind}-{content[:12]}",
        "kind": inputs.kind,
        "description": inputs.description,
        "built_at": built_at.isoformat(timespec="seconds"),
        "builder": f"raaderum {__version__}",
        "catalog_version": catalog.version,
        "price_basis": "Løbende priser (ikke prisreguleret)",
        "accounts": "Regnskab (kommunernes årsregnskaber, REGK31)",
        "measure": inputs.measure,
        "years": {
            "expenditure": [int(y0), int(y1)],
            "population_observed": [int(pop_obs[0]), int(pop_obs[1])] if pop_obs and pop_obs[0] else [],  # type: ignore[index]
            "age_observed": sorted(facts.get("age_dates", {})),
            "age_observed_from_age": {str(k): v for k, v in sorted(facts.get("age_dates", {}).items())},
        },
        "population_totals": {
            "national_row": "Hele landet (kode 0) i population og target_groups er summen af de 98 kommuner; "
                            "Christiansø (ikke en kommune, administreret af staten) indgår ikke.",
            "denmark": "Danmarks officielle folketal 1. januar = summen af de 98 kommuner + Christiansø "
                       "(tabellen population_totals; kontrolleret ved indlæsning).",
            "years": [int(r[0]) for r in totals],
        },
        "price_index": _price_manifest(inputs, tmp),
        "area_source": "area_km2" if inputs.area_km2 is not None and inputs.area_km2.num_rows else
                       "noegletal" if "areal_km2" in noeg else "density",
        "method_validation": {
            "method": "Hver metode er prøvet på datoer med kendte enkeltårsaldre, som holdes tilbage; fejlen er den "
                      "gennemsnitlige absolutte procentvise afvigelse (mape) over de 98 kommuner, p90 og max. "
                      "Baseline er første releases metode (målgruppens andel 1. januar 2021).",
            "bounds": {f"{m}{'' if h is None else f' (højst {h} år frem)'}": b
                       for (m, h), b in demography.MAX_MAPE.items()},
            "results": validation,
        },
        "noegletal_indicators": {k: {"name": v[0], "unit": v[1], "explanation": v[2]}
                                 for k, v in NOEGLETAL_INDICATORS.items() if k in noeg},
        "series": {k: {"name": v[0], "unit": v[1], "table": v[2], "explanation": v[3]} for k, v in SERIES.items()},
        "attribution": "Kilde: Danmarks Statistik",
        "sources": [asdict(s) for s in inputs.sources],
        "files": files,
        "methods": METHODS,
        "missing_reasons": MISSING_REASONS,
        "structure_variables": {k: {"name": v[0], "unit": v[1], "explanation": v[2]}
                                for k, v in STRUCTURE_VARIABLES.items()},
    }


__all__ = ["ACCOUNTS_SCHEMA", "AGE_BANDS", "CPI_FALLBACK_LABEL", "MEASURE_DRANST_1_2", "METHODS", "MISSING_REASONS",
           "NOEGLETAL_INDICATORS", "NOEGLETAL_SCHEMA", "ReleaseInputs", "SCHEMA_VERSION", "SERIES",
           "STRUCTURE_VARIABLES", "SourceRecord", "TABLES", "accounts_table", "build_release", "noegletal_table",
           "sha256_file"]
