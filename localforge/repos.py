"""Build real git repositories for tests, with authors and dates we choose.

Analysis (maturity, provenance) reads commit dates, authors, root commits and tags, so
fixtures must control all of them. Commits go through the git CLI (via GitPython) with
``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE`` set, which is exactly what a real history holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import git

Author = tuple[str, str]
DEFAULT_AUTHOR: Author = ("Ada Tester", "ada@example.gov")
Files = Mapping[str, bytes | str]


def git_date(when: datetime) -> str:
    """Git's internal date format (``<unix> <+hhmm>``); naive datetimes are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{int(when.timestamp())} {sign}{minutes // 60:02d}{minutes % 60:02d}"


def _identity_env(author: Author, date: datetime | None) -> dict[str, str]:
    """Author and committer are the same person at the same moment, as in a plain commit."""
    name, email = author
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = git_date(date)
    return env


def _write_files(root: Path, files: Files, symlinks: Mapping[str, str] | None) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
    for rel, link_to in (symlinks or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        os.symlink(link_to, target)


def commit(
    repo: git.Repo,
    files: Files,
    *,
    message: str = "update",
    author: Author = DEFAULT_AUTHOR,
    date: datetime | None = None,
    delete: Iterable[str] = (),
    symlinks: Mapping[str, str] | None = None,
) -> git.Commit:
    """Write ``files`` (and remove ``delete``) in the work tree, commit, return the commit."""
    root = Path(repo.working_tree_dir or "")
    _write_files(root, files, symlinks)
    removed = list(delete)
    if removed:
        repo.git.rm("-r", "-q", "--", *removed)
    repo.git.add("-A")
    env = _identity_env(author, date)
    repo.git.commit("-q", "--allow-empty", "--no-verify", "--no-gpg-sign", "-m", message, env=env)
    return repo.head.commit


def tag(
    repo: git.Repo,
    name: str,
    *,
    ref: str = "HEAD",
    message: str | None = None,
    author: Author = DEFAULT_AUTHOR,
    date: datetime | None = None,
) -> git.TagReference:
    """A lightweight tag, or an annotated one when ``message`` is given."""
    if message is None:
        return repo.create_tag(name, ref=ref)
    env = _identity_env(author, date)
    repo.git.tag("-a", "--no-sign", name, ref, "-m", message, env=env)
    return repo.tags[name]


def make_repo(
    path: Path | str,
    files: Files,
    *,
    message: str = "initial",
    author: Author = DEFAULT_AUTHOR,
    date: datetime | None = None,
    tags: Iterable[str] = (),
    symlinks: Mapping[str, str] | None = None,
    branch: str = "main",
) -> git.Repo:
    """A new non-bare repository at ``path`` with one commit holding ``files``."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch=branch)
    commit(repo, files, message=message, author=author, date=date, symlinks=symlinks)
    for name in tags:
        tag(repo, name)
    return repo


@dataclass
class Step:
    """One commit of a scripted history."""

    files: Files
    date: datetime | None = None
    author: Author = DEFAULT_AUTHOR
    message: str = "change"
    delete: Sequence[str] = ()
    tags: Sequence[str] = field(default_factory=tuple)


def make_history(path: Path | str, steps: Sequence[Step], *, branch: str = "main") -> git.Repo:
    """A repository whose commits follow ``steps`` in order (the first one is the root)."""
    if not steps:
        raise ValueError("a history needs at least one step")
    first, *rest = steps
    repo = make_repo(
        path,
        first.files,
        message=first.message,
        author=first.author,
        date=first.date,
        tags=first.tags,
        branch=branch,
    )
    for step in rest:
        commit(
            repo,
            step.files,
            message=step.message,
            author=step.author,
            date=step.date,
            delete=step.delete,
        )
        for name in step.tags:
            tag(repo, name)
    return repo


def activity_history(
    path: Path | str,
    dates: Sequence[datetime],
    *,
    authors: Sequence[Author] = (DEFAULT_AUTHOR,),
    base_files: Files | None = None,
) -> git.Repo:
    """One commit per date, authors taken in turn: the shape maturity signals look at.

    The first commit holds ``base_files`` (a README by default); each later one appends a
    line to ``CHANGES.md`` so every commit changes something.
    """
    files = dict(base_files or {"README.md": "# project\n"})
    steps = [Step(files=files, date=dates[0], author=authors[0], message="initial")]
    log = ""
    for i, when in enumerate(dates[1:], start=1):
        log += f"- change {i}\n"
        steps.append(
            Step(
                files={"CHANGES.md": log},
                date=when,
                author=authors[i % len(authors)],
                message=f"change {i}",
            )
        )
    return make_history(path, steps)


class RepoFactory:
    """Makes repositories in numbered folders under one root (a test's ``tmp_path``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._count = 0

    def _next_path(self, name: str | None) -> Path:
        self._count += 1
        return self.root / (name or f"repo{self._count}")

    def __call__(self, files: Files, *, name: str | None = None, **kwargs: object) -> git.Repo:
        return make_repo(self._next_path(name), files, **kwargs)  # type: ignore[arg-type]

    def history(self, steps: Sequence[Step], *, name: str | None = None) -> git.Repo:
        return make_history(self._next_path(name), steps)

    def activity(
        self, dates: Sequence[datetime], *, name: str | None = None, **kwargs: object
    ) -> git.Repo:
        return activity_history(self._next_path(name), dates, **kwargs)  # type: ignore[arg-type]


def publish_bare(source: Path, bare: Path, config: Mapping[str, str]) -> None:
    """A bare clone of ``source`` with ``config`` set (e.g. partial clones over HTTP) and no
    remote: what a forge serves."""
    bare.parent.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.clone_from(str(source), str(bare), bare=True)
    with repo.config_writer() as cw:
        for key, value in config.items():
            section, option = key.rsplit(".", 1)
            cw.set_value(section, option, value)
        cw.remove_section('remote "origin"')
    repo.close()
