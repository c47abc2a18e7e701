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

from registry.analysis.licence_ids import family, licence_keys, normalise_expression
from registry.analysis.licence_notices import Notice, find_notice
from registry.analysis.licence_rules import (
    Words,
    federal_public_domain,
    has_phrase,
    line_words,
    operative_words,
    rules,
    translation_hits,
)
from registry.analysis.licence_similarity import closest, reference_words

MAX_TEXT_CHARS = 200_000  # the longest common licence (AGPL-3.0) is ~34,000
CACHE_SIZE = 4096  # distinct licence texts remembered per process (results are small)
_SPDX_TAG = re.compile(r"SPDX-License-Identifier:\s*([^\n*#>]+?)\s*(?:-->|\*/|$)", re.M | re.I)
_URL = re.compile(r"\S+://\S+")
_GNU = ("GPL-", "LGPL-", "AGPL-", "GFDL-")
_MINOR_SHARE = 0.05  # a match this small beside a full text is a mention, not a licence
_NOTICE_WORDS = 400  # a GNU notice with its warranty paragraphs is ~150 words
_COMPLETE = 0.8  # a classifier match this share of its licence's text is that whole text


@dataclass(frozen=True)
class TextResult:
    expression: str | None  # SPDX expression when identified
    closest: str | None
    score: float  # coverage when identified, similarity (or coverage) when not
    detail: str
    open_version: bool = False  # a GNU text alone cannot say "only" or "or later"
    notice: Notice | None = None  # the GNU notice before the licence text, if any


@dataclass(frozen=True)
class _Region:
    spdx: str  # normalised SPDX id
    start: int
    end: int
    source: str  # "classifier" | "tag" | a rule's detail
    complete: bool = False  # a whole licence text, not a mention or a notice
    notice: bool = False  # a classifier match of a GNU notice (``GPL-3.0-or-later``)


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
            size = reference_words(match.id)
            notice = match.id.endswith(("-only", "-or-later")) and match.id.startswith(_GNU)
            complete = bool(size) and not notice and _words_in(text, match) >= _COMPLETE * size
            found.append(_Region(spdx, match.start, match.end, "classifier", complete, notice))
    for hit in translation_hits(words):
        if hit.complete:
            found.append(_Region(hit.spdx, hit.start, hit.end, hit.detail, True))
    for tag in _SPDX_TAG.finditer(text):
        spdx = normalise_expression(tag.group(1))
        if spdx:
            found.append(_Region(spdx, tag.start(), tag.end(), "tag"))
    return found


def _words_in(text: str, match) -> int:  # a licenseclassifier match
    return len(line_words(text[match.start : match.end]))


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
    # A whole licence text is a licence of the file however short it is beside another
    # (MIT for the upstream's code next to the GPL for the rest); a short match is a mention.
    kept = [
        f
        for f in by_family
        if size[f] / total >= _MINOR_SHARE
        or len(by_family) == 1
        or any(r.complete for r in by_family[f])
    ]
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
    regions = _regions(text, words)
    if waiver:
        return _federal(regions)
    notice = find_notice(text[: _preamble_end(regions, len(text))])
    covered, operative = _line_words(text, regions)
    if regions and operative <= rules().max_operative_words:
        expression, open_version = _expression(regions, text)
        sources = sorted({r.source for r in regions})
        detail = f"{expression} ({', '.join(sources)})"
        if notice is not None and open_version:
            expression, open_version = _with_notice(expression, notice)
            detail = f"{expression} ({', '.join(sources)}; GNU notice: {notice.phrase!r})"
        return TextResult(expression, expression, 1.0, detail, open_version, notice)
    if notice is not None and not regions and len(words.words) <= _NOTICE_WORDS:
        # a short file that is a GNU notice (in any language, say Italian) and nothing else
        detail = f"GNU notice: {notice.phrase!r}"
        return TextResult(notice.spdx, notice.spdx, 0.9, detail, False, notice)
    if federal:
        return TextResult(None, "CC0-1.0", 0.5, "US federal public-domain statement, no waiver")
    return _unknown(text, words, regions, covered, operative)


def _preamble_end(regions: list[_Region], length: int) -> int:
    """Where the first whole licence text starts: what comes before it is the project's own
    words (its GNU notice); the "How to apply" template inside a GNU text never counts."""
    starts = [r.start for r in regions if r.source == "classifier" and not r.notice]
    return min(starts, default=length)


def _with_notice(expression: str, notice: Notice) -> tuple[str, bool]:
    """``expression`` with the noticed licence's version closed as the notice says."""
    target = family(notice.spdx)
    ids = [notice.spdx if family(key) == target else key for key in licence_keys(expression)]
    if notice.spdx not in ids:
        return expression, True
    joined = " AND ".join(dict.fromkeys(ids))
    still_open = any(i.startswith(_GNU) and i != notice.spdx for i in ids)
    return normalise_expression(joined) or joined, still_open


def _federal(regions: list[_Region]) -> TextResult:
    """A US federal public-domain statement with a CC0 waiver: CC0-1.0 for the agency's
    work, AND every other licence whose whole text the file carries for a part (an
    upstream's MIT up to the fork). When the file also names licences it does not carry
    (fonts under OFL "as described at …"), the parts cannot be told from it: CC0-1.0."""
    spdx = rules().federal["spdx"]
    parts = list(dict.fromkeys(r.spdx for r in regions if r.complete and r.spdx != spdx))
    named = {r.spdx for r in regions if not r.complete and r.spdx != spdx} - set(parts)
    detail = f"US federal public-domain statement + {spdx} waiver"
    if parts and not named:
        joined = " AND ".join([spdx, *parts])
        expression = normalise_expression(joined) or joined
        detail += f", and the whole {', '.join(parts)} text for the parts under it"
        return TextResult(expression, expression, 1.0, detail)
    if parts or named:
        detail += f"; parts under {', '.join(sorted({*parts, *named}))} are named, not all texts"
    return TextResult(spdx, spdx, 1.0, detail)


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
