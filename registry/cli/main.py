"""The ``govcode`` command."""

from __future__ import annotations

import typer

from registry.cli import agencies, crawl, db, demo, index, notify, serve, worker

app = typer.Typer(help="govcode: a cross-government code-sharing registry.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(crawl.app, name="crawl")
app.add_typer(index.app, name="index")
app.add_typer(agencies.app, name="agencies")
app.add_typer(notify.app, name="notify")
app.command()(serve.serve)
app.command()(worker.worker)
app.command()(notify.subscribe)
app.command()(demo.demo)

if __name__ == "__main__":
    app()
