"""Edges live and end with their evidence: a store confirms what it finds again, ends
what it looked for and no longer found (never deleting it), re-opens what comes back, and
leaves alone what it did not look at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from registry.models import Event, ReuseEdge
from registry.services.records import (
    EXAMINED_CONTENTS,
    EXAMINED_DECLARED,
    EXAMINED_FORKS,
    EXAMINED_PARENT,
    ReuseClaim,
)
from tests.factories import NOW, record, store

ALL = [EXAMINED_FORKS, EXAMINED_PARENT, EXAMINED_DECLARED, EXAMINED_CONTENTS]
DAY = timedelta(days=1)
PACKAGE = "@ahs/covid-check"


def _edge(engine, kind: str) -> ReuseEdge:
    with Session(engine) as session:
        return session.exec(select(ReuseEdge).where(ReuseEdge.kind == kind)).one()


def _based_on(reuser, target) -> ReuseClaim:
    return ReuseClaim("based_on", reuser.html_url, reuser.full_name, target.html_url,
                      "publiccode.yml")  # fmt: skip


def test_an_is_based_on_removed_ends_the_edge_and_putting_it_back_reopens_it(engine):
    source = record("ahs", "tool")
    reuser = record("ontario", "tool", reuse_examined=ALL)
    store(engine, source, agency="ahs")
    reuser.reuse = [_based_on(reuser, source)]
    store(engine, reuser, agency="ontario")
    reuser.reuse = []
    store(engine, reuser, agency="ontario", now=NOW + DAY)
    edge = _edge(engine, "based_on")
    assert edge.ended_at == NOW + DAY and edge.first_seen_at == NOW
    reuser.reuse = [_based_on(reuser, source)]
    store(engine, reuser, agency="ontario", now=NOW + 2 * DAY)
    edge = _edge(engine, "based_on")
    assert edge.ended_at is None and edge.last_confirmed_at == NOW + 2 * DAY
    with Session(engine) as session:
        assert len(session.exec(select(Event)).all()) == 1  # told once


def test_what_a_crawl_did_not_examine_is_left_as_it_was(engine):
    """A sampled tree (no "declared"/"contents") or a forge that lists no forks ends nothing."""
    source = record("ahs", "tool")
    reuser = record("ontario", "tool")
    store(engine, source, agency="ahs")
    reuser.reuse = [_based_on(reuser, source)]
    store(engine, reuser, agency="ontario")
    reuser.reuse = []
    reuser.reuse_examined = [EXAMINED_FORKS, EXAMINED_PARENT]  # the tree was sampled
    store(engine, reuser, agency="ontario", now=NOW + DAY)
    assert _edge(engine, "based_on").ended_at is None


def test_a_dependency_dropped_ends_the_edge(engine):
    publisher = record("ahs", "covid-check", packages=[("npm", PACKAGE, "published", "1.0.0")],
                       reuse_examined=ALL)  # fmt: skip
    dependent = record("ontario", "screening", packages=[("npm", PACKAGE, "dependency", "^1")],
                       reuse_examined=ALL)  # fmt: skip
    store(engine, publisher, agency="ahs")
    store(engine, dependent, agency="ontario")
    assert _edge(engine, "dependency").ended_at is None
    publisher.description = "re-crawled, nothing about the package changed"
    store(engine, publisher, agency="ahs", now=NOW + DAY)  # found again from the other end
    edge = _edge(engine, "dependency")
    assert edge.ended_at is None and edge.last_confirmed_at == NOW + DAY
    dependent.packages = [("npm", "left-pad", "dependency", "^1")]
    store(engine, dependent, agency="ontario", now=NOW + 2 * DAY)
    assert _edge(engine, "dependency").ended_at == NOW + 2 * DAY


def _prints(prefix: str, n: int) -> list[tuple[str, str]]:
    return [(f"src/{prefix}{i}.py", f"{prefix}-{i:03d}".ljust(64, "0")) for i in range(n)]


def test_copied_files_gone_end_the_edge(engine):
    common = _prints("common", 5)
    old = record("ahs", "lib", fingerprints=common + _prints("ahs", 5), reuse_examined=ALL,
                 forge_created_at=datetime(2019, 1, 1, tzinfo=UTC))  # fmt: skip
    new = record("ontario", "app", fingerprints=common + _prints("ont", 5), reuse_examined=ALL,
                 forge_created_at=datetime(2023, 1, 1, tzinfo=UTC))  # fmt: skip
    store(engine, old, agency="ahs")
    store(engine, new, agency="ontario")
    assert _edge(engine, "copied").ended_at is None
    new.fingerprints = _prints("ont", 10)  # rewrote the copied files
    store(engine, new, agency="ontario", now=NOW + DAY)
    edge = _edge(engine, "copied")
    assert edge.ended_at == NOW + DAY and edge.evidence  # kept, with how it was known


def test_an_ended_edge_no_longer_counts_as_reuse(engine, settings):
    from registry.services import reuse

    source = record("ahs", "tool", reuse_examined=ALL)
    fork = record("ontario", "tool")
    store(engine, fork, agency="ontario")
    source.reuse = [ReuseClaim("fork", fork.html_url, fork.full_name, source.html_url, "list")]
    repo_id = store(engine, source, agency="ahs").repository_id
    source.reuse = []
    store(engine, source, agency="ahs", now=NOW + DAY)
    with Session(engine) as session:
        assert reuse.times_reused(session, repo_id) == 0
        assert reuse.reused_by(session, repo_id) == []
        assert [e.kind for e in reuse.reused_by(session, repo_id, ended=True)] == ["fork"]
