"""Idea-bank pages, the committee-pack download and the JSON API, parsed from the HTML/JSON."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from web_support import client, soup, table_rows, text

from raaderum.store.ideas import default_store


@pytest.fixture
def c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAADERUM_DATABASE_URL", f"sqlite:///{tmp_path / 'web.sqlite'}")
    return client()


def test_search_highlights_compound_synonyms_and_labels_sample(c) -> None:  # type: ignore[no-untyped-def]
    d = soup(c.get("/idebank", params={"q": "gadelys"}).text)
    hits = d.select("article.hit")
    assert hits
    titles = [h.h3.get_text() for h in hits]
    assert any("vejbelysning" in t.lower() for t in titles)  # a synonym, not the typed word
    assert d.select("article.hit mark")
    assert "eksempeldata" in text(d, "#sample-note").lower()
    assert all(h.select_one(".badge.sample") for h in hits)
    assert "vejbelysning" in text(d, "#antal")


def test_facets_have_counts_and_filter(c) -> None:  # type: ignore[no-untyped-def]
    d = soup(c.get("/idebank", params={"q": "velfærdsteknologi"}).text)
    total = int(text(d, "#antal").split()[0])
    area_links = d.select("aside section:first-of-type li a")
    assert area_links
    first = area_links[0]
    count = int(first.parent.get_text().rsplit("(", 1)[1].rstrip(")"))
    filtered = soup(c.get(first["href"]).text)
    assert int(text(filtered, "#antal").split()[0]) == count <= total
    none = soup(c.get("/idebank", params={"uden_eksempler": "1"}).text)
    assert text(none, "#antal").startswith("0 forslag")


def test_proposal_page_similar_and_figures(c) -> None:  # type: ignore[no-untyped-def]
    store = default_store()
    p = store.search("LED gadelys").hits[0].record
    d = soup(c.get(f"/idebank/{p.id}").text)
    assert text(d, "h1") == p.display_title
    assert "fiktivt forslag" in text(d, ".sample-note")
    amounts = table_rows(d, "beloeb")[1]
    assert len(amounts) == 6 and amounts[0].startswith("Budget")
    csv_rows = c.get(f"/idebank/{p.id}?format=csv&table=beloeb").content.decode("utf-8-sig").splitlines()
    assert csv_rows[0].startswith("Beløb;B;BO1")
    assert d.select("#lignende li") and str(p.id) not in [a["href"].rsplit("/", 1)[1] for a in d.select("#lignende a")]
    kt = table_rows(d, "kommunetal")
    assert kt[1][0] == "Kr. pr. indbygger" and "af 98" in kt[1][3]
    assert "kr. pr. indbygger" in text(d, "#pr-indbygger")


def test_unknown_proposal_404_and_bad_id_400(c) -> None:  # type: ignore[no-untyped-def]
    assert c.get("/idebank/999999").status_code == 404
    assert c.get("/idebank/abc").status_code == 400


def test_committee_pack_download(c) -> None:  # type: ignore[no-untyped-def]
    d = soup(c.get("/idebank/udvalgspakke", params={"kommune": "aarhus"}).text)
    options = [o.get_text() for o in d.select("#pk-udvalg option")]
    assert "Børne- og Ungeudvalget" in options
    r = c.get("/idebank/udvalgspakke", params={"kommune": "aarhus", "udvalg": "Børne- og Ungeudvalget"})
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="udvalgspakke-aarhus-boerne-og-ungeudvalget.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Overblik", "Forslag", "Metode og kilder"]
    r = c.get("/idebank/udvalgspakke", params={"kommune": "aarhus", "udvalg": "Rumfart"})
    assert r.status_code == 400 and "Kendte udvalg" in r.text


def test_cockpit_lists_ranked_proposals(c) -> None:  # type: ignore[no-untyped-def]
    d = soup(c.get("/kommune/751/omraade/aeldre?year=2022").text)
    items = d.select("ol.ideas li")
    assert items
    assert "Sammenligningskommune" in items[0].get_text() or "kommune" in items[0].get_text()


def test_api_ideas_search_and_detail(c) -> None:  # type: ignore[no-untyped-def]
    r = c.get("/api/v1/ideas/search", params={"q": "indkøb", "limit": 3})
    data = r.json()
    assert r.status_code == 200 and len(data["hits"]) == 3 and data["total"] >= 3
    assert data["sample_notice"] and set(data["facets"]) >= {"area", "type", "municipality", "year"}
    pid = data["hits"][0]["id"]
    detail = c.get(f"/api/v1/ideas/{pid}").json()
    assert detail["proposal"]["id"] == pid and detail["similar"]
    assert c.get("/api/v1/ideas/search", params={"limit": 1000}).status_code == 400


def test_api_openapi_and_benchmark(c) -> None:  # type: ignore[no-untyped-def]
    spec = c.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/v1/municipalities", "/api/v1/key-figures/{kommune}", "/api/v1/benchmark/{kommune}",
            "/api/v1/peers/{kommune}", "/api/v1/ideas/search"} <= paths
    b = c.get("/api/v1/benchmark/aarhus", params={"year": 2022, "reference": "national"}).json()
    assert b["municipality"]["code"] == 751 and b["reference"]["id"] == "national" and b["method"]
    p = c.get("/api/v1/peers/751", params={"peers": "k=5"}).json()
    assert len(p["members"]) == 5 and p["stability"]["draws"] == 200
    assert c.get("/api/v1/benchmark/atlantis").status_code == 404
    assert c.get("/api/v1/benchmark/751", params={"reference": "x"}).status_code == 400


def test_template_download(c) -> None:  # type: ignore[no-untyped-def]
    r = c.get("/idebank-skabelon.xlsx")
    assert r.status_code == 200 and "skabelon" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 2
