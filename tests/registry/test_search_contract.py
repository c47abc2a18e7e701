"""The search contract, part two: what people expect, on every engine (tantivy and Whoosh)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from registry.search import ENGINE_NAMES, SearchIndex, SearchRequest
from registry.search.sync import rebuild, sync
from registry.services import index_feed, repositories
from tests import factories as f


@pytest.fixture(params=ENGINE_NAMES)
def index(request, settings) -> SearchIndex:
    return SearchIndex(settings.resolved_index_dir, engine=request.param)


@pytest.fixture
def catalogue(engine):
    recent = f.NOW - timedelta(days=10)
    old = f.NOW - timedelta(days=2000)
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-self-assessment",
            description="COVID-19 self assessment tool",
            languages=[("JavaScript", 900, 0.9)],
            maturity_level="stable",
            topics=["covid-19", "Health"],
            last_commit_at=recent,
        ),
        agency="alberta-health-services",
        country="ca",
    )
    f.store(
        engine,
        f.record(
            "ahs",
            "covid-screener",
            description="COVID-19 self assessment tool",
            languages=[("JavaScript", 900, 0.9)],
            maturity_level="stable",
            topics=["covid-19"],
            archived=True,
            last_commit_at=old,
        ),
        agency="alberta-health-services",
        country="ca",
    )
    f.store(
        engine,
        f.record(
            "etalab",
            "outil-sante",
            description="",
            publiccode={
                "descriptions": {
                    "fr": {"short": "Outil d'auto-évaluation des symptômes", "long": ""}
                }
            },
            licence="EUPL-1.2",
            licence_label="EUPL-1.2",
            languages=[("Python", 10, 1.0)],
            forge="gitlab",
            last_commit_at=old,
        ),
        agency="dinum",
        country="fr",
    )
    f.store(
        engine,
        f.record(
            "gds",
            "notify",
            description="Send emails and text messages",
            readme_text="GOV.UK Notify lets teams send self service messages",
            licence="GPL-3.0-only",
            licence_label="GPL-3.0-only",
            is_fork=True,
            last_commit_at=recent,
        ),
        agency="gds",
        country="gb",
    )


def names(index: SearchIndex, engine, **kw) -> list[str]:
    result = index.search(SearchRequest(**kw))
    with Session(engine) as session:
        found = {r.id: r.name for r, _ in repositories.by_ids(session, result.ids)}
    return [found[i] for i in result.ids]


def ids_of(engine) -> dict[str, int]:
    with Session(engine) as session:
        ids = index_feed.all_ids(session)
        return {r.name: r.id for r, _ in repositories.by_ids(session, ids)}


def test_typos_are_corrected_and_said(engine, index, catalogue):
    sync(engine, index)
    result = index.search(SearchRequest(text="covd"))
    assert result.total == 2 and result.corrected == "covid"
    assert index.search(SearchRequest(text="asessment")).corrected == "assessment"
    assert index.search(SearchRequest(text="covid")).corrected is None  # a known word stays
    assert index.search(SearchRequest(text="zzzzqqq")).total == 0


def test_did_you_mean_when_the_correction_finds_nothing_under_the_filters(engine, index, catalogue):
    sync(engine, index)
    result = index.search(SearchRequest(text="covd", filters={"country": ["gb"]}))
    assert result.total == 0 and result.did_you_mean == "covid"


def test_field_syntax_is_a_filter_and_ignores_case(engine, index, catalogue):
    sync(engine, index)
    assert names(index, engine, text="licence:eupl-1.2") == ["outil-sante"]
    assert set(names(index, engine, text="covid language:javascript")) == {
        "covid-self-assessment",
        "covid-screener",
    }
    assert names(index, engine, text="agency:gds forge:github") == ["notify"]
    assert names(index, engine, text="topic:health") == ["covid-self-assessment"]


def test_phrases_and_prefixes(engine, index, catalogue):
    sync(engine, index)
    assert names(index, engine, text='"self service"') == ["notify"]
    assert set(names(index, engine, text='"self assessment"')) == {
        "covid-self-assessment",
        "covid-screener",
    }
    assert names(index, engine, text='"service self"') == []
    assert "covid-self-assessment" in names(index, engine, text="self-ass*")
    assert names(index, engine, text="notif*") == ["notify"]


def test_french_is_stemmed_and_accents_folded(engine, index, catalogue):
    sync(engine, index)
    assert names(index, engine, text="auto-évaluation") == ["outil-sante"]
    assert names(index, engine, text="evaluations symptome") == ["outil-sante"]
    assert names(index, engine, text="SYMPTÔMES") == ["outil-sante"]


def test_archived_code_ranks_below_live_code_of_equal_relevance(engine, index, catalogue):
    sync(engine, index)
    # Same description; the archived one was given more stars and still ranks below.
    assert names(index, engine, text="covid self assessment tool")[:2] == [
        "covid-self-assessment",
        "covid-screener",
    ]
    result = index.search(SearchRequest(filters={"archived": ["yes"]}))
    assert result.ids == [ids_of(engine)["covid-screener"]]


def test_new_facets(engine, index, catalogue):
    sync(engine, index)
    facets = index.search(SearchRequest()).facets
    assert dict(facets["licence_class"]) == {
        "permissive": 2,
        "network-copyleft": 1,
        "strong-copyleft": 1,
    }
    assert dict(facets["forge"]) == {"github": 3, "gitlab": 1}
    assert dict(facets["fork"]) == {"no": 3, "yes": 1}
    assert dict(facets["topics"]) == {"covid-19": 2, "health": 1}
    assert dict(facets["archived"]) == {"no": 3, "yes": 1}


def test_active_in_the_last_n_days(engine, index, catalogue):
    sync(engine, index)
    days = (f.NOW.now(f.NOW.tzinfo) - f.NOW).days + 30
    assert set(names(index, engine, active_days=days)) == {"covid-self-assessment", "notify"}


def test_paging_past_the_end_and_deletions(engine, index, catalogue):
    sync(engine, index)
    past = index.search(SearchRequest(page=50, per_page=10))
    assert past.ids == [] and past.total == 4
    gone = ids_of(engine)["notify"]
    index.apply([], deleted=[gone])
    assert gone not in index.search(SearchRequest()).ids
    assert index.count() == 3
    assert names(index, engine, text="notify") == []


def test_rebuild_gives_the_same_answers_and_swaps_aside(engine, index, catalogue):
    sync(engine, index)
    queries = [
        SearchRequest(text="covid"),
        SearchRequest(filters={"licence": ["MIT"]}),
        SearchRequest(sort="updated"),
    ]
    before = [index.search(r) for r in queries]
    old = index.folder
    reader = SearchIndex(index.root.parent, engine=index.engine_name)  # another process's
    assert rebuild(engine, index) == 4
    assert reader.folder == old and reader.count() == 4  # the old one kept serving
    assert reader.refresh() and reader.folder == index.folder
    assert index.folder != old
    after = [index.search(r) for r in queries]
    assert [(r.ids, r.total, r.facets) for r in before] == [
        (r.ids, r.total, r.facets) for r in after
    ]
    assert [r.ids for r in before] == [reader.search(r).ids for r in queries]


def test_similar_repositories_and_suggestions(engine, index, catalogue):
    sync(engine, index)
    ids = ids_of(engine)
    with Session(engine) as session:
        row = index_feed.documents(session, [ids["covid-self-assessment"]])[0]
    similar = index.similar(row)
    assert similar[0] == ids["covid-screener"]
    assert ids["covid-self-assessment"] not in similar
    assert index.similar(row, exclude=[ids["covid-screener"]]) == [] or (
        ids["covid-screener"] not in index.similar(row, exclude=[ids["covid-screener"]])
    )
    assert "covid" in index.suggest("cov")
    assert index.suggest("self ass")[0] == "self assessment"


def test_facet_counts_are_exact_for_few_hits_among_many_values(engine, index):
    for i in range(24):
        words = "rare tool" if i in (3, 17) else "common tool"
        f.store(engine, f.record(f"a{i}", f"r{i}", description=words), agency=f"agency-{i:02d}")
    sync(engine, index)
    few = index.search(SearchRequest(text="rare"))
    assert few.total == 2
    assert dict(few.facets["agency"]) == {"agency-03": 1, "agency-17": 1}
    many = index.search(SearchRequest(text="tool", filters={"agency": ["agency-03"]}))
    assert many.total == 1 and len(many.facets["agency"]) == 24


def test_two_writers_on_one_folder_wait_for_each_other(engine, index, catalogue):
    """A crawl task and the web node's follower may write at the same moment."""
    import threading

    other = SearchIndex(index.root.parent, engine=index.engine_name)
    with Session(engine) as session:
        rows = index_feed.documents(session, index_feed.all_ids(session))
    errors: list[BaseException] = []

    def write(ix: SearchIndex) -> None:
        try:
            for _ in range(5):
                ix.apply(rows)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(ix,)) for ix in (index, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    index.refresh()
    assert index.count() == 4


def test_a_facet_top_counts_the_most_frequent_values_and_the_chosen_ones(engine, index):
    """``facet_top``: each facet's most frequent values, ties in name order, exact over an
    index written in many commits (tantivy keeps only a segment's own top values at first),
    plus a chosen value wherever it ranks; ``more_facets`` says which facets have more."""
    counts = {"ag-a": 2, "ag-b": 5, "ag-c": 3, "ag-d": 3, "ag-e": 1, "ag-f": 3, "ag-g": 1}
    for slug, n in counts.items():  # one commit per agency: several segments
        for i in range(n):
            f.store(engine, f.record(slug, f"tool-{i}", description="tool"), agency=slug)
        sync(engine, index)
    every = index.search(SearchRequest(text="tool"))
    assert every.more_facets == ()
    assert every.facets["agency"][:4] == [("ag-b", 5), ("ag-c", 3), ("ag-d", 3), ("ag-f", 3)]
    top = index.search(SearchRequest(text="tool", facet_top=3))
    assert top.facets["agency"] == every.facets["agency"][:3]
    assert top.more_facets == ("agency",)  # the licence facet has one value: nothing more
    assert top.facets["licence"] == every.facets["licence"]
    chosen = index.search(SearchRequest(text="tool", facet_top=3, filters={"agency": ["ag-g"]}))
    assert chosen.total == 1
    assert chosen.facets["agency"] == [("ag-b", 5), ("ag-c", 3), ("ag-d", 3), ("ag-g", 1)]
    assert chosen.more_facets == ("agency",)
    full = index.search(SearchRequest(text="tool", facet_top=3, facet_all=("agency",)))
    assert full.facets["agency"] == every.facets["agency"] and full.more_facets == ()
    exact = index.search(SearchRequest(text="tool", facet_top=len(counts)))
    assert exact.facets["agency"] == every.facets["agency"] and exact.more_facets == ()


def test_a_facet_top_stays_exact_when_a_segment_ranks_the_value_low(engine, index):
    """The most frequent value overall is a tie among forty in the first commit's segment,
    where tantivy keeps a few times the asked-for values only: its count still adds up."""
    for i in range(40):
        f.store(engine, f.record(f"a{i:02d}", "tool", description="tool"), agency=f"a{i:02d}")
    f.store(engine, f.record("zz", "tool-0", description="tool"), agency="zz")
    sync(engine, index)
    for i in range(1, 4):
        f.store(engine, f.record("zz", f"tool-{i}", description="tool"), agency="zz")
    sync(engine, index)
    top = index.search(SearchRequest(text="tool", facet_top=1))
    assert top.facets["agency"] == [("zz", 4)]
    assert top.more_facets == ("agency",)


def test_facet_counts_agree_between_engines_for_broad_and_narrow_searches(engine, settings):
    """Both engines give the same totals, counts and facets with more values, for searches
    that match all, most or few repositories, with filters and facet tops, and again after
    deletions."""
    for i in range(30):
        f.store(
            engine,
            f.record(
                f"o{i % 7}",
                f"r{i}",
                description="common tool" + (" rare" if i % 5 == 0 else ""),
                licence=["MIT", "EUPL-1.2", "Apache-2.0"][i % 3],
                topics=[f"t{i % 4}", f"t{i % 6}"],
                languages=[("Python", 10, 0.5), (f"L{i % 3}", 10, 0.5)],
            ),
            agency=f"ag{i % 7}",
        )
    both = [SearchIndex(settings.resolved_index_dir, engine=name) for name in ENGINE_NAMES]
    requests = [
        SearchRequest(text="common"),
        SearchRequest(text="rare"),
        SearchRequest(),
        SearchRequest(text="tool", filters={"licence": ["MIT"], "topics": ["t1"]}),
        SearchRequest(text="tool", filters={"agency": ["ag3"]}, facet_top=2),
        SearchRequest(text="common", facet_top=1, facet_all=("topics",)),
    ]

    def answers():
        out = []
        for index in both:
            sync(engine, index)
            out.append([(r.total, r.facets, r.more_facets) for r in map(index.search, requests)])
        return out

    tantivy_first, whoosh_first = answers()
    assert tantivy_first == whoosh_first
    assert tantivy_first[0][1]["licence"] == [("Apache-2.0", 10), ("EUPL-1.2", 10), ("MIT", 10)]
    for index in both:
        index.apply([], deleted=[ids_of(engine)[f"r{i}"] for i in range(0, 30, 2)])
        index.refresh()
    after = [[(r.total, r.facets, r.more_facets) for r in map(i.search, requests)] for i in both]
    assert after[0] == after[1]
    assert after[0][0][0] == 15 and sum(n for _, n in after[0][0][1]["licence"]) == 15


def test_a_chosen_value_outside_the_top_is_counted_by_its_exact_name(engine, index):
    """A chosen topic named like a pattern ("c++", "a.b") is counted as itself, not as a
    regular expression matching others ("axb")."""
    for i, topics in enumerate([["web"], ["web"], ["web", "axb"], ["c++", "a.b"], ["web"]]):
        f.store(engine, f.record("o", f"tool-{i}", description="tool", topics=topics))
    sync(engine, index)
    found = index.search(
        SearchRequest(text="tool", facet_top=1, filters={"topics": ["c++", "a.b"]})
    )
    assert found.total == 1
    assert found.facets["topics"] == [("web", 4), ("a.b", 1), ("c++", 1)]
