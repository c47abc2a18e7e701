"""What a search asks and answers, engine-neutral: the request, the result, the user's syntax.

``parse`` reads what a person types: words, "quoted phrases", prefixes (``self-ass*``) and
field syntax (``licence:EUPL-1.2 language:python agency:ahs``), which becomes filters.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from registry.search.text import words

# Facet fields, in the order pages show them.
FACETS = (
    "licence",
    "languages",
    "maturity",
    "agency",
    "country",
    "topics",
    "licence_class",
    "forge",
    "archived",
    "fork",
    "reused",
)
SORTS = ("relevance", "stars", "updated")
# Field syntax name -> facet field.
FIELD_SYNTAX = {
    "licence": "licence",
    "license": "licence",
    "language": "languages",
    "lang": "languages",
    "maturity": "maturity",
    "agency": "agency",
    "country": "country",
    "topic": "topics",
    "forge": "forge",
    "class": "licence_class",
    "archived": "archived",
    "fork": "fork",
    "reused": "reused",
}
_FIELD = re.compile(r"^([a-z_]+):(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    active_days: int | None = None  # only repositories with a commit in the last N days
    exclude_ids: Sequence[int] = ()
    facets: bool = True  # False: skip facet counts (suggestions, similar repositories)
    cursor: str | None = None  # a next_cursor: the page after it (``page`` is then ignored)
    # Each facet's ``facet_top`` most frequent values (and its own chosen ones, wherever
    # they rank), but every value of the facets in ``facet_all``; None: every value.
    facet_top: int | None = None
    facet_all: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    ids: list[int]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    corrected: str | None = None  # "Showing results for …" (typos were corrected)
    did_you_mean: str | None = None  # nothing matched; this would
    next_cursor: str | None = None  # opaque: the page after this one (None on the last)
    more_facets: tuple[str, ...] = ()  # facets with values beyond those counted here


@dataclass(frozen=True)
class ParsedText:
    """A person's query: plain words (folded), phrases and prefixes (word lists), filters."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[tuple[str, ...], ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.prefixes)

    def with_terms(self, terms: Sequence[str]) -> ParsedText:
        return ParsedText(tuple(terms), self.phrases, self.prefixes, self.filters)

    def display(self) -> str:
        parts = list(self.terms)
        parts += ['"' + " ".join(p) + '"' for p in self.phrases]
        parts += ["-".join(p) + "*" for p in self.prefixes]
        return " ".join(parts)


def _tokens(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:  # an unbalanced quote: read the words plainly
        return text.replace('"', " ").split()


def parse(text: str) -> ParsedText:
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    prefixes: list[tuple[str, ...]] = []
    filters: dict[str, list[str]] = {}
    for token in _tokens(text.strip()[:500]):
        m = _FIELD.match(token)
        if m and m.group(1).lower() in FIELD_SYNTAX:
            filters.setdefault(FIELD_SYNTAX[m.group(1).lower()], []).append(m.group(2))
            continue
        if token.endswith("*") and len(token.rstrip("*")) >= 2:
            ws = words(token.rstrip("*"))
            if ws:
                prefixes.append(tuple(ws))
            continue
        ws = words(token)
        if len(ws) > 1 and " " in token:
            phrases.append(tuple(ws))  # it was quoted
        else:
            terms.extend(ws)
    return ParsedText(
        tuple(terms), tuple(phrases), tuple(prefixes), {k: tuple(v) for k, v in filters.items()}
    )


def clean_filters(filters: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Known facet fields with their non-empty values; an empty list means no filter."""
    out = {}
    for name, values in filters.items():
        kept = tuple(v for v in values if v)
        if name in FACETS and kept:
            out[name] = kept
    return out
