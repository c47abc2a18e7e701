"""package.json (npm) and composer.json (PHP Composer): both JSON, both name + dependency maps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import mapping, text, texts
from registry.analysis.metadata.manifest_types import Partial

NPM_SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
COMPOSER_SECTIONS = ("require", "require-dev")


def _object(source: str, what: str) -> Mapping[str, Any]:
    try:
        doc = json.loads(source)
    except (ValueError, RecursionError) as exc:
        raise MetadataError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(doc, Mapping):
        raise MetadataError(f"{what} is not a JSON object")
    return doc


def _licence_values(value: Any) -> list[str | None]:
    """ "MIT", {"type": "MIT"}, or the old list of {"type": …} objects."""
    items = value if isinstance(value, list) else [value]
    return [text(mapping(item).get("type")) or text(item) for item in items]


def parse_package_json(source: str) -> Partial:
    doc = _object(source, "package.json")
    part = Partial()
    name = text(doc.get("name"))
    if name and doc.get("private") is not True:
        part.publish("npm", name, text(doc.get("version")))
    part.licence(_licence_values(doc.get("license")))
    part.licence(_licence_values(doc.get("licenses")))
    for section in NPM_SECTIONS:
        for dep, spec in mapping(doc.get(section)).items():
            # "workspace:*", "file:../x" and "link:" point inside the repository itself.
            local = isinstance(spec, str) and spec.startswith(("workspace:", "file:", "link:"))
            if not local:
                part.depend("npm", text(dep), text(spec))
    return part


def _is_platform(name: str) -> bool:
    """Composer's own pseudo-packages: the PHP runtime, its extensions and libraries."""
    lowered = name.lower()
    return lowered in {"php", "php-64bit", "hhvm", "composer", "composer-plugin-api"} or (
        lowered.startswith(("ext-", "lib-"))
    )


def parse_composer_json(source: str) -> Partial:
    doc = _object(source, "composer.json")
    part = Partial()
    name = text(doc.get("name"))
    if name and "/" in name:
        part.publish("composer", name.lower(), text(doc.get("version")))
    part.licence(texts(doc.get("license")))
    for section in COMPOSER_SECTIONS:
        for dep, spec in mapping(doc.get(section)).items():
            dep_name = text(dep)
            if dep_name and not _is_platform(dep_name):
                part.depend("composer", dep_name.lower(), text(spec))
    return part
