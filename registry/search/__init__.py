"""Full-text search behind our own small interface (Whoosh today; see DESIGN.md search notes)."""

from registry.search.index import SearchIndex
from registry.search.query import FACETS, SearchRequest, SearchResult

__all__ = ["FACETS", "SearchIndex", "SearchRequest", "SearchResult"]
