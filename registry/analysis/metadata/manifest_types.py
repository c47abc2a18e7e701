"""The values manifest parsers return; shared by the per-ecosystem modules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ECOSYSTEMS = ("npm", "pypi", "maven", "go", "composer", "rubygems", "cargo", "nuget")
MAX_DEPENDENCIES = 2_000  # from one manifest; real ones have tens


@dataclass(frozen=True)
class PackageRef:
    """A package in a registry: ``ecosystem`` is one of ECOSYSTEMS (Gradle counts as maven)."""

    ecosystem: str
    name: str
    version_spec: str | None = None


@dataclass
class Partial:
    """What one manifest says; ``analyse_manifests`` merges them."""

    published: list[PackageRef] = field(default_factory=list)
    dependencies: list[PackageRef] = field(default_factory=list)
    licences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def depend(self, ecosystem: str, name: str | None, spec: str | None = None) -> None:
        if name and len(self.dependencies) < MAX_DEPENDENCIES:
            self.dependencies.append(PackageRef(ecosystem, name, spec or None))

    def publish(self, ecosystem: str, name: str | None, version: str | None = None) -> None:
        if name:
            self.published.append(PackageRef(ecosystem, name, version or None))

    def licence(self, values: Iterable[str | None]) -> None:
        self.licences.extend(value for value in values if value)
