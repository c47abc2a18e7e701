"""``SearchIndex``: the search interface every caller uses, over one engine's index folder.

On disk: ``<path>/<engine>/CURRENT`` names the live generation folder (``gen-000001``…), which
holds the engine's files and the sync state. A rebuild fills a new generation aside while the
old one serves, then swaps ``CURRENT`` atomically; other processes see the swap on ``refresh``.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from registry.errors import BadRequest
from registry.search import cursor as cursors
from registry.search import query as q
from registry.search.document import to_document
from registry.search.engine import DEFAULT_ENGINE, Engine, Hits, Plan, engines
from registry.search.facet_cache import MAX_PAIRS, FacetCache, facet_key
from registry.search.snippets import SNIPPET_CHARS
from registry.search.spelling import correct, key_terms
from registry.search.state import SyncState, read_state, write_state

CURRENT = "CURRENT"


class SearchIndex:
    """Text, filters, facets, sort and page → ids, exact total, facet counts, corrections."""

    def __init__(
        self, path: Path, engine: str | None = None, *, facet_cache: int = MAX_PAIRS
    ) -> None:
        name = engine or DEFAULT_ENGINE
        table = engines()
        if name not in table:
            raise BadRequest(f"unknown search engine {name!r}; one of {', '.join(table)}")
        self.engine_name = name
        self._cls = table[name]
        self.root = Path(path) / name
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._facets = FacetCache(facet_cache)  # (value, count) pairs; 0 keeps none
        self._gen = self._current_name() or self._new_generation()
        self._engine: Engine = self._cls(self.root / self._gen)
        self._count = self._engine.count()
        self._seq = read_state(self.folder).seq

    # -- generations ------------------------------------------------------------------------
    def _current_name(self) -> str | None:
        f = self.root / CURRENT
        name = f.read_text().strip() if f.exists() else ""
        return name if name and (self.root / name).is_dir() else None

    def _new_generation(self, *, publish: bool = True) -> str:
        numbers = [int(p.name[4:]) for p in self.root.glob("gen-*") if p.name[4:].isdigit()]
        name = f"gen-{max(numbers, default=0) + 1:06d}"
        (self.root / name).mkdir()
        if publish:
            self._publish(name)
        return name

    def _publish(self, name: str) -> None:
        tmp = self.root / (CURRENT + ".tmp")
        tmp.write_text(name)
        tmp.replace(self.root / CURRENT)

    @property
    def folder(self) -> Path:
        return self.root / self._gen

    @contextmanager
    def build_aside(self) -> Iterator[SearchIndex]:
        """A fresh generation to fill; on success it replaces this one atomically."""
        name = self._new_generation(publish=False)
        aside = object.__new__(SearchIndex)
        aside.__dict__.update(self.__dict__)
        aside._lock, aside._gen = threading.Lock(), name
        aside._facets = FacetCache(self._facets.max_pairs)
        aside._engine = self._cls(self.root / name)
        try:
            yield aside
        except BaseException:
            aside._engine.close()
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        aside._engine.close()
        old = self._gen
        self._publish(name)
        self.refresh()
        for p in self.root.glob("gen-*"):  # keep the one just replaced for readers mid-query
            if p.name not in (name, old):
                shutil.rmtree(p, ignore_errors=True)

    # -- state and writes -------------------------------------------------------------------
    @property
    def state(self) -> SyncState:
        return read_state(self.folder)

    def save_state(self, state: SyncState) -> None:
        write_state(self.folder, state)
        self._seq = state.seq

    @property
    def generation(self) -> str:
        """A token that changes whenever what the index answers may have changed (the same in
        every process that follows the same database): for ETags."""
        return f"{self._gen}.{self._seq}"

    def apply(self, rows: Iterable[dict], deleted: Iterable[int] = ()) -> int:
        """Add or replace ``index_feed`` rows and delete ids, in one commit."""
        now = datetime.now(UTC)
        docs = [to_document(r, now=now) for r in rows]
        with self._lock:
            n = self._engine.apply(docs, list(deleted))
            self._engine.reload()
            self._facets.clear()
            self._count = self._engine.count()
        return n

    def load(self, batches: Iterable[Iterable[dict]]) -> int:
        """Fill a fresh generation (``build_aside``) with batches of ``index_feed`` rows, in
        one commit: streamed, so memory holds one batch at a time."""
        now = datetime.now(UTC)
        docs = ([to_document(r, now=now) for r in rows] for rows in batches)
        with self._lock:
            n = self._engine.bulk(docs)
            self._engine.reload()
            self._facets.clear()
            self._count = self._engine.count()
        return n

    def clear(self) -> None:
        with self._lock:
            self._engine.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir()
            self._engine = self._cls(self.folder)
            self._facets.clear()
            self._count = self._seq = 0

    def refresh(self) -> bool:
        """Pick up commits (and generation swaps) made by other writers; True if any."""
        with self._lock:
            current = self._current_name()
            if current and current != self._gen:
                self._engine.close()
                self._gen, self._engine = current, self._cls(self.root / current)
                changed = True
            else:
                changed = self._engine.reload()
            self._count = self._engine.count()
            if changed:
                self._facets.clear()
                self._seq = read_state(self.folder).seq
            return changed

    def count(self) -> int:
        """Documents in the index, from memory (no reader is opened)."""
        return self._count

    @property
    def remembered_facets(self) -> int:
        """Searches whose facet counts this generation of the index remembers."""
        return len(self._facets)

    # -- reads -----------------------------------------------------------------------------
    def _resolve(self, filters: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Field-syntax values matched to the index's values without regard to case."""
        out = {}
        for name, values in filters.items():
            known = {v.lower(): v for v in self._engine.facet_values(name)}
            out[name] = tuple(known.get(v.lower(), v) for v in values)
        return out

    def search(self, request: q.SearchRequest) -> q.SearchResult:
        parsed = q.parse(request.text)
        filters = q.clean_filters(request.filters)
        digest = cursors.query_digest(
            request.text, filters, request.sort, request.per_page, request.active_days
        )
        for name, values in self._resolve(dict(parsed.filters)).items():
            filters[name] = tuple(dict.fromkeys((*filters.get(name, ()), *values)))
        page = max(1, request.page)
        per_page = max(1, min(100, request.per_page))
        since = None
        if request.active_days:
            since = int((datetime.now(UTC) - timedelta(days=request.active_days)).timestamp())
        plan = Plan(
            text=parsed,
            filters=filters,
            updated_since=since,
            exclude_ids=tuple(request.exclude_ids),
            sort=request.sort if request.sort in q.SORTS else "relevance",
            offset=(page - 1) * per_page,
            limit=per_page,
            facets=request.facets,
            # one more than shown: whether a facet has more values than it shows
            facet_top=None if request.facet_top is None else max(1, request.facet_top) + 1,
            facet_all=tuple(f for f in request.facet_all if f in q.FACETS),
        )
        if request.cursor:
            after = cursors.decode(request.cursor, query=digest)
            hits, corrected, did_you_mean, offset = self._after(plan, after)
        else:
            (hits, corrected, did_you_mean), offset = self._run(plan), plan.offset
        following = None
        if hits.ids and offset + len(hits.ids) < min(hits.total, cursors.MAX_OFFSET):
            following = cursors.Cursor(digest, offset + len(hits.ids), hits.ids[-1])
        facets, more = _top(hits.facets, plan)
        return q.SearchResult(
            ids=hits.ids,
            total=hits.total,
            facets=facets,
            more_facets=more,
            page=offset // per_page + 1,
            per_page=per_page,
            corrected=corrected,
            did_you_mean=did_you_mean,
            next_cursor=cursors.encode(following) if following else None,
        )

    def _after(self, plan: Plan, after: cursors.Cursor) -> tuple[Hits, str | None, str | None, int]:
        """The page that follows the cursor's last result, wherever inserts and deletions
        ahead of it moved it; and the position of the page's first result."""
        width = 2 * cursors.WINDOW + plan.limit
        start = max(0, after.offset - cursors.WINDOW)
        first: tuple[Hits, str | None, str | None] | None = None
        at, page = after.offset, None  # if the last result is gone: its position
        for _ in range(cursors.SCANS + 1):
            window = replace(plan, offset=start, limit=width, facets=plan.facets and not first)
            found = self._run(window)
            first = first or found
            ids = found[0].ids
            if after.last_id in ids:
                at = start + ids.index(after.last_id) + 1
                rest = ids[at - start : at - start + plan.limit]
                page = rest if len(rest) == plan.limit or len(ids) < width else None
                break
            if len(ids) < width:  # the end of the results
                break
            start += width
        assert first is not None
        hits, corrected, did_you_mean = first
        if page is None:
            page = self._run(replace(plan, offset=at, facets=False))[0].ids
        return Hits(ids=page, total=hits.total, facets=hits.facets), corrected, did_you_mean, at

    def _run(self, plan: Plan) -> tuple[Hits, str | None, str | None]:
        """Every word; if nothing has them, the words corrected for typos ("Showing results
        for"); then any word; a correction that still finds nothing is "Did you mean"."""
        epoch = self._facets.epoch  # before the engine: counts of an older one are not kept
        engine = self._engine
        hits = self._hits(engine, plan, epoch)
        if hits.total:
            return hits, None, None
        corrected = None
        fixed = correct(plan.text.terms, engine)
        if fixed != list(plan.text.terms):
            plan = _with_text(plan, plan.text.with_terms(fixed))
            corrected = plan.text.display()
            hits = self._hits(engine, plan, epoch)
        if hits.total == 0 and len(plan.text.terms) + len(plan.text.phrases) > 1:
            hits = self._hits(engine, _any(plan), epoch)  # nothing has every word: rank by any word
        if hits.total == 0 and corrected:
            return hits, None, corrected
        return hits, corrected, None

    def _hits(self, engine: Engine, plan: Plan, epoch: int) -> Hits:
        """``engine.run``, its facet counts remembered for this generation of the index."""
        if not plan.facets:
            return engine.run(plan)
        key = facet_key(plan)
        facets = self._facets.get(key)
        if facets is None:
            hits = engine.run(plan)
            self._facets.put(key, hits.facets, epoch)
            return hits
        hits = engine.run(replace(plan, facets=False))
        return Hits(ids=hits.ids, total=hits.total, facets=facets)

    def snippets(
        self, text: str, texts: Mapping[Hashable, str], *, chars: int = SNIPPET_CHARS
    ) -> dict[Hashable, str]:
        """The texts (descriptions, README excerpts) that hold words of the query ``text``,
        each as escaped HTML: its best fragment with the matched words in ``<mark>``."""
        parsed = q.parse(text)
        return self._engine.snippets(parsed, texts, chars) if not parsed.empty else {}

    def suggest(self, text: str, limit: int = 8) -> list[str]:
        """Completions of the last word typed, most frequent first."""
        head, _, last = text.rstrip().rpartition(" ")
        stem = q.words(last)
        if not stem or len(stem[-1]) < 2:
            return []
        before = " ".join([head, *stem[:-1]]).strip()
        found = sorted(self._engine.terms(stem[-1]), key=lambda t: (-t[1], t[0]))[:limit]
        return [f"{before} {t}".strip() for t, _ in found]

    def similar(self, row: dict, *, limit: int = 5, exclude: Iterable[int] = ()) -> list[int]:
        """Repositories like this ``index_feed`` row (over name, description, README, topics)."""
        terms = key_terms(row, self._engine, self._count)
        if not terms:
            return []
        plan = Plan(
            text=q.ParsedText(tuple(terms)),
            any_term=True,
            exclude_ids=(int(row["id"]), *exclude),
            limit=limit,
            facets=False,
        )
        return self._engine.run(plan).ids


def _top(facets: dict[str, list[tuple[str, int]]], plan: Plan):
    """Each facet's values as the request asked (its ``facet_top``, with its chosen values
    wherever they rank), and the facets that have more (the engine counted one more)."""
    if plan.facet_top is None:
        return facets, ()
    shown = plan.facet_top - 1
    out, more = {}, []
    for name, pairs in facets.items():
        if name in plan.facet_all or len(pairs) <= shown:
            out[name] = pairs
            continue
        chosen = set(plan.filters.get(name, ()))
        kept = pairs[:shown] + [p for p in pairs[shown:] if p[0] in chosen]
        out[name] = kept
        if len(kept) < len(pairs):
            more.append(name)
    return out, tuple(more)


def _with_text(plan: Plan, text: q.ParsedText) -> Plan:
    return Plan(**{**plan.__dict__, "text": text})


def _any(plan: Plan) -> Plan:
    return Plan(**{**plan.__dict__, "any_term": True})
