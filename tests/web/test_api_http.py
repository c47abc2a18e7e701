"""Every API read over HTTP: CORS for any origin (no credentials), an ETag and 304, and
problem details that name the bad parameter."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer
from tests.web.api_world import seed

READS = [
    "/api/v1/repositories?q=covid",
    "/api/v1/repositories/1",
    "/api/v1/repositories/1/similar",
    "/api/v1/repositories/3/publiccode",
    "/api/v1/suggest?q=cov",
    "/api/v1/agencies",
    "/api/v1/agencies/ahs/members",
    "/api/v1/agencies/ahs/audit",
    "/api/v1/me",
    "/api/v1/openapi.json",
]


@pytest.fixture
def api(settings, engine):
    token = seed(engine, settings)
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as c:
        live.wait_indexed(lambda: c.get("/api/v1/repositories").json()["total"] == 3)
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


@pytest.mark.parametrize("url", READS)
def test_every_read_has_cors_an_etag_and_answers_304(api, url):
    first = api.get(url, headers={"Origin": "https://elsewhere.example"})
    assert first.status_code == 200, first.text
    assert first.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in first.headers
    assert "ETag" in first.headers["access-control-expose-headers"]
    tag = first.headers["etag"]
    again = api.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    weak = api.get(url, headers={"If-None-Match": f'"other", W/{tag}'})
    assert weak.status_code == 304
    assert api.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    head = api.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag


def test_answers_to_a_token_are_private(api):
    me = api.get("/api/v1/me")
    assert me.headers["cache-control"].startswith("private")
    assert "Authorization" in me.headers["vary"]


def test_a_read_is_preflighted_for_any_origin_and_a_write_is_not(api):
    read = api.options("/api/v1/repositories", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})  # fmt: skip
    assert read.status_code == 204
    assert read.headers["access-control-allow-origin"] == "*"
    assert "GET" in read.headers["access-control-allow-methods"]
    assert "If-None-Match" in read.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in read.headers
    asks = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    write = api.options("/api/v1/agencies", headers=asks)
    assert "access-control-allow-origin" not in write.headers
    post = api.post("/api/v1/agencies", json={}, headers={"Origin": "https://x.example"})
    assert "access-control-allow-origin" not in post.headers
    page = api.get("/", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in page.headers  # pages are not for other sites


def test_an_etag_changes_when_the_data_does(api, engine):
    from tests import factories as f

    before = api.get("/api/v1/agencies").headers["etag"]
    f.store(engine, f.record("new", "thing"), agency="new")
    after = api.get("/api/v1/agencies", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


@pytest.mark.parametrize(
    ("query", "name"),
    [({"per_page": "1000"}, "per_page"), ({"page": "x"}, "page"), ({"sort": "size"}, "sort"),
     ({"active_days": "0"}, "active_days")],
)  # fmt: skip
def test_problems_name_the_bad_parameter(api, query, name):
    r = api.get("/api/v1/repositories", params=query)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 400 and body["title"] == "Bad request"
    assert body["instance"] == "/api/v1/repositories"
    assert body["invalid_params"] == [{"name": name, "in": "query", "reason": body["detail"]}]


def test_a_wrong_method_is_a_problem_too(api):
    r = api.delete("/api/v1/repositories")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 405


def test_a_parameter_that_takes_one_value_refuses_two(api):
    r = api.get("/api/v1/repositories", params=[("active_days", "x"), ("active_days", "")])
    assert r.status_code == 400
    assert r.json()["invalid_params"][0]["name"] == "active_days"
    assert api.get("/api/v1/repositories?sort=stars&sort=updated").status_code == 400
    assert api.get("/api/v1/repositories?licnese=MIT").json()["invalid_params"] == [
        {"name": "licnese", "in": "query", "reason": api.get(
            "/api/v1/repositories?licnese=MIT").json()["detail"]}]  # fmt: skip


def test_a_missing_token_says_how_to_give_one(api):
    r = api.get("/api/v1/me", headers={"Authorization": ""})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith("application/problem+json")


def test_ids_and_cursors_past_the_id_columns_are_refused_not_failed(api):
    """A subscription, delivery or claim id no row can have is a 404, a ``before`` out of
    range a 400 naming it: never a 500 from the database driver."""
    big = "9" * 19
    for path in (f"/api/v1/subscriptions/{big}", f"/api/v1/subscriptions/{big}/deliveries",
                 "/api/v1/subscriptions/2147483648"):  # fmt: skip
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.post(f"/api/v1/subscriptions/1/deliveries/{big}/redeliver").status_code == 404
    assert api.post(f"/api/v1/admin/claims/{big}", json={"decision": "dismiss"}).status_code in (
        403, 404)  # fmt: skip
    (sub,) = api.get("/api/v1/subscriptions").json()
    log = api.get(f"/api/v1/subscriptions/{sub['id']}/deliveries", params={"before": big})
    assert log.status_code == 400 and log.json()["invalid_params"][0]["name"] == "before"
    assert api.get(f"/api/v1/subscriptions/{sub['id']}/deliveries").json()["deliveries"]
