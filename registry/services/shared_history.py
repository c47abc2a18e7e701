"""Shared-history edges for one group of repositories that share a root commit.

Every repository holding one of the stored repository's root commits belongs to its group
(bounded by ``MAX_GROUP``). The edges of the whole group are derived again each time one
member is stored, from evidence alone (``registry.analysis.lineage``), so crawl order never
decides who reused whom, and a member stored later can still correct what an earlier one
concluded:

- each copy is linked to its source: of the members the evidence names as its source, the
  one it shares most history with (on a tie, the eldest in the chain); siblings, copies of
  one source, are never linked to each other;
- a pair whose direction the evidence cannot tell is stored once, "direction unknown",
  unless known edges (or forge forks) already connect the two;
- a stored edge of the group that the evidence no longer supports is ended (kept as past
  reuse; re-opened if the evidence returns), one that changed direction is turned, and
  only new edges notify.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import combinations

from sqlalchemy import delete, update
from sqlmodel import Session, or_, select

from registry.analysis.lineage import Lineage, Verdict, direction
from registry.models import (
    Event,
    Repository,
    RepositoryHistory,
    RepositoryRootCommit,
    ReuseEdge,
)
from registry.services import reuse
from registry.services.records import normalise_url

KIND = "shared_history"
MAX_GROUP = 100  # repositories compared in one group (pairs grow with the square)
CHUNK = 500


@dataclass(frozen=True)
class Link:
    reuser: Repository
    target: Repository
    direction: str  # known | unknown
    evidence: str


def reconcile(
    session: Session, *, repository: Repository, now: datetime
) -> tuple[list[int], set[str]]:
    """Bring the stored shared-history edges of ``repository``'s group up to the evidence;
    return the new events' ids and the URL keys of the group's other members."""
    members = _group(session, repository)
    links = derive_links(session, members) if len(members) > 1 else []
    events = _apply(session, repository, members, links, now)
    return events, {m.url_key for m in members if m.id != repository.id}


def derive_links(session: Session, members: list[Repository]) -> list[Link]:
    members = sorted(members, key=lambda m: m.url_key)
    lineages = _lineages(session, members)
    forks = _fork_pairs(session, members)
    verdicts: dict[tuple[int, int], Verdict] = {}
    for x, y in combinations(range(len(members)), 2):
        a, b = lineages[x], lineages[y]
        if (x, y) in forks or (y, x) in forks:
            a = replace(a, forked_from=(x, y) in forks)
            b = replace(b, forked_from=(y, x) in forks)
        verdicts[(x, y)] = direction(a, b)

    def source_of(c: int, p: int) -> Verdict | None:
        """The verdict when it says ``p`` is ``c``'s source, else None."""
        v = verdicts[(min(c, p), max(c, p))]
        return v if v.source == (0 if p < c else 1) else None

    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for x, y in forks:
        parent[root(x)] = root(y)
    links: list[Link] = []
    for c in range(len(members)):
        found = {p: v for p in range(len(members)) if p != c and (v := source_of(c, p))}
        if not found:
            continue
        most = max(v.shared for v in found.values())
        tied = [p for p, v in found.items() if v.shared == most]
        best = [p for p in tied if not any(q != p and source_of(p, q) for q in tied)]
        for p in best:
            parent[root(c)] = root(p)
            if (c, p) not in forks:
                words = "; ".join(found[p].reasons)
                links.append(Link(members[c], members[p], "known", words))
    for (x, y), v in verdicts.items():
        fork = (x, y) in forks or (y, x) in forks
        if v.source is None and not fork and root(x) != root(y):
            why = "; ".join(v.reasons) or "no evidence of which came first"
            links.append(Link(members[x], members[y], "unknown", why))
    return links


def _group(session: Session, repository: Repository) -> list[Repository]:
    shas = list(session.exec(
        select(RepositoryRootCommit.sha).where(RepositoryRootCommit.repository_id == repository.id)
    ))  # fmt: skip
    ids: set[int] = set()
    for chunk in _chunks(sorted(shas)):
        query = (
            select(RepositoryRootCommit.repository_id)
            .where(RepositoryRootCommit.sha.in_(chunk))  # type: ignore[attr-defined]
            .where(RepositoryRootCommit.repository_id != repository.id)
            .distinct()
            .order_by(RepositoryRootCommit.repository_id)
            .limit(MAX_GROUP - 1)
        )
        ids.update(session.exec(query))
    others = _rows(session, Repository, Repository.id, sorted(ids)[: MAX_GROUP - 1])
    return [repository, *others]


def _lineages(session: Session, members: list[Repository]) -> list[Lineage]:
    ids = [m.id for m in members]
    stored = {
        h.repository_id: h
        for h in _rows(session, RepositoryHistory, RepositoryHistory.repository_id, ids)
    }
    out = []
    for m in members:
        history = stored.get(m.id)  # type: ignore[arg-type]
        commits = tuple(
            (str(c[0]), int(c[1]), str(c[2])) for c in (history.commits if history else ())
        )
        created = m.forge_created_at
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        out.append(Lineage(m.full_name, commits, bool(history and history.complete), created))
    return out


def _fork_pairs(session: Session, members: list[Repository]) -> set[tuple[int, int]]:
    """(child, parent) index pairs the forge reports as forks, by edge or by parent URL."""
    index = {m.url_key: i for i, m in enumerate(members)}
    pairs = {
        (i, index[normalise_url(m.parent_url)])
        for i, m in enumerate(members)
        if m.parent_url and normalise_url(m.parent_url) in index
    }
    keys = list(index)
    for chunk in _chunks(keys):
        rows = session.exec(
            select(ReuseEdge.reuser_url, ReuseEdge.target_url).where(
                ReuseEdge.kind == "fork",
                ReuseEdge.reuser_url.in_(chunk),  # type: ignore[attr-defined]
                reuse.live(),
            )
        )
        pairs |= {(index[r], index[t]) for r, t in rows if t in index and r in index}
    return {(c, p) for c, p in pairs if c != p}


def _apply(
    session: Session,
    repository: Repository,
    members: list[Repository],
    links: list[Link],
    now: datetime,
) -> list[int]:
    keys = [m.url_key for m in members]
    stored: dict[frozenset[str], ReuseEdge] = {}
    doubles: list[ReuseEdge] = []  # both directions stored by an older release: keep one
    for e in sorted(_edges_touching(session, repository.url_key, keys), key=lambda e: e.id or 0):
        pair = frozenset((e.reuser_url, e.target_url))
        (doubles.append(e) if pair in stored else stored.__setitem__(pair, e))
    plan = []
    for link in links:
        r, t = link.reuser, link.target
        if link.direction == "unknown" and t.url_key < r.url_key:
            r, t = t, r
        plan.append((link, r, t, stored.pop(frozenset((r.url_key, t.url_key)), None)))
    doubled = [e.id for e in doubles]
    if doubled:  # first, so that turning an edge round never meets its old double
        session.exec(
            update(Event).where(Event.reuse_edge_id.in_(doubled)).values(reuse_edge_id=None)
        )  # type: ignore[call-overload, union-attr]
        session.exec(delete(ReuseEdge).where(ReuseEdge.id.in_(doubled)))  # type: ignore[call-overload, union-attr]
    for edge in stored.values():  # the evidence no longer supports it: past, not gone
        if edge.ended_at is None:
            edge.ended_at = now
            session.add(edge)
    events: list[int] = []
    for link, r, t, edge in plan:
        if edge is None:
            edge = ReuseEdge(kind=KIND, reuser_url=r.url_key, reuser_name=r.full_name,
                             reuser_repository_id=r.id, target_url=t.url_key,
                             target_repository_id=t.id, evidence=_words(link)[:1000],
                             direction=link.direction, created_at=now, first_seen_at=now,
                             last_confirmed_at=now)  # fmt: skip
            session.add(edge)
            session.flush()
            events += reuse.notify_new(session, edge, now=now)
            continue
        told = edge.target_url if edge.direction == "known" else None
        edge.reuser_url, edge.reuser_name, edge.reuser_repository_id = r.url_key, r.full_name, r.id
        edge.target_url, edge.target_repository_id = t.url_key, t.id
        edge.direction, edge.evidence = link.direction, _words(link)[:1000]
        reuse.confirm(session, edge, now=now)
        session.flush()
        if link.direction == "known" and told is not None and told != t.url_key:
            events += reuse.notify_new(session, edge, now=now)  # new evidence turned it round
    return events


def _words(link: Link) -> str:
    roots = sorted(set(link.reuser.root_commits or ()) & set(link.target.root_commits or ()))
    sha = roots[0][:12] if roots else "?"
    shared = f"shares the root commit {sha} (git history carried over)"
    if link.direction == "unknown":
        return f"{shared}; direction unknown: {link.evidence}"
    return f"{shared}; {link.evidence}" if link.evidence else shared


def _edges_touching(session: Session, key: str, keys: list[str]) -> list[ReuseEdge]:
    """Stored shared-history edges within the group, and any of ``key``'s that left it."""
    found: dict[int, ReuseEdge] = {}
    mine = select(ReuseEdge).where(
        ReuseEdge.kind == KIND, or_(ReuseEdge.reuser_url == key, ReuseEdge.target_url == key)
    )
    found.update({e.id: e for e in session.exec(mine)})  # type: ignore[misc]
    members = set(keys)
    for chunk in _chunks(keys):
        query = select(ReuseEdge).where(
            ReuseEdge.kind == KIND,
            ReuseEdge.reuser_url.in_(chunk),  # type: ignore[attr-defined]
        )
        found.update({e.id: e for e in session.exec(query) if e.target_url in members})  # type: ignore[misc]
    return list(found.values())


def _rows(session: Session, table: type, column, ids: Iterable) -> list:
    out: list = []
    for chunk in _chunks(list(ids)):
        out += list(session.exec(select(table).where(column.in_(chunk))))
    return out


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
