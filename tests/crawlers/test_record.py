"""Metadata into the stored record, through the real pipeline against the local GitHub:
manifests give packages and licences, codemeta.json gives isBasedOn, and the reuse graph
links a dependent to the publisher, whose maintainers hear of it by signed webhook."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import LicenceEvidence, Repository, RepositoryFingerprint, ReuseEdge
from registry.services import subscriptions
from tests import factories
from tests.fakes.webhooks import WebhookReceiver

SECRET = "alberta-hook"
# A real-looking source file, long enough to be fingerprinted (provenance skips tiny files).
CHECK_JS = "".join(f"export function rule{i}(answers) {{ return answers.q{i} === 'yes'; }}\n"
                   for i in range(12))  # fmt: skip


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    fake_github.add_org("ontario", name="Ontario Digital Service")
    package = {"name": "@AHS/covid-check", "version": "1.0.0", "license": "MIT"}
    fake_github.add_repo("ahs", "covid-check", {
        "package.json": json.dumps(package), "src/check.js": CHECK_JS, "README.md": "# Check\n",
    })  # fmt: skip
    dependent = {"name": "screening", "private": True,
                 "dependencies": {"@ahs/covid-check": "^1.0.0", "left-pad": "1.3.0"}}  # fmt: skip
    fake_github.add_repo("ontario", "screening", {"package.json": json.dumps(dependent)})
    codemeta = {
        "@context": "https://w3id.org/codemeta/3.0",
        "name": "Ontario portal",
        "license": "Apache-2.0",
        "isBasedOn": [fake_github.html_url("ahs/covid-check"), "Some paper, 2020"],
    }
    fake_github.add_repo("ontario", "portal", {"codemeta.json": json.dumps(codemeta)})
    return fake_github


def _crawl(engine, settings, fake, org: str, allowed: list[str]):
    source = factories.source(
        engine, "github", org, api_url=fake.api_url, slug=org, name=fake.world.owner(org).name
    )
    s = settings.model_copy(update={"allow_http_hosts": allowed})
    summary = crawl_source(engine, CrawlContext.from_settings(s), source)
    assert summary.status == "finished" and summary.counts["failed"] == 0, summary.errors
    return summary


def _repo(session: Session, full_name: str) -> Repository:
    return session.exec(select(Repository).where(Repository.full_name == full_name)).one()


def test_dependents_and_based_on_reach_the_publishers_webhook(settings, engine, world):
    with WebhookReceiver(SECRET) as hook:
        allowed = [world.base_url.removeprefix("http://"), hook.url.split("/")[2]]
        _crawl(engine, settings, world, "ahs", allowed)
        with session_scope(engine) as session:
            target = _repo(session, "ahs/covid-check")
            subscriptions.subscribe(session, repository_id=target.id, webhook_url=hook.url,
                                    webhook_secret=SECRET)  # fmt: skip
        summary = _crawl(engine, settings, world, "ontario", allowed)
        assert len(summary.event_ids) == 2
        s = settings.model_copy(update={"allow_http_hosts": allowed})
        assert deliver_pending(engine, s, Senders.from_settings(s)) == {"delivered": 2, "failed": 0}
        received = hook.wait_for(2)
    assert all(r.valid for r in received)
    assert sorted(r.json["kind"] for r in received) == ["based_on", "dependency"]
    with Session(engine) as session:
        edges = {(e.kind, e.reuser_name, e.evidence) for e in session.exec(select(ReuseEdge))}
        covid = _repo(session, "ahs/covid-check")
        assert {e.target_repository_id for e in session.exec(select(ReuseEdge))} == {covid.id}
    assert edges == {
        ("dependency", "ontario/screening", "depends on the npm package @ahs/covid-check ^1.0.0"),
        ("based_on", "ontario/portal", "codemeta.json isBasedOn"),
    }


def test_manifest_licence_packages_and_fingerprints_reach_the_record(settings, engine, world):
    _crawl(engine, settings, world, "ahs", [world.base_url.removeprefix("http://")])
    with Session(engine) as session:
        repo = _repo(session, "ahs/covid-check")
        evidence = session.exec(
            select(LicenceEvidence).where(LicenceEvidence.repository_id == repo.id)
        ).all()
        prints = session.exec(
            select(RepositoryFingerprint).where(RepositoryFingerprint.repository_id == repo.id)
        ).all()
    assert (repo.licence, repo.licence_status) == ("MIT", "identified")
    assert [(e.source, e.spdx) for e in evidence] == [("package.json", "MIT")]
    assert repo.extra_metadata["manifests"]["published"] == ["npm:@AHS/covid-check"]
    assert repo.extra_metadata["provenance"]["first_commit_at"]
    assert [p.path for p in prints] == ["src/check.js"]
    assert repo.root_commits == [world.world.repo("ahs/covid-check").git().head.commit.hexsha]


def test_codemeta_is_summarised_and_its_licence_declared(settings, engine, world):
    _crawl(engine, settings, world, "ontario", [world.base_url.removeprefix("http://")])
    with Session(engine) as session:
        portal = _repo(session, "ontario/portal")
        screening = _repo(session, "ontario/screening")
        pending = session.exec(select(ReuseEdge)).all()
    assert portal.licence == "Apache-2.0"
    codemeta = portal.extra_metadata["codemeta"]
    assert codemeta["name"] == "Ontario portal" and codemeta["licences"] == ["Apache-2.0"]
    assert codemeta["is_based_on"][1] == "Some paper, 2020"  # kept, but names no repository
    assert screening.extra_metadata["manifests"]["dependencies"] == 2
    # The publisher is not crawled yet: the based_on edge waits for it by URL, unlinked.
    assert [(e.kind, e.target_repository_id) for e in pending] == [("based_on", None)]
