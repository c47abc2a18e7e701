"""Account messages (confirm an address, reset a password, an agency reviewed) as named
templates."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from babel import numbers

from registry import i18n
from registry.models._types import utcnow
from registry.notify import pause_reason
from registry.notify.messages import render


def _message(
    template: str, *, to: str, mail_from: str, language: str = "en", **context: object
) -> EmailMessage:
    rendered = render(template, language=language, **context)
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(idstring=template, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = language  # after the content: setting it clears Content-*
    return message


def confirm_email(
    *, to: str, name: str, link: str, max_age: int, mail_from: str, language: str = "en"
) -> EmailMessage:
    return _message(
        "account_confirm", to=to, mail_from=mail_from, language=language, person=name, link=link,
        hours=max(1, max_age // 3600),
    )  # fmt: skip


def reset_password(
    *, to: str, name: str, link: str, max_age: int, mail_from: str, language: str = "en"
) -> EmailMessage:
    return _message(
        "account_reset", to=to, mail_from=mail_from, language=language, person=name, link=link,
        minutes=max(1, max_age // 60),
    )  # fmt: skip


def agency_reviewed(
    *, to: str, agency: str, approved: bool, reason: str, link: str, mail_from: str
) -> EmailMessage:
    return _message(
        "agency_reviewed", to=to, mail_from=mail_from, agency=agency, approved=approved,
        reason=reason, link=link,
    )  # fmt: skip


def subscription_paused(
    *,
    to: str,
    channel: str,
    what: str,
    address: str,
    reason: str,
    link: str,
    mail_from: str,
    language: str = "en",
) -> EmailMessage:
    """``channel`` is the channel's title and ``reason`` the stored pause sentence, both in
    English: said here in ``language``."""
    words = i18n.translations(language)
    reason = pause_reason.in_words(
        reason, gettext=words.gettext, number=lambda n: numbers.format_decimal(n, locale=language)
    )
    return _message(
        "subscription_paused", to=to, mail_from=mail_from, language=language,
        channel=words.gettext(channel), what=what, address=address, reason=reason, link=link,
    )  # fmt: skip


def subscription_confirm(
    *,
    to: str,
    follows: str,
    link: str,
    days: int,
    mail_from: str,
    listed_in: str | None = None,
    by: str | None = None,
    language: str = "en",
) -> EmailMessage:
    """Someone else added ``to`` to a subscription: ``listed_in`` names the repository whose
    publiccode.yml lists the address, else ``by`` the person who added it (None: unknown).
    Nothing is sent to it until its owner agrees."""
    return _message(
        "subscription_confirm", to=to, mail_from=mail_from, language=language,
        listed_in=listed_in, by=by, follows=follows, address=to, link=link, days=days,
    )  # fmt: skip
