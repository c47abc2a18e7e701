"""The pages in a real browser (Playwright driving Debian's Chromium), without JavaScript too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,  # scripts/test runs these in a pass of their own
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (scripts/ensure-browser)",
    ),
]
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def live(settings, engine):
    f = factories
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-self-assessment",
            description="COVID-19 self assessment",
            languages=[("JavaScript", 900, 0.9)],
            maturity_level="stable",
        ),
        agency="ahs",
    )
    f.store(engine, f.record("cds", "covid-alert", description="COVID exposure notification",
            licence="Apache-2.0", licence_label="Apache-2.0", languages=[("Go", 10, 1.0)]),
            agency="cds")  # fmt: skip
    with LiveServer(settings) as server:
        yield server


@pytest.mark.parametrize("javascript", [True, False])
def test_search_filter_and_open_a_repository(browser, live, javascript, tmp_path):
    page = browser.new_page(java_script_enabled=javascript)
    page.goto(live.url + "/")
    page.get_by_label("Search repositories").fill("covid")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="2 repositories").is_visible()

    # Tick a facet and apply: the form works with a plain GET, no script needed.
    page.get_by_role("group", name="Licence").get_by_label("MIT").check()
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_role("heading", name="1 repository").is_visible()
    assert "licence=MIT" in page.url and "q=covid" in page.url

    page.get_by_role("link", name="ahs/covid-self-assessment").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ahs/covid-self-assessment"
    fork = page.get_by_role("link", name="Fork to my organisation")
    assert fork.get_attribute("href") == "https://github.example/ahs/covid-self-assessment/fork"
    assert page.get_by_label("Clone it").input_value().startswith("git clone https://")
    page.screenshot(path=str(tmp_path / "repository.png"))
    page.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_switch_to_french_and_back(browser, live, javascript):
    page = browser.new_page(java_script_enabled=javascript, locale="en-GB")
    page.goto(live.url + "/?q=covid")
    assert page.get_by_role("heading", name="2 repositories").is_visible()
    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.url == live.url + "/?q=covid"  # back where it was, without ?lang
    assert page.get_by_role("heading", name="2 dépôts").is_visible()
    page.get_by_role("link", name="ahs/covid-self-assessment").click()  # the choice is kept
    assert page.get_by_role("heading", name="Ce que la licence vous demande").is_visible()
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="What the licence asks of you").is_visible()
    page.close()
