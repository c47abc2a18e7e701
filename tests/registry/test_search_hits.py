"""A page of search hits is one SQL query: columns, agency, languages and origins together."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import Session

from registry.services import catalogue, hits
from registry.services.records import ReuseClaim
from tests.factories import record, store


def test_hit_rows_read_languages_and_origins_in_one_query(engine):
    tool, lib = record("ahs", "tool"), record("ahs", "lib")
    tool_id = store(engine, tool, agency="ahs").repository_id
    lib_id = store(engine, lib, agency="ahs").repository_id
    mine = record(
        "ontario",
        "tool",
        is_fork=True,
        languages=[("Python", 1000, 0.25), ("JavaScript", 3000, 0.75)],
    )
    url, name = mine.html_url, "ontario/tool"
    mine.reuse = [
        ReuseClaim("based_on", url, name, lib.html_url, "publiccode.yml"),
        ReuseClaim("fork", url, name, tool.html_url, "forge"),
        ReuseClaim("based_on", url, name, "https://gitlab.example/x/elsewhere", "publiccode.yml"),
        ReuseClaim("dependency", url, name, "https://github.example/ahs/other", "manifest"),
    ]
    mine_id = store(engine, mine, agency="ontario").repository_id

    statements: list[str] = []

    def seen(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    with Session(engine) as session:
        rows = hits.hit_rows(session, [mine_id, 10**9, tool_id])
    event.remove(engine, "before_cursor_execute", seen)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1

    assert [r["id"] for r in rows] == [mine_id, tool_id]  # the order asked, unknown ids left out
    ours, theirs = rows
    # two languages times three origins are six rows of SQL: each language and origin once
    assert ours["languages"] == [("JavaScript", 3000, 0.75), ("Python", 1000, 0.25)]
    assert [(kind, full_name) for kind, _, _, full_name in ours["origins"]] == [
        ("fork", "ahs/tool"),
        ("based_on", "ahs/lib"),  # then by URL: github.example/… before gitlab.example/…
        ("based_on", None),  # not in the registry
    ]
    assert [o[2] for o in ours["origins"]] == [tool_id, lib_id, None]
    assert ours["agency_slug"] == "ontario" and ours["is_fork"] is True
    assert theirs["origins"] == [] and theirs["languages"] == [("Python", 1000, 1.0)]
    with Session(engine) as session:  # the same origins the repository page reads
        edges = catalogue.origins(session, [mine_id])[mine_id]
    assert ours["origins"] == [(e.kind, e.target_url, e.target_repository_id, n) for e, n in edges]
