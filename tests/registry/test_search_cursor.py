"""The search contract: cursor pagination, on every engine (tantivy and Whoosh)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from registry.errors import BadRequest
from registry.search import ENGINE_NAMES, SearchIndex, SearchRequest
from registry.search.sync import sync
from registry.services import index_feed, repositories
from tests import factories as f


@pytest.fixture(params=ENGINE_NAMES)
def index(request, settings) -> SearchIndex:
    return SearchIndex(settings.resolved_index_dir, engine=request.param)


def add(engine, i: int, *, stars: int, days: int) -> None:
    f.store(
        engine,
        f.record(
            "ag",
            f"r{i:02d}",
            description=f"tool w{i:02d}",  # the same length: inserts move no one's score
            stars=stars,
            last_commit_at=f.NOW - timedelta(days=days),
        ),
        agency="ag",
    )


@pytest.fixture
def catalogue(engine, index):
    for i in range(9):
        add(engine, i, stars=(i * 7) % 5, days=10 + (i * 5) % 9)  # ties in stars
    sync(engine, index)


def walk(index: SearchIndex, on_page=None, **kw) -> list[int]:
    request = SearchRequest(text="tool", per_page=2, **kw)
    seen: list[int] = []
    for n in range(50):
        result = index.search(request)
        seen += result.ids
        if on_page:
            on_page(n)
        if result.next_cursor is None:
            return seen
        request = SearchRequest(text="tool", per_page=2, cursor=result.next_cursor, **kw)
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize("sort", ["relevance", "stars", "updated"])
def test_a_cursor_walk_sees_every_result_once_whatever_is_inserted(engine, index, catalogue, sort):
    before = index.search(SearchRequest(text="tool", per_page=100, sort=sort)).ids
    assert walk(index, sort=sort) == before  # the same order as one long page

    def insert(n: int) -> None:  # ahead of the cursor: more stars, more recent, as relevant
        add(engine, 20 + n, stars=100 + n, days=n)
        sync(engine, index)

    seen = walk(index, on_page=insert, sort=sort)
    old = [i for i in seen if i in before]
    assert len(seen) == len(set(seen))  # nothing twice
    assert old == before  # nothing missed, in the same order


def test_a_cursor_walk_survives_deletions_ahead_and_of_the_last_result(engine, index, catalogue):
    before = index.search(SearchRequest(text="tool", per_page=100, sort="updated")).ids
    first = index.search(SearchRequest(text="tool", per_page=3, sort="updated"))
    index.apply([], deleted=[before[0]])  # ahead of the cursor
    after = index.search(
        SearchRequest(text="tool", per_page=3, sort="updated", cursor=first.next_cursor)
    )
    assert after.ids == before[3:6] and after.total == 8
    index.apply([], deleted=[before[5]])  # the cursor's own last result
    last = index.search(
        SearchRequest(text="tool", per_page=3, sort="updated", cursor=after.next_cursor)
    )
    assert set(last.ids) <= set(before[6:]) and last.ids  # goes on from where it was


def test_a_cursor_works_with_filters_and_ends(engine, index, catalogue):
    with Session(engine) as session:
        ids = {r.name: r.id for r, _ in repositories.by_ids(session, index_feed.all_ids(session))}
    chosen = {"agency": ["ag"]}
    result = index.search(SearchRequest(text="tool", per_page=4, filters=chosen))
    assert result.next_cursor and result.total == 9
    following = index.search(
        SearchRequest(text="tool", per_page=4, filters=chosen, cursor=result.next_cursor)
    )
    assert not set(following.ids) & set(result.ids) and len(following.ids) == 4
    assert following.facets["agency"] == [("ag", 9)]  # facets and total come along
    whole = index.search(SearchRequest(text="tool", per_page=100))
    assert whole.next_cursor is None and len(whole.ids) == 9 == len(ids)


def test_a_cursor_is_refused_clearly_when_foreign_or_broken(engine, index, catalogue):
    token = index.search(SearchRequest(text="tool", per_page=2)).next_cursor
    with pytest.raises(BadRequest, match="another search"):
        index.search(SearchRequest(text="tool", per_page=2, sort="stars", cursor=token))
    with pytest.raises(BadRequest, match="another search"):
        index.search(SearchRequest(text="w01", per_page=2, cursor=token))
    for broken in ["x", "eyJ2IjoxfQ", token[:-3], "!!!", '{"v":1}']:
        with pytest.raises(BadRequest, match="not valid"):
            index.search(SearchRequest(text="tool", per_page=2, cursor=broken))
