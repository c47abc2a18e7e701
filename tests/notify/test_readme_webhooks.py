"""The README's "Verifying govcode's webhooks" snippet, run as written against a real
signed request that the webhook channel sent to a receiver on loopback."""

from __future__ import annotations

import re
import time
from pathlib import Path

from registry.notify import Outgoing, WebhookChannel
from tests.fakes.webhooks import WebhookReceiver
from tests.notify.test_webhooks import make_notice

README = Path(__file__).resolve().parents[2] / "README.md"


def _snippet() -> dict:
    text = README.read_text()
    section = text[text.index("#### Verifying govcode's webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "the README's verification section has no Python snippet"
    namespace: dict = {}
    exec(compile(code.group(1), "README.md", "exec"), namespace)  # our own README, as written
    return namespace


def test_the_readme_snippet_verifies_a_real_request_and_refuses_forgeries_and_replays():
    verify_govcode = _snippet()["verify_govcode"]
    with WebhookReceiver("new-secret-for-readme") as hook:
        channel = WebhookChannel(timeout=5.0, allow_http_hosts=["127.0.0.1"])
        with channel:
            sent = channel.send(
                Outgoing(make_notice(), address=hook.url, key="42-7",
                         secret="new-secret-for-readme", previous_secret="old-secret")
            )  # fmt: skip
        assert sent.ok
        (got,) = hook.wait_for(1)
    header = got.headers["x-govcode-signature"]
    assert verify_govcode(["new-secret-for-readme"], got.body, header)
    assert verify_govcode(["old-secret"], got.body, header)  # during a rotation
    assert verify_govcode(["unrelated", "old-secret"], got.body, header)
    assert not verify_govcode(["wrong"], got.body, header)
    assert not verify_govcode(["new-secret-for-readme"], got.body + b" ", header)
    assert not verify_govcode(["new-secret-for-readme"], got.body, None)
    assert not verify_govcode(["new-secret-for-readme"], got.body, header.split(",", 1)[1])
    stamp = int(header.split(",")[0].removeprefix("t="))
    assert abs(stamp - time.time()) < 120
    assert not verify_govcode(["new-secret-for-readme"], got.body, header, now=stamp + 301)
    assert not verify_govcode(["new-secret-for-readme"], got.body, header, now=stamp - 301)
    forged = header.replace(f"t={stamp}", f"t={stamp + 60}")  # a replay with a new time
    assert not verify_govcode(["new-secret-for-readme"], got.body, forged)
    assert got.headers["x-govcode-delivery"] == "42-7"
