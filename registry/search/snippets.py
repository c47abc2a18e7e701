"""Highlighted snippets, engine-neutral: an engine finds the matched words of a text (tantivy's
``SnippetGenerator``, Whoosh's highlighter); this module turns a fragment and its matched
ranges into HTML. The text is never trusted: every character of it is escaped, and the only
markup in a snippet is the ``<mark>`` around each matched word (and an ellipsis where the
fragment starts or ends inside the text)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

ELLIPSIS = "…"
SNIPPET_CHARS = 240  # characters of text around the matched words


def marked(
    fragment: str, ranges: Iterable[tuple[int, int]], *, cut_before=False, cut_after=False
) -> str | None:
    """``fragment`` as escaped HTML with ``<mark>`` around each ``(start, end)`` character
    range; None when nothing in it matched (the caller shows the plain text)."""
    out: list[str] = [ELLIPSIS] if cut_before else []
    at = 0
    for start, end in sorted(set(ranges)):
        start, end = max(start, at), min(end, len(fragment))
        if end <= start:
            continue
        out.append(escape(fragment[at:start]))
        out.append("<mark>" + escape(fragment[start:end]) + "</mark>")
        at = end
    if at == 0:
        return None
    out.append(escape(fragment[at:]))
    if cut_after:
        out.append(ELLIPSIS)
    return "".join(out)


def around(text: str, start: int, end: int, ranges: Iterable[tuple[int, int]]) -> str | None:
    """``marked`` for the fragment ``text[start:end]`` (``ranges`` are offsets into
    ``text``), widened to the text's edge where only spaces and punctuation lie beyond it,
    and an ellipsis on a side where words were left out."""
    if not any(c.isalnum() for c in text[:start]):
        start = 0
    if not any(c.isalnum() for c in text[end:]):
        end = len(text)
    shifted = [(a - start, b - start) for a, b in ranges]
    return marked(text[start:end], shifted, cut_before=start > 0, cut_after=end < len(text))


def char_ranges(text: str, byte_ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """UTF-8 byte offsets (what tantivy reports) as character offsets into ``text``."""
    data = text.encode()
    return [(len(data[:s].decode(errors="ignore")), len(data[:e].decode(errors="ignore")))
            for s, e in byte_ranges]  # fmt: skip
