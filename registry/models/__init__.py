"""SQLModel families per entity. Importing this package registers every table."""

from registry.models.agency import Agency, AgencyCreate, AgencyIdentifier, AgencyPublic, Source
from registry.models.audit import AuditEvent
from registry.models.crawl import CrawlRun, IndexChange
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
)
from registry.models.reuse import (
    FREQUENCIES,
    Delivery,
    Event,
    RepositoryClaim,
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
    "FREQUENCIES",
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
    "IndexChange",
    "LanguagePublic",
    "LicenceEvidence",
    "MaturitySignal",
    "Membership",
    "Repository",
    "RepositoryClaim",
    "RepositoryDetail",
    "RepositoryFingerprint",
    "RepositoryHistory",
    "RepositoryLanguage",
    "RepositoryPackage",
    "RepositoryPublic",
    "RepositoryRootCommit",
    "RepositorySketch",
    "RepositorySketchBand",
    "ReuseEdge",
    "ReuseEdgePublic",
    "SignInThrottle",
    "Source",
    "Subscription",
    "User",
    "UserPublic",
]
