"""Living edges in the API and on the page: past reuse with ``ended_at``, ``include_ended``,
and reuse counts over time per repository and per agency."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from registry.services.records import EXAMINED_FORKS, EXAMINED_PARENT
from tests import factories
from tests.conftest import LiveServer

LATER = factories.NOW + timedelta(days=40)  # 2026-12-11: the next month


@pytest.fixture
def ids(engine) -> dict[str, int]:
    f = factories
    tool = f.record("ahs", "tool", reuse_examined=[EXAMINED_FORKS, EXAMINED_PARENT])
    ontario = f.record("ontario", "tool")
    bc = f.record("bc", "tool")
    found = {
        "ontario": f.store(engine, ontario, agency="ontario").repository_id,
        "bc": f.store(engine, bc, agency="bc").repository_id,
    }
    tool.reuse = [f.fork_claim(ontario, tool), f.fork_claim(bc, tool)]
    found["tool"] = f.store(engine, tool, agency="ahs").repository_id
    tool.reuse = [f.fork_claim(ontario, tool)]  # bc's fork is gone from the forge's list
    f.store(engine, tool, agency="ahs", now=LATER)
    return found


@pytest.fixture
def client(settings, ids):
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as c:
        yield c


def test_an_ended_edge_is_past_reuse_in_the_detail_and_the_edges_list(client, ids):
    detail = client.get(f"/api/v1/repositories/{ids['tool']}").json()
    assert [e["repository_id"] for e in detail["reused_by"]] == [ids["ontario"]]
    assert detail["reused_by"][0]["ended_at"] is None
    [past] = detail["past_reuse"]
    assert past["repository_id"] == ids["bc"] and past["direction"] == "reused_by"
    assert past["ended_at"].startswith("2026-12-11") and past["first_seen_at"].startswith(
        "2026-11-01"
    )
    live = client.get(f"/api/v1/repositories/{ids['tool']}/reuse").json()["items"]
    assert [e["repository_id"] for e in live] == [ids["ontario"]]
    assert live[0]["last_confirmed_at"].startswith("2026-12-11")  # found again by the crawl
    every = client.get(f"/api/v1/repositories/{ids['tool']}/reuse?include_ended=true").json()
    assert sorted(e["repository_id"] for e in every["items"]) == sorted([ids["ontario"], ids["bc"]])
    bad = client.get(f"/api/v1/repositories/{ids['tool']}/reuse?include_ended=maybe")
    assert bad.status_code == 400 and "include_ended" in bad.text
    seen_from_bc = client.get(f"/api/v1/repositories/{ids['bc']}").json()
    assert seen_from_bc["reuses"] == []
    assert [e["direction"] for e in seen_from_bc["past_reuse"]] == ["reuses"]


def test_the_page_shows_past_reuse(client, ids):
    page = client.get(f"/repositories/{ids['tool']}").text
    past = page.split('<ul class="past-reuse">', 1)[1].split("</ul>", 1)[0]
    assert f'href="/repositories/{ids["bc"]}"' in past and 'datetime="2026-12-11"' in past
    live = page.split('<ul class="reused-by">', 1)[1].split("</ul>", 1)[0]
    assert f'href="/repositories/{ids["ontario"]}"' in live
    assert f'href="/repositories/{ids["bc"]}"' not in live


def test_reuse_counts_per_repository_and_agency_over_time(client, ids):
    counts = client.get(f"/api/v1/repositories/{ids['tool']}/reuse/counts").json()
    fork = {"fork": {"live": 1, "ended": 1}}
    assert counts["received"] == {"live": 1, "ended": 1, "by_kind": fork}
    assert counts["given"] == {"live": 0, "ended": 0, "by_kind": {}}
    november, december = counts["months"][:2]
    assert november["month"] == "2026-11"
    assert november["received"] == {"started": 2, "ended": 0, "live": 2}
    assert december["month"] == "2026-12"
    assert december["received"] == {"started": 0, "ended": 1, "live": 1}
    ontario = client.get("/api/v1/agencies/ontario/reuse/counts").json()
    assert ontario["given"]["live"] == 1 and ontario["received"]["live"] == 0
    bc = client.get("/api/v1/agencies/bc/reuse/counts").json()
    assert bc["given"] == {"live": 0, "ended": 1, "by_kind": {"fork": {"live": 0, "ended": 1}}}
    assert client.get("/api/v1/agencies/nobody/reuse/counts").status_code == 404
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/repositories/{id}/reuse", "/api/v1/repositories/{id}/reuse/counts",
            "/api/v1/agencies/{slug}/reuse/counts"} <= set(paths)  # fmt: skip
