"""Building a data release: canonical inputs → immutable Parquet files + ``manifest.json``.

Both sources of a release produce the same :class:`ReleaseInputs`: the raw files shipped in ``data/raw``
(:mod:`raaderum.release.raw_inputs`) and Statistics Denmark's API (:mod:`raaderum.release.update`).
:func:`build_release`
writes into a temporary directory beside the target, runs every load check on it, and only then renames it
into place: a failed build leaves nothing behind.

What the release fills in where the inputs stop is marked ``estimated`` per value with the id of its method
(:data:`METHODS`); functions that did not exist in a year are ``missing`` (null), never 0.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from raaderum import __version__
from raaderum.catalog import Catalog, load_catalog
from raaderum.errors import DataReleaseError
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import check_release
from raaderum.release.schema import SCHEMA_VERSION, TABLES, sha256_file  # re-exported

#: Estimation methods: id → what was done, in Danish (shown next to every estimated value).
METHODS: dict[str, str] = {
    "population_trend": "Folketal fremskrevet fra seneste observerede år med den gennemsnitlige årlige vækst "
                        "i de fem foregående år (skøn, ikke Danmarks Statistiks tal).",
    "population_backcast": "Folketal tilbageskrevet fra første observerede år med den gennemsnitlige årlige vækst "
                           "i de fem følgende år (skøn).",
    "age_share": "Målgruppens andel af befolkningen i nærmeste år med aldersfordeling ganget med årets folketal "
                 "(skøn; aldersfordelingen flytter sig langsomt).",
    "total_from_per_inhabitant": "1.000 kr. beregnet som kr. pr. indbygger × folketal 1. januar / 1.000 (afledt).",
    "per_inhabitant_from_total": "Kr. pr. indbygger beregnet som 1.000 kr. × 1.000 / folketal 1. januar (afledt).",
    "area_from_density": "Areal beregnet som folketal / befolkningstæthed, gennemsnit over årene (skøn; "
                         "tætheden er afrundet til hele indbyggere pr. km²).",
    "density_from_area": "Befolkningstæthed beregnet som folketal / areal (afledt af skønnet folketal eller areal).",
    "national_sum": "Hele landet beregnet som summen af de 98 kommuner, hvoraf nogle er skøn.",
}

#: Why a value is missing: id → explanation in Danish.
MISSING_REASONS: dict[str, str] = {
    "function_not_in_chart": "Funktionen fandtes ikke i kontoplanen dette år (0 for alle kommuner og hele landet "
                             "i kilden); vist som manglende, ikke som 0.",
    "not_reported": "Ikke indberettet i kilden.",
}

#: Structural variables (rammevilkår) every release carries; id → (Danish name, unit, explanation).
STRUCTURE_VARIABLES: dict[str, tuple[str, str, str]] = {
    "population": ("Folketal", "indbyggere", "Indbyggere 1. januar."),
    "density": ("Befolkningstæthed", "indbyggere pr. km²", "Indbyggere pr. km² (by eller land)."),
    "area_km2": ("Areal", "km²", "Kommunens areal."),
    "population_growth_5y": ("Befolkningsudvikling", "andel", "Ændring i folketallet over de seneste fem år."),
    "share_0_5": ("Andel 0-5-årige", "andel", "Andel af befolkningen i dagtilbudsalderen."),
    "share_6_16": ("Andel 6-16-årige", "andel", "Andel af befolkningen i skolealderen."),
    "share_17_64": ("Andel 17-64-årige", "andel", "Andel af befolkningen i den erhvervsaktive alder."),
    "share_65_plus": ("Andel 65+-årige", "andel", "Andel ældre på 65 år og derover."),
    "share_80_plus": ("Andel 80+-årige", "andel", "Andel ældre på 80 år og derover."),
}
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "share_0_5": (0, 5), "share_6_16": (6, 16), "share_17_64": (17, 64),
    "share_65_plus": (65, None), "share_80_plus": (80, None),
}


#: Columns of the canonical accounts input (``ReleaseInputs.expenditure`` and ``.budget``).
ACCOUNTS_SCHEMA = pa.schema([("municipality_code", pa.int32()), ("function", pa.string()), ("year", pa.int32()),
                             ("dranst", pa.int32()), ("art", pa.string()), ("unit", pa.string()),
                             ("value", pa.float64())])


def accounts_table(columns: dict[str, list[object]] | None = None) -> pa.Table:
    """An accounts input table (see :class:`ReleaseInputs`) from lists per column; empty without ``columns``."""
    cols = columns or {f.name: [] for f in ACCOUNTS_SCHEMA}
    return pa.table({f.name: pa.array(cols[f.name], f.type) for f in ACCOUNTS_SCHEMA})


def _net_sql(source: str, per_inhabitant: str, total: str) -> str:
    """Net operating expenditure = dranst 1 + 2, art 'I alt (netto)' (Statistics Denmark has no dranst total);
    a cell with no reported value stays null, never 0."""
    return f"""
        SELECT municipality_code::INTEGER AS municipality_code, function, year::INTEGER AS year,
               CASE WHEN count(value) FILTER (WHERE unit = 'INDL') = 0 THEN NULL
                    ELSE sum(value) FILTER (WHERE unit = 'INDL') END AS {per_inhabitant},
               CASE WHEN count(value) FILTER (WHERE unit = 'LOBM') = 0 THEN NULL
                    ELSE sum(value) FILTER (WHERE unit = 'LOBM') END AS {total}
        FROM {source}
        WHERE (art IS NULL OR art = 'TOT') AND (dranst IS NULL OR dranst IN (1, 2))
        GROUP BY ALL"""


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
    null when already net), art ('TOT' or null; other kinds are ignored), unit ('INDL' kr. per inhabitant or
    'LOBM' 1,000 kr. current prices), value (null = not reported). ``population``: municipality_code, year,
    population (1 January). ``density``: municipality_code, year, density. ``population_by_age``:
    municipality_code, year, age, persons. ``area_km2``: municipality_code, area_km2. ``budget`` (BUDK32):
    the columns of ``expenditure``; kept apart, since a budget is not an account.
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


def _fill_population(pop: pa.Table, codes: list[int], years: list[int]) -> pa.Table:
    """Observed population, extended to every year in ``years`` by trend (marked estimated)."""
    obs: dict[tuple[int, int], float] = {}
    for m, y, v in zip(pop.column("municipality_code").to_pylist(), pop.column("year").to_pylist(),
                       pop.column("population").to_pylist(), strict=True):
        if v is not None:
            obs[(int(m), int(y))] = float(v)
    rows: dict[str, list[object]] = {"municipality_code": [], "year": [], "population": [], "status": [],
                                     "method": []}
    for m in codes:
        have = sorted(y for (mm, y) in obs if mm == m)
        if not have:
            raise DataReleaseError(f"Intet folketal for kommune {m}: en release kræver folketal for alle 98.")
        first, last = have[0], have[-1]
        span = min(5, last - first)
        g_fwd = (obs[(m, last)] / obs[(m, last - span)]) ** (1 / span) if span and (m, last - span) in obs else 1.0
        g_back = (obs[(m, first + span)] / obs[(m, first)]) ** (1 / span) if span and (m, first + span) in obs \
            else 1.0
        for y in sorted(set(years) | set(have)):
            if (m, y) in obs:
                v, status, method = obs[(m, y)], "observed", None
            elif y > last:
                v, status, method = obs[(m, last)] * g_fwd ** (y - last), "estimated", "population_trend"
            elif y < first:
                v, status, method = obs[(m, first)] / g_back ** (first - y), "estimated", "population_backcast"
            else:  # a gap inside the observed years: interpolate geometrically
                lo = max(h for h in have if h < y)
                hi = min(h for h in have if h > y)
                v = obs[(m, lo)] * (obs[(m, hi)] / obs[(m, lo)]) ** ((y - lo) / (hi - lo))
                status, method = "estimated", "population_trend"
            rows["municipality_code"].append(m)
            rows["year"].append(y)
            rows["population"].append(round(v) if status == "estimated" else v)
            rows["status"].append(status)
            rows["method"].append(method)
    return pa.table({
        "municipality_code": pa.array(rows["municipality_code"], pa.int32()),
        "year": pa.array(rows["year"], pa.int32()),
        "population": pa.array(rows["population"], pa.float64()),
        "status": pa.array(rows["status"], pa.string()),
        "method": pa.array(rows["method"], pa.string()),
    })


def _age_sums(by_age: pa.Table | None, bands: dict[str, tuple[int, int | None]]) -> dict[tuple[int, int], dict]:
    """(municipality, year) → {band: persons, '_total': persons} from single-year age counts."""
    out: dict[tuple[int, int], dict[str, float]] = {}
    if by_age is None or by_age.num_rows == 0:
        return out
    m_ = np.asarray(by_age.column("municipality_code").to_numpy(zero_copy_only=False))
    y_ = np.asarray(by_age.column("year").to_numpy(zero_copy_only=False))
    a_ = np.asarray(by_age.column("age").to_numpy(zero_copy_only=False))
    p_ = np.asarray(by_age.column("persons").to_numpy(zero_copy_only=False), dtype=float)
    for key in set(zip(m_.tolist(), y_.tolist(), strict=True)):
        sel = (m_ == key[0]) & (y_ == key[1])
        ages, persons = a_[sel], p_[sel]
        d = {"_total": float(persons.sum())}
        for band, (lo, hi) in bands.items():
            mask = ages >= lo if hi is None else (ages >= lo) & (ages <= hi)
            d[band] = float(persons[mask].sum())
        out[(int(key[0]), int(key[1]))] = d
    for y in {y for (_, y) in out}:  # Hele landet = the sum of the municipalities, unless given
        if (0, y) not in out:
            parts = [d for (m, yy), d in out.items() if yy == y and m != 0]
            out[(0, y)] = {k: float(sum(d[k] for d in parts)) for k in parts[0]}
    return out


def _nearest(years: list[int], y: int) -> int:
    return min(years, key=lambda a: (abs(a - y), a))


def _target_groups_and_shares(inputs: ReleaseInputs, population: pa.Table, catalog: Catalog,
                              codes: list[int]) -> tuple[pa.Table, dict[tuple[int, int, str], tuple]]:
    bands = {tg.id: (tg.age_min, tg.age_max) for tg in catalog.target_groups.values()}
    bands.update(AGE_BANDS)
    sums = _age_sums(inputs.population_by_age, bands)
    age_years = sorted({y for (_, y) in sums})
    pop = {(m, y): (p, s) for m, y, p, s in zip(population.column("municipality_code").to_pylist(),
                                                 population.column("year").to_pylist(),
                                                 population.column("population").to_pylist(),
                                                 population.column("status").to_pylist(), strict=True)}
    rows: dict[str, list[object]] = {k: [] for k in ("municipality_code", "year", "target_group", "persons",
                                                     "status", "method")}
    shares: dict[tuple[int, int, str], tuple] = {}
    for (m, y), (p, pstatus) in sorted(pop.items()):
        for tg_id, (lo, hi) in bands.items():
            is_share = tg_id in AGE_BANDS
            if lo == 0 and hi is None:
                persons, status, method = p, pstatus, None if pstatus == "observed" else "population_trend"
            elif (m, y) in sums:
                persons, status, method = sums[(m, y)][tg_id], "observed", None
            elif age_years:
                a = _nearest([ay for ay in age_years if (m, ay) in sums] or age_years, y)
                s = sums.get((m, a))
                if s is None or not s["_total"]:
                    continue
                persons, status, method = s[tg_id] / s["_total"] * p, "estimated", "age_share"
            else:
                continue
            if is_share:
                shares[(m, y, tg_id)] = (persons / p if p else None, status, method)
            else:
                rows["municipality_code"].append(m)
                rows["year"].append(y)
                rows["target_group"].append(tg_id)
                rows["persons"].append(float(persons))
                rows["status"].append(status)
                rows["method"].append(method)
    table = pa.table({
        "municipality_code": pa.array(rows["municipality_code"], pa.int32()),
        "year": pa.array(rows["year"], pa.int32()),
        "target_group": pa.array(rows["target_group"], pa.string()),
        "persons": pa.array(rows["persons"], pa.float64()),
        "status": pa.array(rows["status"], pa.string()),
        "method": pa.array(rows["method"], pa.string()),
    })
    return table, shares


def _structure(inputs: ReleaseInputs, population: pa.Table, shares: dict, codes: list[int]) -> pa.Table:
    pop = {(m, y): (p, s) for m, y, p, s in zip(population.column("municipality_code").to_pylist(),
                                                 population.column("year").to_pylist(),
                                                 population.column("population").to_pylist(),
                                                 population.column("status").to_pylist(), strict=True)}
    dens: dict[tuple[int, int], float] = {}
    if inputs.density is not None:
        for m, y, d in zip(inputs.density.column("municipality_code").to_pylist(),
                           inputs.density.column("year").to_pylist(),
                           inputs.density.column("density").to_pylist(), strict=True):
            if d:
                dens[(int(m), int(y))] = float(d)
    area: dict[int, tuple[float, str, str | None]] = {}
    if inputs.area_km2 is not None:
        for m, a in zip(inputs.area_km2.column("municipality_code").to_pylist(),
                        inputs.area_km2.column("area_km2").to_pylist(), strict=True):
            if a:
                area[int(m)] = (float(a), "observed", None)
    for m in codes:
        if m not in area:
            est = [pop[(m, y)][0] / d for (mm, y), d in dens.items() if mm == m and (m, y) in pop
                   and pop[(m, y)][1] == "observed"]
            if est:
                area[m] = (float(np.mean(est)), "estimated", "area_from_density")
    rows: dict[str, list[object]] = {k: [] for k in ("municipality_code", "year", "variable", "value", "status",
                                                     "method")}

    def add(m: int, y: int, var: str, value: float | None, status: str, method: str | None) -> None:
        rows["municipality_code"].append(m)
        rows["year"].append(y)
        rows["variable"].append(var)
        rows["value"].append(value)
        rows["status"].append(status)
        rows["method"].append(method)

    for (m, y), (p, pstatus) in sorted(pop.items()):
        if m == 0:
            continue
        add(m, y, "population", p, pstatus, None if pstatus == "observed" else "population_trend")
        if m in area:
            add(m, y, "area_km2", area[m][0], area[m][1], area[m][2])
        if (m, y) in dens and pstatus == "observed":
            add(m, y, "density", dens[(m, y)], "observed", None)
        elif m in area:
            add(m, y, "density", p / area[m][0], "estimated", "density_from_area")
        if (m, y - 5) in pop:
            p5, s5 = pop[(m, y - 5)]
            growth_status = "observed" if pstatus == s5 == "observed" else "estimated"
            add(m, y, "population_growth_5y", p / p5 - 1 if p5 else None, growth_status,
                None if growth_status == "observed" else "population_trend")
        for band in AGE_BANDS:
            if (m, y, band) in shares:
                v, st, me = shares[(m, y, band)]
                add(m, y, band, v, st, me)
    return pa.table({
        "municipality_code": pa.array(rows["municipality_code"], pa.int32()),
        "year": pa.array(rows["year"], pa.int32()),
        "variable": pa.array(rows["variable"], pa.string()),
        "value": pa.array(rows["value"], pa.float64()),
        "status": pa.array(rows["status"], pa.string()),
        "method": pa.array(rows["method"], pa.string()),
    })


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
        _write_tables(inputs, tmp, catalog, codes)
        manifest = _manifest(inputs, tmp, catalog, built_at or datetime.now(UTC))
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        check_release(tmp)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _write_tables(inputs: ReleaseInputs, tmp: Path, catalog: Catalog, codes: list[int]) -> None:
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
        population = _with_national(_fill_population(inputs.population, codes, years))
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
                   WHEN total_obs IS NOT NULL AND p.population > 0 THEN 'estimated' ELSE 'missing'
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
                   WHEN per_inh_obs IS NOT NULL AND p.population IS NOT NULL THEN 'estimated' ELSE 'missing'
              END AS total_status,
              CASE WHEN d.function IS NOT NULL THEN 'function_not_in_chart'
                   WHEN total_obs IS NOT NULL THEN NULL
                   WHEN per_inh_obs IS NOT NULL AND p.population IS NOT NULL THEN 'total_from_per_inhabitant'
                   ELSE 'not_reported'
              END AS total_method
            FROM wide w
            LEFT JOIN dead d ON d.function = w.function AND d.year = w.year
            LEFT JOIN pop p ON p.municipality_code = w.municipality_code AND p.year = w.year""")
        tgs, shares = _target_groups_and_shares(inputs, population, catalog, codes)
        structure = _structure(inputs, population, shares, codes)
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
        by_age = inputs.population_by_age if inputs.population_by_age is not None else pa.table({
            "municipality_code": pa.array([], pa.int32()), "year": pa.array([], pa.int32()),
            "age": pa.array([], pa.int32()), "persons": pa.array([], pa.int32())})
        con.register("budget_in", inputs.budget if inputs.budget is not None else accounts_table())
        con.execute("CREATE TABLE budget AS " + _net_sql("budget_in", "per_inhabitant", "total_1000kr"))
        for name, tbl in (("population", population), ("target_groups", tgs), ("structure", structure),
                          ("municipalities", munis), ("labels", labels), ("by_age", by_age)):
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
        }
        for name, q in queries.items():
            target = (tmp / f"{name}.parquet").as_posix().replace("'", "''")
            con.execute(f"COPY ({q}) TO '{target}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)")
    finally:
        con.close()


def _manifest(inputs: ReleaseInputs, tmp: Path, catalog: Catalog, built_at: datetime) -> dict[str, object]:
    con = duckdb.connect()
    files: dict[str, dict[str, object]] = {}
    for name in TABLES:
        p = tmp / f"{name}.parquet"
        rows = con.execute(f"SELECT count(*) FROM '{p.as_posix()}'").fetchone()[0]  # type: ignore[index]
        files[p.name] = {"sha256": sha256_file(p), "rows": int(rows), "bytes": p.stat().st_size}
    exp = (tmp / "expenditure.parquet").as_posix()
    pop = (tmp / "population.parquet").as_posix()
    y0, y1 = con.execute(f"SELECT min(year), max(year) FROM '{exp}'").fetchone()  # type: ignore[misc]
    pop_obs = con.execute(f"SELECT min(year), max(year) FROM '{pop}' WHERE status = 'observed'").fetchone()
    age_years = [r[0] for r in con.execute(
        f"SELECT DISTINCT year FROM '{(tmp / 'population_by_age.parquet').as_posix()}' ORDER BY 1").fetchall()]
    con.close()
    content = hashlib.sha256("".join(f["sha256"] for f in files.values()).encode()).hexdigest()  # type: ignore
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
        "measure": "Nettodriftsudgifter (dranst 1 drift + 2 statsrefusion, art I alt netto)",
        "years": {
            "expenditure": [int(y0), int(y1)],
            "population_observed": [int(pop_obs[0]), int(pop_obs[1])] if pop_obs and pop_obs[0] else [],  # type: ignore[index]
            "age_observed": age_years,
        },
        "attribution": "Kilde: Danmarks Statistik",
        "sources": [asdict(s) for s in inputs.sources],
        "files": files,
        "methods": METHODS,
        "missing_reasons": MISSING_REASONS,
        "structure_variables": {k: {"name": v[0], "unit": v[1], "explanation": v[2]}
                                for k, v in STRUCTURE_VARIABLES.items()},
    }
