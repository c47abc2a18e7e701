"""The closest known licence to a text that matched nothing exactly, and how close it is.

licenseclassifier matches exact patterns (with small wildcards): one changed sentence and a
licence matches not at all. For "unknown" texts govcode still shows a best guess, so here
every pattern the classifier ships is reduced to its set of word pairs and compared with
the text's (F1 of pair overlap). It is a *guess* to show readers, never an identification.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from functools import cache
from importlib import resources

from registry.analysis.licence_rules import rules

_LRE_COMMENT = re.compile(r"//\*\*.*?\*\*//", re.S)
_LRE_TOKEN = re.compile(r"\(\(|\)\)\?\?|\)\)|\|\||__\d+__")
_WORD = re.compile(r"[^\W_]+")
_MIN_PAIRS = 12  # patterns shorter than this are notices, not licence texts


def canonical_text(lre: str, *, keep_optional: bool = True) -> str:
    """The pattern's main reading: the longest branch of each ``(( a || b ))`` (full text
    over notice forms), wildcards dropped, optional ``(( … ))??`` parts kept or not.

    Taking every branch would make each pattern a union of its variants, and a plain MIT
    text would then sit closer to JSON (MIT plus one sentence) than to MIT itself.
    """
    cleaned = _LRE_COMMENT.sub(" ", lre)
    # per open group: finished branches and the branch being read
    stack: list[tuple[list[str], list[str]]] = [([], [])]
    pos = 0
    for token in _LRE_TOKEN.finditer(cleaned):
        stack[-1][1].append(cleaned[pos : token.start()])
        pos = token.end()
        mark = token.group()
        if mark == "((":
            stack.append(([], []))
        elif mark == "||" and len(stack) > 1:
            stack[-1][0].append(" ".join(stack[-1][1]))
            stack[-1][1].clear()
        elif mark.startswith("))") and len(stack) > 1:
            branches, current = stack.pop()
            branches.append(" ".join(current))
            if mark == "))" or keep_optional:
                stack[-1][1].append(max(branches, key=len))
    stack[-1][1].append(cleaned[pos:])
    return " ".join(part for _, current in stack for part in current)


def word_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent lower-cased word pairs: order-aware enough, robust to reflowing and markup."""
    words = _WORD.findall(text.lower())
    return frozenset(itertools.pairwise(words))


@cache
def _corpus() -> tuple[tuple[str, frozenset[tuple[str, str]]], ...]:
    """(id, pairs) for the longest pattern of each licence id the classifier knows."""
    try:
        path = resources.files("licenseclassifier._engine").joinpath("licenses.json.gz")
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            entries = json.load(handle)
    except (OSError, ValueError, ModuleNotFoundError):  # the library's layout changed
        return ()
    best: dict[str, frozenset[tuple[str, str]]] = {}
    for entry in entries:
        lre = entry.get("lre") or ""
        if not lre:
            continue
        pairs = word_pairs(canonical_text(lre))
        if len(pairs) >= _MIN_PAIRS and len(pairs) > len(best.get(entry["id"], ())):
            best[entry["id"]] = pairs
    return tuple(best.items())


@cache
def _reference_words() -> dict[str, int]:
    """Words in the shortest reading of each licence id's longest pattern."""
    try:
        path = resources.files("licenseclassifier._engine").joinpath("licenses.json.gz")
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            entries = json.load(handle)
    except (OSError, ValueError, ModuleNotFoundError):
        return {}
    sizes: dict[str, int] = {}
    for entry in entries:
        lre = entry.get("lre") or ""
        if lre:
            words = len(_WORD.findall(canonical_text(lre, keep_optional=False)))
            sizes[entry["id"]] = max(sizes.get(entry["id"], 0), words)
    return sizes


def reference_words(licence_id: str) -> int | None:
    """How many words the classifier's text for ``licence_id`` has at least (None: unknown)."""
    return _reference_words().get(licence_id)


def closest(text: str) -> tuple[str | None, float]:
    """(licence id, 0..1 score) of the most similar known licence text, (None, 0.0) if none.

    A common licence (see ``common`` in the rules data) scoring at least ``common_floor``
    wins over a rarer look-alike that scores a little higher.
    """
    pairs = word_pairs(text)
    if not pairs:
        return None, 0.0
    table = rules()
    common = set(table.common)
    best: tuple[float, str | None] = (0.0, None)
    best_common: tuple[float, str | None] = (0.0, None)
    for spdx_id, reference in _corpus():
        shared = len(pairs & reference)
        if not shared:
            continue
        score = 2.0 * shared / (len(pairs) + len(reference))
        best = max(best, (score, spdx_id))
        if spdx_id in common:
            best_common = max(best_common, (score, spdx_id))
    score, spdx_id = best_common if best_common[0] >= table.common_floor else best
    return spdx_id, score
