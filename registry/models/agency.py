"""Agencies (public bodies) and the sources (forge owners, inventories) they publish through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict, when


class AgencyBase(SQLModel):
    slug: str = Field(max_length=200, index=True, unique=True)
    name: str = Field(max_length=300)
    country: str | None = Field(default=None, max_length=2)
    level: str | None = Field(default=None, max_length=50)
    homepage: str | None = Field(default=None, max_length=500)


class AgencyCreate(AgencyBase):
    pass


class Agency(AgencyBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The key an inventory gave it ("gh:alberta-health-services", "ore:ahs"): re-imports
    # find the same agency instead of making a second one.
    external_key: str | None = Field(default=None, max_length=300, unique=True, index=True)
    names: dict[str, str] = json_dict()  # localised names by language
    created_at: datetime = created()
    # Signed-up agencies wait for a site administrator; imported and operator-made ones
    # are approved (and unclaimed until someone proves they own one of their sources).
    status: str = Field(
        default="approved", max_length=20, sa_column_kwargs={"server_default": "approved"}
    )
    contact_email: str | None = Field(default=None, max_length=320)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    review_reason: str | None = Field(default=None, max_length=1000)
    reviewed_at: datetime | None = when()


class AgencyIdentifier(SQLModel, table=True):
    """An identifier another registry gives the agency (a ``registry.identifiers`` scheme)."""

    __table_args__ = (UniqueConstraint("scheme", "value", name="uq_agency_identifier"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True, ondelete="CASCADE")
    scheme: str = Field(max_length=20)
    value: str = Field(max_length=200)


class AgencyPublic(AgencyBase):
    id: int
    repositories: int = 0


class SourceBase(SQLModel):
    kind: str = Field(max_length=30)  # a ``registry.source_kinds`` name
    locator: str = Field(max_length=500)  # org login, group path or git URL
    api_url: str = Field(default="", max_length=500)  # forge API base ("" for plain git)


class Source(SourceBase, table=True):
    __table_args__ = (UniqueConstraint("kind", "api_url", "locator", name="uq_source_locator"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    created_at: datetime = created()
    last_crawled_at: datetime | None = when()
    registered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    # The token the agency places where only an owner can; crawled under the agency's name
    # only once ``verified_at`` is set (operator-registered sources count as verified).
    proof_token: str | None = Field(default=None, max_length=100)
    verified_at: datetime | None = when()
