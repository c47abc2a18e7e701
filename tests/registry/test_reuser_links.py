"""Links to a reuser keep the scheme it was crawled with (http hosts too), in pages and feeds;
migration 0006 fills the link of existing edges and puts every country in one case."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
from sqlmodel import Session, select

from registry import migrate
from registry.db import make_engine
from registry.models import Event, ReuseEdge
from registry.settings import Settings
from tests import factories
from tests.conftest import LiveServer

ATOM = "{http://www.w3.org/2005/Atom}"
HTTP_HOST = "http://git.city.example:8080"


def test_a_fork_on_an_http_host_is_linked_over_http(settings, engine):
    url = f"{HTTP_HOST}/city/permits"
    target = factories.record("city", "permits", html_url=url, clone_url=url + ".git")
    fork = f"{HTTP_HOST}/county/permits"  # not in the registry: only its URL is known
    target.reuse = [factories.fork_claim(fork, target)]
    factories.store(engine, target, agency="city")
    with Session(engine) as session:
        edge = session.exec(select(ReuseEdge)).one()
        event = session.exec(select(Event)).one()
    assert edge.reuser_link == fork and event.payload["reuser_url"] == fork

    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        page = client.get("/repositories/1").text
        feed = ET.fromstring(client.get("/repositories/1/feed.atom").content)
    assert f'href="{fork}"' in page and f'href="https://{fork.removeprefix("http://")}' not in page
    links = [link.get("href") for link in feed.iter(f"{ATOM}entry") for link in link.iter()
             if link.tag == f"{ATOM}link"]  # fmt: skip
    assert links == [fork]


def test_a_reuser_that_joins_the_registry_is_linked_by_its_own_url(engine):
    target = factories.record("city", "permits")
    fork_url = f"{HTTP_HOST}/county/permits"
    target.reuse = [factories.fork_claim(fork_url.replace("http://", "https://"), target)]
    factories.store(engine, target, agency="city")
    factories.store(engine, factories.record("county", "permits", html_url=fork_url), agency="c")
    with Session(engine) as session:
        assert session.exec(select(ReuseEdge)).one().reuser_link == fork_url


# A repository row as revision 0002 requires it (every NOT NULL column without a default).
OLD_REPOSITORY = {
    **dict.fromkeys(("forge", "owner", "name", "full_name", "fork_url", "description",
                     "homepage", "default_branch", "licence_status", "licence_label",
                     "maturity_level", "readme_excerpt", "readme_text", "head_commit",
                     "analysis_hash"), "x"),
    **dict.fromkeys(("stars", "forks_count", "archived", "is_fork", "maturity_score"), 0),
    **dict.fromkeys(("topics", "licence_mismatches", "root_commits"), "[]"),
    "publiccode": "{}",
    "first_seen_at": "2026-01-01 00:00:00",
}  # fmt: skip


def test_migration_0006_merges_country_cases_and_fills_reuser_links(tmp_path):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine, "0002")
    now = "'2026-01-01 00:00:00'"
    with engine.begin() as conn:
        for i, country in enumerate(["CA", "ca", "cA", "gb", None, ""], start=1):
            conn.exec_driver_sql(
                "INSERT INTO agency (slug, name, country, names, created_at) "
                f"VALUES ('a{i}', 'A{i}', ?, '{{}}', {now})",
                (country,),
            )
        row = {**OLD_REPOSITORY, "agency_id": 2, "html_url": "http://h:81/o/r",
               "url_key": "h:81/o/r", "clone_url": "http://h:81/o/r.git"}  # fmt: skip
        names = ", ".join(row)
        conn.exec_driver_sql(
            f"INSERT INTO repository ({names}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        for reuser, repo_id in (("h:81/o/r", 1), ("elsewhere.example/x/y", None)):
            conn.exec_driver_sql(
                "INSERT INTO reuseedge (kind, reuser_url, reuser_name, reuser_repository_id,"
                f" target_url, evidence, created_at) VALUES ('fork', ?, 'x', ?, 't/t', '', {now})",
                (reuser, repo_id),
            )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        countries = [r[0] for r in conn.exec_driver_sql("SELECT country FROM agency ORDER BY id")]
        links = [
            r[0] for r in conn.exec_driver_sql("SELECT reuser_link FROM reuseedge ORDER BY id")
        ]
        changes = conn.exec_driver_sql("SELECT repository_id FROM indexchange").all()
    assert countries == ["CA", "CA", "CA", "GB", None, None]
    assert links == ["http://h:81/o/r", "https://elsewhere.example/x/y"]
    assert changes == [(1,)]  # the repository of the agency whose country changed: re-index
    migrate.downgrade(engine, "0002")
    migrate.upgrade(engine)
    engine.dispose()
