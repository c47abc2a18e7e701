"""The search contract: every behaviour against every engine (tantivy and Whoosh), over real
indexes fed from the real database."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from registry.models import IndexChange
from registry.search import ENGINE_NAMES, SearchIndex, SearchRequest
from registry.search.sync import rebuild, sync
from tests import factories


@pytest.fixture(params=ENGINE_NAMES)
def index(request, settings) -> SearchIndex:
    return SearchIndex(settings.resolved_index_dir, engine=request.param)


@pytest.fixture
def catalogue(engine):
    f = factories
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-self-assessment",
            description="COVID-19 self assessment",
            languages=[("JavaScript", 900, 0.9), ("CSS", 100, 0.1)],
            maturity_level="stable",
            topics=["covid-19", "health"],
            stars=100,
        ),
        agency="ahs",
        country="ca",
    )
    f.store(
        engine,
        f.record(
            "ahs",
            "clinic-finder",
            description="Find a clinic",
            licence="Apache-2.0",
            licence_label="Apache-2.0",
        ),
        agency="ahs",
        country="ca",
    )
    f.store(
        engine,
        f.record(
            "cds",
            "covid-alert",
            description="COVID exposure notification",
            licence="Apache-2.0",
            licence_label="Apache-2.0",
            languages=[("Go", 10, 1.0)],
            maturity_level="obsolete",
        ),
        agency="cds",
        country="ca",
    )
    f.store(
        engine,
        f.record(
            "gds",
            "notify",
            description="Send emails and text messages",
            readme_text="GOV.UK Notify lets teams send self service messages",
        ),
        agency="gds",
        country="gb",
    )


def names(index: SearchIndex, engine, **kw) -> list[str]:
    from registry.services import repositories

    result = index.search(SearchRequest(**kw))
    with Session(engine) as session:
        found = {r.id: r.name for r, _ in repositories.by_ids(session, result.ids)}
    return [found[i] for i in result.ids]


def test_text_search_and_filters(engine, index, catalogue):
    assert sync(engine, index) == 4
    assert names(index, engine, text="covid self assessment")[0] == "covid-self-assessment"
    assert set(names(index, engine, text="covid")) == {"covid-self-assessment", "covid-alert"}
    assert names(index, engine, text="covid", filters={"licence": ["Apache-2.0"]}) == [
        "covid-alert"
    ]
    assert names(index, engine, text="covid", filters={"languages": ["JavaScript"]}) == [
        "covid-self-assessment"
    ]
    # Or within a field, And across fields.
    both = names(index, engine, filters={"licence": ["MIT", "Apache-2.0"], "country": ["CA"]})
    assert set(both) == {"covid-self-assessment", "clinic-finder", "covid-alert"}
    # README text is searched; stemming matches "messages" with "message".
    assert names(index, engine, text="self service message") == ["notify"]


def test_empty_filter_values_mean_no_filter_not_everything_or_nothing(engine, index, catalogue):
    sync(engine, index)
    assert len(names(index, engine, filters={"licence": []})) == 4
    assert names(index, engine, filters={"licence": ["GPL-3.0-only"]}) == []


def test_facet_counts_ignore_their_own_filter(engine, index, catalogue):
    sync(engine, index)
    result = index.search(SearchRequest(filters={"licence": ["MIT"]}))
    assert result.total == 2
    # The licence facet still shows the other licence, so the user can widen the choice.
    assert dict(result.facets["licence"]) == {"MIT": 2, "Apache-2.0": 2}
    assert dict(result.facets["agency"]) == {"ahs": 1, "gds": 1}
    assert dict(result.facets["country"]) == {"CA": 1, "GB": 1}  # stored upper case


def test_paging_and_sort(engine, index, catalogue):
    sync(engine, index)
    first = index.search(SearchRequest(sort="stars", per_page=3, page=1))
    second = index.search(SearchRequest(sort="stars", per_page=3, page=2))
    assert first.total == second.total == 4
    assert len(first.ids) == 3 and len(second.ids) == 1
    assert not set(first.ids) & set(second.ids)
    assert names(index, engine, sort="stars")[0] == "covid-self-assessment"


def test_sync_follows_changes_and_rebuild_matches(engine, index, catalogue):
    sync(engine, index)
    assert sync(engine, index) == 0  # nothing changed, nothing rewritten
    factories.store(
        engine,
        factories.record(
            "ahs",
            "clinic-finder",
            description="Find a dentist",
            licence="Apache-2.0",
            licence_label="Apache-2.0",
        ),
        agency="ahs",
    )
    assert sync(engine, index) == 1
    assert names(index, engine, text="dentist") == ["clinic-finder"]
    assert rebuild(engine, index) == 4
    assert names(index, engine, text="dentist") == ["clinic-finder"]
    assert index.count() == 4


def test_sync_picks_up_a_change_committed_late(engine, index, catalogue):
    """A change numbered below the high-water mark (a slow transaction) is not lost."""
    sync(engine, index)
    seq = index.state.seq
    with Session(engine) as session:
        session.add(IndexChange(id=seq + 2, repository_id=1))  # seq + 1 still in flight
        session.commit()
        assert sync(engine, index) == 1
        assert set(index.state.gaps) == {seq + 1}
        session.add(IndexChange(id=seq + 1, repository_id=2))  # …and now it commits
        session.commit()
    assert sync(engine, index) == 1
    assert index.state.gaps == {}
    assert index.state.seq == seq + 2
