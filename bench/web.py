"""Web benchmark: the search page and the search API under 32 concurrent clients on loopback,
for a bounded time, with distinct queries, driven by Debian's `wrk` (apt-get install -y wrk)
so the client does not eat the server's CPU. The catalogue is stored in SQL and indexed with
`govcode index rebuild`'s code path (its time is reported against the 60 s target).

    python -m bench.web --size 100000 --workers 2 --duration 20
    python -m bench.web --size 100000 --cache-dir /tmp/govcode-web-100k --cpu 400

``--cache-dir`` keeps the stored and indexed catalogue for the next run (built once).
``--cpu N`` also measures the app's CPU time per request in-process (``time.process_time``
over N distinct requests driven straight through ASGI, no sockets): unlike req/s it barely
moves when other work shares the cores. The page and the API (and their warm-ups) are given
different queries, since the app remembers facet counts per index generation: only the
repeats a seeded draw happens to make (about 2 % of words and filters) can be remembered.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench import search_corpus

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def store(settings, rows: list[dict]) -> None:
    """Bulk-load the catalogue (repositories, agencies, languages) through the models."""
    from registry import migrate
    from registry.db import make_engine, session_scope
    from registry.models import Agency, Repository, RepositoryLanguage

    engine = make_engine(settings)
    migrate.upgrade(engine)
    slugs = sorted({r["agency"] for r in rows})
    with session_scope(engine) as session:
        agencies = [Agency(slug=s, name=s.replace("-", " ").title(), country="ca") for s in slugs]
        session.add_all(agencies)
        session.flush()
        ids = {a.slug: a.id for a in agencies}
    for start in range(0, len(rows), 5000):
        with session_scope(engine) as session:
            for r in rows[start : start + 5000]:
                url = f"https://github.example/{r['full_name']}"
                session.add(
                    Repository(
                        id=r["id"], agency_id=ids[r["agency"]], forge=r["forge"],
                        owner=r["agency"], name=r["name"][:200], full_name=r["full_name"],
                        html_url=url, url_key=url, clone_url=url + ".git",
                        description=r["description"][:2000], topics=r["topics"],
                        readme_text=r["readme"], licence=r["licence"], licence_label=r["licence"],
                        maturity_level=r["maturity"], stars=r["stars"], archived=r["archived"],
                        is_fork=r["is_fork"], last_commit_at=r["updated"],
                    )
                )  # fmt: skip
            session.flush()
            for r in rows[start : start + 5000]:
                for lang in r["languages"]:
                    session.add(RepositoryLanguage(repository_id=r["id"], language=lang, bytes=1))
    engine.dispose()


def paths(rows: list[dict], n: int) -> list[str]:
    out = []
    qs = search_corpus.queries(rows, n=n, seed=9)
    for i, q in enumerate(qs):
        params = [("q", q["text"]), ("sort", q["sort"])]
        params += [("language" if k == "languages" else k, v[0]) for k, v in q["filters"].items()]
        params.append(("page", str(1 + i % 3)))  # distinct answers, no two alike
        out.append(urlencode(params))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_wrk(url: str, paths_file: Path, duration: int, connections: int) -> dict:
    script = paths_file.with_suffix(".lua")
    script.write_text(LUA % paths_file)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    kinds = {k: int(n) for k, n in re.findall(r"(connect|read|write|timeout) (\d+)", out)}
    if non2xx := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        kinds["non-2xx"] = int(non2xx.group(1))
    kinds = {k: n for k, n in kinds.items() if n}
    return {"rps": rps, "requests": done, "p50": ms("50"), "p99": ms("99"),
            "errors": sum(kinds.values()), "kinds": kinds}  # fmt: skip


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), largest one."""
    best = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    best = max(best, int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return best


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--engine", default="tantivy")
    ap.add_argument("--cache-dir", type=Path, help="keep (and reuse) the built catalogue here")
    ap.add_argument("--cpu", type=int, default=0, help="in-process CPU per request, N requests")
    ap.add_argument("--no-wrk", action="store_true", help="only the in-process CPU figure")
    args = ap.parse_args(argv)
    if not args.no_wrk and not shutil.which("wrk"):
        sys.exit("bench.web needs wrk: apt-get install -y wrk")
    with contextlib.ExitStack() as stack:
        if args.cache_dir:
            tmp = str(args.cache_dir.resolve() / f"{args.engine}-{args.size}")
            Path(tmp).mkdir(parents=True, exist_ok=True)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="govcode-web-"))
        rows = prepare(Path(tmp), args.size, args.engine)
        if args.cpu:
            cpu_per_request(Path(tmp), args.engine, paths(rows, 2 * (args.cpu + 20)))
        if not args.no_wrk:
            serve_and_load(Path(tmp), rows, args)


def prepare(tmp: Path, size: int, engine_name: str) -> list[dict]:
    """The catalogue stored and indexed in ``tmp`` (once: a marker file says it is done)."""
    from registry.db import make_engine
    from registry.search import SearchIndex
    from registry.search.sync import rebuild
    from registry.settings import Settings

    rows = search_corpus.synthetic(size)
    done = tmp / "ready"
    settings = Settings(var_dir=tmp, search_engine=engine_name)
    if done.exists():
        print(f"reusing the catalogue in {tmp}")
        from registry import migrate

        kept = make_engine(settings)
        migrate.upgrade(kept)  # a catalogue kept by older code gets the tables added since
        kept.dispose()
        return rows
    t = time.perf_counter()
    store(settings, rows)
    print(f"stored {len(rows):,} repositories in {time.perf_counter() - t:.0f} s")
    engine = make_engine(settings)
    t = time.perf_counter()
    rebuild(engine, SearchIndex(settings.resolved_index_dir, engine=engine_name))
    took = time.perf_counter() - t
    print(f"rebuild {took:.1f} s (target ≤ 60 s: {'ok' if took <= 60 else 'MISS'})")
    engine.dispose()
    done.write_text("ok\n")
    return rows


def cpu_per_request(tmp: Path, engine_name: str, queries: list[str]) -> None:
    """CPU milliseconds per request of one app, in this process, straight through ASGI."""
    import asyncio

    from registry.settings import Settings
    from web.app import create_app

    app = create_app(Settings(var_dir=tmp, search_engine=engine_name))

    async def call(path: str) -> int:
        target, _, query = path.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": target, "raw_path": target.encode(),
            "query_string": query.encode(), "root_path": "", "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1), "headers": [(b"host", b"127.0.0.1")], "app": app,
        }  # fmt: skip
        status = 0

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    half = len(queries) // 2  # the page's and the API's: the app remembers facet counts

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for i, (label, prefix) in enumerate(
                (("page /", "/?"), ("API", "/api/v1/repositories?"))
            ):
                warm, measured = (
                    queries[i * half : i * half + 20],
                    queries[i * half + 20 : (i + 1) * half],
                )
                for p in warm:
                    await call(prefix + p)
                bad = 0
                cpu, wall = time.process_time(), time.perf_counter()
                for p in measured:
                    bad += (await call(prefix + p)) != 200
                cpu = (time.process_time() - cpu) * 1000 / len(measured)
                wall = (time.perf_counter() - wall) * 1000 / len(measured)
                print(
                    f"in-process {label}: {cpu:.2f} ms CPU per request ({wall:.2f} ms wall, "
                    f"{len(measured)} requests, {bad} not 200; load average "
                    f"{os.getloadavg()[0]:.1f})"
                )
                sys.stdout.flush()

    asyncio.run(run())


def serve_and_load(tmp: Path, rows: list[dict], args) -> None:
    env = {**os.environ, "GOVCODE_VAR_DIR": str(tmp), "GOVCODE_SEARCH_ENGINE": args.engine}
    paths_file = Path(tmp) / "paths.txt"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "registry.cli.main", "serve", "--port", str(port),
         "--workers", str(args.workers), "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(f"load average before: {os.getloadavg()[0]:.1f} (other work on these cores)")
        print("| target | req/s | p50 ms | p99 ms | errors | RSS MB | CPU ms/request | targets |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        distinct = paths(rows, 10_000)  # 5,000 for each: the server remembers facet counts
        for i, (label, prefix) in enumerate(
            (("page /", "/?"), ("API /api/v1/repositories", "/api/v1/repositories?"))
        ):
            mine = distinct[i * 5000 : (i + 1) * 5000]
            paths_file.write_text("\n".join(prefix + p for p in mine) + "\n")
            cpu = cpu_seconds(server.pid)
            r = run_wrk(base, paths_file, args.duration, args.connections)
            per_request = (cpu_seconds(server.pid) - cpu) * 1000 / max(1, r["requests"])
            rss = rss_mb(server.pid)
            kinds = ", ".join(f"{k} {n}" for k, n in r["kinds"].items())
            errors = f"{r['errors']} ({kinds})" if kinds else "0"
            ok = r["rps"] >= 200 and r["p99"] <= 250 and r["errors"] == 0 and rss <= 400
            print(
                f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {errors} "
                f"| {rss:.0f} | {per_request:.2f} | ≥200 req/s, p99≤250 ms, 0 errors, ≤400 MB: "
                f"{'ok' if ok else 'MISS'} |"
            )
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
