"""Who reused whom, when two repositories share git history.

Two histories that share a root commit grew from one another, but which is the source is
a question of evidence, never of the order in which anyone saw them. The evidence read
here, each a vote with a weight:

- the forge's fork relation (decisive);
- commits one side holds that the other lacks, dated before the split: a copy takes what
  was reachable when it was made, so work from before the split that only one side has
  (a branch merged later) is the original's;
- authorship after the split: the side whose own commits are by the people who wrote the
  shared history continues it; the side whose own commits are all by others is the copy;
- forge creation dates against the split: a repository created before the newest shared
  commit was being written to before the split; one created after it began as a copy;
- forge creation dates alone (weakest).

When the votes cancel out or there are none, the answer is "direction unknown": the
caller stores and shows it so. A history here is a bounded sample (newest commits first),
so commits older than the other side's sampled horizon are never counted as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

Commit = tuple[str, int, str]  # (sha, committer time as UNIX seconds, author key)
MARGIN = timedelta(days=1)  # creation dates closer than this say nothing


@dataclass(frozen=True)
class Lineage:
    """What one repository offers as evidence: its sampled history and forge facts."""

    name: str
    commits: tuple[Commit, ...] = ()
    complete: bool = True  # the sample is the whole history
    created_at: datetime | None = None  # the forge's creation date
    forked_from: bool = False  # the forge says this one is a fork of the other


@dataclass(frozen=True)
class Verdict:
    source: int | None  # 0: the first lineage is the source, 1: the second, None: unknown
    reasons: tuple[str, ...] = field(default=())
    shared: int = 0  # commits both sampled histories hold


def direction(a: Lineage, b: Lineage) -> Verdict:
    """Which of two repositories sharing a root commit is the other's source."""
    if a.forked_from != b.forked_from:
        who = b if a.forked_from else a
        return Verdict(1 if a.forked_from else 0, (f"the forge lists {who.name} as the parent",))
    votes: list[tuple[int, int, str]] = []  # (side, weight, reason)
    ours, theirs = {c[0]: c for c in a.commits}, {c[0]: c for c in b.commits}
    common = ours.keys() & theirs.keys()
    split = max((ours[sha][1] for sha in common), default=None)
    if split is not None:
        votes += _held_before_split(a, b, ours, theirs, split)
        votes += _authors_after_split(a, b, ours, theirs, common, split)
    votes += _created(a, b, split)
    score = sum(w if side == 0 else -w for side, w, _ in votes)
    source = None if score == 0 else (0 if score > 0 else 1)
    reasons = tuple(reason for side, _, reason in votes if side == source)
    if source is None and votes:
        reasons = ("the evidence points both ways",)
    return Verdict(source, reasons, len(common))


def _horizon(lineage: Lineage) -> int | None:
    """The oldest commit time the sample reaches; None when it is the whole history."""
    if lineage.complete or not lineage.commits:
        return None
    return min(c[1] for c in lineage.commits)


def _held_before_split(
    a: Lineage, b: Lineage, ours: dict[str, Commit], theirs: dict[str, Commit], split: int
) -> list[tuple[int, int, str]]:
    def held(mine: dict[str, Commit], other_sample: dict[str, Commit], other: Lineage) -> int:
        floor = _horizon(other)
        return sum(
            1
            for sha, (_, at, _) in mine.items()
            if sha not in other_sample and at < split and (floor is None or at >= floor)
        )

    in_a, in_b = held(ours, theirs, b), held(theirs, ours, a)
    if bool(in_a) == bool(in_b):
        return []
    side, count, who, other = (0, in_a, a, b) if in_a else (1, in_b, b, a)
    return [(side, 2, f"{who.name} holds {count} commits from before the split that"
                      f" {other.name} lacks")]  # fmt: skip


def _authors_after_split(
    a: Lineage,
    b: Lineage,
    ours: dict[str, Commit],
    theirs: dict[str, Commit],
    common: set[str],
    split: int,
) -> list[tuple[int, int, str]]:
    before = {ours[sha][2] for sha in common} - {""}

    def after(mine: dict[str, Commit]) -> set[str]:
        return {c[2] for sha, c in mine.items() if sha not in common and c[1] >= split} - {""}

    own_a, own_b = after(ours), after(theirs)
    goes_on_a, goes_on_b = bool(own_a & before), bool(own_b & before)
    if goes_on_a == goes_on_b or not (own_a or own_b):
        return []
    side, who, other = (0, a, b) if goes_on_a else (1, b, a)
    words = f"{who.name}'s own commits continue the authors of the shared history"
    words += f"; {other.name}'s are by others" if (own_b if side == 0 else own_a) else ""
    return [(side, 2, words)]


def _created(a: Lineage, b: Lineage, split: int | None) -> list[tuple[int, int, str]]:
    if a.created_at is None or b.created_at is None:
        return []
    if abs(a.created_at - b.created_at) <= MARGIN:
        return []
    side, elder, younger = (0, a, b) if a.created_at < b.created_at else (1, b, a)
    assert elder.created_at is not None and younger.created_at is not None
    if split is not None and elder.created_at.timestamp() < split <= younger.created_at.timestamp():
        words = f"{younger.name} was created on its forge after the newest shared commit"
        return [(side, 2, words)]
    return [(side, 1, f"{elder.name} was created on its forge first")]
