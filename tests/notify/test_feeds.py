"""Atom feeds: well-formed XML, one entry per event, stable ids, newest first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

from registry.notify import ReuseNotice, reuse_feed

ATOM = "{http://www.w3.org/2005/Atom}"
SELF = "https://govcode.example/agencies/ahs/reuse.atom"
KINDS = ["fork", "based_on", "shared_history", "dependency", "copied_files"]


def make_notice(event_id: int, created_at: datetime, reuser: str = "ontario") -> ReuseNotice:
    return ReuseNotice(
        event_id=event_id,
        kind=KINDS[event_id % len(KINDS)],
        created_at=created_at,
        repository_name="alberta-health-services/covid-self-assessment",
        repository_url="https://govcode.example/r/1",
        repository_html_url="https://github.com/alberta-health-services/covid-self-assessment",
        reuser_name=f"{reuser}/covid-self-assessment",
        reuser_url=f"https://govcode.example/r/{reuser}-{event_id}",
        reuser_agency="Ontario Digital Service",
        summary=f"Reused by {reuser} #{event_id}",
    )


def build(notices: list[ReuseNotice], **kwargs: object) -> ET.Element:
    document = reuse_feed(
        feed_id="https://govcode.example/agencies/ahs/reuse",
        title="Reuse of Alberta Health Services code",
        self_url=str(kwargs.pop("self_url", SELF)),
        alternate_url="https://govcode.example/agencies/ahs",
        notices=notices,
        **kwargs,  # type: ignore[arg-type]
    )
    assert isinstance(document, bytes)
    return ET.fromstring(document)


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def text(element: ET.Element, tag: str) -> str:
    found = element.find(f"{ATOM}{tag}")
    assert found is not None and found.text is not None, tag
    return found.text


def test_entries_ids_titles_links_and_order() -> None:
    start = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    # Given out of order, and one in another time zone, to prove the sort is by instant.
    toronto = timezone(timedelta(hours=-5))
    notices = [
        make_notice(1, start),
        make_notice(3, (start + timedelta(days=2)).astimezone(toronto)),
        make_notice(2, start + timedelta(days=1)),
    ]
    feed = build(notices)

    assert feed.tag == f"{ATOM}feed"
    assert text(feed, "id") == "https://govcode.example/agencies/ahs/reuse"
    assert text(feed, "title") == "Reuse of Alberta Health Services code"
    rels = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert rels == {"self": SELF, "alternate": "https://govcode.example/agencies/ahs"}
    assert datetime.fromisoformat(text(feed, "updated")) == start + timedelta(days=2)

    got = entries(feed)
    assert len(got) == 3
    assert [text(e, "id") for e in got] == [
        "tag:govcode.example,2024-03-03:reuse-event/3",
        "tag:govcode.example,2024-03-02:reuse-event/2",
        "tag:govcode.example,2024-03-01:reuse-event/1",
    ]
    updated = [datetime.fromisoformat(text(e, "updated")) for e in got]
    assert updated == sorted(updated, reverse=True)
    assert [text(e, "title") for e in got] == [
        f"alberta-health-services/covid-self-assessment: Reused by ontario #{n}" for n in (3, 2, 1)
    ]
    for entry, n in zip(got, (3, 2, 1), strict=True):
        (link,) = entry.findall(f"{ATOM}link")
        assert link.get("href") == f"https://govcode.example/r/ontario-{n}"
        assert link.get("rel") in (None, "alternate")
        category = entry.find(f"{ATOM}category")
        assert category is not None and category.get("term") == KINDS[n % len(KINDS)]
        assert "https://govcode.example/r/1" in text(entry, "summary")


def test_entry_ids_are_stable_across_builds_and_feeds() -> None:
    notices = [make_notice(n, datetime(2024, 1, n, tzinfo=UTC)) for n in range(1, 5)]
    first = [text(e, "id") for e in entries(build(notices))]
    again = [text(e, "id") for e in entries(build(list(reversed(notices))))]
    other_page = build(notices[:2], self_url="https://govcode.example/r/1/reuse.atom")
    assert first == again
    assert len(set(first)) == 4
    assert {text(e, "id") for e in entries(other_page)} <= set(first)


def test_empty_feed_uses_the_given_updated() -> None:
    when = datetime(2024, 7, 1, tzinfo=UTC)
    feed = build([], updated=when)
    assert entries(feed) == []
    assert datetime.fromisoformat(text(feed, "updated")) == when


def test_hostile_names_stay_text_and_control_characters_are_dropped() -> None:
    notice = make_notice(9, datetime(2024, 2, 2, tzinfo=UTC), reuser="<script>x</script>\x01\x1b")
    (entry,) = entries(build([notice]))
    assert text(entry, "title").endswith("Reused by <script>x</script> #9")
    assert entry.find(f"{ATOM}script") is None
