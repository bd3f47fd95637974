"""Reading the raw files shipped in ``data/raw/`` into the canonical inputs of a data release.

Each reader names the file, the line and the value when a file is not as expected. Provenance of every file:
``data/raw/SOURCES.md``. All underlying figures: Kilde: Danmarks Statistik.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyarrow as pa

from raaderum.errors import DataReleaseError
from raaderum.release.build import ReleaseInputs, SourceRecord, accounts_table, sha256_file
from raaderum.release.municipalities import GROUPS, REGIONS, Municipality, normalise

ATTRIBUTION = "Kilde: Danmarks Statistik"

REGK31_DIR = "marieleth_regk31"
POPULATION_FILE = "noegletal_leafletexploration/kommune_indbyggere_2007_2022.csv"
DENSITY_FILE = "noegletal_leafletexploration/kommune_befolkningstaethed_2007_2022.csv"
GROUPS_FILE = "dkstat_rOpenGov/komgrp.csv"
REGIONS_FILE = "iholas_dk_municipalities/kommunerne.csv"
AGE_FILES = ("pandemix_folketal2021/DKfolketal2021_Statistikbanken_Del1.csv",
             "pandemix_folketal2021/DKfolketal2021_Statistikbanken_Del2.csv")
AGE_YEAR = 2021  # population on 1 January 2021

#: Corrections to the region file, documented in data/raw/SOURCES.md §6.
REGION_FIXES = {"Helsingør": "Hovedstaden", "Aarhus": "Midtjylland"}
NOT_MUNICIPALITIES = {"christiansoe"}  # Christiansø is administered by the state, not a municipality


def default_raw_dir() -> Path:
    """``data/raw`` of the source checkout this package lives in."""
    return Path(__file__).resolve().parent.parent / "data" / "raw"


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
            cols["dranst"].append(None)  # the extract is net operating expenditure (dranst 1+2 already summed)
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


def read_raw_inputs(raw_dir: Path | None = None) -> ReleaseInputs:
    """Every raw file in ``raw_dir`` (default ``data/raw``) as the canonical inputs of a release."""
    raw_dir = Path(raw_dir) if raw_dir else default_raw_dir()
    if not (raw_dir / GROUPS_FILE).exists():
        raise DataReleaseError(f"Rådata findes ikke i {raw_dir} (mangler {GROUPS_FILE}).")
    municipalities = read_municipalities(raw_dir)
    codes = {m.code for m in municipalities}
    expenditure, labels, regk_files = read_regk31(raw_dir, municipalities)
    population = _read_wide(raw_dir, POPULATION_FILE, "pop_", codes).rename_columns(
        ["municipality_code", "year", "population"])
    density = _read_wide(raw_dir, DENSITY_FILE, "den_", codes).rename_columns(
        ["municipality_code", "year", "density"])
    by_age = read_population_by_age(raw_dir, municipalities)
    years = sorted(set(expenditure.column("year").to_pylist()))
    sources = [
        SourceRecord(
            id="regk31", table="REGK31",
            title="Kommunernes regnskaber: nettodriftsudgifter pr. indbygger (løbende priser), 25 funktioner",
            years=f"{years[0]}-{years[-1]}", files=[_file_record(raw_dir, f) for f in regk_files],
            attribution=ATTRIBUTION,
            licence="Danmarks Statistiks vilkår for brug af data (fri genbrug med kildeangivelse)",
            provenance="marieleth/marieleth--hvad-bruger-din-kommune-pengene-paa @ 18c5cc18, data/*.csv; "
                       "genopbygget fra søgeindeks og kontrolleret mod landstallet (se data/raw/SOURCES.md §2)"),
        SourceRecord(
            id="population", table="FOLK1A (via noegletal.dk)", title="Folketal 1. januar pr. kommune",
            years="2007-2022", files=[_file_record(raw_dir, POPULATION_FILE)], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="maxodsbjerg/LeafletExploRation @ 08c7dd54 (se data/raw/SOURCES.md §7)"),
        SourceRecord(
            id="density", table="noegletal.dk / ARE207", title="Befolkningstæthed (indbyggere pr. km²) pr. kommune",
            years="2007-2022", files=[_file_record(raw_dir, DENSITY_FILE)], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="maxodsbjerg/LeafletExploRation @ 08c7dd54 (se data/raw/SOURCES.md §7)"),
        SourceRecord(
            id="population_by_age", table="FOLK1A", title="Folketal 1. januar 2021 pr. kommune og alder (0-125 år)",
            years=str(AGE_YEAR), files=[_file_record(raw_dir, f) for f in AGE_FILES], attribution=ATTRIBUTION,
            licence="Offentlig statistik, fri genbrug med kildeangivelse",
            provenance="PandemiXcenter/PandemiX @ 73f7a7ca; Christiansø udeladt (ikke en kommune) "
                       "(se data/raw/SOURCES.md §8)"),
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
        description="Indlejrede rådata fra Danmarks Statistik (data/raw)",
        municipalities=municipalities,
        function_labels=labels,
        expenditure=expenditure,
        population=population,
        density=density,
        population_by_age=by_age,
        area_km2=None,
        sources=sources,
    )
