"""codemeta.json (CodeMeta 1.x/2.x/3.x, JSON-LD read as plain JSON) into the fields govcode uses.

No JSON-LD expansion: real files use the compact CodeMeta keys, and expanding would mean
fetching remote contexts, which a pure reader must not do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_json, pick, text, texts
from registry.analysis.metadata.spdx_ids import is_deprecated, spdx_id

MAX_LIST = 500  # authors, keywords, links kept from one file


@dataclass(frozen=True)
class CodeMeta:
    name: str | None
    description: str
    licences: tuple[str, ...]  # canonical SPDX ids only; anything else is in ``problems``
    code_repository: str | None
    version: str | None
    keywords: tuple[str, ...]
    programming_languages: tuple[str, ...]
    authors: tuple[str, ...]
    is_based_on: tuple[str, ...]  # URLs of the software this one derives from (reuse signal)
    related_links: tuple[str, ...]
    development_status: str | None
    problems: tuple[str, ...]


def parse_codemeta(data: bytes) -> CodeMeta:
    """Read a codemeta.json; raise MetadataError unless it is a JSON object."""
    doc = load_json(data, "codemeta.json")
    if not isinstance(doc, Mapping):
        raise MetadataError("codemeta.json is not a JSON object")
    problems: list[str] = []
    if "codemeta" not in str(doc.get("@context", "")).lower():
        problems.append("@context does not name a CodeMeta context")
    licences = _licences(doc.get("license"), problems)
    return CodeMeta(
        name=text(doc.get("name")),
        description=text(doc.get("description")) or "",
        licences=licences,
        code_repository=_url(doc.get("codeRepository")),
        version=text(doc.get("softwareVersion")) or text(doc.get("version")),
        keywords=texts(doc.get("keywords"), split=",")[:MAX_LIST],
        programming_languages=_names(doc.get("programmingLanguage")),
        authors=_names(doc.get("author")),
        is_based_on=_urls(doc.get("isBasedOn")),
        related_links=_urls(doc.get("relatedLink")),
        development_status=_url(doc.get("developmentStatus")),
        problems=tuple(problems[:MAX_LIST]),
    )


def _items(value: Any) -> list[Any]:
    """JSON-LD allows one value or a list; some generators also write an object of numbered
    entries ({"1": {...}, "2": {...}})."""
    if isinstance(value, list):
        return value[:MAX_LIST]
    if isinstance(value, Mapping) and value and all(str(k).isdigit() for k in value):
        return list(value.values())[:MAX_LIST]
    return [] if value is None else [value]


def _url(value: Any) -> str | None:
    """A string, or the ``@id``/``url``/``identifier``/``name`` of an object."""
    if isinstance(value, Mapping):
        return text(pick(value, "@id", "url", "identifier", "name"))
    return text(value)


def _urls(value: Any) -> tuple[str, ...]:
    return texts([_url(item) for item in _items(value)])


def _names(value: Any) -> tuple[str, ...]:
    """People, organisations or languages: their name, else given + family name."""
    found: list[str | None] = []
    for item in _items(value):
        if isinstance(item, Mapping):
            full = " ".join(texts([item.get("givenName"), item.get("familyName")]))
            found.append(text(item.get("name")) or full or None)
        else:
            found.append(text(item))
    return texts(found)


def _licences(value: Any, problems: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for item in _items(value):
        declared = _url(item)
        if declared is None:
            continue
        identifier = spdx_id(declared)
        if identifier is None:
            problems.append(f"licence {declared[:200]!r} is not an SPDX licence id")
        elif identifier not in found:
            found.append(identifier)
            if is_deprecated(identifier):
                problems.append(f"licence {identifier!r} is a deprecated SPDX id")
    return tuple(found)
