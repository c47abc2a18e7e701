"""Find a repository's README and turn it into plain text, an excerpt and a depth measure.

The excerpt is what a search result shows, so it must read as prose: badges, images,
HTML and Markdown markup go; the first paragraphs that say something stay. The full
text is capped because it only feeds the search index. Words and headings feed the
maturity signal "README depth".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.analysis.readme_text import Block, markdown_blocks, plain_blocks
from registry.analysis.tree import Tree, decode_text

TEXT_CAP = 100_000
SOURCE_CAP = 200_000  # characters of the README kept to show it (rendered by the web)
READ_LIMIT = 1_000_000
README_NAME = re.compile(
    r"^readme(?:[._-](?P<locale>[a-z]{2}(?:[_-][a-z]{2})?))??"
    r"(?:\.(?P<ext>md|markdown|mdown|mkd|rst|txt|text|adoc|asciidoc|org))?$",
    re.IGNORECASE,
)
DIR_RANK = {"": 0, ".github": 1, "docs": 2}
EXT_RANK = {"md": 0, "markdown": 0, "mdown": 0, "mkd": 0, "rst": 1, "": 2, "txt": 2}
MARKDOWN_EXTS = frozenset({"md", "markdown", "mdown", "mkd"})


@dataclass(frozen=True)
class ReadmeFinding:
    path: str | None
    text: str
    excerpt: str
    words: int
    headings: int
    source: str = ""  # the README as written, capped at SOURCE_CAP characters
    markup: str = ""  # "markdown" | "text" (other markups are shown as text)


def _rank(path: str) -> tuple[int, int, int, str] | None:
    """Sort key of a README candidate (root first, unlocalised, then English), or None."""
    folder, _, name = path.rpartition("/")
    if folder not in DIR_RANK:
        return None
    match = README_NAME.match(name)
    if match is None:
        return None
    locale = (match["locale"] or "").lower()
    locale_rank = 0 if not locale else 1 if locale.startswith("en") else 2
    ext_rank = EXT_RANK.get((match["ext"] or "").lower(), 3)
    return (DIR_RANK[folder], locale_rank, ext_rank, path)


def find_readme(tree: Tree) -> str | None:
    """The path GitHub-like hosts would show as the README, preferring the root."""
    ranked = [
        (key, entry.path)
        for entry in tree.entries()
        if not entry.is_symlink and (key := _rank(entry.path)) is not None
    ]
    return min(ranked)[1] if ranked else None


def _excerpt(blocks: list[Block], limit: int) -> str:
    """The first paragraphs that carry words, joined, cut at a word near ``limit``."""
    parts: list[str] = []
    length = 0
    for block in blocks:
        if block.kind != "paragraph" or len(block.text.split()) < 3:
            continue
        parts.append(block.text)
        length += len(block.text) + 2
        if length >= limit:
            break
    excerpt = "\n\n".join(parts)
    if len(excerpt) <= limit:
        return excerpt
    cut = excerpt[:limit].rsplit(None, 1)[0] if " " in excerpt[:limit] else excerpt[:limit]
    return cut.rstrip(" ,;:-") + "…"


def analyse_readme(tree: Tree, *, excerpt_chars: int = 600) -> ReadmeFinding:
    """Read the README, if any, into plain text, an excerpt and its word/heading counts."""
    path = find_readme(tree)
    data = tree.read(path, READ_LIMIT) if path else None
    if path is None or data is None:
        return ReadmeFinding(path, "", "", 0, 0)
    source = decode_text(data[: max(TEXT_CAP * 2, SOURCE_CAP)])
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    markup = "markdown" if ext in MARKDOWN_EXTS else "text"
    blocks = markdown_blocks(source) if markup == "markdown" else plain_blocks(source)
    text = "\n\n".join(block.text for block in blocks)[:TEXT_CAP]
    return ReadmeFinding(
        path=path,
        text=text,
        excerpt=_excerpt(blocks, max(excerpt_chars, 0)),
        words=len(text.split()),
        headings=sum(block.kind == "heading" for block in blocks),
        source=source[:SOURCE_CAP],
        markup=markup,
    )
