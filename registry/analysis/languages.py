"""Languages by bytes, counted the way GitHub Linguist counts them.

go-enry (``enry``) carries Linguist's own data: which paths are vendored, generated or
documentation, which languages an extension may mean, and the content heuristics that
tell C from C++ from Objective-C. Only ``programming`` and ``markup`` languages count,
as on GitHub. Content is read only when the name alone cannot decide, and then only a
prefix of ``content_sample`` bytes (``GOVCODE_LANGUAGE_SAMPLE_BYTES``) whatever the file's
size, so a crawl does not pay to read every blob and a big ``.cs`` file is still read as C#.
Content is never guessed from nothing: with an empty sample go-enry's classifier answers
its prior (``.cs`` -> Smalltalk, ``.rs`` -> XML). A file whose content cannot be read at
all (left out of a partial clone) takes what readable files with the same extension in
the same tree turned out to be, else the one candidate on Linguist's popular list, else
it is left out.

Each enry call crosses into Go and runs Linguist's regular expressions (``is_vendor``
alone costs ~50 µs), so answers that depend on the path alone are remembered: name
lookups by file name or extension (a few hundred distinct ones), exclusions by path (the
provenance analysis asks again about the same paths).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import enry
from enry._c_enry import ffi
from enry.definitions import lib
from enry.utils import go_str_slice_to_py

from registry.analysis.tree import FileEntry, Tree

COUNTED_TYPES = frozenset({"programming", "markup"})
DEFAULT_CONTENT_SAMPLE = 16_384
_DATA = Path(__file__).with_name("data") / "languages.toml"


@dataclass(frozen=True)
class LanguageShare:
    language: str
    bytes: int
    share: float  # 0..1 of the counted bytes


@dataclass(frozen=True)
class LanguageFinding:
    shares: tuple[LanguageShare, ...]  # biggest first

    @property
    def primary(self) -> str | None:
        return self.shares[0].language if self.shares else None


def clean_path(path: str) -> str:
    """A path enry can take: valid UTF-8, no NUL (C strings stop at the first NUL)."""
    return path.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def extension_key(path: str) -> str:
    """The part of the name enry looks extensions up by: from its first dot, lower case."""
    name = path.rsplit("/", 1)[-1]
    dot = name.find(".")
    return name[dot:].lower() if dot >= 0 else ""


def extension_candidates(path: str) -> list[str]:
    """Every language the file's extension may mean.

    enry-python 0.2 wraps only the singular ``get_language_by_extension`` (which answers
    the alphabetically first candidate, so ``.h`` looks certain), while the shared
    library it ships exports the plural call; use it so ambiguity is visible. enry tries
    each dot suffix of the lower-cased name, so the name from its first dot decides.
    """
    key = extension_key(path)
    return list(_by_extension(key)) if key else []


@lru_cache(maxsize=4096)
def _by_extension(suffix: str) -> tuple[str, ...]:
    res = lib.GetLanguagesByExtension(suffix.encode(), b"", 0, ffi.NULL)
    return tuple(go_str_slice_to_py(lib, res))


@lru_cache(maxsize=4096)
def _by_filename(name: str) -> tuple[str, ...]:
    return tuple(enry.get_languages_by_filename(name))


@lru_cache(maxsize=16_384)
def is_excluded_path(path: str) -> bool:
    """Paths Linguist leaves out of the statistics whatever their content."""
    return (
        enry.is_vendor(path)
        or enry.is_documentation(path)
        or enry.is_dot_file(path)
        or enry.is_image(path)
    )


@lru_cache(maxsize=16_384)
def generated_by_name(path: str) -> bool:
    """Generated whatever the content: lock files, minified bundles, build output."""
    return enry.is_generated(path, b"")


@lru_cache(maxsize=1024)
def is_counted(language: str) -> bool:
    """Linguist's statistics count programming and markup languages only."""
    return bool(language) and enry.get_language_type(language) in COUNTED_TYPES


@cache
def popular_languages() -> frozenset[str]:
    """Linguist's popular languages (``data/languages.toml``)."""
    return frozenset(tomllib.loads(_DATA.read_text(encoding="utf-8"))["popular"])


def popular_choice(candidates: Sequence[str]) -> str | None:
    """The one counted candidate on Linguist's popular list, or None (none, or several)."""
    chosen = [c for c in candidates if c in popular_languages() and is_counted(c)]
    return chosen[0] if len(chosen) == 1 else None


def name_candidates(path: str) -> list[str]:
    """The languages the name may mean: by exact file name first, else by extension."""
    return list(_by_filename(path.rsplit("/", 1)[-1])) or extension_candidates(path)


def counted_language(path: str, content: bytes) -> str | None:
    """The language to count ``path`` under, given its content, or None if not counted."""
    if content and enry.is_binary(content):
        return None
    if enry.is_generated(path, content):
        return None
    language = enry.get_language(path, content)
    return language if is_counted(language) else None


def is_source(path: str, content: bytes) -> bool:
    """Whether a file whose content is in hand is source code Linguist would count.

    For provenance the exact language does not matter, so the content classifier (which
    costs milliseconds on ``.m`` or ``.pl`` files) never runs: the language the name most
    likely means decides.
    """
    candidates = name_candidates(path)
    if not candidates:
        return "." not in path.rsplit("/", 1)[-1] and counted_language(path, content) is not None
    # never enry's empty-content guess first: that is its prior (``.rs`` -> XML)
    likely = candidates[0] if len(candidates) == 1 else popular_choice(candidates)
    likely = likely or enry.get_language(path, b"")
    if not is_counted(likely):  # e.g. ``.md`` is Markdown unless proven otherwise
        return False
    return not enry.is_binary(content) and not enry.is_generated(path, content)


def _classify(
    tree: Tree, entry: FileEntry, content_sample: int
) -> tuple[str | None, tuple[str, ...]]:
    """(language or None, the candidates still open when the content could not be read)."""
    if entry.is_symlink or entry.size <= 0:
        return None, ()
    path = clean_path(entry.path)
    if not path or is_excluded_path(path) or generated_by_name(path):
        return None, ()  # generated by name: lock files, minified bundles
    candidates = name_candidates(path)
    if candidates and not any(is_counted(lang) for lang in candidates):
        return None, ()  # data or prose whatever it holds (.json, .yml, .txt): never read
    if len(candidates) == 1:
        return candidates[0], ()
    if not candidates and "." in path.rsplit("/", 1)[-1]:
        return None, ()  # an extension Linguist does not know
    # A prefix, whatever the size: a large file is classified as its first bytes read.
    content = tree.read_prefix(entry.path, max(content_sample, 1))
    if not content:  # not readable at all: never classify empty content
        return None, tuple(c for c in candidates if is_counted(c))
    return counted_language(path, content), ()


def entry_language(
    tree: Tree, entry: FileEntry, content_sample: int = DEFAULT_CONTENT_SAMPLE
) -> str | None:
    """Classify one tree entry; read at most ``content_sample`` bytes of it, and only if
    the name is ambiguous (``.h``, ``.pl``, ``.cs``, an extensionless script)."""
    language, undecided = _classify(tree, entry, content_sample)
    return popular_choice(undecided) if undecided else language


def analyse_languages(
    tree: Tree, *, content_sample: int = DEFAULT_CONTENT_SAMPLE
) -> LanguageFinding:
    """Bytes per counted language, biggest first, with each one's share of the total."""
    sizes: Counter[str] = Counter()
    read_as: dict[str, Counter[str]] = {}  # extension -> languages its readable files were
    unread: list[tuple[FileEntry, tuple[str, ...]]] = []
    for entry in tree.entries():
        language, undecided = _classify(tree, entry, content_sample)
        if undecided:
            unread.append((entry, undecided))
        elif language is not None:
            sizes[language] += entry.size
            read_as.setdefault(extension_key(clean_path(entry.path)), Counter())[language] += 1
    for entry, candidates in unread:
        language = _by_name_alone(extension_key(clean_path(entry.path)), candidates, read_as)
        if language is not None:
            sizes[language] += entry.size
    total = sum(sizes.values())
    ordered = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
    return LanguageFinding(tuple(LanguageShare(lang, size, size / total) for lang, size in ordered))


def _by_name_alone(
    key: str, candidates: tuple[str, ...], read_as: dict[str, Counter[str]]
) -> str | None:
    """An unreadable file's language: what most readable files with its extension in this
    tree were (among its candidates), else the one popular candidate, else None."""
    seen = read_as.get(key, Counter()) if key else Counter()
    ranked = [(n, lang) for lang, n in seen.items() if lang in candidates]
    if ranked:
        return max(ranked, key=lambda item: (item[0], -candidates.index(item[1])))[1]
    return popular_choice(candidates)
