"""Agencies and sources from inventories, imported idempotently.

An inventory's own key for an agency (``gh:alphagov``, ``ore:tbs-sct``) is stored in
``Agency.external_key``, so a second import of the same list, or a copy of it, finds the
same rows instead of adding new ones. Sources are found by their unique key (kind, API
base, locator; owner logins without regard to case, as the forges treat them). An agency
someone registered by hand is adopted when the inventory lists one of its sources.

The entries are duck-typed (``crawlers.inventories.entries.AgencyEntry`` fits): the domain
core does not import the crawlers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, select

from registry.errors import BadRequest
from registry.models import Agency, Source
from registry.models._types import utcnow
from registry.services.agencies import country_code, slugify
from registry.services.agency_matching import Matcher, clean_identifiers
from registry.source_kinds import KINDS, canonical_locator, default_api_url, source_kind

_LIMITS = {"name": 300, "country": 2, "level": 50, "homepage": 500, "locator": 500}
Wanted = tuple[tuple[str, str, str], str]  # (source key, locator as the inventory spells it)


class SourceLike(Protocol):
    kind: str
    locator: str
    host: str


class AgencyLike(Protocol):
    key: str
    name: str
    country: str | None
    level: str | None
    homepage: str | None
    sources: Sequence[SourceLike]
    names: Mapping[str, str]
    identifiers: Mapping[str, str]  # scheme (``registry.identifiers``) -> value


@dataclass
class ImportReport:
    agencies_new: int = 0
    agencies_updated: int = 0
    sources_new: int = 0
    sources_existing: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: ImportReport) -> None:
        self.agencies_new += other.agencies_new
        self.agencies_updated += other.agencies_updated
        self.sources_new += other.sources_new
        self.sources_existing += other.sources_existing
        self.problems.extend(other.problems)


def source_key(kind: str, api_url: str, locator: str) -> tuple[str, str, str]:
    return (kind, api_url, canonical_locator(source_kind(kind), locator))


class _Known:
    """Every agency and source already stored, looked up in memory (one query each)."""

    def __init__(self, session: Session) -> None:
        agencies = session.exec(select(Agency)).all()
        self.by_key = {a.external_key: a for a in agencies if a.external_key}
        self.by_id = {a.id: a for a in agencies}
        self.matcher = Matcher(session, list(agencies))
        self.slugs = {a.slug for a in agencies}
        self.sources = {
            source_key(s.kind, s.api_url, s.locator): s for s in session.exec(select(Source)).all()
        }

    def unique_slug(self, name: str) -> str:
        base = slugify(name)[:190]
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug


def import_agencies(
    session: Session,
    entries: Sequence[AgencyLike],
    *,
    settings: object,
) -> ImportReport:
    """Create or update an agency per entry and a source per source it lists, on each kind's
    default API (``settings``); flushes, the caller commits (or rolls back for a dry run)."""
    report = ImportReport()
    known = _Known(session)
    api_urls = {name: default_api_url(kind, settings) for name, kind in KINDS.items()}
    for entry in entries:
        if _country(entry) is None and entry.country:
            report.problems.append(
                f"{entry.key}: country {entry.country[:20]!r} is not an ISO 3166-1 alpha-2 "
                "code; stored without a country"
            )
        wanted = []
        for src in entry.sources:
            if len(src.locator) > _LIMITS["locator"]:
                report.problems.append(f"{entry.key}: source {src.locator[:80]!r}… is too long")
                continue
            key = source_key(src.kind, api_urls.get(src.kind, ""), src.locator)
            wanted.append((key, src.locator))
        agency = _agency_for(session, known, entry, [k for k, _ in wanted], report)
        for key, locator in wanted:
            _source_for(session, known, agency, key, locator, report)
    session.flush()
    return report


def _agency_for(
    session: Session,
    known: _Known,
    entry: AgencyLike,
    wanted: list[tuple[str, str, str]],
    report: ImportReport,
) -> Agency:
    agency = known.by_key.get(entry.key)
    identifiers, problems = clean_identifiers(getattr(entry, "identifiers", None) or {})
    report.problems.extend(f"{entry.key}: {p}" for p in problems)
    matched = None
    if agency is None:
        matched = known.matcher.find(
            key=entry.key, name=entry.name, country=_country(entry), homepage=entry.homepage,
            names=entry.names, identifiers=identifiers,
        )  # fmt: skip
    if agency is not None:
        changed = _update(agency, entry, authoritative=True)
    elif matched is not None:  # the same body, known from another inventory or by hand
        agency = matched
        placeholder = agency.name.lower() == (agency.external_key or "").partition(":")[2]
        changed = _update(agency, entry, authoritative=False)
        if placeholder and entry.name and entry.name != agency.name:  # a login for a name
            agency.name, changed = entry.name[: _LIMITS["name"]], True
        if agency.external_key is None:
            agency.external_key = entry.key[:300]
            known.by_key[entry.key] = agency
            changed = True
    else:
        owners = [known.sources[k].agency_id for k in wanted if k in known.sources]
        adopted = next((known.by_id[i] for i in owners if not known.by_id[i].external_key), None)
        if adopted is None:
            agency = Agency(slug=known.unique_slug(entry.name), name=entry.name[:300])
            _update(agency, entry, authoritative=True)
            session.add(agency)
            session.flush()
            known.by_id[agency.id] = agency
            report.agencies_new += 1
            changed = False
        else:
            agency, changed = adopted, True
            _update(agency, entry, authoritative=False)
        agency.external_key = entry.key[:300]
        known.by_key[entry.key] = agency
    if changed:
        session.add(agency)
        report.agencies_updated += 1
    known.matcher.add(agency)
    report.problems.extend(
        f"{entry.key}: {p}"
        for p in known.matcher.remember_identifiers(session, agency, identifiers)
    )
    return agency


def _update(agency: Agency, entry: AgencyLike, *, authoritative: bool) -> bool:
    """Copy the entry's facts onto the agency; an adopted agency keeps what it has."""
    before = (agency.name, agency.country, agency.level, agency.homepage, dict(agency.names))
    facts = {
        "name": entry.name,
        "country": _country(entry),
        "level": entry.level,
        "homepage": entry.homepage,
    }
    for name, value in facts.items():
        if value and (authoritative or not getattr(agency, name)):
            setattr(agency, name, value[: _LIMITS[name]])
    names = dict(entry.names)
    agency.names = {**(agency.names or {}), **names} if authoritative else {**names, **agency.names}
    return before != (agency.name, agency.country, agency.level, agency.homepage, agency.names)


def _country(entry: AgencyLike) -> str | None:
    try:
        return country_code(entry.country)
    except BadRequest:
        return None


def _source_for(
    session: Session,
    known: _Known,
    agency: Agency,
    key: tuple[str, str, str],
    locator: str,
    report: ImportReport,
) -> None:
    if key in known.sources:  # ours, or a sub-organisation's that another list gave it
        report.sources_existing += 1
        return
    kind, api_url, _ = key
    # The operator runs the import: the inventory's sources are vouched for by that act.
    source = Source(
        agency_id=agency.id, kind=kind, locator=locator, api_url=api_url, verified_at=utcnow()
    )
    session.add(source)
    known.sources[key] = source
    report.sources_new += 1


def count_rows(session: Session) -> tuple[int, int]:
    """(agencies, sources) stored: what a dry run or a test compares before and after."""
    agencies = session.exec(select(func.count()).select_from(Agency)).one()
    sources = session.exec(select(func.count()).select_from(Source)).one()
    return int(agencies), int(sources)
