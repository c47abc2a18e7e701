"""The reuse graph of one repository, drawn on the server as SVG, in two layouts.

Wide (the default): this repository sits in the middle; what it reuses is on the left and who
reuses it on the right. Narrow (for a phone, chosen by a CSS media query, no JavaScript):
what it reuses is above, who reuses it below, each node on its own row at full width, joined
to this repository by an elbow line in a lane of its own at the left edge, so nothing is
squeezed and nothing scrolls sideways.

Either way an arrow goes from reuser to reused, one colour and dash per kind of reuse (fork,
based on, dependency, copied files, shared history). Shared history or copies whose direction
is unknown are drawn with the reusers, without an arrow. Each node's ``<title>`` (what a
pointer hovering shows) carries the evidence (web/reuse_words.py says it in the page's
language); the page lists the same edges as text beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from registry.models import ReuseEdgePublic
from web.reuse_words import edge_words, kind_label, more_label, more_title, summary

ROW = 44
BOX_H = 36
MAX_SIDE = 10  # nodes drawn per side; the rest are counted in one "more" node
LANES_W = 64  # narrow layout: the strip at the left where the nodes' vertical lines run
LANE_MAX = 14  # and the widest gap between two of them


@dataclass(frozen=True)
class KindStyle:
    colour: str
    dash: str


@dataclass(frozen=True)
class Layout:
    name: str  # "wide" | "narrow": the SVG's class and its ids' prefix
    width: int
    box_w: int
    centre_w: int
    label_chars: int
    arrow: int  # the arrowhead's size, in line widths


WIDE = Layout("wide", width=640, box_w=190, centre_w=190, label_chars=26, arrow=7)
NARROW = Layout("narrow", width=340, box_w=244, centre_w=332, label_chars=33, arrow=5)

KINDS = {
    "fork": KindStyle("#0b5394", ""),
    "based_on": KindStyle("#1e6b34", ""),
    "dependency": KindStyle("#6a3d9a", "7 4"),
    "copied": KindStyle("#a34a12", "2 4"),
    "shared_history": KindStyle("#4d4d4d", "9 3 2 3"),
    "declared": KindStyle("#7a5c00", "1 3"),
}
OTHER = KindStyle("#4d4d4d", "")


def style(kind: str) -> KindStyle:
    return KINDS.get(kind, OTHER)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _two_lines(name: str, limit: int) -> tuple[str, str]:
    """``owner/name`` (or ``host/owner/name``) as two short lines: owner above, name below."""
    owner, _, repo = name.rstrip("/").rpartition("/")
    return (_short(owner, limit), _short(repo, limit)) if owner else ("", _short(repo, limit))


def _label(x: float, y: float, name: str, limit: int, *, fill: str, anchor: str = "start") -> str:
    top, bottom = _two_lines(name, limit)
    tx = x + 8 if anchor == "start" else x
    lines = [(top, y + 14, "11", ""), (bottom, y + 29, "12", ' font-weight="bold"')]
    return "".join(
        f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="{size}"{weight} fill="{fill}" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
        for text, ty, size, weight in lines
        if text
    )


def _marker(layout: Layout, kind: str) -> str:
    s = style(kind)
    return (
        f'<marker id="rg-{layout.name}-arrow-{kind}" viewBox="0 0 10 10" refX="10" refY="5" '
        f'markerWidth="{layout.arrow}" markerHeight="{layout.arrow}" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{s.colour}"/></marker>'
    )


Point = tuple[float, float]


def _node(
    layout: Layout, x: float, y: float, edges: list[ReuseEdgePublic], line: list[Point]
) -> str:
    """One other repository, however many edges link it to this one (a fork that also
    declares it is based on its parent is one node); the strongest kind draws the line,
    from the reuser to the reused."""
    first = edges[0]
    s = style(first.kind)
    arrow = (
        ""
        if first.direction == "unknown"
        else f' marker-end="url(#rg-{layout.name}-arrow-{first.kind})"'
    )
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    kinds = " ".join(dict.fromkeys(e.kind for e in edges))
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in line)
    return (
        f'<g class="rg-edge" data-kind="{escape(kinds)}" data-direction="{first.direction}">'
        f"<title>{escape(' '.join(edge_words(e) for e in edges))}</title>"
        f'<polyline points="{points}" fill="none" stroke="{s.colour}" '
        f'stroke-width="2"{dash}{arrow}/>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{layout.box_w}" height="{BOX_H}" rx="4" '
        f'fill="#ffffff" stroke="{s.colour}" stroke-width="1.5"/>'
        + _label(x, y, first.name, layout.label_chars, fill="#1b1b1b")
        + "</g>"
    )


def _more(x: float, y: float, hidden: int) -> str:
    return (
        f'<g class="rg-more"><title>{escape(more_title(hidden))}</title>'
        f'<text x="{x + 8:.1f}" y="{y + 20:.1f}" font-size="12" fill="#1b1b1b">'
        f"{escape(more_label(hidden))}</text></g>"
    )


def _rows(count: int) -> int:
    return min(count, MAX_SIDE + 1)


def _grouped(edges: Sequence[ReuseEdgePublic]) -> list[list[ReuseEdgePublic]]:
    """Edges by the repository at their other end, strongest kind first."""
    groups: dict[str, list[ReuseEdgePublic]] = {}
    for e in sorted(edges, key=lambda e: -e.confidence):
        groups.setdefault(e.url or e.name, []).append(e)
    return list(groups.values())


Nodes = list[list[ReuseEdgePublic]]


def _wide(left: Nodes, right: Nodes) -> tuple[float, Point, list[str]]:
    """What it reuses in a column on the left, its reusers on the right, itself between."""
    layout = WIDE
    rows = max(_rows(len(left)), _rows(len(right)), 1)
    height = rows * ROW + 16
    cx, cy = (layout.width - layout.centre_w) / 2, height / 2 - BOX_H / 2
    mid = cy + BOX_H / 2
    parts: list[str] = []
    for side, nodes in (("left", left), ("right", right)):
        top = (height - _rows(len(nodes)) * ROW) / 2 + (ROW - BOX_H) / 2
        x = 8 if side == "left" else layout.width - layout.box_w - 8
        for i, edges in enumerate(nodes[:MAX_SIDE]):
            y = top + i * ROW
            if side == "left":  # this repository (reuser) -> the node it reuses
                line = [(cx, mid), (x + layout.box_w + 2, y + BOX_H / 2)]
            else:  # the node (reuser) -> this repository
                line = [(x, y + BOX_H / 2), (cx + layout.centre_w + 2, mid)]
            parts.append(_node(layout, x, y, edges, line))
        if len(nodes) > MAX_SIDE:
            parts.append(_more(x, top + MAX_SIDE * ROW, len(nodes) - MAX_SIDE))
    return height, (cx, cy), parts


def _narrow(above: Nodes, below: Nodes) -> tuple[float, Point, list[str]]:
    """What it reuses in rows above, its reusers in rows below, itself between at full
    width. A node farther from the centre takes a lane farther left, so the lines never
    run over one another nor over a box."""
    layout = NARROW
    box_x = layout.width - layout.box_w - 4
    up, down = _rows(len(above)), _rows(len(below))
    cx, cy = (layout.width - layout.centre_w) / 2, 8 + up * ROW
    height = cy + BOX_H + 8 + down * ROW + 8
    lanes = max(min(len(above), MAX_SIDE), min(len(below), MAX_SIDE), 1)
    gap = min(LANE_MAX, LANES_W / (lanes - 1)) if lanes > 1 else 0
    lane_x = [cx + 8 + i * gap for i in range(lanes)]
    parts: list[str] = []
    for i, edges in enumerate(above[:MAX_SIDE]):  # top row farthest: leftmost lane
        y = 8 + i * ROW + (ROW - BOX_H) / 2
        lx = lane_x[i]
        line = [(lx, cy), (lx, y + BOX_H / 2), (box_x - 2, y + BOX_H / 2)]
        parts.append(_node(layout, box_x, y, edges, line))
    if len(above) > MAX_SIDE:
        parts.append(_more(box_x, 8 + MAX_SIDE * ROW, len(above) - MAX_SIDE))
    first_below = cy + BOX_H + 8
    shown = below[:MAX_SIDE]
    for i, edges in enumerate(shown):  # bottom row farthest: leftmost lane
        y = first_below + i * ROW + (ROW - BOX_H) / 2
        lx = lane_x[len(shown) - 1 - i]
        line = [(box_x, y + BOX_H / 2), (lx, y + BOX_H / 2), (lx, cy + BOX_H + 2)]
        parts.append(_node(layout, box_x, y, edges, line))
    if len(below) > MAX_SIDE:
        parts.append(_more(box_x, first_below + MAX_SIDE * ROW, len(below) - MAX_SIDE))
    return height, (cx, cy), parts


def reuse_graph(
    name: str,
    reused_by: Sequence[ReuseEdgePublic],
    reuses: Sequence[ReuseEdgePublic],
    *,
    narrow: bool = False,
) -> str:
    """The SVG of one repository's reuse, both ways, wide or narrow; "" when it has none."""
    reused, reusers = _grouped(reuses), _grouped(reused_by)
    if not reused and not reusers:
        return ""
    layout = NARROW if narrow else WIDE
    height, (cx, cy), parts = (_narrow if narrow else _wide)(reused, reusers)
    kinds = sorted({e.kind for e in (*reuses, *reused_by)})
    title = summary(name, len(reusers), len(reused), kinds)
    centre = (
        f'<g class="rg-centre"><title>{escape(name)}</title>'
        f'<rect x="{cx:.1f}" y="{cy:.1f}" width="{layout.centre_w}" height="{BOX_H}" rx="4" '
        f'fill="#0b5394"/>'
        + _label(
            cx + layout.centre_w / 2, cy, name, layout.label_chars, fill="#ffffff", anchor="middle"
        )
        + "</g>"
    )
    title_id = f"rg-{layout.name}-title"
    return (
        f'<svg class="reuse-graph reuse-graph-{layout.name}" role="img" '
        f'aria-labelledby="{title_id}" viewBox="0 0 {layout.width} {height:.0f}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{escape(title)}</title>'
        f"<defs>{''.join(_marker(layout, k) for k in kinds)}</defs>"
        + "".join(parts)
        + centre
        + "</svg>"
    )


def legend(
    reused_by: Sequence[ReuseEdgePublic], reuses: Sequence[ReuseEdgePublic]
) -> list[tuple[str, KindStyle, str]]:
    """The kinds drawn, with their colour, dash and name, for the key under the picture."""
    kinds = sorted({e.kind for e in (*reused_by, *reuses)})
    return [(k, style(k), kind_label(k)) for k in kinds]
