"""An SVG badge per repository: listed on govcode, its maturity, how often it is reused.

``/badge/{owner}/{name}.svg`` is what a README embeds; the repository page gives the
Markdown to copy. anybadge draws the shields-style picture; the badge carries its text in
``<title>`` and ``aria-label`` for people who cannot see it.
"""

from __future__ import annotations

from html import escape

import anybadge
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.services import repositories, reuse

COLOURS = {
    "stable": "#2e7d32",
    "beta": "#0b5394",
    "development": "#8a5a00",
    "concept": "#6b6b6b",
    "obsolete": "#b3261e",
}
MAX_AGE = 3600  # a README's badge may lag a crawl by an hour


def routes() -> list[Route]:
    return [Route("/badge/{owner}/{name}.svg", badge)]


def badge_text(level: str, reused: int) -> str:
    times = "once" if reused == 1 else f"{reused} times"
    return f"{level} · reused {times}" if reused else level


def badge_svg(level: str, reused: int) -> str:
    value = badge_text(level, reused)
    drawn = anybadge.Badge(
        "govcode", value, default_color=COLOURS.get(level, COLOURS["concept"])
    ).badge_svg_text
    label = escape(f"govcode: {value}", quote=True)
    head, _, rest = drawn.partition("<svg ")
    tag, _, body = rest.partition(">")
    return f'{head}<svg role="img" aria-label="{label}" {tag}><title>{label}</title>{body}'


def badge(request: Request) -> Response:
    full_name = f"{request.path_params['owner']}/{request.path_params['name']}"
    with Session(request.app.state.engine) as session:
        repo = repositories.find(session, full_name)
        reused = reuse.times_reused(session, repo.id)  # type: ignore[arg-type]
    return Response(
        badge_svg(repo.maturity_level, reused),
        media_type="image/svg+xml",
        headers={"Cache-Control": f"public, max-age={MAX_AGE}"},
    )
