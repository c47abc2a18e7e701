"""Text + filters + facet counts + sort + page, over one Whoosh searcher."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup
from whoosh.searching import Searcher

FACETS = ("licence", "languages", "maturity", "agency", "country")
TEXT_FIELDS = ["name", "full_name", "description", "topics", "readme"]
SORTS = {"relevance", "stars", "updated"}


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int


def _text_query(searcher: Searcher, text: str, group) -> wq.Query:
    parser = MultifieldParser(TEXT_FIELDS, searcher.schema, group=group)
    return parser.parse(text)


def _filter_query(filters: Mapping[str, Sequence[str]], skip: str | None = None) -> wq.Query | None:
    """And across fields, Or within one; an empty value list means that field is unfiltered.

    Whoosh treats an empty filter set as *no filter*, so we never hand it one: callers get
    ``None`` for "no filter" and a ``NullQuery``-free And otherwise.
    """
    parts = []
    for name, values in filters.items():
        if name == skip or name not in FACETS:
            continue
        values = [v for v in values if v]
        if values:
            parts.append(wq.Or([wq.Term(name, v) for v in values]))
    if not parts:
        return None
    return wq.And(parts)


def run(searcher: Searcher, request: SearchRequest) -> SearchResult:
    text = request.text.strip()
    if text:
        q = _text_query(searcher, text, AndGroup)
        if searcher.search(q, limit=1).is_empty():  # nothing has every word: rank by any word
            q = _text_query(searcher, text, OrGroup.factory(0.9))
    else:
        q = wq.Every()
    flt = _filter_query(request.filters)
    full = wq.And([q, flt]) if flt is not None else q
    page = max(1, request.page)
    per_page = max(1, min(100, request.per_page))
    kwargs: dict = {"limit": page * per_page}
    sort = request.sort if request.sort in SORTS else "relevance"
    if sort != "relevance" or not text:
        kwargs.update(
            sortedby="stars" if sort in ("relevance", "stars") else "updated", reverse=True
        )
    hits = searcher.search(full, **kwargs)
    total = len(hits)
    start = (page - 1) * per_page
    ids = [int(hit["id"]) for hit in hits[start : start + per_page]]
    facets = {name: _facet_counts(searcher, q, request.filters, name) for name in FACETS}
    return SearchResult(ids=ids, total=total, facets=facets, page=page, per_page=per_page)


def _facet_counts(
    searcher: Searcher, q: wq.Query, filters: Mapping[str, Sequence[str]], name: str
) -> list[tuple[str, int]]:
    """Counts per value of ``name`` under every *other* filter (so a chosen value keeps its
    siblings visible), from posting lists rather than ``groupedby`` (which scores all hits)."""
    flt = _filter_query(filters, skip=name)
    base = wq.And([q, flt]) if flt is not None else q
    matching = set(base.docs(searcher))
    if not matching:
        return []
    counts = []
    for raw in searcher.lexicon(name):
        value = raw.decode() if isinstance(raw, bytes) else str(raw)
        docs = set(searcher.postings(name, raw).all_ids())
        n = len(docs & matching)
        if n:
            counts.append((value, n))
    counts.sort(key=lambda kv: (-kv[1], kv[0]))
    return counts
