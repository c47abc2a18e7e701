"""Metadata files beside publiccode.yml: package manifests, codemeta.json, a code.json.

They feed three parts of the stored record: the packages a repository publishes and depends
on (the dependency edges of the reuse graph), the licences it declares (evidence for the
licence finding), and short summaries in ``extra_metadata`` that pages and the API show.
A file that cannot be read is a problem noted in the summary, never a failed crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from posixpath import basename
from typing import Any

from crawlers.base import RepoRef
from registry.analysis.metadata.codejson import CodeJsonInventory, parse_code_json
from registry.analysis.metadata.codemeta import CodeMeta, parse_codemeta
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.manifests import ManifestFinding, analyse_manifests
from registry.analysis.tree import Tree
from registry.services.records import ReuseClaim
from registry.services.reuse_graph import normalise_package

ROOT_FILES = ("codemeta.json", "code.json")  # read at the root only: they describe the repo
MAX_BYTES = 512_000  # a codemeta.json or code.json larger than this is not metadata we read
MAX_LISTED = 100  # links, problems and packages kept in one summary
MAX_NAME = 300  # RepositoryPackage.name holds at most this many characters
SOURCE_CHARS = 50  # LicenceEvidence.source holds at most this many characters

Package = tuple[str, str, str, str | None]  # (ecosystem, name, role, version spec)


@dataclass(frozen=True)
class Metadata:
    """Everything read from the metadata files of one tree."""

    manifests: ManifestFinding
    codemeta: CodeMeta | None
    code_json: CodeJsonInventory | None
    problems: tuple[str, ...]  # files that could not be read at all


def read_metadata(tree: Tree) -> Metadata:
    problems: list[str] = []
    present = {e.path for e in tree.entries() if e.path in ROOT_FILES and not e.is_symlink}
    codemeta = _read(tree, "codemeta.json", parse_codemeta, present, problems)
    code_json = _read(tree, "code.json", parse_code_json, present, problems)
    return Metadata(analyse_manifests(tree), codemeta, code_json, tuple(problems))


def _read(tree: Tree, path: str, parse: Any, present: set[str], problems: list[str]) -> Any:
    if path not in present:
        return None
    data = tree.read(path, limit=MAX_BYTES)
    if data is None:
        problems.append(f"{path}: larger than {MAX_BYTES} bytes, not read")
        return None
    try:
        return parse(data)
    except MetadataError as exc:
        problems.append(f"{path}: {exc}")
        return None


def packages(meta: Metadata) -> list[Package]:
    """Published packages and dependencies, names normalised as their registries compare them."""
    found: list[Package] = []
    for role, refs in (("published", meta.manifests.published),
                       ("dependency", meta.manifests.dependencies)):  # fmt: skip
        for ref in refs:
            ecosystem, name = normalise_package(ref.ecosystem, ref.name)
            if len(name) <= MAX_NAME:  # longer is no package name, and would not fit the row
                found.append((ecosystem, name, role, (ref.version_spec or "")[:200] or None))
    return list(dict.fromkeys(found))


def declared_licences(meta: Metadata) -> list[tuple[str, str]]:
    """(source, licence) pairs for ``analyse_licence``; several licences in one codemeta.json
    or code.json say nothing about how they combine, so only a single one is a declaration."""
    declared: list[tuple[str, str]] = []
    if meta.codemeta is not None and len(meta.codemeta.licences) == 1:
        declared.append(("codemeta.json", meta.codemeta.licences[0]))
    for path, licence in dict.fromkeys(meta.manifests.declared_licences):
        source = path if len(path) <= SOURCE_CHARS else basename(path)[:SOURCE_CHARS]
        declared.append((source, licence))
    release = _only_release(meta.code_json)
    if release is not None and len(release.licences) == 1:
        declared.append(("code.json", release.licences[0]))
    return declared


def _only_release(inventory: CodeJsonInventory | None) -> Any:
    """The release a per-repository code.json describes (an inventory describes many)."""
    if inventory is None or len(inventory.releases) != 1:
        return None
    return inventory.releases[0]


def based_on_claims(ref: RepoRef, meta: Metadata) -> list[ReuseClaim]:
    """codemeta ``isBasedOn`` entries that name a repository by URL reuse it."""
    if meta.codemeta is None:
        return []
    return [
        ReuseClaim("based_on", ref.html_url, ref.full_name, url, "codemeta.json isBasedOn")
        for url in meta.codemeta.is_based_on
        if _is_url(url)
    ]


def _is_url(value: str) -> bool:
    """http(s) URLs only: isBasedOn may also hold a name or a DOI, which name no repository."""
    head, sep, rest = value.strip().partition("://")
    return bool(sep) and head.lower() in ("http", "https") and "/" in rest.strip("/")


def summary(meta: Metadata, *, first_commit_at: datetime | None, fingerprints: int) -> dict:
    """What ``extra_metadata`` keeps: enough for a page to explain the record, no more."""
    out: dict[str, Any] = {}
    if meta.codemeta is not None:
        cm = meta.codemeta
        out["codemeta"] = {
            "name": cm.name,
            "description": cm.description[:2000],
            "licences": list(cm.licences),
            "is_based_on": list(cm.is_based_on[:MAX_LISTED]),
            "related_links": list(cm.related_links[:MAX_LISTED]),
            "problems": list(cm.problems[:MAX_LISTED]),
        }
    if meta.code_json is not None:
        out["code_json"] = _code_json_summary(meta.code_json)
    found = meta.manifests
    if found.manifests or found.problems:
        out["manifests"] = {
            "read": list(found.manifests[:MAX_LISTED]),
            "published": [f"{p.ecosystem}:{p.name}" for p in found.published[:MAX_LISTED]],
            "dependencies": len(found.dependencies),
            "problems": list(found.problems[:MAX_LISTED]),
        }
    if meta.problems:
        out["problems"] = list(meta.problems)
    out["provenance"] = {
        "first_commit_at": first_commit_at.isoformat() if first_commit_at else None,
        "fingerprinted_files": fingerprints,
    }
    return out


def _code_json_summary(inventory: CodeJsonInventory) -> dict:
    release = _only_release(inventory)
    if release is None:
        return {
            "agency": inventory.agency,
            "releases": len(inventory.releases),
            "problems": list(inventory.problems[:MAX_LISTED]),
        }
    return {
        "name": release.name,
        "description": release.description[:2000],
        "licences": list(release.licences),
        "repository_url": release.repository_url,
        "status": release.status,
        "usage_type": release.usage_type,
        "problems": list(inventory.problems[:MAX_LISTED]),
    }
