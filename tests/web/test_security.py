"""Web security: headers on every response, links only to http(s), ids out of range are
404, and stored strings of any length never break a page or an API answer."""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import update
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from registry.db import session_scope
from registry.models import Agency, Repository, ReuseEdge
from registry.services import agencies
from tests import factories
from tests.conftest import PG_URL, LiveServer
from web.app import GovcodeApp
from web.security import HEADERS

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src", "action")]


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def assert_only_safe_links(html: str) -> None:
    for href in hrefs(html):
        parts = urlsplit(href)
        if parts.scheme:
            assert parts.scheme in ("http", "https") and parts.netloc, href
        else:  # a path on this site, never protocol-relative
            assert href.startswith(("/", "#", "?")) and not href.startswith("//"), href


@pytest.fixture
def live(settings, engine):
    with LiveServer(settings) as server:
        yield server


def _store_hostile(engine, url: str) -> int:
    rec = factories.record("ahs", "hostile-tool", description="hostile links", homepage=url,
                           fork_url=url)  # fmt: skip
    stored = factories.store(engine, rec, agency="ahs")
    with session_scope(engine) as session:
        agencies.ensure_agency(session, slug="ahs", name="AHS", homepage=url)
        session.exec(  # as a forge's web_url could have said
            update(Repository).where(Repository.id == stored.repository_id).values(html_url=url)
        )
        session.add(  # a reuser outside the registry, known only by a hostile URL
            ReuseEdge(kind="fork", reuser_url=url, reuser_name="evil/copy", target_url="x",
                      target_repository_id=stored.repository_id, evidence="test")
        )  # fmt: skip
    return stored.repository_id


@pytest.mark.parametrize("url", HOSTILE)
def test_stored_urls_that_are_not_http_never_become_links(settings, engine, url: str) -> None:
    repo_id = _store_hostile(engine, url)
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        live.wait_indexed(lambda: "hostile-tool" in client.get("/?q=hostile").text)
        for path in (f"/repositories/{repo_id}", "/agencies/ahs", "/?q=hostile", "/agencies"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert_only_safe_links(page.text)
        shown = client.get(f"/repositories/{repo_id}").text
        assert "View on the forge" not in shown and 'id="fork"' not in shown
        assert "evil/copy" in shown  # the reuser is named, not linked


def test_a_http_url_still_becomes_a_link(settings, engine) -> None:
    rec = factories.record("ahs", "fine-tool", homepage="https://ahs.example/tool")
    repo_id = factories.store(engine, rec, agency="ahs").repository_id
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        page = client.get(f"/repositories/{repo_id}").text
    links = hrefs(page)
    assert "https://ahs.example/tool" in links and rec.fork_url in links
    assert rec.html_url in links


def test_every_response_carries_the_security_headers(live: LiveServer) -> None:
    paths = ["/", "/agencies", "/api/v1/repositories", "/api/v1/openapi.json",
             "/static/style.css", "/repositories/12345", "/api/v1/repositories/12345",
             "/no/such/page", "/healthz"]  # fmt: skip
    with httpx.Client(base_url=live.url, timeout=10) as client:
        for path in paths:
            answer = client.get(path)
            for name, value in HEADERS.items():
                assert answer.headers.get(name) == value, (path, name)
    policy = HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy and HEADERS["X-Content-Type-Options"] == "nosniff"


def test_headers_are_on_a_500_too() -> None:
    async def boom(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    async def ok(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("ok", headers={"Referrer-Policy": "no-referrer"})

    app = GovcodeApp(routes=[Route("/boom", boom), Route("/ok", ok)])

    async def fetch(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get(path)

    failed = asyncio.run(fetch("/boom"))
    assert failed.status_code == 500
    assert failed.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert asyncio.run(fetch("/ok")).headers["referrer-policy"] == "no-referrer"  # kept


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/repositories/99999999999999999999",
        "/api/v1/repositories/9223372036854775808",
        "/api/v1/repositories/2147483648",
        "/api/v1/repositories/0",
        "/api/v1/repositories/" + "9" * 5000,  # int() itself refuses past 4300 digits
        "/repositories/99999999999999999999",
        "/repositories/" + "9" * 5000,
        "/repositories/99999999999999999999/feed.atom",
    ],
)
def test_ids_no_repository_can_have_are_404(live: LiveServer, path: str) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        answer = client.get(path)
    assert answer.status_code == 404
    if path.startswith("/api/"):
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == 404


@pytest.mark.skipif(bool(PG_URL), reason="PostgreSQL enforces VARCHAR(n): no such row exists")
def test_over_long_stored_strings_are_shown_bounded(settings, engine) -> None:
    """Rows as SQLite keeps them when nothing checked them: longer than their columns."""
    rec = factories.record("ahs", "long-tool", description="long strings", topics=["covid"])
    repo_id = factories.store(engine, rec, agency="ahs").repository_id
    with session_scope(engine) as session:
        session.exec(
            update(Repository)
            .where(Repository.id == repo_id)
            .values(
                development_status="under development and very nearly stable " * 3,
                homepage="https://ahs.example/" + "a" * 600,
                licence_label="MIT " * 100,
                description="d" * 5000,
                crawl_error="e" * 5000,
                topics=["t" * 1000] * 300,
            )
        )
        session.exec(update(Agency).where(Agency.slug == "ahs").values(name="N" * 1000))
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        live.wait_indexed(lambda: client.get("/api/v1/repositories").json()["total"] == 1)
        for path in (f"/repositories/{repo_id}", "/?q=long", "/", "/agencies/ahs", "/agencies"):
            assert client.get(path).status_code == 200, path
        listed = client.get("/api/v1/repositories", params={"q": "long"})
        assert listed.status_code == 200 and listed.json()["total"] == 1
        detail = client.get(f"/api/v1/repositories/{repo_id}")
        assert detail.status_code == 200
    body = detail.json()
    assert len(body["development_status"]) == 20 and body["development_status"].endswith("…")
    assert body["homepage"] == ""  # a shortened URL would be another URL: dropped
    assert len(body["description"]) == 2000 and len(body["agency_name"]) == 300
    assert len(body["crawl_error"]) == 2000 and len(body["topics"]) <= 100
    assert max(len(t) for t in body["topics"]) <= 300
