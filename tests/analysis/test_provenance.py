"""Provenance: shared root commits in real git repositories, and copied-file fingerprints."""

from __future__ import annotations

from pathlib import Path

import git
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.provenance import (
    ProvenanceFinding,
    analyse_provenance,
    copied_files,
    fingerprint,
    shared_history,
)
from registry.analysis.tree import MemoryTree

ELIGIBILITY = """\
from datetime import date


def eligible(birth: date, today: date, postcode: str) -> bool:
    \"\"\"Whether a resident may book a vaccination appointment this week.\"\"\"
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if postcode.upper().startswith(("T5", "T6")):
        return age >= 50
    return age >= 60


def priority(age: int) -> int:
    return 1 if age >= 80 else 2 if age >= 70 else 3
"""
FORM_JS = """\
export function validate(form) {
  const errors = [];
  if (!form.name || form.name.trim().length === 0) errors.push('name is required');
  if (!/^[A-Z]\\d[A-Z] ?\\d[A-Z]\\d$/i.test(form.postcode)) errors.push('postcode is invalid');
  if (form.age < 0 || form.age > 130) errors.push('age is out of range');
  return errors;
}
"""
DEPLOY = "#!/bin/sh\nset -eu\n" + "rsync -a build/ deploy@host:/srv/app/\n" * 10
MIT = "MIT License\n\nPermission is hereby granted, free of charge, to any person...\n" * 10


def crlf_copy(text: str) -> str:
    """What a copy through another OS and editor does: CRLF, trailing blanks, blank lines."""
    return "\r\n".join(line + "  " if line else "\r\n" for line in text.split("\n"))


def test_crlf_copy_matches_and_unrelated_files_do_not() -> None:
    alberta = analyse_provenance(
        MemoryTree({"app/eligibility.py": ELIGIBILITY, "web/form.js": FORM_JS, "LICENSE": MIT}),
        root_commits=["a" * 40],
    )
    ontario = analyse_provenance(
        MemoryTree(
            {
                "vendor_code/rules.py": crlf_copy(ELIGIBILITY),
                "web/form.js": FORM_JS.replace("130", "150"),
                "COPYING": MIT,
            }
        ),
        root_commits=["b" * 40],
    )
    assert crlf_copy(ELIGIBILITY).encode() != ELIGIBILITY.encode()
    assert copied_files(alberta, ontario) == [("app/eligibility.py", "vendor_code/rules.py")]
    assert copied_files(ontario, alberta) == [("vendor_code/rules.py", "app/eligibility.py")]
    assert not shared_history(alberta.root_commits, ontario.root_commits)


def test_boilerplate_vendored_binary_tiny_and_docs_are_not_fingerprinted() -> None:
    files: dict[str, bytes | str] = {
        "app/eligibility.py": ELIGIBILITY,
        "LICENSE.md": MIT,
        "static/jquery.min.js": "!function(){" + "var a=1;" * 200 + "}();",
        "node_modules/form/index.js": FORM_JS,
        "docs/form.js": FORM_JS,
        "assets/logo.h": b"\x00\x01\x02" * 200,
        "app/__init__.py": "",
        "app/tiny.py": "x = 1\n",
        "package-lock.json": '{"lockfileVersion": 3}\n' * 40,
        "app/link.py": ELIGIBILITY,
        "notes/decisions.md": "We chose to publish the rules as open source code.\n" * 20,
        "bin/deploy": DEPLOY,
    }
    finding = analyse_provenance(MemoryTree(files, symlinks=["app/link.py"]), root_commits=[])
    assert finding.fingerprints == (
        ("app/eligibility.py", fingerprint(ELIGIBILITY.encode())),
        ("bin/deploy", fingerprint(DEPLOY.encode())),
    )


def test_max_files_keeps_the_biggest_and_min_bytes_applies_after_normalising() -> None:
    files = {f"src/m{n}.py": ELIGIBILITY + "\n# pad\n" * n for n in range(6)}
    finding = analyse_provenance(MemoryTree(files), root_commits=[], max_files=2)
    assert [path for path, _ in finding.fingerprints] == ["src/m4.py", "src/m5.py"]
    padded = "x = 1\n" + "\n   \n" * 200  # 400+ bytes raw, 5 bytes of content
    assert analyse_provenance(MemoryTree({"a.py": padded}), root_commits=[]).fingerprints == ()


def _commit(repo: git.Repo, path: str, text: str, who: str = "dev@alberta.example") -> None:
    work = Path(repo.working_tree_dir or "")
    (work / path).write_text(text, encoding="utf-8")
    repo.index.add([path])
    actor = git.Actor("Dev", who)
    repo.index.commit(f"edit {path}", author=actor, committer=actor)


def _roots(repo: git.Repo) -> list[str]:
    return [c.hexsha for c in repo.iter_commits("HEAD", max_parents=0)]


def test_shared_history_from_real_git_repositories(tmp_path: Path) -> None:
    origin = git.Repo.init(tmp_path / "alberta")
    _commit(origin, "eligibility.py", ELIGIBILITY)
    copy = git.Repo.clone_from(str(tmp_path / "alberta"), tmp_path / "ontario")
    _commit(copy, "form.js", FORM_JS)
    stranger = git.Repo.init(tmp_path / "quebec")
    _commit(stranger, "eligibility.py", ELIGIBILITY, "dev@quebec.example")  # same file, own history
    assert shared_history(_roots(origin), _roots(copy))
    assert shared_history([r.upper() for r in _roots(copy)], _roots(origin))
    assert not shared_history(_roots(origin), _roots(stranger))
    assert not shared_history([], _roots(origin))
    finding = analyse_provenance(MemoryTree({}), root_commits=[*_roots(copy), "", "not-a-sha"])
    assert finding.root_commits == tuple(_roots(origin))


def test_empty_findings_copy_nothing() -> None:
    empty = ProvenanceFinding((), ())
    assert copied_files(empty, empty) == []


PATHS = st.one_of(
    st.text(max_size=20), st.sampled_from(["a.py", "b.h", "LICENSE", "vendor/x.js", "run"])
)


@settings(max_examples=80, deadline=None)
@given(
    files=st.dictionaries(PATHS, st.binary(max_size=600), max_size=6),
    roots=st.lists(st.text(max_size=41), max_size=3),
    max_files=st.integers(-1, 5),
    min_bytes=st.integers(-1, 400),
)
def test_never_raises_on_arbitrary_trees(
    files: dict[str, bytes], roots: list[str], max_files: int, min_bytes: int
) -> None:
    finding = analyse_provenance(
        MemoryTree(files), root_commits=roots, max_files=max_files, min_bytes=min_bytes
    )
    assert len(finding.fingerprints) <= max(max_files, 0)
    assert copied_files(finding, finding) or not finding.fingerprints
