"""The unchanged fast path: may a re-crawl trust the stored record without fetching?

A forge's listing already says when a repository was last pushed and what its default
branch is. If both match the last good crawl (and so do the other forge facts we store:
stars, topics, archived, ...), the git data cannot have changed and the fetch and the
analysis are skipped. Anything missing or different means "look again": a plain git URL
(no forge facts), a stored error, a moved branch, a new fork.
"""

from __future__ import annotations

from crawlers.base import HostFacts
from registry.services.repositories import ForgeState


def is_unchanged(state: ForgeState | None, facts: HostFacts) -> bool:
    """True when ``facts`` show the repository as the last good crawl stored it."""
    if state is None or state.crawl_error or facts.pushed_at is None or state.pushed_at is None:
        return False
    if not facts.default_branch or facts.default_branch != state.default_branch:
        return False
    if facts.pushed_at != state.pushed_at:
        return False
    if facts.description and facts.description != state.description:
        return False  # an empty forge description may have been filled from publiccode.yml
    if facts.releases is not None and facts.releases != state.releases:
        return False
    stored = (
        state.homepage, state.topics, state.stars, state.forks_count, state.open_issues,
        state.archived, state.is_fork, state.is_template, state.is_mirror, state.parent_url,
    )  # fmt: skip
    seen = (
        facts.homepage, tuple(sorted(set(facts.topics))), facts.stars, facts.forks_count,
        facts.open_issues, facts.archived, facts.is_fork, facts.is_template, facts.is_mirror,
        facts.parent_url,
    )  # fmt: skip
    return stored == seen
