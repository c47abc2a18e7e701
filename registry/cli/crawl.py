"""govcode crawl: crawl a GitHub organisation, a GitLab group, a git URL or a list of them."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, fail_line, say, settings
from registry.source_kinds import GIT, GIT_LIST, GITHUB, GITLAB

app = typer.Typer(
    help="Crawl sources (inline, or queued for `govcode worker`).", no_args_is_help=True
)

AGENCY = typer.Option(None, "--agency", help="agency name (default: the owner)")
QUEUE = typer.Option(False, "--queue", help="enqueue for a worker instead of crawling here")
DRY = typer.Option(False, "--dry-run", help="register nothing, crawl nothing: say what would run")
FULL = typer.Option(
    False, "--full", help="fetch and analyse every repository, even those the forge shows unchanged"
)


def _register(kind: str, locator: str, api_url: str, agency: str | None, dry_run: bool) -> int:
    from registry.db import session_scope
    from registry.services import agencies

    name = agency or locator
    if dry_run:
        console.print(f"would crawl {kind} {locator!r} ({api_url or 'git'}) for agency {name!r}")
        raise typer.Exit(0)
    s = settings()
    with engine(s) as eng, session_scope(eng) as session:
        slug = agencies.slugify(name)
        # Without --agency, an agency that exists keeps the name it has (never the locator).
        a = agencies.find_agency(session, slug) if agency is None else None
        a = a or agencies.ensure_agency(session, slug=slug, name=name)
        return agencies.ensure_source(
            session, agency=a, kind=kind, locator=locator, api_url=api_url
        ).id  # type: ignore[return-value]


def _run(source_id: int, queue: bool, full: bool = False) -> None:
    _run_many([source_id], queue, full)


def _run_many(source_ids: list[int], queue: bool, full: bool) -> None:
    """Crawl the sources here (one progress bar, one summary) or hand them to a worker.

    Each failure is one line on stderr; any failure makes the exit status 1."""
    from crawlers.tasks import register, run_crawl
    from registry.queue import make_huey

    s = settings()
    if queue:
        tasks = register(make_huey(s), s)
        for source_id in source_ids:
            tasks.crawl_source(source_id, full)
            say(f"queued crawl of source {source_id}")
        say("run `govcode worker` to process the queue")
        return
    from registry.cli.progress import crawl_progress, summary_table

    summaries = []
    with crawl_progress(console) as progress:
        for source_id in source_ids:
            summaries.append(run_crawl(s, source_id, progress=progress, full=full))
    console.print(summary_table(summaries))
    failed = False
    for summary in summaries:
        for error in summary.errors:
            fail_line(error["repository"], error["error"])
        if summary.status != "finished":
            fail_line(f"source {summary.source_id} ({summary.status})", summary.message)
        failed = failed or bool(summary.errors) or summary.status != "finished"
    if failed:
        raise typer.Exit(1)


@app.command()
def github(
    org: str = typer.Argument(..., help="organisation or user login"),
    api_url: str = typer.Option("", help="API base (default: GOVCODE_GITHUB_API_URL)"),
    agency: str | None = AGENCY,
    queue: bool = QUEUE,
    dry_run: bool = DRY,
    full: bool = FULL,
) -> None:
    """Crawl every public repository of a GitHub organisation or user."""
    source_id = _register(GITHUB.name, org, api_url or settings().github_api_url, agency, dry_run)
    _run(source_id, queue, full)


@app.command()
def gitlab(
    group: str = typer.Argument(..., help="group full path (subgroups included) or user"),
    url: str = typer.Option("", help="instance URL (default: GOVCODE_GITLAB_URL)"),
    agency: str | None = AGENCY,
    queue: bool = QUEUE,
    dry_run: bool = DRY,
    full: bool = FULL,
) -> None:
    """Crawl every public project of a GitLab group and its subgroups."""
    source_id = _register(GITLAB.name, group, url or settings().gitlab_url, agency, dry_run)
    _run(source_id, queue, full)


@app.command()
def git(
    url: str = typer.Argument(..., help="https URL of a git repository"),
    agency: str = typer.Option(..., "--agency", help="the agency that publishes it"),
    queue: bool = QUEUE,
    dry_run: bool = DRY,
) -> None:
    """Crawl one git repository by URL (any host; no API needed)."""
    from registry.urlpolicy import check_git_url

    check_git_url(url, allow_http_hosts=settings().allow_http_hosts)
    _run(_register(GIT.name, url, "", agency, dry_run), queue)


@app.command("list")
def list_(
    url: str = typer.Argument(..., help="https URL of a JSON or YAML list of git URLs"),
    agency: str = typer.Option(..., "--agency", help="the agency that publishes them"),
    queue: bool = QUEUE,
    dry_run: bool = DRY,
) -> None:
    """Crawl every git URL a published list names (for hosts with no API we support)."""
    from registry.urlpolicy import check_url

    check_url(url, allow_http_hosts=settings().allow_http_hosts)
    _run(_register(GIT_LIST.name, url, "", agency, dry_run), queue)


@app.command()
def source(source_id: int, queue: bool = QUEUE, dry_run: bool = DRY, full: bool = FULL) -> None:
    """Crawl a registered source again by its id."""
    if dry_run:
        _say_would_crawl([source_id], queue)
        return
    _run(source_id, queue, full)


@app.command("all")
def all_(queue: bool = QUEUE, dry_run: bool = DRY, full: bool = FULL) -> None:
    """Crawl every registered source, one after the other (or queue them all)."""
    from sqlmodel import Session

    from registry.services.removal import source_ids

    with engine(settings(), dry_run=dry_run) as eng, Session(eng) as session:
        ids = source_ids(session)
    if not ids:
        say("no sources to crawl (add one with `govcode crawl …` or `govcode import …`)")
        return
    if dry_run:
        _say_would_crawl(ids, queue)
        return
    _run_many(ids, queue, full)


def _say_would_crawl(source_ids: list[int], queue: bool) -> None:
    from sqlmodel import Session

    from registry.services.agencies import get_source
    from registry.services.removal import agency_of

    how = "queue" if queue else "crawl"
    with engine(settings(), dry_run=True) as eng, Session(eng) as session:
        for source_id in source_ids:
            src = get_source(session, source_id)
            agency = agency_of(session, src)
            where = src.api_url or "git"
            say(f"would {how} source {source_id}: {src.kind} {src.locator!r} ({where}) "
                f"for agency {agency.slug!r}")  # fmt: skip
