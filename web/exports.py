"""The catalogue in the formats other registries read: code.json 2.0.0, CSV, JSON Lines.

Each writer is a generator of text chunks over ``registry.services.exports.catalogue``, so a
response streams the catalogue without building it in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from registry.analysis.licence_ids import licence_info, licence_keys
from registry.services.exports import ExportRow

CODE_JSON_VERSION = "2.0.0"
STATUS = {  # our maturity levels -> code.json 2.0.0 release status
    "concept": "Ideation",
    "development": "Development",
    "beta": "Beta",
    "stable": "Production",
    "obsolete": "Archival",
}
CSV_COLUMNS = (
    "id", "full_name", "agency", "agency_name", "country", "forge", "html_url", "clone_url",
    "description", "licence", "licence_status", "primary_language", "maturity_level",
    "maturity_score", "stars", "forks_count", "archived", "is_fork", "topics", "last_commit_at",
    "page_url",
)  # fmt: skip


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _day(when: datetime | None) -> str | None:
    return when.date().isoformat() if when else None


def _licences(expression: str | None) -> list[dict[str, str]] | None:
    keys = licence_keys(expression) if expression else ()
    found = []
    for key in keys:
        info = licence_info(key)
        entry = {"name": key}
        if info is not None:
            entry["URL"] = f"https://spdx.org/licenses/{info.id}.html"
        found.append(entry)
    return found or None


def _open_licence(expression: str | None) -> bool:
    infos = [licence_info(k) for k in (licence_keys(expression) if expression else ())]
    return bool(infos) and all(i is not None and (i.osi_approved or i.fsf_libre) for i in infos)


def _contact(row: ExportRow, *, base_url: str, fallback_email: str) -> dict[str, str]:
    """The publisher's own contact (publiccode.yml maintenance.contacts) where it gave one;
    code.json requires an e-mail, so the registry's address stands in otherwise."""
    page = _http(row.agency.homepage) or f"{base_url.rstrip('/')}/agencies/{row.agency.slug}"
    for person in row.repo.publiccode.get("contacts") or []:
        if isinstance(person, dict) and "@" in str(person.get("email", "")):
            found = {"email": str(person["email"]), "URL": page}
            if person.get("name"):
                found["name"] = str(person["name"])
            return found
    return {"email": fallback_email, "URL": page}


def code_json_release(row: ExportRow, *, base_url: str, contact_email: str) -> dict[str, Any]:
    """One repository as a code.json 2.0.0 release."""
    repo = row.repo
    release: dict[str, Any] = {
        "name": repo.name,
        "organization": row.agency.name,
        "description": repo.description or repo.readme_excerpt[:500] or repo.full_name,
        "permissions": {
            "licenses": _licences(repo.licence),
            # Public code with an open licence is open source; public code without one can
            # still be reused across government, but not by everyone.
            "usageType": "openSource" if _open_licence(repo.licence) else "governmentWideReuse",
        },
        "tags": list(repo.topics) or [lang for lang, _, _ in row.languages[:5]],
        "contact": _contact(row, base_url=base_url, fallback_email=contact_email),
        "status": "Archival" if repo.archived else STATUS.get(repo.maturity_level, "Development"),
        "vcs": "git",
        "repositoryURL": repo.html_url,
        "languages": [lang for lang, _, _ in row.languages],
        "laborHours": 0,  # not measured: code.json requires a number
        "date": {
            key: value
            for key, value in {
                "created": _day(repo.forge_created_at),
                "lastModified": _day(repo.last_commit_at),
                "metadataLastUpdated": _day(repo.last_crawled_at),
            }.items()
            if value
        },
    }
    homepage = _http(repo.homepage)
    if homepage:
        release["homepageURL"] = homepage
    return release


def code_json(
    rows: Iterable[ExportRow], *, agency: str, base_url: str, contact_email: str
) -> Iterator[str]:
    """A whole code.json document, streamed release by release."""
    head = {
        "version": CODE_JSON_VERSION,
        "agency": agency,
        "measurementType": {"method": "projects"},
    }
    yield json.dumps(head)[:-1] + ', "releases": ['
    for i, row in enumerate(rows):
        release = code_json_release(row, base_url=base_url, contact_email=contact_email)
        yield ("," if i else "") + json.dumps(release)
    yield "]}\n"


def csv_row(row: ExportRow, *, base_url: str) -> list[Any]:
    repo, agency = row.repo, row.agency
    values = {
        **{c: getattr(repo, c, "") for c in CSV_COLUMNS},
        "agency": agency.slug,
        "agency_name": agency.name,
        "country": (agency.country or "").upper(),
        "topics": ";".join(repo.topics),
        "last_commit_at": repo.last_commit_at.isoformat() if repo.last_commit_at else "",
        "page_url": f"{base_url.rstrip('/')}/repositories/{repo.id}",
    }
    return ["" if values[c] is None else values[c] for c in CSV_COLUMNS]


def csv_lines(rows: Iterable[ExportRow], *, base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_row(row, base_url=base_url))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(rows: Iterable[ExportRow], *, base_url: str) -> Iterator[str]:
    for row in rows:
        record = dict(zip(CSV_COLUMNS, csv_row(row, base_url=base_url), strict=True))
        record["topics"] = list(row.repo.topics)
        record["languages"] = [{"language": n, "bytes": b, "share": s} for n, b, s in row.languages]
        record["country"] = record["country"] or None
        yield json.dumps(record, default=str) + "\n"
