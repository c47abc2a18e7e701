"""What licence one text is: licenseclassifier first, then our explicit rules, then a guess.

A text is *identified* only when the recognised regions (classifier matches, rule hits,
``SPDX-License-Identifier`` tags) leave no uncovered line that changes terms (see
``operative`` in ``data/licence_rules.toml``). Otherwise it is *unknown*, with the closest
licence and a score, so a modified licence is never reported as the one it came from.

Identifying a full GNU text takes tens of milliseconds, and the same texts recur in
thousands of repositories (the Apache and GNU texts are copied verbatim), so results are
kept in a small in-process LRU keyed by the text's SHA-1: the answer depends on the text
alone.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache

from licenseclassifier._engine import builtin_scanner

from registry.analysis.licence_ids import family, normalise_expression
from registry.analysis.licence_rules import (
    Words,
    federal_public_domain,
    has_phrase,
    line_words,
    operative_words,
    rules,
    translation_hits,
)
from registry.analysis.licence_similarity import closest

MAX_TEXT_CHARS = 200_000  # the longest common licence (AGPL-3.0) is ~34,000
CACHE_SIZE = 4096  # distinct licence texts remembered per process (results are small)
_SPDX_TAG = re.compile(r"SPDX-License-Identifier:\s*([^\n*#>]+?)\s*(?:-->|\*/|$)", re.M | re.I)
_URL = re.compile(r"\S+://\S+")
_GNU = ("GPL-", "LGPL-", "AGPL-", "GFDL-")
_MINOR_SHARE = 0.05  # a match this small beside a full text is a mention, not a licence


@dataclass(frozen=True)
class TextResult:
    expression: str | None  # SPDX expression when identified
    closest: str | None
    score: float  # coverage when identified, similarity (or coverage) when not
    detail: str
    open_version: bool = False  # a GNU text alone cannot say "only" or "or later"


@dataclass(frozen=True)
class _Region:
    spdx: str  # normalised SPDX id
    start: int
    end: int
    source: str  # "classifier" | "tag" | a rule's detail


@cache
def _scanner():  # the library's private Scanner type
    """Load the compiled classifier once per process (~0.1 s)."""
    return builtin_scanner()


def looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return "\x00" in sample or controls > len(sample) * 0.05 or sample.count("\ufffd") > 32


def _regions(text: str, words: Words) -> list[_Region]:
    found = []
    for match in _scanner().scan(text).match:
        spdx = normalise_expression(match.id)
        if spdx:
            found.append(_Region(spdx, match.start, match.end, "classifier"))
    for hit in translation_hits(words):
        if hit.complete:
            found.append(_Region(hit.spdx, hit.start, hit.end, hit.detail))
    for tag in _SPDX_TAG.finditer(text):
        spdx = normalise_expression(tag.group(1))
        if spdx:
            found.append(_Region(spdx, tag.start(), tag.end(), "tag"))
    return found


def _line_words(text: str, regions: list[_Region]) -> tuple[int, int]:
    """(words on covered lines, words on uncovered lines that change terms)."""
    table = rules()
    covered = operative = 0
    appendix_left = 0  # words of a GNU "how to apply" appendix still allowed
    pos = 0
    for line in text.splitlines(keepends=True):
        middle = pos + len(line.rstrip()) // 2
        pos += len(line)
        words = line_words(_URL.sub(" ", line) if "://" in line else line)
        if words and has_phrase(" ".join(words), table.appendix_starts):
            appendix_left = table.appendix_words
        if any(r.start <= middle < r.end for r in regions):
            covered += len(words)
        elif appendix_left >= len(words):
            appendix_left -= len(words)
        else:
            operative += operative_words(words)
    return covered, operative


def _expression(regions: list[_Region], text: str) -> tuple[str, bool]:
    """The SPDX expression the regions state, and whether a GNU version stays open."""
    by_family: dict[str, list[_Region]] = {}
    for region in sorted(regions, key=lambda r: r.start):
        by_family.setdefault(family(region.spdx), []).append(region)
    size = {
        name: sum(len(line_words(text[r.start : r.end])) for r in group)
        for name, group in by_family.items()
    }
    total = sum(size.values()) or 1
    kept = [f for f in by_family if size[f] / total >= _MINOR_SHARE or len(by_family) == 1]
    ids, open_version = [], False
    for fam in kept:
        tagged = [r for r in by_family[fam] if r.source == "tag"]
        chosen = tagged[0] if tagged else max(by_family[fam], key=lambda r: r.end - r.start)
        ids.append(chosen.spdx)
        open_version |= not tagged and chosen.spdx.startswith(_GNU)
    joined = " AND ".join(dict.fromkeys(ids))
    return normalise_expression(joined) or joined, open_version


class _Results:
    """A thread-safe LRU of text digest -> ``TextResult``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[bytes, TextResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> TextResult | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: bytes, result: TextResult) -> None:
        with self._lock:
            self._items[key] = result
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_RESULTS = _Results(CACHE_SIZE)


def examine_text(text: str) -> TextResult:
    """Identify one licence text, or say how close it comes to one (remembered by digest)."""
    key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    result = _RESULTS.get(key)
    if result is None:
        result = _examine(text)
        _RESULTS.put(key, result)
    return result


def clear_cache() -> None:
    """Forget remembered results (benchmarks measuring cold identification)."""
    _RESULTS.clear()


def _examine(text: str) -> TextResult:
    if looks_binary(text):
        return TextResult(None, None, 0.0, "not a text file")
    text = text[:MAX_TEXT_CHARS]
    words = Words.of(text)
    if not words.words:
        return TextResult(None, None, 0.0, "empty")
    federal, waiver = federal_public_domain(words)
    if waiver:
        spdx = rules().federal["spdx"]
        return TextResult(spdx, spdx, 1.0, f"US federal public-domain statement + {spdx} waiver")
    regions = _regions(text, words)
    covered, operative = _line_words(text, regions)
    if regions and operative <= rules().max_operative_words:
        expression, open_version = _expression(regions, text)
        sources = sorted({r.source for r in regions})
        detail = f"{expression} ({', '.join(sources)})"
        return TextResult(expression, expression, 1.0, detail, open_version)
    if federal:
        return TextResult(None, "CC0-1.0", 0.5, "US federal public-domain statement, no waiver")
    return _unknown(text, words, regions, covered, operative)


def _unknown(
    text: str, words: Words, regions: list[_Region], covered: int, operative: int
) -> TextResult:
    """Best guess for a text that was not identified."""
    partial = [h for h in translation_hits(words) if not h.complete]
    if regions:
        guess, _ = _expression(regions, text)
        score = covered / (covered + operative) if covered + operative else 0.0
        why = f"{operative} words of changed or added terms"
    elif partial:
        best = max(partial, key=lambda h: h.score)
        guess, score, why = best.spdx, best.score, best.detail
    else:
        guess_id, score = closest(text)
        guess = normalise_expression(guess_id) if guess_id else None
        why = "no licence text matched"
    if guess is None or score < 0.1:
        return TextResult(None, None, score, why)
    return TextResult(None, guess, score, f"closest {guess}, {score:.0%}: {why}")


def identify_text(text: str) -> tuple[str | None, str | None, float]:
    """(confident SPDX id or expression or None, closest id, score 0..1)."""
    result = examine_text(text)
    return result.expression, result.closest, result.score
