"""The home page's ETag: 304 while what it shows is unchanged, one tag per language, a new
one once a repository is added, and a signed-in person's page kept apart from the shared one."""

from __future__ import annotations

import httpx
import pytest

from tests import factories as f
from tests.conftest import LiveServer
from tests.web.accounts_helpers import client, live_app, sign_in, sign_up_and_confirm

FR = {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
PRIVATE = "private, no-cache"  # kept by the person's own browser only


def _count(page: httpx.Response) -> str:
    return page.text.split('data-count="repositories">', 1)[1].split("<", 1)[0]


def _vary(response: httpx.Response) -> set[str]:
    return {v.strip() for v in response.headers.get("vary", "").split(",")}


@pytest.fixture
def live(settings, engine):
    for i in range(3):
        f.store(engine, f.record(f"town-{i:02d}", f"permits-{i:02d}"), agency=f"town-{i:02d}")
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as c:
        server.wait_indexed(lambda: c.get("/api/v1/repositories").json()["total"] == 3)
        yield server, c


def test_the_home_page_answers_304_until_what_it_shows_changes(live, engine):
    server, c = live
    first = c.get("/", headers=EN)
    assert first.status_code == 200 and _count(first) == "3"
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    assert {"Accept-Language", "Cookie"} <= _vary(first)
    again = c.get("/", headers={**EN, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and {"Accept-Language", "Cookie"} <= _vary(again)
    assert c.get("/", headers={**EN, "If-None-Match": f"W/{tag}"}).status_code == 304

    # In French the page is another page: another tag, and the English one does not match.
    fr = c.get("/", headers={**FR, "If-None-Match": tag})
    assert fr.status_code == 200 and 'lang="fr"' in fr.text
    assert fr.headers["etag"] != tag
    assert c.get("/", headers={**FR, "If-None-Match": fr.headers["etag"]}).status_code == 304

    # A repository added (and synced to the index): the counts and the newest list change.
    f.store(engine, f.record("town-09", "permits-new", description="new permits"),
            agency="town-09")  # fmt: skip
    server.wait_indexed(lambda: c.get("/api/v1/repositories").json()["total"] == 4)
    after = c.get("/", headers={**EN, "If-None-Match": tag})
    assert after.status_code == 200 and _count(after) == "4" and "permits-new" in after.text
    assert after.headers["etag"] not in (tag, fr.headers["etag"])
    assert c.get("/", headers={**EN, "If-None-Match": after.headers["etag"]}).status_code == 304


def test_a_signed_in_persons_pages_are_theirs_alone(settings, engine):
    f.store(engine, f.record("ahs", "covid-self-assessment"), agency="ahs")
    with live_app(settings) as (live, mail), client(live) as c:
        shared = {path: c.get(path, headers=EN) for path in ("/", "/?q=covid")}
        for page in shared.values():
            assert "Sign in" in page.text and page.headers["cache-control"].startswith("public")
        sign_up_and_confirm(c, live, mail, "maintainer@gov.example")
        assert sign_in(c, "maintainer@gov.example").status_code == 303
        for path, anonymous in shared.items():
            # the anonymous page's tag never answers for the signed-in page ("Your account")
            mine = c.get(path, headers={**EN, "If-None-Match": anonymous.headers["etag"]})
            assert mine.status_code == 200 and "Your account" in mine.text, path
            assert mine.headers["cache-control"] == PRIVATE
            assert "Cookie" in _vary(mine)
            assert mine.headers["etag"] != anonymous.headers["etag"]
            again = c.get(path, headers={**EN, "If-None-Match": mine.headers["etag"]})
            assert again.status_code == 304 and again.headers["cache-control"] == PRIVATE


def test_a_deploy_that_changes_what_pages_are_drawn_with_changes_every_tag(tmp_path, monkeypatch):
    from web import caching

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "home.html").write_text("<h1>{{ title }}</h1>")
    before = caching.build((templates,))
    assert caching.build((templates,)) == before  # the same files: the same build
    (templates / "home.html").write_text("<h1 class=big>{{ title }}</h1>")
    assert caching.build((templates,)) != before

    tag = caching._tag("generation-7", "en", "", "/?")
    monkeypatch.setattr(caching, "BUILD", "another-build")
    assert caching._tag("generation-7", "en", "", "/?") != tag
