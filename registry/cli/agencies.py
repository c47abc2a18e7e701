"""govcode agencies: list and add agencies."""

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
    country: str | None = typer.Option(None, help="ISO 3166-1 alpha-2"),
    homepage: str | None = None,
    dry_run: bool = typer.Option(False, "--dry-run"),
) -> None:
    """Add (or update) an agency."""
    from registry.db import session_scope
    from registry.services import agencies

    slug = agencies.slugify(name)
    if dry_run:
        console.print(f"would add {slug}")
        return
    with engine(settings()) as eng, session_scope(eng) as session:
        agencies.ensure_agency(session, slug=slug, name=name, country=country, homepage=homepage)
    console.print(f"agency {slug}")
