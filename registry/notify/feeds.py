"""The Atom channel: feeds of reuse events (feedgen), one entry per event.

Atom is a pull channel: readers fetch a repository's feed whenever they like, so it has
no subscriptions and nothing is ever pushed.

Entry ids are tag: URIs built from the registry's host, the event's date and its id,
so a feed reader sees the same entry every time the feed is rebuilt, whatever the
page or filter the feed came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from registry.errors import BadRequest
from registry.i18n import N_
from registry.notify.base import Outgoing, SendResult
from registry.notify.messages import Notice
from registry.settings import Settings
from registry.urlpolicy import link_url

# Characters XML 1.0 cannot carry; forges hand us names we did not write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Drop what lxml refuses, so one odd name cannot take the whole feed down."""
    return _NOT_XML.sub("", value)


def entry_id(notice: Notice, *, authority: str) -> str:
    """RFC 4151 tag URI: ``tag:<host>,<YYYY-MM-DD>:reuse-event/<id>``."""
    day = notice.created_at.astimezone(UTC).date().isoformat()
    return f"tag:{authority},{day}:reuse-event/{notice.event_id}"


def reuse_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    notices: Sequence[Notice],
    updated: datetime | None = None,
) -> bytes:
    """The Atom document (UTF-8 bytes), newest entry first.

    ``updated`` defaults to the newest event, or now when there is none.
    """
    ordered = sorted(notices, key=lambda n: (n.created_at, n.event_id), reverse=True)
    authority = urlsplit(self_url).hostname or "govcode.invalid"
    feed = FeedGenerator()
    feed.id(xml_text(feed_id))
    feed.title(xml_text(title))
    feed.author({"name": "govcode"})
    feed.link(href=xml_text(self_url), rel="self", type="application/atom+xml")
    feed.link(href=xml_text(alternate_url), rel="alternate", type="text/html")
    feed.generator("govcode", uri=None, version=None)
    feed.updated(updated or (ordered[0].created_at if ordered else datetime.now(UTC)))
    for notice in ordered:
        entry = feed.add_entry(order="append")
        entry.id(xml_text(entry_id(notice, authority=authority)))
        entry.title(xml_text(f"{notice.repository_name}: {notice.summary}"))
        # One link only: feedgen 1.0.0 drops rel/type on entry links, and a link without
        # rel means "alternate" in Atom, so a second (related) link would be misread.
        link = link_url(notice.link) or link_url(notice.repository_url) or self_url
        entry.link(href=xml_text(link), rel="alternate")
        entry.published(notice.created_at)
        entry.updated(notice.created_at)
        label = notice.kind.removeprefix("source.").replace("_", " ")
        entry.category(term=notice.kind, label=label)
        entry.summary(xml_text(notice.describe()))
    return feed.atom_str(pretty=True)


class AtomFeedChannel:
    """Reuse events as Atom entries, built when a reader asks (``render``)."""

    render = staticmethod(reuse_feed)

    @classmethod
    def from_settings(cls, settings: Settings) -> AtomFeedChannel:
        return cls()

    @staticmethod
    def validate_address(address: str) -> str:
        raise BadRequest(
            N_(
                "the Atom feed is read, not subscribed to: point a feed reader at "
                "/repositories/{id}/feed.atom"
            )
        )

    def preflight(self, address: str) -> str | None:
        return "the Atom feed is pulled by its readers; nothing is sent"

    def close(self) -> None:
        pass  # nothing held open

    def send(self, outgoing: Outgoing) -> SendResult:
        return SendResult(ok=False, error="the Atom feed is pulled by its readers; nothing is sent")
