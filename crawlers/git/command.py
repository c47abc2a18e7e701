"""Every git process govcode starts, started one hardened way.

A repository we clone is hostile until proven otherwise, and so is its server. Each
invocation therefore gets an environment that cannot prompt, read a user's or the system's
config (credential helpers, aliases, hooks), and a command line that forbids every transport
except the one the URL policy already approved. Processes run in their own process group so
a timeout kills git *and* its helpers (``git-remote-https``, ``index-pack``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from registry.errors import CrawlError

GIT = "git"
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


def git_argv(args: Sequence[str], *, network: bool = False, extra_config: Sequence[str] = ()):
    """``git -c … <args>``; ``network`` adds http(s), the only transports ever allowed."""
    config = [*BASE_CONFIG, *(NETWORK_CONFIG if network else ()), *extra_config]
    argv = [GIT]
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
) -> subprocess.CompletedProcess[bytes]:
    """Run git to completion or kill its whole process group after ``timeout`` seconds.

    A failure becomes a ``CrawlError`` carrying git's own last words, so the crawl log can
    say why a repository was skipped.
    """
    piped = input is not None
    proc = start_git(args, cwd=cwd, piped_input=piped, network=network, extra_config=extra_config)
    return finish_git(proc, args, timeout=timeout, input=input, check=check)


def start_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    piped_input: bool = False,
    network: bool = False,
    extra_config: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """Start git without waiting, so independent commands overlap (each costs milliseconds
    of start-up alone); ``finish_git`` collects it. Callers must finish what they start."""
    return subprocess.Popen(
        git_argv(args, network=network, extra_config=extra_config),
        cwd=cwd,
        env=safe_env(),
        stdin=subprocess.PIPE if piped_input else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def finish_git(
    proc: subprocess.Popen[bytes],
    args: Sequence[str],
    *,
    timeout: float = 60.0,
    input: bytes | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Wait for a started git (killing its group after ``timeout``) and check its status."""
    with proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
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
