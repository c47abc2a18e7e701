"""Default subscriptions: a verified repository's publiccode.yml contacts (asked to confirm
first) and its agency's members hear about its reuse; one turned off stays off."""

from __future__ import annotations

from sqlmodel import Session, select

from registry import confirmations
from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import Agency, Delivery, Source, Subscription
from registry.notify.mailer import SmtpMailer
from registry.services import (
    agencies,
    audit,
    following,
    memberships,
    repositories,
    subscription_links,
)
from tests.factories import NOW, fork_claim, record
from tests.fakes.mail import MailReceiver
from tests.registry.test_accounts import _user

CONTACTS = {
    "contacts": [
        {"name": "Ana", "email": "Ana.Lima@AHS.example.org"},
        {"name": "No mail"},
        {"name": "Bad", "email": "not an address"},
        {"name": "Ana again", "email": "ana.lima@ahs.example.org"},
    ]
}
OPERATOR = audit.Actor(user=None)


def _agency(engine, *, status: str = "approved", verified: bool = True) -> tuple[int, int]:
    with session_scope(engine) as session:
        agency = agencies.ensure_agency(session, slug="ahs", name="AHS")
        agency.status = status
        source = agencies.ensure_source(session, agency=agency, kind="github", locator="ahs",
                                        api_url="https://api.github.example")  # fmt: skip
        source.verified_at = source.verified_at if verified else None
        session.add_all([agency, source])
        return agency.id, source.id


def _store(engine, rec, agency_id: int, source_id: int, now=NOW) -> int:
    with session_scope(engine) as session:
        return repositories.store(session, record=rec, agency_id=agency_id, source_id=source_id,
                                  now=now).repository_id  # fmt: skip


def _subs(engine) -> dict[str, Subscription]:
    with Session(engine) as session:
        return {s.address: s for s in session.exec(select(Subscription))}


def test_contacts_and_members_of_a_verified_agency_are_subscribed_by_default(settings, engine):
    member = _user(engine, "max@ahs.example.org")
    agency_id, source_id = _agency(engine)
    with session_scope(engine) as session:
        memberships.set_role(session, OPERATOR, agency=session.get(Agency, agency_id),
                             email=member.email, role="maintainer")  # fmt: skip
    tool = record("ahs", "tool", publiccode=CONTACTS)
    repo_id = _store(engine, tool, agency_id, source_id)
    subs = _subs(engine)
    assert set(subs) == {"max@ahs.example.org", "ana.lima@ahs.example.org"}
    mine, theirs = subs["max@ahs.example.org"], subs["ana.lima@ahs.example.org"]
    assert mine.by_default and not mine.pending and mine.active and mine.user_id == member.id
    assert theirs.by_default and theirs.pending and theirs.user_id is None

    with MailReceiver() as mail:
        mailer = SmtpMailer(host=mail.host, port=mail.port, timeout=5)
        assert confirmations.ask(engine, settings, mailer) == {"asked": 1, "failed": 0}
        assert confirmations.ask(engine, settings, mailer) == {"asked": 0, "failed": 0}  # once
        ask = mail.wait_for(1)[0]
        assert ask["To"] == "ana.lima@ahs.example.org"
        body = ask.get_body(("plain",)).get_content()
        assert "publiccode.yml file of ahs/tool lists this address" in body

        # Reuse before the contact confirms reaches the member only.
        tool.reuse = [fork_claim("https://github.example/ontario/tool", tool)]
        _store(engine, tool, agency_id, source_id)
        s = settings.model_copy(update={"smtp_host": mail.host, "smtp_port": mail.port})
        assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 1
        assert mail.wait_for(2)[-1]["To"] == "max@ahs.example.org"

    token = body.split("/subscriptions/confirm/", 1)[1].split()[0]
    secret = settings.secret_key.get_secret_value()
    with session_scope(engine) as session:
        following.confirm(session, secret=secret, token=token, address="203.0.113.9")
    with Session(engine) as session:
        assert not session.get(Subscription, theirs.id).pending
        assert len(session.exec(select(Delivery)).all()) == 1

    # Max turns his off; later crawls (changed records) leave it off and add nothing.
    with session_scope(engine) as session:
        following.update(session, audit.Actor(user=member), subscription_id=mine.id, active=False)
    tool.description = "changed"
    _store(engine, tool, agency_id, source_id)
    after = _subs(engine)
    assert len(after) == 2 and not after["max@ahs.example.org"].active
    assert repo_id


def test_nothing_by_default_before_the_agency_and_source_are_verified(engine):
    member = _user(engine, "max@ahs.example.org")
    agency_id, source_id = _agency(engine, status="pending")
    with session_scope(engine) as session:
        memberships.set_role(session, OPERATOR, agency=session.get(Agency, agency_id),
                             email=member.email, role="admin")  # fmt: skip
    _store(engine, record("ahs", "early", publiccode=CONTACTS), agency_id, source_id)
    assert _subs(engine) == {}
    with session_scope(engine) as session:
        session.get(Agency, agency_id).status = "approved"
        session.get(Source, source_id).verified_at = None
    _store(engine, record("ahs", "unproven", publiccode=CONTACTS), agency_id, source_id)
    assert _subs(engine) == {}


def test_a_member_who_joins_later_follows_the_agency_s_repositories(engine):
    agency_id, source_id = _agency(engine)
    _store(engine, record("ahs", "one"), agency_id, source_id)
    _store(engine, record("ahs", "two"), agency_id, source_id)
    assert _subs(engine) == {}
    joiner = _user(engine, "joy@ahs.example.org")
    with session_scope(engine) as session:
        memberships.set_role(session, OPERATOR, agency=session.get(Agency, agency_id),
                             email=joiner.email, role="maintainer")  # fmt: skip
    with Session(engine) as session:
        rows = session.exec(select(Subscription)).all()
        assert len(rows) == 2 and all(r.address == "joy@ahs.example.org" for r in rows)
        assert all(r.active and not r.pending and r.by_default for r in rows)


def test_a_contact_who_follows_with_their_own_account_needs_no_confirmation(engine):
    agency_id, source_id = _agency(engine)
    repo_id = _store(engine, record("ahs", "tool", publiccode=CONTACTS), agency_id, source_id)
    assert _subs(engine)["ana.lima@ahs.example.org"].pending
    ana = _user(engine, "ana.lima@ahs.example.org")
    with session_scope(engine) as session:
        subscription_links.subscribe_self(session, audit.Actor(user=ana), repository_id=repo_id,
                                          agency_id=None)  # fmt: skip
    [sub] = _subs(engine).values()
    assert sub.active and not sub.pending
