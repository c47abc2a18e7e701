"""The e-mail channel: each notice's named template (``reuse_detected``, ``source_changed``)
through a ``Mailer`` transport."""

from __future__ import annotations

from email.headerregistry import Address

from registry.errors import BadRequest
from registry.i18n import N_
from registry.notify.base import Outgoing, SendResult
from registry.notify.mailer import Mailer, mailer_from_settings
from registry.notify.messages import render_reuse_email
from registry.settings import Settings

MAX_ADDRESS = 320  # RFC 3696 errata: 64 for the local part, @, 255 for the domain


class EmailChannel:
    """Sends each notice as one message; its delivery key becomes the Message-ID."""

    def __init__(self, mailer: Mailer, *, mail_from: str) -> None:
        self.mailer = mailer
        self.mail_from = mail_from

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel:
        return cls(mailer_from_settings(settings), mail_from=settings.mail_from)

    @staticmethod
    def validate_address(address: str) -> str:
        """One plain ``local@domain`` (no display name, no second recipient, no header
        breaks); the domain is a host name, stored in lower case."""
        if len(address) > MAX_ADDRESS:
            raise BadRequest(
                N_("e-mail address longer than %(limit)s characters"), limit=MAX_ADDRESS
            )
        try:
            parsed = Address(addr_spec=address)
        except Exception:
            raise BadRequest(N_("not an e-mail address: %(address)r"), address=address) from None
        domain = parsed.domain
        if not parsed.username or "." not in domain or domain.startswith("["):
            raise BadRequest(
                N_("not an e-mail address with a host name: %(address)r"), address=address
            )
        if parsed.addr_spec != address:
            raise BadRequest(N_("not one plain e-mail address: %(address)r"), address=address)
        return f"{parsed.addr_spec.rpartition('@')[0]}@{domain.lower()}"

    def preflight(self, address: str) -> str | None:
        return None  # whether a mailbox exists is only known by sending to it

    def close(self) -> None:
        pass  # nothing held open

    def send(self, outgoing: Outgoing) -> SendResult:
        message = render_reuse_email(
            outgoing.notice,
            to=outgoing.address,
            mail_from=self.mail_from,
            unsubscribe_url=outgoing.unsubscribe_url,
            key=outgoing.key,
            language=outgoing.language,
        )
        return self.mailer.send(message)
