"""Explicit rules for licence texts licenseclassifier does not know (data in
``data/licence_rules.toml``): official EUPL-1.2 translations, US federal public-domain
statements, and which leftover lines of a licence file change its terms.

Everything works on *normalised words* (lower case, letters and digits), so reflowed
lines, markdown, a BOM or curly quotes do not defeat a rule.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_DATA = Path(__file__).with_name("data") / "licence_rules.toml"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Words:
    """A text's words with their character offsets, joined for phrase search."""

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]  # character offset of each word in ``text``
    ends: tuple[int, ...]
    joined: str  # words joined by one space
    offsets: tuple[int, ...]  # offset of each word in ``joined``

    @classmethod
    def of(cls, text: str) -> Words:
        found = list(_WORD.finditer(text.lower()))
        words = tuple(m.group() for m in found)
        offsets, pos = [], 0
        for word in words:
            offsets.append(pos)
            pos += len(word) + 1
        return cls(
            text,
            words,
            tuple(m.start() for m in found),
            tuple(m.end() for m in found),
            " ".join(words),
            tuple(offsets),
        )

    def find(self, phrase: str, start_word: int = 0) -> int:
        """Index of the first word of ``phrase`` at or after ``start_word``, or -1."""
        if not self.words or start_word >= len(self.words):
            return -1
        at = self.joined.find(phrase, self.offsets[start_word])
        while at >= 0:
            end = at + len(phrase)
            whole = (at == 0 or self.joined[at - 1] == " ") and (
                end == len(self.joined) or self.joined[end] == " "
            )
            if whole:
                return bisect.bisect_left(self.offsets, at)
            at = self.joined.find(phrase, at + 1)
        return -1

    def has_any(self, phrases: tuple[str, ...]) -> bool:
        return any(self.find(p) >= 0 for p in phrases)


@dataclass(frozen=True)
class RuleHit:
    """A region of the text a rule recognised (character offsets) and how complete it is."""

    spdx: str
    start: int
    end: int
    score: float  # mean of anchors found and length ratio, 0..1
    complete: bool  # every anchor, and the expected length
    detail: str


@dataclass(frozen=True)
class Rules:
    common: tuple[str, ...]
    common_floor: float
    operative: tuple[str, ...]
    max_operative_words: int
    boilerplate: tuple[str, ...]
    appendix_starts: tuple[str, ...]
    appendix_words: int
    translations: tuple[dict[str, Any], ...]
    federal: dict[str, Any]


@cache
def rules() -> Rules:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return Rules(
        common=tuple(data["common"]),
        common_floor=float(data["common_floor"]),
        operative=tuple(data["operative"]),
        max_operative_words=int(data["max_operative_words"]),
        boilerplate=tuple(data["boilerplate"]),
        appendix_starts=tuple(data["appendix_starts"]),
        appendix_words=int(data["appendix_words"]),
        translations=tuple(data["translation"]),
        federal=dict(data["federal_public_domain"]),
    )


def translation_hits(words: Words) -> list[RuleHit]:
    """Official translations found in the text, complete or not (score = anchors found)."""
    hits = []
    for rule in rules().translations:
        anchors = rule["anchors"]
        found: list[tuple[int, int]] = []  # (first word, last word) of each anchor found
        cursor = 0
        for anchor in anchors:
            at = words.find(anchor, cursor)
            if at >= 0:
                last = at + len(anchor.split()) - 1
                found.append((at, last))
                cursor = last + 1
        if len(found) < 3:  # a title quoted in a README is not a licence text
            continue
        first, last = found[0][0], found[-1][1]
        span_words = last - first + 1
        in_length = abs(span_words - rule["words"]) <= rule["tolerance"] * rule["words"]
        length = min(span_words / rule["words"], rule["words"] / span_words)
        complete = len(found) == len(anchors) and in_length
        score = 1.0 if complete else min(0.99, (len(found) / len(anchors) + length) / 2)
        end = words.text.find("\n", words.ends[last])
        hits.append(
            RuleHit(
                spdx=rule["spdx"],
                start=words.text.rfind("\n", 0, words.starts[first]) + 1,
                end=len(words.text) if end < 0 else end,
                score=score,
                complete=complete,
                detail=f"official {rule['language']} {rule['spdx']} text "
                f"({len(found)}/{len(anchors)} headings, {span_words} words)",
            )
        )
    return hits


def federal_public_domain(words: Words) -> tuple[bool, bool]:
    """(has a US federal public-domain statement, has a worldwide CC0 waiver too)."""
    federal = rules().federal
    statement = words.has_any(tuple(federal["statement"]))
    return statement, statement and words.has_any(tuple(federal["waiver"]))


def has_phrase(joined: str, phrases: tuple[str, ...]) -> bool:
    """Whether words joined by single spaces hold any phrase as whole words: what
    ``Words.has_any`` answers, without building offsets (one line at a time is hot)."""
    padded = f" {joined} "
    return any(f" {phrase} " in padded for phrase in phrases)


def line_words(line: str) -> list[str]:
    """A line's normalised words (lower case, letters and digits)."""
    return _WORD.findall(line.lower())


def operative_words(words: Words | list[str]) -> int:
    """Words of a line when it adds or changes terms (see the data file), else 0."""
    found = words.words if isinstance(words, Words) else words
    if not found:
        return 0
    table = rules()
    joined = " ".join(found)
    if has_phrase(joined, table.boilerplate):
        return 0
    return len(found) if has_phrase(joined, table.operative) else 0
