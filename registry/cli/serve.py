"""govcode serve: the web site and JSON API."""

from __future__ import annotations

import typer

from registry.cli.common import engine, settings


def serve(
    host: str = typer.Option(None, help="address to bind (default: GOVCODE_HOST)"),
    port: int = typer.Option(None, help="port (default: GOVCODE_PORT)"),
    workers: int = typer.Option(1, min=1, max=64, help="uvicorn worker processes"),
    access_log: bool = typer.Option(
        True, help="log every request (--no-access-log when a proxy in front logs them)"
    ),
) -> None:
    """Serve the site and the API with uvicorn (each worker holds its own warm searcher)."""
    import httptools  # noqa: F401  uvicorn's C HTTP parser (h11, its fallback, is pure Python)
    import uvicorn

    from web.app import create_app

    try:
        import uvloop  # noqa: F401  uvicorn's libuv event loop (not on Windows)

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"

    s = settings()
    with engine(s):  # the embedded database is migrated before the first request
        pass
    where = {
        "host": host or s.host,
        "port": port or s.port,
        "log_level": "info",
        "access_log": access_log,
        "http": "httptools",
        "loop": loop,
    }
    if workers == 1:
        uvicorn.run(create_app(s), **where)
    else:  # each worker builds its app from the same GOVCODE_ environment
        uvicorn.run("web.app:create_app", factory=True, workers=workers, **where)
