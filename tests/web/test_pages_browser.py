"""Every page template in Debian's Chromium, at desktop width and at 390 px, in English and
in French (``Accept-Language: fr``): axe-core (pinned in tests/a11y, from the npm registry)
finds no serious or critical violation. And a person's journey on the demo world: search,
filter by a facet, remove the chip, open the repository, follow the fork button.

Screenshots of every page go to ``$GOVCODE_ARTEFACTS`` (or a pytest temporary folder); the
folder is printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from localforge.github import FakeGitHub
from registry import demo_world
from registry.settings import Settings
from tests.conftest import LiveServer
from tests.web.demo_site import crawl_demo_world
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
LANGUAGES = ("en", "fr")
BLOCKING = ("serious", "critical")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (scripts/ensure-browser)",
    ),
]


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory, request) -> Path:
    folder = Path(os.environ.get("GOVCODE_ARTEFACTS") or tmp_path_factory.mktemp("artefacts"))
    folder = folder / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def say() -> None:  # past the output capture, so a passing run shows it too
        with capture.global_and_fixture_disabled():
            print(f"\nscreenshots and axe results saved in {folder}")

    request.addfinalizer(say)
    return folder


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip(
            "axe-core is not installed: scripts/ensure-browser runs `npm ci` in tests/a11y "
            "(needs npm and the npm registry, or npm's cache)"
        )
    return AXE.read_text()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, _template_db):
    """The demo world crawled once for the module, served on 127.0.0.1."""
    if not isinstance(_template_db, Path):
        pytest.skip("the browser tests run on the SQLite pass")
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(_template_db, root / "govcode.db")
    settings = Settings(
        environment="test",
        var_dir=root / "var",
        database_url=f"sqlite:///{root / 'govcode.db'}",
        index_sync_interval=0.1,
        requests_per_second=0,
    )
    (root / "forge").mkdir()
    with FakeGitHub(root / "forge") as fake:
        served = crawl_demo_world(settings, fake)
        with LiveServer(served) as live:
            yield live, fake


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def _pages(base: str) -> dict[str, str]:
    """One URL per page template, found through the API like a client would."""
    engine_url = f"{base}/api/v1/repositories"
    covid = httpx.get(engine_url, params={"q": "covid self assessment"}).json()["items"]
    original = next(i for i in covid if i["full_name"] == demo_world.COVID)
    pages = {
        "home": "/",
        "results": "/?q=covid&licence=MIT",
        "repository": f"/repositories/{original['id']}",
        "agency": f"/agencies/{demo_world.ALBERTA}",
        "agencies": "/agencies",
        "country": "/countries/CA",
        "countries": "/countries",
        "licence": "/licences/MIT",
        "sign-in": "/account/sign-in",
    }
    if httpx.get(f"{base}/api").status_code == 200:  # the API reference, where it exists
        pages["api-reference"] = "/api"
    return pages


WIDER_THAN = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className)"""


def _axe(page, source: str) -> list[dict]:
    page.evaluate(source)  # through the DevTools protocol: the page's CSP still holds
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def test_every_page_has_no_serious_accessibility_violation(demo, browser, axe_source, artefacts):
    live, _ = demo
    pages = _pages(live.url)
    blocking, report, too_wide = [], {}, []
    for language in LANGUAGES:
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                locale="fr-FR" if language == "fr" else "en-GB",
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            for name, path in pages.items():
                response = page.goto(live.url + path)
                assert response is not None and response.status == 200, (name, path)
                page.wait_for_load_state("load")
                found = _axe(page, axe_source)
                key = f"{name}-{width_name}-{language}"
                report[key] = found
                blocking += [(key, v) for v in found if v["impact"] in BLOCKING]
                page.screenshot(path=str(artefacts / f"{key}.png"), full_page=True)
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    too_wide.append((key, page.evaluate(WIDER_THAN, width)))
            context.close()
    (artefacts / "axe.json").write_text(json.dumps(report, indent=1))
    assert len(report) == len(pages) * len(WIDTHS) * len(LANGUAGES)
    assert blocking == []
    assert too_wide == []  # no page scrolls sideways, even at 390 px


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_person_finds_filters_and_forks_the_covid_tool(demo, browser, artefacts, width_name):
    live, fake = demo
    width, height = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live.url + "/")
    assert page.get_by_role("heading", name="The catalogue in numbers").is_visible()

    page.get_by_label("Search repositories").fill("covid self assessment")
    page.get_by_label("Sort by").select_option("stars")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/?q=*")
    results = page.get_by_role("heading", level=2, name="repositories")
    assert results.first.is_visible()
    if width_name == "phone":
        # the results come before the filters, which stay folded away until asked for
        hits_top = page.locator("ol.hits").bounding_box()
        filters_top = page.locator("aside.filters").bounding_box()
        assert hits_top and filters_top and hits_top["y"] < filters_top["y"]
        assert not page.get_by_role("group", name="Licence", exact=True).is_visible()
        page.get_by_text("Show the filters").click()
    else:  # beside the results, open, with nothing to press
        assert page.get_by_role("group", name="Licence", exact=True).is_visible()
        assert not page.get_by_text("Show the filters").is_visible()
    page.get_by_role("group", name="Licence").get_by_label("MIT").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**licence=MIT*")
    assert "sort=stars" in page.url  # the chosen sort survives applying a filter
    chip = page.get_by_role("link", name="Remove filter Licence: MIT")
    assert chip.is_visible()
    page.screenshot(path=str(artefacts / f"journey-filtered-{width_name}.png"), full_page=True)

    chip.click()
    page.wait_for_url(lambda url: "licence=" not in url)
    assert "sort=stars" in page.url and "q=covid" in page.url
    assert page.get_by_role("link", name="Remove filter Licence: MIT").count() == 0

    page.get_by_role("heading", name=demo_world.COVID, exact=True).get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == demo_world.COVID
    layout = "narrow" if width_name == "phone" else "wide"
    graph = page.locator(f"svg.reuse-graph-{layout}")
    assert graph.is_visible() and page.locator("svg.reuse-graph:visible").count() == 1
    assert "forked this repository" in graph.inner_html()
    box = page.locator(".reuse-graph-box").evaluate(
        "b => ({scroll: b.scrollWidth, client: b.clientWidth,"
        " right: b.getBoundingClientRect().right, viewport: innerWidth})"
    )
    assert box["scroll"] <= box["client"] and box["right"] <= box["viewport"], box
    drawn = graph.bounding_box()  # readable: the picture is not shrunk below its own size
    assert drawn and drawn["width"] >= (340 if layout == "narrow" else 600) * 0.9, drawn
    fork = page.get_by_role("link", name="Fork to my organisation")
    href = fork.get_attribute("href")
    assert href == fake.html_url(demo_world.COVID) + "/fork"
    page.screenshot(path=str(artefacts / f"journey-repository-{width_name}.png"), full_page=True)
    asked = []

    def forge(route) -> None:  # the forge's own fork page is not ours to test
        asked.append(route.request.url)
        route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>Fork</title>"
        )

    page.route(href, forge)
    fork.click()
    page.wait_for_url(href)
    assert asked == [href]
    context.close()
