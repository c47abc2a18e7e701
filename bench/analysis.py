"""Analysis benchmark: repositories analysed per second from local bare clones, against the
floor of `git ls-tree -r` on the same clones, and peak memory.

    python -m bench.analysis --repos 200

Each repository is varied (languages, sizes, licence files, publiccode.yml, manifests,
a few hundred files for some); the analysis is the production stage (`crawlers.record`)
over the production tree reader (`crawlers.git.GitTree`).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from crawlers.base import HostFacts, RepoRef, RepoSnapshot
from crawlers.git import GitTree, read_git_facts
from crawlers.record import build_record
from tests.fakes.gitrepos import make_repo

SNIPPETS = {
    "py": "def f{i}(x):\n    return x * {i}\n",
    "js": "export function f{i}(x) {{ return x * {i}; }}\n",
    "go": "package main\n\nfunc F{i}(x int) int {{ return x * {i} }}\n",
    "java": "class C{i} {{ int f(int x) {{ return x * {i}; }} }}\n",
    "rb": "def f{i}(x)\n  x * {i}\nend\n",
    "css": ".c{i} {{ margin: {i}px; }}\n",
    "h": "int f{i}(int x);\n",
}
MIT = "MIT License\n\nCopyright (c) 2024 Bench\n\nPermission is hereby granted, free of charge, "


def varied_files(rng: random.Random, r: int) -> dict[str, str]:
    files = {"README.md": f"# repo {r}\n\n" + "Some words here. " * rng.randint(5, 400)}
    for k in range(rng.choice([5, 20, 60, 300])):
        ext = rng.choice(list(SNIPPETS))
        files[f"src/d{k % 9}/f{k}.{ext}"] = SNIPPETS[ext].format(i=k) * rng.randint(1, 60)
    if r % 2 == 0:
        licence = Path("/usr/share/common-licenses/Apache-2.0")
        files["LICENSE"] = licence.read_text() if licence.exists() and r % 4 == 0 else MIT
    if r % 5 == 0:
        files["publiccode.yml"] = (
            f"publiccodeYmlVersion: '0.4'\nname: repo{r}\nurl: https://x/{r}\n"
        )
    if r % 3 == 0:
        files["package.json"] = f'{{"name": "pkg{r}", "dependencies": {{"react": "^18"}}}}'
    return files


def build(root: Path, n: int) -> list[Path]:
    rng = random.Random(11)
    now = datetime.now(UTC)
    bare = []
    for r in range(n):
        work = root / "work" / f"r{r}"
        make_repo(work, varied_files(rng, r), date=now - timedelta(days=r)).close()
        target = root / "bare" / f"r{r}.git"
        git.Repo.clone_from(str(work), str(target), bare=True).close()
        bare.append(target)
    return bare


def analyse(path: Path, now: datetime) -> None:
    facts = read_git_facts(path, now=now)
    with GitTree(path, facts.head, max_blob_bytes=1_000_000, max_files=50_000) as tree:
        ref = RepoRef("git", "bench", path.stem, str(path), f"https://bench.example/{path.stem}")
        snap = RepoSnapshot(ref=ref, facts=HostFacts(), git=facts, tree=tree)
        build_record(snap, forks=[], fork_url="", now=now)


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        clones = build(Path(tmp), args.repos)
        print(f"built {len(clones)} bare repositories in {time.perf_counter() - t0:.1f}s")
        now = datetime.now(UTC)
        analyse(clones[0], now)  # warm the classifiers' caches once, as a worker would
        floor = timed(
            lambda p: subprocess.run(
                ["git", "-C", str(p), "ls-tree", "-r", "HEAD"], check=True, capture_output=True
            ),
            clones,
        )
        spent = timed(lambda p: analyse(p, now), clones)
        total = sum(spent)
        print(f"analysis: {len(clones) / total:.1f} repositories/s, "
              f"median {statistics.median(spent) * 1000:.1f} ms, "
              f"p95 {sorted(spent)[int(len(spent) * 0.95) - 1] * 1000:.1f} ms")  # fmt: skip
        print(f"git ls-tree -r floor: median {statistics.median(floor) * 1000:.1f} ms")
        print(f"ratio (median analysis / median floor): "
              f"{statistics.median(spent) / statistics.median(floor):.1f}x")  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
