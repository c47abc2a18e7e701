"""Saved searches: normalised query strings, and which repositories answer them."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from registry.db import session_scope
from registry.errors import BadRequest
from registry.models import Repository
from registry.search.saved import SavedSearch
from registry.services import subscriptions
from tests.factories import record, store


def _doc(**facets: list[str]) -> dict:
    return {"name": "covid-tool ahs/covid-tool", "topics_text": "health",
            "texts": {"en": "COVID-19 self assessment for Alberta"},
            "facets": {"licence": ["MIT"], "languages": ["JavaScript"], **facets}}  # fmt: skip


def test_a_query_string_is_normalised_and_paging_is_dropped():
    saved = SavedSearch.from_query_string("/?page=3&licence=MIT&q=covid&sort=stars&language=Go")
    assert saved.query_string() == "q=covid&language=Go&licence=MIT"
    assert SavedSearch.from_query_string(saved.query_string()) == saved
    for empty in ("", "?page=2", "sort=stars&q=+"):
        with pytest.raises(BadRequest, match="needs some words or a filter"):
            SavedSearch.from_query_string(empty)
    with pytest.raises(BadRequest, match="at most"):
        SavedSearch.from_query_string("q=" + "x" * 2000)


@pytest.mark.parametrize(
    ("query", "answers"),
    [
        ("q=covid", True),
        ("q=assess", True),  # the beginning of a word
        ("q=COVID+Évaluation", False),
        ("q=covid&licence=mit", True),  # filters compare without case
        ("q=covid&licence=GPL-3.0", False),
        ("licence=GPL-3.0&licence=MIT", True),  # any of a filter's values
        ("q=licence:MIT+covid", True),  # field syntax in the text
        ("q=language:python", False),
        ('q="self assessment"', True),
        ("q=as", False),  # two letters are no prefix
        ("topic=health", False),  # no topics facet on this document
    ],
)
def test_which_documents_answer(query, answers):
    assert SavedSearch.from_query_string(query).matches(_doc()) is answers


def test_an_immediate_saved_search_hears_about_the_repositories_it_answers(engine):
    tool = store(engine, record("ahs", "covid-tool", description="COVID self assessment"))
    other = store(engine, record("ahs", "payroll", description="Payroll"))
    with session_scope(engine) as session:
        sub = subscriptions.subscribe(session, channel="email", address="a@ahs.example.org",
                                      search_query="q=covid&licence=MIT")  # fmt: skip
        subscriptions.subscribe(session, channel="email", address="d@ahs.example.org",
                                search_query="q=covid", frequency="daily")  # fmt: skip
        sub_id = sub.id
    with Session(engine) as session:
        agency_id = session.get(Repository, tool.repository_id).agency_id
        heard = subscriptions.for_repository(
            session, repository_id=tool.repository_id, agency_id=agency_id
        )
        assert [s.id for s in heard] == [sub_id]  # the daily one waits for its digest
        assert (
            subscriptions.for_repository(
                session, repository_id=other.repository_id, agency_id=agency_id
            )
            == []
        )
