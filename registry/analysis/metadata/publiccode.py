"""Read and validate a repository's publiccode.yml, whatever its version or state.

``parse_publiccode`` never raises: a registry crawls thousands of files written by hand,
so every defect becomes a ``PubliccodeProblem`` (with the key, message, line and column
the reference parser, italia/publiccode-parser-go, would give) and the fields that can
be read are read anyway. Versions 0.2 to 0.7 are validated; 0.1 (``publiccode-yaml-version``)
is read with its old field names mapped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

from registry.analysis.metadata.publiccode_fields import LocalisedDescription, extract
from registry.analysis.metadata.publiccode_problems import ERROR, PubliccodeProblem, Reporter
from registry.analysis.metadata.publiccode_validate import FileLookup, validate
from registry.analysis.metadata.publiccode_yaml import MappingNode, YamlFailure, compose
from registry.analysis.tree import Tree, decode_text

__all__ = [
    "LocalisedDescription",
    "Publiccode",
    "PubliccodeProblem",
    "find_publiccode",
    "parse_publiccode",
    "tree_files",
]

MAX_BYTES = 1_000_000
CANDIDATES = (
    "publiccode.yml",
    "publiccode.yaml",
    ".github/publiccode.yml",
    ".github/publiccode.yaml",
)


@dataclass(frozen=True)
class Publiccode:
    version: str | None = None
    name: str | None = None
    url: str | None = None
    landing_url: str | None = None
    is_based_on: tuple[str, ...] = ()
    development_status: str | None = None
    software_type: str | None = None
    licence: str | None = None
    main_copyright_owner: str | None = None
    repo_owner: str | None = None
    platforms: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    release_date: str | None = None
    software_version: str | None = None
    descriptions: dict[str, LocalisedDescription] = field(default_factory=dict)
    maintenance_type: str | None = None
    contacts: tuple[dict, ...] = ()
    problems: tuple[PubliccodeProblem, ...] = ()
    readable: bool = True

    @property
    def errors(self) -> tuple[PubliccodeProblem, ...]:
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def valid(self) -> bool:
        return self.readable and not self.errors

    def description(self, prefer: Sequence[str] = ("en",)) -> LocalisedDescription | None:
        """The text in the first preferred language (``en`` also matches ``en-GB``, ``eng``),
        else the first the file gives; None when it gives none."""
        by_tag = {lang.lower().replace("_", "-"): text for lang, text in self.descriptions.items()}
        for wanted in (w.lower() for w in prefer):
            primary = wanted.split("-")[0]
            if wanted in by_tag:
                return by_tag[wanted]
            for tag, text in by_tag.items():
                if tag.split("-")[0] in (primary, *_ISO639_2.get(primary, ())):
                    return text
        return next(iter(self.descriptions.values()), None)


# Version 0.1 wrote three-letter language keys; enough of them to find a preferred text.
_ISO639_2 = {"en": ("eng",), "it": ("ita",), "fr": ("fra", "fre"), "de": ("deu", "ger")}
_ISO639_2 |= {"nl": ("nld", "dut"), "es": ("spa",), "sv": ("swe",), "lt": ("lit",)}


def parse_publiccode(
    data: bytes, *, source: str = "publiccode.yml", files: FileLookup = None
) -> Publiccode:
    """The fields and problems of a publiccode.yml; never raises, whatever the bytes.

    ``files``, when given, looks relative paths (logo, screenshots, authorsFile) up in the
    repository, so their existence is checked too; ``source`` names the file in messages.
    """
    report = Reporter()
    if len(data) > MAX_BYTES:
        report.error("", f"{source} is larger than {MAX_BYTES} bytes", None)
        return Publiccode(problems=tuple(report.problems), readable=False)
    try:
        text = data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        text, utf8 = decode_text(data), False
    root = compose(text.removeprefix("\ufeff"))
    if isinstance(root, YamlFailure):
        problem = PubliccodeProblem("", root.message, root.line, root.column, ERROR)
        return Publiccode(problems=(problem,), readable=False)
    if not isinstance(root, MappingNode):
        report.error("", f"{source} is not a YAML mapping", None)
        return Publiccode(problems=tuple(report.problems), readable=False)
    if utf8:
        validate(root, report, files)
    else:
        report.error("", "Invalid UTF-8", None)
    try:
        fields = extract(root)
    except Exception as exc:  # extraction is lenient; this is the last guard of "never raises"
        report.error("", f"could not read fields: {type(exc).__name__}", None)
        return Publiccode(problems=tuple(report.problems), readable=False)
    return Publiccode(**fields, problems=tuple(report.problems))


def tree_files(tree: Tree, publiccode_path: str, *, limit: int = MAX_BYTES) -> FileLookup:
    """A ``files`` lookup for ``parse_publiccode``: paths relative to the publiccode.yml,
    read from ``tree``; paths that climb out of the repository are never found."""
    base = posixpath.dirname(publiccode_path)

    def lookup(relative: str) -> bytes | None:
        path = posixpath.normpath(posixpath.join(base, relative))
        if path.startswith(("../", "/")) or path == "..":
            return None
        return tree.read(path, limit)

    return lookup


def find_publiccode(tree: Tree, *, limit: int = MAX_BYTES) -> tuple[str, bytes] | None:
    """The repository's publiccode.yml (or .yaml) at the root, else under ``.github/``.

    Names match case-insensitively; symlinks and files over ``limit`` bytes are skipped.
    """
    by_lower = {e.path.lower(): e for e in tree.entries() if not e.is_symlink}
    for candidate in CANDIDATES:
        entry = by_lower.get(candidate)
        if entry is None or entry.size > limit:
            continue
        data = tree.read(entry.path, limit)
        if data is not None:
            return entry.path, data
    return None
