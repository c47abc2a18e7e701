"""The reuse graph of one repository, drawn on the server as SVG.

This repository sits in the middle; what it reuses is on the left and who reuses it on the
right, an arrow from reuser to reused, one colour and dash per kind of reuse (fork, based
on, dependency, copied files, shared history). Shared history or copies whose direction is
unknown are drawn on the right without an arrow. Each node's ``<title>`` (what a pointer
hovering shows) carries the evidence; the page lists the same edges as text beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from registry.models import ReuseEdgePublic

WIDTH = 640
ROW = 44
BOX_W, BOX_H = 190, 36
CENTRE_W = 190
MAX_SIDE = 10  # nodes drawn per side; the rest are counted in one "more" node
LABEL_CHARS = 26


@dataclass(frozen=True)
class KindStyle:
    colour: str
    dash: str
    label: str


KINDS = {
    "fork": KindStyle("#0b5394", "", "fork"),
    "based_on": KindStyle("#1e6b34", "", "based on"),
    "dependency": KindStyle("#6a3d9a", "7 4", "dependency"),
    "copied": KindStyle("#a34a12", "2 4", "copied files"),
    "shared_history": KindStyle("#4d4d4d", "9 3 2 3", "shared history"),
    "declared": KindStyle("#7a5c00", "1 3", "declared use"),
}
OTHER = KindStyle("#4d4d4d", "", "reuse")
REUSED_AS = {  # the other end reuses this repository
    "fork": "forked this repository",
    "based_on": "declares it is based on this repository",
    "dependency": "depends on a package this repository publishes",
    "shared_history": "carries over this repository's git history",
    "copied": "contains files copied from this repository",
    "declared": "declares it reuses this repository",
}
REUSES_AS = {  # this repository reuses the other end
    "fork": "This repository is a fork of",
    "based_on": "This repository is based on",
    "dependency": "This repository depends on a package published by",
    "shared_history": "This repository carries over the git history of",
    "copied": "This repository contains files copied from",
    "declared": "This repository declares it reuses",
}
UNKNOWN_AS = {
    "shared_history": "shares git history with this repository; which came first is not known",
    "copied": "and this repository contain the same files; which came first is not known",
}


def style(kind: str) -> KindStyle:
    return KINDS.get(kind, OTHER)


def edge_words(edge: ReuseEdgePublic) -> str:
    """One sentence for one edge, with its evidence: the node's hover text."""
    if edge.direction == "reuses":
        words = f"{REUSES_AS.get(edge.kind, 'This repository reuses')} {edge.name}"
    elif edge.direction == "unknown":
        words = f"{edge.name} {UNKNOWN_AS.get(edge.kind, 'is linked to this repository')}"
    else:
        words = f"{edge.name} {REUSED_AS.get(edge.kind, 'reuses this repository')}"
    return f"{words}. Evidence: {edge.evidence}" if edge.evidence else words + "."


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _two_lines(name: str) -> tuple[str, str]:
    """``owner/name`` (or ``host/owner/name``) as two short lines: owner above, name below."""
    owner, _, repo = name.rstrip("/").rpartition("/")
    return (_short(owner), _short(repo)) if owner else ("", _short(repo))


def _label(x: float, y: float, name: str, *, fill: str, anchor: str = "start") -> str:
    top, bottom = _two_lines(name)
    tx = x + 8 if anchor == "start" else x
    lines = [(top, y + 14, "11", ""), (bottom, y + 29, "12", ' font-weight="bold"')]
    return "".join(
        f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="{size}"{weight} fill="{fill}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
        for text, ty, size, weight in lines
        if text
    )


def _marker(kind: str) -> str:
    s = style(kind)
    return (
        f'<marker id="rg-arrow-{kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{s.colour}"/></marker>'
    )


Line = tuple[float, float, float, float]


def _node(x: float, y: float, edges: list[ReuseEdgePublic], line: Line) -> str:
    """One other repository, however many edges link it to this one (a fork that also
    declares it is based on its parent is one node); the strongest kind draws the line."""
    first = edges[0]
    s = style(first.kind)
    x1, y1, x2, y2 = line
    arrow = "" if first.direction == "unknown" else f' marker-end="url(#rg-arrow-{first.kind})"'
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    kinds = " ".join(dict.fromkeys(e.kind for e in edges))
    return (
        f'<g class="rg-edge" data-kind="{escape(kinds)}" data-direction="{first.direction}">'
        f"<title>{escape(' '.join(edge_words(e) for e in edges))}</title>"
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{s.colour}" '
        f'stroke-width="2"{dash}{arrow}/>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="#ffffff" '
        f'stroke="{s.colour}" stroke-width="1.5"/>'
        + _label(x, y, first.name, fill="#1b1b1b")
        + "</g>"
    )


def _more(x: float, y: float, hidden: int) -> str:
    return (
        f'<g class="rg-more"><title>{hidden} more: see the list</title>'
        f'<text x="{x + 8:.1f}" y="{y + 20:.1f}" font-size="12" fill="#1b1b1b">'
        f"+{hidden} more (see the list)</text></g>"
    )


def _rows(count: int) -> int:
    return min(count, MAX_SIDE + 1)


def _grouped(edges: Sequence[ReuseEdgePublic]) -> list[list[ReuseEdgePublic]]:
    """Edges by the repository at their other end, strongest kind first."""
    groups: dict[str, list[ReuseEdgePublic]] = {}
    for e in sorted(edges, key=lambda e: -e.confidence):
        groups.setdefault(e.url or e.name, []).append(e)
    return list(groups.values())


def reuse_graph(
    name: str, reused_by: Sequence[ReuseEdgePublic], reuses: Sequence[ReuseEdgePublic]
) -> str:
    """The SVG of one repository's reuse, both ways; "" when it has none."""
    left, right = _grouped(reuses), _grouped(reused_by)
    if not left and not right:
        return ""
    rows = max(_rows(len(left)), _rows(len(right)), 1)
    height = rows * ROW + 16
    cx, cy = (WIDTH - CENTRE_W) / 2, height / 2 - BOX_H / 2
    parts: list[str] = []
    for side, nodes in (("left", left), ("right", right)):
        shown, hidden = nodes[:MAX_SIDE], len(nodes) - MAX_SIDE
        top = (height - _rows(len(nodes)) * ROW) / 2 + (ROW - BOX_H) / 2
        x = 8 if side == "left" else WIDTH - BOX_W - 8
        for i, edges in enumerate(shown):
            y = top + i * ROW
            if side == "left":  # this repository (reuser) -> the node it reuses
                line = (cx, cy + BOX_H / 2, x + BOX_W + 2, y + BOX_H / 2)
            else:  # the node (reuser) -> this repository
                line = (x, y + BOX_H / 2, cx + CENTRE_W + 2, cy + BOX_H / 2)
            parts.append(_node(x, y, edges, line))
        if hidden > 0:
            parts.append(_more(x, top + MAX_SIDE * ROW, hidden))
    kinds = sorted({e.kind for e in (*reuses, *reused_by)})
    summary = (
        f"Reuse of {name}: {len(right)} repositor{'y' if len(right) == 1 else 'ies'} "
        f"reuse{'s' if len(right) == 1 else ''} it or share{'s' if len(right) == 1 else ''} "
        f"code with it; it reuses {len(left)}. Kinds: "
        + ", ".join(style(k).label for k in kinds)
        + ". The list with the picture says the same in words."
    )
    centre = (
        f'<g class="rg-centre"><title>{escape(name)}</title>'
        f'<rect x="{cx:.1f}" y="{cy:.1f}" width="{CENTRE_W}" height="{BOX_H}" rx="4" '
        f'fill="#0b5394"/>'
        + _label(cx + CENTRE_W / 2, cy, name, fill="#ffffff", anchor="middle")
        + "</g>"
    )
    return (
        f'<svg class="reuse-graph" role="img" aria-labelledby="rg-title" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="rg-title">{escape(summary)}</title>'
        f"<defs>{''.join(_marker(k) for k in kinds)}</defs>" + "".join(parts) + centre + "</svg>"
    )


def legend(reused_by: Sequence[ReuseEdgePublic], reuses: Sequence[ReuseEdgePublic]) -> list:
    """The kinds drawn, with their colour and dash, for the key under the picture."""
    kinds = sorted({e.kind for e in (*reused_by, *reuses)})
    return [(k, style(k)) for k in kinds]
