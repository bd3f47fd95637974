"""Client for Statistics Denmark's Statistikbanken API v1 (https://api.statbank.dk/v1).

Kilde: Danmarks Statistik. Three endpoints are used: ``GET /tables`` (table list), ``GET /tableinfo``
(variables and their codes) and ``POST /data`` (figures, as CSV or JSON-stat). Transient failures
(timeouts, connection errors, HTTP 429/5xx, a truncated body) are retried with exponential backoff;
selections above ``max_cells`` are split into several requests by :meth:`StatbankClient.fetch`.

Example::

    from raaderum.release.statbank import StatbankClient, parse_number

    with StatbankClient(lang="da") as sb:
        info = sb.tableinfo("ARE207")                # variables OMRÅDE, Tid
        rows = sb.fetch("ARE207", {"OMRÅDE": ["*"], "Tid": ["2025"]})
        areas = {r["OMRÅDE"]: parse_number(r["INDHOLD"]) for r in rows}

CSV answers are returned as strings exactly as sent (``".."`` marks a missing figure); convert them
with :func:`parse_number`, which keeps "missing" (``None``) distinct from ``0``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any, TypeVar

import httpx

from raaderum.errors import InputError, StatbankError, StatbankFormatError, StatbankHTTPError, StatbankTimeout

__all__ = ["DEFAULT_BASE_URL", "JsonStatDataset", "StatbankClient", "TableInfo", "TableSummary", "Value",
           "Variable", "parse_csv", "parse_jsonstat", "parse_number"]

DEFAULT_BASE_URL = "https://api.statbank.dk/v1"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF = 30.0
MISSING_MARKERS = frozenset({"..", ".", "-", ""})
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
T = TypeVar("T")
Selection = Mapping[str, Sequence[str]]
Row = dict[str, str]
Csv = tuple[list[str], list[list[str]]]


def parse_number(s: str | None) -> float | None:
    """Read one figure from a CSV answer; ``None`` for a missing one.

    ``".."`` (not available / confidential), ``"."``, ``"-"`` and ``""`` give ``None``. The API's CSV
    with ``valuePresentation="Code"`` writes plain numbers (``"1234"``, ``"1234.5"``); Danish-formatted
    numbers (``"1.234,5"``) are also read, but only when they contain a comma, so ``"1.234"`` is 1.234.
    """
    if s is None:
        return None
    t = s.strip()
    if t in MISSING_MARKERS:
        return None
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(t):
        raise StatbankFormatError(f"Kan ikke læse {s!r} som et tal (forventede fx 1234.5, 1.234,5 eller ..).")
    return float(t)


def parse_csv(body: bytes | str, *, context: str = "Svaret") -> Csv:
    """Decode a CSV answer: UTF-8 with optional BOM, ``;`` separator, CRLF or LF line ends.

    Returns ``(header, rows)``. Fields are not unquoted (the API does not quote). Raises
    :class:`StatbankFormatError` for an empty body, bad UTF-8 or a row whose field count differs from
    the header's (the usual sign of a truncated answer).
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StatbankFormatError(f"{context}: ikke gyldig UTF-8 ved byte {exc.start}; "
                                      "svaret er måske afkortet. Prøv igen.") from None
    lines = body.removeprefix("\ufeff").split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line terminator
    if not lines:
        raise StatbankFormatError(f"{context}: tomt CSV-svar uden overskrift (fx 'OMRÅDE;TID;INDHOLD').")
    lines = [line.removesuffix("\r") for line in lines]
    header = lines[0].split(";")
    rows: list[list[str]] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(";")
        if len(fields) != len(header):
            raise StatbankFormatError(
                f"{context}: linje {number} har {len(fields)} felter, men overskriften {';'.join(header)!r} "
                f"har {len(header)} ({line[:80]!r}). Svaret er formentlig afkortet; prøv igen.")
        rows.append(fields)
    return header, rows


@dataclass(frozen=True)
class JsonStatDataset:
    """A decoded JSON-stat dataset: dimensions in order, their categories and the flat value list."""

    label: str
    updated: str | None
    dimensions: list[str]
    sizes: list[int]
    roles: dict[str, list[str]]
    values: list[float | None]
    dimension_categories: dict[str, list[tuple[str, str]]] = field(repr=False)

    def categories(self, dim: str) -> list[tuple[str, str]]:
        """``(code, label)`` pairs of dimension ``dim`` in the dataset's order."""
        try:
            return self.dimension_categories[dim]
        except KeyError:
            raise StatbankError(f"JSON-stat-svaret har ingen dimension {dim!r} ({self.dimensions})") from None

    def rows(self) -> list[dict[str, Any]]:
        """One dict per cell: ``{dimension id: category code, ..., "value": number or None}``."""
        combos = product(*(self.dimension_categories[d] for d in self.dimensions))
        return [{**{d: code for d, (code, _) in zip(self.dimensions, combo, strict=True)}, "value": value}
                for combo, value in zip(combos, self.values, strict=True)]


def parse_jsonstat(body: bytes | str, *, context: str = "Svaret") -> JsonStatDataset:
    """Decode JSON-stat as the v1 API sends it (``{"dataset": {...}}``; an unwrapped dataset is accepted).

    ``category.index`` may be a dict (code -> position) or a list, ``value`` a list or a sparse dict.
    """

    def bad(why: str) -> StatbankFormatError:
        return StatbankFormatError(f"{context}: ugyldigt JSON-stat – {why}.")

    try:
        obj = json.loads(body)
    except ValueError as exc:
        raise bad(f"kan ikke læses som JSON ({exc}); svaret er måske afkortet. Prøv igen") from None
    ds = obj.get("dataset", obj) if isinstance(obj, dict) else None
    if not isinstance(ds, dict) or not isinstance(ds.get("dimension"), dict):
        raise bad("'dataset.dimension' mangler")
    dim = ds["dimension"]
    ids, sizes = dim.get("id", ds.get("id")), dim.get("size", ds.get("size"))
    role = dim.get("role", ds.get("role")) or {}
    if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise bad("'dimension.id' er ikke en liste af navne")
    if not (isinstance(sizes, list) and len(sizes) == len(ids)
            and all(type(n) is int and n >= 0 for n in sizes)):
        raise bad(f"'dimension.size' {sizes!r} passer ikke til id {ids!r}")
    cats: dict[str, list[tuple[str, str]]] = {}
    for d, n in zip(ids, sizes, strict=True):
        cat = dim[d].get("category") if isinstance(dim.get(d), dict) else None
        if not isinstance(cat, dict):
            raise bad(f"dimension {d!r} mangler 'category'")
        index, labels = cat.get("index"), cat.get("label") or {}
        if index is None and isinstance(labels, dict) and len(labels) == 1:
            index = list(labels)  # JSON-stat allows leaving out the index of a single category
        if isinstance(index, dict) and all(type(i) is int for i in index.values()) \
                and sorted(index.values()) == list(range(len(index))):
            index = sorted(index, key=index.__getitem__)
        if not (isinstance(index, list) and all(isinstance(c, str) for c in index)
                and isinstance(labels, dict)):
            raise bad(f"dimension {d!r} har et ugyldigt 'category.index' eller 'category.label'")
        if len(index) != n:
            raise bad(f"dimension {d!r} har {len(index)} kategorier, men size siger {n}")
        cats[d] = [(c, str(labels.get(c, c))) for c in index]
    total = math.prod(sizes)
    raw = ds.get("value")
    if isinstance(raw, list):
        if len(raw) != total:
            raise bad(f"'value' har {len(raw)} tal, men dimensionerne giver {total}; måske afkortet")
        values = list(raw)
    elif isinstance(raw, dict):
        values = [None] * total
        for key, v in raw.items():
            if not (key.isdigit() and int(key) < total):
                raise bad(f"'value' har en ugyldig position {key!r}")
            values[int(key)] = v
    else:
        raise bad("'value' mangler")
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, int | float)) for v in values):
        raise bad("'value' indeholder andet end tal og null")
    roles = {k: list(v) for k, v in role.items()} if isinstance(role, dict) else {}
    return JsonStatDataset(label=str(ds.get("label", "")), updated=ds.get("updated"), dimensions=list(ids),
                           sizes=list(sizes), roles=roles, values=values, dimension_categories=cats)


@dataclass(frozen=True)
class Value:
    id: str
    text: str


@dataclass(frozen=True)
class Variable:
    id: str
    text: str
    elimination: bool  # may be left out of a request (the API then sums it away)
    time: bool
    values: list[Value]

    def resolve(self, values: Sequence[str]) -> list[str]:
        """The codes a request's values stand for: ``"*"`` (or a glob like ``"2*"``) expands to the
        matching codes of this variable; other values are kept as given. Duplicates are dropped."""
        out: dict[str, None] = {}
        for v in values:
            if "*" in v:
                pattern = re.compile(".*".join(re.escape(p) for p in v.split("*")))
                out.update((x.id, None) for x in self.values if pattern.fullmatch(x.id))
            else:
                out[v] = None
        return list(out)


@dataclass(frozen=True)
class TableSummary:
    id: str
    text: str
    unit: str
    updated: str  # as the API sends it, e.g. "2025-05-22T08:00:00"
    first_period: str
    latest_period: str
    active: bool
    variables: list[str]  # variable *labels* in the request language, not codes


@dataclass(frozen=True)
class TableInfo:
    id: str
    text: str
    unit: str
    updated: str
    variables: list[Variable]
    suppressed_value: str | None = None  # "suppressedDataValue": what a confidential cell shows, e.g. "0"

    def variable(self, id: str) -> Variable:
        """The variable with code ``id``, compared case-insensitively (``"TID"`` finds ``"Tid"``)."""
        for v in self.variables:
            if v.id.casefold() == id.casefold():
                return v
        names = ", ".join(v.id for v in self.variables)
        raise StatbankError(f"Tabel {self.id} har ingen variabel {id!r}; variablerne er {names}.")

    def cell_count(self, selection: Selection) -> int:
        """Cells a request for ``selection`` returns: the product of the numbers of values per
        variable, ``"*"`` counted as all values; variables left out count 1 (eliminated / latest)."""
        return math.prod(len(self.variable(code).resolve(vals)) for code, vals in selection.items())


class StatbankClient:
    """Statistikbanken API v1 client over one :class:`httpx.Client`; use it as a context manager.

    ``retries`` is the number of extra attempts after the first; the wait before retry *k* (from 0) is
    ``backoff * 2**k`` seconds, at most 30 s. HTTP 4xx other than 429 are not retried; a body that cannot
    be read (truncated CSV, broken JSON) is retried once.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, lang: str = "da", timeout: float = 30.0,
                 retries: int = 4, backoff: float = 0.5, max_cells: int = 500_000,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        if lang not in ("da", "en"):
            raise InputError(f"Ukendt sprog {lang!r} til Statistikbanken; brug 'da' eller 'en'.")
        if retries < 0 or max_cells < 1 or timeout <= 0:
            raise InputError("StatbankClient: retries skal være >= 0, max_cells >= 1 og timeout > 0.")
        self.lang, self.timeout, self.retries, self.backoff = lang, timeout, retries, backoff
        self.max_cells = max_cells
        self._sleep = sleep
        self._info_cache: dict[str, TableInfo] = {}
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport,
                                  headers={"User-Agent": "raaderum-statbank/1", "Accept": "*/*"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> StatbankClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- endpoints

    def tables(self, subjects: Sequence[str] | str | None = None) -> list[TableSummary]:
        """GET /tables: the active tables, optionally only those under the given subject ids."""
        params = {"format": "json", "lang": self.lang}
        if subjects:
            params["subjects"] = subjects if isinstance(subjects, str) else ",".join(subjects)
        what = "GET /tables" + (f" (emner {params['subjects']})" if subjects else "")
        return self._call("GET", "/tables", what, lambda r: _parse_tables(r, what), params=params)

    def tableinfo(self, table_id: str) -> TableInfo:
        """GET /tableinfo: the table's variables and their codes (also cached for :meth:`fetch`)."""
        what = f"GET /tableinfo for tabel {table_id}"
        params = {"id": table_id, "format": "json", "lang": self.lang}
        info = self._call("GET", "/tableinfo", what, lambda r: _parse_tableinfo(r, what), params=params)
        self._info_cache[table_id.upper()] = info
        return info

    def data(self, table: str, variables: Selection, *, value_presentation: str = "Code") -> list[Row]:
        """POST /data as CSV in one request; rows keyed by the header (e.g. ``OMRÅDE``, ``TID``, ``INDHOLD``).

        Values stay strings (``".."`` = missing); see :func:`parse_number`. Leaving ``variables`` empty
        sends no ``variables`` key (the API then picks totals and the latest period).
        """
        header, rows = self._data_csv(table, variables, value_presentation)
        return [dict(zip(header, row, strict=True)) for row in rows]

    def data_jsonstat(self, table: str, variables: Selection, *,
                      value_presentation: str = "Default") -> JsonStatDataset:
        """POST /data as JSON-stat in one request (the API adds a ``ContentsCode`` dimension)."""
        what = f"POST /data (jsonstat) for tabel {table} [{_describe(variables)}]"
        body = self._data_body(table, variables, "jsonstat", value_presentation)

        def parse(resp: httpx.Response) -> JsonStatDataset:
            ds = parse_jsonstat(resp.content, context=what)
            _require(what, "dimension(er)", list(variables), ds.dimensions)
            return ds

        return self._call("POST", "/data", what, parse, body=body)

    def fetch(self, table: str, variables: Selection, *, value_presentation: str = "Code") -> list[Row]:
        """Like :meth:`data`, but splits a selection over ``max_cells`` into several requests
        (see :meth:`plan_requests`) and concatenates their rows."""
        chunks = self.plan_requests(table, variables)
        first: list[str] | None = None
        out: list[Row] = []
        for i, chunk in enumerate(chunks, start=1):
            header, rows = self._data_csv(table, chunk, value_presentation)
            first = first or header
            if header != first:
                raise StatbankFormatError(
                    f"POST /data for tabel {table}: del {i} af {len(chunks)} har kolonnerne "
                    f"{';'.join(header)}, men del 1 har {';'.join(first)}; delene kan ikke sættes sammen.")
            out.extend(dict(zip(header, row, strict=True)) for row in rows)
        return out

    def plan_requests(self, table: str, variables: Selection) -> list[dict[str, list[str]]]:
        """The selections :meth:`fetch` sends, each at most ``max_cells`` cells.

        Tableinfo is fetched (once per table and client) only when a value holds ``"*"`` or the plain
        product is over the limit. An oversized selection is cut along the time variable if it has more
        than one value, else along the variable with most values; the cut variable is sent as explicit
        codes. If one value of it is still too big, the pieces are cut again along the next variable.
        """
        selection = {code: _values(table, code, vals) for code, vals in variables.items()}
        wildcard = any("*" in v for vals in selection.values() for v in vals)
        if not wildcard and math.prod(len(v) for v in selection.values()) <= self.max_cells:
            return [selection]
        info = self._info_cache.get(table.upper()) or self.tableinfo(table)
        return _split(info, selection, self.max_cells)

    # ---- internals

    def _data_body(self, table: str, variables: Selection, fmt: str, presentation: str) -> dict[str, Any]:
        body: dict[str, Any] = {"table": table, "format": fmt, "lang": self.lang,
                                "valuePresentation": presentation}
        if variables:
            body["variables"] = [{"code": c, "values": _values(table, c, v)} for c, v in variables.items()]
        return body

    def _data_csv(self, table: str, variables: Selection, presentation: str) -> Csv:
        what = f"POST /data (csv) for tabel {table} [{_describe(variables)}]"
        body = self._data_body(table, variables, "csv", presentation)

        def parse(resp: httpx.Response) -> Csv:
            header, rows = parse_csv(resp.content, context=what)
            _require(what, "kolonne(r)", [*variables, "INDHOLD"], header)
            return header, rows

        return self._call("POST", "/data", what, parse, body=body)

    def _call(self, method: str, path: str, what: str, parse: Callable[[httpx.Response], T], *,
              params: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> T:
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = None if body is None else {"Content-Type": "application/json"}
        attempts = self.retries + 1
        failure: StatbankError | None = None
        format_retried = False
        for attempt in range(attempts):
            if attempt:
                self._sleep(min(self.backoff * 2 ** (attempt - 1), MAX_BACKOFF))
            try:
                resp = self._http.request(method, path, params=params, content=content, headers=headers)
            except httpx.TimeoutException as exc:
                failure = StatbankTimeout(f"Intet svar fra Statistikbanken på {what} inden for "
                                          f"{self.timeout:g} s ({type(exc).__name__}). Prøv igen senere, "
                                          "eller hæv timeout.")
                continue
            except httpx.TransportError as exc:
                reason = str(exc) or type(exc).__name__
                failure = StatbankError(f"Kunne ikke forbinde til Statistikbanken ({what}): {reason}. "
                                        "Tjek netforbindelsen, og prøv igen.")
                continue
            if resp.status_code >= 400:
                failure = StatbankHTTPError(_http_message(resp, what), resp.status_code)
                if resp.status_code not in RETRY_STATUS:
                    raise failure
                continue
            try:
                return parse(resp)
            except StatbankFormatError as exc:
                if format_retried:
                    raise
                format_retried, failure = True, exc
        assert failure is not None
        tail = f" (opgav efter {attempts} forsøg)"
        if isinstance(failure, StatbankHTTPError):
            raise StatbankHTTPError(str(failure) + tail, failure.status_code) from failure
        raise type(failure)(str(failure) + tail) from failure


def _split(info: TableInfo, selection: dict[str, list[str]], max_cells: int) -> list[dict[str, list[str]]]:
    counts = {code: info.cell_count({code: vals}) for code, vals in selection.items()}
    total = math.prod(counts.values())
    if total <= max_cells:
        return [selection]
    var = max((c for c in selection if counts[c] > 1), key=lambda c: (info.variable(c).time, counts[c]))
    values = info.variable(var).resolve(selection[var])
    step = max(1, max_cells // (total // counts[var]))
    out: list[dict[str, list[str]]] = []
    for i in range(0, len(values), step):
        out.extend(_split(info, {**selection, var: values[i:i + step]}, max_cells))
    return out


def _parse_tables(resp: httpx.Response, what: str) -> list[TableSummary]:
    try:
        return [TableSummary(
            id=t["id"], text=t["text"], unit=t.get("unit", ""), updated=t.get("updated", ""),
            first_period=t.get("firstPeriod", ""), latest_period=t.get("latestPeriod", ""),
            active=bool(t.get("active", True)), variables=list(t.get("variables", [])),
        ) for t in _json(resp, what)]
    except (KeyError, TypeError, AttributeError) as exc:
        raise StatbankFormatError(f"{what}: uventet svar, feltet {exc} mangler eller er forkert.") from None


def _parse_tableinfo(resp: httpx.Response, what: str) -> TableInfo:
    obj = _json(resp, what)
    try:
        return TableInfo(
            id=obj["id"], text=obj["text"], unit=obj.get("unit", ""), updated=obj.get("updated", ""),
            variables=[Variable(
                id=v["id"], text=v["text"], elimination=bool(v.get("elimination", False)),
                time=bool(v.get("time", False)), values=[Value(x["id"], x["text"]) for x in v["values"]],
            ) for v in obj["variables"]],
            suppressed_value=obj.get("suppressedDataValue"),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise StatbankFormatError(f"{what}: uventet svar, feltet {exc} mangler eller er forkert.") from None


def _require(what: str, kind: str, expected: list[str], have: list[str]) -> None:
    if missing := [e.upper() for e in expected if e.upper() not in {h.upper() for h in have}]:
        raise StatbankFormatError(f"{what}: {kind} {', '.join(missing)} mangler i svaret (fik "
                                  f"{';'.join(have)}). Tjek variabelkoderne.")


def _values(table: str, code: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str) or not values:
        raise InputError(f"Tabel {table}, variabel {code}: angiv værdierne som en ikke-tom liste, "
                         f"fx ['2024'] eller ['*'] (fik {values!r}).")
    return [str(v) for v in values]


def _describe(variables: Selection) -> str:
    text = "; ".join(f"{c}={','.join(v)}" for c, v in variables.items()) or "standardvalg"
    return text if len(text) <= 100 else text[:99] + "…"


def _json(resp: httpx.Response, what: str) -> Any:
    try:
        return json.loads(resp.content)
    except ValueError as exc:
        raise StatbankFormatError(f"{what}: svaret er ikke gyldig JSON ({exc}); måske afkortet.") from None


def _http_message(resp: httpx.Response, what: str) -> str:
    msg = f"Statistikbanken svarede HTTP {resp.status_code} på {what}"
    try:
        obj = json.loads(resp.content)
    except ValueError:
        obj = None
    if isinstance(obj, dict):
        code = f"[{obj['errorTypeCode']}]" if obj.get("errorTypeCode") else ""
        if detail := " ".join(p for p in (str(obj.get("message") or ""), code) if p):
            msg += f": {detail}"
    hint = ("For mange forespørgsler; vent lidt, og prøv igen." if resp.status_code == 429
            else "Fejl hos Statistikbanken; prøv igen senere." if resp.status_code >= 500
            else "Tjek tabel-id, variabelkoder og værdier (se tableinfo).")
    return f"{msg}. {hint}"
