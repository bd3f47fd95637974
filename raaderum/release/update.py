"""``raaderum data update``: a new data release from Statistics Denmark's API, switched to only when complete.

Fetched (Kilde: Danmarks Statistik, Statistikbanken API v1):

- REGK31: accounts by municipality × function × dranst (1 drift, 2 statsrefusion) × art TOT × price unit
  (LOBM 1.000 kr. and INDL kr. per inhabitant) × year; net operating expenditure = dranst 1 + 2.
- FOLK1A: population on 1 January (first quarter) per municipality, every year.
- FOLK1AM: population on 1 January by single year of age (January of each year the table has), so target
  groups are observed in those years.
- ARE207: area in km² per municipality.

The municipality register (codes, regions, groups) is kept from the release in use. The new release is
built beside the old one (:func:`raaderum.release.build.build_release` writes to a temporary folder and checks
it); only then does ``CURRENT`` switch. Any failure leaves the release in use untouched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from raaderum.errors import DataReleaseError, StatbankError, StatbankFormatError
from raaderum.release.build import ReleaseInputs, SourceRecord, accounts_table, build_release
from raaderum.release.reader import Release, open_release, releases_dir, switch_current
from raaderum.release.statbank import StatbankClient, TableInfo, parse_number

ATTRIBUTION = "Kilde: Danmarks Statistik"
LICENCE = "Danmarks Statistiks vilkår for brug af data (fri genbrug med kildeangivelse)"

Progress = Callable[[str], None]


@dataclass
class UpdateResult:
    release_dir: Path
    release_id: str
    previous_id: str
    years: tuple[int, int]


def _function_code(code: str) -> str | None:
    """Statistics Denmark's '32201' → '3.22.01'; aggregates (main accounts) → None."""
    c = code.strip()
    if re.fullmatch(r"\d{5}", c):
        return f"{c[0]}.{c[1:3]}.{c[3:5]}"
    if re.fullmatch(r"\d\.\d\d\.\d\d", c):
        return c
    return None


def _digest(rows: list[dict[str, str]]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps(r, sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def _years(info: TableInfo, wanted: range | None, pattern: str = r"(\d{4})") -> dict[str, int]:
    """Time codes of ``info`` that match ``pattern`` → year, limited to ``wanted``."""
    out: dict[str, int] = {}
    for v in info.variables:
        if v.time:
            for val in v.values:
                m = re.fullmatch(pattern, val.id)
                if m and (wanted is None or int(m.group(1)) in wanted):
                    out[val.id] = int(m.group(1))
            return out
    raise StatbankFormatError(f"Tabel {info.id} har ingen tidsvariabel.")


def _time_id(info: TableInfo) -> str:
    return next(v.id for v in info.variables if v.time)


def _area_codes(info: TableInfo, var: str, codes: set[int]) -> list[str]:
    """The codes of variable ``var`` that are one of the 98 municipalities or Hele landet (0)."""
    out = [v.id for v in info.variable(var).values if v.id.isdigit() and (int(v.id) in codes or int(v.id) == 0)]
    found = {int(c) for c in out}
    if not codes <= found:
        missing = sorted(codes - found)[:5]
        raise StatbankFormatError(f"Tabel {info.id}: variablen {var} mangler kommunekoder, fx {missing}.")
    return out


def _record(info: TableInfo, title: str, years: list[int], rows: list[dict[str, str]]) -> SourceRecord:
    span = f"{min(years)}-{max(years)}" if years else ""
    return SourceRecord(id=info.id.lower(), table=info.id, title=title or info.text, years=span,
                        files=[{"path": f"api.statbank.dk/v1/data?table={info.id}", "sha256": _digest(rows),
                                "rows": len(rows)}],
                        attribution=ATTRIBUTION, licence=LICENCE,
                        provenance=f"Statistikbanken API v1, tabel {info.id} (opdateret {info.updated})",
                        retrieved=datetime.now(UTC).isoformat(timespec="seconds"))


def fetch_inputs(client: StatbankClient, current: Release, *, years: range | None = None,
                 progress: Progress | None = None) -> ReleaseInputs:
    """Fetch every table the release needs and turn the answers into canonical :class:`ReleaseInputs`."""
    say = progress or (lambda _msg: None)
    register = list(current.register)
    codes = {m.code for m in register}
    sources: list[SourceRecord] = []

    say("Henter REGK31 (regnskaber) …")
    info = client.tableinfo("REGK31")
    year_codes = _years(info, years)
    if not year_codes:
        raise DataReleaseError("REGK31 har ingen år i det ønskede interval.")
    functions = [v.id for v in info.variable("FUNKTION").values if _function_code(v.id)]
    labels = {_function_code(v.id): v.text.partition(" ")[2] or v.text
              for v in info.variable("FUNKTION").values if _function_code(v.id)}
    areas = _area_codes(info, "OMRÅDE", codes)
    rows = client.fetch("REGK31", {"OMRÅDE": areas, "FUNKTION": functions, "DRANST": ["1", "2"], "ART": ["TOT"],
                                   "PRISENHED": ["LOBM", "INDL"], _time_id(info): list(year_codes)})
    expenditure = _accounts_rows(rows, "REGK31", "OMRÅDE", _time_id(info).upper(), year_codes)
    sources.append(_record(info, "Kommunernes regnskaber på funktioner (nettodriftsudgifter)",
                           sorted(year_codes.values()), rows))

    say("Henter BUDK32 (budgetter) …")
    budget, budget_source = _fetch_budget(client, codes)
    if budget_source:
        sources.append(budget_source)

    say("Henter FOLK1A (folketal 1. januar) …")
    info = client.tableinfo("FOLK1A")
    want = range(min(year_codes.values()) - 6, max(year_codes.values()) + 1)
    q1 = _years(info, want, r"(\d{4})K1")
    rows = client.fetch("FOLK1A", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), _time_id(info): list(q1)})
    tkey = _time_id(info).upper()
    pop = {"municipality_code": [], "year": [], "population": []}  # type: dict[str, list[object]]
    for r in rows:
        code = int(r["OMRÅDE"])
        if code in codes:
            pop["municipality_code"].append(code)
            pop["year"].append(q1[r[tkey]])
            pop["population"].append(parse_number(r["INDHOLD"]))
    population = pa.table({"municipality_code": pa.array(pop["municipality_code"], pa.int32()),
                           "year": pa.array(pop["year"], pa.int32()),
                           "population": pa.array(pop["population"], pa.float64())})
    sources.append(_record(info, "Folketal 1. januar (1. kvartal) pr. kommune", sorted(set(q1.values())), rows))

    say("Henter FOLK1AM (folketal pr. alder) …")
    info = client.tableinfo("FOLK1AM")
    jan = _years(info, range(min(year_codes.values()), max(year_codes.values()) + 2), r"(\d{4})M01")
    ages = [v.id for v in info.variable("ALDER").values if v.id.isdigit()]
    by_age_rows = client.fetch("FOLK1AM", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), "ALDER": ages,
                                           _time_id(info): list(jan)}) if jan else []
    tkey = _time_id(info).upper()
    ba = {"municipality_code": [], "year": [], "age": [], "persons": []}  # type: dict[str, list[int]]
    for r in by_age_rows:
        code = int(r["OMRÅDE"])
        v = parse_number(r["INDHOLD"])
        if code in codes and v is not None:
            ba["municipality_code"].append(code)
            ba["year"].append(jan[r[tkey]])
            ba["age"].append(int(r["ALDER"]))
            ba["persons"].append(int(v))
    by_age = pa.table({k: pa.array(v, pa.int32()) for k, v in ba.items()})
    sources.append(_record(info, "Folketal 1. januar pr. kommune og alder", sorted(set(jan.values())), by_age_rows))

    say("Henter ARE207 (areal) …")
    info = client.tableinfo("ARE207")
    are_years = _years(info, None)
    latest = max(are_years, key=lambda k: are_years[k])
    rows = client.fetch("ARE207", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), _time_id(info): [latest]})
    area = {"municipality_code": [], "area_km2": []}  # type: dict[str, list[object]]
    for r in rows:
        code = int(r["OMRÅDE"])
        if code in codes:
            area["municipality_code"].append(code)
            area["area_km2"].append(parse_number(r["INDHOLD"]))
    area_km2 = pa.table({"municipality_code": pa.array(area["municipality_code"], pa.int32()),
                         "area_km2": pa.array(area["area_km2"], pa.float64())})
    sources.append(_record(info, "Areal 1. januar pr. kommune (km²)", [are_years[latest]], rows))
    for s in current.manifest.get("sources", []):
        if s.get("id") in ("municipality_groups", "regions"):
            sources.append(SourceRecord(**s))
    return ReleaseInputs(kind="statbank", description="Hentet fra Danmarks Statistiks API (Statistikbanken)",
                         municipalities=register, function_labels=labels,  # type: ignore[arg-type]
                         expenditure=expenditure, population=population, density=None,
                         population_by_age=by_age, area_km2=area_km2, budget=budget, sources=sources)


def _accounts_rows(rows: list[dict[str, str]], table: str, area_key: str, time_key: str,
                   year_codes: dict[str, int]) -> pa.Table:
    """REGK31/BUDK32 CSV rows (Code presentation) → the canonical accounts table of a release."""
    cols: dict[str, list[object]] = {k: [] for k in ("municipality_code", "function", "year", "dranst", "art",
                                                     "unit", "value")}
    for i, r in enumerate(rows, start=1):
        try:
            cols["municipality_code"].append(int(r[area_key]))
            cols["function"].append(_function_code(r["FUNKTION"]))
            cols["year"].append(year_codes[r[time_key]])
            cols["dranst"].append(int(r["DRANST"]))
            cols["art"].append(r["ART"])
            cols["unit"].append(r["PRISENHED"])
            cols["value"].append(parse_number(r["INDHOLD"]))
        except (KeyError, ValueError) as e:
            raise StatbankFormatError(f"{table}, række {i}: kan ikke læses ({e!r}): {r}.") from None
    return accounts_table(cols)


def _fetch_budget(client: StatbankClient, codes: set[int]) -> tuple[pa.Table, SourceRecord | None]:
    """BUDK32: the municipalities' budgets by function (kept apart from the accounts)."""
    info = client.tableinfo("BUDK32")
    area_var = next(v.id for v in info.variables if v.id.upper() in ("KOMMUNE", "OMRÅDE"))
    year_codes = _years(info, None)
    units = [u for u in ("LOBM", "INDL") if u in {v.id for v in info.variable("PRISENHED").values}]
    functions = [v.id for v in info.variable("FUNKTION").values if _function_code(v.id)]
    rows = client.fetch("BUDK32", {area_var: _area_codes(info, area_var, codes), "FUNKTION": functions,
                                   "DRANST": ["1", "2"], "ART": ["TOT"], "PRISENHED": units,
                                   _time_id(info): list(year_codes)})
    table = _accounts_rows(rows, "BUDK32", area_var.upper(), _time_id(info).upper(), year_codes)
    return table, _record(info, "Kommunernes budgetter på funktioner", sorted(year_codes.values()), rows)


def update_release(client: StatbankClient | None = None, *, years: range | None = None,
                   progress: Progress | None = None) -> UpdateResult:
    """Fetch, build and check a new release beside the current one, then switch to it.

    On any failure (network, HTTP, format, checks) raises, and the release in use stays as it was.
    """
    current = open_release()
    own = client is None
    client = client or StatbankClient()
    try:
        inputs = fetch_inputs(client, current, years=years, progress=progress)
    except StatbankError as e:
        raise StatbankError(f"{e} Datareleasen i brug er uændret: {current.id}.") from e
    finally:
        if own:
            client.close()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = releases_dir() / f"statbank-{stamp}"
    if progress:
        progress(f"Bygger og kontrollerer ny release i {target} …")
    try:
        build_release(inputs, target)
    except DataReleaseError as e:
        raise DataReleaseError(f"{e} Den nye release er kasseret; datareleasen i brug er uændret: "
                               f"{current.id}.") from e
    switch_current(target)
    new = open_release(target)
    return UpdateResult(release_dir=target, release_id=new.id, previous_id=current.id,
                        years=(new.years[0], new.years[-1]))
