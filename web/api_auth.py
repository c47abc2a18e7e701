"""API callers: a bearer token with the scope the call needs. Reads stay open."""

from __future__ import annotations

import json
from typing import Any

import anyio.from_thread
from sqlmodel import Session
from starlette.requests import Request

from registry.errors import BadRequest, Unauthorized
from registry.models import User
from registry.services import audit, tokens
from web import auth

MAX_BODY = 1_000_000


def token_user(request: Request, session: Session, scope: str) -> User:
    """The owner of the request's ``Authorization: Bearer`` token, which must have ``scope``;
    its last-used time is updated in ``session``."""
    header = request.headers.get("authorization", "")
    kind, _, text = header.partition(" ")
    if kind.lower() != "bearer" or not text.strip():
        raise Unauthorized("this call needs an API token: Authorization: Bearer <token>")
    return tokens.authenticate(session, text=text.strip(), scope=scope)


def actor(request: Request, user: User) -> audit.Actor:
    return audit.Actor(user=user, address=auth.client_address(request))


def read_json(request: Request) -> dict[str, Any]:
    """The JSON object in the body (for plain ``def`` handlers); ``BadRequest`` otherwise."""
    body = anyio.from_thread.run(request.body)
    if len(body) > MAX_BODY:
        raise BadRequest("the request body is too large")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadRequest("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object")
    return data
