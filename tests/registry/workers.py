"""Delivery workers as real processes (`govcode notify deliver --watch`), for the tests that
kill them, run two at once, or restart the database under them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from registry.db import session_scope
from registry.services import subscriptions
from tests.factories import fork_claim, record, store

PROJECT = Path(__file__).resolve().parents[2]

# Small timings so a test sees retries and lease take-overs in seconds; the lease must
# outlast the longest send (the settings refuse it otherwise).
FAST = {
    "GOVCODE_WEBHOOK_TIMEOUT": "3",
    "GOVCODE_WEBHOOK_DEADLINE": "4",
    "GOVCODE_SMTP_TIMEOUT": "3",
    "GOVCODE_SMTP_DEADLINE": "4",
    "GOVCODE_DELIVERY_LEASE_SECONDS": "5",
    "GOVCODE_DELIVERY_BACKOFF_BASE_SECONDS": "0.2",
    "GOVCODE_DELIVERY_BACKOFF_MAX_SECONDS": "1",
    "GOVCODE_DELIVERY_MAX_ATTEMPTS": "12",
}


def worker_env(database_url: str, var_dir: Path, hook_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCODE_")}
    env.update(FAST)
    env.update(
        GOVCODE_ENVIRONMENT="test",
        GOVCODE_DATABASE_URL=database_url,
        GOVCODE_VAR_DIR=str(var_dir),
        GOVCODE_ALLOW_HTTP_HOSTS=json.dumps([hook_url.split("/")[2]]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


DELIVERY_LOOP = ("notify", "deliver", "--watch", "--interval", "0.1")
HUEY_CONSUMER = ("worker", "--workers", "1")


class Worker:
    """One `govcode notify deliver --watch` process (or ``command``, e.g. the Huey
    consumer `govcode worker`); its output goes to a file."""

    def __init__(
        self, env: dict[str, str], log: Path, command: tuple[str, ...] = DELIVERY_LOOP
    ) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "registry.cli.main", *command],
                env=env, cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL: no clean-up, no chance to record anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout}s")
        time.sleep(0.05)


def reused_repository(engine, hook_url: str, secret: str, *, reusers: int) -> set[str]:  # type: ignore[no-untyped-def]
    """A repository with a webhook subscription, reused ``reusers`` times: the delivery
    ids (``X-Govcode-Delivery``) the receiver must end up with, one per event."""
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        sub = subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook", address=hook_url, secret=secret
        )
        sub_id = sub.id
    target.reuse = [
        fork_claim(f"https://github.example/ontario-{n}/tool", target) for n in range(reusers)
    ]
    events = store(engine, target).event_ids
    assert len(events) == reusers
    return {f"{event_id}-{sub_id}" for event_id in events}
