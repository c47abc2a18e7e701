"""The search contract: highlighted snippets, on every engine (tantivy and Whoosh)."""

from __future__ import annotations

import re

import pytest

from registry.search import ENGINE_NAMES, SearchIndex
from registry.search.sync import sync
from tests import factories as f


@pytest.fixture(params=ENGINE_NAMES)
def index(request, settings) -> SearchIndex:
    return SearchIndex(settings.resolved_index_dir, engine=request.param)


@pytest.fixture
def catalogue(engine, index):
    f.store(
        engine,
        f.record("ahs", "covid-self-assessment", description="COVID-19 self assessment tool"),
        agency="alberta-health-services",
    )
    f.store(
        engine,
        f.record("etalab", "outil", description="Outil d'auto-évaluation des symptômes du patient"),
        agency="dinum",
    )
    sync(engine, index)


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_matched_words_are_marked_with_their_stems_and_accents(index, catalogue):
    got = index.snippets(
        "assessments covid",
        {1: "COVID-19 self assessment tool", 2: "Nothing about that here"},
    )
    assert set(got) == {1}  # a text without a matched word has no snippet
    assert [m.lower() for m in marks(got[1])] == ["covid", "assessment"]
    assert got[1].replace("<mark>", "").replace("</mark>", "") == "COVID-19 self assessment tool"
    french = index.snippets("evaluations symptome", {"fr": "Outil d'auto-évaluation des symptômes"})
    assert marks(french["fr"]) == ["évaluation", "symptômes"]


def test_the_text_is_escaped_never_trusted(index, catalogue):
    evil = 'covid <script>alert("x")</script> & <mark>assessment</mark> <img src=x onerror=1>'
    html = index.snippets("covid assessment", {7: evil})[7]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert re.sub(r"</?mark>", "", html).count("<") == 0  # the only tags are our <mark>s
    assert [m.lower() for m in marks(html)][:1] == ["covid"]


def test_a_long_text_gives_a_bounded_fragment_around_the_match(index, catalogue):
    long = "lorem ipsum " * 200 + "a covid self assessment tool " + "dolor sit " * 200
    html = index.snippets("assessment", {1: long}, chars=120)[1]
    assert marks(html) == ["assessment"]
    assert len(re.sub(r"</?mark>", "", html)) <= 160
    assert html.startswith("…") and html.endswith("…")


def test_no_words_no_snippets(index, catalogue):
    assert index.snippets("", {1: "COVID-19 self assessment tool"}) == {}
    assert index.snippets("licence:MIT", {1: "COVID-19 self assessment tool"}) == {}
    assert index.snippets("zzzqqq", {1: "COVID-19 self assessment tool"}) == {}
