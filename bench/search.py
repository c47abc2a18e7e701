"""Search benchmark: govcode's engines (through its own SearchIndex) against raw tantivy and
SQLite FTS5, in the same run, over the same data and the same 200 seeded queries (1–3 words,
half with 1–2 filters, 38 % sorted by recency, top 20 + exact total + all facet counts).

    python -m bench.search                      # the real French list, 10,000 and 100,000
    python -m bench.search --size 10000 --engines govcode-whoosh
    python -m bench.search --size 1000000       # may run long

Prints build time, index size, p50/p95/p99, queries/s with 1 and 2 processes and peak RSS of a
query process, each figure beside its target where the issue sets one.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing as mp
import pickle
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench import search_corpus

ENGINES = ("govcode-tantivy", "govcode-whoosh", "tantivy-raw", "sqlite-fts5")
WHOOSH_MAX = 10_000  # Whoosh is measured up to this size unless --whoosh-max says more


def _engine(kind: str, folder: Path):
    from bench.search_refs import Fts5, RawTantivy

    if kind == "tantivy-raw":
        return RawTantivy(folder)
    if kind == "sqlite-fts5":
        return Fts5(folder)
    return _Govcode(kind.removeprefix("govcode-"), folder)


class _Govcode:
    def __init__(self, name: str, folder: Path) -> None:
        from registry.search import SearchIndex

        # Every query is a new one here (the warm-up's too): measure the engine's counting,
        # not the facet counts a generation remembers for a search asked again.
        self.index = SearchIndex(folder, engine=name, facet_cache=0)

    def build(self, rows: Iterable[dict]) -> None:
        with self.index.build_aside() as aside:  # the path of `govcode index rebuild`
            aside.load(search_corpus.chunks(rows, 20_000))

    def open(self) -> None:
        self.index.refresh()

    def query(self, q: dict):
        from registry.search import SearchRequest

        r = self.index.search(SearchRequest(text=q["text"], filters=q["filters"], sort=q["sort"]))
        return r.ids, r.total, r.facets


def _stream(path: Path):
    """The rows ``run`` wrote, batch by batch (unpickling is cheap beside indexing)."""
    with path.open("rb") as fh:
        while True:
            try:
                yield from pickle.load(fh)
            except EOFError:
                return


def _build(kind: str, folder: str, rows_file: str) -> tuple[float, float]:
    rows = _stream(Path(rows_file))
    eng = _engine(kind, Path(folder))
    t = time.perf_counter()
    eng.build(rows)
    took = time.perf_counter() - t
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return took, size / 1e6


def _query(kind: str, folder: str, queries_file: str) -> tuple[list[float], float, float]:
    queries = pickle.loads(Path(queries_file).read_bytes())
    eng = _engine(kind, Path(folder))
    eng.open()
    for q in queries[:10]:  # warm-up
        eng.query(q)
    lat = []
    start = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        eng.query(q)
        lat.append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - start
    return lat, wall, _peak_rss_mb()


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry the
    parent's peak over fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def measure(kind: str, queries: list[dict], work: Path) -> dict:
    folder = work / kind
    rows_file, queries_file = work / "rows.pickle", work / "queries.pickle"
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        build_s, size_mb = pool.submit(_build, kind, str(folder), str(rows_file)).result()
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        lat, wall, rss = pool.submit(_query, kind, str(folder), str(queries_file)).result()
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        both = [pool.submit(_query, kind, str(folder), str(queries_file)) for _ in range(2)]
        walls = [f.result()[1] for f in both]
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "engine": kind,
        "build_s": build_s,
        "size_mb": size_mb,
        "p50": _pct(lat, 50),
        "p95": _pct(lat, 95),
        "p99": _pct(lat, 99),
        "qps1": len(queries) / wall,
        "qps2": 2 * len(queries) / max(walls),
        "rss_mb": rss,
    }


def _target(row: dict, size: int, raw_p95: float | None) -> str:
    kind, p95 = row["engine"], row["p95"]
    notes = []
    if kind == "govcode-tantivy" and size >= 100_000:
        limit = 50 if size >= 1_000_000 else 10
        notes.append(f"p95≤{limit}ms:{'ok' if p95 <= limit else 'MISS'}")
        if raw_p95:
            notes.append(f"≤2×raw:{'ok' if p95 <= 2 * raw_p95 else 'MISS'}")
        if size == 100_000:
            notes.append(f"build≤60s:{'ok' if row['build_s'] <= 60 else 'MISS'}")
    if kind == "govcode-whoosh" and size <= 10_000:
        notes.append(f"p95≤30ms:{'ok' if p95 <= 30 else 'MISS'}")
    return " ".join(notes)


def print_table(label: str, results: list[dict]) -> None:
    raw = next((r["p95"] for r in results if r["engine"] == "tantivy-raw"), None)
    size = int(label.split()[0]) if label[0].isdigit() else 0
    print(f"\n## {label}")
    head = "| engine | build s | index MB | p50 ms | p95 ms | p99 ms | q/s 1p | q/s 2p | RSS MB |"
    print(head + " p95 ÷ raw tantivy | targets |")
    print("|" + " --- |" * 11)
    for r in results:
        ratio = f"{r['p95'] / raw:.1f}×" if raw else "–"
        print(
            f"| {r['engine']} | {r['build_s']:.1f} | {r['size_mb']:.0f} | {r['p50']:.2f} | "
            f"{r['p95']:.2f} | {r['p99']:.2f} | {r['qps1']:.0f} | {r['qps2']:.0f} | "
            f"{r['rss_mb']:.0f} | {ratio} | {_target(r, size, raw)} |"
        )
    sys.stdout.flush()


def run(label: str, corpus, engines: list[str], whoosh_max: int) -> None:
    """``corpus``: a list of rows, or ``("synthetic", n, seed)``, generated as it is indexed
    (so a million rows never sit in memory; the queries come from the first 200,000)."""
    size = len(corpus) if isinstance(corpus, list) else corpus[1]
    sample = itertools.islice(search_corpus.rows_of(corpus), search_corpus.QUERY_SAMPLE)
    queries = search_corpus.queries([{**r, "readme": ""} for r in sample])  # not read
    with tempfile.TemporaryDirectory(prefix="govcode-bench-") as tmp:
        work = Path(tmp)
        with (work / "rows.pickle").open("wb") as fh:  # generated once, never all in memory
            for batch in search_corpus.chunks(search_corpus.rows_of(corpus), 10_000):
                pickle.dump(batch, fh)
        (work / "queries.pickle").write_bytes(pickle.dumps(queries))
        results = []
        for kind in engines:
            if kind == "govcode-whoosh" and size > whoosh_max:
                continue
            results.append(measure(kind, queries, work))
            print(f"  {kind}: done", file=sys.stderr, flush=True)
        print_table(label, results)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, action="append", help="synthetic catalogue size(s)")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--no-france", action="store_true", help="skip the real French list")
    ap.add_argument("--whoosh-max", type=int, default=WHOOSH_MAX)
    args = ap.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        ap.error(f"unknown engines: {', '.join(sorted(unknown))}")
    if not args.no_france and search_corpus.FRANCE_CSV.exists():
        real = search_corpus.france()
        run(f"French public repositories ({len(real):,} real)", real, engines, args.whoosh_max)
    for size in args.size or [10_000, 100_000]:
        run(f"{size} synthetic repositories", ("synthetic", size, 11), engines, args.whoosh_max)


if __name__ == "__main__":
    main()
