"""Read a bare clone in-process with libgit2 (pygit2): the same answers as ``GitTree`` and
``read_git_facts``, without a git process per question.

Starting git costs ~2.4 ms, as much as analysing a small repository, so the read side of
the crawler talks to libgit2 instead; the network side (``crawlers.git.cache``) stays on the
git CLI and its URL policy. libgit2 has no promisor support: it never fetches a missing
object, so a blob left out of a partial clone is simply absent (= over the size cap) and no
read can reach the network. Symlinks are listed, flagged and never read; submodules are
skipped; names and the over-``max_files`` sample come from the helpers ``GitTree`` uses.

libgit2 reads no user or system config here (its search paths point at an empty home),
understands ``extensions.partialclone`` and, like ``git cat-file``, does not re-hash what it
reads. A repository it cannot open at all (a SHA-256 one, say) raises ``ReaderUnavailable``
so the caller can fall back to the CLI reader.
"""

from __future__ import annotations

import functools
import heapq
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pygit2
from pygit2.enums import ConfigLevel, FileMode, ObjectType, ReferenceType

from crawlers.base import GitFacts, TagFact, commit_subject, commit_weeks, tag_message
from crawlers.git.cli import sample_paths, spell_path
from crawlers.git.cli_facts import author_key
from crawlers.git.command import safe_env
from registry.analysis.tree import DEFAULT_READ_LIMIT, FileEntry
from registry.errors import CrawlError
from registry.urlpolicy import check_git_ref

__all__ = ["Pygit2Tree", "ReaderUnavailable", "open_repository", "read_git_facts_pygit2"]

MAX_WALK = 2_000_000  # tree entries walked at most: a tree of repeated subtrees is a bomb
_OPEN = pygit2.enums.RepositoryOpenFlag.NO_SEARCH | pygit2.enums.RepositoryOpenFlag.BARE


class ReaderUnavailable(CrawlError):
    """libgit2 cannot open this repository (e.g. an extension it does not know)."""


def open_repository(repo_path: Path) -> pygit2.Repository:
    """The bare repository at ``repo_path`` (never a parent folder's), or ReaderUnavailable."""
    _configure()
    try:
        return pygit2.Repository(str(repo_path), _OPEN)
    except (pygit2.GitError, KeyError, ValueError, OSError) as exc:
        raise ReaderUnavailable(f"libgit2 cannot open {Path(repo_path).name}: {exc}") from None


@functools.cache
def _configure() -> None:
    """Once per process: no global/XDG/system config, partial clones readable, and reads
    not re-hashed."""
    home = safe_env()["HOME"]  # the same empty home the git CLI gets
    for level in (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM, ConfigLevel.PROGRAMDATA):
        pygit2.settings.search_path[level] = home
    if "partialclone" not in pygit2.settings.extensions:
        pygit2.settings.set_extensions(["partialclone"])
    # Hashing every object read again (collision-detecting SHA-1) doubled read times; git's
    # cat-file does not either: index-pack already checked every object that came in.
    pygit2.settings.enable_strict_hash_verification(False)


@dataclass(frozen=True, slots=True)
class _Blob:
    oid: pygit2.Oid
    size: int  # for a missing blob: max_blob_bytes + 1, a lower bound
    present: bool
    is_symlink: bool


class Pygit2Tree:
    """The files of one commit of a bare repository (implements ``registry.analysis.Tree``)."""

    def __init__(
        self,
        repo_path: Path,
        commit: str,
        *,
        max_blob_bytes: int,
        max_files: int,
        max_entries: int = MAX_WALK,
    ):
        self.repo_path = Path(repo_path)
        self.max_entries = max_entries
        self.commit = check_git_ref(commit)
        self.max_blob_bytes = max_blob_bytes
        self.max_files = max_files
        self.truncated = False
        self._lock = threading.Lock()
        self._repo = open_repository(self.repo_path)
        try:
            self._blobs = self._list()
        except BaseException:
            self._repo.free()
            raise
        self._entries = tuple(FileEntry(p, b.size, b.is_symlink) for p, b in self._blobs.items())

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        blob = self._blobs.get(path)
        if blob is None or blob.is_symlink or not blob.present:
            return None
        if blob.size > min(limit, self.max_blob_bytes):
            return None
        return self._read(blob)

    def read_prefix(self, path: str, size: int) -> bytes | None:
        """The first ``size`` bytes of a blob within ``max_blob_bytes`` (libgit2 inflates a
        packed object whole, so the cap bounds the work; the caller sees ``size`` at most)."""
        data = self.read(path, self.max_blob_bytes)
        return None if data is None else data[: max(size, 0)]

    def _read(self, blob: _Blob) -> bytes | None:
        with self._lock:
            try:
                kind, data = self._repo.odb.read(blob.oid)
            except (KeyError, pygit2.GitError) as exc:
                raise CrawlError(f"libgit2 could not read {blob.oid}: {exc}") from None
        return data if kind == ObjectType.BLOB else None

    def close(self) -> None:
        """Release libgit2's file handles and pack maps (reopened if read again)."""
        with self._lock:
            self._repo.free()

    def __enter__(self) -> Pygit2Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _list(self) -> dict[str, _Blob]:
        try:
            root = self._repo.revparse_single(self.commit).peel(pygit2.Tree)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError) as exc:
            raise CrawlError(f"libgit2 found no tree at {self.commit}: {exc}") from None
        raw: dict[str, tuple[pygit2.Oid, bool]] = {}
        for name, mode, oid in self._walk(root):
            raw[spell_path(name)] = (oid, mode == FileMode.LINK)
        chosen = sample_paths(sorted(raw), self.max_files)
        self.truncated = len(chosen) < len(raw)
        header = self._repo.odb.read_header
        blobs = {}
        for path in chosen:
            oid, is_link = raw[path]
            try:
                size, present = header(oid)[1], True
            except KeyError:  # left out of a partial clone: over the cap
                size, present = self.max_blob_bytes + 1, False
            blobs[path] = _Blob(oid, size, present, is_link)
        return blobs

    def _walk(self, root: pygit2.Tree) -> Iterator[tuple[bytes, int, pygit2.Oid]]:
        """(path bytes, mode, oid) of every blob, depth first in tree order as ``ls-tree -r``
        lists them; no recursion, so a deep tree cannot exhaust the stack."""
        stack: list[tuple[bytes, Iterator[pygit2.Object]]] = [(b"", iter(root))]
        seen = 0
        while stack:
            prefix, items = stack[-1]
            entry = next(items, None)
            if entry is None:
                stack.pop()
                continue
            seen += 1
            if seen > self.max_entries:
                raise CrawlError(
                    f"tree at {self.commit} has more than {self.max_entries} entries:"
                    " refused as a git bomb"
                )
            name = prefix + entry.raw_name
            if entry.type == ObjectType.TREE:
                try:
                    stack.append((name + b"/", iter(self._repo[entry.id])))
                except KeyError:
                    raise CrawlError(f"tree {entry.id} is missing from the clone") from None
            elif entry.type == ObjectType.BLOB and entry.filemode != FileMode.COMMIT:
                yield name, entry.filemode, entry.id


# --- history -------------------------------------------------------------------------------


def read_git_facts_pygit2(
    repo_path: Path, *, now: datetime, max_commits: int = 5000, history: int = 2000
) -> GitFacts:
    """What ``crawlers.git.cli.read_git_facts`` answers, read in-process: the newest
    ``max_commits`` commits from ``HEAD`` in ``git log``'s own order; roots from the rest of
    the walk when it was capped; tags spelt as ``for-each-ref``'s ``refname:short``. Plus
    the newest ``history`` commits as provenance's sample (sha, committer time, author
    key: a digest of the author's e-mail, so no address is stored)."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    repo = open_repository(repo_path)
    try:
        head = _head_commit(repo, Path(repo_path))
        walk = _log_order(repo, head, Path(repo_path))
        walked = list(islice(walk, max(max_commits, 1)))
        times = [c.commit_time for c in walked]
        roots = {str(c.id): c.commit_time for c in walked if not c.parent_ids}
        if len(walked) >= max_commits:  # capped: the roots may lie beyond the walk
            roots.update((str(c.id), c.commit_time) for c in walk if not c.parent_ids)
        emails = {_email(c).strip().lower() for c in walked}
        sample = tuple(
            (str(c.id), c.commit_time, author_key(_email(c))) for c in walked[: max(history, 0)]
        )
        complete = len(walked) < max_commits and len(sample) == len(walked)
        tag_facts = _tags(repo)
        branch = _default_branch(repo)
    finally:
        repo.free()
    stamp = now.timestamp()
    return GitFacts(
        head=str(head.id),
        default_branch=branch,
        root_commits=tuple(roots),
        first_commit_at=datetime.fromtimestamp(min(roots.values()), UTC) if roots else None,
        last_commit_at=datetime.fromtimestamp(times[0], UTC) if times else None,
        commits_90d=sum(1 for t in times if t >= stamp - timedelta(days=90).total_seconds()),
        commits_365d=sum(1 for t in times if t >= stamp - timedelta(days=365).total_seconds()),
        contributors=len(emails - {""}),
        tags=tuple(t.name for t in tag_facts),
        history=sample,
        history_complete=complete,
        head_tree=str(head.tree_id),
        last_commit_subject=commit_subject(head.raw_message.decode("utf-8", "replace")),
        commit_weeks=commit_weeks(times, now),
        tag_facts=tag_facts,
    )


def _log_order(repo: pygit2.Repository, head: pygit2.Commit, path: Path) -> Iterator[pygit2.Commit]:
    """Commits reachable from ``head`` in ``git log``'s default order: newest committer date
    first, equal dates first-come first-served (git's ``commit_list_insert_by_date``), so a
    capped walk keeps exactly the commits git would. (libgit2's own time sort breaks ties
    differently, and is slower than this.)"""
    seen = {head.id}
    queue: list[tuple[int, int, pygit2.Commit]] = [(-head.commit_time, 0, head)]
    count = 1
    while queue:
        commit = heapq.heappop(queue)[2]
        yield commit
        for parent_id in commit.parent_ids:
            if parent_id in seen:
                continue
            seen.add(parent_id)
            parent = repo.get(parent_id)
            if not isinstance(parent, pygit2.Commit):  # git log fails on it, and so do we
                raise CrawlError(f"repository {path.name} has a broken history at {parent_id}")
            heapq.heappush(queue, (-parent.commit_time, count, parent))
            count += 1


def _head_commit(repo: pygit2.Repository, path: Path) -> pygit2.Commit:
    try:
        return repo.revparse_single("HEAD").peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise CrawlError(f"repository {path.name} has no commits on its default branch") from None


def _email(commit: pygit2.Commit) -> str:
    """The author e-mail as ``git log`` prints it: re-encoded to UTF-8 from the commit's
    declared encoding, bytes that will not decode replaced."""
    encoding = commit.message_encoding or "utf-8"
    try:
        return commit.author.raw_email.decode(encoding, "replace")
    except LookupError:  # an encoding Python does not know: git prints the bytes as they are
        return commit.author.raw_email.decode("utf-8", "replace")


def _default_branch(repo: pygit2.Repository) -> str:
    """``main`` when HEAD is a symbolic ref to ``refs/heads/main``; "" when detached."""
    ref = repo.lookup_reference("HEAD")
    if ref.type != ReferenceType.SYMBOLIC:
        return ""
    target = ref.raw_target
    if not isinstance(target, bytes) or not target.startswith(b"refs/heads/"):
        return ""
    return target.removeprefix(b"refs/heads/").decode("utf-8", "replace")


_HEX = re.compile(rb"[0-9a-f]{40}")
_RULES = (b"%s", b"refs/%s", b"refs/tags/%s", b"refs/heads/%s", b"refs/remotes/%s")


def _tags(repo: pygit2.Repository) -> tuple[TagFact, ...]:
    """Tags sorted by ref name, shortened unambiguously the way git's strict
    ``refname:short`` does (``tags/v1`` when a branch ``v1`` exists too), each with what
    ``for-each-ref`` says of it: its object (an annotated tag's target), its creator date
    and an annotated tag's message."""
    names = set(repo.raw_listall_references())
    gitdir = Path(repo.path)
    out = []
    for full in sorted(n for n in names if n.startswith(b"refs/tags/")):
        short = _shorten(full, names, gitdir).decode("utf-8", "replace")
        if not short.strip():
            continue
        out.append(_tag_fact(repo, full, short))
    return tuple(out)


def _tag_fact(repo: pygit2.Repository, full: bytes, short: str) -> TagFact:
    try:
        target = repo.references[full.decode("utf-8", "surrogateescape")].target
        obj = repo.get(target) if not isinstance(target, str) else None
    except (KeyError, ValueError, pygit2.GitError):
        obj = None
    if isinstance(obj, pygit2.Tag):
        stamp = obj.tagger.time if obj.tagger is not None else 0
        return TagFact(short, str(obj.target), stamp, tag_message(obj.raw_message or b""))
    if isinstance(obj, pygit2.Commit):
        return TagFact(short, str(obj.id), obj.commit_time)
    return TagFact(short, str(obj.id) if obj is not None else "", 0)


def _shorten(full: bytes, names: set[bytes], gitdir: Path) -> bytes:
    rules = (*_RULES, b"refs/remotes/%s/HEAD")
    for i in (2, 1):  # the rules that can match a tag: refs/tags/%s, then refs/%s
        short = full.removeprefix(rules[i].split(b"%s")[0])
        if any(_exists(rule % short, names, gitdir) for j, rule in enumerate(rules) if j != i):
            continue
        return short
    return full


def _exists(name: bytes, names: set[bytes], gitdir: Path) -> bool:
    if name in names:
        return True
    if b"/" in name or name.startswith(b"."):
        return False  # only a top-level pseudo-ref (HEAD, FETCH_HEAD…) can live outside refs/
    try:  # git reads the file and counts it only if it parses as a ref
        with open(gitdir / name.decode("utf-8", "surrogateescape"), "rb") as file:
            start = file.read(64)
    except (OSError, ValueError):
        return False
    return start.startswith(b"ref:") or _HEX.match(start) is not None
