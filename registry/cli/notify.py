"""govcode subscribe / govcode notify: who hears about reuse, and delivering it."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings

app = typer.Typer(help="Reuse notifications.", no_args_is_help=True)


def subscribe(
    repository: str = typer.Argument(..., help="repository id, owner/name or URL"),
    email: str | None = typer.Option(None, help="send e-mail to this address"),
    webhook: str | None = typer.Option(None, help="POST signed JSON to this URL"),
    secret: str | None = typer.Option(None, help="webhook signing secret (generated if absent)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check, store nothing"),
) -> None:
    """Subscribe an e-mail address and/or a webhook to a repository's reuse events."""
    from registry.db import session_scope
    from registry.services import repositories, subscriptions
    from registry.urlpolicy import check_url

    s = settings()
    if webhook:
        check_url(webhook, allow_http_hosts=s.allow_http_hosts)
    with engine(s) as eng, session_scope(eng) as session:
        repo = repositories.find(session, repository)
        sub = subscriptions.subscribe(
            session, repository_id=repo.id, email=email, webhook_url=webhook,
            webhook_secret=secret,
        )  # fmt: skip
        if dry_run:
            session.rollback()
            console.print(f"would subscribe to {repo.full_name}")
            return
        console.print(f"subscription {sub.id} to {repo.full_name}")
        if webhook and not secret:
            console.print(f"webhook secret: {sub.webhook_secret}")


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
    with engine(s) as eng:
        counts = deliver_pending(eng, s, Senders.from_settings(s))
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
