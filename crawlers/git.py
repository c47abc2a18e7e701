"""Read a bare, partial clone as a ``Tree`` without ever fetching or following anything.

In a blobless clone every command that meets a missing blob asks the promisor remote for
it, one request per blob (git 2.39 has no switch to stop that). So ``GitTree`` first asks
``rev-list --missing=print`` which blobs are here; a missing blob means "over the size cap"
and is never requested. Reads also run with every transport forbidden, so even a mistake
here fails instead of reaching the network. Symlinks are listed, flagged and never read;
submodules are skipped. One ``git cat-file --batch`` process serves all reads.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE, Popen

from crawlers.gitcache import GitCache
from crawlers.gitcmd import git_argv, kill_group, run_git, safe_env
from crawlers.gitfacts import read_git_facts
from registry.analysis.tree import DEFAULT_READ_LIMIT, FileEntry
from registry.errors import CrawlError
from registry.urlpolicy import check_git_ref

__all__ = ["GitCache", "GitTree", "read_git_facts"]

_SYMLINK, _GITLINK = b"120000", b"160000"
_REV_LIST_OBJECTS = ("rev-list", "--objects", "--no-object-names", "--missing=print", "--no-walk")


@dataclass(frozen=True, slots=True)
class _Blob:
    oid: str
    size: int  # for a missing blob: max_blob_bytes + 1, a lower bound
    present: bool
    is_symlink: bool


class GitTree:
    """The files of one commit of a bare repository (implements ``registry.analysis.Tree``)."""

    def __init__(
        self, repo_path: Path, commit: str, *, max_blob_bytes: int, max_files: int
    ) -> None:
        self.repo_path = Path(repo_path)
        self.commit = check_git_ref(commit)
        self.max_blob_bytes = max_blob_bytes
        self.max_files = max_files
        self.truncated = False
        self._blobs = self._list()
        self._lock = threading.Lock()
        self._proc: Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    def entries(self) -> Sequence[FileEntry]:
        return [FileEntry(p, b.size, b.is_symlink) for p, b in self._blobs.items()]

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        blob = self._blobs.get(path)
        if blob is None or blob.is_symlink or not blob.present:
            return None
        if blob.size > min(limit, self.max_blob_bytes):
            return None
        with self._lock:
            return self._cat(blob)

    def close(self) -> None:
        """Stop the ``cat-file`` process (also done when the tree is garbage-collected)."""
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> GitTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _list(self) -> dict[str, _Blob]:
        listing = run_git(
            ["ls-tree", "-r", "-z", "--full-tree", self.commit, "--"], cwd=self.repo_path
        ).stdout
        raw: dict[str, tuple[bytes, str]] = {}
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, oid = meta.split(b" ")
            if mode == _GITLINK or kind != b"blob":
                continue
            raw[name.decode("utf-8", "backslashreplace")] = (mode, oid.decode())
        chosen = self._sample(sorted(raw))
        present = self._present_sizes({raw[p][1] for p in chosen})
        blobs = {}
        for path in chosen:
            mode, oid = raw[path]
            size = present.get(oid, self.max_blob_bytes + 1)
            blobs[path] = _Blob(oid, size, oid in present, mode == _SYMLINK)
        return blobs

    def _sample(self, paths: list[str]) -> list[str]:
        """All paths, or root files plus a deterministic hash-ordered sample of the rest."""
        if len(paths) <= self.max_files:
            return paths
        self.truncated = True
        root = [p for p in paths if "/" not in p][: self.max_files]
        rest = sorted(
            (p for p in paths if "/" in p), key=lambda p: hashlib.sha1(p.encode()).digest()
        )
        return sorted(root + rest[: self.max_files - len(root)])

    def _present_sizes(self, oids: set[str]) -> dict[str, int]:
        """Sizes of the blobs that are in the clone; missing ones are never asked for."""
        listing = run_git(
            [*_REV_LIST_OBJECTS, self.commit, "--"],
            cwd=self.repo_path,
        ).stdout
        missing = {line[1:] for line in listing.decode().split() if line.startswith("?")}
        wanted = sorted(oids - missing)
        if not wanted:
            return {}
        checked = run_git(
            ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
            cwd=self.repo_path,
            input="".join(f"{oid}\n" for oid in wanted).encode(),
        ).stdout
        sizes = {}
        for line in checked.decode().splitlines():
            oid, _, size = line.partition(" ")
            if size.isdigit():
                sizes[oid] = int(size)
        return sizes

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
            self._proc = Popen(
                git_argv(["cat-file", "--batch"]),
                cwd=self.repo_path,
                env=safe_env(),
                stdin=PIPE,
                stdout=PIPE,
                stderr=DEVNULL,
                start_new_session=True,
            )
            self._finalizer = weakref.finalize(self, _stop, self._proc)
        return self._proc


def _stop(proc: Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    kill_group(proc)
    proc.wait()
