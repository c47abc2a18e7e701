"""The libgit2 reader (``crawlers.git.libgit2``) answers exactly as the git CLI reader does.

Each test builds a real repository (object by object with GitPython, or with
``git fast-import``), clones it full and partial over git's smart HTTP on 127.0.0.1, and
compares both readers entry by entry, read by read and fact by fact. A partial-clone read
of a missing blob must make no request at all.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from crawlers.context import CrawlContext
from crawlers.git.cli import GitTree
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.libgit2 import Pygit2Tree, ReaderUnavailable, read_git_facts_pygit2
from registry.errors import CrawlError
from tests.crawlers.gitserver import (
    BACKEND,
    FILE,
    GITLINK,
    NOW,
    GitServer,
    bare_repo,
    commit,
)
from tests.crawlers.test_git import HOSTILE, make_cache, present

if not BACKEND.exists() or shutil.which("git") is None:
    pytest.skip("git and git-http-backend are needed", allow_module_level=True)

CAP = 64 * 1024  # max_blob_bytes, as in test_git.py
ODD = {
    **HOSTILE,
    b"caf\\xe9-latin1.txt": (FILE, b"a literal backslash spelling the same name\n"),
    b"/".join([b"deep"] * 300) + b"/leaf.py": (FILE, b"print('deep')\n"),
    b"src/app.py": (FILE, b"print('hi')\n" * 50),
    b"src/same.py": (FILE, b"print('hi')\n" * 50),
    b"src/\xff\xfe.py": (FILE, b"x = 1\n"),
    b"empty": (FILE, b""),
}


def full_clone(server: GitServer, name: str, target: Path) -> Path:
    subprocess.run(
        ["git", "clone", "--bare", "--quiet", server.url(name), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def assert_same_tree(path: Path, commit: str = "HEAD", *, max_files: int = 1000) -> list[str]:
    """Both readers list the same entries and read the same bytes; returns the paths."""
    with (
        GitTree(path, commit, max_blob_bytes=CAP, max_files=max_files) as cli,
        Pygit2Tree(path, commit, max_blob_bytes=CAP, max_files=max_files) as lib,
    ):
        assert lib.entries() == cli.entries()
        assert lib.truncated == cli.truncated
        paths = [e.path for e in cli.entries()]
        for p in [*paths, "absent", "vendor/lib", "src"]:
            assert lib.read(p) == cli.read(p), p
            assert lib.read(p, limit=10) == cli.read(p, limit=10), p
            assert lib.read_prefix(p, 10) == cli.read_prefix(p, 10), p
    return paths


def assert_same_facts(path: Path, **kw) -> None:
    assert read_git_facts_pygit2(path, now=NOW, **kw) == read_git_facts(path, now=NOW, **kw)


def test_hostile_trees_read_alike_full_and_partial(tmp_path: Path, server: GitServer) -> None:
    repo = bare_repo(server.root / "odd.git", head="trunk")
    made = commit(repo, ODD, branch="trunk")
    big = repo.git.rev_parse(f"{made.hexsha}:big.bin")
    full = full_clone(server, "odd.git", tmp_path / "full.git")
    partial = make_cache(tmp_path, server).sync(server.url("odd.git"))
    assert big in present(full) and big not in present(partial)

    paths = assert_same_tree(full)
    assert "caf\\xe9-latin1.txt" in paths and "src/\\xff\\xfe.py" in paths
    assert "vendor/lib" not in paths and any(p.endswith("/leaf.py") for p in paths)
    before = len(server.requests)
    assert assert_same_tree(partial) == paths
    with Pygit2Tree(partial, made.hexsha, max_blob_bytes=CAP, max_files=1000) as tree:
        sizes = {e.path: e for e in tree.entries()}
        assert sizes["big.bin"].size == CAP + 1 and tree.read("big.bin") is None
        assert sizes["passwd"].is_symlink and tree.read("passwd") is None
        assert tree.read("src/same.py") == tree.read("src/app.py") == ODD[b"src/app.py"][1]
        assert tree.read("empty") == b""
    assert len(server.requests) == before  # the missing blob was never asked for
    assert big not in present(partial)
    with Pygit2Tree(full, "trunk", max_blob_bytes=CAP * 4, max_files=1000) as whole:
        assert whole.read("big.bin") == ODD[b"big.bin"][1]  # present in a full clone: read


def test_partialclone_extension_is_readable(tmp_path: Path, server: GitServer) -> None:
    """Older git wrote ``extensions.partialclone``; libgit2 refuses unknown extensions."""
    commit(bare_repo(server.root / "ext.git"), ODD)
    partial = make_cache(tmp_path, server).sync(server.url("ext.git"))
    git_config = ["git", "config", "--file", str(partial / "config")]
    subprocess.run([*git_config, "core.repositoryformatversion", "1"], check=True)
    subprocess.run([*git_config, "extensions.partialclone", "origin"], check=True)
    before = len(server.requests)
    assert_same_tree(partial)
    assert_same_facts(partial)
    assert len(server.requests) == before


def test_facts_alike_on_merges_ties_caps_and_tags(tmp_path: Path, server: GitServer) -> None:
    repo = bare_repo(server.root / "facts.git", head="develop")
    first = commit(repo, {b"a": (FILE, b"1")}, branch="develop", when=NOW - timedelta(days=800))
    other = commit(repo, {b"b": (FILE, b"2")}, branch="side", when=NOW - timedelta(days=900))
    tip = commit(
        repo,
        {b"a": (FILE, b"1"), b"b": (FILE, b"2")},
        branch="develop",
        when=NOW - timedelta(days=200),
        email="Other@Agency.example",
        parents=(first, other),
    )
    for day, email in enumerate(["", "  X@Y.example ", "x@y.example", "caf\xe9@y.example"]):
        when = NOW - timedelta(days=100 - 30 * day)
        twin = commit(repo, {b"c": (FILE, b"%d" % day)}, branch="twin", when=when, email=email)
        tip = commit(
            repo,
            {b"a": (FILE, b"%d" % day)},
            branch="develop",
            when=when,  # the same second as the side branch: ties in date order
            parents=(tip, twin),
        )
    repo.create_tag("v1.0", ref=first)
    repo.create_tag("side", ref=other)  # a branch and a tag of one name: "tags/side"
    repo.git.update_ref("refs/tags/HEAD", first.hexsha)  # ambiguous with HEAD itself
    repo.git.tag("-a", "-m", "annotated", "v2", tip.hexsha)
    path = make_cache(tmp_path, server).sync(server.url("facts.git"))
    subprocess.run(["git", "update-ref", "refs/heads/side", other.hexsha], cwd=path, check=True)
    facts = read_git_facts_pygit2(path, now=NOW)
    assert facts.tags == ("tags/HEAD", "tags/side", "v1.0", "v2")
    assert facts.default_branch == "develop" and facts.head == tip.hexsha
    for cap in (5000, 14, 13, 7, 3, 2, 1, 0):
        assert_same_facts(path, max_commits=cap)
    subprocess.run(["git", "update-ref", "--no-deref", "HEAD", first.hexsha], cwd=path, check=True)
    assert read_git_facts_pygit2(path, now=NOW).default_branch == ""
    assert_same_facts(path)


def test_tag_facts_alike_with_dates_messages_and_signatures(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "tags.git")
    first = commit(repo, {b"a": (FILE, b"1")}, when=NOW - timedelta(days=30))
    second = commit(repo, {b"a": (FILE, b"2")}, when=NOW - timedelta(days=3), parents=(first,))
    repo.create_tag("v1.0", ref=first)  # lightweight: the commit's date, no message
    env = {"GIT_COMMITTER_DATE": "1700000000 +0000"}
    notes = "Release 1.1\n\nFixes CVE-2026-1234.\n-----BEGIN PGP SIGNATURE-----\nxyz\n"
    repo.git.tag("-a", "-m", notes, "v1.1", second.hexsha, env=env)
    repo.git.tag("tree-tag", f"{second.hexsha}^{{tree}}")  # a tag naming a tree
    assert_same_facts(Path(repo.git_dir))
    facts = read_git_facts_pygit2(Path(repo.git_dir), now=NOW)
    by_name = {t.name: t for t in facts.tag_facts}
    assert [t.name for t in facts.tag_facts] == list(facts.tags) == ["tree-tag", "v1.0", "v1.1"]
    assert by_name["v1.0"].commit == first.hexsha and by_name["v1.0"].message == ""
    assert by_name["v1.0"].stamp == int((NOW - timedelta(days=30)).timestamp())
    annotated = by_name["v1.1"]
    assert annotated.commit == second.hexsha and annotated.stamp == 1700000000
    assert annotated.message == "Release 1.1\n\nFixes CVE-2026-1234."  # no signature block


def fast_import(path: Path, stream: list[bytes]) -> None:
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(stream), check=True)


def test_deep_history_and_large_tree_alike(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "deep.git")
    stream = []
    for i in range(6000):  # a linear history with a few authors, one commit a day
        stamp = int((NOW - timedelta(days=6000 - i)).timestamp())
        who = b"dev%d@agency.example" % (i % 7)
        stream.append(b"commit refs/heads/main\ncommitter D <%s> %d +0000\n" % (who, stamp))
        stream.append(b"data 1\nc\n")
        if i == 0:
            stream += [b"M 100644 inline pkg%d/f%d.txt\ndata 2\n%02d\n" % (k % 40, k, k % 99)
                       for k in range(3000)]  # fmt: skip
            stream += [b"M 100644 inline ROOT%d.md\ndata 4\nroot\n" % k for k in range(5)]
        stream.append(b"M 100644 inline log.txt\ndata %d\n%d\n" % (len(str(i)), i))
    fast_import(Path(repo.git_dir), stream)
    path = Path(repo.git_dir)
    for cap in (5000, 6000, 10_000):
        assert_same_facts(path, max_commits=cap)
    assert read_git_facts_pygit2(path, now=NOW, max_commits=5000).contributors == 7
    assert len(assert_same_tree(path, "main", max_files=500)) == 500
    assert len(assert_same_tree(path, "main", max_files=5000)) == 3006


def test_empty_or_unreadable_repositories(tmp_path: Path, caplog) -> None:
    empty = Path(bare_repo(tmp_path / "empty.git").git_dir)
    with pytest.raises(CrawlError) as cli:
        read_git_facts(empty, now=NOW)
    with pytest.raises(CrawlError) as lib:
        read_git_facts_pygit2(empty, now=NOW)
    assert str(lib.value) == str(cli.value) and "no commits" in str(lib.value)
    assert not isinstance(lib.value, ReaderUnavailable)
    with pytest.raises(CrawlError):
        Pygit2Tree(empty, "HEAD", max_blob_bytes=CAP, max_files=10)
    with pytest.raises(ReaderUnavailable):  # never a repository of a parent folder
        Pygit2Tree(tmp_path / "nothing", "HEAD", max_blob_bytes=CAP, max_files=10)

    sha256 = sha256_repo(tmp_path)
    with pytest.raises(ReaderUnavailable, match="sha256"):
        read_git_facts_pygit2(sha256, now=NOW)
    ctx = CrawlContext(settings=None, git_cache=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="crawlers.context"):
        facts = ctx.read_git_facts(sha256, now=NOW)
    assert len(facts.head) == 64 and facts.default_branch == "main"  # the CLI took over
    assert "git CLI" in caplog.text and "sha256" in caplog.text


def sha256_repo(tmp_path: Path) -> Path:
    """A SHA-256 repository: git 2.39 reads it, this libgit2 build cannot open it."""
    work = tmp_path / "sha256"
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=Dev", "-c", "user.email=dev@agency.example"]
    run = partial(subprocess.run, check=True, capture_output=True, env=env)
    run(["git", "init", "--quiet", "--object-format=sha256", "-b", "main", str(work)])
    (work / "a.py").write_bytes(b"a = 1\n")
    run(["git", "-C", str(work), "add", "a.py"])
    run(["git", "-C", str(work), *ident, "commit", "--quiet", "-m", "one"])
    run(["git", "clone", "--bare", "--quiet", str(work), str(tmp_path / "sha256.git")])
    return tmp_path / "sha256.git"


def test_context_reads_with_libgit2_and_falls_back(tmp_path: Path, settings) -> None:
    repo = bare_repo(tmp_path / "r.git")
    commit(repo, {b"a.py": (FILE, b"a = 1\n")})
    ctx = CrawlContext.from_settings(settings)
    with ctx.open_tree(Path(repo.git_dir), "HEAD") as tree:
        assert isinstance(tree, Pygit2Tree) and tree.read("a.py") == b"a = 1\n"
    sha256 = sha256_repo(tmp_path)
    with ctx.open_tree(sha256, "HEAD") as tree:
        assert isinstance(tree, GitTree) and tree.read("a.py") == b"a = 1\n"
    ctx.reader = "cli"
    with ctx.open_tree(Path(repo.git_dir), "HEAD") as tree:
        assert isinstance(tree, GitTree)
    assert ctx.read_git_facts(sha256, now=NOW) == read_git_facts(sha256, now=NOW)


def test_a_tree_bomb_stops_at_the_walk_cap(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "bomb.git")
    files = {b"/".join(b"d%d" % (k // 3**j % 3) for j in range(4)) + b"/f": (FILE, b"x")
             for k in range(81)}  # fmt: skip
    commit(repo, files)
    assert len(assert_same_tree(Path(repo.git_dir))) == 81
    with pytest.raises(CrawlError, match="more than 50 entries"):
        Pygit2Tree(Path(repo.git_dir), "HEAD", max_blob_bytes=CAP, max_files=1000, max_entries=50)
    with pytest.raises(CrawlError, match="more than 50 entries"):
        GitTree(Path(repo.git_dir), "HEAD", max_blob_bytes=CAP, max_files=1000, max_entries=50)


def test_gitlink_to_a_missing_commit_is_skipped(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "sub.git")
    commit(repo, {b"mod": (GITLINK, os.urandom(20)), b"a": (FILE, b"a")})
    assert assert_same_tree(Path(repo.git_dir)) == ["a"]
