"""A README as the page shows it: Markdown rendered, then sanitised.

markdown-it-py renders CommonMark with GitHub's tables and strikethrough (raw HTML kept,
since READMEs use it for centred logos and badges); nh3 (ammonia) then removes anything
that could run: scripts, event handlers, styles, ``javascript:`` and other schemes.
Links and images that are relative to the README are resolved to the forge's own file and
raw URLs (from the table of source kinds), pinned to the crawled commit; on a host with no
web view they are dropped. Headings are demoted below the page's own, and ids (GitHub-style
heading anchors) are prefixed so the README cannot collide with the page's anchors.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import quote, urlsplit

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from registry.source_kinds import KINDS

SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
ID_PREFIX = "readme-"
HEADING_SHIFT = 2  # the page has h1 (the repository) and h2 (its sections)
_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s>])")
_TAGS = nh3.ALLOWED_TAGS - {"map", "area"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "p": {"align"},
    "div": {"align"},
    "*": {"id"},
}


@dataclass(frozen=True)
class ReadmeLocation:
    """Where the README lives, to resolve what it links to."""

    forge: str  # the repository's host kind ("github", "gitlab", "git")
    html_url: str
    ref: str  # the crawled commit (or branch)
    path: str  # the README's path in the repository


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.use(anchors_plugin, min_level=1, max_level=6)  # GitHub-style heading ids


def _resolve(url: str, where: ReadmeLocation, *, raw: bool) -> str | None:
    """An absolute URL for a link or image the README gives, or None to drop it."""
    url = url.strip()
    if url.startswith("#"):  # the README's own anchors carry the ids' prefix
        return f"#{ID_PREFIX}{url[1:]}" if len(url) > 1 else None
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        scheme = parts.scheme.lower()
        if raw:
            return url if scheme in IMAGE_SCHEMES and parts.netloc else None
        return url if scheme in SCHEMES else None
    kind = KINDS.get(where.forge)
    pattern = (kind.raw_url if raw else kind.file_url) if kind else ""
    if not pattern or not where.ref:
        return None  # no web view to send the reader to
    if parts.path.startswith("/"):
        joined = posixpath.normpath(parts.path.lstrip("/"))
    else:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(where.path), parts.path))
    if joined.startswith("..") or joined == ".":
        return None  # outside the repository
    target = pattern.format(html_url=where.html_url.rstrip("/"), ref=quote(where.ref),
                            path=quote(joined))  # fmt: skip
    return target + (f"#{parts.fragment}" if parts.fragment and not raw else "")


def render_readme(
    source: str, markup: str, where: ReadmeLocation, *, max_chars: int = 100_000
) -> str:
    """Safe HTML for the README (a ``<pre>`` for plain text); "" when there is none."""
    if not source.strip():
        return ""
    truncated = len(source) > max_chars
    source = source[:max_chars]
    if markup != "markdown":
        html = f'<pre class="readme-text">{escape(source)}</pre>'
    else:

        def keep(tag: str, attr: str, value: str) -> str | None:
            if attr == "href":
                return _resolve(value, where, raw=False)
            if attr == "src":
                return _resolve(value, where, raw=True)
            return value

        html = nh3.clean(
            _markdown().render(source),
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            attribute_filter=keep,
            url_schemes=set(SCHEMES),
            link_rel="nofollow noopener noreferrer ugc",
            id_prefix=ID_PREFIX,
        )
        html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + HEADING_SHIFT, 6)}", html)
    if truncated:
        html += (
            '<p class="muted">The README is longer than govcode shows: read it on the forge.</p>'
        )
    return html
