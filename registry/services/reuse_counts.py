"""Reuse counts over time, for one repository or every repository of an agency.

**Received**: edges whose target is one of the repositories (others reuse it); **given**:
edges whose reuser is one of them. Shared history whose direction is not known is counted
apart, as **undirected**. Each side counts live and ended edges, by kind, and month by
month from when edges were first seen and when they ended, with the number live at the end
of each month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, or_, select

from registry.models import Repository, ReuseEdge

SIDES = ("received", "given", "undirected")
MAX_MONTHS = 120


def for_repository(session: Session, repo_id: int, *, now: datetime) -> dict[str, Any]:
    ends = or_(ReuseEdge.target_repository_id == repo_id, ReuseEdge.reuser_repository_id == repo_id)
    edges = session.exec(select(ReuseEdge).where(ends)).all()
    return summarise(edges, {repo_id}, now=now)


def for_agency(session: Session, agency_id: int, *, now: datetime) -> dict[str, Any]:
    ids = set(session.exec(select(Repository.id).where(Repository.agency_id == agency_id)))
    edges: dict[int, ReuseEdge] = {}
    for column in (ReuseEdge.target_repository_id, ReuseEdge.reuser_repository_id):
        query = (
            select(ReuseEdge)
            .join(Repository, Repository.id == column)
            .where(Repository.agency_id == agency_id)
        )
        edges.update({e.id: e for e in session.exec(query)})  # type: ignore[misc]
    return summarise(list(edges.values()), ids, now=now)  # type: ignore[arg-type]


def summarise(edges: Sequence[ReuseEdge], ours: set[int], *, now: datetime) -> dict[str, Any]:
    """The counts of ``edges`` seen from the repositories ``ours``. An edge between two of
    them counts on both sides (the agency gave it and received it)."""
    totals = {side: _empty() for side in SIDES}
    moves: dict[str, list[tuple[str, str]]] = {side: [] for side in SIDES}
    for edge in edges:
        for side in _sides(edge, ours):
            bucket = totals[side]
            state = "ended" if edge.ended_at is not None else "live"
            bucket[state] += 1
            bucket["by_kind"].setdefault(edge.kind, {"live": 0, "ended": 0})[state] += 1
            moves[side].append((_month(edge.first_seen_at), "started"))
            if edge.ended_at is not None:
                moves[side].append((_month(edge.ended_at), "ended"))
    return {**totals, "months": _months(moves, now)}


def _empty() -> dict[str, Any]:
    return {"live": 0, "ended": 0, "by_kind": {}}


def _sides(edge: ReuseEdge, ours: set[int]) -> Iterable[str]:
    if edge.direction == "unknown":
        if edge.target_repository_id in ours or edge.reuser_repository_id in ours:
            yield "undirected"
        return
    if edge.target_repository_id in ours:
        yield "received"
    if edge.reuser_repository_id in ours:
        yield "given"


def _month(when: datetime) -> str:
    return f"{when.year:04d}-{when.month:02d}"


def _months(moves: dict[str, list[tuple[str, str]]], now: datetime) -> list[dict[str, Any]]:
    """Every month from the first edge seen to ``now`` (the latest ``MAX_MONTHS``)."""
    seen = [month for side in moves.values() for month, _ in side]
    if not seen:
        return []
    months = _span(min(seen), max(max(seen), _month(now)))
    counted = {side: Counter(moves[side]) for side in SIDES}
    live = dict.fromkeys(SIDES, 0)
    out = []
    for month in months:
        row: dict[str, Any] = {"month": month}
        for side in SIDES:
            started, ended = counted[side][(month, "started")], counted[side][(month, "ended")]
            live[side] += started - ended
            row[side] = {"started": started, "ended": ended, "live": live[side]}
        out.append(row)
    return out[-MAX_MONTHS:]


def _span(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
