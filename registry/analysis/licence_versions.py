"""What a repository's files say about GNU versions: "only" or "or any later version".

The files are the licence grant: a GNU notice at the top of the sources or in the LICENSE
preamble, or an ``SPDX-License-Identifier`` tag. A declaration (publiccode.yml, a package
manifest, a deprecated id such as ``GPL-3.0``) describes the grant and can be wrong, so
where the files say which version they mean they decide, and a declaration that says
otherwise is reported as a mismatch with the files' own words as the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from registry.analysis.licence_files import HeaderTally
from registry.analysis.licence_ids import family, licence_info, licence_keys, normalise_expression
from registry.analysis.licence_text import TextResult

_GNU = ("GPL-", "LGPL-", "AGPL-")


@dataclass(frozen=True)
class FileVersion:
    """The version the files give one GNU licence (``family`` e.g. ``GPL-3.0``)."""

    family: str
    spdx: str  # e.g. GPL-3.0-or-later
    agreeing: int  # files that say so
    voting: int  # files that say either
    because: str  # the files' words, for the reader


def is_versioned(spdx_id: str) -> bool:
    return spdx_id.startswith(_GNU) and spdx_id.endswith(("-only", "-or-later"))


def file_versions(
    results: Sequence[tuple[str, TextResult]], headers: HeaderTally
) -> dict[str, FileVersion]:
    """Per GNU licence, the version most files state; none where the files tie."""
    votes: dict[str, Counter[str]] = {}
    words: dict[str, str] = {}
    for path, result in results:
        if result.notice is not None:
            spdx = result.notice.spdx
            votes.setdefault(family(spdx), Counter())[spdx] += 1
            words.setdefault(spdx, f"the GNU notice in {path}: {result.notice.phrase!r}")
    for expression, count in headers.counts.items():
        keys = licence_keys(expression)
        if len(keys) == 1 and is_versioned(keys[0]):
            votes.setdefault(family(keys[0]), Counter())[keys[0]] += count
            where = headers.first_path[expression]
            words.setdefault(keys[0], f"SPDX-License-Identifier {expression} (first in {where})")
    for spdx, count in headers.notices.items():
        votes.setdefault(family(spdx), Counter())[spdx] += count
        path, phrase = headers.notice_first[spdx]
        words.setdefault(spdx, f"the GNU notice (first in {path}): {phrase!r}")
    found = {}
    for name, counter in votes.items():
        ranked = counter.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            continue  # the files disagree evenly: they do not decide
        spdx, agreeing = ranked[0]
        voting = sum(counter.values())
        found[name] = FileVersion(name, spdx, agreeing, voting, words[spdx])
    return found


def apply_versions(expression: str, versions: dict[str, FileVersion]) -> str:
    """``expression`` with each GNU licence at the version the files state."""
    out = expression
    for key in set(licence_keys(expression)):
        found = versions.get(family(key))
        if found is not None and key.startswith(_GNU):
            out = re.sub(rf"(?<![\w.+-]){re.escape(key)}(?![\w.+-])", found.spdx, out)
    return normalise_expression(out) or expression


def decided_by_files(claim: str, final: str, versions: dict[str, FileVersion]) -> list[str]:
    """GNU licences on which ``claim`` and ``final`` differ only in version, where the files
    decided the version."""
    mine = {family(k): k for k in licence_keys(final)}
    return [
        family(k)
        for k in licence_keys(claim)
        if family(k) in versions and mine.get(family(k)) not in (None, k)
    ]


def describe_claim(source: str, raw: str, claim: str) -> str:
    """ "publiccode.yml says GPL-3.0 (a deprecated id, read as GPL-3.0-only)"."""
    info = licence_info(raw.strip())
    if info is not None and info.deprecated:
        return f"{source} says {raw.strip()} (a deprecated SPDX id, read as {claim})"
    return f"{source} says {claim}"


def version_mismatch(
    source: str,
    raw: str,
    claim: str,
    final: str,
    names: list[str],
    versions: dict[str, FileVersion],
) -> str:
    """The mismatch a reader sees, with why govcode follows the files."""
    reasons = []
    for name in names:
        found = versions[name]
        share = f"{found.agreeing} of {found.voting} statements in the files"
        reasons.append(f"{found.spdx}: {share}, among them {found.because}")
    return (
        f"{describe_claim(source, raw, claim)} but the files say {'; '.join(reasons)}. "
        f"Concluded {final} from the files: the notices in the code are the licence grant "
        "itself, a declaration only describes it"
    )
