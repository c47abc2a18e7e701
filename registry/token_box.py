"""Encrypt the forge tokens people ask govcode to keep, with a Fernet key from settings.

Fernet (``cryptography``) is AES-128-CBC plus HMAC-SHA256 over a timestamped message: a
stored token can be read only with the key, and a changed one is refused, not misread.
Without ``GOVCODE_FORGE_TOKEN_KEY`` nothing is ever kept: tokens serve one request only.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from registry.errors import BadRequest
from registry.i18n import N_


class TokenBox:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "GOVCODE_FORGE_TOKEN_KEY must be a Fernet key (url-safe base64 of 32 bytes)"
            ) from exc

    @classmethod
    def from_settings(cls, settings: object) -> TokenBox | None:
        """The box, or None when the operator gave no key (tokens are then never kept)."""
        key = getattr(settings, "forge_token_key", None)
        return cls(key.get_secret_value()) if key is not None else None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise BadRequest(
                N_("your kept token can no longer be read (the key changed): give it again")
            ) from None
