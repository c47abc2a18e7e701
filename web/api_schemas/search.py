"""The answers of the catalogue's reads: a search page and its facets, lists,
suggestions, agency counts, a generated publiccode.yml and the OpenAPI document itself."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from registry.models import RepositoryPublic
from registry.models.repository import RepositoryHit


class FacetCount(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "MIT", "count": 12}]})

    value: str
    count: int


class RepositoryPage(BaseModel):
    """A page of search results with facet counts (each ignoring its own filter)."""

    total: int
    page: int
    per_page: int
    corrected: str | None  # "Showing results for …": typos were corrected
    did_you_mean: str | None  # nothing matched; this would
    # opaque: pass it as ``cursor`` for the page after this one; null on the last page
    next_cursor: str | None
    items: list[RepositoryHit]  # each with where the words searched for matched
    # each facet's most frequent values (facet_size of them, or all for ``more``) and the
    # values filtered by
    facets: dict[str, list[FacetCount]]
    more_facets: list[str]  # the facets (their filter parameters) with more values than these
    feed_url: str  # the Atom feed of new repositories matching this search


class RepositoryList(BaseModel):
    items: list[RepositoryPublic]


class Suggestions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"q": "cov", "suggestions": ["covid", "coverage"]}]}
    )

    q: str
    suggestions: list[str]


class AgencySummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "ahs",
                    "name": "Alberta Health Services",
                    "country": "CA",
                    "repositories": 12,
                }
            ]
        }
    )

    slug: str
    name: str
    names: dict[str, str] = {}  # localised names by language
    country: str | None
    repositories: int


class GeneratedPubliccode(BaseModel):
    """A publiccode.yml govcode wrote from what it inferred, for a repository with none."""

    repository_id: int
    url: str  # where the YAML itself is served
    yaml: str
    valid: bool  # by govcode's own publiccode.yml validation (the reference parser's rules)
    problems: list[str]


class OpenAPIDocument(BaseModel):
    """This document."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (
    RepositoryPage,
    RepositoryList,
    Suggestions,
    AgencySummary,
    GeneratedPubliccode,
    OpenAPIDocument,
)
