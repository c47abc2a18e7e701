"""Repositories and the findings analysis made about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from registry.models._types import created, json_dict, json_list, long_text, when
from registry.models.duties import LicenceDutiesPublic
from registry.models.reuse import ReuseEdgePublic


class RepositoryBase(SQLModel):
    forge: str = Field(max_length=20)
    owner: str = Field(max_length=200)
    name: str = Field(max_length=200)
    full_name: str = Field(max_length=400, index=True)
    html_url: str = Field(max_length=500, unique=True, index=True)
    url_key: str = Field(max_length=500, unique=True, index=True)  # normalise_url(html_url)
    clone_url: str = Field(max_length=500)
    fork_url: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=2000)
    homepage: str = Field(default="", max_length=500)
    default_branch: str = Field(default="", max_length=200)
    stars: int = 0
    forks_count: int = 0
    open_issues: int = 0
    releases: int = 0
    archived: bool = False
    is_fork: bool = False
    is_template: bool = False
    is_mirror: bool = False
    parent_url: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200, index=True)  # SPDX expression
    licence_status: str = Field(default="none", max_length=20)  # identified|unknown|none
    licence_label: str = Field(default="none", max_length=200)
    primary_language: str | None = Field(default=None, max_length=100)
    maturity_level: str = Field(default="development", max_length=20, index=True)
    maturity_score: int = 0
    development_status: str | None = Field(default=None, max_length=20)


class Repository(RepositoryBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    forge_id: str | None = Field(default=None, max_length=100)
    topics: list[str] = json_list()
    readme_excerpt: str = long_text()
    readme_text: str = long_text()
    readme_path: str | None = Field(default=None, max_length=500)
    readme_source: str = long_text()  # as written (capped): the page renders it
    readme_markup: str = Field(default="", max_length=20)  # markdown | text
    publiccode: dict[str, Any] = json_dict()  # name, descriptions, problems, …
    extra_metadata: dict[str, Any] = json_dict()  # code.json, codemeta, manifests: summaries
    truncated: bool = False  # the tree was sampled (over max_tree_files)
    licence_mismatches: list[str] = json_list()
    root_commits: list[str] = json_list()
    head_commit: str = Field(default="", max_length=64)
    head_tree: str = Field(default="", max_length=64)
    commit_weeks: list[int] = json_list()  # commits in each of the last 52 weeks, oldest first
    analysis_hash: str = Field(default="", max_length=64)
    forge_created_at: datetime | None = when()
    pushed_at: datetime | None = when()
    last_commit_at: datetime | None = when()
    first_seen_at: datetime = created()
    last_crawled_at: datetime | None = when()
    last_changed_at: datetime | None = when()
    crawl_error: str | None = Field(default=None, max_length=2000)
    # When the crawl first recorded its tags and releases (RepositoryVersion); until then
    # every version it finds predates govcode and tells reusers nothing.
    versions_seen_at: datetime | None = when()


class RepositoryLanguage(SQLModel, table=True):
    repository_id: int = Field(foreign_key="repository.id", primary_key=True, ondelete="CASCADE")
    language: str = Field(max_length=100, primary_key=True)
    bytes: int = 0
    share: float = 0.0


class LicenceEvidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=50)
    path: str | None = Field(default=None, max_length=500)
    spdx: str | None = Field(default=None, max_length=200)
    confidence: float = 0.0
    detail: str = Field(default="", max_length=1000)


class MaturitySignal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    value: str = Field(default="", max_length=200)
    points: float = 0.0
    weight: float = 0.0
    explanation: str = Field(default="", max_length=1000)


class RepositoryPackage(SQLModel, table=True):
    """A package a repository publishes, or one it depends on (feeds the reuse graph)."""

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    ecosystem: str = Field(max_length=30, index=True)  # npm, pypi, maven, go, …
    name: str = Field(max_length=300, index=True)
    role: str = Field(max_length=20)  # published | dependency
    version_spec: str | None = Field(default=None, max_length=200)


class RepositoryRootCommit(SQLModel, table=True):
    """Root commits: two repositories sharing one share history (provenance)."""

    repository_id: int = Field(foreign_key="repository.id", primary_key=True, ondelete="CASCADE")
    sha: str = Field(max_length=64, primary_key=True, index=True)


class RepositoryHistory(SQLModel, table=True):
    """A repository's sampled history (newest commits first), the evidence of direction."""

    repository_id: int = Field(foreign_key="repository.id", primary_key=True, ondelete="CASCADE")
    commits: list[Any] = json_list()  # [sha, committer UNIX time, author key]
    complete: bool = False  # the sample is the whole history


class RepositoryFingerprint(SQLModel, table=True):
    """Normalised content hashes of source files, for copied-code detection."""

    repository_id: int = Field(foreign_key="repository.id", primary_key=True, ondelete="CASCADE")
    path: str = Field(max_length=500, primary_key=True)
    fingerprint: str = Field(max_length=64, index=True)


class RepositorySketch(SQLModel, table=True):
    """A near-duplicate sketch (MinHash) of one source file at HEAD, in a root commit or in
    a sampled past commit: the evidence of copied code that is gone from HEAD."""

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    path: str = Field(max_length=500)
    root: bool = False  # the file is in a root commit
    minhash: list[Any] = json_list()  # NUM_PERM values


class RepositorySketchBand(SQLModel, table=True):
    """One LSH band key of a sketch: sketches sharing a key are near-duplicate candidates."""

    sketch_id: int = Field(foreign_key="repositorysketch.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(max_length=24, primary_key=True, index=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")


class LanguagePublic(SQLModel):
    language: str
    bytes: int
    share: float


class LicenceDetail(SQLModel):
    id: str
    name: str
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool
    current_id: str
    licence_class: str


class LicenceEvidencePublic(SQLModel):
    source: str
    path: str | None
    spdx: str | None
    confidence: float
    detail: str


class MaturitySignalPublic(SQLModel):
    name: str
    value: str
    points: float
    weight: float
    explanation: str


class PubliccodeProblemPublic(SQLModel):
    severity: str = ""
    key: str = ""
    message: str = ""
    line: int | None = None


class ContactPublic(SQLModel):
    """A maintainer publiccode.yml names in ``maintenance.contacts``."""

    name: str = ""
    email: str | None = None
    affiliation: str | None = None


class PubliccodePublic(SQLModel):
    version: str | None = None
    valid: bool = False
    problems: list[PubliccodeProblemPublic] = []
    contacts: list[ContactPublic] = []  # maintenance.contacts, as the file gives them


class RepositoryRef(SQLModel):
    """Another repository in the registry, by id and name."""

    id: int
    full_name: str


class OriginPublic(SQLModel):
    """Where a repository comes from: the forge's fork link or a declared ``isBasedOn``."""

    kind: str  # fork | based_on
    name: str  # its full name in the registry, else its URL
    url: str  # normalised: host and path
    link: str  # a web address to follow ("" when there is none)
    repository_id: int | None  # when it is in the registry


class RepositoryPublic(RepositoryBase):
    id: int
    origins: list[OriginPublic] = []  # forked from / based on, as each search result shows
    status: str | None = None  # archived | obsolete (as search ranks it) | None: live code
    licence_details: list[LicenceDetail]
    # where declarations and the files disagree, each with the conclusion and why
    licence_mismatches: list[str] = []
    agency: str
    agency_name: str
    topics: list[str]
    readme_excerpt: str
    languages: list[LanguagePublic]
    page_url: str
    last_commit_at: datetime | None
    last_crawled_at: datetime | None
    descriptions: dict[str, str] = Field(
        default_factory=dict,
        description="The short description in each language given, by language tag: the "
        "repository's publiccode.yml's, else an inventory's (Canada's Open Resource Exchange "
        "gives English and French); publiccode.yml wins a language both give.",
    )
    description_sources: dict[str, str] = Field(
        default_factory=dict,
        description="Where each of `descriptions` came from, by the same language tag: "
        '"publiccode" (the repository\'s publiccode.yml) or "ore" (the Open Resource Exchange).',
    )
    agency_names: dict[str, str] = {}  # the agency's name by language (ORE's are bilingual)


class HighlightPublic(SQLModel):
    """Where a search hit holds the query's words: escaped HTML with each matched word in
    ``<mark>`` (the only markup), or null where that text holds none."""

    description: str | None = None
    readme_excerpt: str | None = None


class RepositoryHit(RepositoryPublic):
    """A repository in search results: its public record and the highlighted matches."""

    highlight: HighlightPublic


class ReadmePublic(SQLModel):
    path: str | None
    markup: str  # markdown | text | "" (none found)
    html: str  # rendered and sanitised, as the page shows it


class SoftwareHeritagePublic(SQLModel):
    revision: str  # swh:1:rev:<head commit>
    directory: str | None = None  # swh:1:dir:<head tree>
    citation: str | None = None  # the directory with origin and anchor qualifiers


class VersionPublic(SQLModel):
    """A tag or release as the API shows it; ``advisories`` named in its notes."""

    tag: str
    title: str
    url: str
    commit: str
    published_at: datetime | None
    first_seen_at: datetime
    security_fix: bool  # its notes mention a security fix
    advisories: list[str]


class RepositoryDetail(RepositoryPublic):
    """One repository with everything its page shows (``/api/v1/repositories/{id}``)."""

    licence_duties: LicenceDutiesPublic
    readme: ReadmePublic
    software_heritage: SoftwareHeritagePublic | None  # SHA-1 histories only
    head_commit: str
    commit_weeks: list[int]  # commits in each of the 52 weeks before the last crawl
    badge_url: str
    badge_markdown: str
    generated_publiccode_url: str | None = None  # for a repository without publiccode.yml
    publisher_repositories: list[RepositoryRef] = []  # its agency's others, most starred first

    licence_evidence: list[LicenceEvidencePublic]
    licence_mismatches: list[str]
    maturity_signals: list[MaturitySignalPublic]
    publiccode: PubliccodePublic | None
    reused_by: list[ReuseEdgePublic]  # live edges
    reuses: list[ReuseEdgePublic]  # live edges
    past_reuse: list[ReuseEdgePublic] = []  # ended edges, both ways: the evidence is gone
    versions: list[
        VersionPublic
    ] = []  # the newest tags and releases (reusers are told of new ones)
    truncated: bool  # the tree was sampled: findings are from part of it
    crawl_error: str | None  # why the last crawl of it failed, if it did


class RepositoryVersion(SQLModel, table=True):
    """A tag or release of a repository, as the crawl first saw it (kept when it goes)."""

    __table_args__ = (UniqueConstraint("repository_id", "tag", name="uq_repository_version"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    tag: str = Field(max_length=250)
    commit: str = Field(default="", max_length=64)
    published_at: datetime | None = when()  # tagger date, release date, else commit date
    title: str = Field(default="", max_length=300)
    notes: str = long_text()  # the release's notes or the annotated tag's message (capped)
    url: str = Field(default="", max_length=500)  # the release page, where the forge has one
    first_seen_at: datetime = created()
