"""The fields govcode keeps from a publiccode.yml, read leniently from any version.

Reading is separate from validating: a file with problems still names its software,
its licence and its maintainers, and the registry shows them. Older field names are
mapped here (0.1: ``publiccode-yaml-version``, ``tags``, ``featureList``;
0.2 to 0.4: ``legal.repoOwner`` before ``organisation.name``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.analysis.metadata.publiccode_yaml import MappingNode, plain


@dataclass(frozen=True)
class LocalisedDescription:
    """The texts of one language (``description.<lang>`` of the file)."""

    short: str
    long: str
    features: tuple[str, ...]
    localised_name: str | None


def _str(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _strs(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(s for s in (_str(v) for v in value) if s)


def _map(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _version(doc: dict[str, Any]) -> str | None:
    version = doc.get("publiccodeYmlVersion")
    if isinstance(version, str) and version.strip():
        return version.strip()
    legacy = _str(doc.get("publiccode-yaml-version"))
    return legacy.rstrip("/").rsplit("/", 1)[-1] if legacy else None


def _descriptions(doc: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for lang, entry in _map(doc.get("description")).items():
        entry = _map(entry)
        result[str(lang)] = LocalisedDescription(
            short=_str(entry.get("shortDescription")) or "",
            long=_str(entry.get("longDescription")) or "",
            features=_strs(entry.get("features", entry.get("featureList"))),
            localised_name=_str(entry.get("localisedName")),
        )
    return result


def _contacts(maintenance: dict[str, Any]) -> tuple[dict, ...]:
    contacts = maintenance.get("contacts")
    if not isinstance(contacts, list):
        return ()
    return tuple(
        {str(k): v.strip() for k, v in c.items() if isinstance(v, str) and v.strip()}
        for c in contacts
        if isinstance(c, dict)
    )


def extract(root: MappingNode) -> dict[str, Any]:
    """Keyword arguments for ``Publiccode`` (all but problems and readable)."""
    doc = _map(plain(root))
    legal = _map(doc.get("legal"))
    maintenance = _map(doc.get("maintenance"))
    organisation = _map(doc.get("organisation"))
    return {
        "version": _version(doc),
        "name": _str(doc.get("name")),
        "url": _str(doc.get("url")),
        "landing_url": _str(doc.get("landingURL")),
        "is_based_on": _strs(doc.get("isBasedOn")),
        "development_status": _str(doc.get("developmentStatus")),
        "software_type": _str(doc.get("softwareType")),
        "licence": _str(legal.get("license")),
        "main_copyright_owner": _str(legal.get("mainCopyrightOwner")),
        "repo_owner": _str(organisation.get("name")) or _str(legal.get("repoOwner")),
        "platforms": _strs(doc.get("platforms")),
        "categories": _strs(doc.get("categories", doc.get("tags"))),
        "release_date": _str(doc.get("releaseDate")),
        "software_version": _str(doc.get("softwareVersion")),
        "descriptions": _descriptions(doc),
        "maintenance_type": _str(maintenance.get("type")),
        "contacts": _contacts(maintenance),
    }
