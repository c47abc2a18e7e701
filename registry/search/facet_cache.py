"""Facet counts remembered per index generation: the same words under the same filters count
the same whatever the sort or the page, so paging through a search, re-sorting it and the
browse pages (filters, no words: the most frequent of all) are counted once. Emptied
whenever the index changes; bounded by the number of (value, count) pairs it holds."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from registry.search.engine import Plan

Facets = dict[str, list[tuple[str, int]]]
MAX_PAIRS = 100_000  # (value, count) pairs kept, about 15 MB (a browse page holds ~5,000)


def facet_key(plan: Plan) -> Hashable:
    """What facet counts depend on: the words, how they combine, the filters (their values'
    order aside), the activity window, the ids left out and how many values are counted.
    Not the sort, nor the page."""
    t = plan.text  # its own filters are in the plan's
    filters = tuple(sorted((name, tuple(sorted(set(v)))) for name, v in plan.filters.items()))
    words = (t.terms, t.phrases, t.prefixes, plan.any_term)
    size = (plan.facet_top, tuple(sorted(plan.facet_all)))
    return (words, filters, plan.updated_since, tuple(sorted(plan.exclude_ids)), size)


class FacetCache:
    def __init__(self, max_pairs: int = MAX_PAIRS) -> None:
        self.max_pairs = max_pairs
        self._lock = threading.Lock()
        self._found: OrderedDict[Hashable, tuple[Facets, int]] = OrderedDict()
        self._pairs = 0
        self._epoch = 0  # counts the clears: counts read before one are never kept after it

    @property
    def epoch(self) -> int:
        return self._epoch

    def get(self, key: Hashable) -> Facets | None:
        with self._lock:
            found = self._found.get(key)
            if found is None:
                return None
            self._found.move_to_end(key)
        return {name: list(pairs) for name, pairs in found[0].items()}  # the caller's own

    def put(self, key: Hashable, facets: Facets, epoch: int) -> None:
        """Keep ``facets``, counted by a search that started at ``epoch``, unless the index
        changed since (then they may be stale) or they alone are over the bound (a bound of 0
        keeps nothing, not even the empty counts of a search that found nothing)."""
        size = sum(len(pairs) for pairs in facets.values())
        kept = {name: list(pairs) for name, pairs in facets.items()}  # not the caller's lists
        with self._lock:
            if epoch != self._epoch or size > self.max_pairs or not self.max_pairs:
                return
            if key in self._found:  # another thread counted it meanwhile
                return
            self._found[key] = (kept, size)
            self._pairs += size
            while self._pairs > self.max_pairs:
                _, (_, dropped) = self._found.popitem(last=False)
                self._pairs -= dropped

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
            self._pairs = 0
            self._epoch += 1

    def __len__(self) -> int:
        return len(self._found)
