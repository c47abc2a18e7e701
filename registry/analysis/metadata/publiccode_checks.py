"""Value checks of the publiccode.yml standard: URLs, dates, languages, countries, licences.

Each check is a small predicate on one string; the vocabularies live in
``data/publiccode_vocabularies.yml``. Checks that need the network (is the URL reachable,
is it an oEmbed video) or the Italian iPA register are deliberately not made here:
analysis is pure.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import langcodes
import pycountry
import regex
from license_expression import ExpressionError, get_spdx_licensing

from registry.analysis.metadata.yaml_bounded import safe_load

_DATA = Path(__file__).resolve().parents[1] / "data" / "publiccode_vocabularies.yml"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MIME = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IPA_CODE = re.compile(r"^[a-z0-9_]{2,}$")
IPA_URN = "urn:x-italian-pa:"


@cache
def vocabulary(name: str) -> frozenset[str]:
    """One list from the vocabularies file (``categories``, ``scopes``, ``aliases``…)."""
    with _DATA.open(encoding="utf-8") as handle:
        data = safe_load(handle.read())
    return frozenset(str(v) for v in data[name])


@cache
def ordered(name: str) -> tuple[str, ...]:
    """The same list in file order, for messages that enumerate it."""
    with _DATA.open(encoding="utf-8") as handle:
        return tuple(str(v) for v in safe_load(handle.read())[name])


def is_url(value: str) -> bool:
    """An absolute URL with a scheme and a host (``https://…``, ``git://…``, ``ssh://…``)."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return bool(parts.scheme and parts.netloc) and " " not in value.strip()


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_video_url(value: str) -> bool:
    """An HTTP URL on a known oEmbed video provider (the standard asks for oEmbed videos)."""
    if not is_http_url(value):
        return False
    host = (urlsplit(value.strip()).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in vocabulary("video_hosts"))


def is_uri(value: str) -> bool:
    """Any absolute URI: a scheme and something after it (``urn:…``, ``https://…``)."""
    return bool(_SCHEME.match(value)) and len(value) > value.index(":") + 1


def is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_mime_type(value: str) -> bool:
    return bool(_MIME.match(value))


def is_ipa_code(value: str) -> bool:
    """The shape of an Italian iPA code (lower case, digits, underscores).

    Whether the code exists needs the iPA register, which analysis does not hold.
    """
    return bool(_IPA_CODE.match(value))


def is_bcp47(tag: str) -> bool:
    """A BCP 47 language tag (``en``, ``en-GB``, ``it``); POSIX ``en_GB`` is not one."""
    if not tag or "_" in tag or not tag.isascii() or any(c.isspace() for c in tag):
        return False
    try:
        return bool(langcodes.tag_is_valid(tag))
    except Exception:  # langcodes rejects some odd tags by raising
        return False


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code, upper or lower case (lower is deprecated), not mixed."""
    if len(code) != 2 or not code.isascii() or code not in (code.upper(), code.lower()):
        return False
    return _country(code.upper())


@cache
def _country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


@cache
def _licensing():  # type: ignore[no-untyped-def]
    return get_spdx_licensing()


def spdx_expression_problem(value: str) -> str | None:
    """None when ``value`` is an SPDX licence expression, else why not.

    ``LicenseRef-…`` ids are allowed by the SPDX specification and so accepted here.
    """
    if not value.strip():
        return "empty"
    try:
        parsed = _licensing().parse(value, validate=False, simple=False)
        unknown = _licensing().unknown_license_keys(parsed)
    except ExpressionError as exc:
        return str(exc)
    except Exception as exc:  # the parser is third-party; odd input must not escape
        return type(exc).__name__
    unknown = [k for k in unknown if not k.startswith(("LicenseRef-", "DocumentRef-"))]
    return f"unknown licence ids: {', '.join(unknown)}" if unknown else None


def graphemes(text: str) -> int:
    """Length in user-perceived characters (grapheme clusters), as the standard counts."""
    return len(regex.findall(r"\X", text))


def logo_problem(value: str) -> str | None:
    """Why a logo path is refused: absolute paths, ``file:`` URLs, unknown extensions.

    HTTP(S) URLs are not judged by their extension: a server may serve an image from any path.
    """
    if value.lower().startswith("file:"):
        return "is a file:// URL. Only relative paths or HTTP(s) URLs allowed"
    if value.startswith("/"):
        return "is an absolute path. Only relative paths or HTTP(s) URLs allowed"
    if is_http_url(value):
        return None
    if not value.lower().endswith(tuple(ordered("logo_extensions"))):
        return f"invalid file extension for: {value}"
    return None
