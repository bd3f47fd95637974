"""A fake Statistikbanken API v1 for update tests, answering in the real wire format.

The shapes (tableinfo JSON keys, CSV with UTF-8 BOM, ';' and CRLF, upper-cased variable codes plus INDHOLD in the
header, '..' for a missing figure) follow the real recorded answers in tests/fixtures/statbank/. The figures come
from the embedded release, so a release built from them must pass the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import product
from typing import Any

import httpx

from raaderum.release.reader import Release

Value = Callable[[dict[str, str]], float | None]


class FakeTable:
    def __init__(self, table_id: str, text: str, variables: list[dict[str, Any]], value: Value) -> None:
        self.id, self.text, self.variables, self.value = table_id, text, variables, value

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "description": self.text, "unit": "-", "suppressedDataValue": "0",
                "updated": "2025-05-22T08:00:00", "active": True, "variables": self.variables}


def _var(vid: str, text: str, values: list[tuple[str, str]], *, time: bool = False) -> dict[str, Any]:
    return {"id": vid, "text": text, "elimination": not time, "time": time,
            "values": [{"id": i, "text": t} for i, t in values]}


def _shares(rel: Release) -> dict[int, list[float]]:
    """Municipality → the share of each single age 0..125 on 1 January 2021 (the release's full pyramid)."""
    out: dict[int, list[float]] = {}
    for m, a, p in rel.query("SELECT municipality_code, age, persons FROM population_by_age WHERE year = 2021"):
        out.setdefault(int(m), [0.0] * 126)[int(a)] = float(p)
    for m, v in out.items():
        t = sum(v)
        out[m] = [x / t for x in v]
    return out


def _pyramid(share: list[float], total: float) -> list[int]:
    """Whole persons per age summing exactly to ``total`` (largest remainders)."""
    raw = [s * total for s in share]
    base = [int(x) for x in raw]
    rest = int(round(total)) - sum(base)
    for k in sorted(range(len(raw)), key=lambda k: (base[k] - raw[k], k))[:rest]:
        base[k] += 1
    return base


def fake_tables(rel: Release, *, drop_municipality: int | None = None, deflator: bool = True) -> dict[str, FakeTable]:
    munis = [(f"{m.code:03d}" if m.code < 100 else str(m.code), m.name) for m in rel.register]
    areas = [("000", "Hele landet"), ("084", "Region Hovedstaden"), *munis, ("411", "Christiansø"),
             ("910", "Hovedstadskommuner")]
    fn = rel.function_labels
    functions = [("322", "3.22 Folkeskolen m.m.")] + [(f.replace(".", ""), f"{f} {lbl}") for f, lbl in fn.items()]
    years = [str(y) for y in rel.years]
    per_inh = {(m, f, y): v for m, f, y, v in rel.query(
        "SELECT municipality_code, replace(function, '.', ''), year, per_inhabitant FROM expenditure")}
    pop = {(m, y): p for m, y, p in rel.query("SELECT municipality_code, year, population FROM population")}
    totals = {int(y): (dk, ch) for y, dk, ch in rel.query("SELECT year, denmark, christiansoe FROM population_totals")}
    # Hele landet: the population-weighted mean, as Statistics Denmark computes it.
    nat: dict[tuple[str, int], float] = {}
    for (m, f, y), v in per_inh.items():
        if m and v is not None and (m, y) in pop:
            s, w = nat.get((f, y), (0.0, 0.0))  # type: ignore[misc]
            nat[(f, y)] = (s + v * pop[(m, y)], w + pop[(m, y)])  # type: ignore[assignment]
    for key, (s, w) in list(nat.items()):  # type: ignore[misc]
        nat[key] = s / w  # type: ignore[assignment]
    shares = _shares(rel)
    pyramids: dict[tuple[int, int], list[int]] = {}
    nat_pop: dict[int, float] = {}
    for (m, y), p in pop.items():
        if m:
            nat_pop[y] = nat_pop.get(y, 0.0) + p
    known = {mm.code for mm in rel.register}
    series = {(int(m), int(y), s): v for m, y, s, v in rel.query("SELECT municipality_code, year, series, value "
                                                                    "FROM series")}
    cpi = {int(y): v for y, v in rel.query("SELECT year, value FROM price_index WHERE index_id = 'PRIS113'")}

    def ages(m: int, y: int) -> list[int] | None:
        if (m, y) not in pop or m not in shares:
            return None
        if (m, y) not in pyramids:
            pyramids[(m, y)] = _pyramid(shares[m], pop[(m, y)])
        return pyramids[(m, y)]

    def regk31(c: dict[str, str]) -> float | None:
        m, f, y = int(c["OMRÅDE"]), c["FUNKTION"], int(c["TID"])
        if len(f) != 5 or m == drop_municipality or (m and m not in known):
            return None
        v = nat.get((f, y)) if m == 0 else per_inh.get((m, f, y))
        if v is None:
            return None
        share = 1.1 if c["DRANST"] == "1" else -0.1  # drift and (negative) state reimbursement add up to net
        if c["PRISENHED"] == "INDL":
            return v * share
        p = nat_pop[y] if m == 0 else pop[(m, y)]
        return v * p / 1000 * share

    def folk1a(c: dict[str, str]) -> float | None:
        m, y = int(c["OMRÅDE"]), int(c["TID"][:4])
        if "ALDER" in c:
            a = ages(m, y)
            return None if a is None else float(a[int(c["ALDER"])])
        return pop.get((m, y))

    def folk1am(c: dict[str, str]) -> float | None:
        m, y = int(c["OMRÅDE"]), int(c["TID"][:4])
        if c["ALDER"] == "IALT":
            if m == 0:
                return totals.get(y, (None, None))[0]
            if m == 411:
                return totals.get(y, (None, None))[1]
            return pop.get((m, y)) if m in known else None
        a = ages(m, y) if m in known else None
        return None if a is None else float(a[int(c["ALDER"])])

    def annual(name: str, *, split: int = 1) -> Value:
        def value(c: dict[str, str]) -> float | None:
            m = int(next(c[k] for k in ("OMRÅDE", "BOPKOM", "BOPOMR") if k in c))
            v = series.get((m, int(c["TID"][:4]), name))
            return None if v is None or m not in known else v / split
        return value

    def hfudd(c: dict[str, str]) -> float | None:
        if c["HFUDD"] == "TOT":
            return annual("education_15_69_total")(c)
        return annual("education_15_69_higher", split=5)(c)

    def nan1(c: dict[str, str]) -> float | None:
        y = int(c["TID"])
        chained = 500_000.0 * 1.01 ** (y - 2020)
        deflator_ = 100.0 * 1.025 ** (y - 2020)
        if c["TRANSAKT"] != "P3S13D":
            return 2_000_000.0
        return {"LAN": chained, "V": chained * deflator_ / 100, "L_V": 1.0}[c["PRISENHED"]]

    quarters = [(f"{y}K{q}", f"{y}K{q}") for y in range(2007, 2026) for q in range(1, 5)]
    tables = {
        "REGK31": FakeTable("REGK31", "Kommunernes regnskaber på funktioner", [
            _var("OMRÅDE", "område", areas), _var("FUNKTION", "funktion", functions),
            _var("DRANST", "dranst", [("1", "1 Driftskonti"), ("2", "2 Statsrefusion"), ("3", "3 Anlægskonti")]),
            _var("ART", "art", [("TOT", "I alt (netto)"), ("UE", "Udgifter excl. beregnede omkostninger")]),
            _var("PRISENHED", "prisenhed", [("LOBM", "1.000 kr., løbende priser"),
                                            ("INDL", "Pr. indbygger, løbende priser (kr.)")]),
            _var("Tid", "tid", [(y, y) for y in years], time=True)], regk31),
        "BUDK32": FakeTable("BUDK32", "Kommunernes budgetter, funktioner", [
            _var("KOMMUNE", "kommune", areas), _var("FUNKTION", "funktion", functions),
            _var("DRANST", "dranst", [("1", "1 Driftskonti"), ("2", "2 Statsrefusion")]),
            _var("ART", "art", [("TOT", "I alt (netto)")]),
            _var("PRISENHED", "prisenhed", [("LOBM", "1.000 kr., løbende priser")]),
            _var("Tid", "tid", [("2025", "2025")], time=True)],
            lambda c: 1000.0 + int(c["KOMMUNE"]) if len(c["FUNKTION"]) == 5 and c["DRANST"] == "1" else 0.0),
        "FOLK1A": FakeTable("FOLK1A", "Befolkningen den 1. i kvartalet", [
            _var("OMRÅDE", "område", areas), _var("KØN", "køn", [("TOT", "I alt")]),
            _var("ALDER", "alder", [("IALT", "Alder i alt")] + [(str(a), f"{a} år") for a in range(126)]),
            _var("CIVILSTAND", "civilstand", [("TOT", "I alt")]),
            _var("Tid", "tid", [(f"{y}K{q}", f"{y}K{q}") for y in range(2008, 2026) for q in (1, 2)], time=True)],
            folk1a),
        "FOLK1AM": FakeTable("FOLK1AM", "Befolkningen den 1. i måneden", [
            _var("OMRÅDE", "område", areas), _var("KØN", "køn", [("TOT", "I alt")]),
            _var("ALDER", "alder", [("IALT", "Alder i alt")] + [(str(a), f"{a} år") for a in range(126)]),
            _var("Tid", "tid", [("2021M10", "2021M10")] + [(f"{y}M{mm:02d}", f"{y}M{mm:02d}")
                                                          for y in range(2022, 2027) for mm in (1, 2)], time=True)],
            folk1am),
        "ARE207": FakeTable("ARE207", "Areal 1. januar", [
            _var("OMRÅDE", "område", areas), _var("Tid", "tid", [(str(y), str(y)) for y in range(2007, 2026)],
                                                  time=True)],
            lambda c: 100.0 + int(c["OMRÅDE"]) % 97 if int(c["OMRÅDE"]) and int(c["OMRÅDE"]) in known else None),
        "AUK01": FakeTable("AUK01", "Offentligt forsørgede (fuldtidsmodtagere)", [
            _var("OMRÅDE", "område", areas),
            _var("YDELSESTYPE", "ydelsestype", [("TOT", "Offentligt forsørgede i alt"),
                                                ("LEDKONT", "Nettoledige kontanthjælpsmodtagere")]),
            _var("KØN", "køn", [("TOT", "I alt")]), _var("ALDER", "alder", [("TOT", "Alder i alt")]),
            _var("Tid", "tid", quarters, time=True)],
            lambda c: annual("social_assistance_fte")(c) if c["YDELSESTYPE"] == "LEDKONT" else None),
        "LBESK69": FakeTable("LBESK69", "Lønmodtagere", [
            _var("TAL", "enhed", [("LBANTAL", "Lønmodtagere"), ("LBFULD", "Fuldtidsbeskæftigede lønmodtagere")]),
            _var("BOPKOM", "bopælskommune", areas), _var("KØN", "køn", [("TOT", "I alt")]),
            _var("Tid", "tid", quarters, time=True)],
            lambda c: annual("employees_fte")(c) if c["TAL"] == "LBFULD" else None),
        "AUP02": FakeTable("AUP02", "Fuldtidsledige i pct. af arbejdsstyrken", [
            _var("OMRÅDE", "område", areas), _var("ALDER", "alder", [("TOT", "Alder i alt")]),
            _var("KØN", "køn", [("TOT", "I alt")]),
            _var("Tid", "tid", [(f"{y}M{mm:02d}", f"{y}M{mm:02d}") for y in range(2007, 2025) for mm in range(1, 13)],
                 time=True)], annual("unemployment_rate")),
        "INDKP101": FakeTable("INDKP101", "Personer", [
            _var("OMRÅDE", "område", areas),
            _var("ENHED", "enhed", [("101", "Personer med indkomsten (antal)"),
                                    ("110", "Gennemsnitsindkomst for alle personer (kr.)")]),
            _var("KOEN", "køn", [("MOK", "Mænd og kvinder i alt")]),
            _var("INDKOMSTTYPE", "indkomsttype", [("100", "1 Disponibel indkomst (2+30-31-32-35)"),
                                                  ("105", "2 Indkomst i alt før skatter mv.")]),
            _var("Tid", "tid", [(str(y), str(y)) for y in range(2007, 2025)], time=True)],
            lambda c: annual("disposable_income")(c) if c["ENHED"] == "110" and c["INDKOMSTTYPE"] == "100" else None),
        "HFUDD11": FakeTable("HFUDD11", "Befolkningens højest fuldførte uddannelse (15-69 år)", [
            _var("BOPOMR", "bopælsområde", areas), _var("HERKOMST", "herkomst", [("TOT", "I alt")]),
            _var("HFUDD", "højest fuldførte uddannelse", [
                ("TOT", "I alt"), ("H10", "H10 Grundskole"), ("H40", "H40 Korte videregående uddannelser, KVU"),
                ("H50", "H50 Mellemlange videregående uddannelser, MVU"), ("H60", "H60 Bacheloruddannelser, BACH"),
                ("H70", "H70 Lange videregående uddannelser, LVU"), ("H80", "H80 Ph.d. og forskeruddannelser")]),
            _var("ALDER", "alder", [("TOT", "Alder i alt")]), _var("KØN", "køn", [("TOT", "I alt")]),
            _var("Tid", "tid", [(str(y), str(y)) for y in (2008, 2011, 2015, 2019, 2022)], time=True)], hfudd),
        "PRIS113": FakeTable("PRIS113", "Forbrugerprisindeks, hovedtal", [
            _var("TYPE", "type", [("INDEKS", "Forbrugerprisindeks"), ("100", "Årsstigning")]),
            _var("Tid", "tid", [(f"{y}M{mm:02d}", f"{y}M{mm:02d}") for y in sorted(cpi) for mm in range(1, 13)],
                 time=True)],
            lambda c: cpi.get(int(c["TID"][:4])) if c["TYPE"] == "INDEKS" else None),
    }
    if deflator:
        tables["NAN1"] = FakeTable("NAN1", "Forsyningsbalance, bruttonationalprodukt (BNP), økonomisk vækst", [
            _var("TRANSAKT", "transaktion", [("B1GQK", "B.1*g Bruttonationalprodukt, BNP"),
                                             ("P3S13D", "P.3 Offentlige forbrugsudgifter")]),
            _var("PRISENHED", "prisenhed", [("V", "Løbende priser"), ("LAN", "2020-priser, kædede værdier"),
                                            ("L_V", "Pct. realvækst")]),
            _var("Tid", "tid", [(str(y), str(y)) for y in range(1966, 2025)], time=True)], nan1)
    return tables


class FakeStatbank:
    """An ``httpx.MockTransport`` handler; ``fail`` can inject faults per (method, table)."""

    def __init__(self, tables: dict[str, FakeTable]) -> None:
        self.tables = tables
        self.requests: list[tuple[str, str, dict[str, Any] | None]] = []
        self.fail: Callable[[str, str], httpx.Response | Exception | None] = lambda _m, _t: None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        table = (request.url.params.get("id") or (body or {}).get("table", "")).upper()
        self.requests.append((request.method, request.url.path, body))
        injected = self.fail(request.url.path.rsplit("/", 1)[-1], table)
        if isinstance(injected, Exception):
            raise injected
        if injected is not None:
            return injected
        t = self.tables.get(table)
        if t is None:
            return httpx.Response(400, json={"errorTypeCode": "EXTRACT-NOTFOUND",
                                             "message": f"Tabel {table} findes ikke"})
        if request.url.path.endswith("/tableinfo"):
            return httpx.Response(200, json=t.info())
        assert body is not None and body["format"] == "csv" and body["valuePresentation"] == "Code"
        selected = {v["code"]: v["values"] for v in body["variables"]}
        codes = [v["id"] for v in t.variables if v["id"] in selected]
        header = [c.upper() for c in codes] + ["INDHOLD"]
        lines = [";".join(header)]
        for combo in product(*(selected[c] for c in codes)):
            coords = dict(zip(header, combo, strict=False))
            v = t.value(coords)
            lines.append(";".join([*combo, ".." if v is None else f"{v:.6f}".rstrip("0").rstrip(".")]))
        text = "\ufeff" + "\r\n".join(lines) + "\r\n"
        return httpx.Response(200, content=text.encode("utf-8"), headers={"Content-Type": "text/csv; charset=utf-8"})
