"""The reuse graph derived at store time: dependencies, shared history, copied files."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session, select

from registry.models import Event, Repository, ReuseEdge
from registry.services import reuse_graph
from registry.services.records import ReuseClaim, normalise_url
from tests.conftest import LiveServer
from tests.factories import fork_claim, record, store

PACKAGE = "@ahs/covid-check"
ROOT = "3f786850e387550fdab836ed7e6dc881de23001b"


def _edges(engine, kind: str) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(ReuseEdge).where(ReuseEdge.kind == kind)).all()
        return sorted((e.reuser_url, e.target_url, e.evidence) for e in rows)


def _events(engine) -> list[dict]:
    with Session(engine) as session:
        return [e.payload for e in session.exec(select(Event))]


def _key(rec) -> str:
    return normalise_url(rec.html_url)


@pytest.mark.parametrize("publisher_first", [True, False])
def test_a_dependency_on_a_published_package_links_them_once(engine, publisher_first):
    publisher = record("ahs", "covid-check", packages=[("npm", PACKAGE, "published", "1.2.0")])
    dependent = record(
        "ontario",
        "screening",
        packages=[("npm", "left-pad", "dependency", "^1"), ("npm", PACKAGE, "dependency", "^1.2")],
    )
    order = [(publisher, "ahs"), (dependent, "ontario")]
    for rec, agency in order if publisher_first else order[::-1]:
        store(engine, rec, agency=agency)
    # A re-crawl with new findings derives the same edge again: still one edge, one event.
    dependent.description = "changed"
    store(engine, dependent, agency="ontario")
    assert _edges(engine, "dependency") == [
        (_key(dependent), _key(publisher), f"depends on the npm package {PACKAGE} ^1.2")
    ]
    [event] = _events(engine)
    assert event["kind"] == "dependency" and event["repository_name"] == "ahs/covid-check"
    assert event["summary"] == "Ontario depends on this repository"


def test_a_fork_republishing_the_package_is_not_what_dependents_reuse(engine):
    publisher = record("ahs", "covid-check", packages=[("npm", PACKAGE, "published", "1.0.0")])
    fork = record("bc", "covid-check", is_fork=True, parent_url=publisher.html_url,
                  packages=[("npm", PACKAGE, "published", "1.0.0")])  # fmt: skip
    dependent = record("ontario", "screening", packages=[("npm", PACKAGE, "dependency", None)])
    for rec in (publisher, dependent, fork):
        store(engine, rec, agency=rec.owner)
    assert [(r, t) for r, t, _ in _edges(engine, "dependency")] == [
        (_key(dependent), _key(publisher))
    ]


def test_package_names_compare_as_their_registries_compare_them():
    assert reuse_graph.normalise_package("PyPI", "Zope.Interface") == ("pypi", "zope-interface")
    assert reuse_graph.normalise_package("npm", "@AHS/Tool") == ("npm", "@ahs/tool")
    assert reuse_graph.normalise_package("cargo", "Serde-JSON") == ("cargo", "serde_json")
    assert reuse_graph.normalise_package("maven", "org.Gov:Tool") == ("maven", "org.Gov:Tool")


def _cross_host_pair(**extra):
    older = record("ahs", "tool", root_commits=[ROOT, "a" * 40],
                   forge_created_at=datetime(2020, 3, 1, tzinfo=UTC))  # fmt: skip
    newer = record("ontario", "tool", forge="gitlab",
                   html_url="https://gitlab.example/ontario/tool", root_commits=[ROOT],
                   forge_created_at=datetime(2022, 5, 1, tzinfo=UTC), **extra)  # fmt: skip
    return older, newer


@pytest.mark.parametrize("newer_first", [True, False])
def test_a_shared_root_commit_across_hosts_makes_the_younger_the_reuser(engine, newer_first):
    older, newer = _cross_host_pair()
    for rec in (newer, older) if newer_first else (older, newer):
        store(engine, rec, agency=rec.owner)
    assert _edges(engine, "shared_history") == [
        (
            _key(newer),
            _key(older),
            f"shares the root commit {ROOT[:12]} (git history carried"
            " over); ahs/tool was created on its forge first",
        )
    ]
    assert [e["kind"] for e in _events(engine)] == ["shared_history"]


def test_forks_are_not_also_reported_as_shared_history(engine):
    older, newer = _cross_host_pair(is_fork=True, parent_url="https://github.example/ahs/tool")
    newer.reuse = [fork_claim(newer, older)]
    store(engine, older, agency="ahs")
    store(engine, newer, agency="ontario")
    older.description = "re-crawled with new findings"
    store(engine, older, agency="ahs")
    assert _edges(engine, "shared_history") == []
    assert [e["kind"] for e in _events(engine)] == ["fork"]


def _prints(prefix: str, n: int) -> list[tuple[str, str]]:
    return [(f"src/{prefix}{i}.py", f"{prefix}-{i:03d}".ljust(64, "0")) for i in range(n)]


@pytest.mark.parametrize(
    ("shared", "size", "copied"),
    [
        (2, 5, False),  # under the file count, though 40% of the smaller one
        (3, 20, False),  # three files, but only 15% of the smaller one
        (3, 10, True),  # three files and 30% of the smaller one
        (5, 20, True),  # five files and 25%
    ],
)
def test_copied_files_over_the_threshold_link_newer_to_older(engine, shared, size, copied):
    common = _prints("common", shared)
    old = record("ahs", "lib", fingerprints=common + _prints("ahs", size - shared),
                 forge_created_at=datetime(2019, 1, 1, tzinfo=UTC))  # fmt: skip
    mine = _prints("ont", size - shared) + common + _prints("x", 30)
    new = record("ontario", "app", fingerprints=mine,
                 forge_created_at=datetime(2023, 1, 1, tzinfo=UTC))  # fmt: skip
    store(engine, new, agency="ontario")
    store(engine, old, agency="ahs")
    edges = [(r, t) for r, t, _ in _edges(engine, "copied")]
    assert edges == ([(_key(new), _key(old))] if copied else [])
    assert len(_events(engine)) == (1 if copied else 0)


def test_the_repository_page_explains_each_kind_with_its_evidence(settings, engine):
    publisher = record("ahs", "covid-check", packages=[("npm", PACKAGE, "published", "1.0.0")])
    publisher_id = store(engine, publisher, agency="ahs").repository_id
    dependent = record("ontario", "screening", packages=[("npm", PACKAGE, "dependency", "^1")])
    dependent_id = store(engine, dependent, agency="ontario").repository_id
    with LiveServer(settings) as live:
        target_html = httpx.get(f"{live.url}/repositories/{publisher_id}").text
        reuser_html = httpx.get(f"{live.url}/repositories/{dependent_id}").text
    assert "depends on a package this repository publishes" in target_html
    assert f"depends on the npm package {PACKAGE} ^1" in target_html
    assert "This repository depends on a package published by" in reuser_html


SPELLINGS = [
    # one repository each, every spelling a crawl list or a forge has been seen to give
    (
        "http://localhost:8080/ahs/tool",
        "http://127.0.0.1:8080/ahs/tool.git",
        "http://LOCALHOST:8080/ahs/Tool/",
        "http://[::1]:8080/ahs/tool",
        "http://localhost.:8080//ahs//tool.git/",
        "http://[0:0:0:0:0:0:0:1]:8080/ahs/tool",
    ),
    (
        "https://github.com/ahs/tool",
        "https://www.GitHub.com:443/ahs/tool.git/",
        "http://github.com:80/ahs/tool",
        "git@github.com:ahs/tool.git",
        "ssh://git@github.com:22/ahs/tool",
        "github.com/ahs/tool",
    ),
    (  # a German town's forge: the name as typed, as the URL policy connects to it, in capitals
        "https://git.straße.example/stadt/antrag",
        "https://git.xn--strae-oqa.example/stadt/antrag.git",
        "https://GIT.STRAẞE.example/stadt/antrag/",
        "https://www.git.straße.example/stadt/antrag",
    ),
]
DIFFERENT = [
    "http://localhost:8081/ahs/tool",  # another port is another server
    "http://127.0.0.2:8080/ahs/tool",  # another loopback address may be another server
    "https://github.com:8443/ahs/tool",  # not the default port
    "https://gitlab.com/ahs/tool",
    "https://github.com/ahs/tool-fork",
    "https://github.com/ahs",
    "https://git.strasse.example/stadt/antrag",  # IDNA 2003's name for straße: another host
]


def test_every_spelling_of_one_repository_has_one_key():
    keys = [{normalise_url(url) for url in group} for group in SPELLINGS]
    assert [len(k) for k in keys] == [1] * len(SPELLINGS)
    every = set().union(*keys) | {normalise_url(u) for u in DIFFERENT}
    assert len(every) == len(SPELLINGS) + len(DIFFERENT)


@pytest.mark.parametrize("second", SPELLINGS[0][1:])
def test_one_repository_crawled_under_two_spellings_is_one_record(engine, second):
    first = record("localhost:8080/ahs", "tool", forge="git", html_url=SPELLINGS[0][0],
                   root_commits=[ROOT])  # fmt: skip
    again = record("127.0.0.1:8080/ahs", "tool", forge="git", html_url=second,
                   root_commits=[ROOT], description="crawled from another list")  # fmt: skip
    one = store(engine, first, agency="ahs").repository_id
    assert store(engine, again, agency="ahs").repository_id == one
    with Session(engine) as session:
        assert len(session.exec(select(Repository)).all()) == 1
        assert session.exec(select(ReuseEdge)).all() == []


@pytest.mark.parametrize("second", SPELLINGS[2][1:])
def test_an_international_host_under_two_spellings_is_one_record(engine, second):
    """A code.json gives the name as people write it; the crawl reaches the A-label the URL
    policy checked. One repository, no shared-history edge with itself."""
    first = record("stadt", "antrag", forge="git", html_url=SPELLINGS[2][0], root_commits=[ROOT])
    again = record("stadt", "antrag", forge="git", html_url=second, root_commits=[ROOT],
                   description="crawled from the town's own list")  # fmt: skip
    one = store(engine, first, agency="stadt").repository_id
    assert store(engine, again, agency="stadt").repository_id == one
    with Session(engine) as session:
        assert len(session.exec(select(Repository)).all()) == 1
        assert session.exec(select(ReuseEdge)).all() == []


def test_new_evidence_settles_an_unknown_direction_in_place(engine):
    """Stored before their histories were read: direction unknown, both ends told. A later
    crawl brings the histories; the same edge now says who reused whom, no one told twice."""
    shared = [(f"{n:040x}", 1_000 + n, "ann") for n in range(5)]
    up = record("ahs", "tool", forge="git", root_commits=[ROOT])
    down = record("ods", "tool", forge="git", html_url="https://code.ontario.example/ods/tool",
                  root_commits=[ROOT])  # fmt: skip
    store(engine, up, agency="ahs")
    store(engine, down, agency="ods")
    [(_, _, before)] = _edges(engine, "shared_history")
    assert "direction unknown" in before and len(_events(engine)) == 2
    up.history = [("f" * 40, 3_000, "ann"), *shared[::-1]]
    down.history = [("e" * 40, 3_000, "carol"), *shared[::-1]]
    up.history_complete = down.history_complete = True
    store(engine, up, agency="ahs")
    store(engine, down, agency="ods")
    with Session(engine) as session:
        [edge] = session.exec(select(ReuseEdge)).all()
    assert (edge.reuser_url, edge.target_url, edge.direction) == (_key(down), _key(up), "known")
    assert "ahs/tool's own commits continue the authors" in edge.evidence
    assert len(_events(engine)) == 2


@pytest.mark.parametrize("upstream_first", [True, False])
def test_a_based_on_naming_the_unicode_host_reaches_the_crawled_a_label(engine, upstream_first):
    """The town's forge is crawled at the A-label the URL policy connects to; a neighbour's
    publiccode.yml names it as people write it. The declaration links to the stored
    upstream, whichever is stored first."""
    upstream = record("stadt", "antrag", forge="git",
                      html_url="https://git.xn--strae-oqa.example/stadt/antrag")  # fmt: skip
    reuser = record("nachbar", "antrag")
    named = "https://git.straße.example/stadt/antrag/"
    reuser.reuse = [
        ReuseClaim("based_on", reuser.html_url, "nachbar/antrag", named, "publiccode.yml")
    ]
    order = [(upstream, "stadt"), (reuser, "nachbar")]
    ids = {rec.owner: store(engine, rec, agency=agency).repository_id
           for rec, agency in (order if upstream_first else order[::-1])}  # fmt: skip
    with Session(engine) as session:
        [edge] = session.exec(select(ReuseEdge).where(ReuseEdge.kind == "based_on")).all()
        assert len(session.exec(select(Repository)).all()) == 2
    assert edge.target_url == "git.xn--strae-oqa.example/stadt/antrag"
    assert (edge.target_repository_id, edge.reuser_repository_id) == (ids["stadt"], ids["nachbar"])
