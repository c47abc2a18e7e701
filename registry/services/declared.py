"""Declared reuse: what a reuser states itself, recorded at once as a ``declared`` edge.

Two acts make one: a fork made through govcode's fork button (the fork is the reuser), and
a verified agency's member pressing "we use this" on a repository (the agency's page is the
reuser). Each edge keeps who declared it, and its new edge writes the same ``reuse.detected``
outbox event every other kind does, so the source's maintainers are told the usual way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from registry.errors import BadRequest, Forbidden, NotFound
from registry.i18n import N_
from registry.models import Agency, Membership, Repository, ReuseEdge, Source, User
from registry.services import audit, reuse
from registry.services.records import normalise_url
from registry.source_kinds import GIT, default_api_url, source_kind

DECLARED = "declared"


@dataclass(frozen=True)
class ForkOrigin:
    """What forking a registry repository needs to know about it (no table objects)."""

    repository_id: int
    forge: str  # a ``SourceKind`` name
    api_url: str
    owner: str
    name: str
    forge_id: str | None
    clone_url: str
    html_url: str
    fork_url: str  # the forge's own fork page ("" where none)


def fork_origin(session: Session, repository_id: int, *, settings: object) -> ForkOrigin:
    """The repository's forge, API base and names; NotFound when there is no such one."""
    repo = session.get(Repository, repository_id) if repository_id > 0 else None
    if repo is None:
        raise NotFound(N_("no repository %(repository_id)s"), repository_id=repository_id)
    source = session.get(Source, repo.source_id) if repo.source_id else None
    api_url = source.api_url if source is not None and source.kind == repo.forge else ""
    try:
        kind = source_kind(repo.forge)
    except BadRequest:  # a kind no longer in the table: treat it as plain git
        kind = GIT
    return ForkOrigin(
        repository_id=repository_id,
        forge=kind.name,
        api_url=api_url or default_api_url(kind, settings),
        owner=repo.owner,
        name=repo.name,
        forge_id=repo.forge_id,
        clone_url=repo.clone_url,
        html_url=repo.html_url,
        fork_url=repo.fork_url,
    )


def verified_agencies(session: Session, user: User) -> list[Agency]:
    """The approved agencies ``user`` belongs to that have proved they own a source."""
    verified = select(Source.agency_id).where(col(Source.verified_at).is_not(None))
    query = (
        select(Agency)
        .join(Membership, Membership.agency_id == Agency.id)  # type: ignore[arg-type]
        .where(Membership.user_id == user.id, Agency.status == "approved")
        .where(col(Agency.id).in_(verified))
        .order_by(Agency.name)
    )
    return list(session.exec(query).all())


def member_agency(session: Session, user: User, slug: str | None) -> Agency | None:
    """The agency (by slug) ``user`` acts for, which must be one of their verified ones;
    with no slug, their only verified agency if they have exactly one, else None."""
    mine = verified_agencies(session, user)
    if not slug:
        return mine[0] if len(mine) == 1 else None
    for agency in mine:
        if agency.slug == slug:
            return agency
    raise Forbidden(N_("you are not a member of a verified agency %(slug)r"), slug=slug)


def who(agency: Agency | None, user: User | None) -> str:
    """How a declaration is signed: the agency, with the person's name when they gave one."""
    person = (user.display_name or "").strip() if user is not None else ""
    if agency is not None:
        return f"{agency.name} ({person})" if person else agency.name
    return person or "a govcode user"


@dataclass(frozen=True)
class Declared:
    edge_id: int
    created: bool  # False: it had been declared already (nothing new is sent)
    event_ids: tuple[int, ...]


def record_fork(
    session: Session,
    actor: audit.Actor,
    *,
    repository_id: int,
    fork_url: str,
    fork_name: str,
    agency: Agency | None,
    now: datetime,
) -> Declared:
    """The fork govcode just made, as a ``declared`` edge from the fork to the repository."""
    target = _repository(session, repository_id)
    evidence = f"forked through govcode by {who(agency, actor.user)} on {now.date().isoformat()}"
    declared = _declare(
        session, target=target, reuser_url=fork_url, reuser_name=fork_name,
        evidence=evidence, agency=agency, user=actor.user, now=now,
    )  # fmt: skip
    audit.record(
        session, actor, action="reuse.fork", target_type="repository", target_id=repository_id,
        agency_id=agency.id if agency else None, after={"fork": fork_url},
    )  # fmt: skip
    return declared


def declare_use(
    session: Session,
    actor: audit.Actor,
    *,
    repository_id: int,
    agency: Agency,
    agency_url: str,
    now: datetime,
) -> Declared:
    """``agency`` (a verified one ``actor`` belongs to) says it uses the repository."""
    if actor.user is not None and agency not in verified_agencies(session, actor.user):
        raise Forbidden(
            N_("only members of a verified agency may declare use for %(agency_name)s"),
            agency_name=agency.name,
        )
    target = _repository(session, repository_id)
    evidence = f"{who(agency, actor.user)} declared on govcode on {now.date().isoformat()}"
    evidence += " that it uses this repository"
    declared = _declare(
        session, target=target, reuser_url=agency_url, reuser_name=agency.name,
        evidence=evidence, agency=agency, user=actor.user, now=now,
    )  # fmt: skip
    if declared.created:
        audit.record(
            session, actor, action="reuse.declare", target_type="repository",
            target_id=repository_id, agency_id=agency.id, after={"agency": agency.slug},
        )  # fmt: skip
    return declared


def declarer(session: Session, edge: ReuseEdge) -> str | None:
    """Who declared a ``declared`` edge, as pages and the API show it (None otherwise)."""
    if edge.kind != DECLARED:
        return None
    agency = session.get(Agency, edge.declared_by_agency_id) if edge.declared_by_agency_id else None
    user = session.get(User, edge.declared_by_user_id) if edge.declared_by_user_id else None
    return who(agency, user)


def _repository(session: Session, repository_id: int) -> Repository:
    repo = session.get(Repository, repository_id) if repository_id > 0 else None
    if repo is None:
        raise NotFound(N_("no repository %(repository_id)s"), repository_id=repository_id)
    return repo


def _declare(
    session: Session,
    *,
    target: Repository,
    reuser_url: str,
    reuser_name: str,
    evidence: str,
    agency: Agency | None,
    user: User | None,
    now: datetime,
) -> Declared:
    reuser_key = normalise_url(reuser_url)
    existing = reuse.find_edge(session, reuser_key, target.url_key, DECLARED)
    if existing is not None:
        assert existing.id is not None
        return Declared(existing.id, False, ())
    reuser = session.exec(select(Repository).where(Repository.url_key == reuser_key)).first()
    edge = ReuseEdge(
        kind=DECLARED,
        reuser_url=reuser_key,
        reuser_name=reuser_name[:400],
        reuser_link=(reuser.html_url if reuser else reuse.link_of(reuser_url))[:500],
        reuser_repository_id=reuser.id if reuser else None,
        target_url=target.url_key,
        target_repository_id=target.id,
        evidence=evidence[:1000],
        created_at=now,
        declared_by_agency_id=agency.id if agency else None,
        declared_by_user_id=user.id if user else None,
    )
    session.add(edge)
    session.flush()
    assert edge.id is not None
    return Declared(edge.id, True, tuple(reuse.notify_new(session, edge, now=now)))
