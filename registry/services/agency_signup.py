"""An agency signs itself up; a site administrator approves or refuses it, with a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

import pycountry
from sqlmodel import Session, col, select

from registry import identifiers
from registry.errors import BadRequest, Conflict, Forbidden, Phrase
from registry.i18n import N_
from registry.models import Agency, AgencyIdentifier, Membership, User
from registry.models._types import utcnow
from registry.services import accounts, agencies, audit
from registry.urlpolicy import check_url

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"


@dataclass
class AgencyRequest:
    name: str
    country: str
    level: str
    website: str
    contact_email: str
    names: dict[str, str] = field(default_factory=dict)  # language → name
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme → value


def _clean(text: str, limit: int, what: Phrase) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise BadRequest(N_("give the agency's %(what)s"), what=what)
    if len(text) > limit:
        raise BadRequest(
            N_("the %(what)s may have at most %(limit)s characters"), what=what, limit=limit
        )
    return text


def _country(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise BadRequest(N_("%(code)r is not an ISO 3166-1 alpha-2 country code"), code=code)
    return code.lower()


def _names(names: dict[str, str]) -> dict[str, str]:
    out = {}
    for lang, name in names.items():
        lang = lang.strip().lower()
        if not lang or pycountry.languages.get(alpha_2=lang) is None:
            raise BadRequest(N_("%(lang)r is not an ISO 639-1 language code"), lang=lang)
        out[lang] = _clean(name, 300, Phrase(N_("name in %(lang)s"), lang=lang))
    return out


def request_agency(
    session: Session, actor: audit.Actor, req: AgencyRequest, *, allow_http_hosts=()
) -> Agency:
    """A pending agency with the actor as its would-be administrator."""
    user = actor.user
    if user is None or user.email_confirmed_at is None:
        raise Forbidden(N_("confirm your e-mail address before signing up an agency"))
    name = _clean(req.name, 300, Phrase(N_("name")))
    if req.level not in identifiers.LEVELS:
        raise BadRequest(
            N_("level must be one of %(levels)s"), levels=", ".join(identifiers.LEVELS)
        )
    website = check_url(req.website.strip(), allow_http_hosts=allow_http_hosts)
    ids = identifiers.normalise(req.identifiers)
    for scheme, value in ids.items():
        taken = session.exec(
            select(AgencyIdentifier).where(
                AgencyIdentifier.scheme == scheme, AgencyIdentifier.value == value
            )
        ).first()
        if taken is not None:
            owner = session.get(Agency, taken.agency_id)
            raise Conflict(
                N_(
                    "%(scheme_label)s %(value)s belongs to %(owner)s already; claim that agency "
                    "instead"
                ),
                scheme_label=identifiers.SCHEMES[scheme].label,
                value=value,
                owner=owner.name if owner else Phrase(N_("another agency")),
            )
    slug = agencies.slugify(name)
    if session.exec(select(Agency).where(Agency.slug == slug)).first() is not None:
        raise Conflict(N_("an agency called %(name)r exists already; claim it instead"), name=name)
    agency = Agency(
        slug=slug, name=name, country=_country(req.country), level=req.level, homepage=website,
        names=_names(req.names), contact_email=accounts.normalise_email(req.contact_email),
        status=PENDING, requested_by_id=user.id,
    )  # fmt: skip
    session.add(agency)
    session.flush()
    for scheme, value in ids.items():
        session.add(AgencyIdentifier(agency_id=agency.id, scheme=scheme, value=value))  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session, actor, action="agency.request", target_type="agency", target_id=slug,
        agency_id=agency.id, after={"name": name, "status": PENDING, "identifiers": ids},
    )  # fmt: skip
    return agency


def pending(session: Session) -> list[Agency]:
    query = select(Agency).where(Agency.status == PENDING).order_by(col(Agency.created_at))
    return list(session.exec(query))


def identifiers_of(session: Session, agency: Agency) -> dict[str, str]:
    rows = session.exec(select(AgencyIdentifier).where(AgencyIdentifier.agency_id == agency.id))
    return {r.scheme: r.value for r in rows}


def review(
    session: Session, actor: audit.Actor, *, agency: Agency, approve: bool, reason: str
) -> User | None:
    """Approve (the requester becomes its administrator) or refuse (a reason is required).
    Returns the requester, to be told by e-mail."""
    if actor.user is not None and not actor.user.is_site_admin:
        raise Forbidden(N_("only site administrators review agencies"))
    if agency.status != PENDING:
        raise Conflict(
            N_("%(agency_name)s was reviewed already (%(agency_status)s)"),
            agency_name=agency.name,
            agency_status=agency.status,
        )
    reason = " ".join((reason or "").split())[:1000]
    if not approve and not reason:
        raise BadRequest(N_("say why the agency is refused: the reason is sent to them"))
    agency.status = APPROVED if approve else REFUSED
    agency.review_reason = reason or None
    agency.reviewed_at = utcnow()
    session.add(agency)
    requester = session.get(User, agency.requested_by_id) if agency.requested_by_id else None
    if approve and requester is not None:
        session.add(Membership(user_id=requester.id, agency_id=agency.id, role="admin"))  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session, actor, action="agency.review", target_type="agency", target_id=agency.slug,
        agency_id=agency.id, before={"status": PENDING},
        after={"status": agency.status, "reason": reason},
    )  # fmt: skip
    return requester
