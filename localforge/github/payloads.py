"""JSON shaped like GitHub's REST v3 answers, built from the fake world.

Field names and nesting follow docs.github.com so PyGithub (and any crawler) reads every
attribute without lazily completing it against a real server.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localforge.github.world import FakeOwner, FakeRepo, World

LICENCE_NAMES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License 2.0",
    "EUPL-1.2": "European Union Public License 1.2",
    "GPL-3.0": "GNU General Public License v3.0",
    "AGPL-3.0": "GNU Affero General Public License v3.0",
    "BSD-3-Clause": 'BSD 3-Clause "New" or "Revised" License',
    "CC0-1.0": "Creative Commons Zero v1.0 Universal",
    "MPL-2.0": "Mozilla Public License 2.0",
    "Unlicense": "The Unlicense",
}


@dataclass(frozen=True)
class Urls:
    """Where the fake answers: ``base`` is ``http://127.0.0.1:PORT``."""

    base: str

    @property
    def api(self) -> str:
        return f"{self.base}/api/v3"

    def clone(self, repo: FakeRepo) -> str:
        return f"{self.base}/git/{repo.full_name}.git"


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def owner_json(urls: Urls, owner: FakeOwner, *, full: bool = False) -> dict[str, Any]:
    path = "orgs" if owner.kind == "Organization" else "users"
    data: dict[str, Any] = {
        "login": owner.login,
        "id": owner.id,
        "node_id": node_id(owner.kind, owner.id),
        "type": owner.kind,
        "site_admin": False,
        "url": f"{urls.api}/{path}/{owner.login}",
        "html_url": f"{urls.base}/{owner.login}",
        "repos_url": f"{urls.api}/{path}/{owner.login}/repos",
        "avatar_url": f"{urls.base}/avatars/{owner.login}.png",
        "description": owner.description,
    }
    if full:
        data.update(
            name=owner.name,
            company=None,
            blog="",
            location=None,
            email=None,
            bio=owner.description if owner.kind == "User" else None,
            is_verified=False,
            created_at=iso(owner.created_at),
            updated_at=iso(owner.created_at),
        )
    return data


def licence_json(urls: Urls, repo: FakeRepo) -> dict[str, Any] | None:
    """GitHub's licence object: the declared SPDX id, "other" for an unrecognised file."""
    spdx = repo.licence_spdx
    if spdx is None:
        if repo.licence_path is None:
            return None
        key, name, spdx = "other", "Other", "NOASSERTION"
    else:
        key, name = spdx.lower(), LICENCE_NAMES.get(spdx, spdx)
    url = None if key == "other" else f"{urls.api}/licenses/{key}"
    return {"key": key, "name": name, "spdx_id": spdx, "url": url, "node_id": node_id("L", 1)}


def repo_json(world: World, urls: Urls, repo: FakeRepo, *, full: bool = False) -> dict[str, Any]:
    """A repository as listed (``full=False``) or as ``GET /repos/{o}/{r}`` returns it."""
    api = f"{urls.api}/repos/{repo.full_name}"
    owner = world.owner(repo.owner)
    data: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": owner_json(urls, owner),
        "private": False,
        "visibility": "public",
        "html_url": f"{urls.base}/{repo.full_name}",
        "description": repo.description or None,
        "fork": repo.parent is not None,
        "url": api,
        "forks_url": f"{api}/forks",
        "tags_url": f"{api}/tags",
        "releases_url": f"{api}/releases{{/id}}",
        "languages_url": f"{api}/languages",
        "contents_url": f"{api}/contents/{{+path}}",
        "git_url": f"{urls.clone(repo)}",
        "clone_url": urls.clone(repo),
        "svn_url": f"{urls.base}/{repo.full_name}",
        "homepage": repo.homepage or None,
        "size": repo.size_kb,
        "stargazers_count": repo.stars,
        "watchers_count": repo.stars,
        "language": repo.language,
        "has_issues": True,
        "has_wiki": False,
        "has_pages": False,
        "forks_count": len(repo.forks),
        "forks": len(repo.forks),
        "open_issues_count": repo.open_issues,
        "open_issues": repo.open_issues,
        "watchers": repo.stars,
        "default_branch": repo.default_branch,
        "topics": list(repo.topics),
        "archived": repo.archived,
        "disabled": repo.disabled,
        "mirror_url": repo.mirror_url,
        "is_template": repo.is_template,
        "allow_forking": True,
        "license": licence_json(urls, repo),
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "pushed_at": iso(repo.pushed_at),
    }
    if full:
        data["network_count"] = len(repo.forks)
        data["subscribers_count"] = 0
        if owner.kind == "Organization":
            data["organization"] = owner_json(urls, owner)
        parent = world.repos.get(repo.parent.lower()) if repo.parent else None
        if parent is not None:
            data["parent"] = repo_json(world, urls, parent)
            source = world.source_of(repo) or parent
            data["source"] = repo_json(world, urls, source)
    return data
