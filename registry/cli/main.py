"""The ``govcode`` command."""

from __future__ import annotations

import typer

from registry.cli import (
    agencies,
    crawl,
    db,
    demo,
    importers,
    index,
    notify,
    serve,
    users,
    worker,
)

app = typer.Typer(help="govcode: a cross-government code-sharing registry.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(crawl.app, name="crawl")
app.add_typer(index.app, name="index")
app.add_typer(agencies.app, name="agencies")
app.add_typer(importers.app, name="import")
app.add_typer(notify.app, name="notify")
app.add_typer(users.app, name="users")
app.command()(serve.serve)
app.command()(worker.worker)
app.command()(notify.subscribe)
app.command()(demo.demo)


def run() -> None:
    """The console script: our own errors are a clear line on stderr and exit code 2."""
    from registry.errors import GovcodeError

    try:
        app()
    except GovcodeError as exc:
        typer.echo(f"govcode: {exc.title.lower()}: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    run()
