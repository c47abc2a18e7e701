"""A small catalogue and a member with an API token, for the tests that walk the API."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from registry import access
from registry.db import session_scope
from registry.services import (
    accounts,
    agencies,
    audit,
    deliveries,
    memberships,
    subscriptions,
    tokens,
)
from registry.settings import Settings
from tests import factories as f

EMAIL = "maintainer@gov.example"


def seed(engine: Engine, settings: Settings) -> str:
    """Three repositories in two agencies, a fork edge, and a token (every scope) of an
    admin of ``ahs``, who follows the source by webhook and has the delivery of the fork's
    reuse event in its log; returns the token's text."""
    source = f.record("ahs", "covid-self-assessment", description="COVID-19 self assessment",
                      languages=[("JavaScript", 900, 0.9), ("CSS", 100, 0.1)],
                      maturity_level="stable", stars=10, topics=["covid", "health"])  # fmt: skip
    fork = f.record("ods", "covid-self-assessment", description="Ontario's copy",
                    is_fork=True, parent_url=source.html_url,
                    reuse=[f.fork_claim("https://github.example/ods/covid-self-assessment",
                                               source)])  # fmt: skip
    source_id = f.store(engine, source, agency="ahs", country="ca").repository_id
    f.store(engine, fork, agency="ods", country="ca")
    f.store(engine, f.record("gds", "pay", description="Payments", licence=None,
                             licence_status="none"), agency="gds", country="gb")  # fmt: skip
    with session_scope(engine) as session:
        user = accounts.sign_up(session, email=EMAIL, password="correct horse battery staple",
                                limits=accounts.limits_from(settings))  # fmt: skip
        operator = audit.Actor(user=None)
        agency = agencies.get_agency(session, "ahs")
        memberships.set_role(session, operator, agency=agency, email=EMAIL, role="admin")
        _, text = tokens.create(session, audit.Actor(user=user), name="tests",
                                scopes=list(access.SCOPES), days=1)  # fmt: skip
        subscriptions.subscribe(session, repository_id=source_id, channel="webhook",
                                address="https://hooks.gov.example/govcode",
                                secret="api-world-webhook-secret", user_id=user.id)  # fmt: skip
    with session_scope(engine) as session:
        for event_id in deliveries.undispatched(session):
            deliveries.dispatch(session, event_id=event_id, now=datetime.now(UTC))
    return text
