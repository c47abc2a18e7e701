"""Who belongs to which agency, in which role; and the checks every agency action makes."""

from __future__ import annotations

from sqlmodel import Session, select

from registry import access
from registry.errors import BadRequest, Forbidden, NotFound
from registry.i18n import N_
from registry.models import Agency, Membership, User
from registry.services import audit


def role_in(session: Session, user: User, agency: Agency) -> access.Role | None:
    row = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.agency_id == agency.id)
    ).first()
    return access.ROLES.get(row.role) if row else None


def require(session: Session, user: User, agency: Agency, permission: str) -> None:
    """``Forbidden`` unless ``user`` is a site administrator or has ``permission`` (a
    ``Role`` flag) in ``agency``."""
    if user.is_site_admin:
        return
    found = role_in(session, user, agency)
    if found is None or not getattr(found, permission):
        raise Forbidden(N_("you may not do that for %(agency_name)s"), agency_name=agency.name)


def members(session: Session, agency: Agency) -> list[tuple[Membership, User]]:
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
        .where(Membership.agency_id == agency.id)
        .order_by(User.email)
    )
    return list(rows.all())


def agencies_of(session: Session, user: User) -> list[tuple[Agency, Membership]]:
    rows = session.exec(
        select(Agency, Membership)
        .join(Membership, Membership.agency_id == Agency.id)  # type: ignore[arg-type]
        .where(Membership.user_id == user.id)
        .order_by(Agency.name)
    )
    return list(rows.all())


def set_role(
    session: Session, actor: audit.Actor, *, agency: Agency, email: str, role: str
) -> Membership:
    """Give the account with ``email`` ``role`` in ``agency`` (added, or changed)."""
    if actor.user is not None:
        require(session, actor.user, agency, "manage_members")
    access.role(role)
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(
            N_("no account with the address %(email)r; they need to sign up first"), email=email
        )
    row = session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.agency_id == agency.id)
    ).first()
    before = {"role": row.role} if row else {}
    if row is None:
        row = Membership(user_id=user.id, agency_id=agency.id, role=role)  # type: ignore[arg-type]
    row.role = role
    session.add(row)
    session.flush()
    audit.record(
        session, actor, action="membership.set", target_type="user", target_id=user.email,
        agency_id=agency.id, before=before, after={"role": role},
    )  # fmt: skip
    if not before:  # a new member hears about reuse of the agency's repositories by default
        from registry.services import default_subscriptions

        default_subscriptions.for_member(session, agency_id=agency.id)  # type: ignore[arg-type]
    return row


def remove(session: Session, actor: audit.Actor, *, agency: Agency, email: str) -> None:
    if actor.user is not None:
        require(session, actor.user, agency, "manage_members")
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    row = (
        session.exec(
            select(Membership).where(
                Membership.user_id == user.id, Membership.agency_id == agency.id
            )
        ).first()
        if user
        else None
    )
    if row is None or user is None:
        raise NotFound(
            N_("%(email)r is not a member of %(agency_name)s"), email=email, agency_name=agency.name
        )
    if actor.user is not None and user.id == actor.user.id and not actor.user.is_site_admin:
        raise BadRequest(N_("you cannot remove yourself; ask another administrator"))
    session.delete(row)
    audit.record(
        session, actor, action="membership.remove", target_type="user", target_id=user.email,
        agency_id=agency.id, before={"role": row.role}, after={},
    )  # fmt: skip
    session.flush()
