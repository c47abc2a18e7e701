"""govcode crawl: crawl a GitHub organisation, a GitLab group, a git URL or a list of them."""

from __future__ import annotations

import typer

from registry.cli.common import console, engine, settings
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
        a = agencies.ensure_agency(session, slug=agencies.slugify(name), name=name)
        return agencies.ensure_source(
            session, agency=a, kind=kind, locator=locator, api_url=api_url
        ).id  # type: ignore[return-value]


def _run(source_id: int, queue: bool, full: bool = False) -> None:
    from crawlers.tasks import register, run_crawl
    from registry.queue import make_huey

    s = settings()
    if queue:
        tasks = register(make_huey(s), s)
        tasks.crawl_source(source_id, full)
        console.print(f"queued crawl of source {source_id}; run `govcode worker` to process it")
        return
    from registry.cli.progress import crawl_progress, summary_table

    with crawl_progress(console) as progress:
        summary = run_crawl(s, source_id, progress=progress, full=full)
    console.print(summary_table(summary))
    if summary.status != "finished":
        console.print(f"[red]{summary.status}[/]: {summary.message}")
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
def source(source_id: int, queue: bool = QUEUE, full: bool = FULL) -> None:
    """Crawl a registered source again by its id."""
    _run(source_id, queue, full)
