"""The web side of issue 14: "Demografisk pres" and "DEA-reference" in the cockpit, the column in the overview and
the print view, DEA reference municipalities as a peer set, and the "Metode og data" sections. Every figure on a
page is compared with what the library computes (formatted the Danish way), not only with a status code."""

from __future__ import annotations

import pytest
from web_support import client, read_csv, soup, table_rows, text

from raaderum.analysis.benchmark import REFERENCES, run_benchmark
from raaderum.analysis.dea import DEFAULT_DEA_B, dea_peers, dea_potential, dea_specs, run_dea, run_dea_all
from raaderum.analysis.demography import demographic_pressure, method_summary, pressure_overview
from raaderum.analysis.peers import DEA_PEERS, PeerSpec, choose_peers, load_peer_registry, parse_peer_spec
from raaderum.catalog import load_catalog
from raaderum.errors import InputError
from raaderum.formatting import fmt_mio, fmt_number, fmt_pct
from raaderum.release.reader import Release

c = client()


def mio(x: float | None) -> str:
    """How a "mio" table cell shows a kroner figure."""
    return fmt_number(None if x is None else x / 1e6, 1)


def name_cell(cell: str) -> str:
    return cell.replace(" skøn", "").replace(" mangler", "")


# ------------------------------------------------------------------ cockpit: demografisk pres


@pytest.mark.parametrize(("kode", "area"), [(751, "aeldre"), (751, "folkeskole"), (825, "dagtilbud")])
def test_cockpit_shows_the_demographic_pressure_of_the_library(release: Release, kode: int, area: str) -> None:
    r = c.get(f"/kommune/{kode}/omraade/{area}")
    assert r.status_code == 200
    d = soup(r.text)
    dp = demographic_pressure(release, kode, area, prices="faste")
    a = dp.areas[0]
    rows = table_rows(d, "demografi")
    assert rows[0][0] == "Budgetår" and len(rows) == 5  # header + B, BO1, BO2, BO3
    for row, y in zip(rows[1:], a.years, strict=True):
        assert name_cell(row[0]) == f"{y['label']} ({y['year']})"
        assert row[1] == fmt_number(y["target"])
        assert row[2] == mio(y["expected"]) and row[3] == mio(y["change"])
        assert row[4] == mio(y["band"]["low"]) and row[5] == mio(y["band"]["high"])
        assert row[6] == fmt_pct(y["rel_error"])
    section = text(d, "#demografi")
    # labelled a projection, with its price basis, source, year and method
    assert "fremskrivning" in text(d, "#demografi-overskrift").lower()
    assert "fremskrivning" in text(d, "#demografi-summary").lower()
    assert fmt_mio(a.years[-1]["change"]) in text(d, "#demografi-summary")
    assert dp.provenance["price_basis"] in section and dp.provenance["price_basis"].startswith("Faste")
    assert f"regnskab {dp.accounts_year}" in section and "Danmarks Statistik" in section
    assert dp.method["name"] in text(d, "#demografi-method") and "cohort_net_change" in section
    # the age-weighted variant only where the registry has weights (elderly care)
    if a.weighted:
        wrows = table_rows(d, "demografi-aldersvaegtet")
        for row, y in zip(wrows[1:], a.weighted["years"], strict=True):
            assert row[1] == fmt_number(y["weighted_target"]) and row[3] == mio(y["change"])
        assert "antagelse" in section.lower() and "80–84 år: 4,0" in section
    else:
        assert d.find("table", id="tabel-demografi-aldersvaegtet") is None


def test_cockpit_pressure_downloads_are_the_api_files(release: Release) -> None:
    d = soup(c.get("/kommune/751/omraade/aeldre").text)
    links = {a.get_text(strip=True): a["href"] for a in d.select("#demografi-downloads a")}
    assert links["CSV"].startswith("/api/v1/demografi/751?") and "omraade=aeldre" in links["CSV"]
    assert "format=csv" in links["CSV"] and "format=xlsx" in links["Excel"]
    r = c.get(links["CSV"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    r = c.get(links["Excel"])
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # and the page's own table downloads, with its source underneath
    rows = read_csv(c.get("/kommune/751/omraade/aeldre?format=csv&table=demografi").content)
    assert rows[0][0] == "Budgetår" and any("Faste" in " ".join(row) for row in rows)


def test_cockpit_pressure_uses_the_chosen_base_year(release: Release) -> None:
    d = soup(c.get("/kommune/751/omraade/aeldre?prices=faste&base_year=2020").text)
    dp = demographic_pressure(release, 751, "aeldre", prices="faste", base_year=2020)
    assert "Faste 2020-priser" in text(d, "#demografi")
    assert table_rows(d, "demografi")[4][3] == mio(dp.areas[0].years[-1]["change"])
    # current prices on the page: the pressure is still in fixed prices (of the default base year), and says so
    d = soup(c.get("/kommune/751/omraade/aeldre?prices=løbende").text)
    assert demographic_pressure(release, 751, "aeldre").provenance["price_basis"] in text(d, "#demografi")


def test_htmx_swap_of_the_cockpit_keeps_both_sections() -> None:
    r = c.get("/kommune/751/omraade/folkeskole", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="results">')
    d = soup(r.text)
    assert d.select_one("#demografi") is not None and d.select_one("#dea") is not None


# ------------------------------------------------------------------ cockpit: DEA reference


@pytest.mark.parametrize(("kode", "area"), [(751, "aeldre"), (147, "folkeskole"), (151, "beskaeftigelse")])
def test_cockpit_dea_section_is_the_library_result(release: Release, kode: int, area: str) -> None:
    d = soup(c.get(f"/kommune/{kode}/omraade/{area}").text)
    pot = dea_potential(release, kode, area, B=0)
    peers = dea_peers(release, kode, area)
    rows = table_rows(d, "dea")
    assert rows[1][0].startswith("DEA-front")
    assert rows[1][1] == fmt_number(pot["theta"], 2) and rows[1][2] == fmt_number(pot["value"])
    assert rows[1][3] == mio(pot["potential"])
    assert rows[1][4] == rows[1][5] == "–"  # no band on the page (B = 0): shown as missing, never 0
    assert text(d, "#dea-potential") == fmt_mio(pot["potential"])
    assert d.select_one("#dea-band-api a")["href"] == (f"/api/v1/dea/{area}/{kode}?year={pot['year']}"
                                                        f"&bootstrap={DEFAULT_DEA_B}")
    # the reference municipalities and their λ, as dea_peers gives them (super-efficiency for an efficient one)
    refs = table_rows(d, "dea-referencekommuner")
    assert [(r[0], r[1]) for r in refs[1:]] == [(release.register.by_code(x).name, str(x)) for x in peers.codes]
    assert [r[2] for r in refs[1:]] == [fmt_number(x, 2) for x in peers.lambdas]
    if not pot["efficient"]:
        assert [x["code"] for x in pot["references"]] == peers.codes
    # how many are efficient, and why (the library's method text)
    s = pot["summary"]
    assert f"{s['efficient']} af {s['units']} kommuner er effektive" in text(d, "#dea-efficient")
    assert text(d, "#dea-why") == " ".join(pot["method"]["why_many_efficient"].split())


def test_dea_sits_next_to_the_benchmark_references_never_merged(release: Release) -> None:
    d = soup(c.get("/kommune/751/omraade/aeldre").text)
    refs = table_rows(d, "referencer")
    assert len(refs) == 1 + len(REFERENCES) and not any("DEA" in r[0] for r in refs)
    res = run_benchmark(release, 751)
    a = res.area("aeldre")
    assert text(d, "p.total").count(fmt_mio(a.potential)) >= 1
    # the comparison row of the DEA table is the benchmark's headline reference, unchanged
    row = table_rows(d, "dea")[2]
    assert row[2] == fmt_number(a.references[res.reference]["value"]) and row[3] == mio(a.potential)
    # the overview's total is the benchmark's, with or without DEA on the page
    assert mio(res.total["potential"]) in text(soup(c.get("/kommune/751").text), "#total")


def test_dea_not_available_is_said_not_zero() -> None:
    # Samsø's net expenditure on dagtilbud is ≤ 0: left out of the frontier, said so, figures shown as –
    d = soup(c.get("/kommune/741/omraade/dagtilbud").text)
    assert "ikke opgjort" in text(d, "#dea-summary") and "Nettoudgiften er 0 eller negativ" in text(d, "#dea-summary")
    assert table_rows(d, "dea")[1][1:4] == ["–", "–", "–"]
    # elderly care has no accounts before 2018: the section says why, the page still renders
    r = c.get("/kommune/751/omraade/aeldre?year=2016")
    assert r.status_code == 200 and "ikke opgjort" in text(soup(r.text), "#dea-error")
    # København is efficient with an undefined super-efficiency: no reference municipalities, with the reason
    d = soup(c.get("/kommune/101/omraade/folkeskole").text)
    assert "ingen referencekommuner" in text(d, "#dea-no-peers")


# ------------------------------------------------------------------ DEA reference municipalities as a peer set


def test_peers_dea_in_the_cockpit_are_the_areas_dea_references(release: Release) -> None:
    peers = dea_peers(release, 751, "aeldre")
    d = soup(c.get("/kommune/751/omraade/aeldre?peers=dea").text)
    rows = table_rows(d, "sammenligning")
    shown = {name_cell(r[0]) for r in rows[2:]}  # header, the municipality itself, then its peers
    assert shown == {release.register.by_code(x).name for x in peers.codes}
    res = run_benchmark(release, 751, peers=peers.text)
    assert fmt_mio(res.area("aeldre").potential) in text(d, "p.total")
    assert "DEA-fronten" in text(d, "p.sentence")
    # the select shows the choice; the link of the DEA section selects the same set explicitly
    opt = d.select_one("#ctl-peers option[selected]")
    assert opt["value"] == "dea" and "DEA" in opt.get_text()
    link = d.select_one("#dea-peers-links a")["href"]
    assert "peers=dea%3Aaeldre" in link
    d2 = soup(c.get(link).text)
    assert {name_cell(r[0]) for r in table_rows(d2, "sammenligning")[2:]} == shown


def test_peers_page_with_dea_references_shows_lambda(release: Release) -> None:
    peers = dea_peers(release, 147, "folkeskole")
    d = soup(c.get("/kommune/147/sammenligning?peers=dea:folkeskole").text)
    rows = table_rows(d, "sammenligningskommuner")
    assert rows[0][1].startswith("λ")
    lam = {release.register.by_code(x).name: fmt_number(v, 2) for x, v in zip(peers.codes, peers.lambdas,
                                                                                 strict=True)}
    assert {r[0]: r[1] for r in rows[1:]} == lam
    assert "DEA-fronten" in text(d, "#peer-sentence")
    assert load_peer_registry().peer_sets["dea"].reason.split(".")[0] in text(d, "#dea-peers-note")
    values = [o["value"] for o in d.select("#alt option")]
    assert "dea" in values and all(f"dea:{s}" in values for s in dea_specs())


def test_peers_dea_without_area_uses_the_across_area_specification(release: Release) -> None:
    peers = dea_peers(release, 751, "alle_omraader")
    res = run_benchmark(release, 751, peers=peers.text)
    d = soup(c.get("/kommune/751?peers=dea").text)
    assert text(d, "#total").split(" om året")[0].startswith(fmt_mio(res.total["potential"]))
    assert "Alle katalogets områder samlet" in text(d, "#sentence")


@pytest.mark.parametrize(("url", "status", "needle"), [
    ("/kommune/751/omraade/aeldre?peers=dea:nope", 404, "Ukendt DEA-specifikation"),
    ("/kommune/751?peers=dea:%3Cscript%3E", 404, "Ukendt DEA-specifikation"),
    ("/kommune/751/omraade/aeldre?peers=dea&year=2016", 400, "ingen udgiftstal"),
    ("/kommune/101/omraade/folkeskole?peers=dea", 400, "ingen referencekommuner"),
    ("/kommune/741/omraade/dagtilbud?peers=dea", 400, "indgår ikke"),
    ("/kommune/751/sammenligning?peers=dea:", 200, ""),
])
def test_bad_dea_peer_choices_are_400_or_404_in_danish(url: str, status: int, needle: str) -> None:
    r = c.get(url)
    assert r.status_code == status, r.text[:300]
    if needle:
        assert needle in text(soup(r.text), ".error-message")


def test_dea_peer_spec_in_the_analysis_layer(release: Release) -> None:
    assert parse_peer_spec("dea") == PeerSpec(DEA_PEERS, text="dea")
    assert parse_peer_spec("DEA: aeldre").dea_spec == "aeldre"
    with pytest.raises(InputError, match="DEA-referencekommunerne"):
        choose_peers(release, 751, spec="dea")  # the codes must be looked up first (peers cannot import dea)
    codes = tuple(dea_peers(release, 751, "aeldre").codes)
    ps = choose_peers(release, 751, spec=PeerSpec(DEA_PEERS, codes=codes, text="dea:aeldre", label="Ældrepleje"))
    assert tuple(sorted(ps.codes)) == tuple(sorted(codes)) and "DEA-fronten (Ældrepleje)" in ps.description()


# ------------------------------------------------------------------ overview and print


def test_overview_column_is_pressure_overview(release: Release) -> None:
    d = soup(c.get("/kommune/751").text)
    rows = table_rows(d, "omraader")
    head = rows[0]
    col = next(i for i, h in enumerate(head) if h.startswith("Demografisk pres BO3 ("))
    share = head.index("Demografisk pres BO3, % af udgiften")
    assert head[-1] == "Bemærkninger" and head[4] == "Mulighedsrum, mio. kr. (afledt)"  # old columns in place
    names = {a.name: a.id for a in load_catalog().areas}
    for row in rows[1:]:
        item = next(m for m in pressure_overview(release, names[name_cell(row[0])])["municipalities"]
                    if m["code"] == 751)
        assert row[col] == mio(item["changes"]["BO3"])
        assert row[share] == fmt_pct(item["bo3_share_of_spending"])
    total = next(m for m in pressure_overview(release)["municipalities"] if m["code"] == 751)
    line = text(d, "#demografi-total")
    for k in ("B", "BO1", "BO2", "BO3"):
        assert fmt_mio(total["changes"][k]) in line
    assert fmt_pct(total["bo3_share_of_spending"]) in line
    header = text(d, "#demografi-header")
    ov = pressure_overview(release)
    assert "fremskrivning" in header and ov["price_basis"].split(" (")[0].lower() in header
    assert f"regnskab {ov['accounts_year']}" in header and "Danmarks Statistik" in header
    # the CSV of the table carries the column as numbers
    csv_rows = read_csv(c.get("/kommune/751?format=csv&table=omraader").content)
    assert any(h.startswith("Demografisk pres BO3") for h in csv_rows[0])


def test_print_view_has_the_total_pressure(release: Release) -> None:
    d = soup(c.get("/kommune/751/print").text)
    total = next(m for m in pressure_overview(release)["municipalities"] if m["code"] == 751)
    line = text(d, "#demografi-total")
    assert "fremskrivning" in line and fmt_mio(total["changes"]["BO3"]) in line


# ------------------------------------------------------------------ Metode og data


def test_method_page_explains_projection_pressure_and_dea(release: Release) -> None:
    r = c.get("/metode")
    assert r.status_code == 200
    d = soup(r.text)
    body = " ".join(d.get_text(" ").split())
    ms = method_summary(release)
    par = ms["projection"]["parameters"]
    assert " ".join(ms["projection"]["text"].split()) in body
    assert f"sidste {par['migration_lookback']} kalibreringsfaktorer" in body
    assert f"aldersfordeling 1. januar {par['base_pyramid']}" in body
    assert ms["demografiregulering"]["formula"] in body and "80–84 år: 4,0" in body
    # the back-test per age band and horizon, as the library reports it
    bt = table_rows(d, "tilbagetest")
    assert len(bt) - 1 == len(ms["backtest"]["summary"])
    for row, s in zip(bt[1:], ms["backtest"]["summary"], strict=True):
        assert row[0] == s["band"] and row[7] == fmt_pct(s["p90"]) and row[6] == fmt_pct(s["mape"])
    # DEA: the model, HiGHS, super-efficiency, the bootstrap's parameters, the specifications with their reasons
    assert "Σλ_j = 1" in body and "highs" in body and "Andersen & Petersen" in body
    assert "Simar & Wilson" in body and f"B = {DEFAULT_DEA_B}" in body and "Silvermans regel" in body
    assert "Hvorfor mange kommuner er effektive" in body
    specs = table_rows(d, "dea-specifikationer")
    results = run_dea_all(release)
    assert [r[0] for r in specs[1:]] == [s.label for s in dea_specs().values()]
    for row, (sid, res) in zip(specs[1:], results.items(), strict=True):
        assert row[-1] == dea_specs()[sid].reason
        assert row[3] == fmt_number(res.summary["efficient"]) and row[4] == fmt_number(res.summary["units"])
    # the DEA peer set is documented with its reason from the registry
    assert load_peer_registry().peer_sets["dea"].reason in body
    for anchor in ("fremskrivning", "tilbagetest", "demografiregulering", "dea"):
        assert d.find(id=anchor) is not None
    assert c.get("/metode?format=csv&table=tilbagetest").status_code == 200


def test_dea_frontier_counts_on_the_method_page_match_run_dea(release: Release) -> None:
    res = run_dea(release, "aeldre", B=0)
    d = soup(c.get("/metode").text)
    row = next(r for r in table_rows(d, "dea-specifikationer") if r[0] == "Ældrepleje")
    assert row[3] == str(res.summary["efficient"]) and row[4] == str(res.summary["units"])


def test_an_area_without_accounts_has_no_pressure_shown_as_a_dash() -> None:
    # elderly care has no accounts before 2018: the pressure is "–" (pressure_overview would add 0 for it)
    d = soup(c.get("/kommune/751?year=2016").text)
    rows = table_rows(d, "omraader")
    col = next(i for i, h in enumerate(rows[0]) if h.startswith("Demografisk pres BO3 ("))
    row = next(r for r in rows[1:] if name_cell(r[0]) == "Ældrepleje")
    assert row[col] == "–" and row[col + 1] == "–"
    d = soup(c.get("/kommune/751/omraade/aeldre?year=2016").text)
    assert "ikke opgjort" in text(d, "#demografi-summary")
    assert table_rows(d, "demografi")[1][2:6] == ["–", "–", "–", "–"]
