"""The fast paths of the git reader give the same answers as the careful ones.

Full and partial (``--filter=blob:limit``) clones of one repository, made with plain git
over ``file://`` in ``tmp_path``: sizes from ``ls-tree -l`` must equal sizes from the
missing-blob walk, prefetched reads must equal one-at-a-time reads, and one ``git log``
pass must give the facts the separate commands gave.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from crawlers.git.cli import GitTree, is_partial_clone, parse_batch
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.command import abandon_git, finish_git, start_git
from registry.errors import CrawlError
from tests.crawlers.gitserver import FILE, LINK, NOW, bare_repo, commit

if shutil.which("git") is None:
    pytest.skip("git is needed to build repositories", allow_module_level=True)

CAP = 4096
FILES = {
    b"README.md": (FILE, b"# Tool\n"),
    b"big.bin": (FILE, os.urandom(CAP * 4)),
    b"src/app.py": (FILE, b"print('hi')\n" * 50),
    b"src/same.py": (FILE, b"print('hi')\n" * 50),  # the same blob under two names
    b"src/small.h": (FILE, b"int f(void);\n"),
    b"link": (LINK, b"/etc/passwd"),
}


def clone(origin: Path, target: Path, *extra: str) -> Path:
    subprocess.run(
        ["git", "clone", "--quiet", "--bare", *extra, f"file://{origin}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def objects(path: Path) -> set[str]:
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        cwd=path,
        capture_output=True,
        check=True,
    ).stdout
    return set(out.decode().split())


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    origin = bare_repo(tmp_path / "origin.git")
    commit(origin, FILES)
    full = clone(tmp_path / "origin.git", tmp_path / "full.git")
    partial = clone(tmp_path / "origin.git", tmp_path / "partial.git", f"--filter=blob:limit={CAP}")
    return full, partial


def test_full_and_partial_clones_read_alike(clones: tuple[Path, Path]) -> None:
    full, partial = clones
    assert not is_partial_clone(full) and is_partial_clone(partial)
    before = objects(partial)
    with (
        GitTree(full, "HEAD", max_blob_bytes=CAP, max_files=100) as a,
        GitTree(partial, "HEAD", max_blob_bytes=CAP, max_files=100) as b,
    ):
        sizes_a = {e.path: (e.size, e.is_symlink) for e in a.entries()}
        sizes_b = {e.path: (e.size, e.is_symlink) for e in b.entries()}
        assert sizes_a["src/app.py"] == sizes_b["src/app.py"] == (600, False)
        assert sizes_a["link"] == sizes_b["link"] == (len(b"/etc/passwd"), True)
        assert sizes_a["big.bin"][0] == CAP * 4 and sizes_b["big.bin"][0] > CAP  # a bound
        assert {p: s for p, s in sizes_a.items() if p != "big.bin"} == {
            p: s for p, s in sizes_b.items() if p != "big.bin"
        }
        for tree in (a, b):
            assert tree.read("big.bin") is None and tree.read("link") is None
            assert tree.read("src/same.py") == tree.read("src/app.py") == FILES[b"src/app.py"][1]
            assert tree.read("src/small.h", limit=5) is None
            assert tree.read("README.md") == b"# Tool\n"
    assert objects(partial) == before  # nothing was fetched, not even tried


def test_reads_beyond_the_prefetch_budget_come_one_at_a_time(
    clones: tuple[Path, Path],
) -> None:
    full, _ = clones
    with GitTree(full, "HEAD", max_blob_bytes=CAP, max_files=100, prefetch_bytes=20) as tree:
        assert tree.read("src/small.h") == b"int f(void);\n"  # 13 bytes: prefetched
        assert tree._proc is None  # the one-pass read served it, no process left running
        assert tree.read("src/app.py") == FILES[b"src/app.py"][1]  # over budget: on demand
        assert tree._proc is not None
    with GitTree(full, "HEAD", max_blob_bytes=CAP, max_files=100) as whole:
        assert whole.read("src/app.py") == FILES[b"src/app.py"][1]
        assert whole._proc is None


def test_config_that_could_fetch_lazily_is_treated_as_partial(
    clones: tuple[Path, Path],
) -> None:
    full, _ = clones
    assert not is_partial_clone(full)
    subprocess.run(["git", "config", "remote.origin.promisor", "true"], cwd=full, check=True)
    assert is_partial_clone(full)
    assert is_partial_clone(full.parent / "no-such.git")  # cannot tell: the careful path


def test_batch_output_is_parsed_by_sizes_not_lines() -> None:
    body = b"a\nb\n\x00c"
    out = b"1" * 40 + b" blob %d\n" % len(body) + body + b"\n" + b"2" * 40 + b" missing\n"
    assert parse_batch(out) == {"1" * 40: body}
    with pytest.raises(CrawlError):
        parse_batch(b"3" * 40 + b" blob 4")


def test_one_log_pass_gives_every_fact(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "facts.git", head="develop")
    first = commit(repo, {b"a": (FILE, b"1")}, branch="develop", when=NOW - timedelta(days=800))
    other = commit(repo, {b"b": (FILE, b"2")}, branch="side", when=NOW - timedelta(days=900))
    merged = commit(
        repo,
        {b"a": (FILE, b"3")},
        branch="develop",
        when=NOW - timedelta(days=30),
        email="Two@Agency.example",
        parents=(first, other),
    )
    repo.create_tag("v1", ref=other)  # a tag off the default branch counts too
    path = Path(repo.git_dir)
    for cap in (5000, 2, 1):  # whole walk; capped walks find the roots separately
        facts = read_git_facts(path, now=NOW, max_commits=cap)
        assert facts.head == merged.hexsha and facts.default_branch == "develop"
        assert set(facts.root_commits) == {first.hexsha, other.hexsha}
        assert facts.first_commit_at == NOW - timedelta(days=900)
        assert facts.last_commit_at == NOW - timedelta(days=30) and facts.tags == ("v1",)
    assert read_git_facts(path, now=NOW).contributors == 2
    assert read_git_facts(path, now=NOW, max_commits=1).commits_90d == 1
    repo.git.update_ref("--no-deref", "HEAD", first.hexsha)  # detached
    detached = read_git_facts(path, now=NOW)
    assert detached.head == first.hexsha and detached.default_branch == ""


def test_started_git_is_finished_or_abandoned(tmp_path: Path) -> None:
    bare_repo(tmp_path / "r.git")
    proc = start_git(["for-each-ref"], cwd=tmp_path / "r.git")
    assert finish_git(proc, ["for-each-ref"]).returncode == 0
    slow = start_git(["cat-file", "--batch"], cwd=tmp_path / "r.git", piped_input=True)
    abandon_git(slow)  # waits on stdin forever unless killed
    assert slow.returncode is not None
