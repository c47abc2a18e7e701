"""Saved searches: the search page's query string, kept as a subscription, and whether a
repository's search document matches it.

A saved search is stored as the query string the search page shows (``q=covid&licence=MIT``),
normalised: known parameters only, in a fixed order, paging and sorting dropped. Matching
is done on one document at a time, when an event about that repository is dispatched, so it
does not need the index: every filter must hold (any of its values) and every word, phrase
and prefix of the text must appear in the document's text. Words are compared folded
(case and accents); a word also matches a longer word it begins (``assess`` finds
``assessment``), which stands in for the index's stemming.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from registry.errors import BadRequest
from registry.i18n import N_
from registry.search.query import parse
from registry.search.text import fold, words

# Query parameter name -> facet field (the search page's parameters).
PARAMS: dict[str, str] = {
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
MAX_QUERY = 1000
_MIN_PREFIX = 3


@dataclass(frozen=True)
class SavedSearch:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_query_string(cls, query: str) -> SavedSearch:
        """Read a query string (with or without its leading ``?`` or the page's path);
        ``BadRequest`` when it asks for nothing (no words and no filters) or is too long."""
        query = query.strip()
        if "?" in query:
            query = query.split("?", 1)[1]
        if len(query) > MAX_QUERY:
            raise BadRequest(N_("a saved search is at most %(limit)s characters"), limit=MAX_QUERY)
        text, filters = "", {}
        for name, value in parse_qsl(query, keep_blank_values=False):
            value = value.strip()[:200]
            if name == "q":
                text = value[:500]
            elif name in PARAMS and value:
                filters.setdefault(PARAMS[name], [])
                if value not in filters[PARAMS[name]]:
                    filters[PARAMS[name]].append(value)
        search = cls(text=text, filters={k: tuple(v) for k, v in filters.items()})
        if not search.text.strip() and not search.filters:
            raise BadRequest(
                N_("a saved search needs some words or a filter: search first, then save")
            )
        return search

    def query_string(self) -> str:
        """The normalised query string stored and linked to (the search page ``/?…``)."""
        by_field = {f: p for p, f in PARAMS.items()}
        pairs = [("q", self.text)] if self.text else []
        for name in sorted(self.filters):
            pairs += [(by_field[name], v) for v in self.filters[name]]
        return urlencode(pairs)

    def describe(self) -> str:
        parts = [f"“{self.text}”"] if self.text else []
        by_field = {f: p for p, f in PARAMS.items()}
        parts += [f"{by_field[k]}: {', '.join(v)}" for k, v in sorted(self.filters.items())]
        return "; ".join(parts)

    def matches(self, document: Mapping) -> bool:
        """Whether a ``registry.search.document.to_document`` document answers this search."""
        parsed = parse(self.text)
        facets = document.get("facets") or {}
        wanted = {**{k: tuple(v) for k, v in parsed.filters.items()}, **self.filters}
        for name, values in wanted.items():
            have = {fold(str(v)) for v in facets.get(name, ())}
            if not any(fold(v) in have for v in values):
                return False
        text_words = _document_words(document)
        return (
            all(_has(text_words, term) for term in parsed.terms)
            and all(all(_has(text_words, w) for w in phrase) for phrase in parsed.phrases)
            and all(all(_has(text_words, w) for w in prefix) for prefix in parsed.prefixes)
        )


def _document_words(document: Mapping) -> set[str]:
    texts: Sequence[str] = [
        str(document.get("name") or ""),
        str(document.get("topics_text") or ""),
        *[str(t) for t in (document.get("texts") or {}).values()],
    ]
    return {w for t in texts for w in words(t)}


def _has(text_words: set[str], term: str) -> bool:
    if term in text_words:
        return True
    if len(term) < _MIN_PREFIX:
        return False
    return any(w.startswith(term) for w in text_words)
