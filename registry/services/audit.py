"""The audit log: written in the same transaction as the change it records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from registry.models import AuditEvent, User

OPERATOR = "operator (command line)"


@dataclass(frozen=True)
class Actor:
    """Who acts and from where; every write service takes one. ``user=None`` is the
    operator at the command line, who may do anything."""

    user: User | None
    address: str = ""
    name: str = ""  # who acts when no person does ("scheduled crawl")

    @property
    def label(self) -> str:
        return self.user.email if self.user else (self.name or OPERATOR)


def record(
    session: Session,
    actor: Actor,
    *,
    action: str,
    target_type: str,
    target_id: object,
    agency_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user.id if actor.user else None,
        actor=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        agency_id=agency_id,
        before=before or {},
        after=after or {},
        address=actor.address[:100],
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, *, agency_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    """Newest first; one agency's, or (``agency_id=None``) everyone's."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if agency_id is not None:
        query = query.where(AuditEvent.agency_id == agency_id)
    return list(session.exec(query))


COLUMNS = ("id", "created_at", "actor", "address", "action", "target_type", "target_id",
           "agency_id", "before", "after")  # fmt: skip


def _cell(value: object) -> str:
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value or "")
    # A spreadsheet runs a cell starting with = + - @ as a formula: quote it.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: Iterable[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        values = [row.created_at.isoformat() if c == "created_at" else getattr(row, c)
                  for c in COLUMNS]  # fmt: skip
        writer.writerow([_cell(v) for v in values])
    return out.getvalue()
