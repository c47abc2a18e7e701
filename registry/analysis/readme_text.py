"""README source (Markdown, reStructuredText, plain text, inline HTML) to plain-text blocks.

Markdown is parsed by markdown-it-py, so badges (links around images), images, inline
HTML and emphasis vanish by construction rather than by regular expressions. HTML
blocks go through the standard library's parser. reStructuredText has no parser in our
stack; a few line rules cover what READMEs use (titles, directives, substitutions,
links, literals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph" (top level prose) | "other" (lists, tables, code)
    text: str


_md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_INLINE_TEXT = frozenset({"text", "code_inline", "text_special"})
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "li",
        "ul",
        "ol",
        "table",
        "tr",
        "td",
        "th",
        "br",
        "hr",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "details",
        "summary",
        "dl",
        "dt",
        "dd",
        "center",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "svg"})


def _squash(text: str) -> str:
    return " ".join(text.split())


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or ():
        if child.type in _INLINE_TEXT:
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _squash("".join(parts))


class _HTMLBlocks(HTMLParser):
    """Text of an HTML fragment, split where block tags are; heading tags remembered."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._kind = "paragraph"
        self._skipping = 0

    def _flush(self) -> None:
        text = _squash("".join(self._buffer))
        if text:
            self.blocks.append(Block(self._kind, text))
        self._buffer = []
        self._kind = "paragraph"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self._flush()
            if re.fullmatch(r"h[1-6]", tag):
                self._kind = "heading"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._buffer.append(data)


def html_blocks(html: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def markdown_blocks(source: str) -> list[Block]:
    """Headings, top-level paragraphs and everything else as plain text, in order."""
    tokens = _md.parse(source)
    blocks: list[Block] = []
    for index, token in enumerate(tokens):
        if token.type == "inline":
            opener = tokens[index - 1].type if index else ""
            if opener == "heading_open":
                kind = "heading"
            elif opener == "paragraph_open" and token.level == 1:
                kind = "paragraph"
            else:
                kind = "other"
            text = _inline_text(token)
            if text:
                blocks.append(Block(kind, text))
        elif token.type == "html_block":
            found = html_blocks(token.content)
            blocks.extend(b if token.level == 0 else Block("other", b.text) for b in found)
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(Block("other", token.content.strip()))
    return blocks


_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+_:.])\1{2,}\s*$")
_RST_INLINE = [
    (re.compile(r"`([^`<]+?)\s*<[^>]*>`__?"), r"\1"),  # `text <url>`_
    (re.compile(r":[\w:-]+:`([^`]*)`"), r"\1"),  # :role:`text`
    (re.compile(r"``([^`]*)``"), r"\1"),  # ``literal``
    (re.compile(r"`([^`]*)`_{0,2}"), r"\1"),  # `text`_
    (re.compile(r"\|[^|\s][^|]*\|_{0,2}"), ""),  # |substitution|
    (re.compile(r"\*\*([^*]+)\*\*|\*([^*]+)\*"), lambda m: m[1] or m[2]),
]
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#\.)\s+")


def _rst_inline(text: str) -> str:
    for pattern, replacement in _RST_INLINE:
        text = pattern.sub(replacement, text)
    return _squash(text)


def plain_blocks(source: str) -> list[Block]:
    """reStructuredText or plain text to blocks (paragraphs split on blank lines)."""
    blocks: list[Block] = []
    in_directive = False
    for chunk in re.split(r"\n\s*\n", source.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        indented = lines[0][:1] in (" ", "\t")
        if lines[0].startswith(".. ") or (in_directive and indented):
            in_directive = True
            continue
        in_directive = False
        heads = {i - 1 for i, line in enumerate(lines) if i and _UNDERLINE.match(line)}
        for i in sorted(heads):
            if not _UNDERLINE.match(lines[i]) and (text := _rst_inline(lines[i])):
                blocks.append(Block("heading", text))
        words = [
            line for i, line in enumerate(lines) if i not in heads and not _UNDERLINE.match(line)
        ]
        text = _rst_inline(" ".join(words))
        if not text:
            continue
        kind = "other" if indented or _LIST_ITEM.match(words[0]) else "paragraph"
        blocks.append(Block(kind, text))
    return blocks
