"""The API reference and a saved search's feed link as a person uses them, in Chromium:
the reference reads at 390 px without the page scrolling sideways, its links go where
they say, and the results page's feed link gives the feed."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.conftest import LiveServer
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, pytestmark  # noqa: F401


@pytest.fixture
def live(settings, engine):
    f.store(engine, f.record("ahs", "covid-self-assessment", description="COVID-19 self "
            "assessment"), agency="ahs", country="ca")  # fmt: skip
    with LiveServer(settings) as server:
        server.wait_indexed(lambda: server.app.state.index.count() == 1)
        yield server


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_api_reference_reads_at_any_width(browser, live, width, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(live.url + "/")
    page.get_by_role("link", name="API", exact=True).click()
    page.wait_for_url(live.url + "/api")
    page.get_by_role("heading", name="API reference").wait_for()
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, "the page scrolls sideways"
    page.get_by_role("link", name="GET /api/v1/repositories/{id}", exact=True).click()
    page.wait_for_url("**/api#getRepository")
    page.get_by_role("link", name="RepositoryDetail").first.click()
    page.wait_for_url("**/api#schema-RepositoryDetail")
    assert page.locator("#schema-RepositoryDetail").is_visible()
    page.screenshot(path=str(tmp_path / f"api-{width}.png"))
    assert errors == []


def test_following_a_search_gives_its_feed(browser, live):
    page = browser.new_page()
    page.goto(live.url + "/?q=covid&country=CA")
    link = page.get_by_role("link", name="Follow this search (Atom)")
    assert link.get_attribute("href") == "/feeds/search.atom?q=covid&country=CA"
    with page.expect_response(lambda r: "/feeds/search.atom" in r.url) as answer:
        page.goto(live.url + link.get_attribute("href"))
    assert "ahs/covid-self-assessment" in answer.value.text()
