"""What a repository's history says: ``crawlers.base.GitFacts`` from a bare clone.

History walks are capped (``max_commits``) because some government monorepos carry hundreds
of thousands of commits; counts are then lower bounds, which is all the maturity analysis
needs. Only commit and ref metadata is read, so a blobless clone never fetches anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.base import GitFacts
from crawlers.gitcmd import run_git
from registry.errors import CrawlError


def read_git_facts(repo_path: Path, *, now: datetime, max_commits: int = 5000) -> GitFacts:
    """Head, default branch, roots, dates, activity, contributors and tags of ``HEAD``."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    verify = ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]
    head = run_git(verify, cwd=repo_path, check=False)
    if head.returncode != 0:
        raise CrawlError(f"repository {repo_path.name} has no commits on its default branch")
    branch = run_git(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd=repo_path, check=False)
    roots = run_git(["rev-list", "--max-parents=0", "HEAD", "--"], cwd=repo_path).stdout
    root_commits = tuple(roots.decode().split())
    walk = run_git(
        ["log", f"--max-count={max_commits}", "--format=%H%x00%ct%x00%ae", "HEAD", "--"],
        cwd=repo_path,
    ).stdout
    times: list[datetime] = []
    emails: set[str] = set()
    for line in walk.decode("utf-8", "replace").splitlines():
        _oid, stamp, email = line.split("\0", 2)
        times.append(datetime.fromtimestamp(int(stamp), UTC))
        emails.add(email.strip().lower())
    tags = run_git(["for-each-ref", "--format=%(refname:short)", "refs/tags/"], cwd=repo_path)
    return GitFacts(
        head=head.stdout.decode().strip(),
        default_branch=branch.stdout.decode("utf-8", "replace").strip(),
        root_commits=root_commits,
        first_commit_at=_first_commit_at(repo_path, root_commits),
        last_commit_at=times[0] if times else None,
        commits_90d=sum(1 for t in times if t >= now - timedelta(days=90)),
        commits_365d=sum(1 for t in times if t >= now - timedelta(days=365)),
        contributors=len(emails - {""}),
        tags=tuple(tags.stdout.decode("utf-8", "replace").split()),
    )


def _first_commit_at(repo_path: Path, roots: tuple[str, ...]) -> datetime | None:
    """The earliest committer date among the root commits (the walk may not reach them)."""
    if not roots:
        return None
    out = run_git(["show", "-s", "--format=%ct", *roots, "--"], cwd=repo_path).stdout
    stamps = [int(s) for s in out.decode().split()]
    return datetime.fromtimestamp(min(stamps), UTC) if stamps else None
