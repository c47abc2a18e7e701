"""What a repository's file list says about how it is kept: tests, CI, contributor docs.

Each finder answers the first path that proves the point, so the maturity explanation
can name it ("tests found: tests/test_app.py") and a user can go and look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.analysis.tree import Tree

TEST_DIRS = frozenset({"test", "tests", "spec", "specs", "__tests__", "e2e", "cypress"})
TEST_FILE = re.compile(
    r"""^(?:test_.+\.py|.+_test\.(?:py|go|rb|exs?|c|cc|cpp|rs|dart)
    |.+\.(?:test|spec)\.(?:[cm]?js|jsx|ts|tsx|vue)
    |.+(?:Test|Tests|IT)\.(?:java|kt|cs|php|scala|swift|groovy)
    |.+_spec\.rb|.+Spec\.(?:groovy|scala|kt)|test_.+\.(?:sh|bats)|.+\.bats)$""",
    re.VERBOSE,
)
CI_PATH = re.compile(
    r"""^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|(?:.+/)?Jenkinsfile
    |\.circleci/config\.ya?ml|azure-pipelines\.ya?ml|\.azure-pipelines/.+\.ya?ml
    |\.travis\.ya?ml|bitbucket-pipelines\.ya?ml|\.drone\.ya?ml|\.woodpecker\.ya?ml
    |\.woodpecker/[^/]+\.ya?ml|\.(?:gitea|forgejo)/workflows/[^/]+\.ya?ml
    |appveyor\.ya?ml|\.buildkite/pipeline\.ya?ml|cloudbuild\.ya?ml|\.semaphore/semaphore\.yml)$""",
    re.VERBOSE,
)
DOC_DIRS = ("", ".github/", "docs/")


@dataclass(frozen=True)
class TreeEvidence:
    tests: str | None
    ci: str | None
    contributing: str | None
    security: str | None


def _policy(name: str) -> re.Pattern[str]:
    return re.compile(rf"^{name}(?:\.(?:md|markdown|rst|txt|adoc))?$", re.IGNORECASE)


CONTRIBUTING = _policy("contributing")
SECURITY = _policy("security")


def _is_test(path: str) -> bool:
    *dirs, name = path.split("/")
    return any(d.lower() in TEST_DIRS for d in dirs) or bool(TEST_FILE.match(name))


def _root_doc(path: str, pattern: re.Pattern[str]) -> bool:
    folder, _, name = path.rpartition("/")
    return (folder + "/" if folder else "") in DOC_DIRS and bool(pattern.match(name))


def scan_tree(tree: Tree) -> TreeEvidence:
    """The first test file, CI file, CONTRIBUTING and SECURITY policy found, by path order."""
    found: dict[str, str] = {}
    checks = {
        "tests": _is_test,
        "ci": lambda p: bool(CI_PATH.match(p)),
        "contributing": lambda p: _root_doc(p, CONTRIBUTING),
        "security": lambda p: _root_doc(p, SECURITY),
    }
    for path in sorted(entry.path for entry in tree.entries()):
        for key, check in checks.items():
            if key not in found and check(path):
                found[key] = path
        if len(found) == len(checks):
            break
    return TreeEvidence(**{key: found.get(key) for key in checks})
