"""Forge tokens kept for a person, encrypted: kept only when they ask, forgotten on request."""

from __future__ import annotations

from sqlmodel import Session, select

from registry.models import ForgeCredential, User
from registry.models._types import utcnow
from registry.services import audit
from registry.token_box import TokenBox


def find(session: Session, user: User, *, forge: str, api_url: str) -> ForgeCredential | None:
    query = select(ForgeCredential).where(
        ForgeCredential.user_id == user.id,
        ForgeCredential.forge == forge,
        ForgeCredential.api_url == api_url,
    )
    return session.exec(query).first()


def keep(
    session: Session, actor: audit.Actor, box: TokenBox, *, forge: str, api_url: str, token: str
) -> ForgeCredential:
    """Keep ``token`` for the actor (replacing the one kept for that forge)."""
    assert actor.user is not None
    row = find(session, actor.user, forge=forge, api_url=api_url)
    if row is None:
        row = ForgeCredential(user_id=actor.user.id, forge=forge, api_url=api_url)  # type: ignore[arg-type]
    row.sealed, row.hint = box.seal(token), token[-4:]
    session.add(row)
    session.flush()
    audit.record(session, actor, action="forge_token.keep", target_type="forge_token",
                 target_id=row.id, after={"forge": forge, "api_url": api_url})  # fmt: skip
    return row


def read(session: Session, box: TokenBox, row: ForgeCredential) -> str:
    """The kept token's text (its use is recorded)."""
    row.last_used_at = utcnow()
    session.add(row)
    session.flush()
    return box.open(row.sealed)


def forget(session: Session, actor: audit.Actor, *, forge: str, api_url: str) -> bool:
    assert actor.user is not None
    row = find(session, actor.user, forge=forge, api_url=api_url)
    if row is None:
        return False
    session.delete(row)
    audit.record(session, actor, action="forge_token.forget", target_type="forge_token",
                 target_id=row.id, before={"forge": forge, "api_url": api_url})  # fmt: skip
    session.flush()
    return True
