"""Python manifests: pyproject.toml (PEP 621 and Poetry), setup.cfg, requirements files.

Requirement strings are read with a small PEP 508 subset (name, extras, specifier, marker)
rather than ``packaging``, which is not a declared dependency; URLs, editable installs and
pip options are skipped because they name no registry package.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import mapping, text
from registry.analysis.metadata.manifest_types import Partial

_REQUIREMENT = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$")


def normalise(name: str) -> str:
    """PEP 503: one name however it is spelt (``Zope.Interface`` = ``zope-interface``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement(line: str) -> tuple[str, str | None] | None:
    """``requests[socks]>=2.31 ; python_version>"3.8"`` -> ("requests", ">=2.31")."""
    spec = line.split(";", 1)[0].strip()
    if not spec or "://" in spec or spec.startswith(("-", ".", "/")) or " @ " in spec:
        return None
    match = _REQUIREMENT.match(spec)
    if match is None:
        return None
    version = match.group(3).strip().strip("()").strip()
    return normalise(match.group(1)), version or None


def _requirements(part: Partial, lines: Iterable[Any]) -> None:
    for line in lines:
        if isinstance(line, str) and (req := requirement(line.split(" #", 1)[0])):
            part.depend("pypi", *req)


def _load_toml(source: str) -> Mapping[str, Any]:
    try:
        return tomllib.loads(source)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise MetadataError(f"pyproject.toml is not valid TOML: {exc}") from None


def parse_pyproject(source: str) -> Partial:
    doc = _load_toml(source)
    part = Partial()
    project = mapping(doc.get("project"))
    poetry = mapping(mapping(doc.get("tool")).get("poetry"))
    name = text(project.get("name")) or text(poetry.get("name"))
    if name:
        part.publish("pypi", normalise(name), text(project.get("version") or poetry.get("version")))
    for licence in (project.get("license"), poetry.get("license")):
        part.licence([text(licence) or text(mapping(licence).get("text"))])
    deps = project.get("dependencies")
    _requirements(part, deps if isinstance(deps, list) else [])
    for extra in mapping(project.get("optional-dependencies")).values():
        _requirements(part, extra if isinstance(extra, list) else [])
    for dep, spec in mapping(poetry.get("dependencies")).items():
        if isinstance(dep, str) and dep.lower() != "python":
            version = text(spec) or text(mapping(spec).get("version"))
            part.depend("pypi", normalise(dep), version)
    return part


def parse_setup_cfg(source: str) -> Partial:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(source)
    except (configparser.Error, ValueError) as exc:
        raise MetadataError(f"setup.cfg is not a valid INI file: {exc}") from None
    part = Partial()
    name = parser.get("metadata", "name", fallback=None)
    version = parser.get("metadata", "version", fallback=None)
    if version and version.strip().startswith(("attr:", "file:")):
        version = None  # computed at build time
    if name and name.strip() and "%" not in name:
        part.publish("pypi", normalise(name.strip()), version)
    part.licence([(parser.get("metadata", "license", fallback="") or "").strip()])
    _requirements(part, parser.get("options", "install_requires", fallback="").splitlines())
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            _requirements(part, value.splitlines())
    return part


def parse_requirements(source: str) -> Partial:
    part = Partial()
    _requirements(part, (line.strip() for line in source.splitlines()))
    return part
