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


def fake_tables(rel: Release, *, drop_municipality: int | None = None) -> dict[str, FakeTable]:
    munis = [(f"{m.code:03d}" if m.code < 100 else str(m.code), m.name) for m in rel.register]
    areas = [("000", "Hele landet"), ("084", "Region Hovedstaden"), *munis, ("910", "Hovedstadskommuner")]
    fn = rel.function_labels
    functions = [("322", "3.22 Folkeskolen m.m.")] + [(f.replace(".", ""), f"{f} {lbl}") for f, lbl in fn.items()]
    years = [str(y) for y in rel.years]
    per_inh = {(m, f, y): v for m, f, y, v in rel.query(
        "SELECT municipality_code, replace(function, '.', ''), year, per_inhabitant FROM expenditure")}
    pop = {(m, y): p for m, y, p in rel.query("SELECT municipality_code, year, population FROM population")}
    # Hele landet: the population-weighted mean, as Statistics Denmark computes it.
    nat: dict[tuple[str, int], float] = {}
    for (m, f, y), v in per_inh.items():
        if m and v is not None and (m, y) in pop:
            s, w = nat.get((f, y), (0.0, 0.0))  # type: ignore[misc]
            nat[(f, y)] = (s + v * pop[(m, y)], w + pop[(m, y)])  # type: ignore[assignment]
    for key, (s, w) in list(nat.items()):  # type: ignore[misc]
        nat[key] = s / w  # type: ignore[assignment]
    age_2021 = {(m, a): p for m, a, p in rel.query("SELECT municipality_code, age, persons FROM population_by_age")}
    age_total: dict[int, float] = {}
    for (m, _a), p in age_2021.items():
        age_total[m] = age_total.get(m, 0.0) + p
    nat_pop: dict[int, float] = {}
    for (m, y), p in pop.items():
        if m:
            nat_pop[y] = nat_pop.get(y, 0.0) + p
    known = {mm.code for mm in rel.register}

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
        return pop.get((int(c["OMRÅDE"]), int(c["TID"][:4])))

    def folk1am(c: dict[str, str]) -> float | None:
        m, a, y = int(c["OMRÅDE"]), int(c["ALDER"]), int(c["TID"][:4])
        if m == 0 or (m, a) not in age_2021:
            return None
        return round(age_2021[(m, a)] / age_total[m] * pop[(m, y)])

    return {
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
            _var("Tid", "tid", [(f"{y}K{q}", f"{y}K{q}") for y in range(2008, 2025) for q in (1, 2)], time=True)],
            folk1a),
        "FOLK1AM": FakeTable("FOLK1AM", "Befolkningen den 1. i måneden", [
            _var("OMRÅDE", "område", areas), _var("KØN", "køn", [("TOT", "I alt")]),
            _var("ALDER", "alder", [("IALT", "Alder i alt")] + [(str(a), f"{a} år") for a in range(126)]),
            _var("Tid", "tid", [("2021M10", "2021M10")] + [(f"{y}M{mm:02d}", f"{y}M{mm:02d}")
                                                          for y in (2022, 2023, 2024) for mm in (1, 2)], time=True)],
            folk1am),
        "ARE207": FakeTable("ARE207", "Areal 1. januar", [
            _var("OMRÅDE", "område", areas), _var("Tid", "tid", [("2024", "2024"), ("2025", "2025")], time=True)],
            lambda c: 100.0 + int(c["OMRÅDE"]) % 97 if int(c["OMRÅDE"]) else None),
    }


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
