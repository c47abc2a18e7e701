"""Language-aware text: which stemmer a text gets, accent folding, word splitting.

Both engines index the same per-language fields (``text_en``, ``text_fr``, …), each with the
language's Snowball stemmer and accents folded, so a word is matched with its own language's
rules whichever engine serves. Text that says nothing of its language (a forge description, a
README) goes to the language whose common words it uses most, English when unsure.
"""

from __future__ import annotations

import re
import unicodedata

# ISO 639-1 -> Snowball stemmer name (both tantivy and Whoosh ship these).
LANGUAGES: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "nl": "dutch",
    "es": "spanish",
    "pt": "portuguese",
    "sv": "swedish",
}
DEFAULT_LANGUAGE = "en"

_COMMON_WORDS = {
    "en": "the and of to for is in with this that on are by from an",
    "fr": "le la les des de du et pour un une est en dans sur par au aux",
    "de": "der die das und für ist mit ein eine von zu den im auf",
    "it": "il lo la gli le di e per un una è che del della dei nel",
    "nl": "de het een en van voor is met dat op te in zijn",
    "es": "el la los las de y para un una es que del en por con",
    "pt": "o a os as de e para um uma é que do da em por com",
    "sv": "och att det som en för är med på av till den",
}
_STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _COMMON_WORDS.items()}
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case with accents removed ("Évaluation" -> "evaluation")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words, split on anything that is not a letter or digit."""
    return [w for w in _WORD.findall(fold(text).replace("_", " "))]


_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _stop in _STOPWORDS.items():
    for _w in _stop:
        _LANGS_OF[_w] = (*_LANGS_OF.get(_w, ()), _lang)


def guess_language(text: str) -> str:
    """The language whose common words the text uses most (English on a tie or no text)."""
    counts = dict.fromkeys(_STOPWORDS, 0)
    for w in _WORD.findall(text[:1000].casefold()):
        for lang in _LANGS_OF.get(w, ()):
            counts[lang] += 1
    best = max(counts, key=lambda lang: (counts[lang], lang == DEFAULT_LANGUAGE))
    return best if counts[best] else DEFAULT_LANGUAGE


def language_of(tag: str | None) -> str | None:
    """A publiccode.yml language tag ("fr", "fr-CA", "FR") as one of LANGUAGES, or None."""
    if not tag:
        return None
    code = tag.split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def edit_budget(word: str) -> int:
    """Typos tolerated in a word: none under 4 letters, one up to 7, two beyond."""
    return 0 if len(word) < 4 else 1 if len(word) <= 7 else 2
