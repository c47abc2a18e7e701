"""Claims: an unclaimed agency's sources, claiming it, and disputed repository claims."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class ClaimableSource(BaseModel):
    """A source of an unclaimed agency, with the token to put where only its owner can."""

    source_id: int
    kind: str
    locator: str
    token: str


class ClaimRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"source_id": 1}]})

    source_id: int


class AgencyClaimed(BaseModel):
    claimed: bool
    where: str  # where the token was found
    source_id: int


class ClaimSource(BaseModel):
    id: int
    kind: str
    locator: str


class RepositoryClaimPublic(BaseModel):
    """Another agency's inventory lists a repository this one holds (a disputed claim)."""

    id: int
    status: str  # disputed | dismissed | upheld
    repository_id: int
    repository: str
    html_url: str
    owner: str  # the agency holding it
    claimant: str  # the agency whose inventory lists it
    claimed_by_source: ClaimSource | None
    created_at: datetime
    last_seen_at: datetime | None


class ClaimDecision(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"decision": "dismiss"}]})

    decision: Literal["dismiss", "uphold"]  # uphold moves the repository to the claimant


class ClaimDecided(BaseModel):
    id: int
    status: str


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (
    ClaimableSource,
    ClaimRequest,
    AgencyClaimed,
    RepositoryClaimPublic,
    ClaimDecision,
    ClaimDecided,
)
