"""`raaderum data update`: a new release from the (faked) Statistics Denmark API, or nothing changes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from statbank_fake import FakeStatbank, fake_tables  # type: ignore[import-not-found]
from typer.testing import CliRunner

from raaderum.errors import DataReleaseError, StatbankError
from raaderum.release.reader import Release, current_release_dir, embedded_release_dir, open_release, releases_dir
from raaderum.release.statbank import StatbankClient
from raaderum.release.update import update_release

#: Parses Statistics Denmark answers for every table: seconds each, so not part of `make test-fast`.
pytestmark = pytest.mark.slow


def _client(fake: FakeStatbank, **kw: object) -> StatbankClient:
    return StatbankClient(transport=fake.transport(), sleep=lambda _s: None, max_cells=40_000, **kw)  # type: ignore[arg-type]


def test_update_builds_checks_and_switches(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release))
    with _client(fake) as client:
        result = update_release(client)
    assert current_release_dir() == result.release_dir
    new = open_release()
    assert new.id == result.release_id and new.id.startswith("statbank-")
    assert result.previous_id == release.id
    # The big REGK31 selection was split under the cell limit.
    regk = [b for m, p, b in fake.requests if p.endswith("/data") and b and b["table"] == "REGK31"]
    assert len(regk) > 1
    assert all(b["variables"][2] == {"code": "DRANST", "values": ["1", "2"]} for b in regk)
    # Net operating expenditure = dranst 1 + 2; the figures equal the ones served.
    old = dict(((f, y), v) for f, y, v in release.query(
        "SELECT function, year, per_inhabitant FROM expenditure WHERE municipality_code = 751"))
    got = dict(((f, y), v) for f, y, v in new.query(
        "SELECT function, year, per_inhabitant FROM expenditure WHERE municipality_code = 751"))
    assert got.keys() == old.keys()
    for k, v in old.items():
        assert (v is None and got[k] is None) or got[k] == pytest.approx(v), k
    # 1.000 kr. totals are now observed (LOBM), and target groups observed in the years FOLK1AM covers.
    assert new.query("SELECT DISTINCT total_status FROM expenditure WHERE per_inhabitant IS NOT NULL") == \
        [("observed",)]
    assert new.query("SELECT status FROM target_groups WHERE municipality_code = 751 AND year = 2023 "
                     "AND target_group = '0-5'") == [("observed",)]
    assert new.query("SELECT status FROM structure WHERE municipality_code = 751 AND year = 2023 "
                     "AND variable = 'area_km2'") == [("observed",)]
    tables = {s["table"] for s in new.manifest["sources"]}
    assert {"REGK31", "BUDK32", "FOLK1A", "FOLK1AM", "ARE207", "KOMGRP"} <= tables
    # Budgets are kept apart from the accounts.
    assert new.query("SELECT year, total_1000kr FROM budget WHERE municipality_code = 751 AND function = '3.22.01'") \
        == [(2025, 1751.0)]
    assert release.query("SELECT count(*) FROM budget")[0][0] == 0
    assert all(s["attribution"] for s in new.manifest["sources"])
    # Aggregates (main accounts 322, regions 084, groups 910) never reach the release.
    assert new.query("SELECT count(*) FROM expenditure WHERE function NOT LIKE '_.__.__'")[0][0] == 0
    assert len(new.register) == 98


@pytest.mark.parametrize("fault", [
    lambda: httpx.Response(503, text="Service Unavailable"),
    lambda: httpx.ReadTimeout("timed out"),
    lambda: httpx.Response(200, content="\ufeffOMRÅDE;TID;INDHOLD\r\n101;2020\r\n".encode()),
])
def test_a_failing_api_leaves_the_release_in_use_untouched(release: Release, fault) -> None:  # type: ignore[no-untyped-def]
    fake = FakeStatbank(fake_tables(release))
    fake.fail = lambda endpoint, table: fault() if (endpoint, table) == ("data", "FOLK1A") else None
    with _client(fake, retries=2) as client, pytest.raises(StatbankError, match="uændret"):
        update_release(client)
    assert current_release_dir() == embedded_release_dir()
    assert not releases_dir().exists() or not any(releases_dir().iterdir())


def test_an_incomplete_answer_is_refused_and_nothing_switches(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release, drop_municipality=825))
    with _client(fake) as client, pytest.raises(DataReleaseError, match="uændret"):
        update_release(client)
    assert current_release_dir() == embedded_release_dir()
    leftovers = [p.name for p in releases_dir().iterdir()] if releases_dir().exists() else []
    assert leftovers == []


def test_a_second_update_keeps_the_first_if_it_fails(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release))
    with _client(fake) as client:
        first = update_release(client)
    fake.fail = lambda endpoint, table: httpx.Response(500) if table == "ARE207" else None
    with _client(fake, retries=1) as client, pytest.raises(StatbankError):
        update_release(client)
    assert current_release_dir() == first.release_dir
    assert open_release().id == first.release_id


def test_cli_reports_failure_clearly(monkeypatch: pytest.MonkeyPatch, release: Release) -> None:
    from raaderum.cli import app

    fake = FakeStatbank(fake_tables(release))
    fake.fail = lambda endpoint, table: httpx.Response(400, json={"errorTypeCode": "EXTRACT-NOTFOUND",
                                                                   "message": "Tabellen findes ikke"})
    real = StatbankClient

    def patched(*a: object, **kw: object) -> StatbankClient:
        return real(*a, transport=fake.transport(), sleep=lambda _s: None, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("raaderum.release.statbank.StatbankClient", patched)
    r = CliRunner().invoke(app, ["data", "update"])
    assert r.exit_code == 2
    assert "Tabellen findes ikke" in r.stderr and "uændret" in r.stderr
    assert current_release_dir() == embedded_release_dir()
    r = CliRunner().invoke(app, ["data", "update", "--years", "tyve"])
    assert r.exit_code == 2 and "--years" in r.stderr


def test_cli_update_success(monkeypatch: pytest.MonkeyPatch, release: Release, tmp_path: Path) -> None:
    from raaderum.cli import app

    fake = FakeStatbank(fake_tables(release))
    real = StatbankClient
    monkeypatch.setattr("raaderum.release.statbank.StatbankClient",
                        lambda *a, **kw: real(*a, transport=fake.transport(), sleep=lambda _s: None, **kw))
    r = CliRunner().invoke(app, ["data", "update", "--years", "2020-2024"])
    assert r.exit_code == 0, r.output
    assert "Ny datarelease i brug: statbank-" in r.stdout
    info = CliRunner().invoke(app, ["data", "info"])
    assert "Hentet fra Danmarks Statistiks API" in info.stdout and "REGK31" in info.stdout
    assert open_release().years == [2020, 2021, 2022, 2023, 2024]


def test_update_fetches_the_second_wave_and_says_which_deflator(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release))
    msgs: list[str] = []
    with _client(fake) as client:
        result = update_release(client, progress=msgs.append)
    new = open_release()
    tables = {s["table"] for s in new.manifest["sources"]}
    assert {"AUK01", "LBESK69", "AUP02", "INDKP101", "HFUDD11", "NAN1", "FOLK1AM", "noegletal.dk"} <= tables
    # Single ages every year: every target group is observed in every accounts year.
    assert new.query("SELECT DISTINCT status FROM target_groups WHERE year BETWEEN 2016 AND 2024") == [("observed",)]
    # Denmark's published totals (incl. Christiansø) are checked on load.
    assert new.checks["population_totals_checked"] == 5
    assert new.query("SELECT denmark FROM population_totals WHERE year = 2026") == [(6_025_603.0,)]
    # The series equal what the API served (the fake serves the embedded release's values).
    for s in ("social_assistance_fte", "employees_fte", "disposable_income", "unemployment_rate",
              "education_15_69_total", "education_15_69_higher"):
        q = "SELECT year, value FROM series WHERE municipality_code = 751 AND series = ? AND year BETWEEN 2010 AND 2024"
        assert dict(new.query(q, [s])) == pytest.approx(dict(release.query(q, [s]))), s
    # The noegletal.dk figures (not a Statistics Denmark table) are kept from the release in use.
    assert new.manifest["files"]["noegletal.parquet"]["sha256"] == release.manifest["files"]["noegletal.parquet"][
        "sha256"]
    # The deflator of general government consumption, stated in the result, the manifest and the progress.
    info = result.price_index
    assert info is not None and info["table"] == "NAN1" and info["fallback"] is False
    assert "offentlige forbrugsudgifter" in info["name"] and new.manifest["price_index"]["id"] == info["id"]
    assert any("Prisindeks til faste priser" in m and "NAN1" in m for m in msgs)
    v = dict(new.query("SELECT year, value FROM price_index WHERE index_id = ?", [info["id"]]))
    assert v[2020] == pytest.approx(100.0) and v[2021] / v[2020] == pytest.approx(1.025)
    assert "dranst 1" in new.manifest["measure"]  # this path really fetches dranst 1 + 2


def test_update_falls_back_to_the_consumer_price_index(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release, deflator=False))  # NAN1 answers 400 EXTRACT-NOTFOUND
    msgs: list[str] = []
    with _client(fake) as client:
        result = update_release(client, progress=msgs.append)
    info = result.price_index
    assert info is not None and info["id"] == "PRIS113" and info["fallback"] is True
    assert info["label"] == "forbrugerprisindeks, ikke kommunernes pris- og lønindeks"
    assert any("NAN1 kan ikke bruges" in m for m in msgs)
    got = dict(open_release().query("SELECT year, value FROM price_index WHERE year BETWEEN 2016 AND 2023"))
    assert got == pytest.approx(dict(release.query("SELECT year, value FROM price_index WHERE year BETWEEN 2016 "
                                                   "AND 2023")))


def test_a_failing_deflator_request_fails_the_update(release: Release) -> None:
    fake = FakeStatbank(fake_tables(release))
    fake.fail = lambda endpoint, table: httpx.Response(503) if table == "NAN1" else None
    with _client(fake, retries=1) as client, pytest.raises(StatbankError, match="uændret"):
        update_release(client)
    assert current_release_dir() == embedded_release_dir()
