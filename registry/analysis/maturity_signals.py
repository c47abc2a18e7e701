"""The facts behind each maturity signal, each with the plain sentence a user reads.

Kept apart from the scoring so that what we observed (here) and what it is worth
(``maturity.py`` with ``data/maturity.yml``) can be read and changed separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from registry.analysis.maturity_evidence import TreeEvidence
from registry.analysis.readme import ReadmeFinding

if TYPE_CHECKING:
    from registry.analysis.maturity import MaturityInputs

LEVELS = ("concept", "development", "beta", "stable", "obsolete")


@dataclass(frozen=True)
class Fact:
    value: str  # shown as the signal's value
    text: str  # the fact in a sentence
    number: float = 0.0  # what numeric ranges are applied to
    word: str | None = None  # what word-valued rules are applied to
    flag: bool = False  # a yes/no fact (number 0 or 1)


def days_between(now: datetime, then: datetime | None) -> float | None:
    """Days from ``then`` to ``now``; naive datetimes are taken as UTC."""
    if then is None:
        return None

    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return max((aware(now) - aware(then)).total_seconds() / 86_400, 0.0)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _found(path: str | None, what: str, missing: str) -> Fact:
    if path is None:
        return Fact("none", missing, flag=True)
    return Fact(path, f"{what}: {path}", 1, flag=True)


def _declared(status: str | None) -> Fact:
    if status is None or not status.strip():
        return Fact("none", "No developmentStatus declared in publiccode.yml")
    word = status.strip().lower()
    if word not in LEVELS:
        return Fact(status, f"Declared developmentStatus '{status}' is not on publiccode's scale")
    return Fact(word, f"publiccode.yml declares '{word}'", word=word)


def collect_facts(
    inputs: MaturityInputs, tree: TreeEvidence, readme: ReadmeFinding, *, now: datetime
) -> dict[str, Fact]:
    """One Fact per signal name of ``maturity.SIGNALS``."""
    releases = max(inputs.releases, inputs.tags)
    age = days_between(now, inputs.first_commit_at)
    readme_name = readme.path or "README"
    return {
        "declared_status": _declared(inputs.development_status),
        "releases": Fact(
            str(releases),
            f"{_count(inputs.releases, 'release', 'releases')} and "
            f"{_count(inputs.tags, 'tag', 'tags')} on record",
            releases,
        ),
        "activity_90d": Fact(
            str(inputs.commits_90d),
            f"{_count(inputs.commits_90d, 'commit', 'commits')} in the last 90 days",
            inputs.commits_90d,
        ),
        "activity_365d": Fact(
            str(inputs.commits_365d),
            f"{_count(inputs.commits_365d, 'commit', 'commits')} in the last 365 days",
            inputs.commits_365d,
        ),
        "contributors": Fact(
            str(inputs.contributors),
            f"{_count(inputs.contributors, 'distinct author', 'distinct authors')} in the history",
            inputs.contributors,
        ),
        "longevity": Fact("unknown", "No commit dates known", -1)
        if age is None
        else Fact(f"{age:.0f} days", f"First commit {age:.0f} days ago", age),
        "tests": _found(tree.tests, "Tests found", "No test files or test folders found"),
        "ci": _found(tree.ci, "CI configured", "No CI configuration found"),
        "readme_words": Fact(
            str(readme.words),
            f"{readme_name} has {_count(readme.words, 'word', 'words')}"
            if readme.path
            else "No README found",
            readme.words,
        ),
        "readme_headings": Fact(
            str(readme.headings),
            f"{readme_name} has {_count(readme.headings, 'heading', 'headings')}",
            readme.headings,
        ),
        "contributing": _found(tree.contributing, "Contributing guide", "No CONTRIBUTING guide"),
        "security": _found(tree.security, "Security policy", "No SECURITY policy"),
        "licence": Fact("yes", "A licence was identified", 1, flag=True)
        if inputs.licence_identified
        else Fact("no", "No licence identified, so reuse is not legally clear", flag=True),
        "archived": Fact("yes", "Archived on the host: the level is 'obsolete'", 1)
        if inputs.archived
        else Fact("no", "Not archived"),
    }
