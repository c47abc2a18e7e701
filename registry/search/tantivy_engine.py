"""The tantivy engine (Rust, embedded): a warm searcher, facet counts by aggregation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path

import tantivy

from registry.search.engine import SPELL_FIELD, TEXT_BOOSTS, Hits, Plan
from registry.search.query import FACETS, ParsedText
from registry.search.snippets import around, char_ranges
from registry.search.text import LANGUAGES, guess_language

FOLD = "govcode_fold"
BULK_HEAP = 256_000_000  # bytes of indexing memory for a rebuild (one segment per this much)
_Occur = tantivy.Occur


def _analyzer(stemmer: str | None) -> tantivy.TextAnalyzer:
    b = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    b = b.filter(tantivy.Filter.remove_long(60)).filter(tantivy.Filter.lowercase())
    b = b.filter(tantivy.Filter.ascii_fold())
    return (b.filter(tantivy.Filter.stemmer(stemmer)) if stemmer else b).build()


ANALYZERS = {FOLD: _analyzer(None)} | {f"govcode_{s}": _analyzer(s) for s in LANGUAGES.values()}
TEXT_FIELDS = {"name": FOLD, "topics_text": FOLD} | {
    f"text_{lang}": f"govcode_{stem}" for lang, stem in LANGUAGES.items()
}


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", indexed=True, fast=True)
    for name, tok in TEXT_FIELDS.items():
        b.add_text_field(name, tokenizer_name=tok)
    b.add_text_field(SPELL_FIELD, tokenizer_name=FOLD, index_option="basic")
    for name in FACETS:
        b.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    b.add_integer_field("stars", fast=True)
    b.add_integer_field("updated", indexed=True, fast=True)
    b.add_float_field("weight", fast=True)
    return b.build()


class TantivyEngine:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(self.folder), reuse=True)
        for name, analyzer in ANALYZERS.items():
            self.index.register_tokenizer(name, analyzer)
        self.index.config_reader("manual")
        self._write = threading.Lock()
        self._words: dict[tuple, object] = {}
        self._warm()

    def _warm(self) -> None:
        self._generation = _generation(self.folder)
        self.searcher = self.index.searcher()
        self._facet_values: dict[str, list[str]] = {}
        self._terms: dict[str, list[tuple[str, int]]] = {}

    # -- writes -----------------------------------------------------------------------------
    def apply(self, docs: Sequence[dict], deleted: Sequence[int]) -> int:
        with self._write:
            writer = self._writer()
            try:
                for repo_id in deleted:
                    writer.delete_documents_by_term("id", int(repo_id))
                for doc in docs:
                    writer.delete_documents_by_term("id", doc["id"])
                    writer.add_document(self._document(doc))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            writer.wait_merging_threads()
        return len(docs)

    def bulk(self, batches: Iterable[Sequence[dict]]) -> int:
        """Fill an empty index through one writer and one commit: a few large segments
        (each one a query visits costs it time), where a commit per batch leaves many."""
        n = 0
        with self._write:
            writer = self._writer(heap_size=BULK_HEAP)
            try:
                for docs in batches:
                    for doc in docs:
                        writer.add_document(self._document(doc))
                    n += len(docs)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            writer.wait_merging_threads()
        return n

    def _writer(self, timeout: float = 30.0, heap_size: int = 64_000_000):
        """The index's one writer; another (a crawl task, another worker) may hold it for a
        moment, so wait for it as Whoosh does, up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.index.writer(heap_size=heap_size, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @staticmethod
    def _document(doc: dict) -> tantivy.Document:
        fields: dict = {
            "id": doc["id"],
            "name": doc["name"],
            "topics_text": doc["topics_text"],
            "stars": doc["stars"],
            "updated": doc["updated"],
            # tantivy multiplies the score by log2(2 + weight): store the weight that gives
            # the document's multiplier (≥ 1).
            "weight": 2.0 ** doc["boost"] - 2.0,
        }
        for lang, text in doc["texts"].items():
            fields[f"text_{lang}"] = text
        fields[SPELL_FIELD] = " ".join([doc["name"], doc["topics_text"], doc["vocabulary"]])
        for name, values in doc["facets"].items():
            fields[name] = [v for v in values if v]
        return tantivy.Document(**fields)

    def reload(self) -> bool:
        generation = _generation(self.folder)
        if generation == self._generation:
            return False
        self.index.reload()
        self._warm()
        return True

    def close(self) -> None:
        pass

    # -- reads ------------------------------------------------------------------------------
    def count(self) -> int:
        return self.searcher.num_docs

    def doc_freq(self, term: str) -> int:
        return self.searcher.doc_freq(SPELL_FIELD, term)

    def terms(self, prefix: str) -> list[tuple[str, int]]:
        if prefix not in self._terms:
            self._terms[prefix] = list(self.searcher.terms_with_prefix(SPELL_FIELD, prefix))
        return self._terms[prefix]

    def facet_values(self, name: str) -> list[str]:
        if name not in self._facet_values:
            self._facet_values[name] = [t for t, _ in self.searcher.terms_with_prefix(name, "")]
        return self._facet_values[name]

    def snippets(self, text: ParsedText, texts: Mapping, chars: int) -> dict:
        """Each text's best fragment with its matched words marked (tantivy's snippet
        generator, one per language, over the text given: nothing is stored in the index)."""
        if text.empty:
            return {}
        query = self._text_query(Plan(text=text, any_term=True))
        generators: dict[str, tantivy.SnippetGenerator] = {}
        out = {}
        for key, body in texts.items():
            if not body:
                continue
            field = f"text_{guess_language(body)}"  # where the document indexed it
            if field not in generators:
                generators[field] = tantivy.SnippetGenerator.create(
                    self.searcher, query, self.schema, field
                )
                generators[field].set_max_num_chars(chars)
            found = generators[field].snippet_from_doc(tantivy.Document(**{field: body}))
            fragment = found.fragment()
            if not fragment:
                continue
            where = found.fragment_range()
            (start, end), *_ = char_ranges(body, [(where.start, where.end)])
            ranges = char_ranges(fragment, [(r.start, r.end) for r in found.highlighted()])
            html = around(body, start, end, [(a + start, b + start) for a, b in ranges])
            if html:
                out[key] = html
        return out

    def _word(self, word: str, *, prefix: bool = False, phrase: Sequence[str] = ()):
        """One word (or phrase, or prefix) matched in any text field. Queries depend on the
        schema alone and can be shared by threads: the most recent ones are kept."""
        key = (word, prefix, tuple(phrase))
        found = self._words.get(key, _MISSING)
        if found is _MISSING:
            if len(self._words) >= WORD_CACHE:
                self._words.clear()
            found = self._words[key] = self._build_word(word, prefix=prefix, phrase=phrase)
        return found

    def _build_word(self, word: str, *, prefix: bool, phrase: Sequence[str]):
        shoulds = []
        for name, tok in TEXT_FIELDS.items():
            tokens = [t for w in (*phrase, word) for t in ANALYZERS[tok].analyze(w)]
            if not tokens:
                continue
            if prefix:
                sub = tantivy.Query.phrase_prefix_query(self.schema, name, tokens)
            elif len(tokens) > 1:
                sub = tantivy.Query.phrase_query(self.schema, name, tokens)
            else:
                sub = tantivy.Query.term_query(self.schema, name, tokens[0])
            boost = TEXT_BOOSTS.get(name, TEXT_BOOSTS["text"])
            shoulds.append((_Occur.Should, tantivy.Query.boost_query(sub, boost)))
        return tantivy.Query.boolean_query(shoulds) if shoulds else None

    def _text_query(self, plan: Plan):
        t = plan.text
        parts = [self._word(w) for w in t.terms]
        parts += [self._word(p[-1], phrase=p[:-1]) for p in t.phrases]
        parts += [self._word(p[-1], phrase=p[:-1], prefix=True) for p in t.prefixes]
        occur = _Occur.Should if plan.any_term else _Occur.Must
        clauses = [(occur, p) for p in parts if p is not None]
        if not clauses:
            return tantivy.Query.empty_query() if not t.empty else tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def _query(self, text, plan: Plan, skip: str | None = None):
        clauses = [(_Occur.Must, text)]
        for name, values in plan.filters.items():
            if name != skip:
                clauses.append(
                    (_Occur.Must, tantivy.Query.term_set_query(self.schema, name, list(values)))
                )
        if plan.updated_since is not None:
            clauses.append(
                (
                    _Occur.Must,
                    tantivy.Query.range_query(
                        self.schema,
                        "updated",
                        tantivy.FieldType.Integer,
                        lower_bound=plan.updated_since,
                    ),
                )
            )
        if plan.exclude_ids:
            ids = tantivy.Query.term_set_query(
                self.schema, "id", [int(i) for i in plan.exclude_ids]
            )
            clauses.append((_Occur.MustNot, ids))
        return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else text

    def run(self, plan: Plan) -> Hits:
        searcher = self.searcher
        text = self._text_query(plan)
        full = self._query(text, plan)
        kwargs: dict = {}
        if plan.sort == "updated":
            kwargs["order_by_field"] = "updated"
        elif plan.sort == "stars" or plan.text.empty:
            kwargs["order_by_field"] = "stars"
        else:
            kwargs["weight_by_field"] = "weight"
        limit = max(1, plan.limit)
        # The exact total comes with the top documents (counting is nearly free there).
        found = searcher.search(full, limit=limit, offset=plan.offset, count=True, **kwargs)
        ids = searcher.fast_field_values("id", [addr for _, addr in found.hits])
        total = int(found.count or 0)
        facets = self._facets(searcher, text, full, plan) if plan.facets else {}
        return Hits(ids=[int(i) for i in ids][: plan.limit], total=total, facets=facets)

    def _groups(self, text, full, plan: Plan) -> list[tuple[object, list[str]]]:
        """The facet counts' queries: the search's own for the facets not filtered by, and
        for each one filtered by, the search without that filter (a chosen value keeps its
        siblings)."""
        free = [f for f in FACETS if f not in plan.filters]
        return [(full, free)] + [(self._query(text, plan, skip=f), [f]) for f in plan.filters]

    def _facets(self, searcher, text, full, plan: Plan) -> dict:
        """The counts per value under every *other* filter, one aggregation pass per
        filtered facet plus one (``_groups``)."""
        out: dict[str, list[tuple[str, int]]] = {}
        for query, names in self._groups(text, full, plan):
            aggs = {}
            for n in names:
                aggs |= self._aggregation(n, plan)
            answer = searcher.aggregate(query, aggs)
            # Over several segments, one segment's own top values may have missed some:
            # count those facets in full (one segment's counts are exact whatever it says).
            inexact = [n for n in names if answer.get(n, {}).get("doc_count_error_upper_bound")]
            if inexact and searcher.num_segments > 1:
                answer |= searcher.aggregate(query, {n: self._aggregation(n)[n] for n in inexact})
            for n in names:
                pairs = list(map(_PAIR, answer.get(n, {}).get("buckets", [])))
                if chosen := answer.get(n + CHOSEN, {}).get("buckets"):
                    pairs = sorted(dict([*pairs, *map(_PAIR, chosen)]).items(), key=_rank)
                else:
                    # tantivy gives ties in term order (the keys' order); a stable sort on
                    # the count alone, most first, makes the order (-count, key) at C speed.
                    pairs.sort(key=_COUNT, reverse=True)
                out[n] = pairs
        return {f: out.get(f, []) for f in FACETS}

    def _aggregation(self, name: str, plan: Plan | None = None) -> dict:
        """The aggregation of one facet: every value, or (when the plan asks for its top
        values) those and, by name, the plan's own filter values of it wherever they rank.
        tantivy keeps a few times ``size`` values per segment and says when that was not
        enough (``doc_count_error_upper_bound``)."""
        every = max(1, len(self.facet_values(name)))
        if plan is None or plan.facet_top is None or name in plan.facet_all:
            return {name: {"terms": {"field": name, "size": every}}}
        chosen = list(plan.filters.get(name, ()))
        size = min(every, plan.facet_top + len(chosen))
        aggs = {name: {"terms": {"field": name, "size": size}}}
        if chosen:
            aggs[name + CHOSEN] = {"terms": {"field": name, "size": len(chosen), "include": chosen}}
        return aggs


CHOSEN = "__chosen"  # the aggregation of a facet's own filter values
_COUNT = itemgetter(1)


def _rank(pair: tuple[str, int]) -> tuple[int, str]:
    return (-pair[1], pair[0])


_PAIR = itemgetter("key", "doc_count")
_MISSING = object()
WORD_CACHE = 20_000  # word queries kept (each a few hundred bytes)


def _generation(folder: Path) -> tuple[int, int]:
    """tantivy rewrites meta.json on every commit."""
    try:
        st = (folder / "meta.json").stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
