"""Which change of the database log an index has applied (see registry.search.sync)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

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


def read_state(folder: Path) -> SyncState:
    f = folder / STATE_FILE
    if not f.exists():
        return SyncState()
    data = json.loads(f.read_text())
    return SyncState(seq=data["seq"], gaps={int(k): v for k, v in data["gaps"].items()})


def write_state(folder: Path, state: SyncState) -> None:
    # A temporary file of its own per writer: a web node's follower and a CLI sync may save
    # at the same moment, and a shared name lets one rename the other's file away.
    fd, name = tempfile.mkstemp(prefix=STATE_FILE, suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps({"seq": state.seq, "gaps": state.gaps}))
    Path(name).replace(folder / STATE_FILE)
