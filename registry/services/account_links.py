"""Signed, expiring links for e-mail confirmation and password reset (itsdangerous).

A confirmation token names the user and the address it confirms, so confirming an old
address after a change does nothing. A reset token carries a fingerprint of the current
password hash, so it works once: the reset changes the hash and the token no longer matches.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from registry.errors import BadRequest
from registry.i18n import N_

CONFIRM = "govcode.confirm-email"
RESET = "govcode.reset-password"


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=purpose)


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def make(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    return str(_serializer(secret, purpose).dumps(payload))


def read(secret: str, purpose: str, token: str, *, max_age: int) -> dict[str, Any]:
    """The payload of a token made for ``purpose``; ``BadRequest`` when forged or expired."""
    try:
        payload = _serializer(secret, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadRequest(N_("this link has expired; ask for a new one")) from None
    except BadSignature:
        raise BadRequest(N_("this link is not valid")) from None
    if not isinstance(payload, dict):
        raise BadRequest(N_("this link is not valid"))
    return payload
