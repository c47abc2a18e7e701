"""Every git process govcode starts, started one hardened way.

A repository we clone is hostile until proven otherwise, and so is its server. Each
invocation therefore gets an environment that cannot prompt, read a user's or the system's
config (credential helpers, aliases, hooks), and a command line that forbids every transport
except the one the URL policy already approved. Processes run in their own process group so
a timeout kills git *and* its helpers (``git-remote-https``, ``index-pack``). Each one also
runs under a memory ceiling (``RLIMIT_AS``, set by util-linux ``prlimit`` before git starts,
so every helper inherits it): a hostile repository can make git fail, never the machine.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from registry.errors import CrawlError

GIT = "git"
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per git process (Settings.git_max_memory_bytes)
_PRLIMIT = shutil.which("prlimit")
WATCH_INTERVAL = 0.2  # seconds between two looks of a ``watch`` at a running git
Watch = Callable[[], str | None]  # a reason to stop git now, or None
_NO_MEMORY = ("out of memory", "cannot allocate memory")
_EMPTY_HOME = Path(tempfile.gettempdir()) / "govcode-git-home"

# Options for every command: no hooks, no symlinks, no redirects, no credentials, and no
# transport at all; network commands add back exactly http(s). fsck on transfer is left off
# on purpose: nothing is ever checked out, and it refuses many real old repositories.
BASE_CONFIG: tuple[str, ...] = (
    "protocol.allow=never",
    "core.hooksPath=/dev/null",
    "core.symlinks=false",
    "core.fsmonitor=false",
    "core.askPass=/bin/true",
    "credential.helper=",
    "http.followRedirects=false",
    "fetch.recurseSubmodules=false",
    "gc.auto=0",
    "maintenance.auto=false",
    # Map packs in small windows, so that git works within its memory ceiling.
    "core.packedGitWindowSize=32m",
    "core.packedGitLimit=256m",
    "core.deltaBaseCacheLimit=64m",
)
NETWORK_CONFIG: tuple[str, ...] = ("protocol.https.allow=always", "protocol.http.allow=always")


def safe_env() -> dict[str, str]:
    """A minimal environment: no prompts, no user or system config, no replace objects."""
    _EMPTY_HOME.mkdir(mode=0o700, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(_EMPTY_HOME),
        "XDG_CONFIG_HOME": str(_EMPTY_HOME),
        "LANG": "C",
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/true",
        "SSH_ASKPASS": "/bin/true",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_OPTIONAL_LOCKS": "0",
    }


def git_argv(
    args: Sequence[str],
    *,
    network: bool = False,
    extra_config: Sequence[str] = (),
    memory_limit: int | None = MEMORY_LIMIT,
) -> list[str]:
    """``git -c … <args>``; ``network`` adds http(s), the only transports ever allowed;
    ``memory_limit`` bytes of address space for git and all it starts (None: no ceiling)."""
    config = [*BASE_CONFIG, *(NETWORK_CONFIG if network else ()), *extra_config]
    argv = [GIT]
    if memory_limit is not None and _PRLIMIT:
        argv = [_PRLIMIT, f"--as={memory_limit}", "--", GIT]
    for item in config:
        argv += ["-c", item]
    return [*argv, *args]


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = 60.0,
    input: bytes | None = None,
    network: bool = False,
    extra_config: Sequence[str] = (),
    check: bool = True,
    memory_limit: int | None = MEMORY_LIMIT,
    watch: Watch | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run git to completion or kill its whole process group after ``timeout`` seconds (or
    as soon as ``watch``, asked every ``WATCH_INTERVAL`` seconds, names a reason to stop).

    A failure becomes a ``CrawlError`` carrying git's own last words, so the crawl log can
    say why a repository was skipped.
    """
    piped = input is not None
    proc = start_git(
        args,
        cwd=cwd,
        piped_input=piped,
        network=network,
        extra_config=extra_config,
        memory_limit=memory_limit,
    )
    return finish_git(proc, args, timeout=timeout, input=input, check=check, watch=watch)


def start_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    piped_input: bool = False,
    network: bool = False,
    extra_config: Sequence[str] = (),
    memory_limit: int | None = MEMORY_LIMIT,
) -> subprocess.Popen[bytes]:
    """Start git without waiting, so independent commands overlap (each costs milliseconds
    of start-up alone); ``finish_git`` collects it. Callers must finish what they start."""
    return popen_git(
        git_argv(args, network=network, extra_config=extra_config, memory_limit=memory_limit),
        cwd=cwd,
        stdin=subprocess.PIPE if piped_input else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        memory_limit=memory_limit,
    )


def popen_git(
    argv: list[str],
    *,
    cwd: Path | None,
    stdin: int,
    stderr: int,
    memory_limit: int | None = MEMORY_LIMIT,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` (from ``git_argv``) in a session of its own with the safe environment.
    Without ``prlimit`` on the machine the ceiling is set on the started process instead."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=safe_env(),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    if memory_limit is not None and not _PRLIMIT:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            resource.prlimit(proc.pid, resource.RLIMIT_AS, (memory_limit, memory_limit))
    return proc


def finish_git(
    proc: subprocess.Popen[bytes],
    args: Sequence[str],
    *,
    timeout: float = 60.0,
    input: bytes | None = None,
    check: bool = True,
    watch: Watch | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Wait for a started git (killing its group after ``timeout``, or when ``watch`` says
    so) and check its status."""
    deadline = time.monotonic() + timeout
    with proc:
        try:
            while True:
                left = deadline - time.monotonic()
                step = min(left, WATCH_INTERVAL) if watch is not None else left
                try:
                    out, err = proc.communicate(input, timeout=max(step, 0.0))
                    break
                except subprocess.TimeoutExpired:
                    input = None  # already sent; a retried communicate loses no output
                    if time.monotonic() >= deadline:
                        raise
                    reason = watch() if watch is not None else None
                    if reason:
                        kill_group(proc)
                        proc.communicate()
                        raise CrawlError(f"git {args[0]} was stopped: {reason}") from None
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.communicate()
            message = f"git {args[0]} took longer than {timeout:g} s and was stopped"
            raise CrawlError(message) from None
        except BaseException:
            kill_group(proc)
            raise
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    if check and proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        if any(word in line.lower() for line in message for word in _NO_MEMORY):
            raise CrawlError(f"git {args[0]} ran out of its memory ceiling and was stopped")
        raise CrawlError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
    return result


def abandon_git(proc: subprocess.Popen[bytes]) -> None:
    """Kill a started git that is no longer wanted and reap it (after an error elsewhere)."""
    kill_group(proc)
    with proc:
        proc.communicate()


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group of ``proc`` (it was started with a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
