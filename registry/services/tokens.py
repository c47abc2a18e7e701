"""API tokens: created and revoked by their owner, shown once, kept as a SHA-256 hash.

Tokens are 256 random bits, so a plain SHA-256 suffices (no password-style stretching);
a lookup by hash never compares secrets character by character in Python.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from registry import access
from registry.errors import BadRequest, Forbidden, NotFound, Unauthorized
from registry.i18n import N_
from registry.models import ApiToken, ApiTokenPublic, User
from registry.models._types import utcnow
from registry.services import audit

PREFIX = "gct_"
MAX_DAYS = 366


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def public(token: ApiToken) -> ApiTokenPublic:
    assert token.id is not None
    return ApiTokenPublic(
        id=token.id, name=token.name, prefix=token.prefix, scopes=token.scopes,
        created_at=token.created_at, expires_at=token.expires_at,
        last_used_at=token.last_used_at, revoked=token.revoked_at is not None,
    )  # fmt: skip


def create(
    session: Session, actor: audit.Actor, *, name: str, scopes: list[str], days: int
) -> tuple[ApiToken, str]:
    """A new token for the actor and its text (shown once, never stored)."""
    name = " ".join(name.split())[:100]
    if not name:
        raise BadRequest(N_("give the token a name, so you can tell it apart later"))
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest(N_("a token lives 1 to %(limit)s days"), limit=MAX_DAYS)
    if actor.user is None:
        raise BadRequest(N_("tokens belong to a person: sign in to make one"))
    text = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user.id,  # type: ignore[arg-type]
        name=name,
        prefix=text[:12],
        token_hash=_hash(text),
        scopes=access.scopes(scopes),
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session, actor, action="token.create", target_type="token", target_id=token.id,
        after={"name": token.name, "scopes": token.scopes,
               "expires_at": token.expires_at.isoformat() if token.expires_at else None},
    )  # fmt: skip
    return token, text


def of_user(session: Session, user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id).desc())
    return list(session.exec(query))


def revoke(session: Session, actor: audit.Actor, *, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or actor.user is None or token.user_id != actor.user.id:
        raise NotFound(
            N_("you have no token %(token_id)s"), token_id=token_id
        )  # another's token: same answer
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(
            session, actor, action="token.revoke", target_type="token", target_id=token.id,
            before={"revoked": False}, after={"revoked": True},
        )  # fmt: skip
    session.flush()
    return token


def authenticate(session: Session, *, text: str, scope: str) -> User:
    """The owner of a live token that has ``scope``; ``Unauthorized`` for an unknown,
    revoked or expired token, ``Forbidden`` for one without the scope."""
    if scope not in access.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(text))).first()
    if token is None or not text.startswith(PREFIX):
        raise Unauthorized(N_("that API token is not valid"))
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthorized(N_("that API token was revoked"))
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized(N_("that API token has expired"))
    if scope not in token.scopes:
        raise Forbidden(N_("that API token lacks the %(scope)r scope"), scope=scope)
    user = session.get(User, token.user_id)
    if user is None:
        raise Unauthorized(N_("that API token is not valid"))
    token.last_used_at = now
    session.add(token)
    session.flush()
    return user
