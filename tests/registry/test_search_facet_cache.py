"""Facet counts remembered per index generation, on every engine: never stale, never shared."""

from __future__ import annotations

import pytest

from registry.search import ENGINE_NAMES, SearchIndex, SearchRequest
from registry.search.engine import Plan
from registry.search.facet_cache import FacetCache, facet_key
from registry.search.query import ParsedText
from registry.search.sync import rebuild, sync
from tests import factories as f


@pytest.fixture(params=ENGINE_NAMES)
def index(request, settings) -> SearchIndex:
    return SearchIndex(settings.resolved_index_dir, engine=request.param)


def licences(index: SearchIndex, **kw) -> dict[str, int]:
    return dict(index.search(SearchRequest(**kw)).facets["licence"])


def test_counts_are_remembered_across_pages_and_sorts_and_follow_every_change(engine, index):
    for i in range(3):
        f.store(engine, f.record("ahs", f"tool-{i}", description="health tool"), agency="ahs")
    gpl = f.record("gds", "notify", description="health messages", licence="GPL-3.0-only")
    f.store(engine, gpl, agency="gds")
    sync(engine, index)
    browse = {"filters": {"agency": ["ahs"]}}
    assert licences(index, **browse) == {"MIT": 3}
    assert index.remembered_facets == 1
    # the same words and filters on another page, in another order: counted once
    assert licences(index, **browse, page=2, sort="updated") == {"MIT": 3}
    assert index.search(SearchRequest(**browse, page=2)).ids == []
    assert index.remembered_facets == 1
    found = index.search(SearchRequest(text="health"))
    found.facets["licence"].append(("made-up", 1))  # a caller's list is its own
    assert licences(index, text="health") == {"MIT": 3, "GPL-3.0-only": 1}
    assert index.remembered_facets == 2

    f.store(engine, f.record("ahs", "tool-3", description="health tool"), agency="ahs")
    sync(engine, index)  # a commit in this process
    assert licences(index, **browse) == {"MIT": 4}
    reader = SearchIndex(index.root.parent, engine=index.engine_name)  # another process
    assert licences(reader, text="health") == {"MIT": 4, "GPL-3.0-only": 1}
    index.apply([], deleted=[f.store(engine, gpl, agency="gds").repository_id])
    assert licences(index, text="health") == {"MIT": 4}
    assert licences(reader, text="health") == {"MIT": 4, "GPL-3.0-only": 1}  # not yet seen
    assert reader.refresh() and licences(reader, text="health") == {"MIT": 4}
    rebuild(engine, index)  # a fresh generation swapped in: the database still has notify
    assert licences(index, text="health") == {"MIT": 4, "GPL-3.0-only": 1}


def test_no_cache_counts_every_time(settings, engine):
    index = SearchIndex(settings.resolved_index_dir, engine="tantivy", facet_cache=0)
    f.store(engine, f.record("ahs", "tool"), agency="ahs")
    sync(engine, index)
    assert licences(index) == licences(index) == {"MIT": 1}
    assert index.search(SearchRequest(text="nothing-has-this")).total == 0
    assert index.remembered_facets == 0  # not even the empty counts of no result


def plan(*terms: str, **filters: list[str]) -> Plan:
    return Plan(text=ParsedText(tuple(terms)), filters=filters)


def test_the_key_is_the_words_and_filters_not_the_sort_page_or_value_order():
    assert facet_key(plan("a", licence=["MIT", "EUPL-1.2"])) == facet_key(
        Plan(text=ParsedText(("a",)), filters={"licence": ["EUPL-1.2", "MIT"]}, sort="updated",
             offset=40)
    )  # fmt: skip
    assert facet_key(plan("a")) != facet_key(plan("b"))
    assert facet_key(plan("a", licence=["MIT"])) != facet_key(plan("a", agency=["MIT"]))
    assert facet_key(plan("a")) != facet_key(Plan(text=ParsedText(("a",)), any_term=True))


def test_the_cache_is_bounded_by_pairs_and_refuses_counts_older_than_a_change():
    cache = FacetCache(max_pairs=5)
    two = {"licence": [("MIT", 2), ("GPL", 1)]}
    for key in "abc":
        cache.put(key, two, cache.epoch)
    assert len(cache) == 2 and cache.get("a") is None  # the oldest went
    assert cache.get("b") == two
    cache.put("d", two, cache.epoch)  # "c" was used less recently than "b"
    assert cache.get("c") is None and cache.get("b") == two
    cache.put("big", {"agency": [(str(i), 1) for i in range(6)]}, cache.epoch)
    assert cache.get("big") is None  # over the bound alone
    before = cache.epoch
    cache.clear()  # the index changed while a search was counting
    cache.put("e", two, before)
    assert len(cache) == 0 and cache.get("e") is None
