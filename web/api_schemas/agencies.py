"""Agencies and their people: the caller and their roles, members, the audit log,
an agency's sign-up and the sources it registers and proves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from registry.models import UserPublic
from registry.source_kinds import GITHUB


class AgencyRole(BaseModel):
    slug: str
    role: str


class Me(UserPublic):
    agencies: list[AgencyRole]


class Member(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "maintainer@gov.example", "role": "maintainer"}]}
    )

    email: str
    role: str


class AuditEntry(BaseModel):
    id: int
    created_at: datetime
    actor: str
    address: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any]
    after: dict[str, Any]


class AgencyRequest(BaseModel):
    """An agency's sign-up; a site admin approves it."""

    name: str
    country: str
    level: str = ""
    website: str = ""
    contact_email: str = ""
    names: dict[str, str] = {}  # localised names by language
    identifiers: dict[str, str] = {}  # scheme -> value (siren, ror, …)


class AgencyRequested(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"slug": "ahs", "status": "pending"}]}
    )

    slug: str
    status: str


class SourceRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": GITHUB.name, "locator": "alberta-health-services"}]
        }
    )

    kind: str  # a source kind: github, gitlab, git, git-list, code-json…
    locator: str
    api_url: str = ""


class SourceRegistered(BaseModel):
    id: int
    kind: str
    locator: str
    api_url: str
    verified: bool
    proof_token: str | None


class SourceProof(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": 3, "verified": False, "where": "the organisation's description"}]
        }
    )

    id: int
    verified: bool
    where: str


class RoleRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "maintainer"}]})

    role: str  # admin | maintainer


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (
    Me,
    Member,
    AuditEntry,
    AgencyRequest,
    AgencyRequested,
    SourceRequest,
    SourceRegistered,
    SourceProof,
    RoleRequest,
)
