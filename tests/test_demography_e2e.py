"""The pages of issue 14 in a real headless Chromium: axe-core (WCAG 2 A and AA) on the cockpit's "Demografisk
pres" and "DEA-reference" in their variants (DEA references as the peer set, a municipality left out of the
frontier, one without reference municipalities), the peers page with DEA references, and no CSP violation (the
pages need no JavaScript of their own)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import axe_violations, launch_browser, screenshot, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("e2e_demo_home")
    yield from start_server({"RAADERUM_HOME": str(home), "RAADERUM_DATABASE_URL": f"sqlite:///{home / 'e2e.sqlite'}"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_browser()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


PAGES = ["/kommune/751/omraade/aeldre?peers=dea", "/kommune/147/omraade/folkeskole?prices=faste",
         "/kommune/741/omraade/dagtilbud", "/kommune/101/omraade/folkeskole", "/kommune/751/omraade/aeldre?year=2016",
         "/kommune/147/sammenligning?peers=dea:folkeskole", "/kommune/751?peers=dea"]


@pytest.mark.parametrize("path", PAGES)
def test_issue14_pages_pass_axe_without_csp_errors(page: Any, base_url: str, path: str) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base_url + path)
    assert page.locator("#demografi, #demografi-header, #dea-peers-note").count() >= 1
    violations = axe_violations(page)
    name = "issue14_" + path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-").replace(":", "-")
    screenshot(page, name)
    assert violations == [], violations
    assert not [e for e in errors if "Content Security Policy" in e], errors
