"""The one table of notification channels.

Every channel is declared here once: its name, its class (behind ``base.Channel``) and
what it can do. Services, the delivery pass, the CLI and the pages look channels up here
and never compare bare names: they read a capability, or name a channel by its constant
(``EMAIL``, ``WEBHOOK``, ``ATOM``) where one has its own rules (e-mail goes to an account's
address, which its owner confirms). Adding a channel (Slack, Matrix…) is one new module with
its class plus one entry below.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import BadRequest
from registry.i18n import N_
from registry.notify.base import Channel
from registry.notify.feeds import AtomFeedChannel
from registry.notify.mail import EmailChannel
from registry.notify.webhooks import WebhookChannel
from registry.settings import Settings


@dataclass(frozen=True)
class ChannelKind:
    name: str
    cls: type[Channel]
    title: str  # marked for translation: shown through gettext in the reader's language
    pushes: bool  # False: a pull channel that readers fetch (no subscriptions, no deliveries)
    signed: bool  # each subscription carries a secret that signs what is sent
    choice: str = ""  # how the subscription form offers it (its title where empty)
    digests: bool = False  # may come once a day as a digest instead of at once
    url_address: bool = False  # its address is a URL: the URL policy passes it first


# ``title`` and ``choice`` are interface text: web/labels.py lists them for the catalogue.
EMAIL = ChannelKind(
    "email", EmailChannel, "e-mail", pushes=True, signed=False, choice="By e-mail", digests=True
)
WEBHOOK = ChannelKind(
    "webhook", WebhookChannel, "signed webhook", pushes=True, signed=True,
    choice="By signed webhook (the secret is shown once)", url_address=True,
)  # fmt: skip
ATOM = ChannelKind(
    "atom", AtomFeedChannel, "Atom feed", pushes=False, signed=False,
    choice="By a private Atom feed",
)  # fmt: skip

CHANNELS: dict[str, ChannelKind] = {kind.name: kind for kind in (EMAIL, WEBHOOK, ATOM)}


def channel_kind(name: str) -> ChannelKind:
    """The declared channel called ``name``; ``BadRequest`` listing the known ones."""
    try:
        return CHANNELS[name]
    except KeyError:
        known = ", ".join(sorted(CHANNELS))
        raise BadRequest(
            N_("unknown notification channel %(name)r (known: %(known)s)"), name=name, known=known
        ) from None


def subscribable() -> list[ChannelKind]:
    """The channels people subscribe to (those that push)."""
    return [kind for kind in CHANNELS.values() if kind.pushes]


def push_channels(settings: Settings) -> dict[str, Channel]:
    """One instance of every pushing channel, as the settings configure it."""
    return {kind.name: kind.cls.from_settings(settings) for kind in subscribable()}
