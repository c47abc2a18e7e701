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


def test_pictures_have_words_and_the_version_can_be_cited(settings, engine):
    f = factories
    head, tree = "a" * 40, "b" * 40
    weeks = [0] * 50 + [3, 1]
    stored = f.store(engine, f.record(
        "ahs", "covid", head_commit=head, head_tree=tree, commit_weeks=weeks,
        languages=[("JavaScript", 900, 0.9), ("CSS", 100, 0.1)],
    ))  # fmt: skip
    sha256 = f.store(engine, f.record("ahs", "new-format", head_commit="c" * 64))
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/repositories/{stored.repository_id}").text
        newer = httpx.get(f"{live.url}/repositories/{sha256.repository_id}").text
    assert (
        '<svg class="language-bar"' in page
        and "<title>Languages: JavaScript 90.0%, CSS 10.0%" in page
    )
    assert 'fill="#f1e05a"' in page  # Linguist's colour for JavaScript
    assert '<svg class="sparkline"' in page
    assert "4 commits in the 52 weeks before the last crawl, in 2 of those weeks" in page
    assert f"swh:1:rev:{head}" in page and f"swh:1:dir:{tree}" in page
    assert (
        f"swh:1:dir:{tree};origin=https://github.example/ahs/covid.git;anchor=swh:1:rev:{head}"
        in page
    )
    assert "swh:1:" not in newer  # SHA-256 histories have no Software Heritage id yet
    assert "style=" not in page.split("<main", 1)[1]  # no inline styles (the CSP forbids them)


def test_the_api_carries_what_these_sections_show(settings, engine):
    f = factories
    stored = f.store(engine, f.record(
        "ahs", "covid", licence="AGPL-3.0-or-later", head_commit="a" * 40, head_tree="b" * 40,
        commit_weeks=[0] * 51 + [2], readme_path="README.md", readme_markup="markdown",
        readme_source="# Tool\n",
    ))  # fmt: skip
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        body = client.get(f"/api/v1/repositories/{stored.repository_id}").json()
        page = client.get(f"/repositories/{stored.repository_id}").text
        spec = client.get("/api/v1/openapi.json").json()
    (option,) = body["licence_duties"]["options"]
    assert "network-use-disclose" in [d["tag"] for d in option["conditions"]]
    assert body["readme"] == {"path": "README.md", "markup": "markdown",
                              "html": '<h3 id="readme-tool">Tool</h3>\n'}  # fmt: skip
    assert body["readme"]["html"] in page
    assert body["software_heritage"]["revision"] == "swh:1:rev:" + "a" * 40
    assert body["software_heritage"]["citation"] in page
    assert body["commit_weeks"][-1] == 2 and len(body["commit_weeks"]) == 52
    assert body["badge_markdown"] in page and body["badge_url"].endswith("/badge/ahs/covid.svg")
    detail = spec["components"]["schemas"]["RepositoryDetail"]["properties"]
    assert {"licence_duties", "readme", "software_heritage", "commit_weeks"} <= set(detail)


def test_the_header_says_where_it_comes_from_who_maintains_it_and_what_else_its_publisher_has(
    settings, engine
):
    f = factories
    source = f.record("ahs", "covid", stars=5)
    f.store(engine, source, agency="ahs")
    f.store(engine, f.record("ahs", "clinics", stars=9), agency="ahs")
    contacts = {
        "version": "0.4",
        "valid": True,
        "contacts": [
            {"name": "Dana <b>Ops</b>", "email": "dana@ontario.example", "affiliation": "ODS"}
        ],
    }
    claim = f.fork_claim("https://github.example/ontario/covid", source)
    fork = f.record("ontario", "covid", reuse=[claim], publiccode=contacts, stars=1)
    fork_id = f.store(engine, fork, agency="ontario").repository_id
    f.store(engine, f.record("ontario", "forms", stars=3), agency="ontario")
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        page = client.get(f"/repositories/{fork_id}").text
        api = client.get(f"/api/v1/repositories/{fork_id}").json()
    origins = page.split('<p class="origins">', 1)[1].split("</p>", 1)[0]
    assert "Forked from" in origins and "ahs/covid" in origins
    assert [(o["kind"], o["name"]) for o in api["origins"]] == [("fork", "ahs/covid")]
    people = page.split('<p class="contacts">', 1)[1].split("</p>", 1)[0]
    assert "Dana &lt;b&gt;Ops&lt;/b&gt; (ODS)" in people and "mailto:dana@ontario.example" in people
    assert api["publiccode"]["contacts"][0]["email"] == "dana@ontario.example"
    more = page.split('<ul class="publisher-repositories">', 1)[1].split("</ul>", 1)[0]
    assert "ontario/forms" in more and "ahs/" not in more and "ontario/covid" not in more
    assert [r["full_name"] for r in api["publisher_repositories"]] == ["ontario/forms"]
