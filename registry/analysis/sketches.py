"""Near-duplicate source files across histories: MinHash sketches (``datasketch``).

Copied code often survives at neither HEAD: the copy drifted (reformatted, comments
rewritten, functions edited) and the original moved on. So a repository's first commit is
compared with the other's history, file by file, by resemblance rather than identical
bytes. Each source file is normalised (comments and whitespace dropped, tokens kept), cut
into shingles of ``SHINGLE`` tokens and summarised by a MinHash of ``NUM_PERM`` values; the
values are grouped into LSH bands (``datasketch.MinHashLSH``'s parameters for
``THRESHOLD``), so the store finds candidates by an indexed band key and confirms them by
the estimated Jaccard similarity.

``first_commit_copied`` says whether one repository's first commit is a copy of another's
files, and refuses the two ways unrelated projects come to share files:

- a **framework skeleton**: both began from the same generated files, so the matches are
  files of the original's own root commit; a copy also carries versions the original
  wrote later (``EVOLVED_SHARE`` of the matches, at least two files);
- a **vendored library**: third-party code both carry. The matched files must spread over
  the first commit's folders rather than sit in one of them, and, in the original, lie
  mostly in its own layout: the folders of its root commit (or, when that commit holds
  too few files to tell, the folders where its files changed over the sampled history).
  A library dropped into a new folder later is not the original's own code.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from posixpath import dirname

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SCHEME = "affine32"  # datasketch's permutation scheme: stored sketches are only comparable
# with sketches made the same way, so it is named here rather than left to the default
THRESHOLD = 0.6  # estimated Jaccard similarity of shingles: a near-duplicate
SHINGLE = 5
MIN_SHINGLES = 12  # shorter files say nothing about copying
ROOT_COPY_FILES = 3  # first-commit files that must match, at least…
ROOT_COPY_SHARE = 0.5  # …and at least this share of the first commit's source files
FOLDER_SHARE = 0.5  # of the first commit's source folders holding a match
EVOLVED_SHARE = 0.25  # of the matches: closer to a version the original wrote after its root

_BLOCK = re.compile(rb'/\*.*?\*/|""".*?"""|\'\'\'.*?\'\'\'|<!--.*?-->', re.S)
_LINE = re.compile(rb"(?://|#|--)[^\n]*")  # also inside strings: both sides alike
_TOKEN = re.compile(rb"\w+")  # words only: punctuation and layout are what copies change
# Odd multipliers, one per position in a shingle; products wrap modulo 2**64 and the
# sum is cut to 32 bits, the width MinHash's permutations expect.
_POWERS = np.array(
    [0x9E3779B1 ** (SHINGLE - n) % 2**61 | 1 for n in range(SHINGLE)], dtype=np.uint64
)


@dataclass(frozen=True)
class Sketch:
    path: str
    root: bool  # the file is in a root commit (else HEAD or a sampled past commit)
    values: tuple[int, ...]  # the MinHash values

    def bands(self) -> tuple[str, ...]:
        return band_keys(self.values)


@dataclass(frozen=True)
class CopyFinding:
    matched: tuple[tuple[str, str, float], ...]  # (path in the copy, path in original, sim)
    files: int  # source files sketched in the copy's first commit
    share: float

    def evidence(self, copy: str, original: str) -> str:
        examples = ", ".join(f"{a} ≈ {b} ({s:.0%})" for a, b, s in self.matched[:3])
        return (
            f"{len(self.matched)} of the {self.files} source files of {copy}'s first commit"
            f" ({self.share:.0%}) match files in {original}'s history, for example {examples}"
        )


def tokens(content: bytes) -> list[bytes]:
    """The content as a copy keeps it: comments, punctuation and whitespace gone, words
    in order."""
    text = _LINE.sub(b" ", _BLOCK.sub(b" ", content))
    return _TOKEN.findall(text)


def shingles(content: bytes) -> np.ndarray:
    """32-bit hashes of the content's distinct ``SHINGLE``-token shingles: each token's
    CRC-32, combined along a window (a polynomial hash, stable across processes)."""
    words = np.fromiter(map(zlib.crc32, tokens(content)), dtype=np.uint64)
    if len(words) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    windows = np.lib.stride_tricks.sliding_window_view(words, SHINGLE)
    combined = (windows * _POWERS).sum(axis=1, dtype=np.uint64) & np.uint64(0xFFFFFFFF)
    return np.unique(combined)


def sketch(content: bytes) -> tuple[int, ...] | None:
    """MinHash values of the content's token shingles; None when too short to tell."""
    hashes = shingles(content)
    if len(hashes) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(hashes.tolist())
    return tuple(int(v) for v in minhash.hashvalues)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own permutations for ``NUM_PERM`` (seed 1), made once per process."""
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


@cache
def _bands() -> tuple[tuple[int, int], ...]:
    return tuple(MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM).hashranges)


def band_keys(values: Sequence[int]) -> tuple[str, ...]:
    """One key per LSH band: files sharing a key are candidates (``band:digest``)."""
    keys = []
    for n, (start, end) in enumerate(_bands()):
        data = np.asarray(values[start:end], dtype=np.uint32).tobytes()
        keys.append(f"{n}:{hashlib.blake2b(data, digest_size=8).hexdigest()}")
    return tuple(keys)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """The estimated Jaccard similarity of two sketches."""
    return float(np.mean(np.asarray(a, dtype=np.uint32) == np.asarray(b, dtype=np.uint32)))


def _index(sketches: Iterable[Sketch]) -> dict[str, list[Sketch]]:
    found: dict[str, list[Sketch]] = defaultdict(list)
    for s in sketches:
        for key in s.bands():
            found[key].append(s)
    return found


def _best(s: Sketch, index: dict[str, list[Sketch]]) -> tuple[Sketch, float] | None:
    candidates = {id(c): c for key in s.bands() for c in index.get(key, ())}
    scored = [(c, similarity(s.values, c.values)) for c in candidates.values()]
    scored = [(c, sim) for c, sim in scored if sim >= THRESHOLD]
    return max(scored, key=lambda p: (p[1], not p[0].root, p[0].path), default=None)


def own_layout(sketches: Sequence[Sketch]) -> set[str]:
    """The folders a repository's own code lives in: its root commit's, or where its files
    changed over the sampled history when the root commit is too small to tell."""
    roots = {dirname(s.path) for s in sketches if s.root}
    if sum(s.root for s in sketches) >= ROOT_COPY_FILES:
        return roots
    versions: dict[str, set[tuple[int, ...]]] = defaultdict(set)
    for s in sketches:
        versions[s.path].add(s.values)
    return roots | {dirname(path) for path, seen in versions.items() if len(seen) > 1}


def first_commit_copied(copy: Sequence[Sketch], original: Sequence[Sketch]) -> CopyFinding | None:
    """Whether ``copy``'s root-commit files are a copy of files in ``original``'s history;
    None when they are not, or when only a shared starting point or a library explains
    the resemblance."""
    first = [s for s in copy if s.root]
    if len(first) < ROOT_COPY_FILES:
        return None
    later = _index(s for s in original if not s.root)
    roots = _index(s for s in original if s.root)
    matched, evolved = [], 0
    for s in first:
        at_root, after = _best(s, roots), _best(s, later)
        hit = max((h for h in (at_root, after) if h), key=lambda h: h[1], default=None)
        if hit is None:
            continue
        matched.append((s.path, hit[0].path, hit[1]))
        evolved += after is not None and (at_root is None or after[1] > at_root[1])
    share = len(matched) / len(first)
    if len(matched) < ROOT_COPY_FILES or share < ROOT_COPY_SHARE:
        return None
    if evolved < max(2, EVOLVED_SHARE * len(matched)):
        return None  # the original's own root commit explains it: a common starting point
    folders = {dirname(s.path) for s in first}
    if len({dirname(a) for a, _, _ in matched}) < FOLDER_SHARE * len(folders):
        return None  # the matches sit in a few of the copy's folders: a library
    own = own_layout(original)
    if sum(dirname(b) in own for _, b, _ in matched) < FOLDER_SHARE * len(matched):
        return None  # outside the original's own folders: a library it carries too
    matched.sort(key=lambda m: (-m[2], m[0]))
    return CopyFinding(tuple(matched), len(first), share)


def incidental(
    a: Sequence[Sketch], b: Sequence[Sketch], pairs: Sequence[tuple[str, str]]
) -> str | None:
    """Why files two HEADs share say nothing of reuse, or None: most of them were in both
    root commits already (a common starting point), or sit outside one side's own layout
    (a library both carry). Repositories without sketches (stored by an older release)
    give no answer."""
    if not pairs or not a or not b:
        return None
    roots_a, roots_b = _index(s for s in a if s.root), _index(s for s in b if s.root)
    heads = {s.path: s for s in a if not s.root} | {s.path: s for s in a if s.root}
    common = 0
    for path, _ in pairs:
        mine = heads.get(path)
        common += mine is not None and bool(_best(mine, roots_a)) and bool(_best(mine, roots_b))
    if common >= FOLDER_SHARE * len(pairs):
        return "both began with these files (a common starting point such as a skeleton)"
    own_a, own_b = own_layout(a), own_layout(b)
    outside = sum(dirname(x) not in own_a or dirname(y) not in own_b for x, y in pairs)
    if outside >= FOLDER_SHARE * len(pairs):
        return "the files sit outside one side's own folders (a library both carry)"
    return None
