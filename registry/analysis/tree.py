"""The read-only view of a repository's files that every analyser works on.

Analysis never imports the crawlers: a git clone (``crawlers.git.GitTree``) and an
in-memory dict (``MemoryTree``, for tests) both satisfy ``Tree``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

DEFAULT_READ_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One path of the tree: a regular file or a symlink (never followed)."""

    path: str
    size: int
    is_symlink: bool = False


@runtime_checkable
class Tree(Protocol):
    def entries(self) -> Sequence[FileEntry]:
        """Every file path (POSIX, relative, no directories), symlinks included but flagged."""

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        """The blob's bytes, or None when absent, a symlink, or larger than ``limit``."""

    def read_prefix(self, path: str, size: int) -> bytes | None:
        """The blob's first ``size`` bytes (all of it when shorter), whatever its length,
        or None when absent, a symlink, or not readable at all (left out of a partial
        clone, over the reader's own cap). For classifiers that need a sample only."""


class MemoryTree:
    """A Tree over a dict of path -> bytes (tests, fixtures); never sampled, nothing to close."""

    truncated = False

    def __init__(self, files: Mapping[str, bytes | str], symlinks: Sequence[str] = ()) -> None:
        self._files = {p: (v.encode() if isinstance(v, str) else v) for p, v in files.items()}
        self._symlinks = set(symlinks)

    def entries(self) -> Sequence[FileEntry]:
        return [FileEntry(p, len(b), p in self._symlinks) for p, b in sorted(self._files.items())]

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        data = self._files.get(path)
        if data is None or path in self._symlinks or len(data) > limit:
            return None
        return data

    def close(self) -> None:
        return None

    def read_prefix(self, path: str, size: int) -> bytes | None:
        data = self._files.get(path)
        if data is None or path in self._symlinks:
            return None
        return data[: max(size, 0)]


def decode_text(data: bytes) -> str:
    """Bytes in any encoding to text: UTF-8 (with or without BOM), UTF-16 by BOM, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
