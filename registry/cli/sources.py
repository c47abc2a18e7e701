"""govcode sources: the registered sources (forge owners, git URLs, lists) and their runs."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, say, settings

app = typer.Typer(help="Sources (what crawls read) and their last runs.", no_args_is_help=True)


def run_result(run) -> str:  # type: ignore[no-untyped-def]
    """A run in a few words: its status and counts, or why it stopped."""
    if run is None:
        return "never crawled"
    if run.status == "running":
        return "running"
    counts = f"{run.new} new, {run.changed} changed, {run.unchanged} unchanged, {run.failed} failed"
    return f"{run.status} ({counts})" + (f": {run.message}" if run.message else "")


@app.command()
def add(
    kind: str = typer.Argument(..., help="a source kind: see `govcode sources kinds`"),
    locator: str = typer.Argument(..., help="the organisation, group or URL, as the kind says"),
    agency: str = typer.Option(..., "--agency", help="the agency that publishes it"),
    api_url: str = typer.Option("", "--api-url", help="API base (default: the kind's setting)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check it, register nothing"),
) -> None:
    """Register a source of any kind in the table of source kinds (then `crawl source ID`)."""
    from registry.db import session_scope
    from registry.services import agencies, source_registry
    from registry.source_kinds import source_kind

    s = settings()
    found = source_kind(kind)
    locator = source_registry.check_locator(found, locator, s)
    api_url = source_registry.resolve_api_url(found, api_url, s)
    if dry_run:
        say(f"would register {found.name} {locator!r} ({api_url or 'no API'}) for {agency!r}")
        return
    with engine(s) as eng, session_scope(eng) as session:
        owner = agencies.ensure_agency(session, slug=agencies.slugify(agency), name=agency)
        source = agencies.ensure_source(
            session, agency=owner, kind=found.name, locator=locator, api_url=api_url
        )
        say(f"source {source.id}: {found.name} {locator} for {owner.slug}")


@app.command()
def kinds() -> None:
    """The kinds of source govcode can crawl, and how each one's locator is written."""
    from rich.table import Table

    from registry.source_kinds import KINDS

    table = Table("kind", "what", "locator", "forks")
    for kind in KINDS.values():
        table.add_row(kind.name, kind.label, kind.locator, "yes" if kind.has_forks else "no")
    console.print(table)


@app.command("list")
def list_() -> None:
    """Every source with its id, kind, agency, last run and that run's result."""
    from rich.table import Table
    from sqlmodel import Session

    from registry.services.removal import list_sources

    table = Table("id", "kind", "locator", "agency", "last run", "result")
    with engine(settings()) as eng, Session(eng) as session:
        rows = list_sources(session)
    for row in rows:
        run = row.last_run
        when = f"{run.started_at:%Y-%m-%d %H:%M}" if run else ""
        table.add_row(
            str(row.source.id), row.source.kind, row.source.locator, row.agency.slug, when,
            run_result(run),
        )  # fmt: skip
    console.print(table)
    if not rows:
        say("no sources yet (add one with `govcode crawl …` or `govcode import …`)")


@app.command()
def remove(
    source_id: int = typer.Argument(..., help="the source's id (see `govcode sources list`)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="count what would go, remove nothing"),
) -> None:
    """Remove a source with its crawl runs and the repositories it crawled."""
    from sqlmodel import Session

    from registry.services.removal import remove_source

    with engine(settings(), dry_run=dry_run) as eng, Session(eng) as session:
        counts = remove_source(session, source_id)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    report_removal(f"source {source_id}", counts, dry_run)


def report_removal(what: str, counts, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()) if n)
    say(f"{'would remove' if dry_run else 'removed'} {what}: {listed}")
