"""Safe git access against real repositories served over git's smart HTTP on 127.0.0.1.

The repositories can hold what a hostile or merely odd repository holds: huge blobs,
symlinks out of the tree, file names that are not UTF-8 or start with a dash, submodules,
thousands of files, no commits at all.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crawlers.git.cache import GitCache
from crawlers.git.cli import GitTree
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.command import run_git
from registry.errors import CrawlError, UnsafeURLError
from tests.crawlers.gitserver import (
    BACKEND,
    EXEC,
    FILE,
    GITLINK,
    LINK,
    NOW,
    GitServer,
    bare_repo,
    commit,
)

if not BACKEND.exists() or shutil.which("git") is None:
    pytest.skip(
        "git and git-http-backend are needed to serve repositories", allow_module_level=True
    )

CAP = 64 * 1024  # max_blob_bytes in these tests


def make_cache(tmp_path: Path, server: GitServer, **kw) -> GitCache:
    kw.setdefault("max_bytes", 10**9)
    return GitCache(
        tmp_path / "cache", allow_http_hosts=[f"127.0.0.1:{server.port}"], max_blob_bytes=CAP, **kw
    )


def present(repo_path: Path) -> set[str]:
    """Object ids in a clone, listed without any lazy fetch."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        cwd=repo_path,
        capture_output=True,
        check=True,
    ).stdout
    return set(out.decode().split())


HOSTILE = {
    b"README.md": (FILE, b"# Tool\n"),
    b"big.bin": (FILE, os.urandom(CAP * 3)),
    b"just-under.bin": (FILE, b"x" * (CAP - 1)),
    b"passwd": (LINK, b"/etc/passwd"),
    b"docs/up": (LINK, b"../../"),
    b"caf\xe9-latin1.txt": (FILE, "données".encode("latin-1")),
    b"new\nline.txt": (FILE, b"a newline in the name\n"),
    b"-rf": (FILE, b"dash\n"),
    b"--output=x": (FILE, b"options\n"),
    b"run.sh": (EXEC, b"#!/bin/sh\n"),
    b"vendor/lib": (GITLINK, bytes.fromhex("aa" * 20)),
}


def test_refused_urls_never_reach_the_server(tmp_path: Path, server: GitServer) -> None:
    commit(bare_repo(server.root / "tool.git"), {b"a": (FILE, b"a")})
    allowed = make_cache(tmp_path, server)
    strict = GitCache(tmp_path / "strict", max_bytes=10**9)  # no allow-list
    for cache, url in [
        (strict, server.url("tool.git")),  # loopback and plain http without the allow-list
        (allowed, f"file://{server.root / 'tool.git'}"),
        (allowed, f"ext::git-http-backend {server.url('tool.git')}"),
        (allowed, "ext::sh"),
        (allowed, f"127.0.0.1:{server.root / 'tool.git'}"),
        (allowed, f"-{server.url('tool.git')}"),
        (allowed, f"http://user:pw@127.0.0.1:{server.port}/tool.git"),
        (allowed, f"http://127.0.0.1:{server.port + 1}/tool.git"),  # another port
    ]:
        with pytest.raises(UnsafeURLError):
            cache.sync(url)
    assert server.requests == []
    assert not (tmp_path / "strict").exists()
    assert allowed.sync(server.url("tool.git")).is_dir()  # the same server, allowed: works
    assert server.requests


def test_hostile_tree_is_listed_but_never_followed_or_fetched(
    tmp_path: Path, server: GitServer
) -> None:
    repo = bare_repo(server.root / "hostile.git", head="trunk")
    made = commit(repo, HOSTILE, branch="trunk")
    path = make_cache(tmp_path, server).sync(server.url("hostile.git"))
    big = repo.git.rev_parse(f"{made.hexsha}:big.bin")
    assert big not in present(path)  # the partial clone left it on the server
    before = len(server.requests)

    with GitTree(path, "HEAD", max_blob_bytes=CAP, max_files=1000) as tree:
        entries = {e.path: e for e in tree.entries()}
        assert set(entries) == {
            "README.md",
            "big.bin",
            "just-under.bin",
            "passwd",
            "docs/up",
            "caf\\xe9-latin1.txt",
            "new\nline.txt",
            "-rf",
            "--output=x",
            "run.sh",
        }  # the submodule is skipped; the Latin-1 name is spelt with a visible escape
        assert entries["big.bin"].size > CAP
        assert entries["just-under.bin"].size == CAP - 1
        assert entries["passwd"].is_symlink and entries["docs/up"].is_symlink
        assert not entries["README.md"].is_symlink
        assert tree.read("big.bin") is None
        assert tree.read("passwd") is None and tree.read("docs/up") is None
        assert tree.read("vendor/lib") is None and tree.read("absent") is None
        assert tree.read("caf\\xe9-latin1.txt") == "données".encode("latin-1")
        assert tree.read("new\nline.txt") == b"a newline in the name\n"
        assert tree.read("-rf") == b"dash\n" and tree.read("--output=x") == b"options\n"
        assert tree.read("just-under.bin") == b"x" * (CAP - 1)
        assert tree.read("just-under.bin", limit=100) is None
        assert tree.read("README.md") == b"# Tool\n"
        assert not tree.truncated

    assert len(server.requests) == before  # no lazy fetch of the missing blob, ever
    assert big not in present(path)
    # Control: plain git in the same clone *does* fetch the blob, so the count above means it.
    subprocess.run(["git", "cat-file", "-s", big], cwd=path, capture_output=True, check=True)
    assert len(server.requests) > before and big in present(path)


def test_git_facts_from_a_clone(tmp_path: Path, server: GitServer) -> None:
    repo = bare_repo(server.root / "facts.git", head="develop")
    first = commit(repo, {b"a": (FILE, b"1")}, branch="develop", when=NOW - timedelta(days=800))
    other = commit(repo, {b"b": (FILE, b"2")}, branch="import", when=NOW - timedelta(days=500))
    merged = commit(
        repo,
        {b"a": (FILE, b"1"), b"b": (FILE, b"2")},
        branch="develop",
        when=NOW - timedelta(days=200),
        email="Other@Agency.example",
        parents=(first, other),
    )
    commit(
        repo,
        {b"a": (FILE, b"3")},
        branch="develop",
        when=NOW - timedelta(days=10),
        email="other@agency.example",
        parents=(merged,),
    )
    repo.create_tag("v1.0", ref=merged)
    head = repo.commit("refs/heads/develop").hexsha
    facts = read_git_facts(make_cache(tmp_path, server).sync(server.url("facts.git")), now=NOW)
    assert facts.head == head and facts.default_branch == "develop"
    assert set(facts.root_commits) == {first.hexsha, other.hexsha}
    assert facts.first_commit_at == (NOW - timedelta(days=800)).replace(microsecond=0)
    assert facts.last_commit_at == NOW - timedelta(days=10)
    assert (facts.commits_90d, facts.commits_365d) == (1, 2)
    assert facts.contributors == 2 and facts.tags == ("v1.0",)
    capped = read_git_facts(
        make_cache(tmp_path, server).sync(server.url("facts.git")), now=NOW, max_commits=1
    )
    assert capped.contributors == 1 and capped.root_commits == facts.root_commits


def test_empty_repository_is_a_clear_crawl_error(tmp_path: Path, server: GitServer) -> None:
    bare_repo(server.root / "empty.git")
    path = make_cache(tmp_path, server).sync(server.url("empty.git"))
    with pytest.raises(CrawlError, match="no commits"):
        read_git_facts(path, now=NOW)
    with pytest.raises(CrawlError):
        GitTree(path, "HEAD", max_blob_bytes=CAP, max_files=10)


def test_resync_fetches_only_new_objects(tmp_path: Path, server: GitServer) -> None:
    repo = bare_repo(server.root / "tool.git")
    files = {f"src/m{i}.py".encode(): (FILE, os.urandom(2000)) for i in range(50)}
    commit(repo, files, when=NOW - timedelta(days=3))
    commit(repo, files, branch="old-feature")
    cache = make_cache(tmp_path, server)
    path = cache.sync(server.url("tool.git"))
    have = present(path)
    assert len(have) == 50 + 2 + 2  # blobs, two trees, two commits (same tree, other date)

    files[b"src/m0.py"] = (FILE, b"changed\n")
    pushed = commit(
        repo,
        {**files, b"huge.iso": (FILE, os.urandom(CAP * 2))},
        branch="trunk",
        parents=(repo.commit("refs/heads/main"),),
    )
    repo.git.symbolic_ref("HEAD", "refs/heads/trunk")  # the default branch was renamed
    repo.git.update_ref("-d", "refs/heads/main")
    repo.git.update_ref("-d", "refs/heads/old-feature")
    repo.create_tag("v2", ref=pushed)
    assert cache.sync(server.url("tool.git")) == path

    new = present(path) - have
    assert len(new) == 4  # the commit, two trees, one changed blob; not the huge one
    facts = read_git_facts(path, now=NOW)
    assert (facts.head, facts.default_branch, facts.tags) == (pushed.hexsha, "trunk", ("v2",))
    refs = (
        subprocess.run(
            ["git", "for-each-ref", "--format=%(refname)"],
            cwd=path,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split()
    )
    assert refs == ["refs/heads/trunk", "refs/tags/v2"]  # deleted branches pruned


def test_eviction_keeps_the_cache_under_its_cap_in_lru_order(
    tmp_path: Path, server: GitServer
) -> None:
    for name in "abc":
        commit(bare_repo(server.root / f"{name}.git"), {b"data": (FILE, os.urandom(40_000))})
    cache = make_cache(tmp_path, server)
    a, b = (cache.sync(server.url(f"{n}.git")) for n in "ab")
    size = sum(f.stat().st_size for f in a.rglob("*") if f.is_file())
    cache.max_bytes = int(size * 2.5)
    time.sleep(0.01)
    assert cache.sync(server.url("a.git")) == a  # a is now more recently used than b
    c = cache.sync(server.url("c.git"))
    assert a.is_dir() and c.is_dir() and not b.exists()
    used = sum(f.stat().st_size for f in cache.root.rglob("*") if f.is_file())
    assert used <= cache.max_bytes
    cache.max_bytes = int(size * 1.5)
    assert cache.evict() == [a]  # least recently used first
    assert c.is_dir()


def test_same_url_is_serialised_by_a_file_lock(tmp_path: Path, server: GitServer) -> None:
    commit(bare_repo(server.root / "tool.git"), {b"a": (FILE, b"a")})
    cache = make_cache(tmp_path, server)
    url = server.url("tool.git")
    path = cache.path_for(url)
    path.parent.mkdir(parents=True)
    results: list[Path] = []
    with open(path.with_suffix(".lock"), "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another worker is syncing this URL
        workers = [threading.Thread(target=lambda: results.append(cache.sync(url))) for _ in "12"]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
        assert results == [] and server.requests == []
        fcntl.flock(held, fcntl.LOCK_UN)
        for worker in workers:
            worker.join(30)
    assert results == [path, path]
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, f"{path.stem}.lock"])
    subprocess.run(
        ["git", "fsck", "--connectivity-only"], cwd=path, check=True, capture_output=True
    )


def test_a_hanging_server_is_cut_off(tmp_path: Path, server: GitServer) -> None:
    cache = make_cache(tmp_path, server, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(CrawlError, match="longer than 1 s"):
        cache.sync(server.url("hang/tool.git"))
    assert time.monotonic() - started < 5
    assert not any(cache.root.glob("*/*.git*"))  # no half clone left behind


def test_large_trees_are_sampled_deterministically(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "many.git")
    stream = [b"commit refs/heads/main\ncommitter Dev <dev@agency.example> 1717200000 +0000\n"]
    stream.append(b"data 4\nmany\n")  # fast-import: 3,005 files in well under a second
    for i in range(3000):
        stream.append(b"M 100644 inline pkg%d/f%d.txt\ndata %d\n%d\n" % (i % 40, i, len(str(i)), i))
    stream += [b"M 100644 inline ROOT%d.md\ndata 4\nroot\n" % i for i in range(5)]
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.git_dir, input=b"".join(stream), check=True
    )
    with (
        GitTree(Path(repo.git_dir), "main", max_blob_bytes=CAP, max_files=500) as one,
        GitTree(Path(repo.git_dir), "main", max_blob_bytes=CAP, max_files=500) as two,
    ):
        assert one.truncated and len(one.entries()) == 500
        assert one.entries() == two.entries()
        paths = [e.path for e in one.entries()]
        assert {f"ROOT{i}.md" for i in range(5)} <= set(paths)
        assert len({p.split("/")[0] for p in paths}) == 40 + 5  # a spread, not one folder
        picked = next(p for p in paths if p.startswith("pkg"))
        assert one.read(picked) == picked.split("/f")[1].removesuffix(".txt").encode()
    with GitTree(Path(repo.git_dir), "main", max_blob_bytes=CAP, max_files=5000) as whole:
        assert not whole.truncated and len(whole.entries()) == 3005


def test_pinned_addresses_are_what_git_connects_to(tmp_path: Path, server: GitServer) -> None:
    """``sync`` pins the addresses the policy approved (``http.curloptResolve``): proof that
    this git honours it, with a name no DNS could answer."""
    commit(bare_repo(server.root / "tool.git"), {b"a": (FILE, b"a")})
    url = f"http://pinned.invalid:{server.port}/tool.git"
    pin = [f"http.curloptResolve=pinned.invalid:{server.port}:127.0.0.1"]
    with pytest.raises(CrawlError):
        run_git(["ls-remote", "--", url], network=True, timeout=20)
    listing = run_git(["ls-remote", "--", url], network=True, timeout=20, extra_config=pin)
    assert b"refs/heads/main" in listing.stdout
