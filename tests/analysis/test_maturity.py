"""Maturity levels and scores over realistic repositories, and the thresholds file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.maturity import (
    DEFAULT_THRESHOLDS,
    SIGNALS,
    MaturityFinding,
    MaturityInputs,
    assess_maturity,
    load_thresholds,
)
from registry.analysis.maturity_signals import LEVELS
from registry.analysis.tree import MemoryTree
from registry.errors import GovcodeError

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

GUIDE = "\n\n".join(
    f"## Section {n}\n\n" + "Citizens book appointments and staff confirm them online. " * 12
    for n in range(6)
)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def fresh_concept() -> tuple[MaturityInputs, MemoryTree]:
    inputs = MaturityInputs(
        development_status=None,
        archived=False,
        tags=0,
        releases=0,
        first_commit_at=days_ago(3),
        last_commit_at=days_ago(3),
        commits_90d=2,
        commits_365d=2,
        contributors=1,
        licence_identified=False,
    )
    return inputs, MemoryTree({"README.md": "# idea\n\nwip", "main.py": "print()"})


def active_stable() -> tuple[MaturityInputs, MemoryTree]:
    inputs = MaturityInputs(
        development_status="stable",
        archived=False,
        tags=24,
        releases=18,
        first_commit_at=days_ago(3 * 365),
        last_commit_at=days_ago(2),
        commits_90d=45,
        commits_365d=260,
        contributors=21,
        licence_identified=True,
    )
    tree = MemoryTree(
        {
            "README.md": "# Booking\n\n" + GUIDE,
            "CONTRIBUTING.md": "How to help.",
            ".github/SECURITY.md": "Report issues privately.",
            ".github/workflows/ci.yml": "on: push",
            "LICENSE": "MIT",
            "src/booking/api.py": "def book(): ...",
            "tests/test_api.py": "def test_book(): ...",
        }
    )
    return inputs, tree


def signal(finding: MaturityFinding, name: str):
    return next(s for s in finding.signals if s.name == name)


def test_fresh_repository_is_a_concept() -> None:
    inputs, tree = fresh_concept()
    finding = assess_maturity(inputs, tree, now=NOW)
    assert finding.level == "concept"
    assert finding.score < 20
    assert finding.declared_level is None
    assert "No developmentStatus declared" in signal(finding, "declared_status").explanation
    assert signal(finding, "tests").points == 0
    assert "No test files" in signal(finding, "tests").explanation


def test_active_project_with_releases_tests_and_ci_is_stable_and_agrees() -> None:
    inputs, tree = active_stable()
    finding = assess_maturity(inputs, tree, now=NOW)
    assert finding.level == "stable"
    assert finding.score >= 90
    assert finding.declared_level == "stable"
    assert "the evidence agrees" in signal(finding, "declared_status").explanation
    assert signal(finding, "tests").value == "tests/test_api.py"
    assert signal(finding, "ci").value == ".github/workflows/ci.yml"
    assert signal(finding, "security").value == ".github/SECURITY.md"
    assert [s.name for s in finding.signals] == list(SIGNALS)
    assert all(s.explanation and 0 <= s.points <= 1 for s in finding.signals)


def test_each_piece_of_evidence_moves_the_score() -> None:
    inputs, tree = active_stable()
    full = assess_maturity(inputs, tree, now=NOW).score
    without_tests = MemoryTree({e.path: "x" for e in tree.entries() if "test" not in e.path})
    assert assess_maturity(inputs, without_tests, now=NOW).score < full
    no_licence = replace(inputs, licence_identified=False)
    assert assess_maturity(no_licence, tree, now=NOW).score < full


def test_archived_is_obsolete_whatever_the_evidence() -> None:
    inputs, tree = active_stable()
    finding = assess_maturity(replace(inputs, archived=True), tree, now=NOW)
    assert finding.level == "obsolete"
    assert "archived" in signal(finding, "declared_status").explanation
    assert "disagrees" in signal(finding, "declared_status").explanation
    assert signal(finding, "archived").value == "yes"


def test_declared_stable_without_activity_says_the_evidence_disagrees() -> None:
    inputs = MaturityInputs(
        development_status="Stable",
        archived=False,
        tags=1,
        releases=0,
        first_commit_at=days_ago(6 * 365),
        last_commit_at=days_ago(4 * 365),
        commits_90d=0,
        commits_365d=0,
        contributors=2,
        licence_identified=True,
    )
    finding = assess_maturity(inputs, MemoryTree({"README.md": "# Old\n\nStill here."}), now=NOW)
    assert finding.declared_level == "stable"
    assert finding.level in ("development", "concept")
    explanation = signal(finding, "declared_status").explanation
    assert "declares 'stable'" in explanation and "the evidence disagrees" in explanation
    assert "no commit for 1460 days" in explanation


def test_declared_obsolete_and_unknown_status() -> None:
    inputs, tree = active_stable()
    obsolete = assess_maturity(replace(inputs, development_status="obsolete"), tree, now=NOW)
    assert (obsolete.level, obsolete.declared_level) == ("obsolete", "obsolete")
    odd = assess_maturity(replace(inputs, development_status="alpha"), tree, now=NOW)
    assert odd.declared_level is None
    assert "not on publiccode's scale" in signal(odd, "declared_status").explanation


def test_thresholds_changed_in_the_data_file_change_the_result(tmp_path: Path) -> None:
    inputs, tree = active_stable()
    data = yaml.safe_load(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))
    data["levels"][0]["min_releases"] = 50
    data["signals"]["contributors"]["ranges"] = [{"min": 100, "points": 1.0}]
    changed = tmp_path / "maturity.yml"
    changed.write_text(yaml.safe_dump(data), encoding="utf-8")
    before = assess_maturity(inputs, tree, now=NOW)
    after = assess_maturity(inputs, tree, now=NOW, thresholds=load_thresholds(changed))
    assert (before.level, after.level) == ("stable", "beta")
    assert after.score < before.score
    assert signal(after, "contributors").points == 0
    assert "24 releases, 50 needed" in signal(after, "declared_status").explanation


def test_broken_thresholds_file_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))
    del data["signals"]["ci"]
    broken = tmp_path / "maturity.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GovcodeError, match="ci"):
        load_thresholds(broken)
    data = yaml.safe_load(DEFAULT_THRESHOLDS.read_text(encoding="utf-8"))
    data["signals"]["ci"]["ranges"] = [{"min": 1, "points": 7}]
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(GovcodeError, match="points"):
        load_thresholds(broken)
    with pytest.raises(GovcodeError):
        load_thresholds(tmp_path / "absent.yml")


def test_naive_datetimes_are_taken_as_utc() -> None:
    inputs, tree = active_stable()
    naive = replace(
        inputs, last_commit_at=datetime(2025, 5, 30), first_commit_at=datetime(2022, 6, 1)
    )
    assert assess_maturity(naive, tree, now=NOW).level == "stable"


def test_longevity_breakpoints_match_the_italian_crawler() -> None:
    ranges = DATA / "italia-crawler" / "publiccode-crawler__vitality-ranges.yml"
    if not ranges.exists():
        pytest.skip("shared data folder absent: ../shared/data/italia-crawler")
    italian = {item["name"]: item["ranges"] for item in yaml.safe_load(ranges.read_text())}
    italian_steps = {r["min"] for r in italian["longevity"]} - {0}
    ours = {r.min for r in load_thresholds().signals["longevity"].ranges}
    assert italian_steps <= ours


MOMENTS = st.one_of(st.none(), st.integers(-100, 20_000).map(lambda d: NOW - timedelta(days=d)))


@settings(max_examples=60, deadline=None)
@given(
    status=st.one_of(st.none(), st.sampled_from([*LEVELS, "Beta", ""]), st.text(max_size=8)),
    flags=st.tuples(st.booleans(), st.booleans()),
    counts=st.lists(st.integers(0, 10_000), min_size=5, max_size=5),
    first=MOMENTS,
    last=MOMENTS,
    files=st.dictionaries(st.text(max_size=30), st.binary(max_size=200), max_size=6),
)
def test_never_raises_on_arbitrary_inputs(
    status, flags, counts, first, last, files: dict[str, bytes]
) -> None:
    tags, releases, c90, c365, people = counts
    inputs = MaturityInputs(
        status, flags[0], tags, releases, first, last, c90, c365, people, flags[1]
    )
    finding = assess_maturity(inputs, MemoryTree(files), now=NOW)
    assert finding.level in LEVELS
    assert 0 <= finding.score <= 100
