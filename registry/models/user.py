"""People who sign in, and the sign-in throttle that guards their passwords."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from registry.models._types import created, when


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
