"""The machine-readable resources outside ``/api/v1`` in the OpenAPI document: exports of
the catalogue, Atom feeds, badges and generated publiccode.yml files (one helper a path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web.openapi_parts import (
    REPO_ID,
    SLUG,
    Operation,
    ok,
    operation,
    path_param,
    query,
    whole,
)
from web.search_params import CURSOR_MAX, FACET_TOP, FILTER_PARAMS, SORTS

EXPORT_SCHEMAS: dict[str, Any] = {
    "CodeJson": {
        "type": "object",
        "description": "a code.json 2.0.0 inventory (https://code.gov), streamed",
        "required": ["version", "agency", "measurementType", "releases"],
        "properties": {
            "version": {"const": "2.0.0"},
            "agency": {"type": "string"},
            "measurementType": {"type": "object"},
            "releases": {"type": "array", "items": {"type": "object"}},
        },
    },
    "CsvText": {"type": "string", "description": "CSV with a header row"},
    "JsonLines": {"type": "string", "description": "one JSON object a line"},
    "AtomFeed": {"type": "string", "description": "an Atom 1.0 feed"},
    "PubliccodeYaml": {
        "type": "object",
        "description": "a publiccode.yml file (standard version 0)",
        "required": ["publiccodeYmlVersion", "name", "url", "description", "legal"],
        "properties": {"publiccodeYmlVersion": {"const": "0"}, "url": {"type": "string"}},
    },
    "SvgImage": {"type": "string", "description": "an SVG picture with a text equivalent"},
}
COUNTRY = query("country", "only this country's agencies (ISO 3166-1 alpha-2)",
                {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "CA")  # fmt: skip
AGENCY = query("agency", "only this agency's repositories (its slug)", {"type": "string"}, "ahs")
OWNER = path_param("owner", "the repository's owner on its forge", {"type": "string"}, "ahs")
NAME = path_param("name", "the repository's name", {"type": "string"}, "covid-self-assessment")


def search_parameters() -> list[dict]:
    """The search page's query parameters (the API's search and the saved-search feed)."""
    filters = [
        {
            **query(name, f"filter by {name}; repeat for several values (OR)", {}),
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        }
        for name in FILTER_PARAMS
    ]
    filters[0]["example"] = ["MIT"]
    return [
        query("q", "words to search for; field:value syntax works", {"type": "string"}, "covid"),
        *filters,
        query("sort", "the order of the results", {"enum": list(SORTS)}, "relevance"),
        query("page", "the page to show", whole("page"), 1),
        query("per_page", "results per page", whole("per_page"), 20),
        query(
            "active_days",
            "only repositories with a commit in the last N days",
            whole("active_days"),
            365,
        ),
        query(
            "cursor",
            "a next_cursor from the previous page of the same search (q, filters, sort and "
            "per_page unchanged): the page after its last result, stable while repositories "
            "are added or removed; page is then ignored",
            {"type": "string", "maxLength": CURSOR_MAX},
        ),
    ]


def facet_parameters() -> list[dict]:
    """How many values of each facet the API's search counts (the search page's choice)."""
    return [
        query(
            "facet_size",
            f"each facet's most frequent values to count (default {FACET_TOP}), besides the "
            "values filtered by; more_facets names the facets that have more",
            whole("facet_size"),
            FACET_TOP,
        ),
        query(
            "more",
            "a filter parameter whose facet is counted in full (every value)",
            {"enum": list(FILTER_PARAMS)},
            "topic",
        ),
    ]


def _export(op_id: str, summary: str, schema: str, media: str, **kw: Any) -> dict[str, Operation]:
    answer = ok(summary, schema, media_type=media)
    return {"get": operation(op_id, summary, {"200": answer}, tag="exports", **kw)}


def _code_json() -> dict[str, Operation]:
    return _export("exportCodeJson", "The whole catalogue as code.json 2.0.0", "CodeJson",
                   "application/json", parameters=[AGENCY, COUNTRY], errors=[400])  # fmt: skip


def _agency_code_json() -> dict[str, Operation]:
    return _export("agencyCodeJson", "One agency's code.json 2.0.0", "CodeJson",
                   "application/json", parameters=[SLUG], errors=[404])  # fmt: skip


def _csv() -> dict[str, Operation]:
    return _export("exportCsv", "The whole catalogue as CSV", "CsvText",
                   "text/csv", parameters=[AGENCY, COUNTRY], errors=[400])  # fmt: skip


def _jsonl() -> dict[str, Operation]:
    return _export("exportJsonLines", "The whole catalogue as JSON Lines", "JsonLines",
                   "application/jsonl", parameters=[AGENCY, COUNTRY], errors=[400])  # fmt: skip


def _new_feed() -> dict[str, Operation]:
    return _export("newRepositoriesFeed", "New repositories (all, an agency's, a country's)",
                   "AtomFeed", "application/atom+xml", parameters=[AGENCY, COUNTRY],
                   errors=[400, 404])  # fmt: skip


def _search_feed() -> dict[str, Operation]:
    return _export("searchFeed", "New repositories matching a search, newest first",
                   "AtomFeed", "application/atom+xml", parameters=search_parameters(),
                   errors=[400],
                   description="Takes the search page's query string; page, per_page and "
                   "cursor are ignored (a feed follows the search). Carries an ETag.")  # fmt: skip


def _reuse_feed() -> dict[str, Operation]:
    return _export("reuseFeed", "Reuse events of one repository", "AtomFeed",
                   "application/atom+xml", parameters=[REPO_ID], errors=[404])  # fmt: skip


def _private_feed() -> dict[str, Operation]:
    token = path_param("token", "the feed's secret token (shown once, when subscribing)",
                       {"type": "string", "minLength": 1}, "f-abc123")  # fmt: skip
    return _export("privateFeed", "An Atom subscription's private feed", "AtomFeed",
                   "application/atom+xml", parameters=[token], errors=[404],
                   description="The unguessable token in its URL is its whole authority; "
                   "not to be cached or indexed.")  # fmt: skip


def _publiccode_yml() -> dict[str, Operation]:
    return _export("generatedPubliccodeYml", "A generated publiccode.yml, to review and commit",
                   "PubliccodeYaml", "application/yaml", parameters=[OWNER, NAME],
                   errors=[404])  # fmt: skip


def _badge() -> dict[str, Operation]:
    return _export("badge", "The repository's badge: listed, maturity, times reused",
                   "SvgImage", "image/svg+xml", parameters=[OWNER, NAME],
                   errors=[404])  # fmt: skip


EXPORT_PATHS: dict[str, Callable[[], dict[str, Operation]]] = {
    "/export/code.json": _code_json,
    "/agencies/{slug}/code.json": _agency_code_json,
    "/export/repositories.csv": _csv,
    "/export/repositories.jsonl": _jsonl,
    "/feeds/new.atom": _new_feed,
    "/feeds/search.atom": _search_feed,
    "/repositories/{id}/feed.atom": _reuse_feed,
    "/feeds/private/{token}.atom": _private_feed,
    "/repositories/{owner}/{name}/publiccode.yml": _publiccode_yml,
    "/badge/{owner}/{name}.svg": _badge,
}
