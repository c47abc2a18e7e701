"""The world a fake GitLab serves: groups (with subgroups), users, projects, forks, git data.

Kept apart from the HTTP server (``localforge.gitlab``) so the JSON shaping reads plain
data. A project made with ``files=`` is a real bare git repository under ``root/git``,
served over smart HTTP at ``{url}/{full_path}.git`` as GitLab does; a fork of such a project
is a bare clone of it (shared history), and ``push`` commits through a work copy beside it.
Projects made without files are API-only, which keeps listing tests fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import git

from localforge.github.world import BARE_CONFIG
from localforge.repos import Files, commit, make_repo, publish_bare, tag

_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_STAMPS = ("created_at", "last_activity_at")


@dataclass
class GitLabProject:
    id: int
    namespace: str  # group full path or username
    kind: str  # "group" | "user"
    path: str
    name: str
    description: str | None = None
    topics: list[str] = field(default_factory=list)
    licence_key: str | None = None
    languages: dict[str, float] = field(default_factory=dict)
    archived: bool = False
    forked_from: int | None = None
    visibility: str = "public"
    stars: int = 0
    open_issues: int = 0
    default_branch: str = "main"
    created_at: datetime = _EPOCH
    last_activity_at: datetime = _EPOCH
    shared_with: list[str] = field(default_factory=list)
    bare_path: Path | None = None  # None: an API-only project (no git data)
    import_status: str = "none"  # a fork being copied: scheduled, then finished
    overrides: dict[str, Any] = field(default_factory=dict)  # what a broken instance says
    releases: list[dict[str, Any]] = field(default_factory=list)  # newest last

    @property
    def full_path(self) -> str:
        return f"{self.namespace}/{self.path}"


def _new_bare(bare: Path, source: Path) -> None:
    publish_bare(source, bare, BARE_CONFIG)


class GitLabWorld:
    """The groups, users and projects the fake serves, and how each endpoint reads them."""

    url: str  # given by the server

    def __init__(self, root: Path) -> None:
        self.git_root = root / "git"
        self._work_root = root / "work"
        self._next_id = 0
        self._groups: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._projects: list[GitLabProject] = []

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_group(self, full_path: str, name: str | None = None) -> dict[str, Any]:
        """Add a group and, implicitly, its missing parents (``gov/health/covid``)."""
        if full_path in self._groups:
            return self._groups[full_path]
        parent_path, _, path = full_path.rpartition("/")
        parent = self.add_group(parent_path) if parent_path else None
        group: dict[str, Any] = {"id": self._new_id(), "name": name or path, "path": path}
        group |= {"full_path": full_path, "parent_id": parent["id"] if parent else None}
        group |= {"visibility": "public", "web_url": f"{self.url}/groups/{full_path}"}
        self._groups[full_path] = group
        return self._groups[full_path]

    def add_user(self, username: str, name: str | None = None) -> dict[str, Any]:
        user = {"id": self._new_id(), "username": username, "name": name or username}
        user |= {"state": "active", "web_url": f"{self.url}/{username}"}
        self._users[username] = user
        return user

    def add_project(
        self,
        namespace: str,
        name: str,
        *,
        forked_from: str | None = None,
        files: Files | None = None,
        commit_date: datetime | None = None,
        **attrs: Any,
    ) -> dict[str, Any]:
        """Add a project under a group (made with its parents) or an existing user.

        ``attrs`` are ``GitLabProject`` fields (description, topics, licence_key, languages,
        archived, visibility, stars, ...); ``forked_from`` is the upstream's full path.
        ``files`` makes a real git repository (committed at ``commit_date``, which is also
        the default ``last_activity_at``); a fork of a project with git data clones it.
        """
        kind = "user" if namespace in self._users else "group"
        if kind == "group":
            self.add_group(namespace)
        attrs.setdefault("path", name.lower().replace(" ", "-"))
        project = GitLabProject(self._new_id(), namespace, kind, name=name, **attrs)
        upstream = None
        if forked_from is not None:
            upstream = self._project(forked_from)
            assert upstream is not None, f"no upstream {forked_from}"
            project.forked_from = upstream.id
        bare = self.git_root / f"{project.full_path}.git"
        if files is not None:
            work = self._work_root / project.full_path
            repo = make_repo(work, files, date=commit_date, branch=project.default_branch)
            head_at = repo.head.commit.committed_datetime.astimezone(UTC)
            repo.close()
            _new_bare(bare, work)
            git.Repo(work).create_remote("origin", str(bare)).repo.close()
            project.bare_path = bare
            if "last_activity_at" not in attrs:
                project.last_activity_at = head_at
        elif upstream is not None and upstream.bare_path is not None:
            _new_bare(bare, upstream.bare_path)
            project.bare_path = bare
        self._projects.append(project)
        return self._render(project, licence=False)

    def push(
        self,
        full_path: str,
        files: Files,
        *,
        delete: tuple[str, ...] = (),
        tags: Iterable[str] = (),
    ) -> str:
        """Commit ``files`` on the default branch (tagging the commit with ``tags``) and push;
        move ``last_activity_at`` on."""
        project = self._project(full_path)
        assert project is not None and project.bare_path is not None, f"no git for {full_path}"
        work_path = self._work_root / project.full_path
        if not work_path.exists():
            git.Repo.clone_from(str(project.bare_path), str(work_path)).close()
        with git.Repo(work_path) as work:
            sha = commit(work, files, delete=delete).hexsha
            for name in tags:
                tag(work, name)
            work.git.push("-q", "origin", f"HEAD:refs/heads/{project.default_branch}", "--tags")
        self._touch(project)
        return sha

    def add_release(
        self, full_path: str, tag_name: str, *, name: str | None = None, description: str = ""
    ) -> None:
        """Publish a release of an existing tag, with notes (GitLab's ``description``)."""
        project = self._project(full_path)
        assert project is not None
        now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        project.releases.append({"tag_name": tag_name, "name": name or tag_name,
                                 "description": description, "created_at": now,
                                 "released_at": now})  # fmt: skip
        self._touch(project)

    @staticmethod
    def _touch(project: GitLabProject) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        project.last_activity_at = max(now, project.last_activity_at + timedelta(seconds=1))

    def update_project(self, full_path: str, **attrs: Any) -> None:
        """Change forge facts (archived, description, stars, ...) as a maintainer would."""
        project = self._project(full_path)
        assert project is not None
        for key, value in attrs.items():
            assert hasattr(project, key), key
            setattr(project, key, value)

    def share_project(self, project: str, group: str) -> None:
        """Share a project with another group (GitLab lists it there unless with_shared=false)."""
        found = self._project(project)
        assert found is not None
        found.shared_with.append(group)

    def start_fork(
        self, ident: str, data: dict[str, Any], rights: set[str]
    ) -> tuple[int, Any, GitLabProject | None]:
        """``POST /projects/:id/fork``: GitLab's refusals, or 201 with the new project, whose
        repository is copied afterwards (``finish_fork``); ``rights``: the namespaces the
        caller may create projects in (a group's subgroups included)."""
        upstream = self._project(ident)
        if upstream is None:
            return 404, {"message": "404 Project Not Found"}, None
        namespace = str(data.get("namespace_path") or data.get("namespace") or "")
        kind = "user" if namespace in self._users else "group"
        if not namespace or (kind == "group" and namespace not in self._groups):
            return 404, {"message": "404 Target Namespace Not Found"}, None
        if not any(namespace == r or namespace.startswith(r + "/") for r in rights):
            return 403, {"message": "403 Forbidden"}, None
        path = str(data.get("path") or upstream.path)
        if self._project(f"{namespace}/{path}") is not None:
            taken = ["has already been taken"]
            return 409, {"message": {"name": taken, "path": taken}}, None
        project = GitLabProject(
            self._new_id(), namespace, kind, path=path, name=str(data.get("name") or upstream.name),
            description=upstream.description, licence_key=upstream.licence_key,
            languages=dict(upstream.languages), forked_from=upstream.id,
            default_branch=upstream.default_branch, import_status="scheduled",
            created_at=datetime.now(UTC).replace(microsecond=0),
            last_activity_at=upstream.last_activity_at,
        )  # fmt: skip
        self._projects.append(project)
        return 201, self._render(project, licence=False), project

    def finish_fork(self, project: GitLabProject) -> None:
        """Copy the upstream's repository into the fork; its import is then finished."""
        upstream = self._project(str(project.forked_from))
        if upstream is not None and upstream.bare_path is not None:
            bare = self.git_root / f"{project.full_path}.git"
            _new_bare(bare, upstream.bare_path)
            project.bare_path = bare
        project.import_status = "finished"

    def _group(self, ident: str) -> dict[str, Any] | None:
        if ident.isdigit():
            return next((g for g in self._groups.values() if g["id"] == int(ident)), None)
        return self._groups.get(ident)

    def _project(self, ident: str) -> GitLabProject | None:
        key = (lambda p: str(p.id)) if ident.isdigit() else (lambda p: p.full_path)
        return next((p for p in self._projects if key(p) == ident), None)

    def _render(self, p: GitLabProject, *, licence: bool) -> dict[str, Any]:
        web_url = f"{self.url}/{p.full_path}"
        ns_url = f"{self.url}/groups/{p.namespace}" if p.kind == "group" else self.url
        stamp = {k: getattr(p, k).isoformat().replace("+00:00", "Z") for k in _STAMPS}
        data: dict[str, Any] = stamp | {"id": p.id, "description": p.description}
        data |= {"name": p.name, "name_with_namespace": f"{p.namespace} / {p.name}"}
        data |= {"path": p.path, "path_with_namespace": p.full_path, "web_url": web_url}
        data |= {"default_branch": p.default_branch, "topics": p.topics, "tag_list": p.topics}
        data |= {"http_url_to_repo": f"{web_url}.git", "ssh_url_to_repo": f"git@x:{p.full_path}"}
        data |= {"star_count": p.stars, "open_issues_count": p.open_issues}
        data |= {"forks_count": sum(1 for q in self._projects if q.forked_from == p.id)}
        data |= {"archived": p.archived, "visibility": p.visibility}
        data["import_status"] = p.import_status
        ns_name = p.namespace.rpartition("/")[2]
        data["namespace"] = {"name": ns_name, "path": ns_name, "full_path": p.namespace}
        data["namespace"] |= {"kind": p.kind, "web_url": ns_url}
        if p.licence_key:
            data["license_url"] = f"{web_url}/-/blob/{p.default_branch}/LICENSE"
        if p.forked_from is not None:
            upstream = self._project(str(p.forked_from))
            assert upstream is not None
            data["forked_from_project"] = {
                k: v for k, v in self._render(upstream, licence=False).items() if k != "namespace"
            }
        if licence:
            key = p.licence_key
            about = {"nickname": None, "html_url": None, "source_url": None}
            data["license"] = key and {"key": key, "name": key.upper()} | about
        return data | p.overrides

    def _list(self, projects: list[GitLabProject], query: dict[str, str]) -> list[dict[str, Any]]:
        if "archived" in query:
            projects = [p for p in projects if p.archived == flag(query, "archived")]
        if "visibility" in query:
            projects = [p for p in projects if p.visibility == query["visibility"]]
        projects = sorted(projects, key=lambda p: p.id, reverse=query.get("sort") != "asc")
        return [self._render(p, licence=False) for p in projects]

    def route(
        self, seg: list[str], query: dict[str, str]
    ) -> tuple[int, Any, list[Any] | None] | None:
        """Answer ``GET /api/v4/<seg...>``: (status, payload, items to paginate) or None."""
        if seg[:1] == ["groups"] and len(seg) >= 2:
            group = self._group(seg[1])
            if group is None:
                return 404, {"message": "404 Group Not Found"}, None
            if len(seg) == 2:
                return 200, group, None
            if seg[2:] == ["subgroups"]:
                children = [g for g in self._groups.values() if g["parent_id"] == group["id"]]
                return 200, None, children
            if seg[2:] == ["projects"]:
                path = group["full_path"]
                sub = flag(query, "include_subgroups")
                shared = flag(query, "with_shared", "true")
                keep = (lambda ns: ns == path or ns.startswith(path + "/")) if sub else path.__eq__
                chosen = [p for p in self._projects if p.kind == "group" and keep(p.namespace)]
                chosen += [p for p in self._projects if shared and path in p.shared_with]
                return 200, None, self._list(chosen, query)
        if seg == ["users"]:
            name = query.get("username")
            return 200, None, [u for u in self._users.values() if name in (None, u["username"])]
        if seg[:1] == ["users"] and len(seg) == 3 and seg[2] == "projects":
            user = next((u for u in self._users.values() if str(u["id"]) == seg[1]), None)
            if user is None:
                return 404, {"message": "404 User Not Found"}, None
            name = user["username"]
            chosen = [p for p in self._projects if p.kind == "user" and p.namespace == name]
            return 200, None, self._list(chosen, query)
        if seg[:1] == ["projects"] and len(seg) >= 2:
            project = self._project(seg[1])
            if project is None:
                return 404, {"message": "404 Project Not Found"}, None
            if len(seg) == 2:
                return 200, self._render(project, licence=flag(query, "license")), None
            if seg[2:] == ["forks"]:
                forks = [p for p in self._projects if p.forked_from == project.id]
                return 200, None, self._list(forks, query)
            if seg[2:] == ["languages"]:
                return 200, dict(project.languages), None
            if seg[2:] == ["releases"]:
                web_url = f"{self.url}/{project.full_path}"
                items = [r | {"_links": {"self": f"{web_url}/-/releases/{r['tag_name']}"}}
                         for r in reversed(project.releases)]  # fmt: skip
                return 200, None, items
        return None


def flag(query: dict[str, str], name: str, default: str = "false") -> bool:
    """GitLab's boolean parameters: python-gitlab sends ``True``; curl users send ``1``."""
    return query.get(name, default).lower() in ("true", "1", "yes", "t", "on")
