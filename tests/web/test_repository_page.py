"""The repository page tells a reuser what they may do, must do, and should know."""

from __future__ import annotations

import httpx

from tests import factories
from tests.conftest import LiveServer


def test_the_page_says_what_the_licence_asks(settings, engine):
    f = factories
    agpl = f.store(engine, f.record("city", "permits", licence="AGPL-3.0-or-later"))
    bare = f.store(engine, f.record("city", "nolicence", licence=None, licence_status="none",
                                    licence_label="none"))  # fmt: skip
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/repositories/{agpl.repository_id}").text
        missing = httpx.get(f"{live.url}/repositories/{bare.repository_id}").text
    assert "What the licence asks of you" in page
    assert 'data-tag="network-use-disclose"' in page and "You must" in page
    assert "counts as distribution" in page
    assert "No licence was found" in missing and 'role="alert"' in missing
    assert 'class="conditions"' not in missing


def test_the_readme_is_rendered_safely_with_links_to_the_crawled_commit(settings, engine):
    f = factories
    stored = f.store(engine, f.record(
        "ahs", "covid", head_commit="c0ffee", readme_path="README.md", readme_markup="markdown",
        readme_source="# COVID tool\n\n![shot](docs/shot.png)\n\n<script>alert(1)</script>\n",
    ))  # fmt: skip
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/repositories/{stored.repository_id}").text
    readme = page.split('<div class="readme">', 1)[1].split("</div>", 1)[0]
    assert '<h3 id="readme-covid-tool">COVID tool</h3>' in readme
    assert 'src="https://github.example/ahs/covid/raw/c0ffee/docs/shot.png"' in readme
    assert "<script" not in readme and "alert(1)" not in readme
