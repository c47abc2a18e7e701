"""Every string of a repository record made to fit its column before it reaches SQL.

What a crawl stores comes from strangers: a ``developmentStatus`` of 300 characters, a
``homepageURL`` of 5,000, a package name or a file path longer than any column. PostgreSQL
refuses such a row (so the repository could never be stored) and SQLite keeps it (so every
page showing it broke). ``bounded`` is the one place that decides, with the limits read
from the models themselves, so a new column is bounded too:

- the repository's identity (owner, name, URLs it is known by) cannot be cut without
  merging it with another: a record whose identity does not fit is refused (CrawlError);
- the description is shortened; any other over-long value is dropped (a cut URL, status or
  licence expression would be a wrong one);
- over-long items of lists (topics, languages, packages, file fingerprints, reuse claims)
  are dropped, over-long details cut;

and every change is reported in the record's metadata problems, which the repository shows.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import SQLModel

from registry.errors import CrawlError
from registry.models import (
    LicenceEvidence,
    MaturitySignal,
    Repository,
    RepositoryFingerprint,
    RepositoryLanguage,
    RepositoryPackage,
    RepositoryRootCommit,
    RepositoryVersion,
    ReuseEdge,
)
from registry.services.records import RepositoryRecord, ReuseClaim, VersionFact, normalise_url

MAX_TOPIC = 100
MAX_TOPICS = 50
MAX_PROBLEMS = 100
_IDENTITY = ("forge", "owner", "name", "html_url", "clone_url", "forge_id")
_CUT = ("description",)  # text that may be shortened; everything else is dropped


def limit(model: type[SQLModel], column: str) -> int | None:
    """The declared length of a string column (None: unbounded)."""
    return getattr(model.__table__.c[column].type, "length", None)  # type: ignore[attr-defined]


def _fits(value: str | None, model: type[SQLModel], column: str) -> bool:
    size = limit(model, column)
    return value is None or size is None or len(value) <= size


def _cut(value: str, size: int | None) -> str:
    return value if size is None or len(value) <= size else value[: size - 1] + "…"


def bounded(record: RepositoryRecord) -> RepositoryRecord:
    """A copy of ``record`` that fits the database, with a problem noted for each change."""
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for name in _IDENTITY:
        value = getattr(record, name)
        if not _fits(value, Repository, name):
            raise CrawlError(
                f"the repository's {name} is longer than {limit(Repository, name)} characters"
                " and cannot be stored"
            )
    if len(record.full_name) > (limit(Repository, "full_name") or len(record.full_name)):
        raise CrawlError("the repository's full name is too long to be stored")
    if len(normalise_url(record.html_url)) > (limit(Repository, "url_key") or 10**9):
        raise CrawlError("the repository's URL is too long to be stored")
    columns = Repository.__table__.c  # type: ignore[attr-defined]
    for field in dataclasses.fields(record):
        name = field.name
        value = getattr(record, name)
        if name in _IDENTITY or name not in columns or not isinstance(value, str):
            continue
        size = limit(Repository, name)
        if size is None or len(value) <= size:
            continue
        if name in _CUT:
            changes[name] = _cut(value, size)
            problems.append(f"{name} is longer than {size} characters: shortened")
        else:
            changes[name] = None if columns[name].nullable else _default(record, name)
            problems.append(f"{name} is longer than {size} characters ({value[:60]!r}…): ignored")
    changes |= _lists(record, problems)
    if problems:
        extra = dict(record.extra_metadata)
        known = list(extra.get("problems") or [])
        extra["problems"] = (known + problems)[:MAX_PROBLEMS]
        changes["extra_metadata"] = extra
    return dataclasses.replace(record, **changes) if changes else record


def _default(record: RepositoryRecord, name: str) -> Any:
    field = next(f for f in dataclasses.fields(record) if f.name == name)
    return field.default if field.default is not dataclasses.MISSING else ""


def _lists(record: RepositoryRecord, problems: list[str]) -> dict[str, Any]:
    """The list fields, their over-long items dropped or cut (noted in ``problems``)."""
    changes: dict[str, Any] = {}

    def keep(name: str, items: list, ok) -> None:
        kept = [item for item in items if ok(item)]
        if len(kept) != len(items):
            problems.append(f"{len(items) - len(kept)} {name} too long to store: ignored")
            changes[name] = kept

    keep("topics", record.topics, lambda t: len(t) <= MAX_TOPIC)
    if len(changes.get("topics", record.topics)) > MAX_TOPICS:
        changes["topics"] = changes.get("topics", record.topics)[:MAX_TOPICS]
        problems.append(f"more than {MAX_TOPICS} topics: the rest ignored")
    keep("languages", record.languages, lambda x: _fits(x[0], RepositoryLanguage, "language"))
    keep("packages", record.packages, lambda p: _all_fit(p, RepositoryPackage, _PACKAGE))
    keep("fingerprints", record.fingerprints, lambda f: _all_fit(f, RepositoryFingerprint, _PRINT))
    keep("root_commits", record.root_commits, lambda s: _fits(s, RepositoryRootCommit, "sha"))
    keep("reuse", record.reuse, _claim_fits)
    keep("versions", record.versions, _version_fits)
    changes["licence_evidence"] = [_rows(e, LicenceEvidence) for e in record.licence_evidence]
    changes["maturity_signals"] = [_rows(s, MaturitySignal) for s in record.maturity_signals]
    if changes["licence_evidence"] == record.licence_evidence:
        del changes["licence_evidence"]
    if changes["maturity_signals"] == record.maturity_signals:
        del changes["maturity_signals"]
    return changes


_PACKAGE = ("ecosystem", "name", "role", "version_spec")
_PRINT = ("path", "fingerprint")


def _all_fit(values: tuple, model: type[SQLModel], columns: tuple[str, ...]) -> bool:
    return all(_fits(v, model, c) for v, c in zip(values, columns, strict=True))


def _claim_fits(claim: ReuseClaim) -> bool:
    return (
        _fits(claim.kind, ReuseEdge, "kind")
        and _fits(normalise_url(claim.reuser_url), ReuseEdge, "reuser_url")
        and _fits(normalise_url(claim.target_url), ReuseEdge, "target_url")
        and _fits(claim.reuser_name, ReuseEdge, "reuser_name")
        and _fits(claim.evidence, ReuseEdge, "evidence")
    )


def _version_fits(version: VersionFact) -> bool:
    """A tag or commit that does not fit would name another version; the rest is cut."""
    return _fits(version.tag, RepositoryVersion, "tag") and _fits(
        version.commit, RepositoryVersion, "commit"
    )


def _rows(row: dict[str, Any], model: type[SQLModel]) -> dict[str, Any]:
    """A finding's row with each string cut to its column (None where a cut would lie)."""
    out = dict(row)
    for key, value in row.items():
        if isinstance(value, str) and not _fits(value, model, key):
            nullable = model.__table__.c[key].nullable  # type: ignore[attr-defined]
            out[key] = None if nullable else _cut(value, limit(model, key))
    return out
