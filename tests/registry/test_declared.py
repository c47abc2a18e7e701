"""Declared reuse in the services: who may declare, once per reuser, and a later crawl's fork
edge that confirms a fork made through govcode without telling anyone twice."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from registry.db import session_scope
from registry.errors import Forbidden
from registry.models import Agency, Event, ReuseEdge, Source, User
from registry.services import agencies, audit, declared, memberships, reuse
from tests import factories
from tests.factories import NOW


def _person(session: Session, email: str, name: str = "") -> User:
    user = User(email=email, display_name=name, password_hash="x")
    session.add(user)
    session.flush()
    return user


def _member(session: Session, user: User, slug: str, *, verified: bool = True) -> Agency:
    agency = agencies.ensure_agency(session, slug=slug, name=slug.title())
    source = agencies.ensure_source(session, agency=agency, kind="github", locator=slug)
    if not verified:
        source.verified_at = None
        session.add(source)
    memberships.set_role(session, audit.Actor(user=None), agency=agency, email=user.email,
                         role="maintainer")  # fmt: skip
    return agency


def test_only_approved_agencies_with_a_verified_source_count(engine):
    with session_scope(engine) as session:
        user = _person(session, "a@example.org")
        ok = _member(session, user, "ontario")
        _member(session, user, "unproved", verified=False)
        pending = _member(session, user, "pending")
        pending.status = "pending"
        session.add(pending)
        session.flush()
        assert [a.slug for a in declared.verified_agencies(session, user)] == ["ontario"]
        assert declared.member_agency(session, user, None) == ok
        with pytest.raises(Forbidden):
            declared.member_agency(session, user, "unproved")


def test_we_use_this_is_one_edge_and_one_event_whoever_presses_it_again(engine):
    target = factories.store(engine, factories.record("ahs", "tool")).repository_id
    with session_scope(engine) as session:
        user = _person(session, "dana@ontario.example", "Dana")
        agency = _member(session, user, "ontario")
        actor = audit.Actor(user=user)
        first = declared.declare_use(session, actor, repository_id=target, agency=agency,
                                     agency_url="https://govcode.example/agencies/ontario",
                                     now=NOW)  # fmt: skip
        again = declared.declare_use(session, actor, repository_id=target, agency=agency,
                                     agency_url="https://govcode.example/agencies/ontario",
                                     now=NOW)  # fmt: skip
        assert first.created and len(first.event_ids) == 1
        assert not again.created and again.event_ids == () and again.edge_id == first.edge_id
        edge = session.get(ReuseEdge, first.edge_id)
        assert declared.declarer(session, edge) == "Ontario (Dana)"
        event = session.get(Event, first.event_ids[0])
        assert event.payload["kind"] == "declared"
        assert "Ontario (Dana) declared on govcode" in event.payload["summary"]


def test_a_verified_member_of_another_agency_cannot_sign_for_this_one(engine):
    target = factories.store(engine, factories.record("ahs", "tool")).repository_id
    with session_scope(engine) as session:
        user = _person(session, "x@example.org")
        _member(session, user, "ontario")
        other = agencies.ensure_agency(session, slug="quebec", name="Quebec")
        with pytest.raises(Forbidden):
            declared.declare_use(session, audit.Actor(user=user), repository_id=target,
                                 agency=other, agency_url="https://g.example/agencies/quebec",
                                 now=NOW)  # fmt: skip


def test_a_crawled_fork_confirms_a_fork_made_through_govcode_silently(engine):
    target_rec = factories.record("ahs", "tool")
    target = factories.store(engine, target_rec).repository_id
    fork_url = "https://github.example/ontario/tool"
    with session_scope(engine) as session:
        made = declared.record_fork(session, audit.Actor(user=None), repository_id=target,
                                    fork_url=fork_url, fork_name="ontario/tool", agency=None,
                                    now=NOW)  # fmt: skip
        assert len(made.event_ids) == 1
    target_rec.reuse = [factories.fork_claim(fork_url, target_rec)]
    factories.store(engine, target_rec)
    with Session(engine) as session:
        kinds = sorted(e.kind for e in session.exec(select(ReuseEdge)).all())
        assert kinds == ["declared", "fork"]
        assert len(session.exec(select(Event)).all()) == 1
        assert reuse.times_reused(session, target) == 2
        assert session.exec(select(Source)).all() == []
