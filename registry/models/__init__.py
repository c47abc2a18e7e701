"""SQLModel families per entity. Importing this package registers every table."""

from registry.models.agency import Agency, AgencyCreate, AgencyIdentifier, AgencyPublic, Source
from registry.models.audit import AuditEvent
from registry.models.crawl import CrawlRun, IndexChange
from registry.models.credentials import ForgeCredential
from registry.models.repository import (
    LanguagePublic,
    LicenceEvidence,
    MaturitySignal,
    Repository,
    RepositoryDetail,
    RepositoryFingerprint,
    RepositoryHistory,
    RepositoryLanguage,
    RepositoryPackage,
    RepositoryPublic,
    RepositoryRootCommit,
    RepositorySketch,
    RepositorySketchBand,
    RepositoryVersion,
    VersionPublic,
)
from registry.models.reuse import (
    Delivery,
    Event,
    ReuseCountsPublic,
    ReuseEdge,
    ReuseEdgePublic,
    Subscription,
)
from registry.models.user import (
    ApiToken,
    ApiTokenPublic,
    Membership,
    SignInThrottle,
    User,
    UserPublic,
)

__all__ = [
    "Agency",
    "AgencyCreate",
    "AgencyIdentifier",
    "AgencyPublic",
    "ApiToken",
    "ApiTokenPublic",
    "AuditEvent",
    "CrawlRun",
    "Delivery",
    "Event",
    "ForgeCredential",
    "IndexChange",
    "LanguagePublic",
    "LicenceEvidence",
    "MaturitySignal",
    "Membership",
    "Repository",
    "RepositoryDetail",
    "RepositoryFingerprint",
    "RepositoryHistory",
    "RepositoryLanguage",
    "RepositoryPackage",
    "RepositoryPublic",
    "RepositoryRootCommit",
    "RepositorySketch",
    "RepositorySketchBand",
    "RepositoryVersion",
    "ReuseCountsPublic",
    "ReuseEdge",
    "ReuseEdgePublic",
    "SignInThrottle",
    "Source",
    "Subscription",
    "User",
    "UserPublic",
    "VersionPublic",
]
