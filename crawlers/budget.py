"""The per-repository time budget: a deadline the crawl checks between and inside stages.

Git commands already stop at their own timeout (``GitCache(timeout=...)``), but analysis
runs in this process, and a thread cannot be killed from outside. So the bound is
cooperative: the pipeline checks the deadline between stages, and analysers read the
repository through a ``DeadlineTree`` whose every read (and every few hundred entries
walked) checks it too. Past the deadline they raise ``CrawlError``, which unwinds the
analysis; nothing is left running.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, overload

from registry.analysis.tree import DEFAULT_READ_LIMIT, FileEntry
from registry.errors import CrawlError

if TYPE_CHECKING:
    from crawlers.base import RepoTree

CHECK_EVERY = 256  # entries walked between two clock reads


class Deadline:
    """``budget`` seconds from now on a monotonic clock."""

    def __init__(self, budget: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._end = clock() + budget

    @property
    def message(self) -> str:
        return f"over its time budget of {self.budget:g} s"

    def expired(self) -> bool:
        return self._clock() > self._end

    def check(self) -> None:
        """Raise ``CrawlError`` once the budget is spent."""
        if self.expired():
            raise CrawlError(self.message)


class _Entries(Sequence[FileEntry]):
    """A tree's entries whose iteration checks the deadline every ``CHECK_EVERY`` items."""

    def __init__(self, items: Sequence[FileEntry], deadline: Deadline) -> None:
        self._items = items
        self._deadline = deadline

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> FileEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FileEntry]: ...
    def __getitem__(self, index: int | slice) -> FileEntry | Sequence[FileEntry]:
        return self._items[index]

    def __iter__(self) -> Iterator[FileEntry]:
        for i, entry in enumerate(self._items):
            if i % CHECK_EVERY == 0:
                self._deadline.check()
            yield entry


class DeadlineTree:
    """A ``Tree`` that refuses to be read once the deadline has passed."""

    def __init__(self, tree: RepoTree, deadline: Deadline) -> None:
        self._tree = tree
        self.deadline = deadline
        self.truncated = tree.truncated

    def entries(self) -> Sequence[FileEntry]:
        self.deadline.check()
        return _Entries(self._tree.entries(), self.deadline)

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        self.deadline.check()
        return self._tree.read(path, limit)

    def read_prefix(self, path: str, size: int) -> bytes | None:
        self.deadline.check()
        return self._tree.read_prefix(path, size)

    def close(self) -> None:
        """Close the wrapped tree (a git tree stops its ``cat-file`` process)."""
        self._tree.close()
