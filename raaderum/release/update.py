"""``raaderum data update``: a new data release from Statistics Denmark's API, switched to only when complete.

Fetched (Kilde: Danmarks Statistik, Statistikbanken API v1):

- REGK31: accounts by municipality × function × dranst (1 drift, 2 statsrefusion) × art TOT × price unit
  (LOBM 1.000 kr. and INDL kr. per inhabitant) × year; net operating expenditure = dranst 1 + 2.
- BUDK32: budgets by function (kept apart from the accounts).
- FOLK1A: population on 1 January (first quarter) per municipality, every year, in total and by single year of age.
- FOLK1AM: population on 1 January by single year of age for every January the table has (from 2022), with
  Denmark's published total and Christiansø, so target groups are observed in every year and the totals checked.
- AUK01 (net unemployed social-assistance recipients, full-time equivalents), LBESK69 (full-time employees by
  residence), AUP02 (unemployment rate, monthly → annual mean), INDKP101 (average disposable income), HFUDD11
  (highest education of 15-69-year-olds): the annual series of the ``series`` table.
- ARE207: area in km² per municipality and year.
- The deflator of fixed prices: the implicit price index of general government consumption expenditure (national
  accounts NAN1, transaction P.3 offentlige forbrugsudgifter: current prices / chained values), the best official
  deflator for public consumption Statistics Denmark publishes (it does not publish the municipalities' price and
  wage index). If NAN1 cannot be used, the consumer price index PRIS113 (annual mean) is fetched instead and
  labelled as a fallback. The update says which one it used (``UpdateResult.price_index`` and the manifest).

The municipality register (codes, regions, groups) and the Ministry's key figures (noegletal.dk, not a Statistics
Denmark table; see ``data import-noegletal``) are kept from the release in use. The new release is built beside the
old one (:func:`raaderum.release.build.build_release` writes to a temporary folder and checks it); only then does
``CURRENT`` switch. Any failure leaves the release in use untouched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from raaderum.errors import DataReleaseError, StatbankError, StatbankFormatError, StatbankHTTPError
from raaderum.release.build import MEASURE_DRANST_1_2, ReleaseInputs, SourceRecord, accounts_table, build_release
from raaderum.release.carry import inputs_from_release
from raaderum.release.inputs import cpi_annual
from raaderum.release.reader import Release, open_release, releases_dir, switch_current
from raaderum.release.registry import CPI_FALLBACK_LABEL
from raaderum.release.statbank import StatbankClient, TableInfo, Variable, parse_number

ATTRIBUTION = "Kilde: Danmarks Statistik"
LICENCE = "Danmarks Statistiks vilkår for brug af data (fri genbrug med kildeangivelse)"

Progress = Callable[[str], None]


@dataclass
class UpdateResult:
    release_dir: Path
    release_id: str
    previous_id: str
    years: tuple[int, int]
    price_index: dict[str, Any] | None = None  # the deflator the new release ships (manifest["price_index"])


#: Christiansø's area code in Statistics Denmark's tables (not a municipality; part of Denmark's total).
CHRISTIANSOE = 411
#: The deflator ``data update`` prefers: NAN1, P.3 general government consumption expenditure.
DEFLATOR_INFO = {"id": "NAN1_P3S13", "table": "NAN1",
                 "name": "Implicit prisindeks for offentlige forbrugsudgifter (nationalregnskabet, NAN1: løbende "
                         "priser / kædede værdier)",
                 "label": "deflator for offentligt forbrug, ikke kommunernes pris- og lønindeks", "fallback": False}
CPI_INFO = {"id": "PRIS113", "table": "PRIS113", "name": "Forbrugerprisindeks (PRIS113), årsgennemsnit",
            "label": CPI_FALLBACK_LABEL, "fallback": True}


def _function_code(code: str) -> str | None:
    """Statistics Denmark's '32201' → '3.22.01'; aggregates (main accounts) → None."""
    c = code.strip()
    if re.fullmatch(r"\d{5}", c):
        return f"{c[0]}.{c[1:3]}.{c[3:5]}"
    if re.fullmatch(r"\d\.\d\d\.\d\d", c):
        return c
    return None


def _digest(rows: list[dict[str, str]]) -> str:
    """sha256 of the answer's rows (columns in sorted order, tab-separated, one line per row)."""
    h = hashlib.sha256()
    if rows:
        keys = sorted(rows[0])
        h.update(("\t".join(keys) + "\n").encode())
        h.update("".join("\t".join(r[k] for k in keys) + "\n" for r in rows).encode())
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


def _find(var: Variable, *patterns: str) -> str:
    """The code of the first value of ``var`` whose id or text matches one of ``patterns`` (case-insensitive)."""
    for pat in patterns:
        rx = re.compile(pat, re.IGNORECASE)
        for v in var.values:
            if rx.search(v.id) or rx.search(v.text):
                return v.id
    raise StatbankFormatError(f"Variablen {var.id} har ingen værdi, der passer til {patterns[0]!r} "
                              f"(værdier fx {', '.join(v.text for v in var.values[:4])}).")


def _var(info: TableInfo, *candidates: str) -> Variable:
    for c in candidates:
        for v in info.variables:
            if v.id.casefold() == c.casefold():
                return v
    raise StatbankFormatError(f"Tabel {info.id} har ingen af variablene {', '.join(candidates)} "
                              f"(har {', '.join(v.id for v in info.variables)}).")


def _series_rows(rows: list[dict[str, str]], area_key: str, time_key: str, codes: set[int],
                 period: str, name: str, out: dict[tuple[int, int, str], float]) -> None:
    """Annual means of monthly/quarterly answers (complete years only), or annual values, into ``out``."""
    per = {"M": 12, "K": 4, "Q": 4, "": 1}[period]
    acc: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        code = r[area_key].strip()
        if not code.isdigit() or int(code) not in codes:
            continue
        v = parse_number(r["INDHOLD"])
        if v is None:
            continue
        acc.setdefault((int(code), int(r[time_key][:4])), []).append(v)
    for (m, y), vals in acc.items():
        if len(vals) == per:
            out[(m, y, name)] = out.get((m, y, name), 0.0) + sum(vals) / per


def _fetch_series(client: StatbankClient, codes: set[int], years: range, say: Progress,
                  sources: list[SourceRecord]) -> pa.Table:
    out: dict[tuple[int, int, str], float] = {}
    say("Henter AUK01 (offentligt forsørgede) …")
    info = client.tableinfo("AUK01")
    area = _var(info, "OMRÅDE")
    q = _years(info, years, r"(\d{4})K[1-4]")
    sel = {area.id: _area_codes(info, area.id, codes),
           _var(info, "YDELSESTYPE").id: [_find(_var(info, "YDELSESTYPE"), r"nettoledige kontanthj",
                                                r"net unemployed recipients of social")],
           _time_id(info): list(q)}
    rows = client.fetch("AUK01", sel)
    _series_rows(rows, area.id.upper(), _time_id(info).upper(), codes, "K", "social_assistance_fte", out)
    sources.append(_record(info, "Offentligt forsørgede (fuldtidsmodtagere): nettoledige kontanthjælpsmodtagere",
                           sorted(set(q.values())), rows))

    say("Henter LBESK69 (lønmodtagere) …")
    info = client.tableinfo("LBESK69")
    area = _var(info, "BOPKOM", "BOPÆLSKOMMUNE")
    q = _years(info, years, r"(\d{4})K[1-4]")
    enhed = _var(info, "TAL", "ENHED")
    rows = client.fetch("LBESK69", {area.id: _area_codes(info, area.id, codes),
                                    enhed.id: [_find(enhed, r"fuldtid", r"full-time")], _time_id(info): list(q)})
    _series_rows(rows, area.id.upper(), _time_id(info).upper(), codes, "K", "employees_fte", out)
    sources.append(_record(info, "Fuldtidsbeskæftigede lønmodtagere efter bopælskommune", sorted(set(q.values())),
                           rows))

    say("Henter AUP02 (ledighed) …")
    info = client.tableinfo("AUP02")
    area = _var(info, "OMRÅDE")
    mo = _years(info, years, r"(\d{4})M\d\d")
    rows = client.fetch("AUP02", {area.id: _area_codes(info, area.id, codes), _time_id(info): list(mo)})
    _series_rows(rows, area.id.upper(), _time_id(info).upper(), codes, "M", "unemployment_rate", out)
    sources.append(_record(info, "Fuldtidsledige i pct. af arbejdsstyrken (årsgennemsnit af måneder)",
                           sorted(set(mo.values())), rows))

    say("Henter INDKP101 (indkomst) …")
    info = client.tableinfo("INDKP101")
    area = _var(info, "OMRÅDE")
    yr = _years(info, years)
    enhed, itype = _var(info, "ENHED"), _var(info, "INDKOMSTTYPE")
    sel = {area.id: _area_codes(info, area.id, codes),
           enhed.id: [_find(enhed, r"gennemsnit.*alle personer", r"average income for all people")],
           itype.id: [_find(itype, r"^1 disponibel", r"^1 disposable")], _time_id(info): list(yr)}
    rows = client.fetch("INDKP101", sel)
    _series_rows(rows, area.id.upper(), _time_id(info).upper(), codes, "", "disposable_income", out)
    sources.append(_record(info, "Gennemsnitlig disponibel indkomst for alle personer", sorted(set(yr.values())),
                           rows))

    say("Henter HFUDD11 (uddannelse) …")
    info = client.tableinfo("HFUDD11")
    area = _var(info, "BOPOMR", "BOPÆLSOMRÅDE")
    hf = _var(info, "HFUDD")
    yr = _years(info, years)
    levels = {_find(hf, r"^TOT$", r"^i alt", r"^total"): "education_15_69_total"}
    for lv in ("H40", "H50", "H60", "H70", "H80"):
        levels[_find(hf, rf"^{lv}")] = "education_15_69_higher"
    rows = client.fetch("HFUDD11", {area.id: _area_codes(info, area.id, codes), hf.id: list(levels),
                                    _time_id(info): list(yr)})
    for code, name in levels.items():
        _series_rows([r for r in rows if r[hf.id.upper()] == code], area.id.upper(), _time_id(info).upper(),
                     codes, "", name, out)
    sources.append(_record(info, "Befolkningens højest fuldførte uddannelse (15-69 år)", sorted(set(yr.values())),
                           rows))
    keys = sorted(out)
    return pa.table({"municipality_code": pa.array([k[0] for k in keys], pa.int32()),
                     "year": pa.array([k[1] for k in keys], pa.int32()),
                     "series": pa.array([k[2] for k in keys], pa.string()),
                     "value": pa.array([out[k] for k in keys], pa.float64())})


def _fetch_deflator(client: StatbankClient, say: Progress,
                    sources: list[SourceRecord]) -> tuple[pa.Table, dict[str, Any]]:
    """The implicit deflator of general government consumption (NAN1), or PRIS113 when NAN1 cannot be used."""
    try:
        say("Henter NAN1 (deflator for offentligt forbrug) …")
        info = client.tableinfo("NAN1")
        trans, unit = _var(info, "TRANSAKT"), _var(info, "PRISENHED")
        t = _find(trans, r"^P3S13D?$", r"offentlige forbrugsudgifter", r"government consumption")
        current = _find(unit, r"^V$", r"løbende priser", r"current prices")
        chained = _find(unit, r"^LAN$", r"kædede værdier", r"chained")
        yr = _years(info, None)
        rows = client.fetch("NAN1", {trans.id: [t], unit.id: [current, chained], _time_id(info): list(yr)})
        by: dict[int, dict[str, float]] = {}
        tkey = _time_id(info).upper()
        for r in rows:
            v = parse_number(r["INDHOLD"])
            if v is not None:
                by.setdefault(yr[r[tkey]], {})[r[unit.id.upper()]] = v
        years = sorted(y for y, d in by.items() if d.get(chained) and current in d)
        if not years:
            raise StatbankFormatError("NAN1 gav ingen år med både løbende priser og kædede værdier.")
        values = [by[y][current] / by[y][chained] * 100 for y in years]
        sources.append(_record(info, "Forsyningsbalance: offentlige forbrugsudgifter i løbende priser og kædede "
                                     "værdier (implicit deflator)", years, rows))
        say(f"Prisindeks til faste priser: {DEFLATOR_INFO['name']}.")
        table = pa.table({"index_id": pa.array([DEFLATOR_INFO["id"]] * len(years), pa.string()),
                          "year": pa.array(years, pa.int32()), "value": pa.array(values, pa.float64()),
                          "status": pa.array(["observed"] * len(years), pa.string()),
                          "method": pa.array([None] * len(years), pa.string())})
        return table, {**DEFLATOR_INFO, "reference": "løbende priser / kædede værdier × 100"}
    except (StatbankFormatError, StatbankHTTPError) as e:
        if isinstance(e, StatbankHTTPError) and ((e.status_code or 0) >= 500 or e.status_code == 429):
            raise
        say(f"NAN1 kan ikke bruges ({e}); henter forbrugerprisindekset PRIS113 som nødløsning.")
    info = client.tableinfo("PRIS113")
    typ = _var(info, "TYPE")
    mo = _years(info, None, r"(\d{4})M\d\d")
    rows = client.fetch("PRIS113", {typ.id: [_find(typ, r"^INDEKS$", r"forbrugerprisindeks", r"consumer price")],
                                    _time_id(info): list(mo)})
    tkey = _time_id(info).upper()
    months = {r[tkey]: v for r in rows if (v := parse_number(r["INDHOLD"])) is not None}
    sources.append(_record(info, "Forbrugerprisindeks, hovedtal (månedlig)", sorted(set(mo.values())), rows))
    say(f"Prisindeks til faste priser: {CPI_INFO['name']} ({CPI_FALLBACK_LABEL}).")
    return cpi_annual(months, str(CPI_INFO["id"])), {**CPI_INFO, "reference": "2015 = 100"}


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
    sources.append(_record(info, "Kommunernes regnskaber på funktioner (nettodriftsudgifter, dranst 1 + 2)",
                           sorted(year_codes.values()), rows))
    first, last = min(year_codes.values()), max(year_codes.values())

    say("Henter BUDK32 (budgetter) …")
    budget, budget_source = _fetch_budget(client, codes)
    if budget_source:
        sources.append(budget_source)

    say("Henter FOLK1A (folketal 1. januar, i alt og pr. alder) …")
    info = client.tableinfo("FOLK1A")
    want = range(first - 6, last + 3)
    q1 = _years(info, want, r"(\d{4})K1")
    rows = client.fetch("FOLK1A", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), _time_id(info): list(q1)})
    tkey = _time_id(info).upper()
    pop_vals: dict[tuple[int, int], float] = {}
    for r in rows:
        code = int(r["OMRÅDE"])
        v = parse_number(r["INDHOLD"])
        if code in codes and v is not None:
            pop_vals[(code, q1[r[tkey]])] = v
    sources.append(_record(info, "Folketal 1. januar (1. kvartal) pr. kommune", sorted(set(q1.values())), rows))
    fam = client.tableinfo("FOLK1AM")
    jan = _years(fam, range(first, last + 3), r"(\d{4})M01")
    ages: dict[tuple[int, int, int], int] = {}
    # Single ages from FOLK1A for the accounts years before FOLK1AM starts (FOLK1AM has them from its first January).
    age_q1 = {k: y for k, y in q1.items() if first <= y <= last and y < min(jan.values(), default=last + 1)}
    if age_q1 and any(v.id.upper() == "ALDER" for v in info.variables):
        age_codes = [v.id for v in info.variable("ALDER").values if v.id.isdigit()]
        rows = client.fetch("FOLK1A", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), "ALDER": age_codes,
                                       _time_id(info): list(age_q1)})
        for r in rows:
            code, v = int(r["OMRÅDE"]), parse_number(r["INDHOLD"])
            if code in codes and v is not None:
                ages[(code, age_q1[r[tkey]], int(r["ALDER"]))] = int(v)
        sources.append(_record(info, "Folketal 1. januar (1. kvartal) pr. kommune og alder",
                               sorted(set(age_q1.values())), rows))

    say("Henter FOLK1AM (folketal pr. alder 1. januar, hele landet og Christiansø) …")
    info = fam
    area_ids = _area_codes(info, "OMRÅDE", codes) + [v.id for v in info.variable("OMRÅDE").values
                                                     if v.id.isdigit() and int(v.id) == CHRISTIANSOE]
    age_ids = [v.id for v in info.variable("ALDER").values if v.id.isdigit()]
    total_id = [v.id for v in info.variable("ALDER").values if not v.id.isdigit()][:1]
    by_age_rows = client.fetch("FOLK1AM", {"OMRÅDE": area_ids, "ALDER": age_ids + total_id,
                                           _time_id(info): list(jan)}) if jan else []
    tkey = _time_id(info).upper()
    totals: dict[int, dict[str, float]] = {}
    for r in by_age_rows:
        code, y, v = int(r["OMRÅDE"]), jan[r[tkey]], parse_number(r["INDHOLD"])
        if v is None:
            continue
        if not r["ALDER"].isdigit():
            if code == 0:
                totals.setdefault(y, {})["denmark"] = v
            elif code == CHRISTIANSOE:
                totals.setdefault(y, {})["christiansoe"] = v
            elif code in codes:
                pop_vals[(code, y)] = v
        elif code in codes:
            ages[(code, y, int(r["ALDER"]))] = int(v)
    sources.append(_record(info, "Folketal 1. januar pr. kommune og alder; hele landet og Christiansø",
                           sorted(set(jan.values())), by_age_rows))
    keys = sorted(pop_vals)
    population = pa.table({"municipality_code": pa.array([k[0] for k in keys], pa.int32()),
                           "year": pa.array([k[1] for k in keys], pa.int32()),
                           "population": pa.array([pop_vals[k] for k in keys], pa.float64())})
    akeys = sorted(ages)
    by_age = pa.table({"municipality_code": pa.array([k[0] for k in akeys], pa.int32()),
                       "year": pa.array([k[1] for k in akeys], pa.int32()),
                       "age": pa.array([k[2] for k in akeys], pa.int32()),
                       "persons": pa.array([ages[k] for k in akeys], pa.int32())})
    tyears = sorted(y for y, d in totals.items() if "denmark" in d)
    population_totals = pa.table({"year": pa.array(tyears, pa.int32()),
                                  "denmark": pa.array([totals[y]["denmark"] for y in tyears], pa.float64()),
                                  "christiansoe": pa.array([totals[y].get("christiansoe") for y in tyears],
                                                           pa.float64())})

    series = _fetch_series(client, codes, range(first - 6, last + 3), say, sources)

    say("Henter ARE207 (areal) …")
    info = client.tableinfo("ARE207")
    are_years = _years(info, range(first - 6, last + 3)) or _years(info, None)
    rows = client.fetch("ARE207", {"OMRÅDE": _area_codes(info, "OMRÅDE", codes), _time_id(info): list(are_years)})
    area: dict[str, list[object]] = {"municipality_code": [], "year": [], "area_km2": []}
    tkey = _time_id(info).upper()
    for r in rows:
        code = int(r["OMRÅDE"])
        v = parse_number(r["INDHOLD"])
        if code in codes and v is not None:
            area["municipality_code"].append(code)
            area["year"].append(are_years[r[tkey]])
            area["area_km2"].append(v)
    area_km2 = pa.table({"municipality_code": pa.array(area["municipality_code"], pa.int32()),
                         "year": pa.array(area["year"], pa.int32()),
                         "area_km2": pa.array(area["area_km2"], pa.float64())})
    sources.append(_record(info, "Areal 1. januar pr. kommune (km²)", sorted(set(are_years.values())), rows))

    price_index, price_info = _fetch_deflator(client, say, sources)
    kept = inputs_from_release(current)
    for s in current.manifest.get("sources", []):
        if s.get("id") in ("municipality_groups", "regions", "noegletal") or str(s.get("id", "")).startswith(
                "noegletal"):
            sources.append(SourceRecord(**s))
    return ReleaseInputs(kind="statbank", description="Hentet fra Danmarks Statistiks API (Statistikbanken)",
                         municipalities=register, function_labels=labels,  # type: ignore[arg-type]
                         expenditure=expenditure, population=population, density=None,
                         population_by_age=by_age, area_km2=area_km2, budget=budget, sources=sources,
                         population_totals=population_totals, series=series, noegletal=kept.noegletal,
                         price_index=price_index, price_index_info=price_info, measure=MEASURE_DRANST_1_2)


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


def build_and_switch(inputs: ReleaseInputs, current: Release, prefix: str,
                     progress: Progress | None = None) -> UpdateResult:
    """Build ``inputs`` beside the release in use (``$RAADERUM_HOME/releases/<prefix>-<UTC stamp>``), check it, and
    switch ``CURRENT`` to it atomically; on any failure the new release is discarded and the old one stays."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = releases_dir() / f"{prefix}-{stamp}"
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
                        years=(new.years[0], new.years[-1]), price_index=new.manifest.get("price_index"))


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
    return build_and_switch(inputs, current, "statbank", progress)
