"""Opening and checking the data release in use.

A release is a directory of Parquet files and a ``manifest.json`` (see :mod:`raaderum.release.build`). It is
never changed after it is built. Which one is in use:

1. ``RAADERUM_RELEASE`` (a directory), when set;
2. else the release named in ``$RAADERUM_HOME/releases/CURRENT`` (written by ``raaderum data update``);
3. else the release embedded in the package (``raaderum/releases/embedded``).

Reads go through DuckDB in memory over the Parquet files, so any number of processes can read at once.
Every open verifies the files' sha256 against the manifest and runs :func:`check_release`'s content checks;
a corrupt or partial release is refused with a message that says which file and which check.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from raaderum import config
from raaderum.errors import DataNotAvailable, DataReleaseError, ReleaseCheckFailed
from raaderum.release.municipalities import Municipality, MunicipalityRegister
from raaderum.release.schema import NEW_TABLE_COLUMNS, SUPPORTED_SCHEMAS, sha256_file, sql_path, tables_for

#: How far the population-weighted mean of the 98 municipalities may lie from the national row.
NATIONAL_TOLERANCE_KR = 5.0
NATIONAL_TOLERANCE_REL = 0.005
#: Denmark's population on 1 January as Statistics Denmark publishes it (FOLK1AM, incl. Christiansø). A release
#: that carries one of these years must reproduce it exactly: the 98 municipalities + Christiansø.
PUBLISHED_POPULATION: dict[int, int] = {2022: 5_873_420, 2023: 5_932_654, 2024: 5_961_249, 2025: 5_992_734,
                                        2026: 6_025_603}
#: How far the population-weighted mean of the socio-economic index may lie from 1 (the index is published with
#: two decimals, so the weighted mean of the rounded values can miss 1 by up to 0.005).
SOCIO_INDEX_TOLERANCE = 0.01


def embedded_release_dir() -> Path:
    return Path(str(resources.files("raaderum").joinpath("releases", "embedded")))


def raaderum_home() -> Path:
    """Where Råderum keeps its files (the ``home`` setting, see :mod:`raaderum.config`)."""
    return config.current().home_dir


def releases_dir() -> Path:
    return raaderum_home() / "releases"


def current_release_dir() -> Path:
    """The directory of the release in use (see the module docstring for the order)."""
    chosen = config.current().release
    if chosen is not None:
        return chosen
    pointer = releases_dir() / "CURRENT"
    if pointer.exists():
        name = pointer.read_text(encoding="utf-8").strip()
        if name:
            return releases_dir() / name
    return embedded_release_dir()


def switch_current(release_dir: Path) -> None:
    """Make ``release_dir`` (inside :func:`releases_dir`) the release in use, atomically."""
    release_dir = Path(release_dir)
    check_release(release_dir)
    pointer = releases_dir() / "CURRENT"
    pointer.parent.mkdir(parents=True, exist_ok=True)
    tmp = pointer.with_name(f".CURRENT.{os.getpid()}")
    tmp.write_text(release_dir.name + "\n", encoding="utf-8")
    os.replace(tmp, pointer)


def read_manifest(path: Path) -> dict[str, Any]:
    mpath = Path(path) / "manifest.json"
    if not mpath.exists():
        raise DataReleaseError(f"Datarelease i {path} mangler manifest.json: den er ufuldstændig og bruges ikke.")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise DataReleaseError(f"{mpath} kan ikke læses som JSON ({e}); releasen bruges ikke.") from None
    if manifest.get("schema_version") not in SUPPORTED_SCHEMAS:
        raise DataReleaseError(f"{mpath}: skemaversion {manifest.get('schema_version')!r} understøttes ikke "
                               f"(forventede en af {', '.join(map(str, SUPPORTED_SCHEMAS))}).")
    return manifest


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    files = manifest.get("files", {})
    for name in tables_for(int(manifest["schema_version"])):
        fname = f"{name}.parquet"
        if fname not in files:
            raise DataReleaseError(f"Datarelease i {path}: manifestet nævner ikke {fname}; releasen er ufuldstændig.")
        fpath = Path(path) / fname
        if not fpath.exists():
            raise DataReleaseError(f"Datarelease i {path}: filen {fname} mangler; releasen er ufuldstændig.")
        if sha256_file(fpath) != files[fname]["sha256"]:
            raise DataReleaseError(f"Datarelease i {path}: filen {fname} er ændret eller beskadiget "
                                   "(kontrolsummen passer ikke med manifestet).")


def _content_checks(con: duckdb.DuckDBPyConnection, path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    def one(q: str, params: list[Any] | None = None) -> Any:
        return con.execute(q, params or []).fetchone()[0]  # type: ignore[index]

    def fail(message: str) -> None:
        raise ReleaseCheckFailed(f"Datarelease i {path}: {message}")

    n = one("SELECT count(DISTINCT code) FROM municipalities")
    if n != 98 or one("SELECT count(*) FROM municipalities") != 98:
        fail(f"{n} kommuner i registret, der skal være 98.")
    for table, keys in tables_for(int(manifest["schema_version"])).items():
        dup = one(f"SELECT count(*) FROM (SELECT {', '.join(keys)} FROM {table} GROUP BY ALL HAVING count(*) > 1)")
        if dup:
            fail(f"{dup} dubletter af nøglen ({', '.join(keys)}) i {table}.")
    # Every municipality must have figures in every year of the release (a partial answer is refused).
    gap = con.execute("""
        SELECT y.year, m.code, m.name FROM municipalities m CROSS JOIN (SELECT DISTINCT year FROM expenditure) y
        WHERE NOT EXISTS (SELECT 1 FROM expenditure e WHERE e.municipality_code = m.code AND e.year = y.year
                          AND e.per_inhabitant IS NOT NULL)
        ORDER BY 1, 2""").fetchall()
    if gap:
        examples = ", ".join(f"{name} ({code}) i {year}" for year, code, name in gap[:3])
        fail(f"{len(gap)} kombinationer af kommune og år har ingen udgiftstal, fx {examples}; releasen er "
             "ufuldstændig.")
    # The population-weighted mean of the municipal figures must reproduce the national row.
    worst = con.execute(f"""
        WITH w AS (
          SELECT e.function, e.year, sum(e.per_inhabitant * p.population) / sum(p.population) AS weighted,
                 count(*) AS n
          FROM expenditure e JOIN population p USING (municipality_code, year)
          WHERE e.municipality_code <> 0 AND p.status = 'observed' AND e.per_inhabitant_status = 'observed'
          GROUP BY ALL)
        SELECT w.function, w.year, w.weighted, nat.per_inhabitant, abs(w.weighted - nat.per_inhabitant) AS diff
        FROM w JOIN expenditure nat ON nat.municipality_code = 0 AND nat.function = w.function
                                   AND nat.year = w.year AND nat.per_inhabitant_status = 'observed'
        WHERE w.n = 98 AND abs(w.weighted - nat.per_inhabitant)
              > greatest({NATIONAL_TOLERANCE_KR}, {NATIONAL_TOLERANCE_REL} * abs(nat.per_inhabitant))
        ORDER BY diff DESC LIMIT 1""").fetchone()
    if worst:
        f, y, wv, nv, d = worst
        fail(f"for funktion {f} i {y} giver de 98 kommuners befolkningsvægtede gennemsnit {wv:.1f} kr., men "
             f"landstallet er {nv:.1f} kr. (afvigelse {d:.1f} kr.); data er ikke konsistente.")
    checked = one("""SELECT count(*) FROM expenditure nat WHERE nat.municipality_code = 0
                     AND nat.per_inhabitant_status = 'observed' AND nat.year IN
                     (SELECT year FROM population WHERE status = 'observed')""")
    # 98 municipalities in every year of every table with municipal rows.
    for table, key in (("population", "year"), ("target_groups", "year, target_group"),
                       ("structure", "year, variable"), ("series", "year, series"),
                       ("noegletal", "year, indicator")):
        bad = con.execute(f"""SELECT {key}, count(DISTINCT municipality_code) FROM {table}
                              WHERE municipality_code <> 0 GROUP BY ALL HAVING count(DISTINCT municipality_code) <> 98
                              ORDER BY 1 LIMIT 1""").fetchone()
        if bad:
            fail(f"{table} har {bad[-1]} kommuner for {', '.join(map(str, bad[:-1]))}; der skal være 98.")
    # Population totals: the 98 + Christiansø = Denmark's published total.
    totals = con.execute("""
        SELECT t.year, p.s, t.municipalities, t.christiansoe, t.denmark FROM population_totals t
        LEFT JOIN (SELECT year, sum(population) AS s FROM population WHERE municipality_code <> 0 GROUP BY year) p
        USING (year) ORDER BY 1""").fetchall()
    for year, s, munis, chr_, dk in totals:
        if s is None or munis is None or abs(s - munis) > 0.5:
            fail(f"population_totals for {year} siger {munis} for de 98 kommuner, men folketallene summer til {s}.")
        if dk is not None and chr_ is not None and abs(s + chr_ - dk) > 0.5:
            fail(f"folketallet 1. januar {year}: de 98 kommuner ({s:,.0f}) + Christiansø ({chr_:,.0f}) giver "
                 f"ikke Danmarks folketal {dk:,.0f}.")
        published = PUBLISHED_POPULATION.get(int(year))
        if published is not None and dk is not None and dk != published:
            fail(f"Danmarks folketal 1. januar {year} er {dk:,.0f} i releasen, men Danmarks Statistik har "
                 f"offentliggjort {published:,}.")
    # The socio-economic index averages 1 over the population (its definition).
    bad_socio = con.execute("""
        SELECT n.year, sum(n.value * p.population) / sum(p.population) AS w FROM noegletal n
        JOIN population p USING (municipality_code, year)
        WHERE n.indicator = 'socioekonomisk_indeks' AND n.municipality_code <> 0 AND n.value IS NOT NULL
        GROUP BY n.year HAVING count(*) = 98 AND abs(w - 1) > ?
        ORDER BY abs(w - 1) DESC LIMIT 1""", [SOCIO_INDEX_TOLERANCE]).fetchone()
    if bad_socio:
        fail(f"det befolkningsvægtede gennemsnit af det socioøkonomiske indeks er {bad_socio[1]:.3f} i "
             f"{bad_socio[0]}; det skal være 1,00 (±{SOCIO_INDEX_TOLERANCE}).")
    bad_price = one("SELECT count(*) FROM price_index WHERE value IS NULL OR value <= 0")
    if bad_price:
        fail(f"{bad_price} prisindekstal er ikke positive.")
    info = manifest.get("price_index") or {}
    if info and not one("SELECT count(*) FROM price_index WHERE index_id = ?", [info.get("id")]):
        fail(f"manifestets prisindeks {info.get('id')!r} findes ikke i price_index.")
    return {"municipalities": int(n), "national_rows_checked": int(checked),
            "population_totals_checked": len(totals)}


def _connect(path: Path, schema_version: int = 2) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for name, columns in NEW_TABLE_COLUMNS.items():
        if name not in tables_for(schema_version):  # an older release: the table reads as empty
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM (SELECT {_nulls(columns)}) WHERE false")
    for name in tables_for(schema_version):
        p = Path(path) / f"{name}.parquet"
        try:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_path(p)})")
            con.execute(f"SELECT * FROM {name} LIMIT 0")
        except duckdb.Error as e:
            raise DataReleaseError(f"Datarelease i {path}: {name}.parquet kan ikke læses ({e}).") from None
    return con


def _nulls(columns: str) -> str:
    """``"a INTEGER, b VARCHAR"`` → ``"NULL::INTEGER AS a, NULL::VARCHAR AS b"``."""
    parts = [c.strip().split() for c in columns.split(",")]
    return ", ".join(f"NULL::{t} AS {n}" for n, t in parts)


def check_release(path: Path | str) -> dict[str, Any]:
    """Verify a release directory: manifest, file checksums and content checks. Returns a summary."""
    path = Path(path)
    if not path.is_dir():
        raise DataReleaseError(f"Datarelease findes ikke: {path}.")
    manifest = read_manifest(path)
    verify_files(path, manifest)
    con = _connect(path, int(manifest["schema_version"]))
    try:
        return _content_checks(con, path, manifest)
    except duckdb.Error as e:
        raise DataReleaseError(f"Datarelease i {path} kan ikke kontrolleres: {e}") from None
    finally:
        con.close()


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from: shown next to every number."""

    source: str
    table: str
    year: int | None
    price_basis: str
    status: str  # observed | estimated | missing
    method: str | None = None  # method id (see manifest["methods"]) when estimated, reason id when missing
    release_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "table": self.table, "year": self.year, "price_basis": self.price_basis,
                "status": self.status, "method": self.method, "release_id": self.release_id}


class Release:
    """A checked, read-only data release."""

    def __init__(self, path: Path | str, *, verify: bool = True) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise DataReleaseError(f"Datarelease findes ikke: {self.path}.")
        self.manifest = read_manifest(self.path)
        if verify:
            verify_files(self.path, self.manifest)
        self._con = _connect(self.path, int(self.manifest["schema_version"]))
        self._lock = threading.Lock()
        if verify:
            self.checks = _content_checks(self._con, self.path, self.manifest)

    def __repr__(self) -> str:
        return f"Release({self.id!r}, {str(self.path)!r})"

    @property
    def id(self) -> str:
        return str(self.manifest["release_id"])

    @property
    def price_basis(self) -> str:
        return str(self.manifest.get("price_basis", ""))

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read-only SQL query over the release's tables (thread-safe: one cursor per call)."""
        with self._lock:
            cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            cur.close()

    def query_arrow(self, sql: str, params: list[Any] | None = None) -> Any:
        with self._lock:
            cur = self._con.cursor()
        try:
            return cur.sql(sql, params=params or None).to_arrow_table()
        finally:
            cur.close()

    @cached_property
    def register(self) -> MunicipalityRegister:
        rows = self.query("SELECT code, name, region_code, region, group_code, group_name FROM municipalities")
        return MunicipalityRegister(Municipality(*r) for r in rows)

    def municipalities(self) -> MunicipalityRegister:
        return self.register

    @cached_property
    def years(self) -> list[int]:
        """Accounts years with expenditure figures."""
        return [y for (y,) in self.query("SELECT DISTINCT year FROM expenditure ORDER BY 1")]

    @cached_property
    def function_labels(self) -> dict[str, str]:
        return dict(self.query("SELECT function, label FROM functions ORDER BY function"))

    def check_year(self, year: int | None) -> int:
        """``year``, or the latest year, checked against the release."""
        if year is None:
            return self.years[-1]
        if year not in self.years:
            raise DataNotAvailable(f"Året {year} findes ikke i datareleasen; der er regnskabstal for "
                                   f"{self.years[0]}-{self.years[-1]}.")
        return year

    def method_text(self, method: str | None) -> str:
        if not method:
            return ""
        return str(self.manifest.get("methods", {}).get(method)
                   or self.manifest.get("missing_reasons", {}).get(method) or method)

    def method_validation(self) -> list[dict[str, Any]]:
        """The error of each target-group estimation method on dates where the truth is known (held back), as the
        builder measured it (``manifest["method_validation"]``; see :mod:`raaderum.release.demography`)."""
        return list((self.manifest.get("method_validation") or {}).get("results", []))

    def source_for(self, source_id: str) -> dict[str, Any]:
        for s in self.manifest.get("sources", []):
            if s.get("id") == source_id:
                return dict(s)
        return {}

    def provenance(self, table: str, year: int | None, status: str, method: str | None = None) -> Provenance:
        return Provenance(source="Danmarks Statistik", table=table, year=year, price_basis=self.price_basis,
                          status=status, method=method, release_id=self.id)

    def close(self) -> None:
        self._con.close()


_cache: dict[tuple[str, float], Release] = {}
_cache_lock = threading.Lock()


def open_release(path: Path | str | None = None) -> Release:
    """The release at ``path``, or the one in use; opened and checked once per process (and per manifest)."""
    p = Path(path) if path is not None else current_release_dir()
    mpath = p / "manifest.json"
    try:
        key = (str(p), mpath.stat().st_mtime)
    except FileNotFoundError:
        raise DataReleaseError(f"Datarelease i {p} mangler manifest.json: den er ufuldstændig og bruges ikke.") \
            from None
    with _cache_lock:
        rel = _cache.get(key)
        if rel is None:
            rel = Release(p)
            _cache[key] = rel
        return rel


def current_register() -> MunicipalityRegister:
    """The municipality register of the data release in use."""
    return open_release().municipalities()
