"""Interface languages: gettext catalogues (Babel) in ``registry/locale/<lang>/LC_MESSAGES``.

The ``.po`` files are the only thing in the tree: each is compiled in memory the first time
its language is asked for (a few milliseconds), so a clean clone and an installed wheel both
have every language without a build step, and a ``.po`` edited by hand is what runs.
The available languages are the catalogue folders found: adding a language is adding its
``messages.po``. English is the language of the source text, so it is always available.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE = "en"  # the msgids are English


def catalogue_path(lang: str, root: Path = LOCALE_DIR) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def available(root: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The source language, then every language with a catalogue, by code (read once per
    process: a catalogue added takes effect at the next start)."""
    found = sorted(
        p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po") if _is_locale(p)
    )
    return (SOURCE, *(lang for lang in found if lang != SOURCE))


def _is_locale(po: Path) -> bool:
    try:
        Locale.parse(po.parent.parent.name)
    except (ValueError, UnknownLocaleError):
        return False
    return True


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (untranslated and fuzzy entries fall back to
    English); null translations for the source language or one without a catalogue."""
    path = catalogue_path(lang)
    if lang == SOURCE or not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$|^\*$")


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most wanted first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:50]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or not _TAG.match(tag):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(preferred: list[str], choices: tuple[str, ...] | list[str]) -> str | None:
    """The best of ``choices`` for ``preferred`` tags ("fr-CA" gets "fr", "en_GB" gets
    "en-GB" or "en"), or None when none fits."""
    if not choices:
        return None
    wanted = [t.replace("_", "-") for t in preferred if t != "*"]
    offered = {c.replace("_", "-"): c for c in choices}
    found = Locale.negotiate(wanted, list(offered), sep="-")
    if found is not None:
        # Babel answers with its own spelling of the tag; map it back to the choice given
        tag = str(found).replace("_", "-")
        for key, original in offered.items():
            if key.lower() == tag.lower():
                return original
    for tag in wanted:  # "fr" wanted, only "fr-CA" offered: the same language will do
        base = tag.split("-")[0].lower()
        for key, original in offered.items():
            if key.split("-")[0].lower() == base:
                return original
    return None


def choose(accept_language: str | None, choices: tuple[str, ...] | None = None) -> str:
    """The interface language for an ``Accept-Language`` header (English by default)."""
    choices = choices or available()
    return negotiate(parse_accept_language(accept_language or ""), choices) or SOURCE


def display_name(lang: str) -> str:
    """A language's name in itself ("Français"), for the language switcher."""
    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name() or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where shown."""
    return message
