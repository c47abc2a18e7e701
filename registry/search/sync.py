"""Bring a node's index up to the database by the monotonic change sequence.

Sequence numbers are allotted when a transaction inserts, not when it commits, so on
PostgreSQL a slow transaction can commit a lower number after a higher one was seen.
Sync therefore remembers the numbers it skipped (gaps) and looks for them again on the
next runs, for a bounded number of runs; rolled-back numbers simply never appear.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from registry.search.index import SearchIndex
from registry.search.state import SyncState
from registry.services import index_feed

GAP_RETRIES = 50


def sync(engine: Engine, index: SearchIndex) -> int:
    """Index every repository changed since the index's state; returns documents written."""
    state = index.state
    written = 0
    with Session(engine) as session:
        if state.gaps:
            found, ids = index_feed.changes_by_id(session, list(state.gaps))
            written += _apply(session, index, ids)
            state = state.without(found).aged(GAP_RETRIES)
        while True:
            seen, ids = index_feed.changed_since(session, state.seq)
            if not seen:
                break
            written += _apply(session, index, ids)
            state = state.advanced(seen)
    index.save_state(state)
    return written


def _apply(session: Session, index: SearchIndex, ids: list[int]) -> int:
    if not ids:
        return 0
    docs = index_feed.documents(session, ids)
    present = {d["id"] for d in docs}
    return index.apply(docs, deleted=[i for i in ids if i not in present])


def rebuild(engine: Engine, index: SearchIndex, batch: int = 5000) -> int:
    """Rebuild the index from SQL in a new generation beside the live one (which keeps
    serving), then swap it in atomically; changes made meanwhile are caught up by sync."""
    with index.build_aside() as aside, Session(engine) as session:
        high = index_feed.last_change(session)
        ids = index_feed.all_ids(session)
        batches = (
            index_feed.documents(session, ids[i : i + batch]) for i in range(0, len(ids), batch)
        )
        written = aside.load(batches)
        aside.save_state(SyncState(seq=high))
    return written
