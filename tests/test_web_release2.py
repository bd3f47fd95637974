"""Release 2 in the web and the API: price basis (løbende/faste), peer models, coverage, figures scope, Danish text."""

from __future__ import annotations

import re

import pytest
from web_support import client, read_csv, soup, table_rows, text

from raaderum.analysis.peers import load_peer_registry
from raaderum.analysis.prices import price_basis
from raaderum.catalog import load_catalog
from raaderum.formatting import STATUS_LABELS, status_label
from raaderum.release.reader import Release

c = client()


def _csv_series(url: str) -> dict[str, float]:
    """Year → the municipality's kr. per target-group member from the cockpit's time-series download."""
    rows = read_csv(c.get(url + "&format=csv&table=udvikling").content)
    out = {}
    for row in rows[1:]:
        if row and row[0].isdigit() and row[1]:
            out[row[0]] = float(row[1].replace(",", "."))
    return out


def test_fixed_over_current_is_the_index_ratio_in_the_cockpit(release: Release) -> None:
    base = "/kommune/751/omraade/dagtilbud?year=2022"
    current = _csv_series(base)
    fixed = _csv_series(base + "&prices=faste&base_year=2020")
    basis = price_basis(release, "faste", 2020)
    assert set(current) == set(fixed) and len(current) >= 5
    for year, v in current.items():
        assert fixed[year] / v == pytest.approx(basis.values[2020] / basis.values[int(year)], rel=1e-4)


def test_fixed_prices_change_the_overview_total_by_the_index_ratio(release: Release) -> None:
    cur = c.get("/api/v1/benchmark/751", params={"year": 2021}).json()
    fix = c.get("/api/v1/benchmark/751", params={"year": 2021, "prices": "faste", "base_year": 2023}).json()
    basis = price_basis(release, "faste", 2023)
    ratio = basis.values[2023] / basis.values[2021]
    assert fix["total"]["potential"] / cur["total"]["potential"] == pytest.approx(ratio, rel=1e-9)
    assert fix["provenance"]["prices"]["basis"] == "faste" and fix["provenance"]["prices"]["base_year"] == 2023
    assert fix["provenance"]["prices"]["factor"] == pytest.approx(ratio)
    assert cur["provenance"]["prices"]["basis"] == "løbende"


@pytest.mark.parametrize("path", ["/kommune/751", "/kommune/751/omraade/aeldre", "/kommune/751/sammenligning"])
def test_every_page_states_its_price_basis(release: Release, path: str) -> None:
    label = price_basis(release, "faste", 2020).label
    d = soup(c.get(path, params={"prices": "faste", "base_year": 2020}).text)
    assert d.select_one("select[name=prices] option[selected]")["value"] == "faste"
    assert d.select_one("select[name=base_year] option[selected]")["value"] == "2020"
    if path != "/kommune/751/sammenligning":  # the peers page shows no kroner, only distances
        assert text(d, "#price-basis") == label
        sources = [p.get_text(" ", strip=True) for p in d.select("p.source")]
        kroner_sources = [s for s in sources if s.startswith("Kilde: Danmarks Statistik (REGK31")]
        assert kroner_sources and all(f"Prisgrundlag: {label}" in s for s in kroner_sources)
        cur = soup(c.get(path).text)
        assert "løbende" in " ".join(p.get_text() for p in cur.select("p.source")).lower()


def test_source_line_says_what_the_release_says_not_dranst_1_2(release: Release) -> None:
    d = soup(c.get("/kommune/751").text)
    body = d.get_text(" ")
    assert "dranst 1 + 2" not in body
    assert release.manifest["measure"].rstrip(".") in " ".join(body.split())


def test_api_key_figures_and_peers_carry_prices_and_peer_model(release: Release) -> None:
    kf = c.get("/api/v1/key-figures/751", params={"year": 2022, "prices": "fixed", "base_year": 2020}).json()
    assert kf["provenance"]["prices"]["basis"] == "faste" and kf["provenance"]["prices"]["base_year"] == 2020
    assert kf["provenance"]["price_basis"] == price_basis(release, "faste", 2020).label
    assert kf["areas"][0]["expenditure_status"] == "derived"
    # a base year in current prices is ignored, not refused (the schema allows it)
    kc = c.get("/api/v1/key-figures/751", params={"year": 2022, "base_year": 2020}).json()
    assert kc["provenance"]["prices"]["basis"] == "løbende"
    p = c.get("/api/v1/peers/751", params={"peer_model": "aeldre"}).json()
    assert p["peer_model"]["id"] == "aeldre" and p["model"]["id"] == "aeldre"
    b = c.get("/api/v1/benchmark/751", params={"peer_model": "auto"}).json()
    assert b["peer_model"]["id"] == "auto"
    assert {a["peer_model"]["id"] for a in b["areas"]} >= {"aeldre", "skole", "standard"}
    assert "positiv" in b["total"]["sign_convention"] and b["total"]["status"] == "derived"


def test_api_refuses_unknown_price_basis_and_model() -> None:
    assert c.get("/api/v1/benchmark/751", params={"prices": "dyre"}).status_code == 400
    assert c.get("/api/v1/benchmark/751", params={"peer_model": "ingen"}).status_code == 400
    r = c.get("/kommune/751", params={"prices": "dyre"})
    assert r.status_code == 400 and "prisgrundlag" in text(soup(r.text), ".error-message").lower()
    r = c.get("/kommune/751", params={"peer_model": "ingen"})
    assert r.status_code == 400 and "sammenligningsmodel" in text(soup(r.text), ".error-message").lower()


def test_api_drops_weights_of_variables_the_model_lacks() -> None:
    # employment_rate is in the standard model only; the schema allows it with every model
    r = c.get("/api/v1/peers/751", params={"peer_model": "aeldre", "weights": "employment_rate=1"})
    assert r.status_code == 200 and r.json()["ignored_weights"] == ["employment_rate"]


def test_peer_model_switch_changes_the_peers_and_the_sliders() -> None:
    reg = load_peer_registry()
    std = soup(c.get("/kommune/751/sammenligning?year=2022").text)
    old = soup(c.get("/kommune/751/sammenligning?year=2022&peer_model=aeldre").text)
    names_std = [r[0] for r in table_rows(std, "sammenligningskommuner")[1:]]
    names_old = [r[0] for r in table_rows(old, "sammenligningskommuner")[1:]]
    assert names_std != names_old
    assert len(old.select("input[type=range]")) == len(reg.model("aeldre").variables)
    assert len(std.select("input[type=range]")) == len(reg.model(None).variables)
    assert reg.model("aeldre").name in text(old, "#peer-model")
    # the model switch is a plain GET control; the sliders of another model are not carried over
    assert {o["value"] for o in old.select("select[name=peer_model] option")} == {m["id"] for m in reg.choices()}
    carried = soup(c.get("/kommune/751/sammenligning?year=2022&peer_model=aeldre&slider_model=standard"
                         "&w_share_80_plus=0").text)
    assert [r[0] for r in table_rows(carried, "sammenligningskommuner")[1:]] == names_old
    # and the overview follows the model
    ov = soup(c.get("/kommune/751?year=2022&peer_model=aeldre").text)
    assert reg.model("aeldre").name in text(ov, "#peer-model")


def test_print_sentence_reads_kr_pr_indbygger() -> None:
    d = soup(c.get("/kommune/751/print?year=2022").text)
    items = [li.get_text(" ", strip=True) for li in d.select("ul.plain li")]
    assert any("kr. pr. indbygger" in s for s in items)
    assert not any("Alle indbygger" in s for s in items)
    cockpit = soup(c.get("/kommune/751/omraade/administration?year=2022").text)
    assert "pr. indbygger" in text(cockpit, "p.total") and not re.search(r"Alle indbygger(?!e)", cockpit.get_text())


def test_coverage_decomposition_for_social_assistance_and_missing_text_elsewhere() -> None:
    d = soup(c.get("/kommune/751/omraade/beskaeftigelse?year=2022").text)
    section = d.select_one("#coverage")
    tables = section.select("table[id^='tabel-dekomponering-']")
    assert tables, "no coverage table for beskæftigelse og forsørgelse"
    head = " ".join(th.get_text(" ", strip=True) for th in tables[0].select("thead th")).lower()
    assert "dækningsgrad" in head and "enhedsudgift" in head
    assert d.select_one("#coverage-missing") is None
    assert "AUK01" in section.get_text()
    other = soup(c.get("/kommune/751/omraade/dagtilbud?year=2022").text)
    assert "mangler" in text(other, "#coverage-missing").lower()
    assert not other.select("#coverage table[id^='tabel-dekomponering-']")


def test_figures_scope_next_to_the_total() -> None:
    d = soup(c.get("/kommune/751?year=2022").text)
    scope = text(d, "#scope")
    assert "Hvad tallene dækker" in scope and "serviceudgifter" in scope and "%" in scope
    assert "Hvad tallene dækker" in text(soup(c.get("/kommune/751/omraade/sundhed?year=2022").text), "#scope")


def test_derived_totals_are_marked_and_sign_convention_is_labelled() -> None:
    assert STATUS_LABELS["derived"] == "afledt" and status_label("derived") == "afledt"
    d = soup(c.get("/kommune/751?year=2022").text)
    header = table_rows(d, "omraader")[0]
    assert "Udgift i alt, mio. kr. (afledt)" in header and "Mulighedsrum, mio. kr. (afledt)" in header
    assert "afledt" in text(d, "#total").lower() or "afledt" in text(d, "p.total").lower()
    cockpit = soup(c.get("/kommune/751/omraade/dagtilbud?year=2022").text)
    sign = text(cockpit, "#sign-convention")
    assert "positivt" in sign and "negativ" in sign


def test_method_page_lists_models_price_index_and_need_fit(release: Release) -> None:
    d = soup(c.get("/metode").text)
    body = " ".join(d.get_text(" ").split())
    reg = load_peer_registry()
    for m in reg.models.values():
        assert f"Sammenligningsmodel: {m.name}" in body
        for v in m.variables:
            assert v.reason.split(".")[0] in body
    idx = text(d, "#prisindeks")
    assert release.manifest["price_index"]["label"] in idx and "PRIS113" in idx
    rows = table_rows(d, "behovsmodel")
    assert rows[0][:3] == ["Område", "Model", "R²"] and len(rows) - 1 == len(load_catalog().areas)


def test_wide_tables_scroll_with_the_first_column_held() -> None:
    css = c.get("/static/style.css").text
    assert ".table-wrap th:first-child" in css and "position: sticky" in css and "overflow-x: auto" in css
