"""Crawl benchmark: repositories analysed per second, time per repository against the
`git ls-tree -r` floor on the same clone, peak memory, and GitHub API requests per
repository on a first crawl and on an unchanged re-crawl (local API server, real clones).

    python -m bench.crawl --repos 200
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from localforge.github import FakeGitHub
from registry import migrate
from registry.db import make_engine, session_scope
from registry.services import agencies
from registry.settings import Settings
from registry.source_kinds import GITHUB

LANGS = {
    "py": "def f{i}(x):\n    return x * {i}\n",
    "js": "export function f{i}(x) {{ return x * {i}; }}\n",
    "go": "package main\n\nfunc F{i}(x int) int {{ return x * {i} }}\n",
    "java": "class C{i} {{ int f(int x) {{ return x * {i}; }} }}\n",
    "rb": "def f{i}(x)\n  x * {i}\nend\n",
    "css": ".c{i} {{ margin: {i}px; }}\n",
}


def build_world(fake: FakeGitHub, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    fake.add_org("bench", name="Benchmark Agency")
    now = datetime.now(UTC)
    for r in range(n):
        files: dict[str, str] = {
            "README.md": f"# repo {r}\n\n" + "Some words. " * rng.randint(5, 400)
        }
        for k in range(rng.randint(5, 60)):
            ext = rng.choice(list(LANGS))
            files[f"src/dir{k % 7}/file{k}.{ext}"] = LANGS[ext].format(i=k) * rng.randint(1, 40)
        if r % 3 == 0:
            files["LICENSE"] = "MIT License\n\nCopyright (c) 2024 Bench\n\n" + "x" * 10
        if r % 5 == 0:
            files["publiccode.yml"] = f"publiccodeYmlVersion: '0.4'\nname: repo{r}\n"
        fake.add_repo("bench", f"repo-{r:04d}", files, commit_date=now - timedelta(days=r))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, FakeGitHub(Path(tmp) / "forge") as fake:
        t0 = time.perf_counter()
        build_world(fake, args.repos)
        print(f"built {args.repos} repositories in {time.perf_counter() - t0:.1f}s")
        s = Settings(
            var_dir=Path(tmp) / "var",
            github_api_url=fake.api_url,
            allow_http_hosts=[fake.base_url.removeprefix("http://")],
            requests_per_second=0,
        )
        engine = make_engine(s)
        migrate.upgrade(engine)
        with session_scope(engine) as session:
            agency = agencies.ensure_agency(session, slug="bench", name="Bench")
            source_id = agencies.ensure_source(
                session, agency=agency, kind=GITHUB.name, locator="bench", api_url=fake.api_url
            ).id
        ctx = CrawlContext.from_settings(s)
        for label in ("first crawl", "unchanged re-crawl"):
            fake.clear_log()
            t0 = time.perf_counter()
            summary = crawl_source(engine, ctx, source_id)
            elapsed = time.perf_counter() - t0
            counted = sum(1 for r in fake.requests if r.counted)
            print(
                f"{label}: {elapsed:.1f}s, {args.repos / elapsed:.1f} repositories/s, "
                f"{summary.counts}, API requests counted {counted} "
                f"({counted / args.repos:.2f} per repository)"
            )
        clones = sorted(s.resolved_git_cache_dir.rglob("*.git"))
        t0 = time.perf_counter()
        for clone in clones:
            subprocess.run(["git", "-C", str(clone), "ls-tree", "-r", "HEAD"], check=True,
                           capture_output=True)  # fmt: skip
        floor = (time.perf_counter() - t0) / max(1, len(clones))
        print(f"git ls-tree -r floor: {floor * 1000:.1f} ms per repository ({len(clones)} clones)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
