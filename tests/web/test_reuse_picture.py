"""The reuse graph picture: both directions, one arrow per edge from reuser to reused, the
evidence in each node's title, no arrow where the direction is unknown, and the page's list
of the same edges beside it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import httpx

from registry.db import session_scope
from registry.models import ReuseEdgePublic
from registry.services import repositories, reuse
from registry.services.records import ReuseClaim
from tests import factories as f
from tests.conftest import LiveServer
from web.reuse_picture import MAX_SIDE, reuse_graph

SVG = "{http://www.w3.org/2000/svg}"


def edge(kind: str, direction: str, name: str, evidence: str = "") -> ReuseEdgePublic:
    return ReuseEdgePublic(kind=kind, direction=direction, repository_id=None, name=name,
                           url=name, evidence=evidence, confidence=1.0,
                           created_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


def groups(svg: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f"{SVG}g[@class='rg-edge']")


def test_both_directions_with_evidence_on_hover():
    svg = reuse_graph(
        "ahs/tool",
        [edge("fork", "reused_by", "ods/tool", "the forge says so"),
         edge("shared_history", "unknown", "gc/tool", "root commit abc")],
        [edge("dependency", "reuses", "github.example/x/lib", "depends on the npm package lib")],
    )  # fmt: skip
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert (
        "2 repositories reuse it or share code with it; it reuses 1"
        in root.find(f"{SVG}title").text
    )  # type: ignore[union-attr]
    found = {g.get("data-kind"): g for g in groups(svg)}
    assert set(found) == {"fork", "shared_history", "dependency"}
    fork_title = found["fork"].find(f"{SVG}title").text  # type: ignore[union-attr]
    assert fork_title == "ods/tool forked this repository. Evidence: the forge says so"
    dep_title = found["dependency"].find(f"{SVG}title").text  # type: ignore[union-attr]
    assert dep_title.startswith("This repository depends on a package published by")
    # reusers point at this repository; what it reuses is pointed at; unknown: no arrow
    assert found["fork"].find(f"{SVG}line").get("marker-end") == "url(#rg-arrow-fork)"
    assert found["shared_history"].find(f"{SVG}line").get("marker-end") is None
    fork_x = float(found["fork"].find(f"{SVG}rect").get("x"))  # type: ignore[arg-type, union-attr]
    dep_x = float(found["dependency"].find(f"{SVG}rect").get("x"))  # type: ignore[arg-type, union-attr]
    assert dep_x < fork_x  # reused code on the left, reusers on the right


def test_names_are_escaped_and_many_edges_are_counted_not_drawn():
    many = [edge("fork", "reused_by", f"<b>town-{i}</b>") for i in range(MAX_SIDE + 5)]
    svg = reuse_graph("a&b", many, [])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert len(groups(svg)) == MAX_SIDE
    assert "+5 more (see the list)" in svg
    assert reuse_graph("alone", [], []) == ""


def test_the_repository_page_draws_the_graph_beside_the_list(settings, engine):
    target = f.record("ahs", "tool")
    f.store(engine, target, agency="ahs")
    fork = f.record("ods", "tool", is_fork=True, parent_url=target.html_url)
    f.store(engine, fork, agency="ods")
    with session_scope(engine) as session:
        reuser = repositories.find(session, "ods/tool")
        claim = ReuseClaim("fork", fork.html_url, "ods/tool", target.html_url, "forge fork link")
        reuse.record_claims(session, repository=reuser, claims=[claim], now=f.NOW)
        ids = {r: repositories.find(session, r).id for r in ("ahs/tool", "ods/tool")}
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/repositories/{ids['ahs/tool']}").text
        other = httpx.get(f"{live.url}/repositories/{ids['ods/tool']}").text
        api = httpx.get(f"{live.url}/api/v1/repositories/{ids['ahs/tool']}").json()
    svg = page[page.index("<svg class=\"reuse-graph\"") : page.index("</svg>", page.index(
        "<svg class=\"reuse-graph\"")) + 6]  # fmt: skip
    assert "ods/tool forked this repository. Evidence: forge fork link" in svg
    assert 'class="reused-by"' in page[page.index("reuse-graph") :]  # the list follows it
    assert [(e["kind"], e["name"], e["evidence"]) for e in api["reused_by"]] == [
        ("fork", "ods/tool", "forge fork link")
    ]
    assert "This repository is a fork of github.example/ahs/tool" in other
