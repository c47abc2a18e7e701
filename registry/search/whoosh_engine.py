"""The Whoosh engine (pure Python): a warm searcher; facet counts from per-value bitmaps
(pyroaring) cached per index generation, so no query walks a lexicon or scores for a count."""

from __future__ import annotations

import heapq
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pyroaring import BitMap
from whoosh import highlight as wh
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

from registry.search.engine import SPELL_FIELD, TEXT_BOOSTS, Hits, Plan
from registry.search.query import FACETS, ParsedText
from registry.search.snippets import around
from registry.search.text import LANGUAGES, guess_language


def _analyzer(lang: str | None):
    a = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return a | StemFilter(lang=lang) if lang else a


FOLD = _analyzer(None)
ANALYZERS = {"name": FOLD, "topics_text": FOLD} | {
    f"text_{lang}": _analyzer(lang) for lang in LANGUAGES
}


def _schema() -> Schema:
    fields: dict = {"id": ID(stored=True, unique=True), "rid": NUMERIC(int, bits=64, sortable=True)}
    for name, analyzer in ANALYZERS.items():
        fields[name] = TEXT(analyzer=analyzer)
    fields[SPELL_FIELD] = TEXT(analyzer=FOLD, phrase=False)
    for name in FACETS:
        fields[name] = KEYWORD(commas=True)
    fields["stars"] = NUMERIC(int, bits=64, sortable=True)
    fields["updated"] = NUMERIC(int, bits=64, sortable=True)
    fields["boost"] = NUMERIC(int, bits=32, sortable=True)  # multiplier × 1000
    return Schema(**fields)


class WhooshEngine:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if windex.exists_in(str(self.folder)):
            self.ix = windex.open_dir(str(self.folder))
        else:
            self.ix = windex.create_in(str(self.folder), _schema())
        self._read = threading.Lock()  # one warm searcher, used by one thread at a time
        self.searcher = None
        self._warm()

    def _warm(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = self.ix.searcher()
        self._bitmaps: dict[str, dict[str, BitMap]] = {}
        self._docvalues: dict[str, list[tuple[str, ...]]] = {}
        self._terms: dict[str, list[tuple[str, int]]] = {}
        self._all: BitMap | None = None
        self._postings: dict[tuple[str, str], BitMap] = {}
        self._columns: dict[str, object] = {}

    # -- writes -----------------------------------------------------------------------------
    def apply(self, docs: Sequence[dict], deleted: Sequence[int]) -> int:
        writer = self.ix.writer(timeout=30)
        try:
            for repo_id in deleted:
                writer.delete_by_term("id", str(repo_id))
            for doc in docs:
                writer.update_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(docs)

    def bulk(self, batches: Iterable[Sequence[dict]]) -> int:
        """Fill an empty index through one writer and one commit."""
        n = 0
        writer = self.ix.writer(timeout=30, limitmb=256)
        try:
            for docs in batches:
                for doc in docs:
                    writer.add_document(**self._fields(doc))
                n += len(docs)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return n

    @staticmethod
    def _fields(doc: dict) -> dict:
        fields: dict = {
            "id": str(doc["id"]),
            "rid": doc["id"],
            "name": doc["name"],
            "topics_text": doc["topics_text"],
            "stars": doc["stars"],
            "updated": doc["updated"],
            "boost": round(doc["boost"] * 1000),
        }
        for lang, text in doc["texts"].items():
            fields[f"text_{lang}"] = text
        fields[SPELL_FIELD] = " ".join([doc["name"], doc["topics_text"], doc["vocabulary"]])
        for name, values in doc["facets"].items():
            kept = [v.replace(",", " ") for v in values if v]
            if kept:
                fields[name] = ",".join(kept)
        return fields

    def reload(self) -> bool:
        with self._read:
            fresh = windex.open_dir(str(self.folder))
            if fresh.latest_generation() == self.ix.latest_generation() and (
                self.searcher is not None and self.searcher.up_to_date()
            ):
                return False
            self.ix = fresh
            self._warm()
            return True

    def close(self) -> None:
        with self._read:
            if self.searcher is not None:
                self.searcher.close()
                self.searcher = None

    # -- reads ------------------------------------------------------------------------------
    def count(self) -> int:
        return self.searcher.doc_count() if self.searcher is not None else 0

    def doc_freq(self, term: str) -> int:
        with self._read:
            return self.searcher.doc_frequency(SPELL_FIELD, term)

    def terms(self, prefix: str) -> list[tuple[str, int]]:
        with self._read:
            if prefix not in self._terms:
                reader = self.searcher.reader()
                self._terms[prefix] = [
                    (t.decode(), reader.doc_frequency(SPELL_FIELD, t))
                    for t in reader.expand_prefix(SPELL_FIELD, prefix)
                ]
            return self._terms[prefix]

    def facet_values(self, name: str) -> list[str]:
        with self._read:
            return list(self._values(name))

    def _values(self, name: str) -> dict[str, BitMap]:
        """Each value of a facet with the set of its documents, once per generation."""
        if name not in self._bitmaps:
            s = self.searcher
            self._bitmaps[name] = {
                raw.decode(): BitMap(s.postings(name, raw).all_ids()) for raw in s.lexicon(name)
            }
        return self._bitmaps[name]

    def _per_doc(self, name: str) -> list[tuple[str, ...]]:
        """Each document's values of a facet (docnum -> values), once per generation."""
        if name not in self._docvalues:
            cols: list[list[str]] = [[] for _ in range(self.searcher.doc_count_all())]
            for value, bm in self._values(name).items():
                for d in bm:
                    cols[d].append(value)
            self._docvalues[name] = [tuple(c) for c in cols]
        return self._docvalues[name]

    def _count(self, name: str, scope: BitMap) -> list[tuple[str, int]]:
        """Counts per value within ``scope``: a walk over the few documents when they are
        fewer than the values, else one bitmap intersection per value."""
        if not scope:
            return []
        values = self._values(name)
        if len(scope) * 4 < len(values):
            col = self._per_doc(name)
            return list(Counter(v for d in scope for v in col[d]).items())
        return [(v, scope.intersection_cardinality(bm)) for v, bm in values.items()]

    def snippets(self, text: ParsedText, texts: Mapping, chars: int) -> dict:
        """Each text's best fragment with its matched words marked (Whoosh's highlighter:
        its context fragmenter and fragment scorer, over the text given)."""
        words = [*text.terms, *(w for p in text.phrases for w in p)]
        if not words:
            return {}
        fragmenter, scorer = (
            wh.ContextFragmenter(maxchars=chars, surround=chars // 4),
            wh.BasicFragmentScorer(),
        )
        out = {}
        for key, body in texts.items():
            if not body:
                continue
            analyzer = ANALYZERS[f"text_{guess_language(body)}"]  # where the document indexed it
            terms = frozenset(t.text for w in words for t in analyzer(w))
            tokens = analyzer(body, chars=True, mode="query", removestops=False)
            fragments = fragmenter.fragment_tokens(body, wh.set_matched_filter(tokens, terms))
            best = max(fragments, key=scorer, default=None)
            if best is None or not best.matches:
                continue
            ranges = [(t.startchar, t.endchar) for t in best.matches]
            html = around(body, best.startchar, best.endchar, ranges)
            if html:
                out[key] = html
        return out

    def _word(self, word: str, *, prefix: bool = False, phrase: Sequence[str] = ()) -> wq.Query:
        """One word (or phrase, or prefix) in any text field, leaving out the fields that do
        not hold it (Whoosh builds a matcher per clause, wanted or not)."""
        shoulds: list[wq.Query] = []
        reader = self.searcher.reader()
        for name, analyzer in ANALYZERS.items():
            boost = TEXT_BOOSTS.get(name, TEXT_BOOSTS["text"])
            head = [t.text for w in phrase for t in analyzer(w)]
            last = [t.text for t in analyzer(word)]
            if not last or any((name, t) not in reader for t in head + last[:-1]):
                continue
            if not prefix and (name, last[-1]) not in reader:
                continue
            if prefix:
                parts = [wq.Term(name, t) for t in head] + [wq.Prefix(name, last[-1])]
                sub = wq.And(parts, boost=boost) if len(parts) > 1 else parts[0]
            elif head or len(last) > 1:
                sub = wq.Phrase(name, head + last, boost=boost)
            else:
                sub = wq.Term(name, last[0], boost=boost)
            shoulds.append(sub)
        return wq.Or(shoulds) if shoulds else wq.NullQuery

    def _text_query(self, plan: Plan) -> wq.Query:
        t = plan.text
        if t.empty:
            return wq.Every()
        parts = [self._word(w) for w in t.terms]
        parts += [self._word(p[-1], phrase=p[:-1]) for p in t.phrases]
        parts += [self._word(p[-1], phrase=p[:-1], prefix=True) for p in t.prefixes]
        return wq.Or(parts) if plan.any_term else wq.And(parts)

    def _restrictions(self, plan: Plan) -> list[wq.Query]:
        out: list[wq.Query] = []
        if plan.updated_since is not None:
            out.append(wq.NumericRange("updated", plan.updated_since, None))
        if plan.exclude_ids:
            out.append(wq.Not(wq.Or([wq.Term("id", str(i)) for i in plan.exclude_ids])))
        return out

    def _chosen(self, plan: Plan, name: str) -> BitMap:
        values = self._values(name)
        return BitMap.union(BitMap(), *(values.get(v, BitMap()) for v in plan.filters[name]))

    def run(self, plan: Plan) -> Hits:
        with self._read:
            return self._run(plan)

    def _column(self, name: str):
        if name not in self._columns:
            self._columns[name] = self.searcher.reader().column_reader(name)
        return self._columns[name]

    def _term_docs(self, name: str, token: str) -> BitMap:
        """The documents of one term, as a bitmap, cached per generation."""
        key = (name, token)
        if key not in self._postings:
            if len(self._postings) > 20_000:
                self._postings.clear()
            reader = self.searcher.reader()
            found = key in reader
            self._postings[key] = (
                BitMap(self.searcher.postings(name, token).all_ids()) if found else BitMap()
            )
        return self._postings[key]

    def _word_docs(self, word: str, *, prefix: bool = False, phrase: Sequence[str] = ()) -> BitMap:
        if prefix or phrase:  # positions or term expansion: Whoosh's own matchers
            return BitMap(self._word(word, prefix=prefix, phrase=phrase).docs(self.searcher))
        tokens = {name: [t.text for t in analyzer(word)] for name, analyzer in ANALYZERS.items()}
        parts = [self._term_docs(name, ts[0]) for name, ts in tokens.items() if len(ts) == 1]
        return BitMap.union(BitMap(), *parts)

    def _text_docs(self, plan: Plan) -> BitMap:
        t = plan.text
        if self._all is None:
            self._all = BitMap(self.searcher.reader().all_doc_ids())
        if t.empty:
            docs = self._all
        else:
            parts = [self._word_docs(w) for w in t.terms]
            parts += [self._word_docs(p[-1], phrase=p[:-1]) for p in t.phrases]
            parts += [self._word_docs(p[-1], phrase=p[:-1], prefix=True) for p in t.prefixes]
            if plan.any_term:
                docs = BitMap.union(BitMap(), *parts)
            else:
                parts.sort(key=len)
                docs = parts[0].intersection(*parts[1:])
        if plan.updated_since is not None:
            since = wq.NumericRange("updated", plan.updated_since, None)
            docs = docs & BitMap(since.docs(self.searcher))
        if plan.exclude_ids:
            docs = docs - BitMap(d for i in plan.exclude_ids for d in self._term_docs("id", str(i)))
        return docs

    def _top(self, plan: Plan, full: BitMap, filtered: bool) -> list[int]:
        """The page of documents: by a column, or by BM25 on Whoosh's top-N collector (which
        skips blocks that cannot place) re-ranked by each document's multiplier."""
        want = plan.offset + plan.limit
        if plan.sort in ("stars", "updated") or plan.text.empty:
            col = self._column("updated" if plan.sort == "updated" else "stars")
            return heapq.nlargest(want, full, key=lambda d: (col[d], -d))[plan.offset :]
        pool = min(len(full), max(4 * want, 50))
        kwargs: dict = {"limit": pool}
        if filtered:  # never an empty set: Whoosh reads that as "no filter"
            kwargs["filter"] = set(full)
        q = wq.And([self._text_query(plan), *self._restrictions(plan)])
        boost = self._column("boost")
        hits = self.searcher.search(q, **kwargs)
        ranked = sorted(hits.top_n, key=lambda sd: (-sd[0] * (boost[sd[1]] or 1000), sd[1]))
        return [d for _, d in ranked[plan.offset : want]]

    def _run(self, plan: Plan) -> Hits:
        base = self._text_docs(plan)
        chosen = {name: self._chosen(plan, name) for name in plan.filters}
        full = base.intersection(*chosen.values()) if chosen else base
        ids: list[int] = []
        if full and plan.limit:
            rid = self._column("rid")
            ids = [int(rid[d]) for d in self._top(plan, full, bool(chosen))]
        facets: dict[str, list[tuple[str, int]]] = {}
        if plan.facets:
            for name in FACETS:
                others = [bm for n, bm in chosen.items() if n != name]
                scope = base.intersection(*others) if others else base
                counts = self._count(name, scope)
                facets[name] = sorted(
                    ((v, n) for v, n in counts if n), key=lambda kv: (-kv[1], kv[0])
                )
        return Hits(ids=ids, total=len(full), facets=facets)
