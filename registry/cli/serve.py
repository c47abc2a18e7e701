"""govcode serve: the web site and JSON API."""

from __future__ import annotations

import typer

from registry.cli.common import engine, settings


def serve(
    host: str = typer.Option(None, help="address to bind (default: GOVCODE_HOST)"),
    port: int = typer.Option(None, help="port (default: GOVCODE_PORT)"),
) -> None:
    """Serve the site and the API with uvicorn."""
    import uvicorn

    from web.app import create_app

    s = settings()
    with engine(s):  # the embedded database is migrated before the first request
        pass
    uvicorn.run(create_app(s), host=host or s.host, port=port or s.port, log_level="info")
