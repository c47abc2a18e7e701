"""US code.gov inventories (schemas 1.0.x, 2.0.x, NASA's legacy catalog) and per-repository
code.json files, read into one shape.

Agencies publish these by hand or by script, so every field is optional and defects are
collected as ``problems``; only bytes that are not a JSON inventory at all raise
``MetadataError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_json, mapping, pick, text, texts

KNOWN_VERSIONS = ("1.0", "1.0.0", "1.0.1", "2.0", "2.0.0", "2.0.1", "2.1.0")
MAX_PROBLEMS = 50  # enough to explain a file, never a second copy of it


@dataclass(frozen=True)
class CodeJsonRelease:
    """One software release of an inventory (a "project" in schema 1.0.x)."""

    name: str
    repository_url: str | None
    description: str
    licences: tuple[str, ...]  # as declared: SPDX id, licence name or licence URL
    languages: tuple[str, ...]
    tags: tuple[str, ...]
    organization: str | None
    contact_email: str | None
    homepage_url: str | None
    status: str | None
    usage_type: str | None
    date_created: str | None
    date_modified: str | None


@dataclass(frozen=True)
class CodeJsonInventory:
    agency: str | None
    version: str | None
    releases: tuple[CodeJsonRelease, ...]
    problems: tuple[str, ...]


# NASA's legacy catalog.json names each field its own way; map them onto code.json's names.
_NASA_LEGACY = {
    "name": "Software",
    "description": "Description",
    "repositoryURL": "Public Code Repo",
    "homepageURL": "External Link",
    "organization": "NASA Center",
    "tags": "Categories",
    "languages": "Languages",
    "license": "License",
    "lastModified": "Update_Date",
}


def parse_code_json(data: bytes) -> CodeJsonInventory:
    """Read an agency inventory, a per-repository code.json, or a list of releases."""
    doc = load_json(data, "code.json")
    problems: list[str] = []
    if isinstance(doc, list):
        return _inventory(None, None, doc, problems)
    if not isinstance(doc, Mapping):
        raise MetadataError("code.json is neither an inventory object nor a list of releases")
    agency = text(pick(doc, "agency"))
    version = text(pick(doc, "version"))
    items = pick(doc, "releases")
    if items is None and agency is not None:
        items = pick(doc, "projects")  # schema 1.0.1
    if items is None:
        if text(pick(doc, "name")) is None:
            raise MetadataError("code.json has no 'releases', 'projects' or 'name'")
        # A per-repository code.json (its "version" is the software's, not the schema's;
        # the CMS schema's own "projects" lists related projects, not releases).
        return _inventory(None, None, [doc], problems)
    if version is None:
        problems.append("inventory has no 'version'")
    elif version not in KNOWN_VERSIONS:
        problems.append(f"unknown schema version {version!r}")
    if agency is None:
        problems.append("inventory has no 'agency'")
    if not isinstance(items, list):
        problems.append("'releases' is not a list")
        items = []
    return _inventory(agency, version, items, problems)


def _inventory(
    agency: str | None, version: str | None, items: list[Any], problems: list[str]
) -> CodeJsonInventory:
    releases: list[CodeJsonRelease] = []
    for index, item in enumerate(items):
        release = _release(item) if isinstance(item, Mapping) else None
        if release is None:
            problems.append(f"release #{index} skipped: not an object with a name")
        else:
            releases.append(release)
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS - 1 :] = [f"and {len(problems) - MAX_PROBLEMS + 1} more problems"]
    return CodeJsonInventory(agency, version, tuple(releases), tuple(problems))


def _release(raw: Mapping[str, Any]) -> CodeJsonRelease | None:
    if text(pick(raw, "name")) is None and text(raw.get("Software")) is not None:
        raw = {key: raw.get(legacy) for key, legacy in _NASA_LEGACY.items()}
    name = text(pick(raw, "name"))
    if name is None:
        return None
    permissions = mapping(pick(raw, "permissions"))
    date = mapping(pick(raw, "date"))
    contact = mapping(pick(raw, "contact"))
    return CodeJsonRelease(
        name=name,
        repository_url=text(pick(raw, "repositoryURL", "repository")),
        description=text(pick(raw, "description")) or "",
        licences=_licences(permissions, raw),
        languages=texts(pick(raw, "languages")),
        tags=texts(pick(raw, "tags")),
        organization=text(pick(raw, "organization")),
        contact_email=text(pick(contact, "email")),
        homepage_url=text(pick(raw, "homepageURL")),
        status=text(pick(raw, "status")),
        usage_type=_usage_type(permissions, raw),
        date_created=text(pick(date, "created")),
        date_modified=text(pick(date, "lastModified")) or text(pick(raw, "lastModified")),
    )


def _licences(permissions: Mapping[str, Any], raw: Mapping[str, Any]) -> tuple[str, ...]:
    """2.0: permissions.licenses[{name, URL}]; 1.0.0: permissions.license[...]; 1.0.1: license."""
    declared = pick(permissions, "licenses", "license")
    if declared is None:
        declared = pick(raw, "license", "licenses")
    entries = declared if isinstance(declared, list) else [declared]
    found: list[str] = []
    for entry in entries:
        value = text(pick(entry, "name")) or text(pick(entry, "URL")) or text(entry)
        if value is not None and value not in found:
            found.append(value)
    return tuple(found)


def _usage_type(permissions: Mapping[str, Any], raw: Mapping[str, Any]) -> str | None:
    declared = texts(pick(permissions, "usageType"))
    if declared:
        return declared[0]
    # Schema 1.0.1 used two flags instead of a usage type.
    if pick(raw, "openSourceProject") in (1, True, "1"):
        return "openSource"
    if pick(raw, "governmentWideReuseProject") in (1, True, "1"):
        return "governmentWideReuse"
    return None
