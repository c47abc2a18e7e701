"""The analyse stage: run every pure analyser on a snapshot and build the stored record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crawlers.analyse import metadata as record_metadata
from crawlers.analyse.provenance import past_sketches
from crawlers.analyse.versions import versions
from crawlers.base import ForgeRelease, RepoRef, RepoSnapshot
from registry.analysis.languages import DEFAULT_CONTENT_SAMPLE, analyse_languages
from registry.analysis.licence import LicenceFinding, analyse_licence
from registry.analysis.maturity import MaturityInputs, assess_maturity
from registry.analysis.metadata.publiccode import Publiccode, find_publiccode, parse_publiccode
from registry.analysis.provenance import analyse_provenance
from registry.analysis.readme import analyse_readme
from registry.services.records import (
    EXAMINED_CONTENTS,
    EXAMINED_DECLARED,
    EXAMINED_FORKS,
    EXAMINED_PARENT,
    RepositoryRecord,
    ReuseClaim,
)


def read_publiccode(snapshot: RepoSnapshot) -> Publiccode | None:
    found = find_publiccode(snapshot.tree)
    if found is None:
        return None
    path, data = found
    return parse_publiccode(data, source=path)


def publiccode_summary(pc: Publiccode | None) -> dict:
    """What the pages and the index show of publiccode.yml (problems included)."""
    if pc is None:
        return {}
    desc = pc.description(("en", "it", "fr", "nl", "de"))
    return {
        "version": pc.version,
        "name": pc.name,
        "url": pc.url,
        "development_status": pc.development_status,
        "licence": pc.licence,
        "is_based_on": list(pc.is_based_on),
        "short_description": desc.short if desc else "",
        "contacts": [
            {
                k: str(v)[:200]
                for k, v in c.items()
                if k in ("name", "email", "phone", "affiliation")
            }
            for c in pc.contacts[:10]
        ],
        "descriptions": {
            lang: {"short": d.short, "long": d.long[:4000], "features": list(d.features)}
            for lang, d in pc.descriptions.items()
        },
        "valid": pc.valid,
        "problems": [
            {"key": p.key, "message": p.message, "line": p.line, "severity": p.severity}
            for p in pc.problems[:100]
        ],
    }


def reuse_claims(snapshot: RepoSnapshot, pc: Publiccode | None, forks: Sequence[RepoRef]) -> list:
    ref, facts = snapshot.ref, snapshot.facts
    claims: list[ReuseClaim] = []
    if facts.is_fork and facts.parent_url:
        claims.append(
            ReuseClaim("fork", ref.html_url, ref.full_name, facts.parent_url, "the forge says so")
        )
    for url in pc.is_based_on if pc else ():
        claims.append(ReuseClaim("based_on", ref.html_url, ref.full_name, url, "publiccode.yml"))
    for fork in forks:
        claims.append(
            ReuseClaim("fork", fork.html_url, fork.full_name, ref.html_url, "the forge's fork list")
        )
    return claims


def build_record(
    snapshot: RepoSnapshot,
    *,
    forks: Sequence[RepoRef],
    fork_url: str,
    now: datetime,
    language_sample: int = DEFAULT_CONTENT_SAMPLE,
    forks_listed: bool = False,
    releases: Sequence[ForgeRelease] | None = None,
) -> RepositoryRecord:
    """``forks_listed``: the forge lists forks, and ``forks`` is its whole answer (so the
    reuse edges of forks it no longer lists can end). ``releases``: the forge's, when not
    in the host facts."""
    ref, facts, git, tree = snapshot.ref, snapshot.facts, snapshot.git, snapshot.tree
    pc = read_publiccode(snapshot)
    meta = record_metadata.read_metadata(tree)
    memo: dict = {}  # one sketch per file version, however many commits hold it
    provenance = analyse_provenance(tree, root_commits=git.root_commits, memo=memo)
    sketches = past_sketches(snapshot, provenance.sketches, memo)
    declared = []
    if pc is not None and pc.licence:
        declared.append(("publiccode.yml", pc.licence))
    declared += record_metadata.declared_licences(meta)
    if facts.licence_spdx:
        declared.append(("forge", facts.licence_spdx))
    licence: LicenceFinding = analyse_licence(tree, declared=declared)
    languages = analyse_languages(tree, content_sample=language_sample)
    readme = analyse_readme(tree)
    maturity = assess_maturity(
        MaturityInputs(
            development_status=pc.development_status if pc else None,
            archived=facts.archived,
            tags=len(git.tags),
            releases=facts.releases if facts.releases is not None else len(git.tags),
            first_commit_at=git.first_commit_at,
            last_commit_at=git.last_commit_at,
            commits_90d=git.commits_90d,
            commits_365d=git.commits_365d,
            contributors=git.contributors,
            licence_identified=licence.status == "identified",
        ),
        tree,
        now=now,
    )
    desc = pc.description(("en",)) if pc else None
    return RepositoryRecord(
        forge=ref.forge,
        owner=ref.owner,
        name=ref.name,
        html_url=ref.html_url,
        clone_url=ref.clone_url,
        fork_url=fork_url,
        forge_id=ref.forge_id,
        description=facts.description or (desc.short if desc else ""),
        homepage=facts.homepage,
        topics=sorted(set(facts.topics)),
        default_branch=facts.default_branch or git.default_branch,
        stars=facts.stars,
        forks_count=facts.forks_count,
        open_issues=facts.open_issues,
        releases=facts.releases if facts.releases is not None else len(git.tags),
        archived=facts.archived,
        is_fork=facts.is_fork,
        is_template=facts.is_template,
        is_mirror=facts.is_mirror,
        truncated=snapshot.truncated,
        parent_url=facts.parent_url,
        licence=licence.expression,
        licence_status=licence.status,
        licence_label=licence.label,
        licence_evidence=[
            {
                "source": e.source,
                "path": e.path,
                "spdx": e.spdx,
                "confidence": e.confidence,
                "detail": e.detail[:1000],
            }
            for e in licence.evidence
        ],
        licence_mismatches=list(licence.mismatches),
        languages=[(s.language, s.bytes, round(s.share, 4)) for s in languages.shares],
        maturity_level=maturity.level,
        maturity_score=maturity.score,
        maturity_signals=[
            {
                "name": s.name,
                "value": s.value[:200],
                "points": s.points,
                "weight": s.weight,
                "explanation": s.explanation[:1000],
            }
            for s in maturity.signals
        ],
        development_status=pc.development_status if pc else None,
        publiccode=publiccode_summary(pc),
        extra_metadata={
            **record_metadata.summary(
                meta, first_commit_at=git.first_commit_at, fingerprints=len(provenance.fingerprints)
            ),
            # search reads it: a last commit that says "decommissioned" makes code obsolete
            "last_commit_message": git.last_commit_subject,
        },
        packages=record_metadata.packages(meta),
        fingerprints=list(provenance.fingerprints),
        readme_excerpt=readme.excerpt,
        readme_text=readme.text,
        readme_path=readme.path,
        readme_source=readme.source,
        readme_markup=readme.markup,
        root_commits=list(provenance.root_commits),
        sketches=[(s.path, s.root, list(s.values)) for s in sketches],
        history=list(git.history),
        history_complete=git.history_complete,
        head_commit=git.head,
        head_tree=git.head_tree,
        commit_weeks=list(git.commit_weeks),
        forge_created_at=facts.created_at,
        pushed_at=facts.pushed_at,
        last_commit_at=git.last_commit_at,
        reuse=reuse_claims(snapshot, pc, forks) + record_metadata.based_on_claims(ref, meta),
        reuse_examined=examined(snapshot, forks_listed=forks_listed),
        versions=versions(git.tag_facts, facts.release_list if releases is None else releases),
    )


def examined(snapshot: RepoSnapshot, *, forks_listed: bool) -> list[str]:
    """What this analysis looked at in full (``records.EXAMINED``): a sampled tree may have
    missed a manifest or a file, so its edges found from contents are left as they are."""
    found = [EXAMINED_FORKS, EXAMINED_PARENT] if forks_listed else []
    if not snapshot.truncated:
        found += [EXAMINED_DECLARED, EXAMINED_CONTENTS]
    return found
