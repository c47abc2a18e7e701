"""The reuse graph: record claims as edges, and write an outbox event for each new one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, true, update
from sqlmodel import Session, or_, select

from registry.models import Agency, Event, Repository, ReuseEdge
from registry.services.records import (
    EXAMINED_CONTENTS,
    EXAMINED_DECLARED,
    EXAMINED_FORKS,
    EXAMINED_PARENT,
    ReuseClaim,
    normalise_url,
)

SUMMARIES = {
    "fork": "Forked as {reuser}",
    "based_on": "{reuser} declares it is based on this repository",
    "dependency": "{reuser} depends on this repository",
    "shared_history": "{reuser} shares git history with this repository",
    "copied": "{reuser} contains files copied from this repository",
    "declared": "{reuser} declares it reuses this repository",
}
UNKNOWN = {  # direction unknown: neither side is said to reuse the other
    "shared_history": "{reuser} shares git history with this repository; which came first is"
    " not known",
    "copied": "{reuser} and this repository contain the same files; which came first is not known",
}


def link_of(url: str) -> str:
    """A URL to link to: as given when it is http(s), else https (``host/path`` or git's
    own transports name no web scheme, and https is what forges serve)."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme.lower() in ("http", "https"):
        return f"{scheme.lower()}://{rest}"
    return "https://" + normalise_url(url)


def _repo_by_key(session: Session, key: str) -> Repository | None:
    return session.exec(select(Repository).where(Repository.url_key == key)).first()


def record_claims(
    session: Session,
    *,
    repository: Repository,
    claims: Sequence[ReuseClaim],
    now: datetime,
    found: set[int] | None = None,
) -> list[int]:
    """Store each claim as an edge once; return the ids of events for new notifiable edges.

    An edge claimed again is confirmed (and re-opened if it had ended); the ids of every
    edge claimed are added to ``found``, for ``end_missing``."""
    events: list[int] = []
    for claim in claims:
        reuser_key, target_key = normalise_url(claim.reuser_url), normalise_url(claim.target_url)
        if reuser_key == target_key:
            continue
        unknown = claim.direction == "unknown"
        if unknown and target_key < reuser_key:  # one edge whichever end is stored first
            reuser_key, target_key = target_key, reuser_key
            claim = ReuseClaim(claim.kind, claim.target_url, claim.target_url.split("/", 3)[-1],
                               claim.reuser_url, claim.evidence, claim.direction)  # fmt: skip
        known = find_edge(session, reuser_key, target_key, claim.kind, either_way=unknown)
        if known is not None:
            confirm(session, known, now=now)
            if found is not None and known.id is not None:
                found.add(known.id)
            continue
        reuser = _repo_by_key(session, reuser_key)
        target = _repo_by_key(session, target_key)
        edge = ReuseEdge(
            kind=claim.kind,
            reuser_url=reuser_key,
            reuser_name=claim.reuser_name,
            reuser_link=(reuser.html_url if reuser else link_of(claim.reuser_url))[:500],
            reuser_repository_id=reuser.id if reuser else None,
            target_url=target_key,
            target_repository_id=target.id if target else None,
            evidence=claim.evidence[:1000],
            direction="unknown" if unknown else "known",
            created_at=now,
            first_seen_at=now,
            last_confirmed_at=now,
        )
        session.add(edge)
        session.flush()
        if found is not None and edge.id is not None:
            found.add(edge.id)
        if claim.kind == "fork" and find_edge(session, reuser_key, target_key, "declared"):
            edge.notified_at = now  # forked through govcode: its maintainers were told then
            session.add(edge)
            continue
        events += notify_new(session, edge, now=now)
    return events


def confirm(session: Session, edge: ReuseEdge, *, now: datetime) -> None:
    """A crawl found the edge's evidence again: it is live (re-opened if it had ended; its
    source's maintainers were told when it was first seen, so nobody is told again)."""
    edge.last_confirmed_at = now
    edge.ended_at = None
    session.add(edge)


# Which edges of a repository a crawl looked for, by what it examined (records.EXAMINED):
# (kind, the end this repository is: "reuser", "target" or "either").
SCOPES = {
    EXAMINED_FORKS: (("fork", "target"),),
    EXAMINED_PARENT: (("fork", "reuser"),),
    EXAMINED_DECLARED: (("based_on", "reuser"),),
    EXAMINED_CONTENTS: (("dependency", "either"), ("copied", "either")),
}


def scopes_of(examined: Sequence[str], *, derived: bool) -> list[tuple[str, str]]:
    """The (kind, end) pairs a crawl examined; edges found from contents only when this
    store derived them again (``derived``: the repository's findings were replaced)."""
    out: list[tuple[str, str]] = []
    for name in examined:
        if name == EXAMINED_CONTENTS and not derived:
            continue
        out += SCOPES.get(name, ())
    return out


def end_missing(
    session: Session,
    *,
    repository: Repository,
    scopes: Sequence[tuple[str, str]],
    found: set[int],
    now: datetime,
) -> list[int]:
    """End the live edges of ``repository`` in ``scopes`` that this crawl did not find
    again (``found``); they stay, as past reuse. Returns the ended edges' ids."""
    ended: list[int] = []
    key = repository.url_key
    for kind, end in scopes:
        ends = {
            "reuser": ReuseEdge.reuser_url == key,
            "target": ReuseEdge.target_url == key,
            "either": or_(ReuseEdge.reuser_url == key, ReuseEdge.target_url == key),
        }[end]
        query = select(ReuseEdge).where(ReuseEdge.kind == kind, ends, live())
        for edge in session.exec(query):
            if edge.id not in found:
                edge.ended_at = now
                session.add(edge)
                ended.append(edge.id)  # type: ignore[arg-type]
    return ended


def confirm_touching(
    session: Session, *, repository: Repository, kinds: Sequence[str], now: datetime
) -> None:
    """Confirm the live edges of ``kinds`` at either end of a repository whose findings
    are as they were (what they were derived from is unchanged)."""
    key = repository.url_key
    session.exec(  # type: ignore[call-overload]
        update(ReuseEdge)
        .where(
            ReuseEdge.kind.in_(kinds),  # type: ignore[attr-defined]
            or_(ReuseEdge.reuser_url == key, ReuseEdge.target_url == key),
            live(),
        )
        .values(last_confirmed_at=now)
        .execution_options(synchronize_session=False)
    )


def live():
    """The condition of an edge whose evidence the last crawls still found."""
    return ReuseEdge.ended_at.is_(None)  # type: ignore[union-attr]


def find_edge(
    session: Session, a: str, b: str, kind: str, *, either_way: bool = False
) -> ReuseEdge | None:
    """The edge of ``kind`` from ``a`` to ``b`` (or between them either way)."""
    ends = (ReuseEdge.reuser_url == a) & (ReuseEdge.target_url == b)
    if either_way:
        ends = ends | ((ReuseEdge.reuser_url == b) & (ReuseEdge.target_url == a))
    return session.exec(select(ReuseEdge).where(ends, ReuseEdge.kind == kind)).first()


def notify_new(session: Session, edge: ReuseEdge, *, now: datetime) -> list[int]:
    """Events for a new edge: its target's, or both ends' when the direction is unknown."""
    ends = [edge.target_repository_id]
    if edge.direction == "unknown":
        ends.append(edge.reuser_repository_id)
    events = []
    for repo_id in ends:
        repo = session.get(Repository, repo_id) if repo_id is not None else None
        if repo is not None:
            events.append(_event_for(session, edge, repo, now))
    return events


def resolve_pending(session: Session, *, repository: Repository, now: datetime) -> list[int]:
    """Link edges that named this repository by URL before it was in the registry."""
    events: list[int] = []
    pending = session.exec(
        select(ReuseEdge).where(
            or_(
                (ReuseEdge.target_url == repository.url_key)
                & (ReuseEdge.target_repository_id.is_(None)),  # type: ignore[union-attr]
                (ReuseEdge.reuser_url == repository.url_key)
                & (ReuseEdge.reuser_repository_id.is_(None)),  # type: ignore[union-attr]
            )
        )
    ).all()
    for edge in pending:
        if edge.reuser_url == repository.url_key:
            edge.reuser_repository_id = repository.id
            edge.reuser_link = repository.html_url
        if edge.target_url == repository.url_key and edge.target_repository_id is None:
            edge.target_repository_id = repository.id
            session.add(edge)
            session.flush()
            if edge.ended_at is None:  # past reuse is history, not news
                events.append(_event_for(session, edge, repository, now))
        session.add(edge)
    return events


def _event_for(session: Session, edge: ReuseEdge, target: Repository, now: datetime) -> int:
    """The event telling ``target``'s followers about ``edge`` (and its other end)."""
    reuser_agency = None
    reuser_page = None
    other_id, other_name = edge.reuser_repository_id, edge.reuser_name
    other_link = edge.reuser_link or link_of(edge.reuser_url)
    if target.id is not None and target.id == edge.reuser_repository_id:  # direction unknown
        other_id = edge.target_repository_id
        other = session.get(Repository, other_id) if other_id is not None else None
        other_name = other.full_name if other is not None else edge.target_url
        other_link = other.html_url if other is not None else link_of(edge.target_url)
    if other_id is not None:
        reuser = session.get(Repository, other_id)
        if reuser is not None:
            agency = session.get(Agency, reuser.agency_id)
            reuser_agency = agency.name if agency else None
            reuser_page = reuser.id
    who = reuser_agency or other_name
    words = UNKNOWN if edge.direction == "unknown" else SUMMARIES
    event = Event(
        kind="reuse.detected",
        repository_id=target.id,  # type: ignore[arg-type]
        reuse_edge_id=edge.id,
        created_at=now,
        payload={
            "kind": edge.kind,
            "repository_id": target.id,
            "repository_name": target.full_name,
            "repository_html_url": target.html_url,
            "reuser_name": other_name,
            "reuser_url": other_link,
            "reuser_repository_id": reuser_page,
            "reuser_agency": reuser_agency,
            "evidence": edge.evidence,
            "direction": edge.direction,
            "summary": _summary(edge, words, who),
        },
    )
    session.add(event)
    edge.notified_at = now
    session.add(edge)
    session.flush()
    assert event.id is not None
    return event.id


def _summary(edge: ReuseEdge, words: dict[str, str], who: str) -> str:
    """One line for the notice; a declaration carries its evidence (who said so, when)."""
    summary = words.get(edge.kind, "{reuser} reuses this repository").format(reuser=who)
    return f"{summary}: {edge.evidence}" if edge.kind == "declared" and edge.evidence else summary


def _state(ended: bool | None):
    """Live edges (False), ended ones (True), or both (None)."""
    if ended is None:
        return true()
    return ReuseEdge.ended_at.is_not(None) if ended else live()  # type: ignore[union-attr]


def reused_by(session: Session, repo_id: int, *, ended: bool | None = False) -> list[ReuseEdge]:
    """Edges that reuse this repository, and the direction-unknown ones at either end:
    live ones by default, ``ended=True`` the past ones, ``ended=None`` both."""
    return list(
        session.exec(
            select(ReuseEdge)
            .where(
                (ReuseEdge.target_repository_id == repo_id)
                | ((ReuseEdge.reuser_repository_id == repo_id) & (ReuseEdge.direction == "unknown"))
            )
            .where(_state(ended))
            .order_by(ReuseEdge.created_at.desc(), ReuseEdge.id)  # type: ignore[attr-defined]
        ).all()
    )


def reuses(session: Session, repo_id: int, *, ended: bool | None = False) -> list[ReuseEdge]:
    return list(
        session.exec(
            select(ReuseEdge)
            .where(ReuseEdge.reuser_repository_id == repo_id, ReuseEdge.direction == "known")
            .where(_state(ended))
            .order_by(ReuseEdge.created_at.desc(), ReuseEdge.id)  # type: ignore[attr-defined]
        ).all()
    )


def times_reused(session: Session, repo_id: int) -> int:
    """How many live reuse edges point at the repository (every kind, known reusers or not)."""
    query = select(func.count()).select_from(ReuseEdge).where(live())
    return int(session.exec(query.where(ReuseEdge.target_repository_id == repo_id)).one())
