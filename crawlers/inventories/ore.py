"""Canada's Open Resource Exchange (ORE/ERO) ``_data``: administrations and code releases,
every human-readable field in English and French.

Administrations come from ``administrations/<level>.yml``; provinces have no file of their
own there, so ``i18n/provinces.yml`` supplies their bilingual names when given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from posixpath import basename, dirname
from typing import Any

from crawlers.inventories.entries import (
    AgencyEntry,
    InventoryError,
    SourceEntry,
    owner_source,
    source_from_url,
    unique_sources,
)
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml, mapping, text, texts

LANGS = ("en", "fr")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class OreRelease:
    admin_code: str
    name: dict[str, str] = field(hash=False)
    description: dict[str, str] = field(hash=False)
    repository_url: str | None  # the English URL (the French one is in repository_urls)
    repository_urls: dict[str, str] = field(hash=False)
    licences: tuple[str, ...]  # spdxID as declared
    languages: tuple[str, ...]
    tags: dict[str, tuple[str, ...]] = field(hash=False)
    status: str | None
    contact_email: str | None
    date_created: str | None
    date_modified: str | None

    @property
    def key(self) -> str:
        return f"ore:{self.admin_code.lower()}:{self.repository_url or self.name.get('en', '')}"


@dataclass(frozen=True)
class OreImport:
    agencies: tuple[AgencyEntry, ...]
    releases: tuple[OreRelease, ...]
    problems: tuple[str, ...]
    complete: bool = True  # every release file was read (none given, or one skipped: False)


def _bilingual(value: Any) -> dict[str, str]:
    found = {lang: text(mapping(value).get(lang)) for lang in LANGS}
    return {lang: got for lang, got in found.items() if got}


def _yaml(data: bytes, what: str) -> Any:
    try:
        return load_yaml(data, what)
    except MetadataError as exc:
        raise InventoryError(str(exc)) from None


def _level(path: str) -> str:
    """ "administrations/federal.yml" and "code/federal/x.yml" both say "federal"."""
    in_admin = "administrations" in path
    stem = basename(path).rsplit(".", 1)[0] if in_admin else basename(dirname(path))
    return {"others": "other"}.get(stem, stem) or "other"


def _admin(raw: Any, level: str, problems: list[str]) -> AgencyEntry | None:
    code = text(mapping(raw).get("code"))
    names = _bilingual(mapping(raw).get("name"))
    if code is None or not _CODE.match(code):
        problems.append(f"administration {str(code)[:80]!r} skipped: not a code")
        return None
    country = None if code.lower() == "international" else "CA"
    name = names.get("en") or names.get("fr") or code
    ids = {"ore": code.lower()} if country else {}
    return AgencyEntry(f"ore:{code.lower()}", name, country, level, None, (), names, ids)


def _release(admin_code: str, raw: Any) -> OreRelease | None:
    item = mapping(raw)
    names = _bilingual(item.get("name"))
    urls = _bilingual(item.get("repositoryURL"))
    if not names and not urls:
        return None
    tags = mapping(item.get("tags"))
    return OreRelease(
        admin_code=admin_code,
        name=names,
        description=_bilingual(mapping(item.get("description")).get("whatItDoes")),
        repository_url=urls.get("en") or urls.get("fr"),
        repository_urls=urls,
        licences=texts([mapping(lic).get("spdxID") for lic in _list(item.get("licences"))]),
        languages=texts(item.get("languages")),
        tags={lang: texts(tags.get(lang)) for lang in LANGS if texts(tags.get(lang))},
        status=text(item.get("status")),
        contact_email=text(mapping(item.get("contact")).get("email")),
        date_created=text(mapping(item.get("date")).get("created")),
        date_modified=text(mapping(item.get("date")).get("metadataLastUpdated")),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_ore(
    administrations: Iterable[tuple[str, bytes]],
    releases: Iterable[tuple[str, bytes]],
    provinces: bytes | None = None,
) -> OreImport:
    """Agencies (keyed ``ore:<code>``) with the GitHub/GitLab owners of their releases as
    sources, and every release. Inputs are ``(path, bytes)`` pairs, paths as in ``_data``."""
    problems: list[str] = []
    agencies: dict[str, AgencyEntry] = {}
    for path, data in administrations:
        doc = _yaml(data, path)
        for raw in _list(doc) if doc is not None else []:
            record = _admin(raw, _level(path), problems)
            if record is not None:
                agencies.setdefault(record.key, record)
    known_provinces = mapping(_yaml(provinces, "provinces.yml")) if provinces else {}
    found: list[OreRelease] = []
    files = skipped = 0
    for path, data in releases:
        doc = mapping(_yaml(data, path))
        admin_code = text(doc.get("adminCode"))
        files += 1
        if admin_code is None or not _CODE.match(admin_code):
            problems.append(f"{path}: no adminCode")
            skipped += 1
            continue
        key = f"ore:{admin_code.lower()}"
        if key not in agencies:
            names = _bilingual(known_provinces.get(admin_code))
            if not names:
                problems.append(f"{path}: administration {admin_code!r} is not listed")
            name = names.get("en") or admin_code
            agencies[key] = AgencyEntry(key, name, "CA", _level(path), None, (), names)
        for index, raw in enumerate(_list(doc.get("releases"))):
            release = _release(admin_code, raw)
            if release is None:
                problems.append(f"{path}: release #{index} has no name or repository URL")
            else:
                found.append(release)
    complete = files > 0 and skipped == 0
    return OreImport(_with_sources(agencies, found), tuple(found), tuple(problems), complete)


def _with_sources(
    agencies: Mapping[str, AgencyEntry], releases: list[OreRelease]
) -> tuple[AgencyEntry, ...]:
    """Each agency's GitHub/GitLab owners as sources; an owner that holds releases of several
    administrations (``canada-ca``) belongs to none of them, so those get repository URLs."""
    urls: dict[str, list[str]] = {}
    holders: dict[str, set[str]] = {}
    for release in releases:
        key = f"ore:{release.admin_code.lower()}"
        for url in release.repository_urls.values():
            urls.setdefault(key, []).append(url)
            if (owner := owner_source(url)) is not None:
                holders.setdefault(owner.key, set()).add(key)

    def source_for(url: str) -> SourceEntry | None:
        owner = owner_source(url)
        if owner is not None and len(holders[owner.key]) == 1:
            return owner
        return source_from_url(url) if owner is not None else None

    return tuple(
        replace(record, sources=unique_sources(source_for(url) for url in urls.get(key, [])))
        for key, record in agencies.items()
    )
