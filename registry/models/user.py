"""People who sign in: accounts, the sign-in throttle, memberships of agencies, API tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_list, when


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # normalised, lower case
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)  # argon2id, PHC string
    is_site_admin: bool = False
    # Bumped at sign-out and on a password change: every cookie issued before stops working.
    session_epoch: int = 0
    email_confirmed_at: datetime | None = when()
    last_sign_in_at: datetime | None = when()
    created_at: datetime = created()


class UserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    is_site_admin: bool
    confirmed: bool


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins counted per key (``account:<email>`` or ``address:<ip>``) in a window
    that starts at the first failure."""

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    window_started_at: datetime = created()


class Membership(SQLModel, table=True):
    """A person's role in one agency (a ``registry.access.ROLES`` name)."""

    __table_args__ = (UniqueConstraint("user_id", "agency_id", name="uq_membership"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)
    created_at: datetime = created()


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 is kept; the text is shown once, at creation."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)  # the first characters, so its owner can tell it apart
    token_hash: str = Field(max_length=64, unique=True, index=True)
    scopes: list[str] = json_list()  # ``registry.access.SCOPES`` names
    created_at: datetime = created()
    expires_at: datetime | None = when()
    last_used_at: datetime | None = when()
    revoked_at: datetime | None = when()


class ApiTokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool
