"""Validation of a composed publiccode.yml: the version gate, then the type and rule passes.

The version decides everything else, as in the reference parser: no version, a version of
the wrong kind or an unknown one is the only problem reported, because the rest of the
file cannot be judged against a standard we do not know it follows.
"""

from __future__ import annotations

from registry.analysis.metadata import publiccode_checks as checks
from registry.analysis.metadata.publiccode_problems import Reporter
from registry.analysis.metadata.publiccode_rules import FileLookup, Rules
from registry.analysis.metadata.publiccode_schema import WRONG_TYPE, TypePass
from registry.analysis.metadata.publiccode_view import View
from registry.analysis.metadata.publiccode_yaml import MappingNode, ScalarNode, line_index

__all__ = ["FileLookup", "legacy_version", "validate"]

VERSION = "publiccodeYmlVersion"
LEGACY_VERSION_KEY = "publiccode-yaml-version"  # 0.1 wrote "http://w3id.org/publiccode/version/0.1"


def legacy_version(root: View) -> str | None:
    """ "0.1" for a file that declares the 0.1 way, else None."""
    value = root.text(LEGACY_VERSION_KEY)
    if value is None:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1] or None


def validate(root: MappingNode, report: Reporter, files: FileLookup = None) -> None:
    view = View(root, "")
    if not _version_gate(view, report):
        return
    passes = TypePass(report, line_index(root))
    passes.run(root)
    Rules(report, files).run(view, passes.broken)


def _version_gate(view: View, report: Reporter) -> bool:
    """Reports version problems; True when the rest of the file should be validated."""
    legacy = legacy_version(view) if view.raw(VERSION) is None else None
    if legacy is not None or view.text(VERSION) in checks.vocabulary("legacy_versions"):
        message = (
            f"v{legacy or view.text(VERSION)} predates the versions validated here: "
            "its fields are read with their old names mapped, not validated"
        )
        report.warning(
            VERSION, message, view.key_node(VERSION) or view.key_node(LEGACY_VERSION_KEY)
        )
        return False
    node = view.value(VERSION)
    if node is not None and not isinstance(node, ScalarNode):
        report.error(VERSION, WRONG_TYPE, node)
        return False
    version = view.text(VERSION)
    if version is None:
        report.error(VERSION, f"{VERSION} is a required field", None)
        return False
    supported = checks.ordered("versions")
    if version not in supported:
        message = f"unsupported version: '{version}'. Supported versions: {', '.join(supported)}"
        report.error(VERSION, message, None)
        return False
    if version != "0":
        latest = supported[-1]  # the vocabulary lists the newest last
        message = f"v{version} is not the latest version, use '0'. Parsing this file as v{latest}."
        report.warning(VERSION, message, view.key_node(VERSION))
    return True
