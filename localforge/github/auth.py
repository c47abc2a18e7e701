"""Authentication on FakeGitHub: personal tokens, and GitHub App installation tokens minted
from a JWT signed with the app's private key (RS256), checked the way GitHub checks them.

Off by default (anyone may call the API, as on github.com without a token); once tokens or
an app are registered, every API call must carry ``Authorization: token …`` or ``Bearer …``
with a known token, or it gets 401 Bad credentials.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BAD_CREDENTIALS = {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}
TOKEN_SECONDS = 3600


def make_app_key() -> tuple[str, str]:
    """A fresh RSA key pair as (private PEM, public PEM), as GitHub gives an app owner."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private.decode(), public.decode()


@dataclass
class FakeApp:
    app_id: int
    public_key_pem: str
    installation_ids: set[int] = field(default_factory=set)


class FakeAuth:
    """Known tokens and apps; thread-safe (the server answers on many threads)."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.apps: dict[int, FakeApp] = {}
        self.minted: list[tuple[int, int, str]] = []  # (app id, installation id, token)
        # People's own tokens and the organisations each may create repositories in (what a
        # fork needs); they are accepted for reads too, without making auth required.
        self.people: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    @property
    def required(self) -> bool:
        return bool(self.tokens or self.apps)

    def add_person(self, token: str, *orgs: str) -> None:
        """A person's token with the right to create repositories in ``orgs``."""
        with self._lock:
            self.people.setdefault(token, set()).update(o.lower() for o in orgs)

    def person(self, authorization: str | None) -> tuple[int, str, set[str]]:
        """(401 or 0, message, organisations) for a call that acts as a person."""
        token = _credential(authorization)
        if token is None:
            return 401, "Requires authentication", set()
        with self._lock:
            if token in self.people:
                return 0, "", set(self.people[token])
            if token in self.tokens:
                return 0, "", set()  # a known token with no organisation rights
        return 401, "Bad credentials", set()

    def add_token(self, token: str) -> None:
        with self._lock:
            self.tokens.add(token)

    def add_app(self, app_id: int, public_key_pem: str, installation_id: int) -> None:
        with self._lock:
            app = self.apps.setdefault(app_id, FakeApp(app_id, public_key_pem))
            app.installation_ids.add(installation_id)

    def allows(self, authorization: str | None) -> bool:
        """May a request with this Authorization header call the REST API?"""
        if not self.required:
            return True
        token = _credential(authorization)
        with self._lock:
            return token is not None and (token in self.tokens or token in self.people)

    def mint(self, installation_id: int, authorization: str | None) -> tuple[int, Any]:
        """``POST /app/installations/{id}/access_tokens``: verify the app's JWT (RS256, a
        known ``iss``, not expired), then issue an hour-long installation token."""
        assertion = _credential(authorization)
        if assertion is None:
            return 401, {"message": "A JSON web token could not be decoded"}
        try:
            issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
            app = self.apps.get(int(issuer))
            if app is None:
                return 401, {"message": f"Integration not found: {issuer}"}
            jwt.decode(assertion, app.public_key_pem, algorithms=["RS256"])
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            return 401, {"message": f"A JSON web token could not be decoded: {exc}"}
        if installation_id not in app.installation_ids:
            return 404, {"message": "Not Found"}
        token = "ghs_" + secrets.token_hex(18)
        with self._lock:
            self.tokens.add(token)
            self.minted.append((app.app_id, installation_id, token))
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + TOKEN_SECONDS))
        body = {
            "token": token,
            "expires_at": expires,
            "permissions": {"metadata": "read", "contents": "read"},
            "repository_selection": "all",
        }
        return 201, body


def _credential(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not value.strip():
        return None
    return value.strip()
