"""What every notification channel is: one Protocol, what it is given, what it answers.

A channel validates the addresses people subscribe with and sends one notice to one
address. Sending never raises for an ordinary failure (a refused recipient, a receiver
that answers 500 or never answers): it returns a ``SendResult`` whose ``retryable`` tells
the delivery pass whether to try again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from registry.notify.messages import Notice

if TYPE_CHECKING:
    from registry.settings import Settings


@dataclass(frozen=True)
class Outgoing:
    """One notice for one subscriber address.

    ``key`` is stable for the delivery across every retry (the e-mail's Message-ID, the
    webhook's ``X-Govcode-Delivery``), so a receiver can recognise a repeat.
    """

    notice: Notice  # ReuseNotice (to the source) or SourceNotice (to a reuser)
    address: str
    key: str
    secret: str | None = None
    unsubscribe_url: str | None = None  # one click, no sign-in (RFC 8058), where it applies
    # While a secret is rotated, the one it replaces stays valid until the overlap ends:
    # signed channels sign with both, the new one first.
    previous_secret: str | None = None

    @property
    def signing_secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.secret, self.previous_secret) if s)

    language: str = "en"  # the subscriber's: what an e-mail is written in


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None  # the receiver's status code, where the channel has one
    error: str | None = None
    retryable: bool = False
    elapsed: float = 0.0

    @property
    def reason(self) -> str:
        """One line for the delivery log: the error, else the status."""
        return self.error or (f"status {self.status}" if self.status is not None else "failed")


@runtime_checkable
class Channel(Protocol):
    """One way of telling maintainers; its kind is declared in ``registry.notify.channels``."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Channel:
        """The production implementation, or the development one the settings choose."""
        ...

    @staticmethod
    def validate_address(address: str) -> str:
        """The address as it will be stored; ``BadRequest`` saying why when it is unusable."""
        ...

    def preflight(self, address: str) -> str | None:
        """Why a send to this (validated) address would be refused right now, or None;
        asked when someone subscribes, so a mistake is told then rather than at delivery."""
        ...

    def send(self, outgoing: Outgoing) -> SendResult:
        """Hand the notice over; report the outcome, never raise for an ordinary failure."""
        ...

    def close(self) -> None:
        """Let go of what ``from_settings`` opened (connection pools); may be a no-op."""
        ...
