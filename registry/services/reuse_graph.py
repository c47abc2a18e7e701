"""Reuse the forge does not report: dependencies, shared git history, copied files.

Called by ``repositories.store`` once a repository's findings (packages, root commits,
fingerprints) are replaced. It looks both ways from that one repository, so the crawl order
never matters: whichever end is stored second finds the first. Each query is bounded by
what this repository holds and by an index (package name, root commit sha, fingerprint);
nothing scans the catalogue. The claims go through ``reuse.record_claims``, so an edge is
stored once and its outbox event is written in the caller's transaction.

Thresholds for **copied** code (constants, not settings: they define what the edge means):
at least ``COPIED_MIN_FILES`` identical source files that also make up at least
``COPIED_MIN_SHARE`` of the smaller repository's fingerprinted files. Three shared files in
two small tools is a copy; three shared files among hundreds is a common helper.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import distinct, func
from sqlmodel import Session, or_, select

from registry.models import (
    Repository,
    RepositoryFingerprint,
    RepositoryPackage,
    ReuseEdge,
)
from registry.services import copied_history, reuse, shared_history
from registry.services.records import ReuseClaim, normalise_url

COPIED_MIN_FILES = 3
COPIED_MIN_SHARE = 0.2
MAX_PARTNERS = 200  # repositories linked to one repository by one kind in one pass
CHUNK = 500  # values in one IN (...) list
_PEP503 = re.compile(r"[-_.]+")


def normalise_package(ecosystem: str, name: str) -> tuple[str, str]:
    """A package's name as its registry compares names (npm, PyPI, NuGet, Cargo, Composer
    ignore case; PyPI and Cargo also treat separators alike); Maven and Go keep theirs."""
    eco, name = ecosystem.strip().lower(), name.strip()
    if eco == "pypi":
        return eco, _PEP503.sub("-", name).lower()
    if eco == "cargo":
        return eco, name.lower().replace("-", "_")
    if eco in ("npm", "nuget", "composer"):
        return eco, name.lower()
    return eco, name


def record_derived(
    session: Session, *, repository: Repository, now: datetime, found: set[int] | None = None
) -> list[int]:
    """Derive and store this repository's reuse edges; return the new events' ids (the
    ids of the edges derived are added to ``found``). Shared history is settled for the
    repository's whole group (``shared_history``)."""
    events, group = shared_history.reconcile(session, repository=repository, now=now)
    claims = derive_claims(session, repository, group)
    return events + reuse.record_claims(
        session, repository=repository, claims=claims, now=now, found=found
    )


def derive_claims(
    session: Session,
    repository: Repository,
    group: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[ReuseClaim]:
    """Dependency and copied-code claims; members of ``group`` (shared history) and forks
    are never also reported as copies."""
    claims = _dependency_claims(session, repository)
    linked = _linked(session, repository) | set(group)
    history = copied_history.copied_claims(session, repository, linked)
    linked |= {_other(repository, c) for c in history}  # one copied edge per pair
    return claims + history + _copied_claims(session, repository, linked)


# -- dependency ----------------------------------------------------------------------------
def _dependency_claims(session: Session, repo: Repository) -> list[ReuseClaim]:
    own = _packages(session, [repo.id])  # type: ignore[list-item]
    published = {(p.ecosystem, p.name) for p in own if p.role == "published"}
    wanted = {(p.ecosystem, p.name): p for p in own if p.role == "dependency"}
    claims: list[ReuseClaim] = []
    publishers = _publishers(session, published | set(wanted))
    for key, spec_row in wanted.items():
        for target in publishers.get(key, [])[:MAX_PARTNERS]:
            if target.id != repo.id:
                claims.append(_claim("dependency", repo, target, _dep_words(spec_row)))
    # Only the package's true publisher (not a fork republishing it) is depended upon.
    mine = {key for key in published if repo.id in {r.id for r in publishers.get(key, [])}}
    rows = _rows_named(session, mine, role="dependency", exclude=repo.id)[:MAX_PARTNERS]
    users = _repositories(session, {r.repository_id for r in rows})
    for row in rows:
        if row.repository_id in users:
            claims.append(_claim("dependency", users[row.repository_id], repo, _dep_words(row)))
    return claims


def _dep_words(row: RepositoryPackage) -> str:
    spec = f" {row.version_spec}" if row.version_spec else ""
    return f"depends on the {row.ecosystem} package {row.name}{spec}"


def _publishers(
    session: Session, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], list[Repository]]:
    """Who publishes each package; forks and mirrors only when nobody else does, since a
    fork republishes its parent's package name without being where it comes from."""
    rows = _rows_named(session, keys, role="published")
    repos = _repositories(session, {r.repository_id for r in rows})
    found: dict[tuple[str, str], list[Repository]] = defaultdict(list)
    for row in rows:
        if row.repository_id in repos:
            found[(row.ecosystem, row.name)].append(repos[row.repository_id])
    for key, candidates in found.items():
        originals = [r for r in candidates if not (r.is_fork or r.is_mirror)]
        found[key] = originals or candidates
    return found


def _rows_named(
    session: Session, keys: Iterable[tuple[str, str]], *, role: str, exclude: int | None = None
) -> list[RepositoryPackage]:
    keys = set(keys)
    rows: list[RepositoryPackage] = []
    for names in _chunks(sorted({name for _, name in keys})):
        query = select(RepositoryPackage).where(
            RepositoryPackage.name.in_(names),  # type: ignore[attr-defined]
            RepositoryPackage.role == role,
            RepositoryPackage.repository_id != exclude,
        )
        rows += [r for r in session.exec(query) if (r.ecosystem, r.name) in keys]
    return rows


def _packages(session: Session, ids: Sequence[int]) -> list[RepositoryPackage]:
    query = select(RepositoryPackage).where(
        RepositoryPackage.repository_id.in_(ids)  # type: ignore[attr-defined]
    )
    return list(session.exec(query))


# -- links the forge reports ---------------------------------------------------------
def _linked(session: Session, repo: Repository) -> set[str]:
    """URL keys of repositories already known as this one's fork or parent."""
    key = repo.url_key
    edges = session.exec(
        select(ReuseEdge.reuser_url, ReuseEdge.target_url).where(
            ReuseEdge.kind == "fork",
            or_(ReuseEdge.reuser_url == key, ReuseEdge.target_url == key),
            reuse.live(),
        )
    )
    linked = {a if b == key else b for a, b in edges}
    if repo.parent_url:
        linked.add(normalise_url(repo.parent_url))
    return linked


# -- copied files --------------------------------------------------------------------------
def _copied_claims(session: Session, repo: Repository, linked: set[str]) -> list[ReuseClaim]:
    mine = dict(session.exec(
        select(RepositoryFingerprint.fingerprint, RepositoryFingerprint.path)
        .where(RepositoryFingerprint.repository_id == repo.id)
    ).all())  # fmt: skip
    if len(mine) < COPIED_MIN_FILES:
        return []
    shared: Counter[int] = Counter()
    example: dict[int, str] = {}
    pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in _chunks(sorted(mine)):
        query = (
            select(RepositoryFingerprint.repository_id, RepositoryFingerprint.fingerprint,
                   func.min(RepositoryFingerprint.path))
            .where(RepositoryFingerprint.fingerprint.in_(chunk))  # type: ignore[attr-defined]
            .where(RepositoryFingerprint.repository_id != repo.id)
            .group_by(RepositoryFingerprint.repository_id, RepositoryFingerprint.fingerprint)
        )  # fmt: skip
        for other_id, fp, path in session.exec(query):
            shared[other_id] += 1
            example.setdefault(other_id, mine[fp])
            pairs[other_id].append((mine[fp], path))
    candidates = [i for i, n in shared.most_common(MAX_PARTNERS) if n >= COPIED_MIN_FILES]
    sizes = _fingerprint_counts(session, candidates)
    claims = []
    for other in _repositories(session, set(candidates)).values():
        assert other.id is not None
        smaller = min(len(mine), sizes.get(other.id, 0))
        count = shared[other.id]
        if other.url_key in linked or smaller == 0 or count < COPIED_MIN_SHARE * smaller:
            continue
        if copied_history.incidental(session, repo, other, pairs[other.id]):
            continue  # a skeleton both began with, or a library both carry
        words = (
            f"{count} identical source files ({count / smaller:.0%} of the smaller repository),"
            f" for example {example[other.id]}"
        )
        claims.append(_ordered("copied", repo, other, words))
    return claims


def _fingerprint_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(
            RepositoryFingerprint.repository_id,
            func.count(distinct(RepositoryFingerprint.fingerprint)),
        )
        .where(RepositoryFingerprint.repository_id.in_(ids))  # type: ignore[attr-defined]
        .group_by(RepositoryFingerprint.repository_id)
    )
    return dict(session.exec(query).all())


# -- helpers -------------------------------------------------------------------------------
def _repositories(session: Session, ids: set[int]) -> dict[int, Repository]:
    found: dict[int, Repository] = {}
    for chunk in _chunks(sorted(ids)):
        query = select(Repository).where(Repository.id.in_(chunk))  # type: ignore[union-attr]
        found.update({r.id: r for r in session.exec(query)})  # type: ignore[misc]
    return found


def _chunks(values: Sequence) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _claim(kind: str, reuser: Repository, target: Repository, evidence: str) -> ReuseClaim:
    return ReuseClaim(kind, reuser.html_url, reuser.full_name, target.html_url, evidence)


def _ordered(kind: str, a: Repository, b: Repository, evidence: str) -> ReuseClaim:
    """The younger of two repositories reuses the elder; when nothing tells their ages
    apart, the claim says "direction unknown" (when the registry first saw each is crawl
    order, never evidence)."""
    elder = _is_elder(a, b)
    if elder is None:
        return replace(_claim(kind, a, b, evidence), direction="unknown")
    older, younger = (a, b) if elder else (b, a)
    return _claim(kind, younger, older, evidence)


def _is_elder(a: Repository, b: Repository) -> bool | None:
    """Compare like with like: forge creation dates when both have one, else first
    commits; None when neither tells them apart."""
    for began in (lambda r: r.forge_created_at, _first_commit):
        x, y = _aware(began(a)), _aware(began(b))
        if x is not None and y is not None and x != y:
            return x < y
    return None


def _first_commit(repo: Repository) -> datetime | None:
    value = (repo.extra_metadata or {}).get("provenance", {}).get("first_commit_at")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _other(repo: Repository, claim: ReuseClaim) -> str:
    ends = (normalise_url(claim.reuser_url), normalise_url(claim.target_url))
    return ends[1] if ends[0] == repo.url_key else ends[0]
