"""Reference engines for bench/search.py, on the same rows and queries as govcode's own:
raw tantivy (one stemmed text field, facets by aggregation) and SQLite FTS5."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import tantivy

from bench.search_corpus import chunks
from registry.search.query import FACETS

SINGLE = ("licence", "maturity", "agency", "country", "forge")  # FTS5's facets (columns)


def _values(row: dict, name: str) -> list[str]:
    v = row.get(name)
    if name == "archived":
        return ["yes" if row["archived"] else "no"]
    if name == "fork":
        return ["yes" if row["is_fork"] else "no"]
    if name == "reused":
        return ["yes" if row["reused"] else "no"]
    if name == "licence_class":
        return ["permissive" if row["licence"] == "MIT" else "other"]
    if isinstance(v, list):
        return [str(x) for x in v if x]
    return [str(v)] if v else []


class RawTantivy:
    def __init__(self, folder: Path) -> None:
        b = tantivy.SchemaBuilder()
        b.add_integer_field("id", fast=True)
        b.add_text_field("body", tokenizer_name="en_stem")
        for name in FACETS:
            b.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
        b.add_integer_field("updated", fast=True)
        self.schema = b.build()
        folder.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(folder), reuse=True)

    def build(self, rows: Iterable[dict]) -> None:
        w = self.index.writer(heap_size=256_000_000, num_threads=2)
        for r in rows:
            doc = {
                "id": r["id"],
                "body": " ".join([r["name"], r["description"], r.get("readme") or ""]),
                "updated": int(r["updated"].timestamp()) if r["updated"] else 0,
            }
            doc |= {n: _values(r, n) for n in FACETS}
            w.add_document(tantivy.Document(**doc))
        w.commit()
        w.wait_merging_threads()
        self.index.reload()

    def open(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, q: dict) -> tuple[list[int], int, dict]:
        s, schema = self.searcher, self.schema
        text = self.index.parse_query(q["text"], ["body"], conjunction_by_default=True)

        def with_filters(skip: str | None = None):
            clauses = [(tantivy.Occur.Must, text)]
            for name, values in q["filters"].items():
                if name != skip:
                    sub = tantivy.Query.term_set_query(schema, name, values)
                    clauses.append((tantivy.Occur.Must, sub))
            return tantivy.Query.boolean_query(clauses)

        full = with_filters()
        kw = {"order_by_field": "updated"} if q["sort"] == "updated" else {}
        found = s.search(full, limit=20, count=True, **kw)
        ids = s.fast_field_values("id", [a for _, a in found.hits])
        free = [f for f in FACETS if f not in q["filters"]]
        groups = [(full, free)] + [(with_filters(f), [f]) for f in q["filters"]]
        facets = {}
        for query, names in groups:
            aggs = {n: {"terms": {"field": n, "size": 65000}} for n in names}
            facets.update(s.aggregate(query, aggs))
        return ids, found.count, facets


class Fts5:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "fts.db"

    def build(self, rows: Iterable[dict]) -> None:
        db = sqlite3.connect(self.path)
        cols = ", ".join(f"{c} TEXT" for c in SINGLE)
        db.executescript(
            f"CREATE TABLE docs (id INTEGER PRIMARY KEY, {cols}, updated INTEGER);"
            "CREATE TABLE langs (id INTEGER, value TEXT);"
            "CREATE VIRTUAL TABLE fts USING fts5(name, description, readme, "
            "tokenize='porter unicode61 remove_diacritics 2');"
        )
        for c in SINGLE:
            db.execute(f"CREATE INDEX ix_{c} ON docs ({c})")
        db.execute("CREATE INDEX ix_langs ON langs (value, id)")
        for batch in chunks(rows, 20_000):  # one pass, a batch in memory at a time
            db.executemany(
                f"INSERT INTO docs VALUES (?, {', '.join('?' * len(SINGLE))}, ?)",
                [
                    (
                        r["id"],
                        *[(_values(r, c) or [""])[0] for c in SINGLE],
                        int(r["updated"].timestamp()) if r["updated"] else 0,
                    )
                    for r in batch
                ],
            )
            db.executemany(
                "INSERT INTO langs VALUES (?, ?)",
                [(r["id"], v) for r in batch for v in r["languages"]],
            )
            db.executemany(
                "INSERT INTO fts (rowid, name, description, readme) VALUES (?, ?, ?, ?)",
                [(r["id"], r["name"], r["description"], r.get("readme") or "") for r in batch],
            )
        db.commit()
        db.close()

    def open(self) -> None:
        self.db = sqlite3.connect(self.path, check_same_thread=False)

    def query(self, q: dict) -> tuple[list[int], int, dict]:
        match = " ".join('"' + w.replace('"', "") + '"' for w in q["text"].split())

        def where(skip: str | None = None) -> tuple[str, list]:
            sql, args = ["docs.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"], [match]
            for name, values in q["filters"].items():
                if name == skip:
                    continue
                marks = ", ".join("?" * len(values))
                if name == "languages":
                    sql.append(f"docs.id IN (SELECT id FROM langs WHERE value IN ({marks}))")
                else:
                    sql.append(f"docs.{name} IN ({marks})")
                args += values
            return " AND ".join(sql), args

        w, args = where()
        order = "docs.updated DESC" if q["sort"] == "updated" else "bm25(fts)"
        ids = [
            r[0]
            for r in self.db.execute(
                f"SELECT docs.id FROM fts JOIN docs ON docs.id = fts.rowid "
                f"WHERE fts MATCH ? AND {w} ORDER BY {order} LIMIT 20",
                [match, *args],
            )
        ]
        total = self.db.execute(f"SELECT count(*) FROM docs WHERE {w}", args).fetchone()[0]
        facets = {}
        for name in (*SINGLE, "languages"):
            w2, a2 = where(skip=name)
            if name == "languages":
                sql = (
                    "SELECT value, count(*) FROM langs WHERE id IN "
                    f"(SELECT id FROM docs WHERE {w2}) GROUP BY value"
                )
            else:
                sql = f"SELECT {name}, count(*) FROM docs WHERE {w2} GROUP BY {name}"
            facets[name] = self.db.execute(sql, a2).fetchall()
        return ids, total, facets
