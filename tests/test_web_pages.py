"""Every HTML route, with content parsed from the HTML (not only status codes), downloads and error pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from web_support import client, dk_number, read_csv, soup, table_rows, text

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.peers import load_peer_registry
from raaderum.release.reader import Release

c = client()


def test_forside_has_danish_lang_type_ahead_and_three_steps() -> None:
    r = c.get("/")
    assert r.status_code == 200
    d = soup(r.text)
    assert d.html["lang"] == "da"
    options = d.select("datalist#kommuner option")
    assert len(options) == 98 and options[0]["value"] == "København"  # register order: by code, 101 first
    assert {o["value"] for o in options} >= {"Aarhus", "Høje-Taastrup", "Læsø"}
    assert len(d.select("ol.steps > li")) == 3
    assert d.select_one("form[action='/idebank'] input[name=q]") is not None


def test_choosing_a_municipality_by_any_spelling_redirects_to_its_code() -> None:
    r = c.get("/kommune", params={"q": "høje taastrup kommune"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kommune/169"
    r = c.get("/kommune/Århus", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/kommune/751"


def test_unknown_municipality_is_404_with_suggestions() -> None:
    r = c.get("/kommune", params={"q": "Århuus"})
    assert r.status_code == 404
    d = soup(r.text)
    assert "Ukendt kommune" in text(d, ".error-message")
    assert [a.get_text() for a in d.select("ul.suggestions a")] == ["Aarhus"]
    assert c.get("/kommune/Atlantis").status_code == 404


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("/kommune/751?reference=ukendt", "Ukendt referenceniveau"),
        ("/kommune/751?year=1999", "1999"),
        ("/kommune/751?year=tyve", "year"),
        ("/kommune/751?peers=Atlantis", "Sammenligningskommuner"),
        ("/kommune/751/sammenligning?w_ln_population=meget", "Vægten for ln_population"),
        ("/kommune/751?format=pdf&table=omraader", "Ukendt format"),
        ("/kommune/751?format=csv&table=nej", "Ukendt tabel"),
    ],
)
def test_bad_parameters_are_400_with_a_clear_message(url: str, needle: str) -> None:
    r = c.get(url)
    assert r.status_code == 400, r.text[:300]
    assert needle in text(soup(r.text), ".error-message")


def test_unknown_area_and_path_are_404() -> None:
    assert "Ukendt serviceområde" in text(soup(c.get("/kommune/751/omraade/nope").text), ".error-message")
    assert c.get("/kommune/751/omraade/nope").status_code == 404
    assert c.get("/ingen/side").status_code == 404


def test_overview_shows_ranked_areas_total_and_sentence(release: Release) -> None:
    r = c.get("/kommune/751", params={"year": 2022})
    assert r.status_code == 200
    d = soup(r.text)
    res = run_benchmark(release, 751, 2022)
    assert text(d, "#sentence") == res.summary()
    rows = table_rows(d, "omraader")
    assert rows[0][0] == "Område"
    names = [row[0].replace(" skøn", "") for row in rows[1:]]
    assert names == [a.name for a in res.areas]
    pots = [row[4] for row in rows[1:]]
    first = [a for a in res.areas if a.potential is not None][0]
    assert dk_number(pots[0]) == pytest.approx(first.potential / 1e6, abs=0.05)
    assert "mio. kr." in text(d, "#total")
    assert d.select_one("svg.chart title").get_text().startswith("Mulighedsrum pr. serviceområde")
    assert "Kilde: Danmarks Statistik" in r.text
    # the controls work as a plain form without JavaScript
    form = d.select_one("form.controls")
    assert form["method"] == "get" and {s["name"] for s in form.select("select")} == {
        "year", "reference", "peers", "peer_model", "prices", "base_year"}


def test_changing_the_reference_changes_the_total(release: Release) -> None:
    a = soup(c.get("/kommune/751?year=2022&reference=peer_mean").text)
    b = soup(c.get("/kommune/751?year=2022&reference=cheapest_peer").text)
    ta, tb = text(a, "#total"), text(b, "#total")
    assert ta != tb
    res = run_benchmark(release, 751, 2022, reference="cheapest_peer")
    assert dk_number(tb.split()[0]) == pytest.approx(res.total["potential"] / 1e6, abs=0.05)
    ref_rows = table_rows(b, "referencer")
    assert len(ref_rows) == 7  # header + six references


def test_htmx_request_returns_only_the_results_block() -> None:
    r = c.get("/kommune/751?reference=national", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="results">') and "<html" not in r.text


def test_every_table_downloads_as_csv_and_excel() -> None:
    r = c.get("/kommune/751?year=2022&format=csv&table=omraader")
    assert r.headers["content-type"].startswith("text/csv")
    rows = read_csv(r.content)
    assert rows[0][0] == "Område" and len(rows) >= 15
    assert any("Kilde: Danmarks Statistik" in " ".join(row) for row in rows)
    r = c.get("/kommune/751?year=2022&format=xlsx&table=omraader")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.cell(1, 1).value == "Område" and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert isinstance(ws.cell(2, 5).value, (int, float))  # a number (a derived total, rounded to its precision)


def test_print_summary_has_one_sentence_per_area() -> None:
    d = soup(c.get("/kommune/825/print?year=2022").text)
    items = d.select("ul.plain li")
    assert len(items) == 14
    assert any("0 kr. eller derunder" in li.get_text() for li in items)  # Læsø reports 0 on some areas
    assert "print.css" in str(d.select('link[media="print"]'))


def test_cockpit_shows_series_distribution_decomposition_and_references() -> None:
    r = c.get("/kommune/751/omraade/aeldre?year=2022")
    assert r.status_code == 200
    d = soup(r.text)
    series = table_rows(d, "udvikling")
    assert [row[0].split()[0] for row in series[1:]] == [str(y) for y in range(2016, 2025)]
    assert series[1][0] == "2016 mangler"
    assert series[1][1] == "–"  # elderly-care functions did not exist in 2016: missing, not 0
    dec = table_rows(d, "dekomponering")
    assert dec[1][0] == "Sammenligningskommunerne"
    total, demo, per = (dk_number(x) for x in dec[1][1:4])
    assert demo + per == pytest.approx(total, abs=2)  # shown rounded to whole kroner
    assert (
        "modtagere" in d.find("table", id="tabel-dekomponering").parent.find_next_sibling("p", class_="note").get_text()
    )
    assert len(table_rows(d, "referencer")) == 7
    assert len(d.select("svg.chart")) == 2
    everyone = table_rows(d, "fordeling")
    assert len(everyone) == 99 and everyone[1][0] == "1"  # the data table behind the distribution chart
    assert d.select_one("a[href^='/vidensportal/']") is not None


def test_peers_page_weights_change_the_set() -> None:
    base = soup(c.get("/kommune/751/sammenligning?year=2022").text)
    rows = table_rows(base, "sammenligningskommuner")
    assert len(rows) == 11 and "Aarhus" not in [r[0] for r in rows[1:]]
    assert "Stabilitet" in text(base, "#stability")
    heavy = soup(
        c.get(
            "/kommune/751/sammenligning?year=2022&w_ln_population=0&w_ln_density=3&"
            "w_population_growth_5y=0&w_share_0_5=0&w_share_6_16=0&w_share_65_plus=0&"
            "w_share_80_plus=0"
        ).text
    )
    rows2 = table_rows(heavy, "sammenligningskommuner")
    assert [r[0] for r in rows2[1:]] != [r[0] for r in rows[1:]]
    sliders = base.select("input[type=range]")
    expected = len(load_peer_registry().model(None).variables)  # the standard model's variables
    assert len(sliders) == expected and all(base.select_one(f"label[for='{s['id']}']") for s in sliders)
    group = soup(c.get("/kommune/751/sammenligning?peers=group").text)
    assert "kommunegruppe Storbykommuner" in text(group, "#peer-sentence")


def test_metode_lists_sources_methods_and_sample_note(release: Release) -> None:
    d = soup(c.get("/metode").text)
    sources = table_rows(d, "kilder")
    assert any("REGK31" in " ".join(r) for r in sources)
    assert any("population_trend" in r[0] for r in table_rows(d, "skoen"))
    assert "eksempeldata" in text(d, ".sample-note").lower()
    files = table_rows(d, "filer")
    assert len(files) - 1 == sum(len(s["files"]) for s in release.manifest["sources"])


def test_vidensportal_lists_and_shows_levers() -> None:
    d = soup(c.get("/vidensportal").text)
    links = d.select("ul.levers a")
    assert len(links) >= 14
    lv = soup(c.get(links[0]["href"]).text)
    assert len(lv.select("section.card li")) >= 6
    assert c.get("/vidensportal/findes-ikke").status_code == 404


def test_vidensportal_search_finds_levers_in_danish() -> None:
    d = soup(c.get("/vidensportal", params={"q": "genoptræning af ældre"}).text)
    titles = [a.get_text() for a in d.select("ul.levers a")]
    assert titles and "ehabilitering" in titles[0]
    d = soup(c.get("/vidensportal", params={"area": "indkoeb"}).text)
    assert any("Indkøb" in a.get_text() for a in d.select("ul.levers a"))


def test_page_cache_serves_identical_pages_and_skips_sessions() -> None:
    from raaderum.web import cache

    cache.clear()
    first = c.get("/kommune/461?year=2021")
    hits = cache.stats["hits"]
    again = c.get("/kommune/461?year=2021")
    assert again.text == first.text and cache.stats["hits"] == hits + 1
    c.get("/kommune/461?year=2021", headers={"Cookie": "raaderum_session=x"})
    assert cache.stats["hits"] == hits + 1  # a request with a session is never answered from the cache
    assert c.get("/kommune/461?year=2021&format=csv&table=omraader").headers["content-type"].startswith("text/csv")
    assert "x-raaderum-cacheable" not in {k.lower() for k in again.headers}
