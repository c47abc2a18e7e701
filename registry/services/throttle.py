"""The sign-in throttle: failures counted per key in a window that starts at the first one.

Kept in the database so every web node sees the same counts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from registry.errors import TooManyRequests
from registry.i18n import N_
from registry.models import SignInThrottle
from registry.models._types import utcnow


def _live(session: Session, key: str, window: int) -> SignInThrottle | None:
    row = session.get(SignInThrottle, key)
    if row is not None and row.window_started_at + timedelta(seconds=window) <= utcnow():
        session.delete(row)
        session.flush()
        return None
    return row


def check(session: Session, limits: dict[str, int], *, window: int) -> None:
    """Refuse (429) when any key already reached its limit in the current window."""
    for key, limit in limits.items():
        row = _live(session, key, window)
        if row is not None and row.failures >= limit:
            left = row.window_started_at + timedelta(seconds=window) - utcnow()
            raise TooManyRequests(
                N_("too many failed sign-ins; try again later"),
                retry_after=max(1, int(left.total_seconds())),
            )


def record_failure(session: Session, keys: list[str], *, window: int) -> None:
    for key in keys:
        row = _live(session, key, window) or SignInThrottle(key=key)
        row.failures += 1
        session.add(row)
    session.flush()


def clear(session: Session, key: str) -> None:
    row = session.get(SignInThrottle, key)
    if row is not None:
        session.delete(row)
        session.flush()
