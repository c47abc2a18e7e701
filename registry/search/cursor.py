"""Cursor pagination: an opaque token that continues a search after the last result seen.

A page number counts positions, so a repository inserted (or deleted) ahead of them shifts
every later page by one: a result is shown twice, or never. A cursor names the last result
seen instead. The next page is found by looking for that result in a window of positions
around where it was (``WINDOW`` before, and further on if inserts pushed it down), and
continuing right after it, whatever was inserted or deleted ahead of it, with every sort.
Only when the last result itself is gone does the cursor fall back to its position.

The token is base64url JSON: ``{"v": 1, "q": <digest of the query>, "o": <position of the
next result>, "i": <id of the last result>}``. It is tied to one query (words, filters, sort,
page size): used with another, it is refused with a clear error.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from registry.errors import InvalidParameter

WINDOW = 50  # positions looked at before the remembered one (deletions ahead)
SCANS = 8  # windows looked at after it (insertions ahead), before falling back
MAX_OFFSET = 100_000


@dataclass(frozen=True)
class Cursor:
    query: str  # digest of what was searched
    offset: int  # position of the next result, when the cursor was made
    last_id: int  # the last result seen


def query_digest(text: str, filters: dict, sort: str, per_page: int, active_days) -> str:
    key = json.dumps(
        [text, sorted((k, sorted(v)) for k, v in filters.items()), sort, per_page, active_days],
        separators=(",", ":"),
    )
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def encode(cursor: Cursor) -> str:
    data = {"v": 1, "q": cursor.query, "o": cursor.offset, "i": cursor.last_id}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, *, query: str) -> Cursor:
    """The cursor in ``token``; InvalidParameter if it is not one of ours, or is another query's."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        cursor = Cursor(str(data["q"]), int(data["o"]), int(data["i"]))
        ok = data.get("v") == 1 and 0 < cursor.offset <= MAX_OFFSET
    except (ValueError, TypeError, KeyError, AttributeError):
        ok = False
    if not ok:
        raise InvalidParameter(
            "cursor", "cursor is not valid: pass back a next_cursor exactly as given"
        )
    if cursor.query != query:
        raise InvalidParameter(
            "cursor",
            "cursor belongs to another search: keep q, filters, sort and per_page the same",
        )
    return cursor
