"""Where a result matches the words searched for: the description, or else a window of the
README excerpt, with the matching words' offsets (the page marks them, the API lists them).

Words are compared folded (case and accents) and by their start, so "permit" marks
"permits" and "évaluation" marks "Evaluation"; field syntax (``licence:MIT``), quotes,
prefix stars and operators are not words to mark.
"""

from __future__ import annotations

import re
import unicodedata

from registry.models.repository import SnippetPublic

WORD = re.compile(r"\w+", re.UNICODE)
WINDOW = 160  # characters of README shown around the first match
OPERATORS = frozenset({"and", "or", "not"})


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(query: str) -> list[str]:
    """The words of a query worth marking (no field filters, operators or one-letter words)."""
    words = []
    for token in query.split():
        if ":" in token:  # licence:MIT, language:python
            continue
        for word in WORD.findall(token):
            folded = fold(word)
            if len(folded) > 1 and folded not in OPERATORS:
                words.append(folded)
    return list(dict.fromkeys(words))


def _stem(term: str) -> str:
    return term if len(term) < 5 else term[: max(4, len(term) - 2)]


def _matches(text: str, stems: list[str]) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for m in WORD.finditer(text)
        if any(fold(m.group()).startswith(s) for s in stems)
    ]


def snippet(description: str, excerpt: str, query: str) -> SnippetPublic | None:
    stems = [_stem(t) for t in terms(query)]
    if not stems:
        return None
    found = _matches(description, stems)
    if found:
        return SnippetPublic(field="description", text=description, matches=found)
    found = _matches(excerpt, stems)
    if not found:
        return None
    start = max(0, found[0][0] - WINDOW // 3)
    if start:  # begin at a word
        space = excerpt.find(" ", start)
        start = space + 1 if 0 <= space < found[0][0] else start
    end = min(len(excerpt), start + WINDOW)
    if end < len(excerpt):
        space = excerpt.rfind(" ", found[0][1], end)
        end = space if space > 0 else end
    text = (
        ("…" if start else "")
        + " ".join(excerpt[start:end].split("\n"))
        + ("…" if end < len(excerpt) else "")
    )
    shift = start - (1 if start else 0)
    return SnippetPublic(
        field="readme",
        text=text,
        matches=[(a - shift, b - shift) for a, b in found if a >= start and b <= end],
    )
