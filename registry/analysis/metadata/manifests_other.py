"""Go modules, Rust crates and Ruby gems."""

from __future__ import annotations

import re
import tomllib

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import mapping, text
from registry.analysis.metadata.manifest_types import Partial

CARGO_SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")
_GO_MODULE = re.compile(r"^[ \t]*module[ \t]+\"?([^\s\"]+)\"?", re.M)
_GO_REQUIRE_LINE = re.compile(r"^\s*(?:require\s+)?([^\s()\"]+)\s+(v[^\s]+)(.*)$")
_GEM = re.compile(
    r"""^[ \t]*gem[ \t]*(?:\([ \t]*)?["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)""", re.M
)
_SPEC_STRINGS = re.compile(r"""["']([^"']*)["']""")
_GEMSPEC_NAME = re.compile(r"""\.name\s*=\s*["']([^"']+)["']""")
_GEMSPEC_LICENCE = re.compile(r"""\.licenses?\s*=\s*(?:\[\s*)?((?:["'][^"']*["']\s*(?:,\s*)?)+)""")
_GEMSPEC_DEP = re.compile(
    r"""\.add_(?:runtime_|development_)?dependency\s*(?:\(\s*)?["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)"""
)


def parse_go_mod(source: str) -> Partial:
    """``module`` is what is published; direct ``require`` lines are dependencies
    (``// indirect`` ones are transitive and say nothing about this repository's choices)."""
    part = Partial()
    module = _GO_MODULE.search(source)
    if module:
        part.publish("go", module.group(1))
    in_block = False
    for raw in source.splitlines():
        line = raw.strip()
        if line.startswith("require") and line.rstrip().endswith("("):
            in_block = True
            continue
        if in_block and line.startswith(")"):
            in_block = False
            continue
        if not (in_block or line.startswith("require ")):
            continue
        match = _GO_REQUIRE_LINE.match(line)
        if match and "// indirect" not in match.group(3):
            part.depend("go", match.group(1), match.group(2))
    return part


def parse_cargo_toml(source: str) -> Partial:
    try:
        doc = tomllib.loads(source)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise MetadataError(f"Cargo.toml is not valid TOML: {exc}") from None
    part = Partial()
    package = mapping(doc.get("package"))
    name = text(package.get("name"))
    if name and package.get("publish") is not False:
        part.publish("cargo", name, text(package.get("version")))
    part.licence([text(package.get("license"))])
    for section in CARGO_SECTIONS:
        for dep, spec in mapping(doc.get(section)).items():
            table = mapping(spec)
            if "path" in table or "git" in table:
                continue  # not from crates.io
            crate = text(table.get("package")) or text(dep)
            part.depend("cargo", crate, text(spec) or text(table.get("version")))
    return part


def _specs(tail: str) -> str | None:
    found = [s.strip() for s in _SPEC_STRINGS.findall(tail) if s.strip()]
    return ", ".join(found) or None


def parse_gemfile(source: str) -> Partial:
    part = Partial()
    for name, tail in _GEM.findall(source):
        part.depend("rubygems", name, _specs(tail))
    return part


def parse_gemspec(source: str) -> Partial:
    part = Partial()
    name = _GEMSPEC_NAME.search(source)
    if name:
        part.publish("rubygems", name.group(1))
    licences = _GEMSPEC_LICENCE.search(source)
    if licences:
        part.licence(_SPEC_STRINGS.findall(licences.group(1)))
    for dep, tail in _GEMSPEC_DEP.findall(source):
        part.depend("rubygems", dep, _specs(tail))
    return part
