"""A node's index state is saved atomically, also when two writers save at once."""

from __future__ import annotations

import threading

from registry.search import SearchIndex
from registry.search.index import SyncState


def test_concurrent_state_saves_never_fail(tmp_path):
    index = SearchIndex(tmp_path / "index")
    errors: list[BaseException] = []

    def save(start: int) -> None:
        try:
            for n in range(start, start + 150):
                index.save_state(SyncState(seq=n))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i * 1000,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert index.state.seq in {149, 1149, 2149, 3149}
    assert [p.name for p in (tmp_path / "index").glob("*.tmp")] == []
