"""govcode subscribe / govcode notify: who hears about reuse, and delivering it."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings

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
    from registry.services import repositories, subscriptions

    wanted = [_pair(item) for item in to]
    wanted += [("email", email)] if email else []
    wanted += [("webhook", webhook)] if webhook else []
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
) -> None:
    """Dispatch pending events and send every due delivery now."""
    from registry.delivery import Senders, deliver_pending

    s = settings()
    if dry_run:
        _say_would_deliver(s)
        return
    with engine(s) as eng, Senders.from_settings(s) as senders:
        counts = deliver_pending(eng, s, senders)
    console.print(f"delivered {counts['delivered']}, failed {counts['failed']}")


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
