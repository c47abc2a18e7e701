"""The one table of channels: every entry behind the protocol, looked up by name, and a new
channel needs nothing but its class and its entry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import ClassVar

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from registry.cli.main import app
from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.errors import BadRequest
from registry.models import Subscription
from registry.notify import (
    CHANNELS,
    AtomFeedChannel,
    Channel,
    ChannelKind,
    ConsoleMailer,
    EmailChannel,
    Outgoing,
    SendResult,
    SmtpMailer,
    WebhookChannel,
    channel_kind,
    push_channels,
)
from registry.services import subscriptions
from registry.settings import Settings
from tests.factories import NOW, fork_claim, record, store
from tests.notify.test_webhooks import make_notice
from tests.story_helpers import govcode, settings_env


def test_every_channel_is_declared_once_behind_the_protocol(tmp_path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert set(CHANNELS) == {"email", "webhook", "atom"}
    for name, kind in CHANNELS.items():
        assert kind.name == name
        assert isinstance(kind.cls.from_settings(settings), Channel)
    assert [k.name for k in CHANNELS.values() if k.signed] == ["webhook"]
    assert [k.name for k in CHANNELS.values() if not k.pushes] == ["atom"]


def test_push_channels_follow_the_settings(tmp_path) -> None:
    console = push_channels(Settings(var_dir=tmp_path))
    assert set(console) == {"email", "webhook"}
    assert isinstance(console["email"], EmailChannel)
    assert isinstance(console["email"].mailer, ConsoleMailer)  # development: print mail
    smtp = push_channels(
        Settings(var_dir=tmp_path, smtp_host="mail.example", webhook_timeout=3, webhook_deadline=7)
    )
    assert isinstance(smtp["email"].mailer, SmtpMailer)  # type: ignore[attr-defined]
    hook = smtp["webhook"]
    assert isinstance(hook, WebhookChannel) and (hook.timeout, hook.deadline) == (3, 7)


def test_an_unknown_channel_is_a_clear_error() -> None:
    with pytest.raises(BadRequest, match="known: atom, email, webhook"):
        channel_kind("slack")


def test_the_atom_channel_is_pulled_never_pushed() -> None:
    atom = AtomFeedChannel()
    with pytest.raises(BadRequest, match=r"feed\.atom"):
        atom.validate_address("https://example.org/feed")
    result = atom.send(Outgoing(make_notice(), address="", key="1-1"))
    assert not result.ok and not result.retryable and "pulled" in (result.error or "")
    body = atom.render(
        feed_id="tag:x", title="t", self_url="https://g.example/f.atom",
        alternate_url="https://g.example/", notices=[make_notice()],
    )  # fmt: skip
    feed = ET.fromstring(body)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 1


@dataclass
class Relay:
    """A channel made up for this test: what a Slack or Matrix module would look like."""

    sent: ClassVar[list[Outgoing]] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> Relay:
        return cls()

    @staticmethod
    def validate_address(address: str) -> str:
        if not address.startswith("#"):
            raise BadRequest("a relay room starts with #")
        return address

    def preflight(self, address: str) -> str | None:
        return None

    def send(self, outgoing: Outgoing) -> SendResult:
        Relay.sent.append(outgoing)
        return SendResult(ok=True)

    def close(self) -> None:
        pass


def test_a_new_channel_is_one_class_and_one_table_entry(monkeypatch, settings, engine) -> None:
    monkeypatch.setitem(CHANNELS, "relay", ChannelKind("relay", Relay, "relay room", True, False))
    monkeypatch.setattr(Relay, "sent", [])
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session, pytest.raises(BadRequest):
        subscriptions.subscribe(session, repository_id=repo_id, channel="relay", address="ops")
    with session_scope(engine) as session:
        subscriptions.subscribe(session, repository_id=repo_id, channel="relay", address="#ops")
    target.reuse = [fork_claim("https://github.example/ontario/tool", target)]
    store(engine, target)
    assert deliver_pending(engine, settings, Senders.from_settings(settings), now=NOW) == {
        "delivered": 1, "failed": 0}  # fmt: skip
    (sent,) = Relay.sent
    assert sent.address == "#ops" and sent.notice.kind == "fork"
    assert sent.key.endswith(f"-{_only_subscription(engine).id}")


def _only_subscription(engine) -> Subscription:
    with Session(engine) as session:
        return session.exec(select(Subscription)).one()


def test_the_subscribe_command_takes_any_channel(monkeypatch, settings, engine) -> None:
    store(engine, record("ahs", "tool"))
    s = settings.model_copy(update={"allow_http_hosts": ["127.0.0.1:8025"]})
    out = govcode(
        monkeypatch, s, "subscribe", "ahs/tool", "--to", "email=m@ahs.example",
        "--webhook", "http://127.0.0.1:8025/x", "--secret", "shared-secret",
    )  # fmt: skip
    assert "signing secret" not in out  # the operator chose it
    with Session(engine) as session:
        rows = {(s.channel, s.address, s.secret) for s in session.exec(select(Subscription))}
    assert rows == {
        ("email", "m@ahs.example", None),
        ("webhook", "http://127.0.0.1:8025/x", "shared-secret"),
    }
    listing = govcode(monkeypatch, settings, "notify", "channels")
    assert {line.split(":")[0] for line in listing.splitlines()} == set(CHANNELS)


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--to", "pager=+1555"], "unknown notification channel"),
        (["--to", "email"], "CHANNEL=ADDRESS"),
        (["--to", "atom=https://x.example/f"], "read, not subscribed"),
        (["--webhook", "http://127.0.0.1:9/x"], "URL policy"),
        ([], "at least one address"),
    ],
)
def test_the_subscribe_command_refuses_clearly(monkeypatch, settings, engine, args, why) -> None:
    store(engine, record("ahs", "tool"))
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["subscribe", "ahs/tool", *args])
    assert result.exit_code == 2  # the CLI's one-line answer for a refused request
    assert why in result.output and "Traceback" not in result.output
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []
