"""govcode agencies: list, add and remove agencies."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings

app = typer.Typer(help="Agencies (public bodies).", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """Every agency with its repository count."""
    from rich.table import Table
    from sqlmodel import Session

    from registry.services import agencies

    table = Table("slug", "name", "country", "repositories")
    with engine(settings()) as eng, Session(eng) as session:
        for agency, n in agencies.list_agencies(session):
            table.add_row(agency.slug, agency.name, agency.country or "", str(n))
    console.print(table)


@app.command()
def add(
    name: str,
    country: str | None = typer.Option(
        None, help="ISO 3166-1 alpha-2 code (CA, FR…; any case, stored upper case)"
    ),
    homepage: str | None = None,
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Add (or update) an agency."""
    from registry.db import session_scope
    from registry.services import agencies

    slug = agencies.slugify(name)
    code = agencies.country_code(country)  # a bad code is refused before anything is written
    if dry_run:
        console.print(f"would add {slug}" + (f" ({code})" if code else ""))
        return
    with engine(settings()) as eng, session_scope(eng) as session:
        agencies.ensure_agency(session, slug=slug, name=name, country=code, homepage=homepage)
    console.print(f"agency {slug}")


@app.command()
def remove(
    slug: str = typer.Argument(..., help="the agency's slug (see `govcode agencies list`)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="count what would go, remove nothing"),
) -> None:
    """Remove an agency with its sources, repositories and subscriptions."""
    from sqlmodel import Session

    from registry.cli.sources import report_removal
    from registry.services.removal import remove_agency

    with engine(settings(), dry_run=dry_run) as eng, Session(eng) as session:
        counts = remove_agency(session, slug)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    report_removal(f"agency {slug}", counts, dry_run)
