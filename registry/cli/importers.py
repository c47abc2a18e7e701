"""govcode import: agencies and sources from inventories (files or https URLs).

Each command reads and parses first (no database), then imports in one transaction and
prints what changed; ``--dry-run`` runs the same import and rolls it back, so its counts
are exactly what a real run would do.
"""

from __future__ import annotations

from pathlib import Path

import typer

from registry.cli.common import console, engine, say, settings

app = typer.Typer(help="Import agencies and sources from inventories.", no_args_is_help=True)

DRY = typer.Option(False, "--dry-run", help="read and count, write nothing")
LOCATION = typer.Argument(..., help="a local file or an https URL")
MAX_SHOWN = 20


def _store(what: str, agencies, problems, dry_run: bool, texts=None) -> None:  # type: ignore[no-untyped-def]
    """Import parsed entries, commit (or roll back), print the summary table.

    ``texts``: ``(inventory, releases, complete)`` whose names and descriptions are stored in the
    same transaction (the inventory's whole list: see ``services.inventory_texts``)."""
    from sqlmodel import Session

    from registry.models._types import utcnow
    from registry.services.inventories import import_agencies
    from registry.services.inventory_texts import replace_all

    s = settings()
    with engine(s) as eng, Session(eng) as session:
        report = import_agencies(session, agencies, settings=s)
        if texts is not None:
            inventory, releases, complete = texts
            told = replace_all(session, inventory=inventory, releases=releases, now=utcnow(),
                               complete=complete)  # fmt: skip
        if dry_run:
            session.rollback()
        else:
            session.commit()
    report.problems[:0] = list(problems)
    _print(what, report, dry_run)
    if texts is not None:
        say(
            f"release names and descriptions: {told.new} new, {told.updated} updated, "
            f"{told.removed} removed, {told.unchanged} unchanged, {told.skipped} without a "
            "repository URL or text"
            + (f"; {told.kept} kept (the inventory was read in part)" if told.kept else "")
        )


def _print(what: str, report, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    from rich.markup import escape
    from rich.table import Table

    title = f"import {what}" + (" (dry run: nothing written)" if dry_run else "")
    table = Table(title=title)
    columns = ("agencies new", "agencies updated", "sources new", "sources existing", "problems")
    for column in columns:
        table.add_column(column, justify="right")
    counts = (report.agencies_new, report.agencies_updated, report.sources_new)
    table.add_row(*map(str, (*counts, report.sources_existing, len(report.problems))))
    console.print(table)
    for problem in report.problems[:MAX_SHOWN]:
        console.print(f"[yellow]problem[/]: {escape(problem)}", highlight=False, emoji=False)
    if len(report.problems) > MAX_SHOWN:
        console.print(f"… and {len(report.problems) - MAX_SHOWN} more problems")


@app.command()
def governments(location: str = LOCATION, dry_run: bool = DRY) -> None:
    """government.github.com's governments.yml (or a list in its format)."""
    from crawlers.inventories import parse_governments_yml
    from crawlers.inventories.fetch import read_inventory

    found = parse_governments_yml(read_inventory(location, settings()))
    _store("governments", found.agencies, found.problems, dry_run)


@app.command("code-json")
def code_json(
    locations: list[str] = typer.Argument(..., help="code.json files or https URLs"),
    dry_run: bool = DRY,
) -> None:
    """US code.json inventories (agency indexes), one or many.

    An unreadable one is a problem and the rest are imported; copies of one agency's
    inventory make one agency."""
    from crawlers.inventories import merge_agencies, parse_code_json_index
    from crawlers.inventories.fetch import read_inventory
    from registry.errors import GovcodeError

    entries, problems = [], []
    for location in locations:
        url = location if "://" in location else None
        try:
            found = parse_code_json_index(read_inventory(location, settings()), url=url)
        except GovcodeError as exc:
            problems.append(f"{location}: {exc}")
            continue
        entries.extend(found.agencies)
        problems.extend(f"{location}: {p}" for p in found.problems)
    _store("code.json", merge_agencies(entries), problems, dry_run)


@app.command("code-gov-agencies")
def code_gov_agencies(location: str = LOCATION, dry_run: bool = DRY) -> None:
    """code.gov's agency_metadata.json: agencies with the URLs of their code.json."""
    from crawlers.inventories import parse_code_gov_agencies
    from crawlers.inventories.fetch import read_inventory

    found = parse_code_gov_agencies(read_inventory(location, settings()))
    _store("code.gov agencies", found.agencies, found.problems, dry_run)


@app.command()
def ore(
    folder: Path = typer.Argument(..., help="the ORE `_data` folder", file_okay=False),
    dry_run: bool = DRY,
) -> None:
    """Canada's Open Resource Exchange (ORE) administrations and release owners.

    Agency names, and each release's name and description, are kept in English and French;
    the folder is the whole inventory (releases no longer in it lose their texts, unless
    a release file was skipped or none was found: then nothing is removed)."""
    from crawlers.inventories import parse_ore
    from crawlers.inventories.fetch import read_inventory
    from registry.services.inventory_texts import ORE

    root = folder / "_data" if (folder / "_data").is_dir() else folder
    s = settings()

    def read(pattern: str) -> list[tuple[str, bytes]]:
        paths = sorted(root.glob(pattern))
        return [(p.relative_to(root).as_posix(), read_inventory(str(p), s)) for p in paths]

    provinces = root / "i18n" / "provinces.yml"
    found = parse_ore(
        read("administrations/*.yml"),
        read("code/*/*.yml"),
        read_inventory(str(provinces), s) if provinces.is_file() else None,
    )
    _store(
        "ORE", found.agencies, found.problems, dry_run, texts=(ORE, found.releases, found.complete)
    )


@app.command("publiccode-list")
def publiccode_list(location: str = LOCATION, dry_run: bool = DRY) -> None:
    """A list of publiccode.yml URLs (one a line, or JSON/YAML).

    Each file's organisation becomes an agency and its repository a git source; files
    that cannot be fetched or read are problems."""
    from crawlers.inventories import parse_publiccode_url_list
    from crawlers.inventories.fetch import (
        inventory_client,
        read_inventory,
        read_publiccode_list,
        url_fetcher,
    )

    s = settings()
    urls = parse_publiccode_url_list(read_inventory(location, s))
    with inventory_client(s) as client:
        fetch = url_fetcher(s, client)
        found = read_publiccode_list(urls, fetch, max_urls=s.inventory_max_urls)
    _store("publiccode.yml list", found.agencies, found.problems, dry_run)
