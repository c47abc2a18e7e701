"""Read search parameters from a query string (shared by the page and the API)."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from registry.errors import BadRequest
from registry.search import FACETS, SearchRequest

# Query parameter name -> index field.
FILTER_PARAMS = {
    "licence": "licence",
    "language": "languages",
    "maturity": "maturity",
    "agency": "agency",
    "country": "country",
    "topic": "topics",
    "licence_class": "licence_class",
    "forge": "forge",
    "archived": "archived",
    "fork": "fork",
    "reused": "reused",
}
assert set(FILTER_PARAMS.values()) == set(FACETS)


def parse(params: QueryParams, *, per_page: int = 20) -> SearchRequest:
    try:
        page = int(params.get("page", "1"))
        size = int(params.get("per_page", str(per_page)))
        active = int(params["active_days"]) if params.get("active_days") else None
    except ValueError as exc:
        raise BadRequest("page, per_page and active_days must be whole numbers") from exc
    if page < 1 or page > 1000 or size < 1 or size > 100:
        raise BadRequest("page must be 1–1000 and per_page 1–100")
    if active is not None and not 1 <= active <= 36_500:
        raise BadRequest("active_days must be 1–36500")
    cursor = params.get("cursor") or None
    if cursor is not None and len(cursor) > 500:
        raise BadRequest("cursor is not valid: pass back a next_cursor exactly as given")
    sort = params.get("sort", "relevance")
    if sort not in ("relevance", "stars", "updated"):
        raise BadRequest("sort must be relevance, stars or updated")
    filters = {
        field: [v[:200] for v in params.getlist(name) if v][:50]
        for name, field in FILTER_PARAMS.items()
    }
    filters["country"] = [v.upper() for v in filters["country"]]  # stored upper case
    return SearchRequest(
        text=params.get("q", "")[:500],
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        page=page,
        per_page=size,
        active_days=active,
        cursor=cursor,
    )
