"""Copied code found in history: one repository's first commit against another's past.

The sketches (``registry.analysis.sketches``) of every repository are stored with their
LSH band keys. Storing a repository looks both ways through the band index, bounded by
what this repository holds: repositories holding near-duplicates of its files are the
candidates (at most ``MAX_PARTNERS``, the most shared keys first), and each candidate is
checked with ``first_commit_copied`` in both directions: this repository's first commit
against the candidate's history, and the candidate's first commit against this one's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, select

from registry.analysis.sketches import CopyFinding, Sketch, band_keys, first_commit_copied
from registry.analysis.sketches import incidental as sketch_incidental
from registry.models import Repository, RepositorySketch, RepositorySketchBand
from registry.services.records import ReuseClaim

MAX_PARTNERS = 50
CHUNK = 500


def store_sketches(
    session: Session, repo_id: int, sketches: Sequence[tuple[str, bool, Sequence[int]]]
) -> None:
    """Store a repository's sketches and their band keys (old ones already deleted)."""
    rows = [
        RepositorySketch(repository_id=repo_id, path=path[:500], root=root, minhash=list(values))
        for path, root, values in sketches
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        for key in dict.fromkeys(band_keys(row.minhash)):
            session.add(RepositorySketchBand(sketch_id=row.id, key=key, repository_id=repo_id))  # type: ignore[arg-type]


def copied_claims(session: Session, repo: Repository, linked: set[str]) -> list[ReuseClaim]:
    """Claims that ``repo``'s first commit copied another's files, or the reverse."""
    assert repo.id is not None
    mine = _sketches(session, [repo.id]).get(repo.id, [])
    if not mine:
        return []
    partners = _candidates(session, repo.id)
    theirs = _sketches(session, partners)
    claims = []
    for other in _repositories(session, partners):
        if other.url_key in linked or other.id not in theirs:
            continue
        copy = first_commit_copied(mine, theirs[other.id])  # type: ignore[index]
        copied = first_commit_copied(theirs[other.id], mine)  # type: ignore[index]
        if copy is not None and copied is None:
            claims.append(_claim(repo, other, copy))
        elif copied is not None and copy is None:
            claims.append(_claim(other, repo, copied))
        elif copy is not None and copied is not None:  # each first commit is in the other
            words = f"{copy.evidence(repo.full_name, other.full_name)}; and the reverse"
            claims.append(_claim(repo, other, copy, words=words, direction="unknown"))
    return claims


def incidental(
    session: Session, repo: Repository, other: Repository, pairs: Sequence[tuple[str, str]]
) -> str | None:
    """Why identical files at both HEADs are no evidence of reuse (see ``sketches``)."""
    found = _sketches(session, [repo.id, other.id])  # type: ignore[list-item]
    return sketch_incidental(found.get(repo.id, []), found.get(other.id, []), pairs)  # type: ignore[arg-type]


def _claim(
    copy: Repository,
    original: Repository,
    finding: CopyFinding,
    *,
    words: str | None = None,
    direction: str = "known",
) -> ReuseClaim:
    evidence = words or finding.evidence(copy.full_name, original.full_name)
    return ReuseClaim(
        "copied", copy.html_url, copy.full_name, original.html_url, evidence[:1000], direction
    )


def _candidates(session: Session, repo_id: int) -> list[int]:
    keys = list(session.exec(
        select(RepositorySketchBand.key).where(RepositorySketchBand.repository_id == repo_id)
    ))  # fmt: skip
    shared: Counter[int] = Counter()
    for chunk in _chunks(sorted(set(keys))):
        query = (
            select(RepositorySketchBand.repository_id, func.count())
            .where(RepositorySketchBand.key.in_(chunk))  # type: ignore[attr-defined]
            .where(RepositorySketchBand.repository_id != repo_id)
            .group_by(RepositorySketchBand.repository_id)
        )
        for other_id, count in session.exec(query):
            shared[other_id] += count
    return sorted(i for i, _ in shared.most_common(MAX_PARTNERS))


def _sketches(session: Session, ids: Iterable[int]) -> dict[int, list[Sketch]]:
    found: dict[int, list[Sketch]] = {}
    for chunk in _chunks(sorted(ids)):
        query = select(RepositorySketch).where(
            RepositorySketch.repository_id.in_(chunk)  # type: ignore[attr-defined]
        )
        for row in session.exec(query):
            sketch = Sketch(row.path, row.root, tuple(int(v) for v in row.minhash))
            found.setdefault(row.repository_id, []).append(sketch)
    return found


def _repositories(session: Session, ids: list[int]) -> list[Repository]:
    out: list[Repository] = []
    for chunk in _chunks(ids):
        out += session.exec(select(Repository).where(Repository.id.in_(chunk)))  # type: ignore[union-attr]
    return sorted(out, key=lambda r: r.url_key)


def _chunks(values: Sequence) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])
