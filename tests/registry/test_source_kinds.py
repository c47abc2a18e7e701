"""The table of source kinds is complete: every entry names a forge that exists and can be
built from settings, a locator check, and URL patterns that format."""

from __future__ import annotations

import pytest

from crawlers.base import ForgeBase
from crawlers.context import CrawlContext
from crawlers.forges import forge_class, forge_for
from registry.errors import BadRequest
from registry.services.source_registry import LOCATOR_CHECKS
from registry.source_kinds import KINDS, by_host, canonical_locator, source_kind


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_every_kind_is_complete(kind, settings):
    cls = forge_class(kind)
    assert callable(cls.from_context)
    # A kind that says it forks through the API builds a forge with a person's token; one
    # that does not keeps ForgeBase's refusal.
    refusal = ForgeBase.for_person.__func__
    own = getattr(cls, "for_person", ForgeBase.for_person).__func__ is not refusal
    assert own == kind.has_fork_api
    assert kind.locator_form in LOCATOR_CHECKS
    assert kind.repository_kind in KINDS
    if kind.api_setting:
        assert hasattr(settings, kind.api_setting)
    for pattern in (kind.file_url, kind.raw_url):
        if pattern:
            url = pattern.format(html_url="https://h/o/r", ref="abc", path="docs/a.md")
            assert url.startswith("https://h/o/r/") and url.endswith("abc/docs/a.md")


def test_forge_for_builds_plain_forges_and_refuses_unknown_kinds(settings):
    ctx = CrawlContext.from_settings(settings)
    assert forge_for("git", "", ctx).kind == "git"
    with pytest.raises(BadRequest, match="unknown source kind 'svn'"):
        forge_for("svn", "", ctx)
    with pytest.raises(BadRequest):
        source_kind("github-org")  # the old second name is gone (migration 0003)


def test_lookups():
    assert by_host("GitHub.com") is KINDS["github"] and by_host("example.org") is None
    assert canonical_locator(KINDS["github"], "AlbertaHealth") == "albertahealth"
    assert canonical_locator(KINDS["git"], "https://h/A") == "https://h/A"
