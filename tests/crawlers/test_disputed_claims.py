"""An inventory crawled for one agency that lists a repository another agency proved only
records a claim, disputed before site administrators; the repository never moves."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import session_scope
from registry.models import Agency, Repository, RepositoryClaim
from registry.services import audit, repository_claims
from tests import factories
from tests.crawlers.gitserver import FILE, bare_repo, commit
from tests.fakes.static_http import StaticServer


def _inventory(url: str) -> bytes:
    return json.dumps({
        "version": "2.0.0", "agency": "OTHER", "measurementType": {"method": "projects"},
        "releases": [{"name": "Tool", "repositoryURL": url, "description": "Ours, says B",
                      "permissions": {"licenses": [{"name": "MIT"}], "usageType": "openSource"},
                      "laborHours": 0, "contact": {"email": "b@other.example.org"}, "tags": []}],
    }).encode()  # fmt: skip


def _owner(engine) -> tuple[str, int]:
    with Session(engine) as session:
        repo = session.exec(select(Repository)).one()
        return session.get(Agency, repo.agency_id).slug, repo.source_id


def test_an_inventory_only_claims_a_repository_another_agency_proved(settings, engine, server):
    commit(bare_repo(server.root / "tool.git"), {b"main.py": (FILE, b"print(1)\n")})
    url = server.url("tool.git")
    mine = factories.source(engine, "git", url, slug="ahs")
    with StaticServer({"/code.json": _inventory(url)}) as web:
        s = settings.model_copy(update={"allow_http_hosts": [web.host, f"127.0.0.1:{server.port}"]})
        ctx = CrawlContext.from_settings(s)
        assert crawl_source(engine, ctx, mine).counts["new"] == 1
        theirs = factories.source(engine, "code-json", web.url("/code.json"), slug="other",
                                  name="Other Body")  # fmt: skip
        for _ in range(2):  # crawled again: still one claim, still not moved
            summary = crawl_source(engine, ctx, theirs, full=True)
            assert summary.status == "finished", summary
            assert _owner(engine) == ("ahs", mine)
    with Session(engine) as session:
        assert len(session.exec(select(Repository)).all()) == 1
        claim = session.exec(select(RepositoryClaim)).one()
        other = session.exec(select(Agency).where(Agency.slug == "other")).one()
        assert (claim.agency_id, claim.source_id, claim.status) == (other.id, theirs, "disputed")
        [view] = repository_claims.listing(session, audit.Actor(user=None))
        assert view.to_json()["owner"] == "ahs" and view.to_json()["claimant"] == "other"

    with session_scope(engine) as session:
        repository_claims.decide(session, audit.Actor(user=None), claim_id=claim.id,
                                 decision="uphold")  # fmt: skip
    assert _owner(engine) == ("other", theirs)
