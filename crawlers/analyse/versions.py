"""The versions a repository publishes: its git tags, joined with the forge's releases.

A release on GitHub or GitLab names a tag; its notes (and its page) say more than the tag
does, so they take the tag's place. A release whose tag the clone does not hold (yet) is
still a version. Only the newest ``MAX_VERSIONS`` are kept: enough to tell what is new
since the last crawl, however many tags a monorepo carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from crawlers.base import ForgeRelease, TagFact
from registry.services.records import VersionFact

MAX_VERSIONS = 200
NOTES_CAP = 4000


def versions(tags: Sequence[TagFact], releases: Sequence[ForgeRelease]) -> list[VersionFact]:
    """Newest first (by date; undated last), each tag once."""
    found: dict[str, VersionFact] = {}
    for tag in tags:
        when = datetime.fromtimestamp(tag.stamp, UTC) if tag.stamp > 0 else None
        found[tag.name] = VersionFact(tag.name, tag.commit, when, "", tag.message[:NOTES_CAP])
    for release in releases:
        if not release.tag:
            continue
        known = found.get(release.tag)
        found[release.tag] = VersionFact(
            tag=release.tag,
            commit=known.commit if known else "",
            published_at=release.published_at or (known.published_at if known else None),
            title=release.title,
            notes=(release.notes or (known.notes if known else ""))[:NOTES_CAP],
            url=release.url,
        )
    floor = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(found.values(), key=lambda v: (v.published_at or floor, v.tag), reverse=True)
    return ordered[:MAX_VERSIONS]
