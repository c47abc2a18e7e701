"""News for reusers in words: the e-mail (text and HTML), the webhook body, the feed entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.notify import SourceNotice, encode_body, render_reuse_email

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def notice(**changes: object) -> SourceNotice:
    fields: dict[str, object] = dict(
        event_id=7, kind="source.security_fix", created_at=WHEN,
        repository_name="ontario/covid-check", repository_url="https://govcode.example/repositories/2",
        repository_html_url="https://github.example/ontario/covid-check",
        source_name="ahs/covid-check", source_url="https://govcode.example/repositories/1",
        source_html_url="https://github.example/ahs/covid-check",
        source_agency="Alberta Health Services",
        summary="ahs/covid-check (Alberta Health Services) published v1.2; its notes mention a"
        " security fix (CVE-2026-12345)",
        reuse_kinds=("fork", "dependency"), version_tag="v1.2",
        version_url="https://github.example/ahs/covid-check/releases/tag/v1.2",
        advisories=("CVE-2026-12345",),
    )  # fmt: skip
    fields.update(changes)
    return SourceNotice(**fields)  # type: ignore[arg-type]


def _mail(n: SourceNotice):
    return render_reuse_email(n, to="m@ontario.example", mail_from="govcode <n@govcode.example>",
                              unsubscribe_url=None, key="7-1")  # fmt: skip


def test_a_security_fix_mail_says_what_to_do_and_links_both_repositories():
    message = _mail(notice())
    assert message["Subject"] == (
        "[govcode] ahs/covid-check, which ontario/covid-check reuses: security fix in v1.2"
    )
    assert message["X-Govcode-Event"] == "source.security_fix"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Its release notes mention a security fix: CVE-2026-12345." in text
    assert "reuses ahs/covid-check (Alberta Health Services) (fork, dependency)" in text
    for url in ("https://govcode.example/repositories/1", "https://govcode.example/repositories/2",
                "https://github.example/ahs/covid-check/releases/tag/v1.2"):  # fmt: skip
        assert url in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'href="https://govcode.example/repositories/1"' in html


def test_a_licence_change_in_plain_words_and_in_the_webhook_body():
    summary = "ahs/covid-check changed its licence from MIT to no licence found"
    n = notice(kind="source.licence_changed", version_tag=None, version_url="", advisories=(),
               licence_from="MIT", licence_to=None, summary=summary)  # fmt: skip
    text = _mail(n).get_body(preferencelist=("plain",)).get_content()
    assert "The licence changed from MIT to no licence found." in text
    body = encode_body(n).decode()
    assert '"licence":{"from":"MIT","to":null}' in body and '"version":null' in body
    assert n.link == "https://govcode.example/repositories/1"  # no release: the source


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown source event"):
        notice(kind="source.renamed")
