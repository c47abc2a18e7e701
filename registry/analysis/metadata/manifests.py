"""The packages a repository publishes and the ones it depends on, from its manifests.

These feed the reuse graph: an agency's repository that depends on ``@alberta/covid-check``
reuses the repository that publishes it. Only the root and one level of sub-directories are
read (a monorepo's packages), at most ``max_manifests`` files of at most ``max_bytes`` each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from posixpath import basename

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.manifest_types import PackageRef, Partial
from registry.analysis.metadata.manifests_js import parse_composer_json, parse_package_json
from registry.analysis.metadata.manifests_jvm import parse_csproj, parse_gradle, parse_pom
from registry.analysis.metadata.manifests_other import (
    parse_cargo_toml,
    parse_gemfile,
    parse_gemspec,
    parse_go_mod,
)
from registry.analysis.metadata.manifests_py import (
    parse_pyproject,
    parse_requirements,
    parse_setup_cfg,
)
from registry.analysis.tree import Tree, decode_text

__all__ = ["ManifestFinding", "PackageRef", "analyse_manifests", "parser_for"]

DEFAULT_MAX_MANIFESTS = 64
DEFAULT_MAX_BYTES = 512_000
SKIPPED_DIRS = frozenset({"node_modules", "vendor", "third_party", "third-party", ".git"})

Parser = Callable[[str], Partial]

_BY_NAME: dict[str, Parser] = {
    "package.json": parse_package_json,
    "composer.json": parse_composer_json,
    "pyproject.toml": parse_pyproject,
    "setup.cfg": parse_setup_cfg,
    "pom.xml": parse_pom,
    "build.gradle": parse_gradle,
    "build.gradle.kts": parse_gradle,
    "go.mod": parse_go_mod,
    "Cargo.toml": parse_cargo_toml,
    "Gemfile": parse_gemfile,
}


@dataclass(frozen=True)
class ManifestFinding:
    published: tuple[PackageRef, ...]
    dependencies: tuple[PackageRef, ...]
    declared_licences: tuple[tuple[str, str], ...]  # (manifest path, licence as written)
    manifests: tuple[str, ...]  # the paths read
    problems: tuple[str, ...]


def parser_for(path: str) -> Parser | None:
    """The parser for a manifest path, or None when the file is not a manifest we read."""
    name = basename(path)
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith("requirements") and name.endswith((".txt", ".in")):
        return parse_requirements
    if name.endswith(".gemspec"):
        return parse_gemspec
    if name.endswith(".csproj"):
        return parse_csproj
    return None


def _wanted(path: str) -> bool:
    parts = path.split("/")
    return len(parts) <= 2 and not (len(parts) == 2 and parts[0] in SKIPPED_DIRS)


def analyse_manifests(
    tree: Tree,
    *,
    max_manifests: int = DEFAULT_MAX_MANIFESTS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ManifestFinding:
    """Read every manifest at the root and one directory down, root first."""
    candidates = [
        entry.path
        for entry in tree.entries()
        if not entry.is_symlink and _wanted(entry.path) and parser_for(entry.path)
    ]
    candidates.sort(key=lambda p: (p.count("/"), p))
    problems: list[str] = []
    if len(candidates) > max_manifests:
        problems.append(f"{len(candidates)} manifests found; only {max_manifests} read")
        candidates = candidates[:max_manifests]
    published: dict[PackageRef, None] = {}
    dependencies: dict[tuple[str, str], PackageRef] = {}
    licences: list[tuple[str, str]] = []
    read: list[str] = []
    for path in candidates:
        data = tree.read(path, limit=max_bytes)
        if data is None:
            problems.append(f"{path}: larger than {max_bytes} bytes, not read")
            continue
        parser = parser_for(path)
        assert parser is not None
        try:
            part = parser(decode_text(data))
        except MetadataError as exc:
            problems.append(f"{path}: {exc}")
            continue
        read.append(path)
        for ref in part.published:
            published.setdefault(ref, None)
        for ref in part.dependencies:
            dependencies.setdefault((ref.ecosystem, ref.name), ref)
        licences.extend((path, licence) for licence in part.licences)
        problems.extend(f"{path}: {problem}" for problem in part.problems)
    own = {(ref.ecosystem, ref.name) for ref in published}
    return ManifestFinding(
        published=tuple(published),
        dependencies=tuple(ref for key, ref in dependencies.items() if key not in own),
        declared_licences=tuple(licences),
        manifests=tuple(read),
        problems=tuple(problems),
    )
