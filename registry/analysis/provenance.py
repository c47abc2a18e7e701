"""Provenance: the evidence that one repository came from another without a forge fork.

Two signals survive a re-upload to another host: shared root commits (the history was
carried over) and identical source files (the code was copied without its history).
Files are fingerprinted after normalising what a copy commonly changes (line endings,
trailing whitespace, blank lines), so a CRLF checkout still matches. Vendored,
generated, binary, documentation, tiny and licence files are left out: everyone shares
those, and a match on them says nothing about reuse.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from registry.analysis.languages import (
    clean_path,
    is_counted,
    is_excluded_path,
    is_source,
    name_candidates,
)
from registry.analysis.sketches import Sketch, sketch
from registry.analysis.tree import DEFAULT_READ_LIMIT, Tree

SAMPLE = 16_384  # bytes given to language detection
BOILERPLATE = re.compile(
    r"^(?:licen[cs]e|copying|copyright|notice|unlicense|patents|authors|contributors)"
    r"(?:[._-].*)?$",
    re.IGNORECASE,
)
COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


@dataclass(frozen=True)
class ProvenanceFinding:
    root_commits: tuple[str, ...]
    fingerprints: tuple[tuple[str, str], ...]  # (path, fingerprint), sorted by path
    sketches: tuple[Sketch, ...] = ()  # near-duplicate sketches of the same files


def normalise(content: bytes) -> bytes:
    """Content as a copy would keep it: no BOM, no CR, no trailing blanks, no empty lines.

    ``map``/``filter`` keep the per-line work in C (a generator over lines was the largest
    cost of provenance); the definition is unchanged, so stored fingerprints still match.
    """
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    return b"\n".join(filter(None, map(bytes.rstrip, content.splitlines())))


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(normalise(content)).hexdigest()


@lru_cache(maxsize=8192)
def _not_source_by_name(name: str) -> bool:
    """True when ``is_source`` says no for a file called ``name`` whatever its content, so
    reading it is wasted: an unknown extension, or one whose every possible language is
    not counted (``.json``, ``.md``, ``.txt``: the likely one is among them). Extensionless
    names (scripts) and names that may mean a counted language need their content."""
    candidates = name_candidates(name)
    if not candidates:
        return "." in name
    return not any(is_counted(language) for language in candidates)


def _worth_matching(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return bool(path) and not is_excluded_path(path) and not BOILERPLATE.match(name)


def _root_commits(commits: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({c.strip().lower() for c in commits if COMMIT.match(c.strip().lower())}))


def analyse_provenance(
    tree: Tree,
    *,
    root_commits: Sequence[str],
    max_files: int = 500,
    min_bytes: int = 256,
    memo: Memo | None = None,
) -> ProvenanceFinding:
    """Root commits plus fingerprints of up to ``max_files`` source files, biggest first
    (and, when given a ``memo`` of sketches to fill, their near-duplicate sketches)."""
    prints: list[tuple[str, str]] = []
    sketches: list[Sketch] = []
    for path, content, normal in source_files(tree, max_files=max_files, min_bytes=min_bytes):
        digest = hashlib.sha256(normal).hexdigest()
        prints.append((path, digest))
        values = _sketch(content, digest, memo) if memo is not None else None
        if values is not None:
            sketches.append(Sketch(path, False, values))
    return ProvenanceFinding(_root_commits(root_commits), tuple(sorted(prints)), tuple(sketches))


Memo = dict[str, tuple[int, ...] | None]  # normalised-content digest -> sketch


def sketch_commit(
    tree: Tree, *, root: bool, max_files: int = 200, memo: Memo | None = None
) -> tuple[Sketch, ...]:
    """Sketches of up to ``max_files`` source files of one past commit, biggest first; a
    file version already sketched (same normalised content, in ``memo``) is not again."""
    memo = {} if memo is None else memo
    found = []
    for path, content, normal in source_files(tree, max_files=max_files, min_bytes=256):
        values = _sketch(content, hashlib.sha256(normal).hexdigest(), memo)
        if values is not None:
            found.append(Sketch(path, root, values))
    return tuple(found)


def _sketch(content: bytes, digest: str, memo: Memo) -> tuple[int, ...] | None:
    if digest not in memo:
        memo[digest] = sketch(content)
    return memo[digest]


def source_files(
    tree: Tree, *, max_files: int, min_bytes: int
) -> Iterator[tuple[str, bytes, bytes]]:
    """(path, content, normalised content) of up to ``max_files`` source files worth
    matching, biggest first."""
    candidates = sorted(
        (
            entry
            for entry in tree.entries()
            if not entry.is_symlink
            and min_bytes <= entry.size <= DEFAULT_READ_LIMIT
            and _worth_matching(clean_path(entry.path))
        ),
        key=lambda entry: (-entry.size, entry.path),
    )
    given = 0
    for reads, entry in enumerate(candidates):
        if given >= max_files or reads >= 4 * max(max_files, 0):
            break
        path = clean_path(entry.path)
        if _not_source_by_name(path.rsplit("/", 1)[-1]):
            continue  # still counted as a read above: the same files match as before
        content = tree.read(entry.path)
        if not content or not is_source(path, content[:SAMPLE]):
            continue
        normal = normalise(content)
        if len(normal) >= min_bytes:
            given += 1
            yield entry.path, content, normal


def shared_history(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two repositories share a root commit, i.e. one history grew from the other."""
    return bool(set(_root_commits(a)) & set(_root_commits(b)))


def copied_files(a: ProvenanceFinding, b: ProvenanceFinding) -> list[tuple[str, str]]:
    """Pairs (path in a, path in b) whose normalised content is identical."""
    in_b: dict[str, list[str]] = defaultdict(list)
    for path, print_ in b.fingerprints:
        in_b[print_].append(path)
    return sorted((path, other) for path, print_ in a.fingerprints for other in in_b[print_])
