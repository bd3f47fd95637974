"""End-to-end in a real headless Chromium (Debian's, driven by Playwright): the main flow, downloads and an
axe-core accessibility check (WCAG 2 A and AA) on every main page. Screenshots go to test-artefacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from e2e_support import axe_violations, launch_browser, screenshot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("e2e_home")
    yield from start_server({"RAADERUM_HOME": str(home), "RAADERUM_DATABASE_URL": f"sqlite:///{home / 'e2e.sqlite'}"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(accept_downloads=True, locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_main_flow_from_choice_to_committee_pack(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/")
    page.fill("#kommune-felt", "Høje Taastrup")
    page.click("form[action='/kommune'] button")
    page.wait_for_url("**/kommune/169")
    assert "Råderumsoverblik for Høje-Taastrup" in page.inner_text("h1")
    before = page.inner_text("#total")
    screenshot(page, "overblik")
    # change the reference: htmx swaps the results in place (no full reload)
    page.evaluate("document.body.dataset.marker = 'same-page'")
    page.select_option("#ctl-ref", "cheapest_peer")
    page.wait_for_function("(b) => document.querySelector('#total').innerText !== b", arg=before)
    assert page.evaluate("document.body.dataset.marker") == "same-page"
    assert "reference=cheapest_peer" in page.url
    assert "billigste sammenligningskommune" in page.inner_text("#sentence")
    # area page from the ranked table
    page.click("#tabel-omraader tbody tr:first-child a")
    page.wait_for_url("**/omraade/**")
    assert " i Høje-Taastrup Kommune" in page.inner_text("h1")
    screenshot(page, "cockpit")
    # open a proposal (from the cockpit's list, or the idea bank)
    links = page.locator("ol.ideas a")
    if links.count() == 0:
        page.goto(base_url + "/idebank?q=velfærdsteknologi")
        links = page.locator("article.hit h3 a")
    title = links.first.inner_text()
    links.first.click()
    page.wait_for_url("**/idebank/*")
    assert page.inner_text("h1") == title
    screenshot(page, "forslag")
    # committee pack
    page.goto(base_url + "/idebank/udvalgspakke?kommune=H%C3%B8je-Taastrup")
    with page.expect_download() as dl:
        page.click("form.controls button")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Overblik", "Forslag", "Metode og kilder"]
    assert "Høje-Taastrup" in str(wb["Overblik"]["A1"].value)


def test_form_works_without_javascript(browser: Any, base_url: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(base_url + "/kommune/751")
    pg.select_option("#ctl-ref", "national")
    pg.click("form.controls button[type=submit]")
    pg.wait_for_url("**reference=national**")
    assert "landsgennemsnit" in pg.inner_text("#sentence")
    ctx.close()


def test_peer_sliders_recompute_live(page: Any, base_url: str) -> None:
    page.goto(base_url + "/kommune/751/sammenligning")
    first = page.inner_text("#tabel-sammenligningskommuner tbody")
    page.locator("#w-ln_population").fill("0")
    page.locator("#w-ln_density").fill("3")
    page.wait_for_url("**w_ln_density=3**")
    page.wait_for_function("(b) => document.querySelector('#tabel-sammenligningskommuner tbody').innerText !== b",
                           arg=first)
    assert page.inner_text("#o-ln_density") == "3,00"
    screenshot(page, "sammenligningskommuner")


MAIN_PAGES = ["/", "/kommune/751", "/kommune/751/omraade/aeldre", "/kommune/751/sammenligning", "/kommune/751/print",
              "/idebank", "/idebank?q=indkøb", "/idebank/1", "/idebank/udvalgspakke?kommune=Aarhus", "/vidensportal",
              "/vidensportal/hverdagsrehabilitering", "/metode", "/kommune/Atlantis"]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_axe_finds_no_wcag_violations(page: Any, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    assert page.evaluate("document.documentElement.lang") == "da"
    violations = axe_violations(page)
    name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "forside"
    screenshot(page, f"axe_{name}")
    assert violations == [], violations
