"""A repository's licence: what its files say, what its metadata declares, where they differ.

Licence texts are identified by ``licence_text`` (licenseclassifier plus explicit rules);
declarations the caller already read (publiccode.yml, the forge, manifests) and SPDX
headers settle what a text cannot (GPL "only" or "or later", dual licensing), and any
disagreement is reported rather than silently resolved. Pure: reads only the tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from registry.analysis.licence_files import (
    is_notice,
    is_root,
    licence_files,
    read_text,
    spdx_headers,
)
from registry.analysis.licence_ids import (
    LicenceInfo,
    family,
    licence_info,
    licence_keys,
    normalise_expression,
)
from registry.analysis.licence_text import TextResult, examine_text, identify_text
from registry.analysis.licence_versions import (
    FileVersion,
    apply_versions,
    decided_by_files,
    file_versions,
    version_mismatch,
)
from registry.analysis.tree import Tree

__all__ = [
    "LicenceEvidence",
    "LicenceFinding",
    "LicenceInfo",
    "analyse_licence",
    "identify_text",
    "licence_info",
    "normalise_expression",
]

_DUAL_HINTS = (
    "dual-licensed",
    "dual licensed",
    "either license",
    "either licence",
    "at your option",
)


@dataclass(frozen=True)
class LicenceEvidence:
    source: str  # "file", "spdx-header", "publiccode.yml", "package.json", "forge", ...
    path: str | None  # file path when it came from a file
    spdx: str | None  # what this evidence says (an SPDX expression) or None
    confidence: float  # 0..1
    detail: str  # human-readable: "LICENSE matches MIT (100%)", "closest GPL-3.0-only, 87%"


@dataclass(frozen=True)
class LicenceFinding:
    expression: str | None  # the SPDX expression govcode states, None when unknown/none
    status: str  # "identified" | "unknown" | "none"
    closest: str | None  # for "unknown": best guess
    closest_score: float | None  # 0..1
    evidence: tuple[LicenceEvidence, ...]
    mismatches: tuple[str, ...]  # "LICENSE says Apache-2.0 but publiccode.yml says …"

    @property
    def label(self) -> str:
        if self.status == "identified" and self.expression:
            return self.expression
        if self.status == "unknown" and self.closest and self.closest_score is not None:
            return f"unknown (closest: {self.closest}, {self.closest_score:.0%})"
        return self.status


def _same_licence(a: str, b: str) -> bool:
    """True when two expressions name the same licences, up to only/or-later."""
    return sorted(map(family, licence_keys(a))) == sorted(map(family, licence_keys(b)))


def _covers(declared: str, detected: str) -> bool:
    """True when a declaration names every licence the files show (dual licences)."""
    names = {family(k) for k in licence_keys(declared)}
    return bool(names) and {family(k) for k in licence_keys(detected)} <= names


def _file_evidence(
    tree: Tree,
) -> tuple[list[LicenceEvidence], list[tuple[str, TextResult]], bool]:
    """Evidence from licence files, the results that count (root ones, else the first
    deeper ones), and whether the files hint at a choice ("dual-licensed", "either")."""
    evidence: list[LicenceEvidence] = []
    root: list[tuple[str, TextResult]] = []
    deeper: list[tuple[str, TextResult]] = []
    dual = False
    for path in licence_files(tree.entries()):
        text = read_text(tree, path)
        if text is None:
            evidence.append(LicenceEvidence("file", path, None, 0.0, f"{path}: too large to read"))
            if not is_notice(path):
                (root if is_root(path) else deeper).append((path, TextResult(None, None, 0.0, "")))
            continue
        result = examine_text(text)
        dual |= len(text) < 2_000 and any(hint in text.lower() for hint in _DUAL_HINTS)
        if result.expression:
            detail = f"{path} matches {result.expression} ({result.score:.0%}): {result.detail}"
            evidence.append(LicenceEvidence("file", path, result.expression, result.score, detail))
        elif is_notice(path):
            continue  # attributions, not a licence: nothing to report
        else:
            evidence.append(LicenceEvidence("file", path, None, 0.0, f"{path}: {result.detail}"))
        (root if is_root(path) else deeper).append((path, result))
    if not any(r.expression for _, r in root):
        root += [(p, r) for p, r in deeper if r.expression][:1]
    return evidence, root, dual


def _from_files(results: list[tuple[str, TextResult]], dual: bool) -> tuple[str | None, bool]:
    """One expression for all identified licence files, and whether a GNU version is open."""
    found = [r for _, r in results if r.expression]
    if not found:
        return None, False
    names = list(dict.fromkeys(r.expression for r in found if r.expression))
    joiner = " OR " if dual and len(names) > 1 else " AND "
    combined = joiner.join(f"({n})" if " " in n else n for n in names)
    return normalise_expression(combined) or names[0], any(r.open_version for r in found)


@dataclass(frozen=True)
class _Claim:
    source: str  # "SPDX headers", "publiccode.yml", "forge", …
    raw: str  # as written (a deprecated id stays visible)
    expression: str  # normalised


def _reconcile(
    detected: str | None,
    open_version: bool,
    evidence: list[LicenceEvidence],
    claims: list[_Claim],
    versions: dict[str, FileVersion],
) -> tuple[str | None, list[str]]:
    """Files first; a claim refines them (or-later, dual) or is reported as a mismatch.

    Where the files state a GNU version (notices, SPDX tags) it stands, and a claim of the
    other version is a mismatch either way round. The forge's id is never one: the forge
    reads the same LICENSE text, which cannot tell "only" from "or later".
    """
    final = apply_versions(detected, versions) if detected else None
    if final and versions and final != detected:
        open_version = False
    said_by = next((e.path for e in evidence if e.source == "file" and e.spdx), None)
    mismatches: list[str] = []
    for claim in claims:
        source, expression = claim.source, claim.expression
        if final is None:
            final, said_by = apply_versions(expression, versions), source
            if final != expression:
                mismatches.append(
                    version_mismatch(
                        source,
                        claim.raw,
                        expression,
                        final,
                        decided_by_files(expression, final, versions),
                        versions,
                    )
                )
            continue
        if expression == final:
            continue
        if final == detected and " OR " in expression and _covers(expression, detected):
            final = expression  # dual licence: the files show the choices the claim offers
        elif _same_licence(expression, final) and (" OR " in expression) == (" OR " in final):
            by_files = decided_by_files(expression, final, versions)
            if by_files and source != "forge":
                mismatches.append(
                    version_mismatch(source, claim.raw, expression, final, by_files, versions)
                )
            elif not by_files and final == detected and open_version:
                final, said_by = expression, source  # the text cannot tell; the claim can
            elif not by_files and source != "forge":
                mismatches.append(f"{said_by} says {final} but {source} says {expression}")
        else:
            mismatches.append(f"{said_by} says {final} but {source} says {expression}")
    return final, mismatches


def analyse_licence(tree: Tree, *, declared: Sequence[tuple[str, str]] = ()) -> LicenceFinding:
    """The licence a repository states, with every piece of evidence and every mismatch."""
    evidence, results, dual = _file_evidence(tree)
    headers = spdx_headers(tree, tree.entries())
    claims: list[_Claim] = []
    for expression, count in headers.counts.most_common(3):
        path = headers.first_path[expression]
        detail = f"SPDX-License-Identifier {expression} in {count} of {headers.sampled} files"
        evidence.append(LicenceEvidence("spdx-header", path, expression, 0.9, detail))
        claims.append(_Claim("SPDX headers", expression, expression))
    for spdx, count in headers.notices.most_common(3):
        path, phrase = headers.notice_first[spdx]
        detail = f"GNU notice for {spdx} in {count} of {headers.sampled} files: {phrase!r}"
        evidence.append(LicenceEvidence("gnu-notice", path, spdx, 0.9, detail))
        claims.append(_Claim("GNU notices", spdx, spdx))
    for source, raw in declared:
        expression = normalise_expression(raw)
        detail = (
            f"{source} declares {expression}"
            if expression
            else (f"{source} declares {raw!r}, not an SPDX expression")
        )
        confidence = 0.9 if expression else 0.0
        evidence.append(LicenceEvidence(source, None, expression, confidence, detail))
        if expression:
            claims.append(_Claim(source, raw, expression))

    detected, open_version = _from_files(results, dual)
    versions = file_versions(results, headers)
    final, mismatches = _reconcile(detected, open_version, evidence, claims, versions)
    unknown = [(p, r) for p, r in results if r.expression is None]
    if final:
        for path, result in unknown:
            guess = f"closest {result.closest}, {result.score:.0%}" if result.closest else "none"
            mismatches.append(f"{path} is not a known licence text ({guess}) but {final} is stated")
        return LicenceFinding(final, "identified", None, None, tuple(evidence), tuple(mismatches))
    if unknown:
        best = max((r for _, r in unknown), key=lambda r: r.score if r.closest else -1.0)
        score = best.score if best.closest else None
        return LicenceFinding(None, "unknown", best.closest, score, tuple(evidence), ())
    return LicenceFinding(None, "none", None, None, tuple(evidence), ())
