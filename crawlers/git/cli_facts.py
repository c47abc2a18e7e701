"""What a repository's history says: ``crawlers.base.GitFacts`` from a bare clone.

History walks are capped (``max_commits``) because some government monorepos carry hundreds
of thousands of commits; counts are then lower bounds, which is all the maturity analysis
needs. Only commit and ref metadata is read, so a blobless clone never fetches anything.

Every git process costs a few milliseconds, as much as the analysis of a small repository,
so one ``git log`` pass answers the head, the default branch (its ``HEAD -> …``
decoration), dates, activity, contributors and, when the walk was not capped, the root
commits; a capped walk adds one ``--max-parents=0`` pass for the roots. Tags come from
``for-each-ref`` (tags off the default branch count too), started first so that it runs
while the walk does.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.base import GitFacts, TagFact, commit_subject, commit_weeks, tag_message
from crawlers.git.command import abandon_git, finish_git, run_git, start_git
from registry.errors import CrawlError

_HEAD_BRANCH = "HEAD -> refs/heads/"
# One item per tag: short name, object type, object, the object an annotated tag points
# at, the tagger's (or commit's) date, the message; items end with RS and git's newline.
_TAG_FORMAT = (
    "--format=%(refname:short)%00%(objecttype)%00%(objectname)%00%(*objectname)"
    "%00%(creatordate:unix)%00%(contents)%1e"
)
_WALK = ("--format=%H%x00%T%x00%P%x00%ct%x00%ae%x00%D%x00%s", "HEAD", "--")


def author_key(email: str) -> str:
    """A short digest of an author e-mail: equal addresses compare equal, none is stored."""
    normal = email.strip().lower()
    return hashlib.sha256(normal.encode("utf-8", "replace")).hexdigest()[:12] if normal else ""


def read_git_facts(
    repo_path: Path, *, now: datetime, max_commits: int = 5000, history: int = 2000
) -> GitFacts:
    """Head, default branch, roots, dates, activity, contributors and tags of ``HEAD``, and
    the newest ``history`` commits as provenance's sample (sha, committer time, author
    key)."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    tag_args = ["for-each-ref", _TAG_FORMAT, "refs/tags/"]
    tagging = start_git(tag_args, cwd=repo_path)
    try:
        walk = run_git(
            ["log", "--decorate=full", f"--max-count={max(max_commits, 1)}", *_WALK],
            cwd=repo_path,
            check=False,
        )
    except BaseException:
        abandon_git(tagging)
        raise
    tags = finish_git(tagging, tag_args)
    if walk.returncode != 0:
        raise CrawlError(f"repository {repo_path.name} has no commits on its default branch")
    times: list[datetime] = []
    emails: set[str] = set()
    sample: list[tuple[str, int, str]] = []
    roots: dict[str, int] = {}
    lines = walk.stdout.decode("utf-8", "replace").splitlines()
    head, head_tree, _, _, _, decoration, subject = lines[0].split("\0", 6)
    for line in lines:
        oid, _tree, parents, stamp, email, _refs, _subject = line.split("\0", 6)
        times.append(datetime.fromtimestamp(int(stamp), UTC))
        emails.add(email.strip().lower())
        if len(sample) < history:
            sample.append((oid, int(stamp), author_key(email)))
        if not parents:
            roots[oid] = int(stamp)
    if len(lines) >= max_commits:  # capped: the roots may lie beyond the walk
        roots = _roots(repo_path)
    tag_facts = _tag_facts(tags.stdout)
    return GitFacts(
        head=head,
        default_branch=_default_branch(decoration),
        root_commits=tuple(roots),
        first_commit_at=datetime.fromtimestamp(min(roots.values()), UTC) if roots else None,
        last_commit_at=times[0] if times else None,
        commits_90d=sum(1 for t in times if t >= now - timedelta(days=90)),
        commits_365d=sum(1 for t in times if t >= now - timedelta(days=365)),
        contributors=len(emails - {""}),
        tags=tuple(t.name for t in tag_facts),
        history=tuple(sample),
        history_complete=len(lines) < max_commits and len(sample) == len(lines),
        head_tree=head_tree,
        last_commit_subject=commit_subject(subject),
        commit_weeks=commit_weeks((t.timestamp() for t in times), now),
        tag_facts=tag_facts,
    )


def _tag_facts(out: bytes) -> tuple[TagFact, ...]:
    """``for-each-ref``'s items as tags (ref names hold no NUL, RS or whitespace)."""
    found = []
    for item in out.split(b"\x1e\n"):
        fields = item.split(b"\0", 5)
        if len(fields) < 6 or not fields[0].strip():
            continue
        name, kind, oid, peeled, stamp, contents = fields
        annotated = kind == b"tag"
        found.append(
            TagFact(
                name=name.decode("utf-8", "replace"),
                commit=(peeled if annotated else oid).decode(),
                stamp=int(stamp) if stamp.strip().isdigit() else 0,
                message=tag_message(contents) if annotated else "",
            )
        )
    return tuple(found)


def _default_branch(decoration: str) -> str:
    """``main`` from ``HEAD -> refs/heads/main, tag: …``; "" for a detached HEAD."""
    for ref in decoration.split(", "):  # ref names cannot hold spaces
        if ref.startswith(_HEAD_BRANCH):
            return ref.removeprefix(_HEAD_BRANCH)
    return ""


def _roots(repo_path: Path) -> dict[str, int]:
    """Root commits and their committer dates (a full walk, commit metadata only)."""
    out = run_git(["log", "--max-parents=0", "--format=%H %ct", "HEAD", "--"], cwd=repo_path).stdout
    roots = {}
    for line in out.decode().splitlines():
        oid, _, stamp = line.partition(" ")
        roots[oid] = int(stamp)
    return roots
