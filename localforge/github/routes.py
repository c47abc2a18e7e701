"""The GitHub REST v3 routes the fake answers: path in, status + JSON + headers out.

Pure functions of the world, free of sockets, so the server module only deals with HTTP
concerns (ETags, rate limits, faults, logging).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any
from urllib.parse import unquote, urlencode

import git

from localforge.github.payloads import Urls, iso, node_id, owner_json, repo_json
from localforge.github.world import FakeRepo, World

NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    path: str  # below /api/v3, e.g. /orgs/acme/repos
    query: dict[str, str]
    url: str  # the full URL without query, for Link headers


def paginate(request: Request, items: list[Any]) -> Answer:
    """GitHub's page/per_page with RFC 5988 Link (first, prev, next, last when they apply)."""
    try:
        per_page = min(max(int(request.query.get("per_page", 30)), 1), 100)
        page = max(int(request.query.get("page", 1)), 1)
    except ValueError:
        return Answer(400, {"message": "Invalid page or per_page"})
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int, rel: str) -> str:
        query = dict(request.query, per_page=str(per_page), page=str(number))
        return f'<{request.url}?{urlencode(query)}>; rel="{rel}"'

    links = []
    if page > 1:
        links += [link(min(page - 1, last), "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return Answer(200, chunk, {"Link": ", ".join(links)} if links else {})


def _sorted_repos(repos: list[FakeRepo], query: dict[str, str], default_sort: str) -> list:
    sort = query.get("sort", default_sort)
    keys: dict[str, Callable[[FakeRepo], Any]] = {
        "full_name": lambda r: r.full_name.lower(),
        "created": lambda r: (r.created_at, r.id),
        "updated": lambda r: (r.updated_at, r.id),
        "pushed": lambda r: (r.pushed_at, r.id),
    }
    key = keys.get(sort, keys["full_name"])
    direction = query.get("direction", "asc" if sort == "full_name" else "desc")
    kind = query.get("type", "all")
    if kind == "forks":
        repos = [r for r in repos if r.parent]
    elif kind == "sources":
        repos = [r for r in repos if not r.parent]
    return sorted(repos, key=key, reverse=direction == "desc")


def _owner_repos(world: World, urls: Urls, req: Request, login: str, org: bool) -> Answer:
    owner = world.owners.get(login.lower())
    if owner is None or (org and owner.kind != "Organization"):
        return Answer(404, NOT_FOUND)
    default_sort = "created" if org else "full_name"
    repos = _sorted_repos(world.repos_of(login), req.query, default_sort)
    return paginate(req, [repo_json(world, urls, r) for r in repos])


def _contents(urls: Urls, repo: FakeRepo, path: str, ref: str | None) -> Answer:
    api = f"{urls.api}/repos/{repo.full_name}"
    with repo.git() as bare:
        try:
            tree = bare.commit(ref or repo.default_branch).tree
            item = tree / path if path else tree
        except (KeyError, git.BadName, ValueError):
            return Answer(404, NOT_FOUND)

        def entry(obj: Any) -> dict[str, Any]:
            kind = {"tree": "dir", "commit": "submodule"}.get(obj.type, "file")
            if obj.type == "blob" and obj.mode == 0o120000:
                kind = "symlink"
            return {
                "type": kind,
                "name": obj.name,
                "path": obj.path,
                "sha": obj.hexsha,
                "size": obj.size if obj.type == "blob" else 0,
                "url": f"{api}/contents/{obj.path}",
                "html_url": f"{urls.base}/{repo.full_name}/blob/{repo.default_branch}/{obj.path}",
                "git_url": f"{api}/git/blobs/{obj.hexsha}",
                "download_url": None,
            }

        if item.type == "tree":
            return Answer(200, [entry(obj) for obj in item])
        data = entry(item)
        data["content"] = base64.encodebytes(item.data_stream.read()).decode("ascii")
        data["encoding"] = "base64"
        return Answer(200, data)


def _tags(urls: Urls, repo: FakeRepo) -> list[dict[str, Any]]:
    api = f"{urls.api}/repos/{repo.full_name}"
    with repo.git() as bare:
        tags = sorted(bare.tags, key=lambda t: t.name, reverse=True)
        return [
            {
                "name": t.name,
                "commit": {"sha": t.commit.hexsha, "url": f"{api}/commits/{t.commit.hexsha}"},
                "zipball_url": f"{api}/zipball/refs/tags/{t.name}",
                "tarball_url": f"{api}/tarball/refs/tags/{t.name}",
                "node_id": node_id("Ref", zlib.crc32(t.path.encode())),
            }
            for t in tags
        ]


def _releases(world: World, urls: Urls, repo: FakeRepo) -> list[dict[str, Any]]:
    if not repo.releases:
        return []  # no need to open git (a test may have broken it on purpose)
    api = f"{urls.api}/repos/{repo.full_name}"
    owner = owner_json(urls, world.owner(repo.owner))
    with repo.git() as bare:
        dated = [(bare.tags[name].commit.committed_datetime, name) for name in repo.releases]
    out = []
    for number, (when, name) in enumerate(sorted(dated, reverse=True), start=1):
        rid = repo.id * 1000 + number
        stamp = iso(when.astimezone(UTC))
        out.append(
            {
                "id": rid,
                "node_id": node_id("Release", rid),
                "tag_name": name,
                "name": name,
                "body": repo.release_notes.get(name, ""),
                "draft": False,
                "prerelease": False,
                "target_commitish": repo.default_branch,
                "created_at": stamp,
                "published_at": stamp,
                "url": f"{api}/releases/{rid}",
                "html_url": f"{urls.base}/{repo.full_name}/releases/tag/{name}",
                "assets_url": f"{api}/releases/{rid}/assets",
                "upload_url": f"{api}/releases/{rid}/assets",
                "tarball_url": f"{api}/tarball/{name}",
                "zipball_url": f"{api}/zipball/{name}",
                "author": owner,
                "assets": [],
            }
        )
    return out


def rate_limit_json(limit: int, remaining: int, reset: int) -> dict[str, Any]:
    used = limit - remaining
    core = dict(limit=limit, remaining=remaining, reset=reset, used=used, resource="core")
    search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0, "resource": "search"}
    graphql = dict(core, resource="graphql")
    return {"resources": {"core": core, "search": search, "graphql": graphql}, "rate": core}


def route(world: World, urls: Urls, req: Request) -> Answer:
    """Answer one GET below /api/v3 (``/rate_limit`` is answered by the server)."""
    parts = [unquote(p) for p in req.path.strip("/").split("/")]
    with world.lock:
        if len(parts) == 2 and parts[0] in ("orgs", "users"):
            owner = world.owners.get(parts[1].lower())
            if owner is None or (parts[0] == "orgs" and owner.kind != "Organization"):
                return Answer(404, NOT_FOUND)
            return Answer(200, owner_json(urls, owner, full=True))
        if len(parts) == 3 and parts[0] in ("orgs", "users") and parts[2] == "repos":
            return _owner_repos(world, urls, req, parts[1], parts[0] == "orgs")
        if len(parts) < 3 or parts[0] != "repos":
            return Answer(404, NOT_FOUND)
        repo = world.repos.get(f"{parts[1]}/{parts[2]}".lower())
        if repo is None:
            return Answer(404, NOT_FOUND)
        rest = parts[3:]
        if not rest:
            return Answer(200, repo_json(world, urls, repo, full=True))
        if rest == ["forks"]:
            forks = [world.repo(name) for name in repo.forks]
            return paginate(req, [repo_json(world, urls, r) for r in forks])
        if rest == ["topics"]:
            return Answer(200, {"names": list(repo.topics)})
        if rest == ["tags"]:
            return paginate(req, _tags(urls, repo))
        if rest == ["releases"]:
            return paginate(req, _releases(world, urls, repo))
        if rest == ["license"]:
            return _licence(world, urls, repo)
        if rest[0] == "contents":
            return _contents(urls, repo, "/".join(p for p in rest[1:] if p), req.query.get("ref"))
    return Answer(404, NOT_FOUND)


def _licence(world: World, urls: Urls, repo: FakeRepo) -> Answer:
    if repo.licence_path is None:
        return Answer(404, NOT_FOUND)
    answer = _contents(urls, repo, repo.licence_path, None)
    if answer.status == 200:
        answer.body["license"] = repo_json(world, urls, repo)["license"]
    return answer
