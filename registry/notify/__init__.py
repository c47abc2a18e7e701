"""Notifications: tell maintainers their code was reused, by email, signed webhook and Atom.

Every outside service sits behind a small Protocol (``Mailer``, ``WebhookSender``) with
console/null implementations for development, chosen by settings.
"""

from registry.notify.feeds import reuse_feed
from registry.notify.mailer import (
    ConsoleMailer,
    DeliveryError,
    Mailer,
    NullMailer,
    SmtpMailer,
    mailer_from_settings,
)
from registry.notify.messages import ReuseNotice, render, render_reuse_email
from registry.notify.webhooks import (
    HttpxWebhookSender,
    WebhookResult,
    WebhookSender,
    encode_body,
    sign,
    verify,
)

__all__ = [
    "ConsoleMailer",
    "DeliveryError",
    "HttpxWebhookSender",
    "Mailer",
    "NullMailer",
    "ReuseNotice",
    "SmtpMailer",
    "WebhookResult",
    "WebhookSender",
    "encode_body",
    "mailer_from_settings",
    "render",
    "render_reuse_email",
    "reuse_feed",
    "sign",
    "verify",
]
