"""Notifications: tell maintainers their code was reused, by e-mail, signed webhook and Atom.

Each channel is one class behind ``base.Channel``, declared once in ``channels.CHANNELS``.
Outside services sit behind small Protocols (``Mailer``) with console/null implementations
for development, chosen by settings. Nothing here touches the database.
"""

from registry.notify.base import Channel, Outgoing, SendResult
from registry.notify.channels import (
    CHANNELS,
    ChannelKind,
    channel_kind,
    push_channels,
    subscribable,
)
from registry.notify.feeds import AtomFeedChannel, reuse_feed
from registry.notify.mail import EmailChannel
from registry.notify.mailer import (
    ConsoleMailer,
    Mailer,
    NullMailer,
    SmtpMailer,
    mailer_from_settings,
)
from registry.notify.messages import (
    SOURCE_EVENTS,
    Notice,
    ReuseNotice,
    SourceNotice,
    message_id,
    render,
    render_reuse_email,
)
from registry.notify.webhooks import WebhookChannel, encode_body, sign, verify

__all__ = [
    "CHANNELS",
    "SOURCE_EVENTS",
    "AtomFeedChannel",
    "Channel",
    "ChannelKind",
    "ConsoleMailer",
    "EmailChannel",
    "Mailer",
    "Notice",
    "NullMailer",
    "Outgoing",
    "ReuseNotice",
    "SendResult",
    "SmtpMailer",
    "SourceNotice",
    "WebhookChannel",
    "channel_kind",
    "encode_body",
    "mailer_from_settings",
    "message_id",
    "push_channels",
    "render",
    "render_reuse_email",
    "reuse_feed",
    "sign",
    "subscribable",
    "verify",
]
