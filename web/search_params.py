"""Read search parameters from a query string (shared by the page and the API)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from registry.errors import InvalidParameter
from registry.search import FACETS, SearchRequest
from registry.search.saved import PARAMS as FILTER_PARAMS

# Query parameter name -> index field: one table, shared with saved searches.
assert set(FILTER_PARAMS.values()) == set(FACETS)
PARAM_OF = {field: name for name, field in FILTER_PARAMS.items()}  # index field -> parameter


SORTS = ("relevance", "stars", "updated")
_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")
CURSOR_MAX = 500  # characters; a next_cursor is far shorter
LIMITS = {
    "page": (1, 1000),
    "per_page": (1, 100),
    "active_days": (1, 36_500),
    "facet_size": (1, 1000),
}
FACET_TOP = 10  # values of each facet a search page (and the API, unless asked) counts


def single(params: QueryParams, name: str) -> str | None:
    """The one value of a parameter that takes one; ``InvalidParameter`` if it is repeated."""
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidParameter(name, f"{name} takes one value, not {len(values)}")
    return values[0] if values else None


def whole_number(params: QueryParams, name: str, default: int | None) -> int | None:
    """The parameter ``name`` as an integer within ``LIMITS[name]``, else ``default``."""
    text = single(params, name)
    if text is None:
        return default
    least, most = LIMITS[name]
    if not _WHOLE.fullmatch(text.strip()):
        raise InvalidParameter(name, f"{name} must be a whole number")
    value = int(text)
    if not least <= value <= most:
        raise InvalidParameter(name, f"{name} must be {least}–{most}")
    return value


def parse(params: QueryParams, *, per_page: int = 20) -> SearchRequest:
    page = whole_number(params, "page", 1)
    size = whole_number(params, "per_page", per_page)
    active = whole_number(params, "active_days", None)
    assert page is not None and size is not None
    sort = single(params, "sort")
    sort = "relevance" if sort is None else sort
    if sort not in SORTS:
        raise InvalidParameter("sort", "sort must be relevance, stars or updated")
    cursor = single(params, "cursor") or None
    if cursor is not None and len(cursor) > CURSOR_MAX:
        raise InvalidParameter(
            "cursor", "cursor is not valid: pass back a next_cursor exactly as given"
        )
    filters = {
        field: [v[:200] for v in params.getlist(name) if v][:50]
        for name, field in FILTER_PARAMS.items()
    }
    filters["country"] = [v.upper() for v in filters["country"]]  # stored upper case
    return SearchRequest(
        text=(single(params, "q") or "")[:500],
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        page=page,
        per_page=size,
        active_days=active,
        cursor=cursor,
    )


def with_facet_window(params: QueryParams, req: SearchRequest) -> SearchRequest:
    """``req`` counting each facet's ``facet_size`` most frequent values (``FACET_TOP``
    unless given), and every value of the one ``more`` names (a filter parameter)."""
    top = whole_number(params, "facet_size", FACET_TOP)
    more = single(params, "more")
    if more and more not in FILTER_PARAMS:
        raise InvalidParameter("more", "more must name a filter: " + ", ".join(FILTER_PARAMS))
    return replace(req, facet_top=top, facet_all=(FILTER_PARAMS[more],) if more else ())


# a feed follows the search, not a page of it
FEED_IGNORES = ("page", "per_page", "more", "facet_size", "cursor")


def feed_url(params: QueryParams) -> str:
    """The Atom feed of a search's query: ``/feeds/search.atom?<its query>``."""
    kept = [(k, v) for k, v in params.multi_items() if k not in FEED_IGNORES and v]
    return "/feeds/search.atom" + ("?" + urlencode(kept) if kept else "")
