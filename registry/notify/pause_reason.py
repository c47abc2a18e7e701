"""Why a subscription was paused, in words.

The sentence is stored with the subscription in English (the API, the CLI and the audit log
read it as it is) and read back here to be said again in a reader's language, on the
subscriptions pages and in the mail that tells the owner. The last failure inside it is the
receiver's own error, quoted as it came.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from registry.i18n import N_

PAUSED_BECAUSE = N_("every delivery failed for %(days)s days; the last: %(reason)s")
MAX_CHARS = 500  # the column's size
_STORED = re.compile(r"every delivery failed for (\d+(?:\.\d+)?) days; the last: (.*)", re.S)


def stored(days: float, last: str) -> str:
    """The sentence kept with the paused subscription (English, the catalogue's msgid)."""
    return (PAUSED_BECAUSE % {"days": f"{days:.1f}", "reason": last})[:MAX_CHARS]


def read(text: str) -> tuple[float, str] | None:
    """(days of failures, the last failure) from a stored sentence; None for any other text."""
    found = _STORED.fullmatch(text)
    return (float(found[1]), found[2]) if found else None


def in_words(
    text: str | None, *, gettext: Callable[[str], str], number: Callable[[float], str]
) -> str:
    """The stored sentence in the reader's language (``gettext`` and ``number`` are that
    language's); a text not made by ``stored`` is shown as it is."""
    parts = read(text or "")
    if parts is None:
        return text or ""
    days, last = parts
    return gettext(PAUSED_BECAUSE) % {"days": number(days), "reason": last}
