"""An agency registers a source: any kind in ``registry.source_kinds``, checked before it
is stored. The same place twice, or one another agency registered, gets a clear answer and
never a second row; a URL is refused unless the URL policy passes it."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from registry import source_kinds
from registry.errors import BadRequest, Conflict, Forbidden, Phrase
from registry.i18n import N_
from registry.models import Agency, Source
from registry.services import audit, memberships
from registry.settings import Settings
from registry.urlpolicy import check_git_url, check_url

_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_GROUP = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254}(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]{0,254})*")


def _login(locator: str, kind: source_kinds.SourceKind, allow: list[str]) -> None:
    if not _LOGIN.fullmatch(locator):
        raise BadRequest(N_("%(locator)r is not a %(label)s login (%(form)s)"), locator=locator,
                         label=Phrase(kind.label), form=Phrase(kind.locator))  # fmt: skip


def _group_path(locator: str, kind: source_kinds.SourceKind, allow: list[str]) -> None:
    if not _GROUP.fullmatch(locator) or ".." in locator:
        raise BadRequest(N_("%(locator)r is not a %(label)s path (%(form)s)"), locator=locator,
                         label=Phrase(kind.label), form=Phrase(kind.locator))  # fmt: skip


# How each ``SourceKind.locator_form`` is checked (a URL only after the URL policy passes it)
LOCATOR_CHECKS = {
    "login": _login,
    "group-path": _group_path,
    "git-url": lambda locator, kind, allow: check_git_url(locator, allow_http_hosts=allow),
    "url": lambda locator, kind, allow: check_url(locator, allow_http_hosts=allow),
}


def check_locator(kind: source_kinds.SourceKind, locator: str, settings: Settings) -> str:
    """The locator as stored, once it is well formed for its kind (BadRequest if not)."""
    locator = locator.strip()
    LOCATOR_CHECKS[kind.locator_form](locator, kind, settings.allow_http_hosts)
    return source_kinds.canonical_locator(kind, locator)


def resolve_api_url(kind: source_kinds.SourceKind, api_url: str, settings: Settings) -> str:
    """The API base of a source: the kind's default unless another (checked) one is given."""
    default = source_kinds.default_api_url(kind, settings)
    api_url = (api_url or "").strip().rstrip("/")
    if not kind.api_setting:
        if api_url:
            raise BadRequest(N_("a %(label)s has no API URL"), label=Phrase(kind.label))
        return ""
    if not api_url or api_url == default.rstrip("/"):
        return default
    return check_url(api_url, allow_http_hosts=settings.allow_http_hosts)


def register(
    session: Session,
    actor: audit.Actor,
    *,
    agency: Agency,
    kind: str,
    locator: str,
    api_url: str = "",
    settings: Settings,
) -> Source:
    """A new, unverified source of ``agency`` with a fresh ownership-proof token."""
    if agency.status != "approved":
        raise Forbidden(
            N_("%(agency_name)s is not approved yet; sources come after approval"),
            agency_name=agency.name,
        )
    if actor.user is not None:
        memberships.require(session, actor.user, agency, "register_sources")
    found = source_kinds.source_kind(kind)
    locator = check_locator(found, locator, settings)
    api_url = resolve_api_url(found, api_url, settings)
    existing = session.exec(
        select(Source).where(
            Source.kind == found.name, Source.api_url == api_url, Source.locator == locator
        )
    ).first()
    if existing is not None:
        if existing.agency_id == agency.id:
            raise Conflict(
                N_("%(agency_name)s registered this %(label)s already (source %(source_id)s)"),
                agency_name=agency.name, label=Phrase(found.label), source_id=existing.id,
            )  # fmt: skip
        raise Conflict(
            N_(
                "this %(label)s is registered by another agency; if it is yours, ask a site "
                "administrator to review the claim"
            ),
            label=Phrase(found.label),
        )
    source = Source(
        agency_id=agency.id,  # type: ignore[arg-type]
        kind=found.name,
        locator=locator,
        api_url=api_url,
        registered_by_id=actor.user.id if actor.user else None,
        proof_token=f"govcode-verify-{secrets.token_hex(16)}",
    )
    try:
        with session.begin_nested():
            session.add(source)
    except IntegrityError:  # registered at the same moment by someone else
        raise Conflict(
            N_("this %(label)s was just registered; reload and look"), label=Phrase(found.label)
        ) from None
    audit.record(
        session, actor, action="source.register", target_type="source", target_id=source.id,
        agency_id=agency.id, after={"kind": found.name, "locator": locator, "api_url": api_url},
    )  # fmt: skip
    return source
