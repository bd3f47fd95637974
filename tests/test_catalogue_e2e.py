"""Issue 13 in a real headless Chromium against `raaderum serve` on the embedded default (SQLite, no user accounts,
127.0.0.1): choose the municipality once, create a catalogue, adopt a proposal from the idea bank, phase it, set a
target, compare two scenarios, download the committee PDF; and an axe-core check (WCAG 2 A and AA) of every new page.
Screenshots go to test-artefacts/."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import axe_violations, launch_browser, screenshot, start_server
from pypdf import PdfReader

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("e2e_katalog")
    yield from start_server({"RAADERUM_HOME": str(home), "RAADERUM_DATABASE_URL": f"sqlite:///{home / 'app.sqlite'}"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    """One browser context for the module: the flow's pages are then checked with axe in the same session."""
    ctx = browser.new_context(accept_downloads=True, locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


FLOW: dict[str, str] = {}


def test_from_idea_to_committee_pdf_in_the_browser(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/katalog")
    assert "Vælg din kommune" in page.inner_text("main")
    page.select_option("#lokal-kommune", "751")
    page.click("form[action='/katalog/lokal'] button")
    page.wait_for_url("**/katalog?ok=kommune")
    assert "Aarhus Kommune" in page.inner_text("h1")
    # create the catalogue
    page.fill("#ny-navn", "Råderumskatalog 2027")
    page.fill("#ny-aar", "2027")
    page.click("form[action='/katalog'] button")
    page.wait_for_url(re.compile(r".*/katalog/\d+\?ok=oprettet"))
    cid = re.search(r"/katalog/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    base = f"{base_url}/katalog/{cid}"
    FLOW["catalogue"] = f"/katalog/{cid}"
    screenshot(page, "katalog_nyt")
    # adopt a proposal from the idea bank ("brug som eget forslag")
    page.click(f"main a[href='/katalog/{cid}/idebank']")
    page.wait_for_url(f"**/katalog/{cid}/idebank")
    FLOW["idebank"] = f"/katalog/{cid}/idebank"
    first = page.locator("article.hit").first
    title = first.locator("h3 a").inner_text()
    first.locator("button").click()
    page.wait_for_url(re.compile(r".*/forslag/\d+\?ok=hentet"))
    pid = re.search(r"/forslag/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    FLOW["proposal"] = f"/katalog/{cid}/forslag/{pid}"
    assert "Hentet fra idébanken" in page.inner_text("main")
    assert page.input_value("#f-title") == title
    # phase it over B and the plan years, and write the consequences
    for field, value in (("#f-amount_b", "0"), ("#f-amount_bo1", "-400"), ("#f-amount_bo2", "-900"),
                         ("#f-amount_bo3", "-1.300"), ("#f-once", "250"), ("#f-staff", "-1,5")):
        page.fill(field, value)
    page.fill("#f-cs", "Ingen ændring i serviceniveauet.")
    page.click("form[action$='/forslag/" + pid + "'] button[type=submit]")
    page.wait_for_url("**?ok=gemt")
    assert "-1.300" in page.inner_text("#tabel-beloeb") and "+250" in page.inner_text("#tabel-beloeb")
    # move it into the catalogue
    page.select_option("#s-status", "i_kataloget")
    page.click("form[action$='/status'] button")
    page.wait_for_url("**?ok=status#status")
    assert "I kataloget" in page.inner_text("#historik")
    screenshot(page, "katalog_forslag")
    # a target for the whole catalogue
    page.goto(base)
    page.fill("#maal-1-b", "-2.000")
    page.fill("#maal-1-bo3", "-1.000")
    page.click("#maal-1 button")
    page.wait_for_url("**?ok=maal#maal")
    rows = page.inner_text("#tabel-summer")
    assert "-2.000" in rows and "+2.000" in rows  # B: the proposal's 0 against the target -2.000
    assert "-300" in rows  # BO3: -1.300 against -1.000, reached by 300
    # two scenarios: A with the proposal, B without
    page.fill("#sc-navn", "Scenarie A: uden serviceforringelser")
    page.click("form[action$='/scenarie'] button")
    page.wait_for_url(re.compile(r".*/scenarie/\d+\?ok=scenarie"))
    FLOW["scenario"] = page.url.split(base_url, 1)[1].split("?", 1)[0]
    page.check(f"#m-{pid}")
    page.click("form[action$='" + FLOW["scenario"] + "'] button:has-text('Gem scenariets forslag')")
    page.wait_for_url("**?ok=scenarie")
    assert "-1.300" in page.inner_text("#tabel-summer")
    page.goto(base)
    page.fill("#sc-navn", "Scenarie B: med serviceforringelser")
    page.click("form[action$='/scenarie'] button")
    page.wait_for_url(re.compile(r".*/scenarie/\d+\?ok=scenarie"))
    # compare them side by side
    page.goto(base + "#scenarier")
    page.click("form[action$='/sammenlign'] button")
    page.wait_for_url("**/sammenlign?**")
    FLOW["compare"] = page.url.split(base_url, 1)[1]
    table = page.inner_text("#tabel-sammenligning")
    assert "Scenarie A: uden serviceforringelser" in table and "Scenarie B: med serviceforringelser" in table
    assert "-1.300" in table and "+1.300" in table  # B minus A in BO3
    screenshot(page, "katalog_sammenlign")
    # the committee PDF
    page.goto(base + "#materiale")
    page.select_option("#dok-format", "pdf")
    with page.expect_download() as dl:
        page.click("form[action$='/dokument'] button")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.suffix == ".pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())
    assert "Aarhus Kommune" in text and "Råderumskatalog 2027" in text and " ".join(title.split()) in text
    assert "-1.300" in text and "-2.000" in text
    screenshot(page, "katalog")
    # a read-only link for the politicians
    page.goto(base + "#del")
    page.click("form[action$='/del'] button")
    page.wait_for_url("**?ok=delt#del")
    FLOW["shared"] = page.locator("main a[href^='/katalog/del/']").first.get_attribute("href")


NEW_PAGES = ["/katalog", "catalogue", "proposal", "idebank", "scenario", "compare", "/kommune/751/droeftelsesguide",
             "document", "new", "shared"]


@pytest.mark.parametrize("which", NEW_PAGES)
def test_axe_finds_no_wcag_violations_on_the_new_pages(page: Any, base_url: str, which: str) -> None:
    if not FLOW:
        pytest.fail("the flow test must run first (it creates the catalogue the pages show)")
    path = {"document": FLOW["catalogue"] + "/dokument?format=html",
            "new": FLOW["catalogue"] + "/forslag/ny"}.get(which) or FLOW.get(which) or which
    page.goto(base_url + path)
    assert page.evaluate("document.documentElement.lang") == "da"
    violations = axe_violations(page)
    screenshot(page, "axe_katalog_" + re.sub(r"[^a-z0-9]+", "_", which))
    assert violations == [], violations
