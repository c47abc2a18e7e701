"""Default subscriptions: who hears about reuse of a repository without asking.

Once its agency is approved and the repository came from a verified source, the people a
repository's publiccode.yml lists in ``maintenance.contacts`` (those with an e-mail address)
and its agency's members are subscribed to reuse of that repository by e-mail.

- An agency member's own confirmed account address starts at once: they joined the agency.
- Any other address was written by someone else (whoever wrote the publiccode.yml), so its
  subscription is *pending*: nothing is sent there until its owner follows the link mailed
  to it (``registry.confirmations`` sends it, once).
- Each address gets one subscription per repository, ever: one turned off (or never
  confirmed) is found again on the next crawl and left as it is, so it stays off.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from registry.errors import BadRequest
from registry.models import Agency, Membership, Repository, Source, Subscription, User
from registry.notify.channels import EMAIL
from registry.services import subscriptions

APPROVED = "approved"
MAX_CONTACTS = 10


def contact_addresses(publiccode: dict) -> list[str]:
    """The valid e-mail addresses among a publiccode summary's contacts, in order."""
    found: list[str] = []
    for contact in (publiccode or {}).get("contacts") or []:
        email = str(contact.get("email") or "").strip() if isinstance(contact, dict) else ""
        if not email:
            continue
        try:
            stored = EMAIL.cls.validate_address(email)
        except BadRequest:
            continue
        if stored not in found:
            found.append(stored)
    return found[:MAX_CONTACTS]


def _verified(session: Session, repo: Repository) -> bool:
    agency = session.get(Agency, repo.agency_id)
    if agency is None or agency.status != APPROVED:
        return False
    if repo.source_id is None:
        return True  # stored by an operator, who vouches for it
    source = session.get(Source, repo.source_id)
    return source is not None and source.verified_at is not None


def _members(session: Session, agency_id: int) -> dict[str, User]:
    rows = session.exec(
        select(User)
        .join(Membership, Membership.user_id == User.id)  # type: ignore[arg-type]
        .where(Membership.agency_id == agency_id, col(User.email_confirmed_at).is_not(None))
    ).all()
    return {u.email.lower(): u for u in rows}


def ensure_for(session: Session, repo: Repository) -> list[Subscription]:
    """Make the default subscriptions a repository lacks; the new ones are returned (the
    pending among them still need their confirmation mail)."""
    if repo.id is None or not _verified(session, repo):
        return []
    members = _members(session, repo.agency_id)
    wanted = [*members, *contact_addresses(repo.publiccode)]
    known = {
        s.address.lower()
        for s in session.exec(
            select(Subscription).where(
                Subscription.repository_id == repo.id, Subscription.channel == EMAIL.name
            )
        )
    }
    made = []
    for address in dict.fromkeys(a.lower() for a in wanted):
        if address in known:
            continue  # made before: on, off or never confirmed, it stays as its owner left it
        member = members.get(address)
        sub = subscriptions.subscribe(
            session, channel=EMAIL.name, address=address, repository_id=repo.id,
            user_id=member.id if member else None, pending=member is None, by_default=True,
        )  # fmt: skip
        made.append(sub)
        known.add(address)
    return made


def for_member(session: Session, *, agency_id: int) -> list[Subscription]:
    """After someone joins an agency: the default subscriptions of its repositories."""
    repos = session.exec(select(Repository).where(Repository.agency_id == agency_id)).all()
    return [sub for repo in repos for sub in ensure_for(session, repo)]


def awaiting_confirmation(session: Session, *, ids: list[int] | None = None) -> list[Subscription]:
    """Pending subscriptions whose address has not been asked yet (all, or among ``ids``)."""
    query = select(Subscription).where(
        col(Subscription.pending).is_(True),
        col(Subscription.confirm_sent_at).is_(None),
        col(Subscription.active).is_(True),
    )
    if ids is not None:
        query = query.where(col(Subscription.id).in_(ids))
    return list(session.exec(query.order_by(col(Subscription.id)).limit(500)))


def mark_asked(session: Session, *, subscription_id: int, now: datetime) -> None:
    sub = session.get(Subscription, subscription_id)
    if sub is not None:
        sub.confirm_sent_at = now
        session.add(sub)
        session.flush()
