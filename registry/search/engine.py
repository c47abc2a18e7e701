"""What an engine behind ``SearchIndex`` does, and the table of engines (one place)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from registry.search.query import ParsedText

TEXT_BOOSTS = {"name": 3.0, "topics_text": 2.0, "text": 1.0}  # text_<lang> fields share 1.0
SPELL_FIELD = "spell"  # every word, folded, unstemmed: spelling, suggestions, similarity


@dataclass(frozen=True)
class Plan:
    """One query as an engine runs it (built by SearchIndex from a SearchRequest)."""

    text: ParsedText
    any_term: bool = False  # OR the words instead of AND
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    updated_since: int | None = None  # epoch seconds
    exclude_ids: Sequence[int] = ()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    # Of each facet but those in ``facet_all`` (every value): at least its ``facet_top``
    # most frequent values besides its own filter's, and those; None: every value.
    facet_top: int | None = None
    facet_all: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hits:
    ids: list[int]
    total: int
    facets: dict[str, list[tuple[str, int]]]


class Engine(Protocol):
    """One index folder of one engine. Documents are ``document.to_document`` dicts."""

    def __init__(self, folder: Path) -> None: ...
    def apply(self, docs: Sequence[dict], deleted: Sequence[int]) -> int: ...
    def bulk(self, batches: Iterable[Sequence[dict]]) -> int: ...  # into an empty index
    def run(self, plan: Plan) -> Hits: ...
    def count(self) -> int: ...
    def reload(self) -> bool: ...  # True if the index had changed
    def terms(self, prefix: str) -> list[tuple[str, int]]: ...  # SPELL_FIELD terms, with df
    def doc_freq(self, term: str) -> int: ...  # in SPELL_FIELD
    def facet_values(self, name: str) -> list[str]: ...
    def snippets(self, text: ParsedText, texts: Mapping, chars: int) -> dict: ...  # key -> HTML
    def close(self) -> None: ...


def engines() -> dict[str, type[Engine]]:
    """Every engine by name (imported here so a caller never compares bare strings)."""
    from registry.search.tantivy_engine import TantivyEngine
    from registry.search.whoosh_engine import WhooshEngine

    return {"tantivy": TantivyEngine, "whoosh": WhooshEngine}


ENGINE_NAMES = ("tantivy", "whoosh")
DEFAULT_ENGINE = "tantivy"  # measured: README "Search engines"; bench/search.py
