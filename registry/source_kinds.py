"""The one table of source kinds: every place govcode can crawl is declared here, once.

A source kind names where an agency publishes code (a GitHub organisation, a GitLab group, a
git URL, a list of git URLs, a code.json inventory). Each entry says how its locator is
written, what its forge can do and which class crawls it. The CLI, the importers, the
services, the pipeline and the pages look a kind up here; nobody compares bare strings.

The forge class is named by its import path and loaded only by ``crawlers.forges.forge_for``
(the pattern of SQLAlchemy's dialect registry), so the domain core can read the table
without importing the crawlers. Adding a kind (Gitea, Bitbucket…) is one forge module plus
one entry below.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import BadRequest
from registry.i18n import N_


@dataclass(frozen=True)
class SourceKind:
    name: str  # stored in ``Source.kind``; for a forge, also ``Repository.forge``
    label: str  # what a person calls it
    locator: str  # how a source of this kind is written
    forge: str  # "module:Class" of the ``crawlers.base.Forge`` that crawls it
    repository_kind: str  # the kind of host its repositories live on ("git" for lists)
    locator_form: str  # how a locator is checked: "login" | "group-path" | "git-url" | "url"
    owner_ignores_case: bool = False  # logins and group paths: "Alberta" is "alberta"
    has_forks: bool = False  # the forge's API lists a repository's forks
    has_fork_page: bool = False  # the forge has a page where a signed-in user forks
    has_fork_api: bool = False  # govcode can fork into an owner with a person's forge token
    api_setting: str | None = None  # the ``Settings`` field with the default API base
    default_host: str | None = None  # the public host, where there is one
    # A file of a repository on the forge's web site ({html_url}, {ref}, {path}); "" where the
    # host has no web view, so relative links in a README cannot be resolved.
    file_url: str = ""
    raw_url: str = ""
    # An inventory lists repositories it does not host: it may only claim one another
    # agency holds, never take it (``registry.services.repository_claims``).
    inventory: bool = False


GITHUB = SourceKind(
    name="github",
    label=N_("GitHub organisation"),
    locator=N_("organisation or user login"),
    forge="crawlers.forges.github:GitHubForge",
    repository_kind="github",
    locator_form="login",
    owner_ignores_case=True,
    has_forks=True,
    has_fork_page=True,
    has_fork_api=True,
    api_setting="github_api_url",
    default_host="github.com",
    file_url="{html_url}/blob/{ref}/{path}",
    raw_url="{html_url}/raw/{ref}/{path}",
)
GITLAB = SourceKind(
    name="gitlab",
    label=N_("GitLab group"),
    locator=N_("group full path (subgroups included) or user"),
    forge="crawlers.forges.gitlab:GitLabForge",
    repository_kind="gitlab",
    locator_form="group-path",
    owner_ignores_case=True,
    has_forks=True,
    has_fork_page=True,
    has_fork_api=True,
    api_setting="gitlab_url",
    default_host="gitlab.com",
    file_url="{html_url}/-/blob/{ref}/{path}",
    raw_url="{html_url}/-/raw/{ref}/{path}",
)
GIT = SourceKind(
    name="git",
    label=N_("git repository"),
    locator=N_("https URL of a git repository"),
    forge="crawlers.forges.plain:GitUrlForge",
    repository_kind="git",
    locator_form="git-url",
)
GIT_LIST = SourceKind(
    name="git-list",
    label=N_("list of git URLs"),
    locator=N_("https URL of a JSON or YAML list of git URLs"),
    forge="crawlers.forges.plain:GitListForge",
    repository_kind="git",
    locator_form="url",
    inventory=True,
)
CODE_JSON = SourceKind(
    name="code-json",
    label=N_("code.json inventory"),
    locator=N_("https URL of a code.json file"),
    forge="crawlers.forges.codejson:CodeJsonForge",
    repository_kind="git",
    locator_form="url",
    inventory=True,
)

KINDS: dict[str, SourceKind] = {k.name: k for k in (GITHUB, GITLAB, GIT, GIT_LIST, CODE_JSON)}


def source_kind(name: str) -> SourceKind:
    """The kind called ``name``; BadRequest for a name the table does not hold."""
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise BadRequest(
            N_("unknown source kind %(name)r (known: %(known)s)"), name=name, known=known
        ) from None


def by_host(host: str) -> SourceKind | None:
    """The forge kind whose public host is ``host`` (github.com, gitlab.com), if any."""
    host = host.lower()
    return next((k for k in KINDS.values() if k.default_host == host), None)


def default_api_url(kind: SourceKind, settings: object) -> str:
    """The API base a source of ``kind`` uses when none is given ("" for plain git)."""
    return str(getattr(settings, kind.api_setting)) if kind.api_setting else ""


def canonical_locator(kind: SourceKind, locator: str) -> str:
    """The spelling under which two sources of one kind are the same place."""
    return locator.lower() if kind.owner_ignores_case else locator
