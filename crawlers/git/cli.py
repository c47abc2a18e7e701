"""Read a bare, partial clone as a ``Tree`` without ever fetching or following anything.

In a blobless clone every command that meets a missing blob asks the promisor remote for
it, one request per blob (git 2.39 has no switch to stop that). So in a partial clone
``GitTree`` first asks ``rev-list --missing=print`` which blobs are here; a missing blob
means "over the size cap" and is never requested. A clone whose config names no promisor
(nothing can be fetched lazily) takes the sizes straight from ``ls-tree -l``. Reads also
run with every transport forbidden, so even a mistake here fails instead of reaching the
network. Symlinks are listed, flagged and never read; submodules are skipped.

A git process costs milliseconds and so does each request/answer turn with one, which is
more than most analysers spend on a file. So the first ``read`` fetches every readable
blob, smallest first up to ``prefetch_bytes``, in one ``cat-file --batch`` pass; only the
rest is read one at a time, by one long-lived ``cat-file --batch`` process.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE, Popen

from crawlers.git.command import (
    MEMORY_LIMIT,
    abandon_git,
    finish_git,
    git_argv,
    kill_group,
    popen_git,
    run_git,
    start_git,
)
from registry.analysis.tree import DEFAULT_READ_LIMIT, FileEntry
from registry.errors import CrawlError
from registry.urlpolicy import check_git_ref

__all__ = ["GitTree", "sample_paths", "spell_path"]

PREFETCH_BYTES = 16 * 1024 * 1024  # content held per open tree, at most
MAX_LISTED = 1_000_000  # tree entries listed at most (Settings.max_tree_entries)
MAX_LISTING_BYTES = 128 * 1024 * 1024  # of ``ls-tree`` output (Settings.max_tree_listing_bytes)
_CHUNK = 1 << 16
_SYMLINK, _GITLINK = b"120000", b"160000"
_REV_LIST_OBJECTS = ("rev-list", "--objects", "--no-object-names", "--missing=print", "--no-walk")
# Anything that could let git fetch lazily, or read config or objects from elsewhere.
_MAYBE_PARTIAL = re.compile(rb"promisor|partialclone|\[\s*include", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Blob:
    oid: str
    size: int  # for a missing blob: max_blob_bytes + 1, a lower bound
    present: bool
    is_symlink: bool


class GitTree:
    """The files of one commit of a bare repository (implements ``registry.analysis.Tree``)."""

    def __init__(
        self,
        repo_path: Path,
        commit: str,
        *,
        max_blob_bytes: int,
        max_files: int,
        prefetch_bytes: int = PREFETCH_BYTES,
        max_entries: int = MAX_LISTED,
        max_listing_bytes: int = MAX_LISTING_BYTES,
        memory_limit: int | None = MEMORY_LIMIT,
    ) -> None:
        self.repo_path = Path(repo_path)
        self.commit = check_git_ref(commit)
        self.max_blob_bytes = max_blob_bytes
        self.max_files = max_files
        self.max_entries = max_entries
        self.max_listing_bytes = max_listing_bytes
        self.memory_limit = memory_limit
        self.prefetch_bytes = prefetch_bytes
        self.truncated = False
        self.partial = is_partial_clone(self.repo_path)
        self._blobs = self._list()
        self._entries = tuple(FileEntry(p, b.size, b.is_symlink) for p, b in self._blobs.items())
        self._lock = threading.Lock()
        self._content: dict[str, bytes] | None = None  # oid -> bytes, after the first read
        self._proc: Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        blob = self._blobs.get(path)
        if blob is None or blob.is_symlink or not blob.present:
            return None
        if blob.size > min(limit, self.max_blob_bytes):
            return None
        with self._lock:
            if self._content is None:
                self._content = self._prefetch()
            data = self._content.get(blob.oid)
            return data if data is not None else self._cat(blob)

    def read_prefix(self, path: str, size: int) -> bytes | None:
        """The first ``size`` bytes of a blob within ``max_blob_bytes`` (``cat-file`` sends
        the whole object, so the cap bounds the work; the caller sees ``size`` at most)."""
        data = self.read(path, self.max_blob_bytes)
        return None if data is None else data[: max(size, 0)]

    def close(self) -> None:
        """Stop the ``cat-file`` process (also done when the tree is garbage-collected)."""
        self._content = {}
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> GitTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _list(self) -> dict[str, _Blob]:
        missing_args = [*_REV_LIST_OBJECTS, self.commit, "--"]
        # In a partial clone the missing-blob walk runs while ls-tree does.
        mem = self.memory_limit
        finding = (
            start_git(missing_args, cwd=self.repo_path, memory_limit=mem) if self.partial else None
        )
        try:
            sizes = () if finding else ("-l",)
            listing = stream_items(
                ["ls-tree", "-r", "-z", *sizes, "--full-tree", self.commit, "--"],
                cwd=self.repo_path,
                max_items=self.max_entries,
                max_bytes=self.max_listing_bytes,
                memory_limit=mem,
            )
        except BaseException:
            if finding is not None:
                abandon_git(finding)
            raise
        raw: dict[str, tuple[bytes, str, int]] = {}
        for item in listing:
            meta, _, name = item.partition(b"\t")
            mode, kind, oid, *size = meta.split()
            if mode == _GITLINK or kind != b"blob":
                continue
            known = int(size[0]) if size and size[0].isdigit() else -1
            raw[spell_path(name)] = (mode, oid.decode(), known)
        chosen = self._sample(sorted(raw))
        if finding is not None:
            missing = finish_git(finding, missing_args).stdout
            present = self._present_sizes({raw[p][1] for p in chosen}, missing)
        else:
            present = {oid: size for _, oid, size in (raw[p] for p in chosen) if size >= 0}
        blobs = {}
        for path in chosen:
            mode, oid, _ = raw[path]
            size = present.get(oid, self.max_blob_bytes + 1)
            blobs[path] = _Blob(oid, size, oid in present, mode == _SYMLINK)
        return blobs

    def _sample(self, paths: list[str]) -> list[str]:
        chosen = sample_paths(paths, self.max_files)
        self.truncated = len(chosen) < len(paths)
        return chosen

    def _present_sizes(self, oids: set[str], listing: bytes) -> dict[str, int]:
        """Sizes of the blobs that are in the clone (``listing``: ``rev-list --missing=print``
        output, missing objects marked ``?``); missing ones are never asked for."""
        missing = {line[1:] for line in listing.decode().split() if line.startswith("?")}
        wanted = sorted(oids - missing)
        if not wanted:
            return {}
        checked = run_git(
            ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
            cwd=self.repo_path,
            input="".join(f"{oid}\n" for oid in wanted).encode(),
            memory_limit=self.memory_limit,
        ).stdout
        sizes = {}
        for line in checked.decode().splitlines():
            oid, _, size = line.partition(" ")
            if size.isdigit():
                sizes[oid] = int(size)
        return sizes

    def _prefetch(self) -> dict[str, bytes]:
        """Every readable blob, smallest first within ``prefetch_bytes``, in one pass."""
        sizes = {
            b.oid: b.size
            for b in self._blobs.values()
            if b.present and not b.is_symlink and b.size <= self.max_blob_bytes
        }
        wanted, total = [], 0
        for oid, size in sorted(sizes.items(), key=lambda item: (item[1], item[0])):
            if total + size > self.prefetch_bytes:
                break
            wanted.append(oid)
            total += size
        if not wanted:
            return {}
        out = run_git(
            ["cat-file", "--batch"],
            cwd=self.repo_path,
            input="".join(f"{oid}\n" for oid in wanted).encode(),
            memory_limit=self.memory_limit,
        ).stdout
        return parse_batch(out)

    def _cat(self, blob: _Blob) -> bytes:
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(f"{blob.oid}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise CrawlError(f"git cat-file gave {header!r} for {blob.oid}")
            data = proc.stdout.read(int(header[2]) + 1)[:-1]
        except (OSError, ValueError) as exc:
            self.close()
            raise CrawlError(f"git cat-file stopped: {exc}") from None
        return data

    def _process(self) -> Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            mem = self.memory_limit
            self._proc = popen_git(
                git_argv(["cat-file", "--batch"], memory_limit=mem),
                cwd=self.repo_path,
                stdin=PIPE,
                stderr=DEVNULL,
                memory_limit=mem,
            )
            self._finalizer = weakref.finalize(self, _stop, self._proc)
        return self._proc


def stream_items(
    args: Sequence[str],
    *,
    cwd: Path,
    max_items: int,
    max_bytes: int,
    timeout: float = 60.0,
    memory_limit: int | None = MEMORY_LIMIT,
) -> list[bytes]:
    """The NUL-separated items git writes for ``args``, read as they come; past
    ``max_items`` items or ``max_bytes`` bytes git is stopped and CrawlError raised. A
    tree that references one subtree ten times, ten levels deep, lists 10**10 files from a
    few kilobytes of objects: its listing must never be held whole."""
    proc = start_git(args, cwd=cwd, memory_limit=memory_limit)
    assert proc.stdout is not None
    items: list[bytes] = []
    tail, total = b"", 0
    try:
        while chunk := proc.stdout.read1(_CHUNK):
            total += len(chunk)
            parts = (tail + chunk).split(b"\0")
            tail = parts.pop()
            items.extend(p for p in parts if p)
            if len(items) > max_items or total > max_bytes:
                over = len(items) > max_items
                what = f"{max_items} entries" if over else f"{max_bytes} bytes"
                raise CrawlError(f"git {args[0]} listed more than {what}: refused as a git bomb")
    except BaseException:
        abandon_git(proc)
        raise
    proc.stdout.close()
    finish_git(proc, args, timeout=timeout)
    if tail:
        items.append(tail)
    return items


def spell_path(name: bytes) -> str:
    """A path as both tree readers spell it: UTF-8, other bytes as visible ``\\xNN`` escapes."""
    return name.decode("utf-8", "backslashreplace")


def sample_paths(paths: list[str], max_files: int) -> list[str]:
    """``paths`` (sorted) if they fit, else root files plus a deterministic hash-ordered
    sample of the rest, sorted: the same sample every time and for every reader."""
    if len(paths) <= max_files:
        return paths
    root = [p for p in paths if "/" not in p][:max_files]
    rest = sorted((p for p in paths if "/" in p), key=lambda p: hashlib.sha1(p.encode()).digest())
    return sorted(root + rest[: max_files - len(root)])


def is_partial_clone(repo_path: Path) -> bool:
    """Whether git could fetch missing objects lazily here (or we cannot tell: say yes).

    Git fetches lazily only from a promisor remote, which a partial clone names in its
    config; promisor packs, alternates and config includes are treated as partial too.
    """
    objects = repo_path / "objects"
    try:
        config = (repo_path / "config").read_bytes()
    except OSError:
        return True
    if _MAYBE_PARTIAL.search(config) or (objects / "info" / "alternates").exists():
        return True
    return any((objects / "pack").glob("*.promisor"))


def parse_batch(out: bytes) -> dict[str, bytes]:
    """``cat-file --batch`` output (``<oid> blob <size>\\n<bytes>\\n`` …) to oid -> bytes."""
    found: dict[str, bytes] = {}
    pos, end = 0, len(out)
    while pos < end:
        eol = out.find(b"\n", pos)
        if eol < 0:
            raise CrawlError("git cat-file gave a truncated answer")
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) != 3:  # "<oid> missing": nothing follows
            continue
        size = int(header[2])
        if header[1] == b"blob":
            found[header[0].decode()] = out[pos : pos + size]
        pos += size + 1
    return found


def _stop(proc: Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    kill_group(proc)
    proc.wait()
