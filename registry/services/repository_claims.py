"""Disputed claims: an inventory (a code.json file, a list of git URLs) crawled for one
agency lists a repository another agency already holds.

A repository belongs to the agency that proved it. An inventory only *claims* what it
lists: when the repository is held by another agency, the inventory's agency gets a claim,
shown to site administrators as disputed, and the repository stays where it is. A site
administrator dismisses the claim or moves the repository to the claimant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from registry.errors import BadRequest, Conflict, Forbidden, NotFound
from registry.i18n import N_
from registry.models import Agency, IndexChange, Repository, RepositoryClaim, Source
from registry.services import audit

DISPUTED, DISMISSED, UPHELD = "disputed", "dismissed", "upheld"


def record(
    session: Session, *, repository: Repository, agency_id: int, source_id: int | None,
    now: datetime,
) -> RepositoryClaim:  # fmt: skip
    """Note (again) that ``agency_id``'s inventory lists a repository another agency holds;
    a dismissed claim stays dismissed."""
    claim = session.exec(
        select(RepositoryClaim).where(
            RepositoryClaim.repository_id == repository.id,
            RepositoryClaim.agency_id == agency_id,
        )
    ).first()
    if claim is None:
        claim = RepositoryClaim(
            repository_id=repository.id,  # type: ignore[arg-type]
            agency_id=agency_id, source_id=source_id, created_at=now,
        )  # fmt: skip
    claim.last_seen_at = now
    claim.source_id = source_id or claim.source_id
    session.add(claim)
    session.flush()
    return claim


@dataclass(frozen=True)
class ClaimView:
    claim: RepositoryClaim
    repository: Repository
    owner: Agency
    claimant: Agency
    source: Source | None

    def to_json(self) -> dict:
        c = self.claim
        return {
            "id": c.id, "status": c.status, "repository_id": self.repository.id,
            "repository": self.repository.full_name, "html_url": self.repository.html_url,
            "owner": self.owner.slug, "claimant": self.claimant.slug,
            "claimed_by_source": (
                {"id": self.source.id, "kind": self.source.kind, "locator": self.source.locator}
                if self.source else None
            ),
            "created_at": c.created_at.isoformat(),
            "last_seen_at": c.last_seen_at.isoformat() if c.last_seen_at else None,
        }  # fmt: skip


def _require_admin(actor: audit.Actor) -> None:
    if actor.user is not None and not actor.user.is_site_admin:
        raise Forbidden(N_("only site administrators see and decide disputed claims"))


def listing(session: Session, actor: audit.Actor, *, status: str = DISPUTED) -> list[ClaimView]:
    _require_admin(actor)
    rows = session.exec(
        select(RepositoryClaim)
        .where(RepositoryClaim.status == status)
        .order_by(col(RepositoryClaim.created_at), col(RepositoryClaim.id))
    ).all()
    out = []
    for claim in rows:
        repo = session.get(Repository, claim.repository_id)
        claimant = session.get(Agency, claim.agency_id)
        owner = session.get(Agency, repo.agency_id) if repo else None
        if repo and claimant and owner:
            source = session.get(Source, claim.source_id) if claim.source_id else None
            out.append(ClaimView(claim, repo, owner, claimant, source))
    return out


def decide(
    session: Session, actor: audit.Actor, *, claim_id: int, decision: str
) -> RepositoryClaim:
    """``dismiss`` (the repository stays) or ``uphold`` (it moves to the claimant)."""
    _require_admin(actor)
    if decision not in ("dismiss", "uphold"):
        raise BadRequest(N_('decide "dismiss" or "uphold"'))
    claim = session.get(RepositoryClaim, claim_id)
    if claim is None:
        raise NotFound(N_("no claim %(claim_id)s"), claim_id=claim_id)
    if claim.status != DISPUTED:
        raise Conflict(
            N_("claim %(claim_id)s was decided already (%(claim_status)s)"),
            claim_id=claim_id,
            claim_status=claim.status,
        )
    repo = session.get(Repository, claim.repository_id)
    assert repo is not None
    before = {"status": claim.status, "agency_id": repo.agency_id}
    if decision == "uphold":
        repo.agency_id, repo.source_id = claim.agency_id, claim.source_id
        session.add(repo)
        session.add(IndexChange(repository_id=repo.id))  # its agency facet changed
    claim.status = UPHELD if decision == "uphold" else DISMISSED
    session.add(claim)
    session.flush()
    audit.record(
        session, actor, action=f"claim.{decision}", target_type="repository",
        target_id=repo.id, agency_id=claim.agency_id, before=before,
        after={"status": claim.status, "agency_id": repo.agency_id},
    )  # fmt: skip
    return claim
