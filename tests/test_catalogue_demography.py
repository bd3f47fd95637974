"""Issue 14 in the råderumskatalog: the demographic pressure (demografiregulering) informs the targets. The catalogue
page shows, per budget year B..BO3, the pressure for the whole municipality and per committee, as the library
computes it (:func:`raaderum.analysis.demography.demographic_pressure`), converted from kr. to 1.000 kr., labelled
as a projection with its method and price basis; "Foreslå mål = −demografisk pres" pre-fills the target form, and
the target is then set through the existing target service. Every expected number here is recomputed from the
library, never written down."""

from __future__ import annotations

import re
from typing import Any

import conftest_accounts as ca
import pytest

from raaderum.analysis.demography import demographic_pressure
from raaderum.release.reader import open_release
from raaderum.reports.catalogue_report import build_report, catalogue_pressure, fmt_signed
from raaderum.server import catalogue as cs
from raaderum.server import workspace as ws
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.store import catalogue as cstore
from raaderum.store.committees import committee_mapping

pytestmark = pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)

OWN = 751


def _library(code: int = OWN) -> dict[str, Any]:
    return demographic_pressure(open_release(), code).to_dict()


def _first_budget_year() -> int:
    return int(_library()["budget_years"][0])


def _expected(engine: Any, budget_year: int) -> dict[str, dict[str, float | None]]:
    """committee ('' = the municipality) → period → pressure in 1.000 kr., straight from the library's dict."""
    d = _library()
    k_of = {int(y): k for k, y in enumerate(d["budget_years"])}
    mapping = committee_mapping(engine, OWN)
    out: dict[str, dict[str, float | None]] = {"": {}}
    for i, p in enumerate(cstore.PERIODS):
        k = k_of.get(budget_year + i)
        out[""][p] = None if k is None else d["total"][k]["change"] / 1000
        for a in d["areas"]:
            c = mapping[a["id"]]
            row = out.setdefault(c, {})
            change = None if k is None else a["years"][k]["change"]
            if change is not None:
                row[p] = (row.get(p) or 0.0) + change / 1000
            else:
                row.setdefault(p, None)
    return out


def test_the_pressure_per_committee_is_the_librarys_in_thousands(engine: Any, users: Any) -> None:
    year = _first_budget_year()
    ws.set_committee(engine, SYSTEM_ACTOR, OWN, "sundhed", "Sundheds- og Forebyggelsesudvalget")  # own name
    c = cs.create_catalogue(engine, users["editor"], OWN, year, "Katalog med demografi")
    r = build_report(engine, c.id, with_demography=True)
    assert r.pressure is not None
    expected = _expected(engine, year)
    assert {ln.committee for ln in r.pressure.lines} == set(expected)
    assert "Sundheds- og Forebyggelsesudvalget" in expected
    for ln in r.pressure.lines:
        for p in cstore.PERIODS:
            want = expected[ln.committee][p]
            assert (ln.pressure[p] is None) == (want is None), (ln.committee, p)
            if want is not None:
                assert ln.pressure[p] == pytest.approx(want, rel=1e-12), (ln.committee, p)
    # the committees add up to the municipality (every covered area has a committee)
    for p in cstore.PERIODS:
        parts = [ln.pressure[p] or 0.0 for ln in r.pressure.lines[1:]]
        assert sum(parts) == pytest.approx(r.pressure.total.pressure[p], rel=1e-9)
    # sign: + = merudgift, and the suggested target finances it (savings negative, whole 1.000 kr.)
    for p in cstore.PERIODS:
        v = r.pressure.total.pressure[p]
        s = r.pressure.total.suggestion()[p]
        assert v is not None and s == -round(v)
    assert "merudgift" in r.pressure.sign and "fremskrivning" in r.pressure.note.lower()
    assert _library()["method"]["prices"]["label"].lower() in r.pressure.note.lower()


def test_years_outside_the_projection_are_unknown_never_zero(engine: Any, users: Any) -> None:
    year = _first_budget_year() + 2  # B and BO1 are projected, BO2 and BO3 are beyond the projection
    c = cs.create_catalogue(engine, users["editor"], OWN, year, "Senere katalog")
    data = cstore.load_catalogue(engine, c.id)
    pressure = catalogue_pressure(engine, data, open_release())
    assert pressure.covered == {"b": True, "bo1": True, "bo2": False, "bo3": False}
    assert pressure.total.pressure["bo2"] is None and pressure.total.pressure["bo3"] is None
    assert pressure.total.pressure["b"] == pytest.approx(_expected(engine, year)[""]["b"])
    assert "BO2, BO3" in pressure.note


def _cells(html: str) -> dict[str, dict[str, str]]:
    doc = ca.soup(html)
    table = doc.find("table", id="tabel-demografi")
    assert table is not None
    out: dict[str, dict[str, str]] = {}
    for tr in table.find("tbody").find_all("tr"):
        out[tr["data-udvalg"]] = {td["data-periode"]: td.get_text(strip=True) for td in tr.find_all("td")}
    return out


def test_the_page_shows_the_librarys_numbers_and_the_suggestion_prefills_the_target(engine: Any,
                                                                                      users: Any) -> None:
    year = _first_budget_year()
    c = cs.create_catalogue(engine, users["editor"], OWN, year, "Katalog til mål")
    client = ca.new_client()
    csrf = ca.login(client, users["editor"].name)
    page = client.get(f"/katalog/{c.id}")
    assert page.status_code == 200
    expected = _expected(engine, year)
    shown = _cells(page.text)
    assert set(shown) == set(expected)
    for committee, periods in expected.items():
        for p, v in periods.items():
            assert shown[committee][p] == fmt_signed(v), (committee, p)
    text = ca.soup(page.text).get_text(" ")
    assert "Demografisk pres (fremskrivning)" in text and "positiv = merudgift" in text
    assert "Foreslå mål = −demografisk pres" in text
    # the target form shows the pressure under each committee's target
    form = ca.soup(page.text).find("table", id="tabel-maalform")
    assert form is not None and len(form.find_all("tr", class_="demografi-pres")) == len(expected)

    # one click: the target form pre-filled with −pressure; nothing is saved by the click
    pre = client.get(f"/katalog/{c.id}", params={"maalforslag": "demografi"})
    assert pre.status_code == 200 and "Intet er gemt endnu" in pre.text
    assert not cstore.load_catalogue(engine, c.id).targets
    values = {p: re.search(rf'id="maal-1-{p}"[^>]*value="([^"]*)"', pre.text).group(1) for p in cstore.PERIODS}
    for p in cstore.PERIODS:
        want = -round(expected[""][p])  # type: ignore[arg-type]
        assert values[p] == fmt_signed(want)
    # saving the pre-filled row goes through the target service (audited as any other target)
    r = client.post(f"/katalog/{c.id}/maal", data={"csrf_token": csrf, "udvalg": "", "version": "0", **values},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    target = cstore.load_catalogue(engine, c.id).targets[""]
    for p in cstore.PERIODS:
        assert cstore.amounts_of(target)[p] == -round(expected[""][p])  # type: ignore[arg-type]
    # the pressure table is downloadable like every table on the page, in 1.000 kr.
    csv_text = client.get(f"/katalog/{c.id}", params={"format": "csv", "table": "demografi"}).text
    assert "Hele kommunen" in csv_text
    client.close()


def test_a_reader_sees_the_pressure_but_no_suggestion_link(engine: Any, users: Any) -> None:
    c = cs.create_catalogue(engine, users["editor"], OWN, _first_budget_year(), "Læsekatalog")
    client = ca.new_client()
    ca.login(client, users["reader"].name)
    page = client.get(f"/katalog/{c.id}")
    assert page.status_code == 200
    assert 'id="maalforslag"' not in page.text and "tabel-maalform" not in page.text
    assert _cells(page.text)[""] == {p: fmt_signed(v) for p, v in _expected(engine, _first_budget_year())[""].items()}
    client.close()


def test_katalog_show_prints_the_pressure_and_the_suggested_targets(engine: Any, users: Any) -> None:
    import json

    from typer.testing import CliRunner

    from raaderum.cli import app

    year = _first_budget_year()
    c = cs.create_catalogue(engine, users["editor"], OWN, year, "Katalog til CLI")
    expected = _expected(engine, year)
    r = CliRunner().invoke(app, ["katalog", "show", "--katalog", str(c.id), "--json"])
    assert r.exit_code == 0, r.output
    pressure = json.loads(r.output)["demographic_pressure"]
    assert pressure["status"] == "fremskrivning" and "merudgift" in pressure["unit"]
    by_committee = {ln["committee"]: ln for ln in pressure["lines"]}
    assert set(by_committee) == set(expected)
    for committee, want in expected.items():
        for p, v in want.items():
            got = by_committee[committee]["pressure"][p]
            assert (got is None) == (v is None) and (v is None or got == pytest.approx(v, rel=1e-12))
            assert by_committee[committee]["suggested_target"][p] == (None if v is None else -round(v))
    text = CliRunner().invoke(app, ["katalog", "show", "--katalog", str(c.id)])
    assert text.exit_code == 0 and "Demografisk pres (fremskrivning" in text.output
    assert f"Hele kommunen: B {fmt_signed(expected[''][cstore.PERIODS[0]])}" in text.output
