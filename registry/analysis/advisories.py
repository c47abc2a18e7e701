"""Does a release note speak of a security fix? Advisory ids and the word "security".

A pure function of the text: CVE ids (``CVE-2026-12345``), GitHub advisory ids
(``GHSA-xxxx-xxxx-xxxx``) and the word "security" (any case) are what maintainers write
when a release fixes a vulnerability; nothing else in a note is read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CVE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
_GHSA = re.compile(r"\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b", re.IGNORECASE)
_WORD = re.compile(r"\bsecurity\b", re.IGNORECASE)
MAX_IDS = 20


@dataclass(frozen=True)
class SecurityMention:
    ids: tuple[str, ...]  # advisory ids as their databases spell them, in order, each once
    security: bool  # the note says "security" or names an advisory

    def __bool__(self) -> bool:
        return self.security


def security_mention(text: str) -> SecurityMention:
    matches = sorted([*_CVE.finditer(text), *_GHSA.finditer(text)], key=lambda m: m.start())
    found = [_spelt(m.group(0)) for m in matches]
    ids = tuple(dict.fromkeys(found))[:MAX_IDS]
    return SecurityMention(ids=ids, security=bool(ids) or _WORD.search(text) is not None)


def _spelt(found: str) -> str:
    """``CVE-2026-1234``; ``GHSA-j8r2-6x86-q33q`` (GitHub writes the rest in lower case)."""
    head, _, rest = found.partition("-")
    return f"CVE-{rest}" if head.upper() == "CVE" else f"GHSA-{rest.lower()}"
