"""Reading the raw files shipped in ``data/raw/`` into the canonical inputs of a data release.

Each reader names the file, the line and the value when a file is not as expected. Provenance of every file:
``data/raw/SOURCES.md``. All underlying figures: Kilde: Danmarks Statistik.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from raaderum.errors import DataReleaseError
from raaderum.release.build import ReleaseInputs, SourceRecord, accounts_table, noegletal_table, sha256_file
from raaderum.release.inputs import cpi_annual
from raaderum.release.municipalities import GROUPS, REGIONS, Municipality, MunicipalityRegister, normalise
from raaderum.release.registry import CPI_FALLBACK_LABEL

ATTRIBUTION = "Kilde: Danmarks Statistik"

REGK31_DIR = "marieleth_regk31"
POPULATION_FILE = "noegletal_leafletexploration/kommune_indbyggere_2007_2022.csv"
DENSITY_FILE = "noegletal_leafletexploration/kommune_befolkningstaethed_2007_2022.csv"
GROUPS_FILE = "dkstat_rOpenGov/komgrp.csv"
REGIONS_FILE = "iholas_dk_municipalities/kommunerne.csv"
AGE_FILES = ("pandemix_folketal2021/DKfolketal2021_Statistikbanken_Del1.csv",
             "pandemix_folketal2021/DKfolketal2021_Statistikbanken_Del2.csv")
AGE_YEAR = 2021  # population on 1 January 2021

# Second wave (data/raw/SOURCES.md §10-11).
HEDEGREEN = "hedegreen_danish_politics"
FOLK1AM_FILE = f"{HEDEGREEN}/folk1am_population_by_municipality.csv"
FOLK1A_65PLUS_FILE = f"{HEDEGREEN}/folk1a_65plus.csv"
AUK01_FILE = f"{HEDEGREEN}/auk01_social_assistance.csv"
LBESK69_FILE = f"{HEDEGREEN}/lbesk69_employees_by_municipality.csv"
INDKP101_FILE = f"{HEDEGREEN}/indkp101_income_by_municipality.csv"
UNEMPLOYMENT_FILE = f"{HEDEGREEN}/unemployment_pct.csv"
HFUDD11_FILES = {level: f"{HEDEGREEN}/hfudd11_{level}.csv" for level in ("tot", "h40", "h50", "h60", "h70", "h80")}
NOEGLETAL_FILE = "asgeringemann_noegletal/noegletal_long.csv"
CPI_FILE = "asgeringemann_noegletal/dst_pris113_cpi_2015_100_monthly.csv"
#: The first year of the noegletal reports the release keeps: earlier figures are the Ministry's estimates for the
#: post-2007 municipalities (SOURCES.md §11).
NOEGLETAL_FIRST_YEAR = 2007
#: Areas in Statistics Denmark's English CSV labels that are not one of the 98 municipalities.
NOT_A_MUNICIPALITY = re.compile(r"^(all denmark|hele landet|region |province |landsdel |christians|not stated|"
                                r"abroad|outside denmark|uoplyst|udlandet)", re.IGNORECASE)

#: Corrections to the region file, documented in data/raw/SOURCES.md §6.
REGION_FIXES = {"Helsingør": "Hovedstaden", "Aarhus": "Midtjylland"}
NOT_MUNICIPALITIES = {"christiansoe"}  # Christiansø is administered by the state, not a municipality


def default_raw_dir() -> Path:
    """``data/raw`` of the source checkout this package lives in."""
    return Path(__file__).resolve().parents[2] / "data" / "raw"


def _file_record(raw_dir: Path, rel: str) -> dict[str, object]:
    p = raw_dir / rel
    return {"path": rel, "sha256": sha256_file(p), "bytes": p.stat().st_size}


def _int(text: str, where: str) -> int:
    t = text.strip().replace(".", "").replace("\xa0", "")
    if not re.fullmatch(r"-?\d+", t):
        raise DataReleaseError(f"{where}: forventede et heltal, fandt {text!r}.")
    return int(t)


def read_municipalities(raw_dir: Path) -> list[Municipality]:
    """The 98 municipalities with code and group (KOMGRP) and region (fixed as noted in SOURCES.md)."""
    path = raw_dir / GROUPS_FILE
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    header = rows[0]
    if header[:4] != ["SEKVENS", "KODE", "NIVEAU", "TITEL"]:
        raise DataReleaseError(f"{path}: uventet overskrift {header[:4]}.")
    region_names = {v.removeprefix("Region "): k for k, v in REGIONS.items()}
    regions: dict[str, int] = {}
    text = (raw_dir / REGIONS_FILE).read_bytes().decode("latin-1")
    for i, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if i == 1 or not row:
            continue
        name = "Aarhus" if row[0] == "Århus" else row[0]
        regions[normalise(name)] = region_names[row[1]]
    for name, region in REGION_FIXES.items():
        regions.setdefault(normalise(name), region_names[region])
    out: list[Municipality] = []
    group = 0
    for lineno, row in enumerate(rows[1:], start=2):
        level, code, title = row[2], row[1], row[3]
        if level == "1":
            group = int(code)
        elif level == "2":
            rc = regions.get(normalise(title))
            if rc is None:
                raise DataReleaseError(f"{REGIONS_FILE}: ingen region for {title!r} (kode {code}, linje {lineno}).")
            out.append(Municipality(int(code), title, rc, REGIONS[rc], group, GROUPS[group]))
    return out


def _code_lookup(municipalities: list[Municipality]) -> dict[str, int]:
    lookup = {normalise(m.name): m.code for m in municipalities}
    lookup["heleland"] = lookup["helelandet"] = 0
    return lookup


def read_regk31(raw_dir: Path, municipalities: list[Municipality]) -> tuple[pa.Table, dict[str, str], list[str]]:
    """REGK31 net operating expenditure, kr. per inhabitant, one file per accounts year."""
    lookup = _code_lookup(municipalities)
    cols: dict[str, list[object]] = {k: [] for k in ("municipality_code", "function", "year", "dranst", "art",
                                                     "unit", "value")}
    labels: dict[str, str] = {}
    files: list[str] = []
    for path in sorted((raw_dir / REGK31_DIR).glob("*.csv")):
        year = int(path.stem)
        files.append(f"{REGK31_DIR}/{path.name}")
        for lineno, row in enumerate(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))), start=1):
            if not row:
                continue
            where = f"{REGK31_DIR}/{path.name}, linje {lineno}"
            if len(row) != 5:
                raise DataReleaseError(f"{where}: forventede 5 felter, fandt {len(row)}.")
            unit, art, function, area, value = row
            if not unit.startswith("Pr. indbygger") or art != "I alt (netto)":
                raise DataReleaseError(f"{where}: uventet prisenhed/art {unit!r}/{art!r}.")
            fcode, _, flabel = function.partition(" ")
            if not re.fullmatch(r"\d\.\d\d\.\d\d", fcode):
                raise DataReleaseError(f"{where}: ugyldig funktion {function!r}.")
            labels[fcode] = flabel
            code = lookup.get(normalise(area))
            if code is None:
                raise DataReleaseError(f"{where}: ukendt kommune {area!r}.")
            cols["municipality_code"].append(code)
            cols["function"].append(fcode)
            cols["year"].append(year)
            cols["dranst"].append(None)  # the extract does not state its transaction type (dranst)
            cols["art"].append("TOT")
            cols["unit"].append("INDL")
            cols["value"].append(float(_int(value, where)))
    return accounts_table(cols), labels, files


def _read_wide(raw_dir: Path, rel: str, prefix: str, codes: set[int]) -> pa.Table:
    path = raw_dir / rel
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    header = rows[0]
    years = [int(h.removeprefix(prefix)) for h in header[2:]]
    out: dict[str, list[int | float]] = {"municipality_code": [], "year": [], "value": []}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        code = _int(row[1], f"{rel}, linje {lineno}")
        if code not in codes:
            raise DataReleaseError(f"{rel}, linje {lineno}: kommunekode {code} er ikke en af de 98 kommuner.")
        for y, cell in zip(years, row[2:], strict=True):
            out["municipality_code"].append(code)
            out["year"].append(y)
            out["value"].append(float(_int(cell, f"{rel}, linje {lineno}, år {y}")))
    return pa.table({
        "municipality_code": pa.array(out["municipality_code"], pa.int32()),
        "year": pa.array(out["year"], pa.int32()),
        "value": pa.array(out["value"], pa.float64()),
    })


def read_population_by_age(raw_dir: Path, municipalities: list[Municipality]) -> pa.Table:
    lookup = _code_lookup(municipalities)
    lookup["bornholm"] = 400
    out: dict[str, list[int]] = {"municipality_code": [], "year": [], "age": [], "persons": []}
    for rel in AGE_FILES:
        for lineno, row in enumerate(csv.reader(io.StringIO((raw_dir / rel).read_text(encoding="utf-8")),
                                                delimiter=";"), start=1):
            if not row:
                continue
            where = f"{rel}, linje {lineno}"
            name, age_text, persons = row
            key = normalise(name)
            if key in NOT_MUNICIPALITIES:
                continue
            code = lookup.get(key)
            if code is None:
                raise DataReleaseError(f"{where}: ukendt kommune {name!r}.")
            m = re.fullmatch(r"(\d+) år", age_text.strip())
            if not m:
                raise DataReleaseError(f"{where}: ugyldig alder {age_text!r}.")
            out["municipality_code"].append(code)
            out["year"].append(AGE_YEAR)
            out["age"].append(int(m.group(1)))
            out["persons"].append(_int(persons, where))
    return pa.table({k: pa.array(v, pa.int32()) for k, v in out.items()})


def _dst_csv(raw_dir: Path, rel: str) -> tuple[list[str], list[list[str]]]:
    """A Statistikbanken CSV pull: UTF-8 with BOM, ';', CRLF, a header row (SOURCES.md §10)."""
    text = (raw_dir / rel).read_text(encoding="utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r]
    if not rows or rows[0][-1] != "INDHOLD":
        raise DataReleaseError(f"{rel}: uventet overskrift {rows[0] if rows else '(tom fil)'}.")
    return rows[0], rows[1:]


def _area_code(register: MunicipalityRegister, name: str, where: str) -> int | None:
    """The municipality code of a DST area label (English or Danish); None for aggregates and Christiansø."""
    if NOT_A_MUNICIPALITY.match(name.strip()):
        return None
    m = register.find(name)
    if m is None:
        raise DataReleaseError(f"{where}: ukendt område {name!r}.")
    return m.code


def _number(text: str, where: str) -> float:
    t = text.strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", t):
        raise DataReleaseError(f"{where}: forventede et tal, fandt {text!r}.")
    return float(t)


def read_folk1am(raw_dir: Path, register: MunicipalityRegister) -> tuple[pa.Table, pa.Table]:
    """FOLK1AM on the 1st of January: (population of the 98 per year, national totals per year).

    The second table has the published total for Denmark (``All Denmark``), Christiansø (not a municipality) and
    the sum of the 98, so the load checks can compare them (SOURCES.md §10)."""
    header, rows = _dst_csv(raw_dir, FOLK1AM_FILE)
    col = {h: i for i, h in enumerate(header)}
    pop: dict[str, list[object]] = {"municipality_code": [], "year": [], "population": []}
    totals: dict[int, dict[str, float]] = {}
    for lineno, r in enumerate(rows, start=2):
        where = f"{FOLK1AM_FILE}, linje {lineno}"
        tid = r[col["TID"]]
        m = re.fullmatch(r"(\d{4})M01", tid)
        if not m or r[col["ALDER"]] != "Age, total" or r[col["KØN"]] != "Total":
            continue
        year, name, value = int(m.group(1)), r[col["OMRÅDE"]], _number(r[col["INDHOLD"]], where)
        if name == "All Denmark":
            totals.setdefault(year, {})["denmark"] = value
        elif name.startswith("Christians"):
            totals.setdefault(year, {})["christiansoe"] = value
        else:
            code = _area_code(register, name, where)
            if code is not None:
                pop["municipality_code"].append(code)
                pop["year"].append(year)
                pop["population"].append(value)
    years = sorted(totals)
    return (pa.table({"municipality_code": pa.array(pop["municipality_code"], pa.int32()),
                      "year": pa.array(pop["year"], pa.int32()),
                      "population": pa.array(pop["population"], pa.float64())}),
            pa.table({"year": pa.array(years, pa.int32()),
                      "denmark": pa.array([totals[y].get("denmark") for y in years], pa.float64()),
                      "christiansoe": pa.array([totals[y].get("christiansoe") for y in years], pa.float64())}))


def read_folk1a_65plus(raw_dir: Path, register: MunicipalityRegister) -> pa.Table:
    """FOLK1A single ages 65-125 on the 1st day of the first quarter (= 1 January) of 2008, 2011, 2015, 2019, 2022."""
    header, rows = _dst_csv(raw_dir, FOLK1A_65PLUS_FILE)
    col = {h: i for i, h in enumerate(header)}
    out: dict[str, list[int]] = {"municipality_code": [], "year": [], "age": [], "persons": []}
    for lineno, r in enumerate(rows, start=2):
        where = f"{FOLK1A_65PLUS_FILE}, linje {lineno}"
        m = re.fullmatch(r"(\d{4})Q1", r[col["TID"]])
        a = re.fullmatch(r"(\d+) years?", r[col["ALDER"]])
        if not m or not a:
            raise DataReleaseError(f"{where}: uventet tid/alder {r[col['TID']]!r}/{r[col['ALDER']]!r}.")
        code = _area_code(register, r[col["OMRÅDE"]], where)
        if code is None:
            continue
        out["municipality_code"].append(code)
        out["year"].append(int(m.group(1)))
        out["age"].append(int(a.group(1)))
        out["persons"].append(int(_number(r[col["INDHOLD"]], where)))
    return pa.table({k: pa.array(v, pa.int32()) for k, v in out.items()})


def _quarterly_annual_mean(raw_dir: Path, rel: str, area_col: str, register: MunicipalityRegister,
                           keep: Callable[[dict[str, str]], bool]) -> dict[tuple[int, int], float]:
    """(municipality, year) → the mean of the year's four quarters; years with fewer quarters are left out."""
    header, rows = _dst_csv(raw_dir, rel)
    quarters: dict[tuple[int, int], dict[int, float]] = {}
    for lineno, r in enumerate(rows, start=2):
        rec = dict(zip(header, r, strict=True))
        if not keep(rec):
            continue
        where = f"{rel}, linje {lineno}"
        m = re.fullmatch(r"(\d{4})Q([1-4])", rec["TID"])
        if not m:
            raise DataReleaseError(f"{where}: uventet kvartal {rec['TID']!r}.")
        code = _area_code(register, rec[area_col], where)
        if code is None:
            continue
        quarters.setdefault((code, int(m.group(1))), {})[int(m.group(2))] = _number(rec["INDHOLD"], where)
    return {k: sum(q.values()) / 4 for k, q in quarters.items() if len(q) == 4}


def read_series(raw_dir: Path, register: MunicipalityRegister) -> pa.Table:
    """The annual socio-economic series of SOURCES.md §10 for the 98 municipalities (see ``build.SERIES``)."""
    values: dict[tuple[int, int, str], float] = {}
    for key, v in _quarterly_annual_mean(
            raw_dir, AUK01_FILE, "OMRÅDE", register,
            lambda r: r["YDELSESTYPE"] == "Net unemployed recipients of social assistance"
            and r["KØN"] == "Total" and r["ALDER"] == "Age, total").items():
        values[(*key, "social_assistance_fte")] = v
    for key, v in _quarterly_annual_mean(
            raw_dir, LBESK69_FILE, "BOPKOM", register,
            lambda r: r["TAL"] == "Full-time employees" and r["KØN"] == "Total").items():
        values[(*key, "employees_fte")] = v
    header, rows = _dst_csv(raw_dir, INDKP101_FILE)
    for lineno, r in enumerate(rows, start=2):
        rec = dict(zip(header, r, strict=True))
        where = f"{INDKP101_FILE}, linje {lineno}"
        if not rec["INDKOMSTTYPE"].startswith("1 Disposable income") or rec["KOEN"] != "Men and women, total":
            continue
        code = _area_code(register, rec["OMRÅDE"], where)
        if code is not None:
            values[(code, int(rec["TID"]), "disposable_income")] = _number(rec["INDHOLD"], where)
    text = (raw_dir / UNEMPLOYMENT_FILE).read_text(encoding="utf-8")
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if lineno == 1:
            if row != ["municipality", "year", "value"]:
                raise DataReleaseError(f"{UNEMPLOYMENT_FILE}: uventet overskrift {row}.")
            continue
        if not row:
            continue
        where = f"{UNEMPLOYMENT_FILE}, linje {lineno}"
        code = _area_code(register, row[0], where)
        if code is not None:
            values[(code, int(row[1]), "unemployment_rate")] = _number(row[2], where)
    for level, rel in HFUDD11_FILES.items():
        header, rows = _dst_csv(raw_dir, rel)
        for lineno, r in enumerate(rows, start=2):
            rec = dict(zip(header, r, strict=True))
            where = f"{rel}, linje {lineno}"
            if rec["HERKOMST"] != "Total" or rec["KØN"] != "Total" or rec["ALDER"] != "Age, total":
                continue
            code = _area_code(register, rec["BOPOMR"], where)
            if code is None:
                continue
            cell = (code, int(rec["TID"]), "education_15_69_total" if level == "tot" else "education_15_69_higher")
            values[cell] = values.get(cell, 0.0) + _number(rec["INDHOLD"], where)
    keys = sorted(values)
    return pa.table({"municipality_code": pa.array([k[0] for k in keys], pa.int32()),
                     "year": pa.array([k[1] for k in keys], pa.int32()),
                     "series": pa.array([k[2] for k in keys], pa.string()),
                     "value": pa.array([values[k] for k in keys], pa.float64())})


def read_noegletal_long(raw_dir: Path, codes: set[int]) -> pa.Table:
    """The tidy copy of the seven noegletal.dk reports (SOURCES.md §11), 2007 onwards; 'M'/'U' kept as markers."""
    text = (raw_dir / NOEGLETAL_FILE).read_text(encoding="utf-8")
    out: dict[str, list[object]] = {"municipality_code": [], "year": [], "indicator": [], "value": [], "marker": []}
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if lineno == 1:
            if row != ["kom_nr", "noegletal", "aar", "vaerdi"]:
                raise DataReleaseError(f"{NOEGLETAL_FILE}: uventet overskrift {row}.")
            continue
        if not row:
            continue
        where = f"{NOEGLETAL_FILE}, linje {lineno}"
        code, indicator, year, raw = int(row[0]), row[1], int(row[2]), row[3].strip()
        if year < NOEGLETAL_FIRST_YEAR:
            continue
        if code and code not in codes:
            raise DataReleaseError(f"{where}: kommunekode {code} er ikke en af de 98 kommuner.")
        out["municipality_code"].append(code)
        out["year"].append(year)
        out["indicator"].append(indicator)
        if raw in ("M", "U"):
            out["value"].append(None)
            out["marker"].append(raw)
        else:
            out["value"].append(_number(raw, where))
            out["marker"].append(None)
    return noegletal_table(out)


def read_cpi(raw_dir: Path) -> tuple[dict[str, float], SourceRecord]:
    """PRIS113 monthly consumer price index (2015 = 100), month code → value (SOURCES.md §11)."""
    text = (raw_dir / CPI_FILE).read_text(encoding="utf-8")
    months: dict[str, float] = {}
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if lineno == 1:
            if row != ["tid", "cpi_2015_100"]:
                raise DataReleaseError(f"{CPI_FILE}: uventet overskrift {row}.")
            continue
        if row:
            months[row[0]] = _number(row[1], f"{CPI_FILE}, linje {lineno}")
    record = SourceRecord(
        id="pris113", table="PRIS113", title="Forbrugerprisindeks, hovedtal (2015 = 100), månedlig",
        years=f"{min(months)[:4]}-{max(months)[:4]}", files=[_file_record(raw_dir, CPI_FILE)],
        attribution=ATTRIBUTION, licence="CC BY 4.0 (Danmarks Statistik)",
        provenance="AsgerIngemann/House-Prices @ f203d678, Data/Consumer price index (2015 = 100) Monthly "
                   "National, General.xlsx; uddraget som tid,cpi_2015_100 (se data/raw/SOURCES.md §11)")
    return months, record


#: What the shipped REGK31 extract says its figures are, word for word (it has no DRANST column).
REGK31_MEASURE = ("Som i REGK31-udtrækket: prisenhed 'Pr. indbygger, løbende priser (kr.)', art 'I alt (netto)', "
                  "pr. funktion; udtrækket angiver ikke dranst (transaktionstype)")


#: The shipped deflator: Statistics Denmark's consumer price index, a fallback (not the municipal price and wage
#: index, which Statistics Denmark does not publish).
CPI_INFO = {"id": "PRIS113", "table": "PRIS113", "name": "Forbrugerprisindeks (PRIS113), årsgennemsnit, 2015 = 100",
            "label": CPI_FALLBACK_LABEL, "fallback": True, "reference": "2015 = 100"}


def _merge_population(older: pa.Table, folk1am: pa.Table) -> pa.Table:
    """Section 7 (2007-2022) and FOLK1AM (2022-2026) as one table; where both have a year they must agree."""
    seen = {(m, y): v for m, y, v in zip(*(older.column(c).to_pylist() for c in older.column_names), strict=True)}
    rows = dict(seen)
    for m, y, v in zip(*(folk1am.column(c).to_pylist() for c in folk1am.column_names), strict=True):
        if (m, y) in seen and seen[(m, y)] != v:
            raise DataReleaseError(f"Folketal for kommune {m} 1. januar {y}: {POPULATION_FILE} siger "
                                   f"{seen[(m, y)]:.0f}, {FOLK1AM_FILE} siger {v:.0f}.")
        rows[(m, y)] = v
    keys = sorted(rows)
    return pa.table({"municipality_code": pa.array([k[0] for k in keys], pa.int32()),
                     "year": pa.array([k[1] for k in keys], pa.int32()),
                     "population": pa.array([rows[k] for k in keys], pa.float64())})


def read_raw_inputs(raw_dir: Path | None = None) -> ReleaseInputs:
    """Every raw file in ``raw_dir`` (default ``data/raw``) as the canonical inputs of a release."""
    raw_dir = Path(raw_dir) if raw_dir else default_raw_dir()
    if not (raw_dir / GROUPS_FILE).exists():
        raise DataReleaseError(f"Rådata findes ikke i {raw_dir} (mangler {GROUPS_FILE}).")
    municipalities = read_municipalities(raw_dir)
    register = MunicipalityRegister(municipalities)
    codes = {m.code for m in municipalities}
    expenditure, labels, regk_files = read_regk31(raw_dir, municipalities)
    older = _read_wide(raw_dir, POPULATION_FILE, "pop_", codes).rename_columns(
        ["municipality_code", "year", "population"])
    folk1am, totals = read_folk1am(raw_dir, register)
    population = _merge_population(older, folk1am)
    density = _read_wide(raw_dir, DENSITY_FILE, "den_", codes).rename_columns(
        ["municipality_code", "year", "density"])
    by_age = pa.concat_tables([read_population_by_age(raw_dir, municipalities),
                               read_folk1a_65plus(raw_dir, register)]).sort_by(
        [("municipality_code", "ascending"), ("year", "ascending"), ("age", "ascending")])
    series = read_series(raw_dir, register)
    noegletal = read_noegletal_long(raw_dir, codes)
    months, cpi_source = read_cpi(raw_dir)
    years = sorted(set(expenditure.column("year").to_pylist()))
    hfudd = [_file_record(raw_dir, f) for f in HFUDD11_FILES.values()]
    dst = "Danmarks Statistiks vilkår for brug af data (fri genbrug med kildeangivelse)"
    hedegreen = ("DennisHedegreen/danish-politics-data @ 3156d9b1, denmark/socioeconomic/{}; Statistikbanken-udtræk "
                 "(lang=en) hentet ca. 25. marts 2026 (se data/raw/SOURCES.md §10)")
    sources = [
        SourceRecord(
            id="regk31", table="REGK31",
            title="Kommunernes regnskaber på funktioner (REGK31): kr. pr. indbygger, løbende priser, art I alt "
                  "(netto), 25 funktioner; udtrækket angiver ikke dranst",
            years=f"{years[0]}-{years[-1]}", files=[_file_record(raw_dir, f) for f in regk_files],
            attribution=ATTRIBUTION, licence=dst,
            provenance="marieleth/marieleth--hvad-bruger-din-kommune-pengene-paa @ 18c5cc18, data/*.csv; "
                       "genopbygget fra søgeindeks og kontrolleret mod landstallet (se data/raw/SOURCES.md §2)"),
        SourceRecord(
            id="population", table="FOLK1A (via noegletal.dk)", title="Folketal 1. januar pr. kommune",
            years="2007-2022", files=[_file_record(raw_dir, POPULATION_FILE)], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="maxodsbjerg/LeafletExploRation @ 08c7dd54 (se data/raw/SOURCES.md §7)"),
        SourceRecord(
            id="folk1am", table="FOLK1AM", title="Folketal den 1. i måneden pr. kommune (januar 2022-2026), "
                                                 "Christiansø og hele landet",
            years="2022-2026", files=[_file_record(raw_dir, FOLK1AM_FILE)], attribution=ATTRIBUTION, licence=dst,
            provenance=hedegreen.format("folk1am_population_by_municipality.csv")),
        SourceRecord(
            id="density", table="noegletal.dk / ARE207", title="Befolkningstæthed (indbyggere pr. km²) pr. kommune",
            years="2007-2022", files=[_file_record(raw_dir, DENSITY_FILE)], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="maxodsbjerg/LeafletExploRation @ 08c7dd54; bruges kun hvis arealet mangler "
                       "(se data/raw/SOURCES.md §7)"),
        SourceRecord(
            id="population_by_age", table="FOLK1A", title="Folketal 1. januar 2021 pr. kommune og alder (0-125 år)",
            years=str(AGE_YEAR), files=[_file_record(raw_dir, f) for f in AGE_FILES], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="PandemiXcenter/PandemiX @ 73f7a7ca; Christiansø udeladt (ikke en kommune) "
                       "(se data/raw/SOURCES.md §8)"),
        SourceRecord(
            id="folk1a_65plus", table="FOLK1A", title="Folketal 1. januar 2008, 2011, 2015, 2019 og 2022 pr. kommune "
                                                      "og enkeltår 65-125 år",
            years="2008, 2011, 2015, 2019, 2022", files=[_file_record(raw_dir, FOLK1A_65PLUS_FILE)],
            attribution=ATTRIBUTION, licence=dst, provenance=hedegreen.format("folk1a_65plus.csv")),
        SourceRecord(
            id="auk01", table="AUK01", title="Offentligt forsørgede (fuldtidsmodtagere): nettoledige "
                                             "kontanthjælpsmodtagere pr. kommune, kvartaler",
            years="2007-2025", files=[_file_record(raw_dir, AUK01_FILE)], attribution=ATTRIBUTION, licence=dst,
            provenance=hedegreen.format("auk01_social_assistance.csv")),
        SourceRecord(
            id="lbesk69", table="LBESK69", title="Fuldtidsbeskæftigede lønmodtagere efter bopælskommune, kvartaler",
            years="2008-2025", files=[_file_record(raw_dir, LBESK69_FILE)], attribution=ATTRIBUTION, licence=dst,
            provenance=hedegreen.format("lbesk69_employees_by_municipality.csv")),
        SourceRecord(
            id="indkp101", table="INDKP101", title="Gennemsnitlig disponibel indkomst for alle personer pr. kommune",
            years="1987-2024", files=[_file_record(raw_dir, INDKP101_FILE)], attribution=ATTRIBUTION, licence=dst,
            provenance=hedegreen.format("indkp101_income_by_municipality.csv")),
        SourceRecord(
            id="hfudd11", table="HFUDD11", title="Befolkningens højest fuldførte uddannelse (15-69 år) pr. kommune",
            years="2008, 2011, 2015, 2019, 2022", files=hfudd, attribution=ATTRIBUTION, licence=dst,
            provenance=hedegreen.format("hfudd11_*.csv")),
        SourceRecord(
            id="aup02", table="AUP02", title="Fuldtidsledige i pct. af arbejdsstyrken, årsgennemsnit af måneder",
            years="2007-2024", files=[_file_record(raw_dir, UNEMPLOYMENT_FILE)], attribution=ATTRIBUTION,
            licence="MIT (repository); data CC BY 4.0 Danmarks Statistik",
            provenance="DennisHedegreen/danish-politics-data HEAD, denmark/factors/unemployment_pct.csv; "
                       "årsgennemsnit beregnet af kildens forfatter (se data/raw/SOURCES.md §10)"),
        SourceRecord(
            id="noegletal", table="noegletal.dk",
            title="De Kommunale Nøgletal: serviceudgifter pr. indbygger, socioøkonomisk indeks, udgift til dagtilbud "
                  "pr. 0-13-årig, udskrivningsprocent, grundskyldspromille, areal, indbyggertal",
            years=f"{NOEGLETAL_FIRST_YEAR}-2024", files=[_file_record(raw_dir, NOEGLETAL_FILE)],
            attribution="Kilde: Indenrigs- og Sundhedsministeriet, De Kommunale Nøgletal (noegletal.dk)",
            licence="Offentlige nøgletal (ingen licens angivet i kildens repository)",
            provenance="AsgerIngemann/House-Prices @ e93074f0, Data/*.xlsx og *.csv (eksport 30. marts og 1. april "
                       "2024); samlet i noegletal_long.csv, år før 2007 udeladt (se data/raw/SOURCES.md §11)"),
        cpi_source,
        SourceRecord(
            id="municipality_groups", table="KOMGRP", title="Kommunegrupper (Danmarks Statistiks klassifikation)",
            years="", files=[_file_record(raw_dir, GROUPS_FILE)], attribution=ATTRIBUTION, licence="GPL-2 (dkstat)",
            provenance="rOpenGov/dkstat @ afb1f2ff, data-raw/komgrp.csv (se data/raw/SOURCES.md §3)"),
        SourceRecord(
            id="regions", table="", title="Kommune → region",
            years="", files=[_file_record(raw_dir, REGIONS_FILE)], attribution="Igor Holas, MIT-licens",
            licence="MIT",
            provenance="iholas/dk_municipalities @ 9b353f47; rettet: Helsingør tilføjet, 'Århus' → Aarhus "
                       "(se data/raw/SOURCES.md §6)"),
    ]
    return ReleaseInputs(
        kind="embedded",
        description="Indlejrede rådata fra Danmarks Statistik og noegletal.dk (data/raw)",
        municipalities=municipalities,
        function_labels=labels,
        expenditure=expenditure,
        population=population,
        density=density,
        population_by_age=by_age,
        area_km2=None,
        sources=sources,
        population_totals=totals,
        series=series,
        noegletal=noegletal,
        price_index=cpi_annual(months),
        price_index_info=dict(CPI_INFO),
        measure=REGK31_MEASURE,
    )
