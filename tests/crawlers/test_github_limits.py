"""GitHub's limits, obeyed: rate limits (primary and secondary) sleep or stop, never
hammer; 5xx and timeouts are retried a bounded number of times; a rate-limited queued
crawl reschedules itself for the reset on a real SqliteHuey."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from crawlers.forges.github import GitHubForge
from crawlers.forges.github.cache import HttpCacheConfig
from crawlers.tasks import register, retry_eta
from localforge.github import FakeGitHub
from registry.db import session_scope
from registry.errors import CrawlError, RateLimited
from registry.models import CrawlRun
from registry.queue import make_huey
from registry.services import agencies

SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes."


@pytest.fixture
def acme(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_org("acme")
    for name in ("one", "two"):
        fake_github.add_repo("acme", name)
    return fake_github


def _forge(fake: FakeGitHub, tmp_path, **kw) -> GitHubForge:
    kw.setdefault("http_cache", HttpCacheConfig(sqlite_path=tmp_path / "cache.sqlite"))
    kw.setdefault("backoff", 0.01)
    return GitHubForge(api_url=fake.api_url, requests_per_second=0, **kw)


def _names(forge: GitHubForge) -> list[str]:
    try:
        return sorted(ref.name for ref, _ in forge.list_repositories("acme"))
    finally:
        forge.close()


def test_a_spent_budget_far_from_reset_stops_at_once_with_the_reset_time(acme, tmp_path):
    reset = int(time.time()) + 3600
    acme.set_rate_limit(0, reset_at=reset)
    forge = _forge(acme, tmp_path)
    with pytest.raises(RateLimited) as caught:
        _names(forge)
    assert caught.value.reset_at == reset and forge.rate_limited_until == reset
    assert [r.status for r in acme.requests_to("/api/v3")] == [403]  # asked once, no loop


def test_the_last_answer_s_budget_stops_the_next_request_before_it_is_sent(acme, tmp_path):
    reset = int(time.time()) + 3600
    acme.set_rate_limit(2, reset_at=reset)  # the account and the first page, then nothing
    with pytest.raises(RateLimited) as caught:
        _names(_forge(acme, tmp_path))
    assert caught.value.reset_at == reset
    assert [r.status for r in acme.requests_to("/api/v3")] == [200, 200]  # no refusal asked


def test_a_spent_budget_that_resets_soon_is_slept_through(acme, tmp_path):
    acme.set_rate_limit(0, reset_at=int(time.time()) + 1)
    forge = _forge(acme, tmp_path, max_rate_sleep=5)
    assert _names(forge) == ["one", "two"]
    assert 0 < forge.budget.slept <= 2.5
    assert [r.status for r in acme.requests_to("/api/v3")][:2] == [403, 200]


def test_secondary_limits_wait_for_retry_after_or_stop(acme, tmp_path):
    headers = {"Retry-After": "1"}
    acme.fail_next("/users/acme", 403, message=SECONDARY, headers=headers)
    forge = _forge(acme, tmp_path, max_rate_sleep=5)
    assert _names(forge) == ["one", "two"] and forge.budget.slept >= 1
    acme.clear_log()
    acme.fail_next(
        "/orgs/acme/repos", 429, times=5, message=SECONDARY, headers={"Retry-After": "120"}
    )
    before = time.time()
    with pytest.raises(RateLimited) as caught:
        _names(_forge(acme, tmp_path, max_rate_sleep=5))
    assert before + 119 <= caught.value.reset_at <= time.time() + 121
    assert len(acme.requests_to("/api/v3/orgs/acme/repos")) == 1


def test_a_plain_403_is_an_error_not_a_rate_limit(acme, tmp_path):
    acme.fail_next("/users/acme", 403, message="Resource not accessible by integration")
    with pytest.raises(CrawlError, match="403") as caught:
        _names(_forge(acme, tmp_path))
    assert not isinstance(caught.value, RateLimited)


def test_server_errors_are_retried_then_succeed(acme, tmp_path):
    acme.fail_next("/orgs/acme/repos", 500, times=2)
    assert _names(_forge(acme, tmp_path)) == ["one", "two"]
    statuses = [r.status for r in acme.requests_to("/api/v3/orgs/acme/repos")]
    assert statuses == [500, 500, 200]


def test_a_persistent_502_becomes_a_crawl_error_after_bounded_tries(acme, tmp_path):
    acme.fail_next("/orgs/acme/repos", 502, times=100)
    with pytest.raises(CrawlError, match="502"):
        _names(_forge(acme, tmp_path, retries=3))
    assert len(acme.requests_to("/api/v3/orgs/acme/repos")) == 4  # one try and 3 retries


def test_a_timeout_is_retried(acme, tmp_path):
    acme.delay_next("/orgs/acme/repos", 1.5)
    assert _names(_forge(acme, tmp_path, timeout=1)) == ["one", "two"]  # asked again
    deadline = time.monotonic() + 5  # the slow answer is logged once (too late) written
    while len(acme.requests_to("/api/v3/orgs/acme/repos")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(acme.requests_to("/api/v3/orgs/acme/repos")) == 2


def test_a_rate_limited_queued_crawl_reschedules_itself_for_the_reset(acme, settings, engine):
    s = settings.model_copy(
        update={
            "github_api_url": acme.api_url,
            "allow_http_hosts": [acme.base_url.removeprefix("http://")],
        }
    )
    with session_scope(engine) as session:
        agency = agencies.ensure_agency(session, slug="acme", name="Acme")
        source_id = agencies.ensure_source(
            session, agency=agency, kind="github", locator="acme", api_url=acme.api_url
        ).id
    tasks = register(make_huey(s), s)
    try:
        tasks.crawl_source(source_id)
        reset = int(time.time()) + 3600
        acme.set_rate_limit(0, reset_at=reset)
        task = tasks.huey.dequeue()
        tasks.huey.execute(task)
        assert tasks.huey.pending_count() == 0
        [again] = tasks.huey.scheduled()
        assert again.name == "crawl_source" and again.args == (source_id,)
        assert again.eta >= datetime.fromtimestamp(reset, UTC).replace(tzinfo=None)
        assert again.retries == task.retries  # waiting for a reset is not a failure
        assert len(acme.requests_to("/api/v3")) == 1
        with Session(engine) as session:
            assert session.exec(select(CrawlRun)).one().status == "rate-limited"
    finally:
        tasks.huey.flush()


def test_retry_eta_is_the_reset_never_the_past():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert retry_eta(now.timestamp() + 600, now=now) > now
    assert (retry_eta(now.timestamp() + 600, now=now) - now).total_seconds() == 601
    assert retry_eta(now.timestamp() - 600, now=now) == now
    assert retry_eta(None, now=now) > now
