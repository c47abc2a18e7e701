"""Run every pass of the suite and report each one, whatever an earlier one did.

Passes: ruff; the suite on SQLite; the database tests on a scratch PostgreSQL database;
the Redis tests; the browser tests. Each pytest pass writes a JUnit report, from which its
counts are read. A pass with no tests selected (pytest's exit 5) is reported as such and is
not a failure; any other non-zero exit is. The exit status is 1 if any pass failed.

Usage: ``scripts/test [pytest arguments…]`` (the wrapper runs this with the venv's python).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NO_TESTS = 5  # pytest.ExitCode.NO_TESTS_COLLECTED


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str


def counts(junit: Path) -> dict[str, int]:
    """passed / failed / errors / skipped from a pytest JUnit XML report."""
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors")}
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return {
        "passed": total["tests"] - total["failures"] - total["errors"] - skipped,
        "failed": total["failures"],
        "errors": total["errors"],
        "skipped": skipped,
    }


def describe(numbers: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in numbers.items() if n) or "nothing ran"


def pytest_pass(
    name: str, python: str, root: Path, args: list[str], env: dict[str, str], out: Path
) -> Outcome:
    junit = out / f"{name.lower()}.xml"
    print(f"== tests: {name}", flush=True)
    cmd = [python, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", *args]
    code = subprocess.call(cmd, cwd=root, env=env)
    if code == NO_TESTS:
        return Outcome(name, True, "no tests selected")
    if not junit.is_file():
        return Outcome(name, False, f"pytest stopped before reporting (exit {code})")
    numbers = counts(junit)
    failed = code != 0 or numbers["failed"] or numbers["errors"]
    return Outcome(name, not failed, describe(numbers) + (f" (exit {code})" if code else ""))


def lint(python: str, root: Path) -> Outcome:
    print("== ruff", flush=True)
    checks = [["check", "."], ["format", "--check", "."]]
    codes = [subprocess.call([python, "-m", "ruff", *c], cwd=root) for c in checks]
    return Outcome("ruff", not any(codes), "clean" if not any(codes) else "problems above")


def admin_url() -> str:
    return os.environ.get(
        "GOVCODE_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )


def postgres(python: str, root: Path, action: str, name: str) -> bool:
    admin = admin_url()
    script = Path(__file__).with_name("pgdb.py")
    return subprocess.call([python, str(script), action, admin, name], cwd=root) == 0


def run_passes(root: Path, python: str, args: list[str]) -> int:
    env = {
        **os.environ,
        "GOVCODE_TEST_REDIS_URL": os.environ.get(
            "GOVCODE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
        ),
    }
    outcomes = [lint(python, root)]
    with tempfile.TemporaryDirectory(prefix="govcode-tests-") as tmp:
        out = Path(tmp)
        run = lambda name, marks, extra: pytest_pass(  # noqa: E731
            name, python, root, [*args, "-m", marks], {**env, **extra}, out
        )
        outcomes.append(run("SQLite", "not redis and not browser", {}))
        db = f"govcode_test_{os.getpid()}"
        admin = admin_url()
        if postgres(python, root, "create", db):
            try:
                pg_env = {
                    "GOVCODE_TEST_DATABASE_URL": f"{admin.rsplit('/', 1)[0]}/{db}",
                    "GOVCODE_TEST_ONLY_DB": "1",
                }
                outcomes.append(run("PostgreSQL", "not browser", pg_env))
            finally:
                postgres(python, root, "drop", db)
        else:
            outcomes.append(Outcome("PostgreSQL", True, f"skipped: no PostgreSQL at {admin}"))
        outcomes.append(run("Redis", "redis", {}))
        outcomes.append(run("browser", "browser", {}))
    print("== summary")
    width = max(len(o.name) for o in outcomes)
    for o in outcomes:
        print(f"{o.name:<{width}}  {'ok    ' if o.ok else 'FAILED'}  {o.detail}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(run_passes(Path(__file__).resolve().parents[1], sys.executable, sys.argv[1:]))
