"""Fork to my organisation: drive the forge's fork API, then record the reuse at once.

The web route (page or API) calls ``fork_repository`` with a person's forge token, which is
used for that one request and never stored unless they ask (then encrypted, see
``registry.token_box``). The forge code stays in ``crawlers.forges``;
what is recorded goes through ``registry.services.declared`` (one transaction: the edge,
its outbox event and the audit entry), and the event's delivery is queued (inline when
``queue_immediate``), so the source's maintainers are told without waiting for a crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from crawlers.base import RepoRef
from crawlers.forges import forge_class
from registry.db import session_scope
from registry.errors import BadRequest
from registry.models import Agency, User
from registry.services import audit, declared, forge_credentials, source_registry
from registry.settings import Settings
from registry.source_kinds import source_kind
from registry.token_box import TokenBox
from registry.urlpolicy import check_url

MAX_TOKEN = 500  # longer than any forge's token; a longer one is a paste gone wrong


@dataclass(frozen=True)
class ForkResult:
    repository_id: int
    fork_name: str  # owner/name on the forge
    fork_url: str  # the fork's page on the forge
    clone_url: str
    edge_id: int
    event_ids: tuple[int, ...]


def check_request(
    settings: Settings, origin: declared.ForkOrigin, owner: str, token: str, *, kept: bool = False
) -> str:
    """The target owner as given, once it and the token are well formed for the forge
    (``kept``: no token is needed, the person's kept one will be used)."""
    kind = source_kind(origin.forge)
    if not kind.has_fork_api:
        raise BadRequest(f"{kind.label}s have no fork API; clone and push to your host instead")
    owner = owner.strip()
    if not owner:
        raise BadRequest("name the organisation or group to fork into")
    source_registry.check_locator(kind, owner, settings)  # refuses "../x", spaces, URLs
    token = token.strip()
    if not token and kept:
        return owner
    if not token:
        raise BadRequest(f"give a {kind.label.split()[0]} token that may create repositories")
    if len(token) > MAX_TOKEN or any(c.isspace() or not c.isprintable() for c in token):
        raise BadRequest("that does not look like a forge token")
    return owner


def fork_repository(
    engine: Engine,
    settings: Settings,
    actor: audit.Actor,
    *,
    repository_id: int,
    owner: str,
    token: str,
    agency_slug: str | None = None,
    remember: bool = False,
    now: datetime | None = None,
) -> ForkResult:
    """Fork the registry repository into ``owner`` with ``token`` (empty: the token the
    person asked govcode to keep for that forge); wait for the fork; record a ``declared``
    edge (signed by the actor's verified agency, when they have one) and queue the notice
    to the source's maintainers. ``remember``: keep the token, encrypted, once it worked."""
    box = TokenBox.from_settings(settings)
    if remember and (box is None or actor.user is None):
        raise BadRequest("this registry keeps no forge tokens: give yours each time")
    token = token.strip()
    with session_scope(engine) as session:
        origin = declared.fork_origin(session, repository_id, settings=settings)
        agency = _agency(session, actor.user, agency_slug)
        if not token and box is not None and actor.user is not None:
            kept = forge_credentials.find(
                session, actor.user, forge=origin.forge, api_url=origin.api_url
            )
            token = forge_credentials.read(session, box, kept) if kept is not None else ""
    owner = check_request(settings, origin, owner, token)
    kind = source_kind(origin.forge)
    url_check = partial(check_url, allow_http_hosts=settings.allow_http_hosts)
    forge = forge_class(kind).for_person(settings, origin.api_url, token, url_check)
    ref = _ref(origin)
    try:
        fork = forge.fork(
            ref, owner, wait=settings.fork_wait_seconds, poll=settings.fork_poll_seconds
        )
    finally:
        forge.close()
    with session_scope(engine) as session:
        agency = session.get(Agency, agency.id) if agency is not None else None
        user = session.get(User, actor.user.id) if actor.user is not None else None
        who = audit.Actor(user=user, address=actor.address, name=actor.name)
        made = declared.record_fork(
            session, who, repository_id=repository_id, fork_url=fork.html_url,
            fork_name=fork.full_name, agency=agency, now=now or datetime.now(UTC),
        )  # fmt: skip
        if remember and box is not None:
            forge_credentials.keep(session, who, box, forge=origin.forge,
                                   api_url=origin.api_url, token=token)  # fmt: skip
    if made.event_ids:
        deliver_soon(settings)
    return ForkResult(
        repository_id=repository_id,
        fork_name=fork.full_name,
        fork_url=fork.html_url,
        clone_url=fork.clone_url,
        edge_id=made.edge_id,
        event_ids=made.event_ids,
    )


def deliver_soon(settings: Settings) -> None:
    """Queue a delivery pass (it runs here and now when ``queue_immediate``)."""
    from crawlers.tasks import register
    from registry.queue import make_huey

    register(make_huey(settings), settings).deliver()


def _agency(session: Session, user: User | None, slug: str | None) -> Agency | None:
    if user is None:
        return None
    agency = declared.member_agency(session, user, slug)
    if agency is not None:
        session.expunge(agency)
    return agency


def _ref(origin: declared.ForkOrigin) -> RepoRef:
    return RepoRef(
        forge=origin.forge,
        owner=origin.owner,
        name=origin.name,
        clone_url=origin.clone_url,
        html_url=origin.html_url,
        forge_id=origin.forge_id,
    )
