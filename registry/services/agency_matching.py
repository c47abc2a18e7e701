"""One body is one agency: an imported record is matched to an agency already stored by
the identifiers other registries give it (iPA, TOOI, ORE code, US acronym, SIREN; see
``registry.identifiers``), then by its website's host, then by its name in its country.

Names are compared normalised: accents and case folded, punctuation and hyphens read as
spaces, and a leading country prefix dropped ("US-Department-of-the-Treasury" and
"Department of the Treasury" are one name in the US). A single-word name in the US is also
tried as the agency acronym ("nasa" on government.github.com is NASA on code.gov).

Two records of the same inventory (the same key prefix, ``gh:``, ``ore:``…) are never
merged with each other: each inventory already keys its own agencies. A name or host that
two stored agencies share matches neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from sqlmodel import Session, select

from registry.errors import BadRequest
from registry.identifiers import SCHEMES
from registry.models import Agency, AgencyIdentifier
from registry.search.text import words

_PREFIXES = {
    "US": (("u", "s", "a"), ("u", "s"), ("usa",), ("us",)),
    "GB": (("h", "m"), ("u", "k"), ("uk",), ("hm",)),
}
_AMBIGUOUS = object()


def normalised_name(name: str, country: str | None) -> str:
    found = words(name.replace("-", " ").replace(".", " "))
    prefixes = (*_PREFIXES.get((country or "").upper(), ()), ((country or "").lower(),))
    for prefix in prefixes:
        if prefix != ("",) and tuple(found[: len(prefix)]) == prefix and len(found) > len(prefix):
            found = found[len(prefix) :]
            break
    return " ".join(found)


def website_host(url: str | None) -> str:
    try:
        host = (urlsplit((url or "").strip()).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _inventory(key: str | None) -> str:
    return (key or "").partition(":")[0]


def clean_identifiers(values: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The valid identifiers among ``values``, normalised, and a problem per invalid one."""
    good, problems = {}, []
    for scheme, value in values.items():
        if scheme not in SCHEMES or not value:
            continue
        try:
            good[scheme] = SCHEMES[scheme].normalise(value)
        except BadRequest as exc:
            problems.append(str(exc))
    return good, problems


class Matcher:
    """Every stored agency indexed by identifier, website host and normalised name."""

    def __init__(self, session: Session, agencies: list[Agency]) -> None:
        self.by_id = {a.id: a for a in agencies}
        self.identifiers: dict[tuple[str, str], Agency] = {}
        for row in session.exec(select(AgencyIdentifier)):
            agency = self.by_id.get(row.agency_id)
            if agency is not None:
                self.identifiers[(row.scheme, row.value)] = agency
        self.hosts: dict[str, object] = {}
        self.names: dict[tuple[str, str], object] = {}
        for agency in agencies:
            self.add(agency)

    def add(self, agency: Agency) -> None:
        host = website_host(agency.homepage)
        if host:
            self._put(self.hosts, host, agency)
        for name in {agency.name, *(agency.names or {}).values()}:
            normal = normalised_name(name, agency.country)
            if normal:
                self._put(self.names, ((agency.country or "").upper(), normal), agency)

    @staticmethod
    def _put(index: dict, key: object, agency: Agency) -> None:
        seen = index.get(key)
        index[key] = agency if seen is None or seen is agency else _AMBIGUOUS

    def find(
        self, *, key: str, name: str, country: str | None, homepage: str | None,
        names: Mapping[str, str], identifiers: Mapping[str, str],
    ) -> Agency | None:  # fmt: skip
        """The stored agency this record describes, if one does (never one of the same
        inventory)."""
        candidates: list[object] = [self.identifiers.get(item) for item in identifiers.items()]
        host = website_host(homepage)
        candidates.append(self.hosts.get(host) if host else None)
        country_code = (country or "").upper()
        for each in (name, *names.values()):
            normal = normalised_name(each, country)
            candidates.append(self.names.get((country_code, normal)) if normal else None)
            if country_code == "US" and normal and " " not in normal:
                candidates.append(self.identifiers.get(("us_acronym", normal.upper())))
        for found in candidates:
            if isinstance(found, Agency) and _inventory(found.external_key) != _inventory(key):
                return found
        return None

    def remember_identifiers(
        self, session: Session, agency: Agency, identifiers: Mapping[str, str]
    ) -> list[str]:
        """Store the record's identifiers on the agency; one another agency holds is left
        there and reported."""
        problems = []
        for scheme, value in identifiers.items():
            holder = self.identifiers.get((scheme, value))
            if holder is agency:
                continue
            if holder is not None:
                problems.append(
                    f"{SCHEMES[scheme].label} {value} belongs to {holder.name}; not given to "
                    f"{agency.name}"
                )
                continue
            session.add(AgencyIdentifier(agency_id=agency.id, scheme=scheme, value=value))  # type: ignore[arg-type]
            self.identifiers[(scheme, value)] = agency
        return problems
