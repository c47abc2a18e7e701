"""The reuse graph's answers, forking through govcode and declaring "we use this"."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from registry.models import ReuseEdgePublic
from registry.models.duties import LicenceDutiesPublic


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


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (
    ReuseEdges,
    ForkPlan,
    ForkRequest,
    Forked,
    DeclarationRequest,
    Declared,
)
