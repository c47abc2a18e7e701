"""Full-text search behind our own interface; tantivy and Whoosh engines behind one contract
(see DESIGN.md search notes and the README's "Search engines")."""

from registry.search.engine import DEFAULT_ENGINE, ENGINE_NAMES
from registry.search.index import SearchIndex
from registry.search.query import FACETS, SearchRequest, SearchResult

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINE_NAMES",
    "FACETS",
    "SearchIndex",
    "SearchRequest",
    "SearchResult",
    "open_index",
]


def open_index(settings) -> SearchIndex:
    """This node's index, with the engine the settings choose."""
    return SearchIndex(settings.resolved_index_dir, engine=settings.search_engine)
