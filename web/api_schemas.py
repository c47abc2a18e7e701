"""The shapes the JSON API answers with, beyond the entities' own Public models.

Each is named in the OpenAPI document (``web.openapi``); tests/web/test_schemathesis.py
checks the live answers against them, so the document and the answers cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.models import DeliveryPublic, RepositoryPublic, ReuseEdgePublic, UserPublic
from registry.models.duties import LicenceDutiesPublic
from registry.models.repository import RepositoryHit
from registry.notify.channels import CHANNELS, EMAIL
from registry.source_kinds import GITHUB


class InvalidParam(BaseModel):
    name: str
    in_: str = Field(alias="in")  # query | path | header | body
    reason: str


class Problem(BaseModel):
    """Problem details (RFC 9457), served as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


class FacetCount(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "MIT", "count": 12}]})

    value: str
    count: int


class RepositoryPage(BaseModel):
    """A page of search results with facet counts (each ignoring its own filter)."""

    total: int
    page: int
    per_page: int
    corrected: str | None  # "Showing results for …": typos were corrected
    did_you_mean: str | None  # nothing matched; this would
    # opaque: pass it as ``cursor`` for the page after this one; null on the last page
    next_cursor: str | None
    items: list[RepositoryHit]  # each with where the words searched for matched
    facets: dict[str, list[FacetCount]]
    feed_url: str  # the Atom feed of new repositories matching this search


class RepositoryList(BaseModel):
    items: list[RepositoryPublic]


class Suggestions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"q": "cov", "suggestions": ["covid", "coverage"]}]}
    )

    q: str
    suggestions: list[str]


class AgencySummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "ahs",
                    "name": "Alberta Health Services",
                    "country": "CA",
                    "repositories": 12,
                }
            ]
        }
    )

    slug: str
    name: str
    names: dict[str, str] = {}  # localised names by language
    country: str | None
    repositories: int


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


class GeneratedPubliccode(BaseModel):
    """A publiccode.yml govcode wrote from what it inferred, for a repository with none."""

    repository_id: int
    url: str  # where the YAML itself is served
    yaml: str
    valid: bool  # by govcode's own publiccode.yml validation (the reference parser's rules)
    problems: list[str]


class OpenAPIDocument(BaseModel):
    """This document."""

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


# -- the reuse graph, fork and "we use this" ---------------------------------------------------
class ReuseEdges(BaseModel):
    """A repository's reuse edges both ways, newest first."""

    items: list[ReuseEdgePublic]


class ForkPlan(BaseModel):
    """How a repository can be forked: through govcode (the forge's API), on the forge's own
    page, or by clone and push; what its licence asks."""

    repository_id: int
    full_name: str
    forge: str
    through_govcode: bool
    owner_label: str  # what the forge calls the owner to fork into (organisation, group…)
    forge_fork_page: str | None
    clone_command: str
    push_commands: list[str]
    licence_duties: LicenceDutiesPublic
    licence_unclear: bool  # missing, unknown or disputed: accept_unclear_licence is needed
    agencies: list[str]  # slugs of the caller's verified agencies (none without a token)


class ForkRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"owner": "ontario-digital", "accept_licence": True}]}
    )

    owner: str  # the organisation or group to fork into
    forge_token: str = ""  # yours, used once; omit it to use the one govcode keeps for you
    keep_forge_token: bool = False  # keep it, encrypted
    agency: str = ""  # slug of your verified agency that uses the fork
    accept_licence: bool  # you read licence_duties
    accept_unclear_licence: bool = False  # needed when licence_unclear


class ForkedRepository(BaseModel):
    name: str  # owner/name on the forge
    url: str  # the fork's page
    clone_url: str


class Forked(BaseModel):
    repository_id: int
    fork: ForkedRepository
    declared_edge_id: int  # the ``declared`` reuse edge recorded
    notified: bool  # the source's followers were told


class DeclarationRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"agency": "ods"}]})

    agency: str = ""  # which of your verified agencies (needed when you are in several)


class Declared(BaseModel):
    repository_id: int
    declared_edge_id: int
    created: bool  # false: it had been declared already


# -- subscriptions and their delivery log --------------------------------------------------
class SubscriptionPublic(BaseModel):
    """One subscription as its owner sees it (never its secret or feed token)."""

    id: int
    channel: str  # email | webhook | atom
    address: str
    frequency: str  # immediate | daily
    active: bool
    pending: bool  # waiting for the address's owner to confirm
    by_default: bool
    follows: str  # repository | agency | search
    label: str
    repository_id: int | None
    agency_id: int | None
    search: str | None
    page: str
    created_at: datetime


class SubscriptionMade(SubscriptionPublic):
    """A new subscription; a webhook's ``secret`` or an Atom ``feed_url`` is shown this once."""

    secret: str | None = None
    feed_url: str | None = None


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": EMAIL.name, "agency": "ahs"}]}
    )

    channel: Literal[tuple(CHANNELS)] = EMAIL.name  # type: ignore[valid-type]
    repository_id: int | None = None  # name one of repository_id, agency, search
    agency: str | None = None  # an agency's slug
    search: str | None = None  # the search page's query string
    address: str = ""  # e-mail (empty: your own) or the webhook's URL
    frequency: Literal["immediate", "daily"] = "immediate"  # e-mail only


class SubscriptionChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})

    active: bool | None = None
    frequency: Literal["immediate", "daily"] | None = None


class SubscriptionState(BaseModel):
    """A subscription's delivery state: paused after a run of failures, until resumed."""

    id: int
    channel: str
    address: str
    active: bool
    paused_at: datetime | None
    paused_reason: str | None
    failing_since: datetime | None
    previous_secret_valid_until: datetime | None


class LoggedSubscription(SubscriptionState):
    follows: str  # what it follows, in words


class DeliveryLog(BaseModel):
    """Deliveries newest first, each with every attempt; ``next_before`` pages back."""

    subscription: LoggedSubscription
    deliveries: list[DeliveryPublic]
    next_before: int | None


class SecretRotation(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"overlap_hours": 24}]})

    overlap_hours: float | None = None  # how long the old secret stays valid (default: set)
    secret: str | None = None  # your own new secret (default: a random one)


class SecretRotated(BaseModel):
    id: int
    secret: str  # shown this once
    previous_secret_valid_until: datetime | None


# -- claims ----------------------------------------------------------------------------------
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


SCHEMAS: tuple[type[BaseModel], ...] = (
    Problem,
    RepositoryPage,
    RepositoryList,
    Suggestions,
    AgencySummary,
    Me,
    Member,
    AuditEntry,
    AgencyRequest,
    AgencyRequested,
    SourceRequest,
    SourceRegistered,
    SourceProof,
    RoleRequest,
    GeneratedPubliccode,
    OpenAPIDocument,
    ReuseEdges,
    ForkPlan,
    ForkRequest,
    Forked,
    DeclarationRequest,
    Declared,
    SubscriptionPublic,
    SubscriptionMade,
    SubscriptionRequest,
    SubscriptionChange,
    SubscriptionState,
    DeliveryLog,
    SecretRotation,
    SecretRotated,
    ClaimableSource,
    ClaimRequest,
    AgencyClaimed,
    RepositoryClaimPublic,
    ClaimDecision,
    ClaimDecided,
)
