"""Mail: a real SMTP round trip through aiosmtpd, escaping, failures and the factory."""

from __future__ import annotations

import io
import socket
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from registry.notify import (
    ConsoleMailer,
    Mailer,
    NullMailer,
    ReuseNotice,
    SmtpMailer,
    mailer_from_settings,
    render_reuse_email,
)
from registry.settings import Settings
from tests.fakes.mail import MailReceiver

HOSTILE = 'Evil <script>alert("x")</script> & Co'
MAIL_FROM = "govcode <noreply@govcode.example>"
TO = "maintainers@ahs.example"
KEY = "42-7"


def make_notice(**changes: object) -> ReuseNotice:
    fields: dict[str, object] = {
        "event_id": 42,
        "kind": "fork",
        "created_at": datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
        "repository_name": "alberta-health-services/covid-self-assessment",
        "repository_url": "https://govcode.example/r/alberta-health-services/covid-self-assessment",
        "repository_html_url": "https://github.com/alberta-health-services/covid-self-assessment",
        "reuser_name": "ontario-digital-service/covid-self-assessment",
        "reuser_url": "https://govcode.example/r/ontario-digital-service/covid-self-assessment",
        "reuser_agency": "Ontario Digital Service",
        "summary": "Forked by Ontario Digital Service",
    }
    fields.update(changes)
    return ReuseNotice(**fields)  # type: ignore[arg-type]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_smtp_round_trip_carries_subject_parts_and_escapes_hostile_names() -> None:
    notice = make_notice(reuser_agency=HOSTILE, summary=f"Forked by {HOSTILE}")
    unsubscribe = "https://govcode.example/subscriptions/7/unsubscribe?t=abc"
    with MailReceiver() as mail:
        SmtpMailer(mail.host, mail.port, timeout=5).send(
            render_reuse_email(
                notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=unsubscribe, key=KEY
            )
        )
        (received,) = mail.wait_for(1)
        assert mail.envelopes[0] == ("noreply@govcode.example", [TO])

    assert received["To"] == TO
    assert received["From"] == MAIL_FROM
    assert received["Subject"] == (
        "[govcode] alberta-health-services/covid-self-assessment reused by "
        "ontario-digital-service/covid-self-assessment"
    )
    assert received["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    text, html = parts(received)
    assert HOSTILE in text  # plain text is shown as text, never interpreted
    assert notice.repository_html_url in text and "2024-05-01 09:30 UTC" in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert f'href="{notice.reuser_url}"' in html
    assert f'href="{unsubscribe}"' in html


def test_untrusted_text_cannot_inject_headers() -> None:
    notice = make_notice(reuser_name="x/y\r\nBcc: victim@example.org\r\n\r\nbody")
    with MailReceiver() as mail:
        SmtpMailer(mail.host, mail.port, timeout=5).send(
            render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY)
        )
        (received,) = mail.wait_for(1)
        assert mail.envelopes[0][1] == [TO]
    assert received["Bcc"] is None
    assert received["Subject"].endswith("reused by x/y Bcc: victim@example.org body")
    assert received["List-Unsubscribe"] is None


def test_html_links_only_to_http_urls() -> None:
    notice = make_notice(reuser_url="javascript:alert(1)")
    message = render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY)
    _, html = parts(message)
    assert "javascript:" not in html
    assert 'href="#"' in html


def test_refused_recipient_is_a_permanent_failure() -> None:
    with MailReceiver(refuse={TO: "550 5.1.1 no such mailbox"}) as mail:
        mailer = SmtpMailer(mail.host, mail.port, timeout=5)
        message = render_reuse_email(
            make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY
        )
        result = mailer.send(message)
        assert mail.messages == []
    assert (result.ok, result.retryable, result.status) == (False, False, None)
    assert result.error is not None and "550" in result.error


def test_temporary_refusal_is_retryable() -> None:
    with MailReceiver(refuse={TO: "451 4.3.0 try later"}) as mail:
        message = render_reuse_email(
            make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY
        )
        result = SmtpMailer(mail.host, mail.port, timeout=5).send(message)
    assert not result.ok and result.retryable is True


def test_unreachable_server_is_a_retryable_result() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = render_reuse_email(
        make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY
    )
    result = SmtpMailer("127.0.0.1", port, timeout=2).send(message)
    assert not result.ok and result.retryable is True
    assert result.error is not None and f"127.0.0.1:{port}" in result.error


def test_console_and_null_mailers() -> None:
    message = render_reuse_email(
        make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None, key=KEY
    )
    stream = io.StringIO()
    assert ConsoleMailer(stream).send(message).ok
    assert f"To: {TO}" in stream.getvalue()
    assert "Forked by Ontario Digital Service" in stream.getvalue()
    null = NullMailer()
    null.send(message)
    assert null.sent == [message]
    assert isinstance(null, Mailer) and isinstance(ConsoleMailer(), Mailer)


def test_mailer_from_settings(tmp_path) -> None:
    assert isinstance(mailer_from_settings(Settings(var_dir=tmp_path, smtp_host="")), ConsoleMailer)
    settings = Settings(
        var_dir=tmp_path,
        smtp_host="mail.example",
        smtp_port=2525,
        smtp_user="u",
        smtp_password="p",
        smtp_starttls=True,
    )
    mailer = mailer_from_settings(settings)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.user, mailer.password, mailer.starttls) == (
        "mail.example",
        2525,
        "u",
        "p",
        True,
    )


def test_notice_refuses_naive_dates_and_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        make_notice(created_at=datetime(2024, 5, 1))
    with pytest.raises(ValueError):
        make_notice(kind="star")


def test_message_id_is_stable_per_delivery_and_distinct_between_deliveries() -> None:
    def mid(key: str, **changes: object) -> str:
        notice = make_notice(**changes)
        message = render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=None,
                                     key=key)  # fmt: skip
        return str(message["Message-ID"])

    first = mid("42-7")
    assert first == mid("42-7", summary="rendered again later, for a retry")
    assert first != mid("42-8") and first != mid("43-7")
    assert first.startswith("<") and first.endswith("@govcode.example>")
    assert mid("42-7\r\nBcc: x@y").count("\n") == 0


@pytest.mark.parametrize(
    "address",
    ["x\r\nBcc: y@z", "a b@c.example", "foo", "@ahs.example", "a@", "a@b@c.example",
     "Maint <m@ahs.example>", "m@ahs.example, other@x.example", "m@localhost", "m@[10.0.0.1]",
     " m@ahs.example", "m@" + "a" * 320 + ".example"],
)  # fmt: skip
def test_unusable_email_addresses_are_refused(address: str) -> None:
    from registry.errors import BadRequest
    from registry.notify import EmailChannel

    with pytest.raises(BadRequest):
        EmailChannel.validate_address(address)


def test_email_address_domain_is_stored_in_lower_case() -> None:
    from registry.notify import EmailChannel

    assert EmailChannel.validate_address("Maintainer@AHS.Example") == "Maintainer@ahs.example"


def test_a_server_that_trickles_its_greeting_is_cut_off_at_the_deadline() -> None:
    """One greeting line every half second: each read is inside the 2-second timeout, so
    only the total deadline stops the hand-over (it would otherwise take 10 s)."""
    import time

    from tests.fakes.slow import SlowSmtpServer

    message = render_reuse_email(make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None,
                                 key=KEY)  # fmt: skip
    with SlowSmtpServer(interval=0.5, lines=20) as slow:
        started = time.monotonic()
        result = SmtpMailer(slow.host, slow.port, timeout=2, deadline=1.5).send(message)
        took = time.monotonic() - started
        assert slow.sent_lines >= 3  # it was trickling, well inside the per-read timeout
    assert took < 2.5
    assert not result.ok and result.retryable
    assert result.error is not None and "1.5s deadline" in result.error


def test_settings_refuse_a_lease_shorter_than_a_send(tmp_path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="DELIVERY_LEASE_SECONDS"):
        Settings(var_dir=tmp_path, delivery_lease_seconds=30, smtp_deadline=60)
