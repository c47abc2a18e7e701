"""Git inputs that once took a machine down: a SHA-256 git bomb (its listing is streamed and
capped), any git that grows past its memory ceiling, and a server that ignores the
partial-clone filter (what one clone may bring is capped, and nothing over it is kept)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import git
import pytest

from crawlers.context import CrawlContext
from crawlers.git.cli import GitTree
from crawlers.git.command import git_argv, popen_git, run_git
from registry.errors import CrawlError
from tests.crawlers.gitserver import BACKEND, FILE, GitServer, bare_repo, commit

if not BACKEND.exists() or shutil.which("git") is None:
    pytest.skip("git and git-http-backend are needed", allow_module_level=True)


def _git(repo: Path, *args: str, input: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=True)
    return done.stdout.decode().strip()


def sha256_git_bomb(path: Path, *, fan_out: int = 10, levels: int = 10) -> Path:
    """A bare SHA-256 repository whose one commit's tree references one subtree ``fan_out``
    times, ``levels`` deep: fan_out**levels files from a few kilobytes of objects."""
    subprocess.run(["git", "init", "-q", "--bare", "--object-format=sha256", str(path)], check=True)
    blob = _git(path, "hash-object", "-w", "--stdin", input=b"lol\n")
    listing = "".join(f"100644 blob {blob}\tf{i}\n" for i in range(fan_out))
    tree = _git(path, "mktree", input=listing.encode())
    for _ in range(levels - 1):
        listing = "".join(f"040000 tree {tree}\td{i}\n" for i in range(fan_out))
        tree = _git(path, "mktree", input=listing.encode())
    env = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.gov",
           "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.gov",
           "PATH": os.environ["PATH"], "HOME": str(path)}  # fmt: skip
    head = subprocess.run(
        ["git", "commit-tree", tree, "-m", "bomb"], cwd=path, env=env,
        capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    _git(path, "update-ref", "refs/heads/main", head)
    _git(path, "symbolic-ref", "HEAD", "refs/heads/main")
    return path


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_a_sha256_git_bomb_is_refused_by_the_cli_reader(tmp_path: Path) -> None:
    bomb = sha256_git_bomb(tmp_path / "bomb.git")
    assert _git(bomb, "rev-parse", "--show-object-format") == "sha256"
    started, rss = time.monotonic(), _rss_kib()
    with pytest.raises(CrawlError, match="git bomb"):
        GitTree(bomb, "HEAD", max_blob_bytes=1000, max_files=100, max_entries=100_000)
    assert time.monotonic() - started < 30
    assert _rss_kib() - rss < 200_000  # 10**10 paths never held (22 GB before)
    with pytest.raises(CrawlError, match="more than 1000000 bytes"):
        GitTree(bomb, "HEAD", max_blob_bytes=1000, max_files=100, max_listing_bytes=1_000_000)


def test_the_crawl_context_falls_back_to_the_cli_and_refuses_the_bomb(settings, tmp_path) -> None:
    """libgit2 cannot open SHA-256 repositories, so the crawl reads them with git itself."""
    bomb = sha256_git_bomb(tmp_path / "bomb.git")
    ctx = CrawlContext.from_settings(settings.model_copy(update={"max_tree_entries": 50_000}))
    facts = ctx.read_git_facts(bomb, now=datetime.now(UTC))
    with pytest.raises(CrawlError, match="git bomb"):
        ctx.open_tree(bomb, facts.head)


def test_a_small_sha256_tree_still_reads(tmp_path: Path) -> None:
    small = sha256_git_bomb(tmp_path / "small.git", fan_out=3, levels=3)
    with GitTree(small, "HEAD", max_blob_bytes=1000, max_files=100, max_entries=100) as tree:
        assert len(tree.entries()) == 27
        assert tree.read("d0/d1/f2") == b"lol\n"


def test_every_git_process_runs_under_its_memory_ceiling(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "r.git")
    proc = popen_git(
        git_argv(["cat-file", "--batch"], memory_limit=300 * 1024**2),
        cwd=Path(repo.git_dir), stdin=subprocess.PIPE, stderr=subprocess.DEVNULL,
        memory_limit=300 * 1024**2,
    )  # fmt: skip
    try:
        limits = Path(f"/proc/{proc.pid}/limits").read_text()
        deadline = time.monotonic() + 5
        while (
            "git" not in Path(f"/proc/{proc.pid}/comm").read_text() and time.monotonic() < deadline
        ):
            time.sleep(0.01)  # prlimit has exec'd git by now
            limits = Path(f"/proc/{proc.pid}/limits").read_text()
        line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
        assert line.split()[3:5] == [str(300 * 1024**2)] * 2
    finally:
        proc.kill()
        proc.communicate()


def test_a_git_over_its_ceiling_fails_with_a_clear_error(tmp_path: Path) -> None:
    """``hash-object --stdin`` holds its whole input in memory: 160 MB cannot fit in a
    100 MB ceiling (and fits without one)."""
    repo = Path(git.Repo.init(tmp_path / "w").git_dir)
    data = bytes(160 * 1024**2)
    with pytest.raises(CrawlError, match="memory ceiling"):
        run_git(["hash-object", "--stdin"], cwd=repo, input=data, memory_limit=100 * 1024**2)
    hashed = run_git(["hash-object", "--stdin"], cwd=repo, input=data).stdout.strip()
    assert len(hashed) == 40


# --- a server that ignores the partial-clone filter ---------------------------------------


BIG = 24 * 1024**2  # a blob the filter should have kept back (60 MB in the field)


def _served(server: GitServer, name: str, *, honour_filter: bool) -> git.Repo:
    repo = bare_repo(server.root / f"{name}.git")
    with repo.config_writer() as config:
        config.set_value("uploadpack", "allowFilter", "true" if honour_filter else "false")
    commit(repo, {b"README.md": (FILE, b"# Tool\n"), b"data.bin": (FILE, os.urandom(BIG))})
    return repo


def _cache(settings, server: GitServer, tmp_path: Path, **caps) -> CrawlContext:
    update = {"allow_http_hosts": [f"127.0.0.1:{server.port}"], "max_blob_bytes": 100_000}
    update |= {"git_cache_dir": tmp_path / "cache", **caps}
    return CrawlContext.from_settings(settings.model_copy(update=update))


def _kept(root: Path) -> int:
    return sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.exists() else 0


def test_a_server_ignoring_the_filter_is_stopped_at_the_clone_cap(settings, server, tmp_path):
    _served(server, "greedy", honour_filter=False)
    ctx = _cache(settings, server, tmp_path, clone_max_bytes=4 * 1024**2)
    with pytest.raises(CrawlError, match="more than 4194304 bytes"):
        ctx.git_cache.sync(server.url("greedy.git"))
    assert _kept(tmp_path / "cache") < 1024**2  # nothing of the transfer is kept
    assert not list((tmp_path / "cache").rglob("*.git"))


def test_a_server_honouring_the_filter_clones_under_the_same_cap(settings, server, tmp_path):
    _served(server, "polite", honour_filter=True)
    ctx = _cache(settings, server, tmp_path, clone_max_bytes=4 * 1024**2)
    path = ctx.git_cache.sync(server.url("polite.git"))
    assert (path / "HEAD").is_file() and _kept(path) < 1024**2


def test_a_fetch_past_the_cap_keeps_nothing_it_brought(settings, server, tmp_path):
    repo = bare_repo(server.root / "grows.git")
    with repo.config_writer() as config:
        config.set_value("uploadpack", "allowFilter", "false")
    commit(repo, {b"README.md": (FILE, b"# Tool\n")})
    ctx = _cache(settings, server, tmp_path, clone_max_bytes=4 * 1024**2)
    path = ctx.git_cache.sync(server.url("grows.git"))
    commit(repo, {b"README.md": (FILE, b"# Tool\n"), b"data.bin": (FILE, os.urandom(BIG))})
    with pytest.raises(CrawlError, match="more than 4194304 bytes"):
        ctx.git_cache.sync(server.url("grows.git"))
    assert _kept(tmp_path / "cache") < 1024**2
    assert not list(path.glob("objects/pack/tmp_*"))
