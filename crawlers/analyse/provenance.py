"""Sketch the files of a repository's past: its root commits and a sample of its history.

Copied code may be gone from HEAD, so provenance also reads the commits the scan chose
(``RepoSnapshot.past_commits``), each through the same capped, deadline-bound reader as
HEAD. A past commit that cannot be read (a tree missing from the clone) is skipped; the
repository's own deadline still stops the crawl of a repository that takes too long.
"""

from __future__ import annotations

import logging

from crawlers.base import RepoSnapshot
from registry.analysis.provenance import Memo, sketch_commit
from registry.analysis.sketches import Sketch
from registry.errors import CrawlError

log = logging.getLogger(__name__)

MAX_SKETCHES = 600  # per repository, HEAD's included: the store indexes each one
PER_COMMIT = 200  # source files sketched in one past commit, biggest first


def past_sketches(
    snapshot: RepoSnapshot, head: tuple[Sketch, ...], memo: Memo | None = None
) -> tuple[Sketch, ...]:
    """HEAD's sketches plus those of the past commits, each distinct file version once
    per role (root-commit files, other files), roots first, at most ``MAX_SKETCHES``."""
    roots = set(snapshot.git.root_commits)
    found: dict[tuple[bool, tuple[int, ...]], Sketch] = {}
    if snapshot.open_commit is not None:
        for commit in snapshot.past_commits:
            try:
                tree = snapshot.open_commit(commit)
            except CrawlError as exc:
                log.info("provenance skips %s of %s: %s", commit, snapshot.ref.full_name, exc)
                continue
            try:
                sketched = sketch_commit(
                    tree, root=commit in roots, max_files=PER_COMMIT, memo=memo
                )
                for s in sketched:
                    found.setdefault((s.root, s.values), s)
            except CrawlError as exc:
                log.info("provenance stops at %s of %s: %s", commit, snapshot.ref.full_name, exc)
                break
            finally:
                tree.close()
    for s in head:
        found.setdefault((False, s.values), s)
    ordered = sorted(found.values(), key=lambda s: (not s.root, s.path))
    return tuple(ordered[:MAX_SKETCHES])
