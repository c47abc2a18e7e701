"""A size-capped cache of bare, blobless clones, one per URL.

Cloning is the expensive, risky step of a crawl, so it happens in one place: the URL policy
runs first (and the addresses it approved are pinned for git's own DNS lookups), clones are
bare partial clones (``--filter=blob:limit``) so big blobs never arrive, a clone is built in
a temporary folder and renamed into place so a crash never leaves half a repository, and
callers of the same URL are serialised with ``fcntl`` locks so two workers never fetch into
one repository at once. The cache is derived data: eviction deletes whole clones,
least-recently-used first, until the cache fits its cap.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from crawlers.git.command import run_git
from registry.urlpolicy import CheckedURL, inspect_git_url

STAMP = "govcode-last-used"
_CLONE = ("clone", "--bare", "--quiet", "--no-recurse-submodules")
_FETCH = ("fetch", "--quiet", "--prune", "--prune-tags", "--tags", "--no-recurse-submodules")
_HEAD_SYMREF = re.compile(rb"^ref: (refs/heads/[^\t\n]+)\tHEAD$", re.MULTILINE)


class GitCache:
    """Bare partial clones under ``root``, kept under ``max_bytes`` in total."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int,
        allow_http_hosts: Collection[str] = (),
        timeout: float = 300.0,
        max_blob_bytes: int = 1_000_000,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.allow_http_hosts = tuple(allow_http_hosts)
        self.timeout = timeout
        self.max_blob_bytes = max_blob_bytes

    def path_for(self, url: str) -> Path:
        """Where the clone of ``url`` lives (whether or not it exists yet)."""
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.root / key[:2] / f"{key}.git"

    def sync(self, url: str) -> Path:
        """Clone or fetch ``url`` and return the bare repository's path."""
        checked = inspect_git_url(url, allow_http_hosts=self.allow_http_hosts)
        path = self.path_for(checked.url)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path.with_suffix(".lock"), blocking=True):
            if (path / "HEAD").is_file():
                self._fetch(path, checked)
            else:
                self._clone(path, checked)
            (path / STAMP).touch()
        self.evict(keep=path)
        return path

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Delete least-recently-used clones until the cache fits; return what was deleted."""
        clones = sorted(self._clones(), key=_last_used)
        sizes = {clone: _size(clone) for clone in clones}
        total = sum(sizes.values())
        evicted: list[Path] = []
        for clone in clones:
            if total <= self.max_bytes:
                break
            if clone == keep:
                continue
            with _locked(clone.with_suffix(".lock"), blocking=False) as got:
                if not got:
                    continue  # someone is syncing it right now: it is not least recently used
                shutil.rmtree(clone, ignore_errors=True)
            total -= sizes[clone]
            evicted.append(clone)
        return evicted

    def _clones(self) -> Iterator[Path]:
        if self.root.is_dir():
            yield from (p for p in self.root.glob("??/*.git") if (p / "HEAD").is_file())

    def _clone(self, path: Path, checked: CheckedURL) -> None:
        for stale in path.parent.glob(f"{path.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)  # a crashed clone of ours (we hold the lock)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            limit = f"--filter=blob:limit={self.max_blob_bytes}"
            run_git(
                [*_CLONE, limit, "--", checked.url, str(tmp)],
                timeout=self.timeout,
                network=True,
                extra_config=_pin_dns(checked),
            )
            run_git(["config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*"], cwd=tmp)
            tmp.rename(path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _fetch(self, path: Path, checked: CheckedURL) -> None:
        started = time.monotonic()
        pin = _pin_dns(checked)
        run_git(
            [*_FETCH, "--", "origin"],
            cwd=path,
            timeout=self.timeout,
            network=True,
            extra_config=pin,
        )
        remaining = max(1.0, self.timeout - (time.monotonic() - started))
        listing = run_git(
            ["ls-remote", "--symref", "--", "origin", "HEAD"],
            cwd=path,
            timeout=remaining,
            network=True,
            extra_config=pin,
        )
        match = _HEAD_SYMREF.search(listing.stdout)
        if match:  # the default branch may have been renamed since the clone
            ref = match.group(1).decode("utf-8", "replace")
            if run_git(["check-ref-format", ref], check=False).returncode == 0:
                run_git(["symbolic-ref", "HEAD", ref], cwd=path)


def _pin_dns(checked: CheckedURL) -> list[str]:
    """Make git connect to the addresses the policy approved, not a fresh (rebound) answer."""
    if not checked.addresses:
        return []
    addrs = ",".join(f"[{a}]" if ":" in a else a for a in checked.addresses)
    return [f"http.curloptResolve={checked.host}:{checked.port}:{addrs}"]


@contextmanager
def _locked(lock_path: Path, *, blocking: bool) -> Iterator[bool]:
    """An exclusive ``flock`` on ``lock_path``; yields False when non-blocking and busy."""
    with open(lock_path, "a+b") as handle:
        flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _last_used(clone: Path) -> int:
    stamp = clone / STAMP
    return (stamp if stamp.exists() else clone).stat().st_mtime_ns


def _size(clone: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(clone):
        for name in files:
            with suppress(FileNotFoundError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total
