"""The ``govcode`` command."""

from __future__ import annotations

import logging

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
    sources,
    users,
    worker,
)
from registry.cli.common import configure_console
from registry.cli.errors import GovcodeGroup

app = typer.Typer(
    cls=GovcodeGroup,
    help="govcode: a cross-government code-sharing registry.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # --debug tracebacks must not print tokens
)
app.add_typer(db.app, name="db")
app.add_typer(crawl.app, name="crawl")
app.add_typer(index.app, name="index")
app.add_typer(agencies.app, name="agencies")
app.add_typer(sources.app, name="sources")
app.add_typer(importers.app, name="import")
app.add_typer(notify.app, name="notify")
app.add_typer(users.app, name="users")
app.command()(serve.serve)
app.command()(worker.worker)
app.command()(notify.subscribe)
app.command()(demo.demo)


@app.callback()
def main(
    debug: bool = typer.Option(
        False, "--debug", help="log everything and show tracebacks instead of one-line errors"
    ),
) -> None:
    """govcode: a cross-government code-sharing registry."""
    configure_console()
    root = logging.getLogger()
    if not root.handlers:  # a host (pytest, an embedding app) may have its own
        # Failures are reported by the commands themselves, one line each; --debug shows
        # the logs (with their tracebacks) as well.
        handler = logging.StreamHandler()
        handler.setLevel(logging.DEBUG if debug else logging.ERROR)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        if debug:
            root.setLevel(logging.DEBUG)


def run() -> None:
    """The console script."""
    app()


if __name__ == "__main__":
    run()
