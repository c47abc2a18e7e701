"""Inventories' names and descriptions of repositories, by language (ORE's English and
French), stored under the repository's URL key so that it does not matter whether the
inventory is imported before or after the repository is crawled.

An import hands over the inventory's whole list of releases: new texts are added, changed
ones rewritten, those of releases it no longer lists removed, and each crawled repository
whose texts changed is logged in ``IndexChange`` so that every node's index follows.

The records are duck-typed (``crawlers.inventories.ore.OreRelease`` fits): the domain core
does not import the crawlers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, select

from registry.models import IndexChange, InventoryText, Repository
from registry.services.records import normalise_url

ORE = "ore"
# The inventories that describe repositories in words, in the order their texts are
# preferred when two describe one repository in one language, with what each is.
INVENTORIES: dict[str, str] = {ORE: "Canada's Open Resource Exchange"}
MAX_NAME = 300
MAX_DESCRIPTION = 2000
MAX_KEY = 500  # InventoryText.url_key, as Repository.url_key
CHUNK = 500  # url keys per IN (…) list


class ReleaseLike(Protocol):
    name: Mapping[str, str]  # by language tag
    description: Mapping[str, str]
    repository_urls: Mapping[str, str]  # the repository's URL as each language gives it


@dataclass(frozen=True)
class Described:
    """One inventory's texts of one repository, by language tag."""

    inventory: str
    names: dict[str, str]
    descriptions: dict[str, str]


@dataclass
class TextsReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0  # releases with no usable URL or no text
    kept: int = 0  # not in a partial read, so left as they were


def replace_all(
    session: Session,
    *,
    inventory: str,
    releases: Iterable[ReleaseLike],
    now: datetime,
    complete: bool = True,
) -> TextsReport:
    """Make the stored texts of ``inventory`` exactly those of ``releases`` (idempotent: the
    same list again changes nothing and logs no index change). ``complete=False`` (the
    inventory was read in part: a file skipped, or none found) adds and updates but removes
    nothing, so a bad or partial read never loses a text. The caller commits."""
    if inventory not in INVENTORIES:
        raise ValueError(f"{inventory!r} is not an inventory that describes repositories")
    report = TextsReport()
    wanted = _by_key(releases, report)
    stored = {
        row.url_key: row
        for row in session.exec(select(InventoryText).where(InventoryText.inventory == inventory))
    }
    changed: list[str] = []
    for key, (names, descriptions) in wanted.items():
        row = stored.pop(key, None)
        if row is not None and (row.names, row.descriptions) == (names, descriptions):
            report.unchanged += 1
            continue
        if row is None:
            row = InventoryText(inventory=inventory, url_key=key, first_seen_at=now)
            report.new += 1
        else:
            report.updated += 1
        row.names, row.descriptions, row.updated_at = names, descriptions, now
        session.add(row)
        changed.append(key)
    for key, row in stored.items():
        if not complete:
            report.kept += 1
            continue
        session.delete(row)
        report.removed += 1
        changed.append(key)
    _reindex(session, changed)
    return report


Texts = tuple[dict[str, str], dict[str, str]]


def _by_key(releases: Iterable[ReleaseLike], report: TextsReport) -> dict[str, Texts]:
    """The texts to store by URL key. A release whose languages give two URLs is stored
    under each; where two releases name one repository, the first to give a language's
    text keeps it."""
    out: dict[str, Texts] = {}
    for release in releases:
        names = _texts(release.name, MAX_NAME)
        descriptions = _texts(release.description, MAX_DESCRIPTION)
        keys = {normalise_url(u) for u in release.repository_urls.values() if u.strip()}
        keys = {k for k in keys if "/" in k and len(k) <= MAX_KEY}
        if not keys or not (names or descriptions):
            report.skipped += 1
            continue
        for key in sorted(keys):
            have_names, have_descriptions = out.setdefault(key, ({}, {}))
            for lang, text in names.items():
                have_names.setdefault(lang, text)
            for lang, text in descriptions.items():
                have_descriptions.setdefault(lang, text)
    return out


def _texts(given: Mapping[str, str], limit: int) -> dict[str, str]:
    """Non-empty texts, whitespace collapsed, each within ``limit`` characters."""
    out = {}
    for lang, text in given.items():
        words = " ".join(str(text).split())
        if words and isinstance(lang, str) and len(lang) <= 20:
            out[lang] = words if len(words) <= limit else words[: limit - 1] + "…"
    return out


def _reindex(session: Session, keys: list[str]) -> None:
    """Crawled repositories whose texts changed follow in every node's index."""
    for chunk in _chunks(sorted(set(keys))):
        ids = session.exec(
            select(Repository.id).where(Repository.url_key.in_(chunk))  # type: ignore[attr-defined]
        ).all()
        for repo_id in sorted(i for i in ids if i is not None):
            session.add(IndexChange(repository_id=repo_id))


def of_keys(session: Session, keys: Iterable[str]) -> dict[str, list[Described]]:
    """The inventories' texts of the repositories with these URL keys, each key's list in
    ``INVENTORIES`` order (keys no inventory describes are absent)."""
    found: dict[str, list[Described]] = {}
    for chunk in _chunks(sorted(set(keys))):
        rows = session.exec(
            select(InventoryText.url_key, InventoryText.inventory, InventoryText.names,
                   InventoryText.descriptions)
            .where(InventoryText.url_key.in_(chunk))  # type: ignore[attr-defined]
        ).all()  # fmt: skip
        for key, inventory, names, descriptions in rows:
            if (text := described(inventory, names, descriptions)) is not None:
                found.setdefault(key, []).append(text)
    for texts in found.values():
        in_order(texts)
    return found


def described(
    inventory: str, names: Mapping | None, descriptions: Mapping | None
) -> Described | None:
    """One stored row's texts (None for an inventory this code no longer knows)."""
    if inventory not in INVENTORIES:
        return None
    return Described(inventory, dict(names or {}), dict(descriptions or {}))


def in_order(texts: list[Described]) -> None:
    """Sort one repository's texts in ``INVENTORIES`` order, the preferred first."""
    rank = {name: i for i, name in enumerate(INVENTORIES)}
    texts.sort(key=lambda d: rank[d.inventory])


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]
