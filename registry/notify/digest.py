"""The daily digest: one e-mail per address listing the reuse events of everything it
follows at a daily pace, with one-click unsubscribe (RFC 8058) for all of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime

from registry.models._types import utcnow
from registry.notify.messages import REUSE_EVENT, ReuseNotice, message_id, one_line, render


def render_digest(
    notices: Sequence[ReuseNotice],
    *,
    to: str,
    mail_from: str,
    day: date,
    follows: Sequence[tuple[str, str]],
    unsubscribe_url: str,
    manage_url: str,
    language: str = "en",
) -> EmailMessage:
    """``follows``: (what is followed, its own unsubscribe link) for each subscription. The
    Message-ID names the address and the day, so a repeated pass is recognisable. Written in
    ``language``; the English summaries of the notices appear only in English."""
    ordered = sorted(notices, key=lambda n: (n.created_at, n.event_id))
    rendered = render(
        "reuse_digest", language=language, notices=ordered, day=day.isoformat(), follows=follows,
        unsubscribe_url=unsubscribe_url, manage_url=manage_url,
    )  # fmt: skip
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id(f"digest.{day.isoformat()}.{to}", mail_from=mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Govcode-Event"] = REUSE_EVENT
    message["List-Unsubscribe"] = f"<{one_line(unsubscribe_url)}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = language  # after the content: setting it clears Content-*
    return message
