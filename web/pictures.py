"""Pictures drawn on the server as SVG, each with the same facts in words beside it.

A language bar in GitHub's style (colours from Linguist's data, through enry) and a
sparkline of weekly commits. They are inline SVG, so they need no script and no request;
every picture has a ``<title>`` and the page lists its facts as text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import enry

from web.i18n import _, format_number, format_percent, ngettext

BAR_WIDTH, BAR_HEIGHT = 600, 10
SPARK_WIDTH, SPARK_HEIGHT = 260, 40
OTHER = "#cccccc"  # Linguist's colour for languages it has none for


@dataclass(frozen=True)
class LanguageSlice:
    language: str
    share: float
    colour: str


def language_slices(languages: Sequence[tuple[str, float]], *, top: int = 8) -> list[LanguageSlice]:
    """The biggest languages with their colours; the rest folded into "Other"."""
    ranked = sorted(languages, key=lambda item: -item[1])
    slices = [LanguageSlice(name, share, enry.get_color(name) or OTHER) for name, share in ranked]
    if len(slices) > top:
        rest = sum(s.share for s in slices[top:])
        slices = [*slices[:top], LanguageSlice(_("Other"), rest, OTHER)]
    return [s for s in slices if s.share > 0]


def language_bar(slices: Sequence[LanguageSlice]) -> str:
    """One bar split by share, like GitHub's; "" when no code was found."""
    if not slices:
        return ""
    total = sum(s.share for s in slices) or 1.0
    words = ", ".join(f"{s.language} {format_percent(s.share / total)}" for s in slices)
    title = _("Languages: %(languages)s") % {"languages": words}
    x = 0.0
    rects = []
    for s in slices:
        width = BAR_WIDTH * s.share / total
        rects.append(
            f'<rect x="{x:.2f}" y="0" width="{width:.2f}" height="{BAR_HEIGHT}" '
            f'fill="{escape(s.colour)}"><title>{escape(s.language)} '
            f"{escape(format_percent(s.share / total))}</title>"
            "</rect>"
        )
        x += width
    return (
        f'<svg class="language-bar" role="img" viewBox="0 0 {BAR_WIDTH} {BAR_HEIGHT}" '
        f'preserveAspectRatio="none" width="100%" height="{BAR_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rects)
        + "</svg>"
    )


def activity_words(weeks: Sequence[int]) -> str:
    total = sum(weeks)
    if not total:
        return _("No commits in the 52 weeks before the last crawl.")
    numbers = {
        "total": format_number(total),
        "active": format_number(sum(1 for w in weeks if w)),
        "busiest": format_number(max(weeks)),
    }
    return (
        ngettext(
            "%(total)s commit in the 52 weeks before the last crawl, in %(active)s of those "
            "weeks; the busiest week had %(busiest)s.",
            "%(total)s commits in the 52 weeks before the last crawl, in %(active)s of those "
            "weeks; the busiest week had %(busiest)s.",
            total,
        )
        % numbers
    )


def activity_sparkline(weeks: Sequence[int]) -> str:
    """A line of weekly commits, oldest week on the left; "" without data."""
    if not weeks:
        return ""
    peak = max(weeks) or 1
    step = SPARK_WIDTH / max(len(weeks) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * count / peak:.1f}"
        for i, count in enumerate(weeks)
    )
    return (
        f'<svg class="sparkline" role="img" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(activity_words(weeks))}</title>"
        f'<polyline fill="none" stroke="#0b5394" stroke-width="2" points="{points}"/></svg>'
    )
