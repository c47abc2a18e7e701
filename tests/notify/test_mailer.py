"""Mail: a real SMTP round trip through aiosmtpd, escaping, failures and the factory."""

from __future__ import annotations

import io
import socket
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from registry.notify import (
    ConsoleMailer,
    DeliveryError,
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
            render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=unsubscribe)
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
            render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=None)
        )
        (received,) = mail.wait_for(1)
        assert mail.envelopes[0][1] == [TO]
    assert received["Bcc"] is None
    assert received["Subject"].endswith("reused by x/y Bcc: victim@example.org body")
    assert received["List-Unsubscribe"] is None


def test_html_links_only_to_http_urls() -> None:
    notice = make_notice(reuser_url="javascript:alert(1)")
    message = render_reuse_email(notice, to=TO, mail_from=MAIL_FROM, unsubscribe_url=None)
    _, html = parts(message)
    assert "javascript:" not in html
    assert 'href="#"' in html


def test_refused_recipient_is_a_permanent_delivery_error() -> None:
    with MailReceiver(refuse={TO: "550 5.1.1 no such mailbox"}) as mail:
        mailer = SmtpMailer(mail.host, mail.port, timeout=5)
        message = render_reuse_email(
            make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None
        )
        with pytest.raises(DeliveryError) as caught:
            mailer.send(message)
        assert mail.messages == []
    assert caught.value.retryable is False
    assert "550" in str(caught.value)


def test_temporary_refusal_is_retryable() -> None:
    with MailReceiver(refuse={TO: "451 4.3.0 try later"}) as mail:
        message = render_reuse_email(
            make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None
        )
        with pytest.raises(DeliveryError) as caught:
            SmtpMailer(mail.host, mail.port, timeout=5).send(message)
    assert caught.value.retryable is True


def test_unreachable_server_is_a_retryable_delivery_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = render_reuse_email(make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None)
    with pytest.raises(DeliveryError) as caught:
        SmtpMailer("127.0.0.1", port, timeout=2).send(message)
    assert caught.value.retryable is True
    assert caught.value.status_code == 502


def test_console_and_null_mailers() -> None:
    message = render_reuse_email(make_notice(), to=TO, mail_from=MAIL_FROM, unsubscribe_url=None)
    stream = io.StringIO()
    ConsoleMailer(stream).send(message)
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
