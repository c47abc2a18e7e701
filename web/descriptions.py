"""A repository's descriptions by language, and the one a visitor reads.

They come from the repository's publiccode.yml (``description.<lang>``) and from the
inventories that describe it in words (Canada's Open Resource Exchange, in English and
French: ``services.inventory_texts``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.i18n import negotiate
from registry.services.inventory_texts import Described
from web.bounds import clip

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
PUBLICCODE = "publiccode"  # where a description came from: publiccode.yml, else an inventory
MAX_SHOWN = 500  # characters of a description shown on pages and in the API


@dataclass(frozen=True)
class Localised:
    """A text and the language it is written in (None when not known)."""

    text: str
    lang: str | None


@dataclass(frozen=True)
class Descriptions:
    """Descriptions by language tag, and where each came from (``publiccode`` or an
    inventory's name, ``ore``)."""

    texts: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def descriptions(publiccode: Any, inventories: Sequence[Described] = ()) -> Descriptions:
    """The descriptions of a repository from its publiccode.yml's ``descriptions`` as stored
    (``Repository.publiccode["descriptions"]``) and its inventories' texts
    (``inventory_texts.of_keys``).

    publiccode.yml wins where both give a language (compared by its primary subtag, so
    its ``fr-CA`` keeps ORE's ``fr`` out): it is the repository's own word, kept beside the
    code by its maintainers, while an inventory's is written by whoever listed the release
    and is updated on the inventory's schedule. Between inventories, the first in
    ``inventory_texts.INVENTORIES`` wins."""
    given = descriptions_of(publiccode)
    out = Descriptions(dict(given), dict.fromkeys(given, PUBLICCODE))
    for described in inventories:
        for tag, text in described.descriptions.items():
            words = text.strip() if isinstance(text, str) else ""
            if words and LANGUAGE_TAG.match(tag) and _base(tag) not in map(_base, out.texts):
                out.texts[tag] = clip(words, MAX_SHOWN)
                out.sources[tag] = described.inventory
    return out


def _base(tag: str) -> str:
    return tag.replace("_", "-").split("-", 1)[0].lower()


def descriptions_of(found: Any) -> dict[str, str]:
    """Short descriptions by language tag of publiccode.yml's ``descriptions`` mapping (the
    long one's start where a language gives no short one; anything else: none)."""
    if not isinstance(found, dict):
        return {}
    out = {}
    for tag, texts in found.items():
        if isinstance(texts, dict) and isinstance(tag, str) and LANGUAGE_TAG.match(tag):
            text = (texts.get("short") or texts.get("long") or "").strip()
            if text:
                out[tag] = clip(text, MAX_SHOWN)
    return out


def in_language(texts: dict[str, str], lang: str, *, fallback: str = "") -> Localised:
    """The text of ``texts`` (by language tag) for a visitor reading ``lang``; else the
    ``fallback`` (tagged with its language when it is one of ``texts``); else any one."""
    tag = negotiate([lang], list(texts)) if texts else None
    if tag is not None:
        return Localised(texts[tag], tag)
    if fallback:
        same = [t for t, text in texts.items() if text == fallback]
        return Localised(fallback, same[0] if same else None)
    first = next(iter(texts.items()), None)
    return Localised(first[1], first[0]) if first else Localised("", None)
