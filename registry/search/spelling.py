"""Typo tolerance and key terms, over any engine's vocabulary of folded words."""

from __future__ import annotations

import math
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from registry.search.engine import Engine
from registry.search.text import _STOPWORDS, edit_budget, words

_STOP = frozenset().union(*_STOPWORDS.values())


def correct(terms: tuple[str, ...] | list[str], engine: Engine) -> list[str]:
    """Each word the index has never seen replaced by the most frequent known word within its
    edit budget (1–2 by length); known words and words without a close match stay."""
    out = []
    for term in terms:
        budget = edit_budget(term)
        if not budget or engine.doc_freq(term) > 0:
            out.append(term)
            continue
        known = engine.terms(term[0])
        # Every known word with this first letter, compared in C (OSA: Damerau-Levenshtein
        # with adjacent transpositions), keeping those within the budget.
        close = process.extract(
            term, [t for t, _ in known], scorer=OSA.distance, score_cutoff=budget, limit=None
        )
        best = min(((d, -known[i][1], known[i][0]) for _, d, i in close), default=None)
        out.append(best[2] if best else term)
    return out


def key_terms(row: dict, engine: Engine, total: int, limit: int = 12) -> list[str]:
    """The words that best tell this repository apart (tf × idf), for more-like-this."""
    text = " ".join(
        [
            row.get("name") or "",
            row.get("description") or "",
            " ".join(row.get("topics") or []),
            (row.get("readme") or "")[:3000],
        ]
    )
    tf = Counter(w for w in words(text) if len(w) > 2 and w not in _STOP and not w.isdigit())
    scored = []
    for w, n in tf.items():
        df = engine.doc_freq(w)
        if 1 < df <= max(2, total // 2):  # shared with others, but not common to most
            scored.append((n * math.log(total / df), w))
    return [w for _, w in sorted(scored, reverse=True)[:limit]]
