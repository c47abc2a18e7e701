"""Where a repository states its licence: licence files and SPDX headers in source files.

Bounded on purpose: a few licence files, a sample of source files, each read up to a cap,
so one odd repository (100,000 files, a 1 GB "LICENSE") cannot slow a crawl. Headers are
tallied over the shallowest ``MAX_HEADER_FILES`` source files (a deterministic sample:
REUSE-style repositories tag every file, so a few dozen settle the majority) and only the
first ``HEADER_SCAN_CHARS`` of each is decoded and searched, for SPDX tags and for the GNU
notice ("either version 3 of the License, or (at your option) any later version").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from registry.analysis.licence_ids import normalise_expression
from registry.analysis.licence_notices import find_notice
from registry.analysis.tree import FileEntry, Tree, decode_text

MAX_LICENCE_FILES = 12
LICENCE_READ_LIMIT = 512_000
MAX_HEADER_FILES = 64
HEADER_SCAN_CHARS = 4_000
HEADER_READ_BYTES = 4 * HEADER_SCAN_CHARS  # a prefix of any source file, UTF-8 at worst

# LICENSE, LICENCE.md, LICENSE-MIT, OGL_LICENSE.md, UNLICENSE, COPYING.LESSER, NOTICE…
_LICENCE_NAME = re.compile(
    r"^(?:(?:[\w.]+[-_.])?(?:un)?licen[cs]es?|copying|copyright|notice)(?:[-._ ].*)?$",
    re.IGNORECASE,
)
_SKIP_DIRS = {
    "node_modules", "vendor", "vendors", "third_party", "third-party", "thirdparty",
    "external", "deps", ".git", "bower_components", "site-packages", "dist", "build",
}  # fmt: skip
_SOURCE_SUFFIXES = {
    ".py", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".go", ".rs", ".c", ".h",
    ".cc", ".cpp", ".hpp", ".cs", ".rb", ".php", ".swift", ".scala", ".sh", ".pl", ".r",
    ".vue", ".svelte", ".css", ".scss", ".html", ".xml", ".yml", ".yaml", ".toml", ".sql",
    ".ex", ".exs", ".erl", ".hs", ".lua", ".dart", ".groovy", ".m", ".tf",
}  # fmt: skip
# Data and build files hold declarations (``license: GPL-3.0-only``), not notices: their
# SPDX tags count, but a licence named in them is read by the manifest readers instead.
_DECLARATION_SUFFIXES = {".yml", ".yaml", ".toml", ".xml", ".json"}
_TAG = re.compile(r"SPDX-License-Identifier:\s*([^\n*#>]+?)\s*(?:-->|\*/|\"|$)", re.M | re.I)


@dataclass(frozen=True)
class HeaderTally:
    """SPDX-License-Identifier tags seen in a sample of source files."""

    counts: Counter[str]  # normalised expression -> files
    first_path: dict[str, str]
    sampled: int
    notices: Counter[str] = field(default_factory=Counter)  # GNU notice's SPDX id -> files
    notice_first: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> path, words


def _vendored(path: PurePosixPath) -> bool:
    return any(part.lower() in _SKIP_DIRS for part in path.parts[:-1])


def licence_files(entries: Sequence[FileEntry]) -> list[str]:
    """Candidate licence files, most authoritative first: root, REUSE ``LICENSES/``, deeper."""
    ranked: list[tuple[int, int, str]] = []
    for entry in entries:
        if entry.is_symlink:
            continue
        path = PurePosixPath(entry.path)
        depth = len(path.parts) - 1
        if _vendored(path) or depth > 2:
            continue
        reuse = depth == 1 and path.parts[0] == "LICENSES"
        if path.suffix.lower() in _SOURCE_SUFFIXES:  # license_checker.py is code
            continue
        if not (reuse or _LICENCE_NAME.match(path.name)):
            continue
        name = path.name.lower()
        kind = 0 if "licen" in name else 1 if name.startswith("copying") else 2
        rank = 0 if depth == 0 else 1 if reuse else 2
        ranked.append((rank, kind, entry.path))
    ranked.sort()
    return [path for _, _, path in ranked[:MAX_LICENCE_FILES]]


def is_root(path: str) -> bool:
    return "/" not in path or path.startswith("LICENSES/")


def is_notice(path: str) -> bool:
    """NOTICE and COPYRIGHT files carry attributions; unidentified ones are not a problem."""
    return PurePosixPath(path).name.lower().startswith(("notice", "copyright"))


def read_text(tree: Tree, path: str, limit: int = LICENCE_READ_LIMIT) -> str | None:
    data = tree.read(path, limit)
    return None if data is None else decode_text(data)


def spdx_headers(tree: Tree, entries: Sequence[FileEntry]) -> HeaderTally:
    """Tally ``SPDX-License-Identifier`` tags and GNU notices in the headers of up to
    ``MAX_HEADER_FILES`` source files (a prefix of each, whatever its size)."""
    sources = [
        e
        for e in entries
        if not e.is_symlink
        and e.size > 0
        and PurePosixPath(e.path).suffix.lower() in _SOURCE_SUFFIXES
        and not _vendored(PurePosixPath(e.path))
    ]
    sources.sort(key=lambda e: (e.path.count("/"), e.path))
    tally = HeaderTally(Counter(), {}, 0)
    sampled = 0
    for entry in sources[:MAX_HEADER_FILES]:
        data = tree.read_prefix(entry.path, HEADER_READ_BYTES)
        if data is None:
            continue
        sampled += 1
        header = decode_text(data)[:HEADER_SCAN_CHARS]
        tag = _TAG.search(header)
        expression = normalise_expression(tag.group(1)) if tag else None
        if expression:
            tally.counts[expression] += 1
            tally.first_path.setdefault(expression, entry.path)
        prose = PurePosixPath(entry.path).suffix.lower() not in _DECLARATION_SUFFIXES
        notice = find_notice(header) if prose and not tag else None
        if notice is not None:
            tally.notices[notice.spdx] += 1
            tally.notice_first.setdefault(notice.spdx, (entry.path, notice.phrase))
    return HeaderTally(tally.counts, tally.first_path, sampled, tally.notices, tally.notice_first)
