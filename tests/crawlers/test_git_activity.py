"""The head's tree (for Software Heritage ids) and a year of weekly commits, from both readers."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.base import commit_weeks
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.libgit2 import read_git_facts_pygit2
from localforge.repos import commit, make_repo

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_weeks_count_backwards_from_now_and_ignore_the_rest():
    week = timedelta(weeks=1).total_seconds()
    now = NOW.timestamp()
    stamps = [now - 60, now - 2 * 3600, now - week - 1, now - 51 * week - 1, now - 52 * week - 1,
              now + 3600]  # fmt: skip
    weeks = commit_weeks(stamps, NOW)
    assert len(weeks) == 52 and weeks[-1] == 2 and weeks[-2] == 1 and weeks[0] == 1
    assert sum(weeks) == 4  # older than a year, or in the future: not counted


def test_both_readers_give_the_tree_and_the_weeks(tmp_path: Path):
    repo = make_repo(tmp_path / "tool", {"README.md": "# Tool\n"}, date=NOW - timedelta(weeks=80))
    for weeks_ago in (40, 40, 12, 3, 0):
        commit(repo, {f"f{weeks_ago}.txt": str(weeks_ago)}, date=NOW - timedelta(weeks=weeks_ago,
               hours=1))  # fmt: skip
    bare = tmp_path / "tool.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(tmp_path / "tool"), str(bare)], check=True)
    tree = repo.head.commit.tree.hexsha
    for reader in (read_git_facts, read_git_facts_pygit2):
        facts = reader(bare, now=NOW)
        assert facts.head_tree == tree, reader.__name__
        assert len(facts.commit_weeks) == 52 and sum(facts.commit_weeks) == 5
        assert facts.commit_weeks[-1] == 1 and facts.commit_weeks[-4] == 1
        assert facts.commit_weeks[-13] == 1 and facts.commit_weeks[-41] == 2
