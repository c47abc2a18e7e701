"""Analysis benchmark: repositories analysed per second from local bare clones, against the
floor of `git ls-tree -r` on the same clones, and peak memory.

    python -m bench.analysis --repos 200 [--partial] [--keep DIR] [--profile N] [--reader cli|both]

Each repository is varied (languages, sizes, history, publiccode.yml, manifests, a few
hundred files for some) and carries what real repositories carry as licence files: full
texts (Debian's ``/usr/share/common-licenses`` and a complete MIT), a few modified ones,
NOTICE files, SPDX headers in sources, and none at all for a fifth of them (the mix is
printed). The analysis is the production stage (`crawlers.analyse`) over the production
reader (libgit2: `crawlers.git.libgit2`); ``--reader cli`` uses the fallback (`crawlers.git.cli`,
git processes) and ``--reader both`` interleaves the two on each repository.
``--partial`` clones with ``--filter=blob:limit`` as the crawler's cache does; ``--keep``
reuses (or builds once) the repositories in DIR.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import resource
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from crawlers.analyse import build_record
from crawlers.base import HostFacts, RepoRef, RepoSnapshot
from crawlers.git.cli import GitTree
from crawlers.git.cli_facts import read_git_facts
from crawlers.git.libgit2 import Pygit2Tree, read_git_facts_pygit2
from localforge.repos import commit, make_repo
from registry import demo_world
from registry.analysis.licence_text import clear_cache

SNIPPETS = {
    "py": "def f{i}(x):\n    return x * {i}\n",
    "js": "export function f{i}(x) {{ return x * {i}; }}\n",
    "go": "package main\n\nfunc F{i}(x int) int {{ return x * {i} }}\n",
    "java": "class C{i} {{ int f(int x) {{ return x * {i}; }} }}\n",
    "rb": "def f{i}(x)\n  x * {i}\nend\n",
    "css": ".c{i} {{ margin: {i}px; }}\n",
    "h": "int f{i}(int x);\n",
}
COMMENT = {"py": "#", "rb": "#", "js": "//", "go": "//", "java": "//", "css": "/*", "h": "//"}


def mit(*, year: int, holder: str, extra: str) -> str:
    """A complete MIT text; ``extra`` (an added clause) goes before the warranty disclaimer."""
    text = demo_world.MIT.format(year=year, holder=holder)
    return text.replace("\nTHE SOFTWARE IS", extra + "\nTHE SOFTWARE IS", 1)


MODIFIED = (
    "\nThe Software shall be used for Good, not Evil, and shall not be used by any\n"
    "military or intelligence organisation of any country.\n"
)
COMMON = Path("/usr/share/common-licenses")
# r % 20 -> (kind, Debian file or None, SPDX header for sources or None)
MIX = {
    0: ("MIT", None, None),
    1: ("MIT", None, None),
    2: ("MIT (Crown copyright)", None, None),
    3: ("MIT", None, "MIT"),
    4: ("Apache-2.0", "Apache-2.0", None),
    5: ("Apache-2.0", "Apache-2.0", "Apache-2.0"),
    6: ("Apache-2.0 + NOTICE", "Apache-2.0", None),
    7: ("GPL-3.0", "GPL-3", "GPL-3.0-or-later"),
    8: ("GPL-3.0", "GPL-3", None),
    9: ("GPL-2.0", "GPL-2", "GPL-2.0-only"),
    10: ("LGPL-2.1 (COPYING.LESSER)", "LGPL-2.1", None),
    11: ("MPL-2.0", "MPL-2.0", None),
    12: ("BSD-3-Clause", "BSD", None),
    13: ("CC0-1.0", "CC0-1.0", None),
    14: ("MIT modified (unknown)", None, None),
}  # 15..19: no licence file


def licence_files(r: int, year: int) -> tuple[str, dict[str, str], str | None]:
    kind, debian, header = MIX.get(r % 20, ("none", None, None))
    if debian is not None:
        text = (COMMON / debian).read_text() if (COMMON / debian).exists() else ""
        if not text:
            return f"{kind} (absent here)", {}, None
        name = "COPYING.LESSER" if debian == "LGPL-2.1" else "LICENSE"
        files = {name: text}
        if "NOTICE" in kind:
            files["NOTICE"] = f"Bench tool\nCopyright {year} Bench Agency\n"
        return kind, files, header
    if kind.startswith("MIT"):
        holder = "Crown Copyright (Government Digital Service)" if "Crown" in kind else "Bench"
        extra = MODIFIED if "modified" in kind else ""
        return kind, {"LICENSE": mit(year=year, holder=holder, extra=extra)}, header
    return kind, {}, None


def varied_files(rng: random.Random, r: int) -> tuple[str, dict[str, str]]:
    files = {"README.md": f"# repo {r}\n\n" + "Some words here. " * rng.randint(5, 400)}
    kind, licences, header = licence_files(r, 2010 + r % 15)
    files.update(licences)
    for k in range(rng.choice([5, 20, 60, 300])):
        ext = rng.choice(list(SNIPPETS))
        tag = f"{COMMENT[ext]} SPDX-License-Identifier: {header}\n" if header else ""
        body = SNIPPETS[ext].format(i=k) * rng.randint(1, 60)
        files[f"src/tool{r}/d{k % 9}/f{k}.{ext}"] = tag + body
    if r % 5 == 0:
        files["publiccode.yml"] = (
            f"publiccodeYmlVersion: '0.4'\nname: repo{r}\nurl: https://x/{r}\n"
        )
    if r % 3 == 0:
        files["package.json"] = f'{{"name": "pkg{r}", "dependencies": {{"react": "^18"}}}}'
    return kind, files


def build(root: Path, n: int, *, partial: bool) -> tuple[list[Path], Counter[str]]:
    rng = random.Random(11)
    now = datetime.now(UTC)
    bare, kinds = [], Counter()
    for r in range(n):
        kind, files = varied_files(rng, r)
        kinds[kind] += 1
        target = root / "bare" / f"r{r}.git"
        if target.exists():
            bare.append(target)
            continue
        work = root / "work" / f"r{r}"
        repo = make_repo(work, files, date=now - timedelta(days=r + 400))
        for c in range(rng.choice([0, 0, 2, 8])):  # some history, some of it recent
            change = {"CHANGES.md": f"- change {c}\n" * (c + 1)}
            commit(repo, change, date=now - timedelta(days=r + 40 * (8 - c)))
        repo.git.config("uploadpack.allowFilter", "true")
        repo.close()
        options = ["--filter=blob:limit=1000000"] if partial else []
        git.Repo.clone_from(f"file://{work}", str(target), bare=True, multi_options=options).close()
        bare.append(target)
    return bare, kinds


READERS = {"pygit2": (read_git_facts_pygit2, Pygit2Tree), "cli": (read_git_facts, GitTree)}


def analyse(path: Path, now: datetime, reader: str = "pygit2") -> None:
    read_facts, open_tree = READERS[reader]
    facts = read_facts(path, now=now)
    with open_tree(path, facts.head, max_blob_bytes=1_000_000, max_files=50_000) as tree:
        ref = RepoRef("git", "bench", path.stem, str(path), f"https://bench.example/{path.stem}")
        snap = RepoSnapshot(ref=ref, facts=HostFacts(), git=facts, tree=tree)
        build_record(snap, forks=[], fork_url="", now=now)


def ls_tree(path: Path) -> None:
    subprocess.run(
        ["git", "-C", str(path), "ls-tree", "-r", "HEAD"], check=True, capture_output=True
    )


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return out


def run(root: Path, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    clones, kinds = build(root, args.repos, partial=args.partial)
    print(f"built {len(clones)} bare repositories in {time.perf_counter() - t0:.1f}s")
    print("licence files: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    now = datetime.now(UTC)
    readers = sorted(READERS) if args.reader == "both" else [args.reader]
    for reader in readers:
        analyse(clones[0], now, reader)  # warm the classifiers' caches once, as a worker would
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [analyse(p, now, readers[-1]) for p in clones[: args.profile]])
        pstats.Stats(profile).sort_stats("tottime").print_stats(45)
        return
    floor: list[float] = []
    spent: dict[str, list[float]] = {reader: [] for reader in readers}
    for path in clones:  # interleaved, so all see the same load on a shared machine
        floor += timed(ls_tree, [path])
        for reader in readers:
            if args.cold:
                clear_cache()
            spent[reader] += timed(lambda p: analyse(p, now, reader), [path])  # noqa: B023
    print(f"git ls-tree -r floor: median {statistics.median(floor) * 1000:.1f} ms")
    for reader, times in spent.items():
        report(reader, times, statistics.median(floor))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


def report(reader: str, spent: list[float], floor: float) -> None:
    median = statistics.median(spent)
    print(f"{reader} reader: {len(spent) / sum(spent):.1f} repositories/s, "
          f"median {median * 1000:.1f} ms, "
          f"p95 {sorted(spent)[int(len(spent) * 0.95) - 1] * 1000:.1f} ms, "
          f"ratio (median analysis / median floor) {median / floor:.1f}x")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--partial", action="store_true", help="blobless clones, as the cache")
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder")
    parser.add_argument("--profile", type=int, default=0, help="cProfile N repositories")
    parser.add_argument("--cold", action="store_true", help="forget licence texts per repo")
    parser.add_argument(
        "--reader", choices=[*sorted(READERS), "both"], default="pygit2", help="tree reader"
    )
    args = parser.parse_args(argv)
    if args.keep:
        run(args.keep, args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args)


if __name__ == "__main__":
    main()
