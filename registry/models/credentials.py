"""Forge tokens a person asked govcode to keep, encrypted (``registry.token_box``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, long_text, when


class ForgeCredential(SQLModel, table=True):
    """One person's token for one forge (a kind and its API base); only its Fernet token is
    stored, never the text, and its last characters so its owner can tell which it is."""

    __table_args__ = (UniqueConstraint("user_id", "forge", "api_url", name="uq_forge_credential"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    forge: str = Field(max_length=20)  # a ``SourceKind`` name
    api_url: str = Field(max_length=500)
    sealed: str = long_text()  # Fernet: AES-128-CBC with HMAC-SHA256, timestamped
    hint: str = Field(default="", max_length=8)  # the token's last four characters
    created_at: datetime = created()
    last_used_at: datetime | None = when()
