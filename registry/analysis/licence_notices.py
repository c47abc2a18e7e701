"""The GNU licensing notice, in English and in the common translations: which version of
the GPL, LGPL or AGPL a project is under, and whether "only" or "or any later version".

A GNU licence text cannot say it (the same GPL-3.0 text serves both); the notice can:
"either version 3 of the License, or (at your option) any later version". Phrases live in
``data/gnu_notices.toml``; matching is on normalised words (lower case, no accents, letters
and digits only), so line breaks, comment markers and punctuation do not matter. Pure and
bounded: only the first ``MAX_NOTICE_CHARS`` of a text are searched.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("data") / "gnu_notices.toml"
_WORD = re.compile(r"[^\W_]+")
_COMPACT = re.compile(r"^(a|l)?gplv?([123])$")  # gplv3, lgplv2, agpl3
_PLUS = re.compile(r"\b([AL]?)GPL-?v?([123])(?:\.[01])?\+", re.IGNORECASE)  # GPLv3+, GPL-2.0+
_HINTS = ("gpl", "general", "publi", "pubbli", "ffentlich")  # a GNU name may be near
_VERSIONS = {"GPL": ("1.0", "2.0", "3.0"), "LGPL": ("2.0", "2.1", "3.0"), "AGPL": ("1.0", "3.0")}
MAX_NOTICE_CHARS = 8_000
_AFTER = 40  # words after a licence name in which its version is looked for
_BEFORE = 8  # words before it ("version 2 of the GNU General Public License")
_LATER_WINDOW = 16  # words after the version in which "any later version" may stand


@dataclass(frozen=True)
class Notice:
    """One GNU notice: the SPDX id it states and the words that say so."""

    spdx: str  # e.g. "GPL-3.0-or-later", "LGPL-2.1-only"
    phrase: str  # the notice's words, for evidence ("gnu general public license … later")
    explicit: bool  # "any later version" / "only" said in words, not implied


@dataclass(frozen=True)
class _Phrases:
    names: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # first word -> (words, family)
    lesser_q: frozenset[str]
    affero_q: frozenset[str]
    version_words: frozenset[str]
    later: tuple[tuple[str, ...], ...]
    only: frozenset[str]
    licensing: frozenset[str]


def plain_words(text: str) -> list[str]:
    """Lower-case words without accents ("Générale" -> "generale")."""
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered.replace("ß", "ss"))
        lowered = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(lowered)


@cache
def _phrases() -> _Phrases:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    names = [(tuple(plain_words(n)), "GPL") for n in data["names"]]
    names += [(tuple(plain_words(n)), "LGPL") for n in data["lesser"]]
    names += [(tuple(plain_words(n)), "AGPL") for n in data["affero"]]
    names.sort(key=lambda item: -len(item[0]))  # longest first
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, family in names:
        by_first.setdefault(phrase[0], []).append((phrase, family))
    return _Phrases(
        names={first: tuple(found) for first, found in by_first.items()},
        lesser_q=frozenset(data["lesser_qualifiers"]),
        affero_q=frozenset(data["affero_qualifiers"]),
        version_words=frozenset(data["version_words"]),
        later=tuple(tuple(plain_words(p)) for p in data["later"]),
        only=frozenset(data["only"]),
        licensing=frozenset(data["licensing"]),
    )


def _name_at(words: list[str], i: int, table: _Phrases) -> tuple[int, str, str | None] | None:
    """(words the name spans, family, version it carries) of a GNU licence name at ``i``."""
    compact = _COMPACT.match(words[i])
    if compact:
        family = {"a": "AGPL", "l": "LGPL"}.get(compact.group(1) or "", "GPL")
        return 1, family, compact.group(2)
    for phrase, family in table.names.get(words[i], ()):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return len(phrase), family, None
    return None


def _qualified(words: list[str], start: int, end: int, family: str, table: _Phrases) -> str:
    if family != "GPL":
        return family
    near = set(words[max(0, start - 2) : start]) | set(words[end : end + 3])
    if near & table.affero_q:
        return "AGPL"
    if near & table.lesser_q:
        return "LGPL"
    return family


def _number(words: list[str], at: int, family: str) -> tuple[str, int] | None:
    """A version of ``family`` at ``words[at]`` ("3", "2 1", "3 0", "v3"), and its end."""
    if at >= len(words):
        return None
    word = words[at].removeprefix("v")
    if word not in {"1", "2", "3"}:
        return None
    minor = words[at + 1] if at + 1 < len(words) and words[at + 1] in {"0", "1"} else None
    version = f"{word}.{minor or '0'}"
    if version not in _VERSIONS[family]:
        version = f"{word}.0"
    if version not in _VERSIONS[family]:
        return None
    return version, at + (2 if minor else 1)


def _version(
    words: list[str], start: int, end: int, family: str, table: _Phrases
) -> tuple[str, int, int] | None:
    """(version, first word, word after it) named near a licence name at ``start:end``."""
    direct = _number(words, end, family)  # "GPL 2", "GPL-3.0"
    if direct:
        return direct[0], end, direct[1]
    lo = max(0, start - _BEFORE)
    for at in [*range(end, min(len(words), end + _AFTER)), *range(lo, start)]:
        if words[at] in table.version_words:  # "version 3", "versione 2 1", "v 3"
            found = _number(words, at + 1, family)
        elif re.fullmatch(r"v[123]", words[at]):  # "v3"
            found = _number(words, at, family)
        else:
            continue
        if found:
            return found[0], at, found[1]
    return None


def _window_end(words: list[str], at: int, table: _Phrases) -> int:
    """Where the words about one licence end: ``_LATER_WINDOW`` on, or the next name."""
    end = min(len(words), at + _LATER_WINDOW)
    for i in range(at, end):
        if _name_at(words, i, table) is not None:
            return i
    return end


def _later_end(words: list[str], at: int, end: int, table: _Phrases) -> int:
    """Where the first "any later version" phrase in ``words[at:end]`` ends, or -1."""
    for i in range(at, end):
        for phrase in table.later:
            if tuple(words[i : i + len(phrase)]) == phrase:
                return i + len(phrase)
    return -1


def find_notice(text: str) -> Notice | None:
    """The first GNU notice in ``text`` that names a version, or None."""
    sample = text[:MAX_NOTICE_CHARS]
    lowered = sample.lower()
    if not any(hint in lowered for hint in _HINTS):  # most files name no licence at all
        return None
    words = plain_words(sample)
    table = _phrases()
    plus = {
        ({"a": "AGPL", "l": "LGPL"}.get(m.group(1).lower(), "GPL"), m.group(2))
        for m in _PLUS.finditer(sample)
    }
    i = 0
    while i < len(words):
        hit = _name_at(words, i, table)
        if hit is None:
            i += 1
            continue
        span, family, carried = hit
        start, end = i, i + span
        family = _qualified(words, start, end, family, table)
        if carried:  # "gplv3", "lgplv2 1"
            has_minor = end < len(words) and words[end] in {"0", "1"}
            version = f"{carried}.{words[end] if has_minor else '0'}"
            if version not in _VERSIONS[family]:
                version = f"{carried}.0"
            if version not in _VERSIONS[family]:
                i = end
                continue
            v_start, v_end = start, end + 1 if has_minor else end
        else:
            located = _version(words, start, end, family, table)
            if located is None:
                i = end
                continue
            version, v_start, v_end = located
        spdx_base = f"{family}-{version}"
        window_end = _window_end(words, v_end, table)
        phrase = " ".join(words[min(start, v_start) : window_end])[:300]
        if (family, version[0]) in plus:  # "GPLv3+": a declaration in itself
            return Notice(f"{spdx_base}-or-later", phrase, True)
        # Only a licensing statement is a notice: the MPL's list of "Secondary Licenses"
        # ("… Version 3.0, or any later versions of those licenses") is not one.
        labelled = {"license", "licence"} & set(words[max(0, start - 2) : start])
        if not labelled and not set(words[max(0, start - 12) : window_end]) & table.licensing:
            i = end
            continue
        later = _later_end(words, v_end, window_end, table)
        if later >= 0:
            said = " ".join(words[min(start, v_start) : later])[:300]
            return Notice(f"{spdx_base}-or-later", said, True)
        near = set(words[v_end : v_end + 4]) | set(words[max(0, v_start - 3) : v_start])
        explicit = bool(near & table.only)
        return Notice(f"{spdx_base}-only", phrase, explicit)
    return None
