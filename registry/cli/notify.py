"""govcode subscribe / govcode notify: who hears about reuse, and delivering it."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, say, settings

app = typer.Typer(help="Reuse notifications.", no_args_is_help=True)


def subscribe(
    repository: str = typer.Argument(..., help="repository id, owner/name or URL"),
    to: list[str] = typer.Option(
        [], "--to", help="CHANNEL=ADDRESS, repeatable (`govcode notify channels` lists them)"
    ),
    email: str | None = typer.Option(None, help="send e-mail to this address (--to email=…)"),
    webhook: str | None = typer.Option(None, help="POST signed JSON here (--to webhook=…)"),
    secret: str | None = typer.Option(None, help="signing secret (generated if absent)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check, store nothing"),
) -> None:
    """Subscribe addresses (e-mail, webhook…) to a repository's reuse events."""
    from registry.db import session_scope
    from registry.errors import BadRequest
    from registry.notify import channel_kind, push_channels
    from registry.notify.channels import EMAIL, WEBHOOK
    from registry.services import repositories, subscriptions

    wanted = [_pair(item) for item in to]
    wanted += [(EMAIL.name, email)] if email else []
    wanted += [(WEBHOOK.name, webhook)] if webhook else []
    if not wanted:
        raise BadRequest("name at least one address: --to CHANNEL=ADDRESS, --email or --webhook")
    s = settings()
    senders = push_channels(s)
    try:
        for name, address in wanted:
            kind = channel_kind(name)
            stored = kind.cls.validate_address(address)
            refusal = senders[name].preflight(stored) if name in senders else None
            if refusal:
                raise BadRequest(f"{kind.title} {address}: {refusal}")
    finally:
        for channel in senders.values():
            channel.close()
    with engine(s) as eng, session_scope(eng) as session:
        repo = repositories.find(session, repository)
        subs = [
            subscriptions.subscribe(
                session,
                repository_id=repo.id,
                channel=name,
                address=address,
                secret=secret if channel_kind(name).signed else None,
            )
            for name, address in wanted
        ]
        if dry_run:
            session.rollback()
            for name, address in wanted:
                console.print(f"would subscribe {name} {address} to {repo.full_name}")
            return
        for sub in subs:
            console.print(f"subscription {sub.id}: {sub.channel} {sub.address} → {repo.full_name}")
            if sub.secret and not secret:
                console.print(f"signing secret: {sub.secret}")


def _pair(item: str) -> tuple[str, str]:
    from registry.errors import BadRequest

    name, sep, address = item.partition("=")
    if not sep or not name or not address:
        raise BadRequest(f"--to takes CHANNEL=ADDRESS, not {item!r}")
    return name.strip().lower(), address


@app.command()
def channels() -> None:
    """List the notification channels and what each does."""
    from registry.notify import CHANNELS

    for kind in CHANNELS.values():
        how = "pushed to subscribers" if kind.pushes else "pulled by readers"
        signed = ", signed" if kind.signed else ""
        console.print(f"{kind.name}: {kind.title} ({how}{signed})")


@app.command()
def deliver(
    dry_run: bool = typer.Option(False, "--dry-run", help="count what is due, send nothing"),
    watch: bool = typer.Option(
        False, "--watch", help="keep delivering until stopped (SIGTERM or Ctrl-C)"
    ),
    interval: float = typer.Option(5.0, help="with --watch: seconds between idle passes"),
) -> None:
    """Dispatch pending events and send every due delivery now (or, with --watch, for ever)."""
    from registry.delivery import Senders, deliver_forever, deliver_pending

    s = settings()
    if dry_run:
        _say_would_deliver(s)
        return
    with engine(s) as eng, Senders.from_settings(s) as senders:
        if not watch:
            counts = deliver_pending(eng, s, senders)
            console.print(f"delivered {counts['delivered']}, failed {counts['failed']}")
            return
        stop = _stop_on_signals()
        say(f"delivering every {interval:g}s until stopped")
        deliver_forever(
            eng, s, senders, interval=interval, stop=stop,
            on_pass=lambda c: say(f"delivered {c['delivered']}, failed {c['failed']}")
            if any(c.values()) else None,
            on_outage=lambda exc: say(
                f"delivery pass stopped by the database ({type(exc.orig).__name__}); "
                "trying again"
            ),
        )  # fmt: skip


def _stop_on_signals():  # type: ignore[no-untyped-def]
    import signal
    import threading

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@app.command("rotate-secret")
def rotate_secret(
    subscription_id: int = typer.Argument(..., help="the subscription's id"),
    overlap_hours: float | None = typer.Option(
        None,
        help="hours the old secret stays valid too (default GOVCODE_WEBHOOK_SECRET_OVERLAP_HOURS)",
    ),
    secret: str | None = typer.Option(None, help="the new secret (generated if absent)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check, change nothing"),
) -> None:
    """Give a signed subscription (a webhook) a new secret; the old one stays valid for the
    overlap, and everything sent meanwhile is signed with both."""
    from datetime import UTC, datetime

    from registry.db import session_scope
    from registry.errors import NotFound
    from registry.models import Subscription
    from registry.services import subscriptions

    s = settings()
    hours = s.webhook_secret_overlap_hours if overlap_hours is None else overlap_hours
    with engine(s, dry_run=dry_run) as eng, session_scope(eng) as session:
        sub = session.get(Subscription, subscription_id)
        if sub is None:
            raise NotFound(f"no subscription {subscription_id}")
        turn = subscriptions.rotate_secret(
            session, sub, now=datetime.now(UTC), overlap_hours=hours, secret=secret
        )
        if dry_run:
            session.rollback()
            say(f"would give subscription {subscription_id} a new secret")
            return
        say(f"subscription {subscription_id}: new signing secret: {turn.secret}")
        if turn.previous_valid_until is not None:
            say(f"the previous secret stays valid until {turn.previous_valid_until.isoformat()}")
        else:
            say("the previous secret is no longer valid")


@app.command()
def resume(
    subscription_id: int = typer.Argument(..., help="the subscription's id"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check, change nothing"),
) -> None:
    """Resume a paused subscription; the notices that waited for it go out."""
    from datetime import UTC, datetime

    from registry.db import session_scope
    from registry.errors import NotFound
    from registry.models import Subscription
    from registry.services import subscriptions

    s = settings()
    with engine(s, dry_run=dry_run) as eng, session_scope(eng) as session:
        sub = session.get(Subscription, subscription_id)
        if sub is None:
            raise NotFound(f"no subscription {subscription_id}")
        subscriptions.resume(session, sub, now=datetime.now(UTC))
        if dry_run:
            session.rollback()
            say(f"would resume subscription {subscription_id}")
            return
    say(f"subscription {subscription_id} is active")


@app.command("log")
def delivery_log(
    subscription_id: int = typer.Argument(..., help="the subscription's id"),
    limit: int = typer.Option(20, help="deliveries to show, newest first"),
    status: str | None = typer.Option(None, help="only pending, delivered or failed ones"),
) -> None:
    """A subscription's delivery log: each delivery with every attempt."""
    from sqlmodel import Session

    from registry.errors import NotFound
    from registry.models import Subscription
    from registry.services import deliveries

    s = settings()
    with engine(s, dry_run=True) as eng, Session(eng) as session:
        sub = session.get(Subscription, subscription_id)
        if sub is None:
            raise NotFound(f"no subscription {subscription_id}")
        state = "active" if sub.active else ("paused" if sub.paused_at else "stopped")
        say(f"subscription {subscription_id}: {sub.channel} {sub.address} ({state})")
        if sub.paused_reason:
            say(f"paused: {sub.paused_reason}")
        rows = deliveries.log(session, subscription_id=subscription_id, limit=limit, status=status)
    for d in rows[:limit]:
        say(f"delivery {d.id} ({d.key}) {d.event_kind}: {d.status}")
        for a in d.history:
            answer = str(a.status_code) if a.status_code else "no answer"
            note = " redelivery" if a.redelivery else ""
            error = f": {a.error}" if a.error else ""
            say(f"  {a.attempted_at.isoformat()} {answer} {a.latency_ms} ms{note}{error}")


@app.command()
def redeliver(
    subscription_id: int = typer.Argument(..., help="the subscription's id"),
    delivery_id: int = typer.Argument(..., help="the delivery's id (`govcode notify log`)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check, change nothing"),
) -> None:
    """Send one delivery again, with the same delivery id, at the next delivery pass."""
    from datetime import UTC, datetime

    from registry.db import session_scope
    from registry.services import deliveries

    s = settings()
    with engine(s, dry_run=dry_run) as eng, session_scope(eng) as session:
        deliveries.redeliver(
            session, subscription_id=subscription_id, delivery_id=delivery_id,
            now=datetime.now(UTC),
        )  # fmt: skip
        if dry_run:
            session.rollback()
            say(f"would redeliver delivery {delivery_id}")
            return
    say(f"delivery {delivery_id} will be sent again at the next pass (`govcode notify deliver`)")


def _say_would_deliver(s) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlmodel import Session

    from registry.services import deliveries

    with engine(s, dry_run=True) as eng, Session(eng) as session:
        events = len(deliveries.undispatched(session))
        due = len(deliveries.due(session, now=datetime.now(UTC)))
    console.print(
        f"would dispatch {events} new events to their subscribers and send {due} due deliveries"
    )
