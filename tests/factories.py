"""Test data from factories, not hand-written rows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from registry.db import session_scope
from registry.services import agencies, repositories
from registry.services.records import RepositoryRecord, ReuseClaim, StoreResult

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_seq = itertools.count(1)


def record(owner: str = "agency", name: str | None = None, **kw: Any) -> RepositoryRecord:
    name = name or f"repo-{next(_seq)}"
    url = f"https://github.example/{owner}/{name}"
    defaults: dict[str, Any] = {
        "forge": "github",
        "owner": owner,
        "name": name,
        "html_url": url,
        "clone_url": url + ".git",
        "fork_url": url + "/fork",
        "description": f"{name} description",
        "licence": "MIT",
        "licence_status": "identified",
        "licence_label": "MIT",
        "languages": [("Python", 1000, 1.0)],
        "maturity_level": "beta",
        "maturity_score": 50,
    }
    defaults.update(kw)
    return RepositoryRecord(**defaults)


def store(
    engine: Engine,
    rec: RepositoryRecord,
    *,
    agency: str = "agency",
    country: str | None = None,
    now: datetime = NOW,
) -> StoreResult:
    with session_scope(engine) as session:
        a = agencies.ensure_agency(session, slug=agency, name=agency.title(), country=country)
        return repositories.store(session, record=rec, agency_id=a.id, source_id=None, now=now)


def fork_claim(reuser: RepositoryRecord | str, target: RepositoryRecord | str) -> ReuseClaim:
    r_url = reuser if isinstance(reuser, str) else reuser.html_url
    t_url = target if isinstance(target, str) else target.html_url
    return ReuseClaim("fork", r_url, r_url.split("/", 3)[-1], t_url, "test")


def source(
    engine: Engine, kind: str, locator: str, *, api_url: str = "", slug: str = "ahs",
    name: str = "AHS",
) -> int:  # fmt: skip
    """Register an agency and one of its sources (a GitHub org, a GitLab group, a list…)."""
    with session_scope(engine) as session:
        agency = agencies.ensure_agency(session, slug=slug, name=name)
        found = agencies.ensure_source(
            session, agency=agency, kind=kind, locator=locator, api_url=api_url
        )
        assert found.id is not None
        return found.id
