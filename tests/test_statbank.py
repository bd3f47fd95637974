"""Offline tests of raaderum.release.statbank against recorded Statistikbanken answers (tests/fixtures/statbank/).

Kilde: Danmarks Statistik; cassettes recorded by thoran/statbank_denmark (see fixtures/statbank/SOURCES.md).
No test talks to the network: every request goes through ``httpx.MockTransport``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from raaderum.errors import InputError, StatbankError, StatbankFormatError, StatbankHTTPError, StatbankTimeout
from raaderum.release.statbank import (
    StatbankClient,
    TableInfo,
    Value,
    Variable,
    parse_csv,
    parse_jsonstat,
    parse_number,
)

FIXTURES = Path(__file__).parent / "fixtures" / "statbank"
STRAF42_VARS = {"HERKOMST1": ["00"], "TID": ["2023"]}


# ------------------------------------------------------------------------------------------ replay helper

class _VcrLoader(yaml.SafeLoader):
    """SafeLoader that understands VCR's ``!binary`` (base64) tag, without touching yaml.SafeLoader."""


_VcrLoader.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


def load_cassette(name: str) -> list[dict[str, Any]]:
    with open(FIXTURES / name, "rb") as fh:
        return yaml.load(fh, Loader=_VcrLoader)["http_interactions"]


def _as_bytes(body: str | bytes | None) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else (body or b"")


def request_key(method: str, url: httpx.URL | str, body: bytes) -> tuple[Any, ...]:
    """Method, path, sorted query and the JSON body (key order ignored): what a recording is matched on."""
    url = httpx.URL(url)
    parsed = json.dumps(json.loads(body), sort_keys=True) if body else None
    return method.upper(), url.path, tuple(sorted(url.params.multi_items())), parsed


class Replay:
    """An httpx.MockTransport handler that answers from VCR cassettes and records the requests."""

    def __init__(self, *cassettes: str) -> None:
        self.recorded: dict[tuple[Any, ...], tuple[int, str, bytes]] = {}
        self.requests: list[httpx.Request] = []
        for name in cassettes:
            for it in load_cassette(name):
                req, resp = it["request"], it["response"]
                key = request_key(req["method"], req["uri"], _as_bytes(req["body"]["string"]))
                ctype = resp["headers"].get("Content-Type", ["application/octet-stream"])[0]
                self.recorded[key] = (resp["status"]["code"], ctype, _as_bytes(resp["body"]["string"]))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = request_key(request.method, request.url, request.content)
        if key not in self.recorded:
            raise AssertionError(f"no recorded answer for {key}")
        status, ctype, body = self.recorded[key]
        return httpx.Response(status, headers={"Content-Type": ctype}, content=body)


def make_client(handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None,
                **kwargs: Any) -> StatbankClient:
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return StatbankClient(transport=httpx.MockTransport(handler), sleep=record, **kwargs)


def csv_bytes(rows: list[list[str]], newline: str = "\r\n") -> bytes:
    return ("\ufeff" + "".join(";".join(r) + newline for r in rows)).encode("utf-8")


# ------------------------------------------------------------------------------------------ recorded answers

def test_tables_danish_listing_parsed() -> None:
    replay = Replay("tables_da_trimmed.yml")
    with make_client(replay) as sb:
        tables = {t.id: t for t in sb.tables()}
    (req,) = replay.requests
    assert (req.method, req.url.path) == ("GET", "/v1/tables")
    assert dict(req.url.params) == {"format": "json", "lang": "da"}
    assert set(tables) == {"FOLK1AM", "REGK31", "BUDK32", "ARE207"}
    regk31 = tables["REGK31"]
    assert regk31.text == "Kommunernes regnskaber på funktioner"
    assert (regk31.first_period, regk31.latest_period, regk31.active) == ("2007", "2024", True)
    assert regk31.variables == ["område", "funktion", "dranst", "art", "prisenhed", "tid"]
    assert regk31.updated == "2025-05-22T08:00:00"
    assert tables["BUDK32"].latest_period == "2025"
    assert tables["ARE207"].unit == "Km2"


def test_tables_by_subject_sends_subjects_param() -> None:
    replay = Replay("tables_subject_crime.yml")
    with make_client(replay, lang="en") as sb:
        tables = sb.tables(subjects=["4"])
    assert dict(replay.requests[0].url.params) == {"format": "json", "lang": "en", "subjects": "4"}
    assert len(tables) == 195
    straf42 = next(t for t in tables if t.id == "STRAF42")
    assert straf42.variables[-1] == "time" and straf42.latest_period == "2024"


def test_tableinfo_danish_labels_elimination_and_time() -> None:
    replay = Replay("table_info_straf42_da.yml")
    with make_client(replay) as sb:
        info = sb.tableinfo("STRAF42")
    (req,) = replay.requests
    assert req.method == "GET" and req.url.path == "/v1/tableinfo"
    assert dict(req.url.params) == {"id": "STRAF42", "format": "json", "lang": "da"}
    assert (info.id, info.text, info.unit) == ("STRAF42", "Strafferetlige afgørelser", "Antal")
    assert info.suppressed_value == "0" and info.updated == "2025-03-25T08:00:00"
    assert [v.id for v in info.variables] == ["HERKOMST1", "OVERTRÆD", "AFGØRELSE", "ALDER", "KØN", "Tid"]
    assert [v.elimination for v in info.variables] == [True] * 5 + [False]
    assert [v.time for v in info.variables] == [False] * 5 + [True]
    herkomst = info.variable("herkomst1")
    assert herkomst.text == "national oprindelse"
    assert herkomst.values[:2] == [Value("00", "I alt"), Value("80", "Dansk statsborger")]
    assert info.variable("KØN").values[1] == Value("M", "Mænd")
    tid = info.variable("TID")
    assert tid is info.variable("Tid")
    assert (tid.values[0].id, tid.values[-1].id, len(tid.values)) == ("1995", "2024", 30)
    assert info.cell_count({"HERKOMST1": ["*"], "TID": ["2023", "2024"]}) == 7 * 2
    assert info.cell_count({"Tid": ["20*"], "KØN": ["M", "K"]}) == 25 * 2
    with pytest.raises(StatbankError, match="ingen variabel 'FOO'"):
        info.variable("FOO")


def test_tableinfo_english_labels() -> None:
    with make_client(Replay("table_info_straf42.yml"), lang="en") as sb:
        info = sb.tableinfo("STRAF42")
    assert info.variable("HERKOMST1").text == "national origin"
    assert info.variable("Tid").time


def test_data_csv_real_answer_bom_semicolon_crlf() -> None:
    raw = Replay("data_straf42_csv.yml")
    (_, _, body), = raw.recorded.values()
    assert body == b"\xef\xbb\xbfHERKOMST1;TID;INDHOLD\r\nTotal;2023;233454\r\n"
    with make_client(raw, lang="en") as sb:
        rows = sb.data("STRAF42", STRAF42_VARS, value_presentation="Default")
    assert rows == [{"HERKOMST1": "Total", "TID": "2023", "INDHOLD": "233454"}]
    assert parse_number(rows[0]["INDHOLD"]) == 233454.0
    (req,) = raw.requests
    assert (req.method, req.url.path, req.url.query) == ("POST", "/v1/data", b"")
    assert req.headers["Content-Type"] == "application/json"
    body_sent = json.loads(req.content)
    assert body_sent == {
        "table": "STRAF42", "format": "csv", "lang": "en", "valuePresentation": "Default",
        "variables": [{"code": "HERKOMST1", "values": ["00"]}, {"code": "TID", "values": ["2023"]}],
    }
    assert list(body_sent) == ["table", "format", "lang", "valuePresentation", "variables"]


def test_data_default_value_presentation_is_code() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, content=csv_bytes([["OMRÅDE", "TID", "INDHOLD"], ["101", "2025", ".."]]))

    with make_client(handler) as sb:
        rows = sb.data("ARE207", {"OMRÅDE": ["101"], "Tid": ["2025"]})
    assert rows == [{"OMRÅDE": "101", "TID": "2025", "INDHOLD": ".."}]
    assert seen == [{"table": "ARE207", "format": "csv", "lang": "da", "valuePresentation": "Code",
                     "variables": [{"code": "OMRÅDE", "values": ["101"]},
                                   {"code": "Tid", "values": ["2025"]}]}]


def test_data_jsonstat_real_answer() -> None:
    replay = Replay("data_straf42_json.yml")
    with make_client(replay, lang="en") as sb:
        ds = sb.data_jsonstat("STRAF42", STRAF42_VARS)
    assert json.loads(replay.requests[0].content)["format"] == "jsonstat"
    assert ds.dimensions == ["HERKOMST1", "ContentsCode", "Tid"]
    assert ds.sizes == [1, 1, 1]
    assert ds.values == [233454]
    assert ds.roles == {"metric": ["ContentsCode"], "time": ["Tid"]}
    assert ds.categories("HERKOMST1") == [("00", "Total")]
    assert ds.categories("ContentsCode") == [("STRAF42", "Decisions, total")]
    assert ds.rows() == [{"HERKOMST1": "00", "ContentsCode": "STRAF42", "Tid": "2023", "value": 233454}]
    assert ds.updated == "2025-03-25T07:00:00Z"
    with pytest.raises(StatbankError, match="ingen dimension"):
        ds.categories("OMRÅDE")


def test_data_jsonstat_without_variables_omits_key() -> None:
    replay = Replay("data_straf42_all.yml")
    with make_client(replay, lang="en") as sb:
        ds = sb.data_jsonstat("STRAF42", {})
    assert "variables" not in json.loads(replay.requests[0].content)
    assert ds.dimensions == ["ContentsCode", "Tid"] and ds.sizes == [1, 1]
    assert ds.rows() == [{"ContentsCode": "STRAF42", "Tid": "2024", "value": 227774}]


# ------------------------------------------------------------------------------------------ JSON-stat decoder

def test_jsonstat_list_index_sparse_values_row_major() -> None:
    doc = {"dataset": {
        "dimension": {
            "A": {"category": {"index": ["a1", "a2"], "label": {"a1": "A one"}}},
            "B": {"category": {"index": {"b2": 1, "b1": 0, "b3": 2}}},
            "id": ["A", "B"], "size": [2, 3],
        },
        "value": {"0": 1, "4": 2.5, "5": None},
    }}
    ds = parse_jsonstat(json.dumps(doc))
    assert ds.categories("A") == [("a1", "A one"), ("a2", "a2")]
    assert [c for c, _ in ds.categories("B")] == ["b1", "b2", "b3"]
    assert ds.values == [1, None, None, None, 2.5, None]
    rows = ds.rows()
    assert [(r["A"], r["B"]) for r in rows] == [(a, b) for a in ("a1", "a2") for b in ("b1", "b2", "b3")]
    assert rows[4]["value"] == 2.5 and rows[5]["value"] is None


def test_jsonstat_unwrapped_v2_and_single_category_without_index() -> None:
    doc = {"class": "dataset", "id": ["X"], "size": [1],
           "dimension": {"X": {"category": {"label": {"x": "only"}}}}, "value": [7]}
    assert parse_jsonstat(json.dumps(doc)).rows() == [{"X": "x", "value": 7}]


_GOOD: dict[str, Any] = {
    "dimension": {"A": {"category": {"index": {"a": 0, "b": 1}}}, "id": ["A"], "size": [2]},
    "value": [1, 2],
}


@pytest.mark.parametrize("body", [
    b'{"dataset": {"dimension": {"A": {"categ',                               # truncated
    b"[1, 2]",
    json.dumps({"dataset": {"value": [1]}}).encode(),                          # no dimension
    json.dumps({"dataset": {**_GOOD, "value": [1]}}).encode(),                 # too few values
    json.dumps({"dataset": {**_GOOD, "value": [1, "x"]}}).encode(),            # non-number
    json.dumps({"dataset": {**_GOOD, "value": {"7": 1}}}).encode(),            # sparse position out of range
    json.dumps({"dataset": {**_GOOD, "dimension": {**_GOOD["dimension"], "size": [3]}}}).encode(),
    json.dumps({"dataset": {**_GOOD, "dimension": {**_GOOD["dimension"], "id": ["A", "B"]}}}).encode(),
    json.dumps({"dataset": {**_GOOD, "dimension": {"A": {"category": {"index": {"a": 0, "b": 5}}},
                                                   "id": ["A"], "size": [2]}}}).encode(),
    json.dumps({"dataset": {**_GOOD, "dimension": {"id": ["A"], "size": [2]}}}).encode(),
])
def test_invalid_jsonstat_is_format_error(body: bytes) -> None:
    assert parse_jsonstat(json.dumps({"dataset": _GOOD})).values == [1, 2]
    with pytest.raises(StatbankFormatError, match="ugyldigt JSON-stat"):
        parse_jsonstat(body)


def test_invalid_jsonstat_from_api_is_retried_once_then_raised() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=b'{"dataset": {"dimension": {"id": [')

    sleeps: list[float] = []
    with make_client(handler, sleeps) as sb, pytest.raises(StatbankFormatError) as err:
        sb.data_jsonstat("STRAF42", STRAF42_VARS)
    assert len(calls) == 2 and sleeps == [0.5]
    assert "STRAF42" in str(err.value) and "POST /data" in str(err.value)


# ------------------------------------------------------------------------------------------ CSV decoder

def test_parse_csv_lf_and_no_trailing_newline() -> None:
    assert parse_csv("A;B\n1;2\n3;4") == (["A", "B"], [["1", "2"], ["3", "4"]])
    assert parse_csv(b"A;B\r\n") == (["A", "B"], [])


@pytest.mark.parametrize("body", [b"", b"\xef\xbb\xbf", b"A;B\r\n\xff\xfe;1\r\n"])
def test_parse_csv_rejects_empty_and_bad_utf8(body: bytes) -> None:
    with pytest.raises(StatbankFormatError):
        parse_csv(body)


_FIELD = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=";\r\n"), max_size=8)


@given(st.integers(min_value=1, max_value=5).flatmap(
    lambda n: st.lists(st.lists(_FIELD, min_size=n, max_size=n), min_size=1, max_size=20)))
def test_csv_roundtrip(rows: list[list[str]]) -> None:
    header, body = parse_csv(csv_bytes(rows))
    assert [header, *body] == rows
    assert parse_csv(csv_bytes(rows, newline="\n")) == (header, body)


@pytest.mark.parametrize(("text", "expected"), [
    ("233454", 233454.0), ("1234.5", 1234.5), ("-12", -12.0), ("1.234,5", 1234.5), ("0,5", 0.5),
    ("1.234", 1.234), (" 7 ", 7.0), ("..", None), ("", None), ("-", None), (".", None), (None, None),
])
def test_parse_number(text: str | None, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1e5", "nan", "1,2,3", "12a"])
def test_parse_number_rejects_garbage(text: str) -> None:
    with pytest.raises(StatbankFormatError, match="som et tal"):
        parse_number(text)


# ------------------------------------------------------------------------------------------ splitting

FAKE_INFO = TableInfo("FAKE1", "Testtabel", "Antal", "2025-01-01T08:00:00", [
    Variable("OMRÅDE", "område", True, False, [Value(str(i), f"Kommune {i}") for i in range(101, 111)]),
    Variable("ALDER", "alder", True, False, [Value(str(i), f"{i} år") for i in range(5)]),
    Variable("Tid", "tid", False, True, [Value(str(y), str(y)) for y in range(2021, 2025)]),
])


def fake_info_json() -> bytes:
    return json.dumps({"id": FAKE_INFO.id, "text": FAKE_INFO.text, "unit": FAKE_INFO.unit,
                       "updated": FAKE_INFO.updated, "variables": [
                           {"id": v.id, "text": v.text, "elimination": v.elimination, "time": v.time,
                            "values": [{"id": x.id, "text": x.text} for x in v.values]}
                           for v in FAKE_INFO.variables]}).encode()


class FakeTable:
    """Serves FAKE1: tableinfo, and CSV for any selection (INDHOLD = OMRÅDE*1000 + ALDER*10 + year % 10)."""

    def __init__(self, header_case: Callable[[int], str] | None = None) -> None:
        self.posts: list[dict[str, Any]] = []
        self.infos = 0
        self.header_case = header_case

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/tableinfo":
            assert dict(request.url.params) == {"id": "FAKE1", "format": "json", "lang": "da"}
            self.infos += 1
            return httpx.Response(200, content=fake_info_json())
        assert (request.method, request.url.path) == ("POST", "/v1/data")
        body = json.loads(request.content)
        self.posts.append(body)
        codes = [v["code"] for v in body["variables"]]
        values = [FAKE_INFO.variable(v["code"]).resolve(v["values"]) for v in body["variables"]]
        header = [c.upper() for c in codes] + ["INDHOLD"]
        if self.header_case is not None:
            header[-1] = self.header_case(len(self.posts))
        cells = [[*combo, str(self.value(dict(zip(codes, combo, strict=True))))]
                 for combo in product(*values)]
        return httpx.Response(200, content=csv_bytes([header, *cells]))

    @staticmethod
    def value(cell: dict[str, str]) -> int:
        return int(cell["OMRÅDE"]) * 1000 + int(cell["ALDER"]) * 10 + int(cell["Tid"]) % 10


def cells_of(post: dict[str, Any]) -> int:
    return FAKE_INFO.cell_count({v["code"]: v["values"] for v in post["variables"]})


@pytest.mark.parametrize(("max_cells", "n_posts"), [(50, 4), (60, 4), (20, 12), (200, 1)])
def test_fetch_splits_over_max_cells(max_cells: int, n_posts: int) -> None:
    fake = FakeTable()
    selection = {"OMRÅDE": ["*"], "ALDER": ["*"], "Tid": ["*"]}
    with make_client(fake, max_cells=max_cells) as sb:
        rows = sb.fetch("FAKE1", selection)
        assert sb.fetch("FAKE1", selection) == rows  # tableinfo is cached per table
    assert fake.infos == 1
    assert len(fake.posts) == 2 * n_posts
    assert all(cells_of(p) <= max_cells for p in fake.posts)
    assert sum(cells_of(p) for p in fake.posts[:n_posts]) == 10 * 5 * 4
    if n_posts > 1:  # the time variable is the one cut first, into explicit codes
        assert [p["variables"][2]["values"] for p in fake.posts[:n_posts:n_posts // 4]] == [
            ["2021"], ["2022"], ["2023"], ["2024"]]
    assert len(rows) == 200
    keys = {(r["OMRÅDE"], r["ALDER"], r["TID"]) for r in rows}
    assert len(keys) == 200
    assert all(int(r["INDHOLD"]) == FakeTable.value({"OMRÅDE": r["OMRÅDE"], "ALDER": r["ALDER"],
                                                     "Tid": r["TID"]}) for r in rows)


def test_fetch_small_explicit_selection_needs_no_tableinfo() -> None:
    fake = FakeTable()
    with make_client(fake, max_cells=4) as sb:
        rows = sb.fetch("FAKE1", {"OMRÅDE": ["101", "102"], "ALDER": ["0"], "Tid": ["2021", "2024"]})
    assert fake.infos == 0 and len(fake.posts) == 1 and len(rows) == 4


def test_fetch_splits_explicit_selection_along_biggest_when_time_is_single() -> None:
    fake = FakeTable()
    with make_client(fake, max_cells=10) as sb:
        plan = sb.plan_requests("FAKE1", {"OMRÅDE": ["*"], "ALDER": ["0", "1", "2"], "Tid": ["2024"]})
    assert [p["OMRÅDE"] for p in plan] == [["101", "102", "103"], ["104", "105", "106"],
                                           ["107", "108", "109"], ["110"]]
    assert all(p["ALDER"] == ["0", "1", "2"] and p["Tid"] == ["2024"] for p in plan)


def test_fetch_chunks_with_different_headers_fail() -> None:
    fake = FakeTable(header_case=lambda n: "INDHOLD" if n == 1 else "Indhold")
    with make_client(fake, max_cells=50) as sb, pytest.raises(StatbankFormatError, match="del 2 af 4"):
        sb.fetch("FAKE1", {"OMRÅDE": ["*"], "ALDER": ["*"], "Tid": ["*"]})


def test_fetch_unknown_variable_in_split_names_table() -> None:
    with make_client(FakeTable(), max_cells=5) as sb, pytest.raises(StatbankError, match="FAKE1.*'KØN'"):
        sb.fetch("FAKE1", {"KØN": ["*"]})


def test_values_must_be_a_list() -> None:
    with make_client(FakeTable()) as sb, pytest.raises(InputError, match="Tid"):
        sb.data("FAKE1", {"Tid": "2024"})


# ----------------------------------------------------------------------------------------- faults and retries

def ok_csv() -> httpx.Response:
    return httpx.Response(200, content=csv_bytes([["HERKOMST1", "TID", "INDHOLD"], ["00", "2023", "233454"]]))


def test_timeouts_then_success_are_retried_with_backoff() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= 2:
            raise httpx.ReadTimeout("timed out", request=request)
        return ok_csv()

    sleeps: list[float] = []
    with make_client(handler, sleeps) as sb:
        rows = sb.data("STRAF42", STRAF42_VARS)
    assert rows[0]["INDHOLD"] == "233454"
    assert len(calls) == 3 and sleeps == [0.5, 1.0]


def test_timeouts_exhaust_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("no answer", request=request)

    sleeps: list[float] = []
    with make_client(handler, sleeps, retries=2) as sb, pytest.raises(StatbankTimeout) as err:
        sb.tableinfo("REGK31")
    assert sleeps == [0.5, 1.0]
    assert "REGK31" in str(err.value) and "3 forsøg" in str(err.value)


def test_connection_errors_exhaust_retries() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("connection refused", request=request)

    with make_client(handler, [], retries=1) as sb, pytest.raises(StatbankError) as err:
        sb.tables()
    assert len(calls) == 2
    assert not isinstance(err.value, StatbankHTTPError | StatbankTimeout)
    assert "GET /tables" in str(err.value)


def test_server_errors_exhaust_retries() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, text="Internal Server Error")

    sleeps: list[float] = []
    with make_client(handler, sleeps, retries=3) as sb, pytest.raises(StatbankHTTPError) as err:
        sb.data("REGK31", {"OMRÅDE": ["101"]})
    assert len(calls) == 4 and sleeps == [0.5, 1.0, 2.0]
    assert err.value.status_code == 500
    assert "HTTP 500" in str(err.value) and "REGK31" in str(err.value) and "4 forsøg" in str(err.value)


def test_backoff_is_capped_at_30_seconds() -> None:
    sleeps: list[float] = []
    with make_client(lambda r: httpx.Response(503), sleeps, retries=4, backoff=10) as sb:
        with pytest.raises(StatbankHTTPError):
            sb.tables()
    assert sleeps == [10, 20, 30, 30]


@pytest.mark.parametrize("status", [429, 502, 504])
def test_transient_status_then_success(status: int) -> None:
    answers = iter([httpx.Response(status), ok_csv()])
    sleeps: list[float] = []
    with make_client(lambda r: next(answers), sleeps) as sb:
        assert len(sb.data("STRAF42", STRAF42_VARS)) == 1
    assert sleeps == [0.5]


def test_bad_request_with_api_message_is_not_retried() -> None:
    calls: list[int] = []
    message = "Variablen TID findes ikke i tabellen REGK31."

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, json={"errorTypeCode": "EXTRACT-VARIABLENOTFOUND", "message": message})

    sleeps: list[float] = []
    with make_client(handler, sleeps) as sb, pytest.raises(StatbankHTTPError) as err:
        sb.data("REGK31", {"TID": ["2024"]})
    assert len(calls) == 1 and sleeps == []
    assert err.value.status_code == 400
    text = str(err.value)
    assert message in text and "EXTRACT-VARIABLENOTFOUND" in text
    assert "POST /data" in text and "REGK31" in text


def test_truncated_csv_names_the_line_after_one_retry() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, content=b"\xef\xbb\xbfHERKOMST1;TID;INDHOLD\r\n00;2023;233454\r\n80;20")

    with make_client(handler, []) as sb, pytest.raises(StatbankFormatError) as err:
        sb.data("STRAF42", STRAF42_VARS)
    assert len(calls) == 2
    assert "linje 3" in str(err.value) and "STRAF42" in str(err.value)


def test_truncated_csv_then_complete_answer_succeeds() -> None:
    answers = iter([httpx.Response(200, content=b"HERKOMST1;TID;INDHOLD\r\n00;20"), ok_csv()])
    with make_client(lambda r: next(answers), []) as sb:
        assert sb.data("STRAF42", STRAF42_VARS)[0]["TID"] == "2023"


def test_missing_requested_column_is_format_error() -> None:
    body = csv_bytes([["HERKOMST1", "INDHOLD"], ["00", "233454"]])
    with make_client(lambda r: httpx.Response(200, content=body), []) as sb:
        with pytest.raises(StatbankFormatError, match="kolonne\\(r\\) TID mangler"):
            sb.data("STRAF42", STRAF42_VARS)


def test_missing_indhold_column_is_format_error() -> None:
    body = csv_bytes([["HERKOMST1", "TID"], ["00", "2023"]])
    with make_client(lambda r: httpx.Response(200, content=body), []) as sb:
        with pytest.raises(StatbankFormatError, match="INDHOLD mangler"):
            sb.data("STRAF42", STRAF42_VARS)


def test_broken_tableinfo_json_is_format_error() -> None:
    with make_client(lambda r: httpx.Response(200, json={"id": "X", "variables": []}), []) as sb:
        with pytest.raises(StatbankFormatError, match="tableinfo for tabel X.*'text'"):
            sb.tableinfo("X")


def test_client_rejects_bad_settings() -> None:
    with pytest.raises(InputError):
        StatbankClient(lang="de")
    with pytest.raises(InputError):
        StatbankClient(max_cells=0)
