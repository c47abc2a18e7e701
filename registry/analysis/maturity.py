"""Maturity on publiccode's scale, from signals a user can see and check.

Every signal turns one visible fact (releases, recent commits, authors, tests, CI,
README depth, policies, licence) into points by ranges kept in ``data/maturity.yml``;
the score is their weighted sum, 0-100. The level comes from the score and a few
conditions, also in the data file, and says whether it agrees with the
``developmentStatus`` the maintainers declared. Pure: ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from registry.analysis.maturity_evidence import scan_tree
from registry.analysis.maturity_signals import LEVELS, Fact, collect_facts, days_between
from registry.analysis.metadata.yaml_bounded import safe_load
from registry.analysis.readme import analyse_readme
from registry.analysis.tree import Tree
from registry.errors import GovcodeError

DEFAULT_THRESHOLDS = Path(__file__).with_name("data") / "maturity.yml"
SIGNALS = (
    "declared_status",
    "releases",
    "activity_90d",
    "activity_365d",
    "contributors",
    "longevity",
    "tests",
    "ci",
    "readme_words",
    "readme_headings",
    "contributing",
    "security",
    "licence",
    "archived",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Range(_Frozen):
    min: float
    points: float = Field(ge=0, le=1)


class SignalRule(_Frozen):
    weight: float = Field(ge=0)
    ranges: tuple[Range, ...] = ()
    values: dict[str, Annotated[float, Field(ge=0, le=1)]] = {}

    def points(self, fact: Fact) -> tuple[float, str]:
        """Points for the fact and the rule that gave them, in words."""
        if fact.word is not None:
            got = self.values.get(fact.word, 0.0)
            return got, f"'{fact.word}' earns {got:.0%}"
        best = None
        for rule in sorted(self.ranges, key=lambda r: r.min):
            if fact.number >= rule.min:
                best = rule
        if fact.flag:
            return (best.points, f"earns {best.points:.0%}") if best else (0.0, "no points")
        if best is None:
            return 0.0, "below every threshold: no points"
        return best.points, f"{best.min:g} or more earns {best.points:.0%}"


class LevelRule(_Frozen):
    name: str
    min_score: float = 0
    min_releases: int = 0
    max_idle_days: float | None = None


class Thresholds(_Frozen):
    signals: dict[str, SignalRule]
    levels: tuple[LevelRule, ...]

    @model_validator(mode="after")
    def _complete(self) -> Thresholds:
        missing = set(SIGNALS) - set(self.signals)
        if missing:
            raise ValueError(f"signals missing: {', '.join(sorted(missing))}")
        unknown = {rule.name for rule in self.levels} - set(LEVELS)
        if unknown or not self.levels:
            raise ValueError(f"levels must be named from {LEVELS}, got {sorted(unknown)}")
        return self


@dataclass(frozen=True)
class MaturityInputs:
    development_status: str | None  # declared in publiccode.yml
    archived: bool
    tags: int
    releases: int
    first_commit_at: datetime | None
    last_commit_at: datetime | None
    commits_90d: int
    commits_365d: int
    contributors: int
    licence_identified: bool


@dataclass(frozen=True)
class MaturitySignal:
    name: str
    value: str
    points: float  # 0..1: the share of ``weight`` this signal earned
    weight: float
    explanation: str


@dataclass(frozen=True)
class MaturityFinding:
    level: str
    score: int
    signals: tuple[MaturitySignal, ...]
    declared_level: str | None


def load_thresholds(path: Path | None = None) -> Thresholds:
    """Read and check the thresholds file (the packaged one by default)."""
    source = path or DEFAULT_THRESHOLDS
    try:
        return Thresholds.model_validate(safe_load(source.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise GovcodeError(f"maturity thresholds {source}: {exc}") from exc


@lru_cache(maxsize=1)
def default_thresholds() -> Thresholds:
    """The packaged thresholds, read once per process."""
    return load_thresholds()


def _evidence_level(
    score: int, inputs: MaturityInputs, idle_days: float | None, thresholds: Thresholds
) -> tuple[str, list[str]]:
    """The first level whose conditions hold, and why each higher one did not."""
    refused: list[str] = []
    releases = max(inputs.releases, inputs.tags)
    for rule in thresholds.levels:
        reasons = []
        if score < rule.min_score:
            reasons.append(f"score {score} is below {rule.min_score:g}")
        if releases < rule.min_releases:
            reasons.append(f"{releases} releases, {rule.min_releases} needed")
        if rule.max_idle_days is not None and (idle_days is None or idle_days > rule.max_idle_days):
            idle = "no commit known" if idle_days is None else f"no commit for {idle_days:.0f} days"
            reasons.append(f"{idle} (at most {rule.max_idle_days:g})")
        if not reasons:
            return rule.name, refused
        refused.append(f"not {rule.name}: {'; '.join(reasons)}")
    return thresholds.levels[-1].name, refused


def assess_maturity(
    inputs: MaturityInputs, tree: Tree, *, now: datetime, thresholds: Thresholds | None = None
) -> MaturityFinding:
    """Score the signals, pick the level and explain both in plain words."""
    rules = thresholds or default_thresholds()
    facts = collect_facts(inputs, scan_tree(tree), analyse_readme(tree), now=now)
    scored = []
    for name in SIGNALS:
        if name == "declared_status":
            continue
        fact, rule = facts[name], rules.signals[name]
        points, why = rule.points(fact)
        if rule.weight == 0:
            why = "it carries no weight in the score"
        scored.append(MaturitySignal(name, fact.value, points, rule.weight, f"{fact.text}; {why}."))
    declared = facts["declared_status"]
    declared_rule = rules.signals["declared_status"]
    declared_points = declared_rule.points(declared)[0] if declared.word else 0.0
    total_weight = sum(s.weight for s in scored) + declared_rule.weight
    earned = sum(s.points * s.weight for s in scored) + declared_points * declared_rule.weight
    score = round(100 * earned / total_weight) if total_weight > 0 else 0
    idle_days = days_between(now, inputs.last_commit_at)
    level, refused = _evidence_level(score, inputs, idle_days, rules)
    declared_level = declared.word
    if inputs.archived:
        level, why = "obsolete", "archived on the host, so 'obsolete'"
    elif declared_level == "obsolete":
        level, why = "obsolete", "declared 'obsolete' by its maintainers"
    else:
        why = f"the signals give '{level}' (score {score})"
        if refused:
            why += f"; {'; '.join(refused)}"
    if declared_level is None:
        verdict = f"{declared.text}; {why}."
    else:
        agrees = "agrees" if declared_level == level else "disagrees"
        verdict = f"{declared.text} and the evidence {agrees}: {why}."
    status = MaturitySignal(
        "declared_status", declared.value, declared_points, declared_rule.weight, verdict
    )
    return MaturityFinding(level, score, (status, *scored), declared_level)
