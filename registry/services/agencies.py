"""Agencies and their sources."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from registry.errors import BadRequest, NotFound
from registry.i18n import N_
from registry.models import Agency, Repository, Source
from registry.models._types import utcnow

# Kosovo's code is from ISO 3166-1's user-assigned range; the EU, the IMF and
# government.github.com use it, so the registry does too.
USER_ASSIGNED_COUNTRIES = frozenset({"XK"})


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200] or "agency"


def country_code(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in its one spelling (upper case), or None for none.

    Every way a country enters the registry (a hand entry, an importer, the demo) passes
    here, so "CA" and "ca" are one country. Anything else is refused."""
    import pycountry

    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if len(code) == 2 and (
        code in USER_ASSIGNED_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None
    ):
        return code
    raise BadRequest(
        N_("%(value)r is not an ISO 3166-1 alpha-2 country code (for example CA, FR)"), value=value
    )


def ensure_agency(
    session: Session,
    *,
    slug: str,
    name: str,
    country: str | None = None,
    level: str | None = None,
    homepage: str | None = None,
) -> Agency:
    """The agency with ``slug``, created or updated with the given facts (idempotent)."""
    agency = session.exec(select(Agency).where(Agency.slug == slug)).first()
    if agency is None:
        agency = Agency(slug=slug, name=name)
    agency.name = name or agency.name
    agency.country = country_code(country) or agency.country
    agency.level = level or agency.level
    agency.homepage = homepage or agency.homepage
    session.add(agency)
    session.flush()
    return agency


def ensure_source(
    session: Session, *, agency: Agency, kind: str, locator: str, api_url: str = ""
) -> Source:
    source = session.exec(
        select(Source).where(
            Source.kind == kind, Source.locator == locator, Source.api_url == api_url
        )
    ).first()
    if source is None:
        # An operator registers it (command line, importers): verified by that act.
        source = Source(
            agency_id=agency.id, kind=kind, locator=locator, api_url=api_url, verified_at=utcnow()
        )
        session.add(source)
        session.flush()
    return source


def find_agency(session: Session, slug: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.slug == slug)).first()


def get_agency(session: Session, slug: str) -> Agency:
    if "\x00" in slug or len(slug) > 200:  # no slug has them; PostgreSQL refuses NUL
        raise NotFound(N_("no agency has that name"))
    agency = session.exec(select(Agency).where(Agency.slug == slug)).first()
    if agency is None:
        raise NotFound(N_("no agency %(slug)r"), slug=slug)
    return agency


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(N_("no source %(source_id)s"), source_id=source_id)
    return source


def list_agencies(session: Session) -> list[tuple[Agency, int]]:
    """Every agency with its repository count, by name."""
    counts = (
        select(Repository.agency_id, func.count(Repository.id).label("n"))
        .group_by(Repository.agency_id)
        .subquery()
    )
    rows = session.exec(
        select(Agency, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.agency_id == Agency.id)
        .where(Agency.status == "approved")  # signed-up agencies wait for review
        .order_by(Agency.name)
    ).all()
    return [(a, int(n)) for a, n in rows]


def sources_of(session: Session, agency: Agency) -> list[Source]:
    return list(session.exec(select(Source).where(Source.agency_id == agency.id)).all())


def names(session: Session, slugs: list[str]) -> dict[str, str]:
    """Agency names for the given slugs (for facet labels), in one query."""
    if not slugs:
        return {}
    return dict(session.connection().execute(_names_query(), {"slugs": list(slugs)}).all())  # type: ignore[arg-type]


@cache
def _names_query():
    """Built once (every search page asks): its slugs a bound list."""
    return select(Agency.slug, Agency.name).where(
        Agency.slug.in_(bindparam("slugs", expanding=True))  # type: ignore[attr-defined]
    )
