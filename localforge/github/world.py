"""The world a fake forge serves: owners, repositories, forks, and their bare git repositories.

Kept apart from the HTTP server so a fake GitLab (or a benchmark) can shape the same kind of
world, and so the JSON shaping reads plain data. Every repository is a real bare git
repository served over smart HTTP; a non-bare work copy beside it receives new commits.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from localforge.repos import (
    DEFAULT_AUTHOR,
    Author,
    Files,
    commit,
    make_repo,
    publish_bare,
    tag,
)

LICENCE_FILE_PREFIXES = ("license", "licence", "copying", "unlicense")

# Let partial (blobless) clones and the lazy fetches that follow them work over HTTP.
BARE_CONFIG = {
    "uploadpack.allowFilter": "true",
    "uploadpack.allowAnySHA1InWant": "true",
    "http.receivepack": "false",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class FakeOwner:
    """An organisation or a user account."""

    login: str
    id: int
    kind: str = "Organization"  # or "User"
    name: str = ""
    description: str = ""
    created_at: datetime = field(default_factory=_now)


@dataclass
class FakeRepo:
    """What the forge knows about one repository, beside its git data."""

    owner: str
    name: str
    id: int
    bare_path: Path
    work_path: Path
    description: str = ""
    topics: list[str] = field(default_factory=list)
    homepage: str = ""
    licence_spdx: str | None = None
    archived: bool = False
    is_template: bool = False
    disabled: bool = False  # GitHub disables repositories (billing, DMCA): they cannot be cloned
    mirror_url: str | None = None  # set on repositories GitHub mirrors from elsewhere
    language: str | None = None
    stars: int = 0
    open_issues: int = 0
    default_branch: str = "main"
    created_at: datetime = field(default_factory=_now)
    pushed_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    parent: str | None = None  # full name of the repository this was forked from
    forks: list[str] = field(default_factory=list)  # full names of direct forks
    releases: list[str] = field(default_factory=list)  # tag names published as releases
    release_notes: dict[str, str] = field(default_factory=dict)  # tag name -> release body
    size_kb: int = 0  # GitHub's ``size``: kilobytes of the default branch's files
    licence_path: str | None = None  # the top-level licence file GitHub would detect

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def git(self) -> git.Repo:
        """The bare repository (open a fresh handle each time: cheap, and thread-safe)."""
        return git.Repo(self.bare_path)


class World:
    """Owners and repositories under one root folder; every method is thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git_root = root / "git"
        self.work_root = root / "work"
        self.owners: dict[str, FakeOwner] = {}
        self.repos: dict[str, FakeRepo] = {}
        self.lock = threading.RLock()
        self._next_id = 1000

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def owner(self, login: str) -> FakeOwner:
        with self.lock:
            return self.owners[login.lower()]

    def repo(self, full_name: str) -> FakeRepo:
        with self.lock:
            return self.repos[full_name.lower()]

    def repos_of(self, login: str) -> list[FakeRepo]:
        with self.lock:
            return [r for r in self.repos.values() if r.owner.lower() == login.lower()]

    def add_owner(
        self, login: str, *, name: str = "", kind: str = "Organization", description: str = ""
    ) -> FakeOwner:
        if kind not in ("Organization", "User"):
            raise ValueError(f"kind must be Organization or User, not {kind!r}")
        with self.lock:
            if login.lower() in self.owners:
                raise ValueError(f"owner {login} exists")
            owner = FakeOwner(login, self._id(), kind, name or login, description)
            self.owners[login.lower()] = owner
            return owner

    def _scan(self, repo: FakeRepo) -> None:
        """Cache what the JSON needs from git, once per push rather than once per request."""
        with repo.git() as bare:
            tree = bare.commit(repo.default_branch).tree
            total = sum(item.size for item in tree.traverse() if item.type == "blob")
            names = [blob.name for blob in tree.blobs]
        repo.size_kb = (total + 1023) // 1024
        found = [n for n in names if n.lower().startswith(LICENCE_FILE_PREFIXES)]
        repo.licence_path = found[0] if found else None

    def _paths(self, owner: str, name: str) -> tuple[Path, Path]:
        return self.git_root / owner / f"{name}.git", self.work_root / owner / name

    def _new_bare(self, bare: Path, source: Path) -> None:
        publish_bare(source, bare, BARE_CONFIG)

    def add_repo(
        self,
        owner: str,
        name: str,
        files: Files,
        *,
        message: str = "initial",
        author: Author = DEFAULT_AUTHOR,
        commit_date: datetime | None = None,
        tags: Iterable[str] = (),
        releases: Sequence[str] = (),
        created_at: datetime | None = None,
        pushed_at: datetime | None = None,
        **facts: object,
    ) -> FakeRepo:
        """Build a work repository with ``files``, publish it as a bare one, record its facts.

        ``facts`` are FakeRepo fields (description, topics, homepage, licence_spdx, ...).
        ``pushed_at`` defaults to the commit date: the repository was pushed when committed.
        """
        with self.lock:
            self.owner(owner)  # KeyError when the owner is unknown
            if f"{owner}/{name}".lower() in self.repos:
                raise ValueError(f"repository {owner}/{name} exists")
            bare, work = self._paths(owner, name)
            branch = str(facts.get("default_branch", "main"))
            work_repo = make_repo(
                work,
                files,
                message=message,
                author=author,
                date=commit_date,
                tags=tags,
                branch=branch,
            )
            head_at = work_repo.head.commit.committed_datetime.astimezone(UTC)
            work_repo.close()
            self._new_bare(bare, work)
            git.Repo(work).create_remote("origin", str(bare)).repo.close()
            created = created_at or min(head_at, _now())
            pushed = pushed_at or head_at
            repo = FakeRepo(
                owner=self.owner(owner).login,
                name=name,
                id=self._id(),
                bare_path=bare,
                work_path=work,
                created_at=created,
                pushed_at=pushed,
                updated_at=max(created, pushed),
                releases=list(releases),
                **facts,  # type: ignore[arg-type]
            )
            self._scan(repo)
            self.repos[repo.full_name.lower()] = repo
            return repo

    def fork(self, full_name: str, new_owner: str, name: str | None = None) -> FakeRepo:
        """A bare clone sharing the source's history, recorded as its fork."""
        with self.lock:
            source = self.repo(full_name)
            owner = self.owner(new_owner)
            name = name or source.name
            bare, work = self._paths(owner.login, name)
            if f"{owner.login}/{name}".lower() in self.repos:
                raise ValueError(f"repository {owner.login}/{name} exists")
            self._new_bare(bare, source.bare_path)
            now = _now()
            repo = FakeRepo(
                owner=owner.login,
                name=name,
                id=self._id(),
                bare_path=bare,
                work_path=work,
                description=source.description,
                topics=[],
                homepage=source.homepage,
                licence_spdx=source.licence_spdx,
                language=source.language,
                default_branch=source.default_branch,
                created_at=now,
                pushed_at=source.pushed_at,
                updated_at=now,
                parent=source.full_name,
            )
            source.forks.append(repo.full_name)
            source.updated_at = max(source.updated_at, now)
            self._scan(repo)
            self.repos[repo.full_name.lower()] = repo
            return repo

    def push(
        self,
        full_name: str,
        files: Files,
        *,
        message: str = "update",
        author: Author = DEFAULT_AUTHOR,
        commit_date: datetime | None = None,
        delete: Iterable[str] = (),
        tags: Iterable[str] = (),
        pushed_at: datetime | None = None,
    ) -> str:
        """Commit ``files`` on the default branch and push it; return the new head sha.

        ``pushed_at`` defaults to the commit date, else now, and always moves forward so
        the repository's JSON (and so its ETag) changes with every push.
        """
        with self.lock:
            repo = self.repo(full_name)
            if not repo.work_path.exists():
                git.Repo.clone_from(str(repo.bare_path), str(repo.work_path)).close()
            work = git.Repo(repo.work_path)
            new = commit(
                work, files, message=message, author=author, date=commit_date, delete=delete
            )
            for name in tags:
                tag(work, name)
            work.git.push("-q", "origin", f"HEAD:refs/heads/{repo.default_branch}", "--tags")
            sha = new.hexsha
            work.close()
            when = pushed_at or (commit_date.astimezone(UTC) if commit_date else _now())
            if pushed_at is None and when <= repo.pushed_at:
                when = repo.pushed_at + timedelta(seconds=1)
            repo.pushed_at = when.replace(microsecond=0)
            repo.updated_at = max(repo.updated_at, repo.pushed_at)
            self._scan(repo)
            return sha

    def update(self, full_name: str, **facts: object) -> FakeRepo:
        """Change forge facts (description, topics, archived, ...) as a maintainer would."""
        with self.lock:
            repo = self.repo(full_name)
            for key, value in facts.items():
                if not hasattr(repo, key):
                    raise AttributeError(key)
                setattr(repo, key, value)
            repo.updated_at = max(repo.updated_at + timedelta(seconds=1), _now())
            return repo

    def remove_repo(self, full_name: str) -> None:
        with self.lock:
            repo = self.repos.pop(full_name.lower())
            if repo.parent and repo.parent.lower() in self.repos:
                self.repo(repo.parent).forks.remove(repo.full_name)
            shutil.rmtree(repo.bare_path, ignore_errors=True)
            shutil.rmtree(repo.work_path, ignore_errors=True)

    def source_of(self, repo: FakeRepo) -> FakeRepo | None:
        """The root of the fork chain (GitHub's ``source``), if it still exists."""
        with self.lock:
            current, seen = repo, set()
            while current.parent and current.parent.lower() in self.repos:
                if current.full_name in seen:
                    break
                seen.add(current.full_name)
                current = self.repo(current.parent)
            return None if current is repo else current

    def mapping(self) -> Mapping[str, FakeRepo]:
        with self.lock:
            return dict(self.repos)
