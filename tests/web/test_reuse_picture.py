"""The reuse graph picture: both directions, one arrow per edge from reuser to reused, the
evidence in each node's title, no arrow where the direction is unknown, and the page's list
of the same edges beside it; its words in the page's language (plurals right), and a narrow
layout for phones (sources above, reusers below)."""

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
from web import i18n
from web.reuse_picture import MAX_SIDE, NARROW, reuse_graph

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
    assert root.find(f"{SVG}title").text == (  # type: ignore[union-attr]
        "Reuse of ahs/tool: 2 repositories reuse it or share code with it. It reuses 1 "
        "repository. Kinds: dependency, fork, and shared history. The list with the picture "
        "says the same in words."
    )
    found = {g.get("data-kind"): g for g in groups(svg)}
    assert set(found) == {"fork", "shared_history", "dependency"}
    fork_title = found["fork"].find(f"{SVG}title").text  # type: ignore[union-attr]
    assert fork_title == "ods/tool forked this repository. Evidence: the forge says so"
    dep_title = found["dependency"].find(f"{SVG}title").text  # type: ignore[union-attr]
    assert dep_title.startswith("This repository depends on a package published by")
    # reusers point at this repository; what it reuses is pointed at; unknown: no arrow
    assert found["fork"].find(f"{SVG}polyline").get("marker-end") == "url(#rg-wide-arrow-fork)"
    assert found["shared_history"].find(f"{SVG}polyline").get("marker-end") is None
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


def svg_of(page: str, layout: str) -> str:
    start = page.index(f'<svg class="reuse-graph reuse-graph-{layout}"')
    return page[start : page.index("</svg>", start) + 6]


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
    french = {"Accept-Language": "fr-CA,fr;q=0.9"}
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/repositories/{ids['ahs/tool']}").text
        other = httpx.get(f"{live.url}/repositories/{ids['ods/tool']}").text
        page_fr = httpx.get(f"{live.url}/repositories/{ids['ahs/tool']}", headers=french).text
        other_fr = httpx.get(f"{live.url}/repositories/{ids['ods/tool']}", headers=french).text
        api = httpx.get(f"{live.url}/api/v1/repositories/{ids['ahs/tool']}").json()
    for layout in ("wide", "narrow"):  # one picture per layout, the same words in both
        svg = svg_of(page, layout)
        assert "ods/tool forked this repository. Evidence: forge fork link" in svg
        assert summary_of(svg).startswith("Reuse of ahs/tool: 1 repository reuses it")
        svg_fr = svg_of(page_fr, layout)
        assert hover_titles(svg_fr) == {
            "fork": "ods/tool est une bifurcation de ce dépôt. Preuve\u00a0: forge fork link"
        }
        assert summary_of(svg_fr).startswith("Réutilisation de ahs/tool\u00a0: 1 dépôt le ")
        assert "Types\u00a0: bifurcation." in summary_of(svg_fr)
        assert hover_titles(svg_of(other_fr, layout))["fork"].startswith(
            "Ce dépôt est une bifurcation de github.example/ahs/tool."
        )
    assert 'class="reused-by"' in page[page.index("reuse-graph") :]  # the list follows it
    legend_fr = page_fr[page_fr.index('class="reuse-legend"') :]
    assert "bifurcation</li>" in legend_fr[: legend_fr.index("</ul>")]
    assert [(e["kind"], e["name"], e["evidence"]) for e in api["reused_by"]] == [
        ("fork", "ods/tool", "forge fork link")
    ]
    assert "This repository is a fork of github.example/ahs/tool." in svg_of(other, "wide")


def hover_titles(svg: str) -> dict[str, str]:
    return {g.get("data-kind") or "": g.find(f"{SVG}title").text or "" for g in groups(svg)}  # type: ignore[union-attr]


def summary_of(svg: str) -> str:
    return ET.fromstring(svg).find(f"{SVG}title").text or ""  # type: ignore[union-attr]


def test_the_words_are_french_on_a_french_page_with_plurals_right():
    one_each = (
        [edge("fork", "reused_by", "ods/tool", "the forge says so")],
        [edge("based_on", "reuses", "gc/origin")],
    )
    two = [edge("fork", "reused_by", "ods/tool"), edge("copied", "unknown", "gc/copy", "3 files")]
    with i18n.use("fr"):
        single = reuse_graph("ahs/tool", *one_each)
        plural = reuse_graph("ahs/tool", two, [])
        many = reuse_graph("a/b", [edge("fork", "reused_by", f"t/{i}") for i in range(12)], [])
    nbsp = "\u00a0"
    assert summary_of(single) == (
        f"Réutilisation de ahs/tool{nbsp}: 1 dépôt le réutilise ou partage du code avec lui. "
        f"Il réutilise 1 dépôt. Types{nbsp}: fondé sur et bifurcation. La liste qui "
        "accompagne l’image dit la même chose en mots."
    )
    assert summary_of(plural).startswith(
        f"Réutilisation de ahs/tool{nbsp}: 2 dépôts le réutilisent ou partagent du code avec "
        "lui. Il réutilise 0 dépôt."  # French says 0 in the singular
    )
    assert hover_titles(single) == {
        "fork": f"ods/tool est une bifurcation de ce dépôt. Preuve{nbsp}: the forge says so",
        "based_on": "Ce dépôt est fondé sur gc/origin.",
    }
    assert hover_titles(plural)["copied"] == (
        f"gc/copy et ce dépôt contiennent les mêmes fichiers{nbsp}; on ne sait pas lequel est "
        f"venu en premier. Preuve{nbsp}: 3 files"
    )
    assert "+2 de plus (voir la liste)" in many and "forked" not in many
    assert "repository" not in single + plural + many  # no English word left over
    with i18n.use("en"):
        english = reuse_graph("ahs/tool", *one_each)
        english_two = reuse_graph("ahs/tool", two, [])
    assert summary_of(english).startswith(
        "Reuse of ahs/tool: 1 repository reuses it or shares code with it. It reuses 1 "
        "repository. Kinds: based on and fork."
    )
    assert summary_of(english_two).startswith(
        "Reuse of ahs/tool: 2 repositories reuse it or share code with it. It reuses 0 "
        "repositories."
    )
    assert hover_titles(english)["based_on"] == "This repository is based on gc/origin."


def test_the_narrow_layout_puts_sources_above_and_reusers_below_within_its_width():
    reusers = [edge("fork", "reused_by", f"town-{i}/tool") for i in range(MAX_SIDE + 2)]
    sources = [edge("dependency", "reuses", "npm/lib"), edge("based_on", "reuses", "gc/origin")]
    svg = reuse_graph("ahs/tool", reusers, sources, narrow=True)
    root = ET.fromstring(svg)
    assert root.get("class") == "reuse-graph reuse-graph-narrow"
    assert root.get("viewBox", "").split()[2] == str(NARROW.width)
    centre = root.find(f"{SVG}g[@class='rg-centre']/{SVG}rect")
    centre_top = float(centre.get("y"))  # type: ignore[arg-type, union-attr]
    tops = {}
    for g in groups(svg):
        rect = g.find(f"{SVG}rect")
        x, y = float(rect.get("x")), float(rect.get("y"))  # type: ignore[arg-type, union-attr]
        assert x >= 0 and x + float(rect.get("width")) <= NARROW.width  # type: ignore[arg-type, union-attr]
        tops.setdefault(g.get("data-direction"), []).append(y)
        points = g.find(f"{SVG}polyline").get("points").split()  # type: ignore[union-attr]
        assert all(0 <= float(p.split(",")[0]) <= NARROW.width for p in points)
        assert g.find(f"{SVG}polyline").get("marker-end", "").startswith("url(#rg-narrow-arrow-")  # type: ignore[union-attr]
    assert len(tops["reuses"]) == 2 and max(tops["reuses"]) < centre_top
    assert len(tops["reused_by"]) == MAX_SIDE and min(tops["reused_by"]) > centre_top
    assert "+2 more (see the list)" in svg
    # both layouts of one page have ids of their own
    wide = reuse_graph("ahs/tool", reusers, sources)
    ids = lambda s: {e.get("id") for e in ET.fromstring(s).iter() if e.get("id")}  # noqa: E731
    assert ids(svg) and not ids(svg) & ids(wide)
