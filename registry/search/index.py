"""One node's Whoosh index: open or create it, apply documents, answer queries."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh import index as windex
from whoosh.index import Index

from registry.search import query as q
from registry.search.schema import repository_schema, to_fields

STATE_FILE = "govcode-sync.json"


@dataclass(frozen=True)
class SyncState:
    """The highest change applied, and skipped numbers still awaited (number -> runs left)."""

    seq: int = 0
    gaps: dict[int, int] = field(default_factory=dict)

    def advanced(self, seen: list[int]) -> SyncState:
        gaps = dict(self.gaps)
        expected = self.seq + 1
        for n in sorted(seen):
            for missing in range(expected, n):
                gaps[missing] = -1  # fresh gap; aged() sets its budget
            expected = n + 1
        return replace(self, seq=max(self.seq, *seen), gaps=gaps)

    def without(self, found: list[int]) -> SyncState:
        return replace(self, gaps={k: v for k, v in self.gaps.items() if k not in set(found)})

    def aged(self, retries: int) -> SyncState:
        gaps = {k: (retries if v < 0 else v - 1) for k, v in self.gaps.items()}
        return replace(self, gaps={k: v for k, v in gaps.items() if v > 0})


class SearchIndex:
    """The search interface every caller uses; the engine behind it can change."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        if windex.exists_in(str(self.path)):
            self._ix: Index = windex.open_dir(str(self.path))
        else:
            self._ix = windex.create_in(str(self.path), repository_schema())

    @property
    def state(self) -> SyncState:
        """The change sequence this node's index has applied (see registry.search.sync)."""
        f = self.path / STATE_FILE
        if not f.exists():
            return SyncState()
        data = json.loads(f.read_text())
        return SyncState(seq=data["seq"], gaps={int(k): v for k, v in data["gaps"].items()})

    def save_state(self, state: SyncState) -> None:
        # A temporary file of its own per writer: a web node's follower and a CLI sync may
        # save at the same moment, and a shared name lets one rename the other's file away.
        fd, name = tempfile.mkstemp(prefix=STATE_FILE, suffix=".tmp", dir=self.path)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps({"seq": state.seq, "gaps": state.gaps}))
        Path(name).replace(self.path / STATE_FILE)

    def apply(self, docs: Iterable[dict], deleted: Iterable[int] = ()) -> int:
        """Add or replace documents and delete ids, in one commit; returns documents written."""
        writer = self._ix.writer(timeout=30)
        n = 0
        try:
            for repo_id in deleted:
                writer.delete_by_term("id", str(repo_id))
            for doc in docs:
                writer.update_document(**to_fields(doc))
                n += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return n

    def clear(self) -> None:
        self._ix = windex.create_in(str(self.path), repository_schema())
        self.save_state(SyncState())

    def search(self, request: q.SearchRequest) -> q.SearchResult:
        with self._ix.searcher() as searcher:
            return q.run(searcher, request)

    def count(self) -> int:
        return self._ix.doc_count()

    def refresh(self) -> None:
        """Pick up commits made by other writers (another process or node)."""
        self._ix = windex.open_dir(str(self.path))
