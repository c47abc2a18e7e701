"""The account service: hashes, links, the throttle window, administrators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from registry.db import session_scope
from registry.errors import BadRequest, Conflict, TooManyRequests
from registry.models import SignInThrottle, User
from registry.services import account_links, accounts
from tests.story_helpers import govcode

LIMITS = accounts.Limits(secret="test secret " * 4, max_failures=2, max_failures_per_address=50)
PASSWORD = "a long enough password"


def _user(engine, email="lee@agency.example.org", confirmed=True) -> User:
    with session_scope(engine) as session:
        user = accounts.sign_up(session, email=email, password=PASSWORD, limits=LIMITS)
        if confirmed:
            accounts.confirm_email(
                session, token=accounts.confirm_link_token(user, LIMITS), limits=LIMITS
            )
        return user


def test_passwords_are_argon2id_and_never_stored(engine):
    user = _user(engine)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    with session_scope(engine) as session:
        assert accounts.authenticate(
            session, email="LEE@agency.example.org", password=PASSWORD, address="a", limits=LIMITS
        )
        assert not accounts.authenticate(
            session, email="lee@agency.example.org", password=PASSWORD + "x", address="a",
            limits=LIMITS,
        )  # fmt: skip
    with pytest.raises(BadRequest, match="at most"):
        accounts.check_password("x" * 2000, LIMITS)
    with session_scope(engine) as session, pytest.raises(Conflict):
        accounts.sign_up(session, email="Lee@Agency.Example.org", password=PASSWORD, limits=LIMITS)


def test_throttle_window_ends(engine):
    _user(engine)
    with session_scope(engine) as session:
        for _ in range(2):
            wrong = accounts.authenticate(
                session, email="lee@agency.example.org", password="wrong", address="b",
                limits=LIMITS,
            )  # fmt: skip
            assert wrong is None
    with session_scope(engine) as session, pytest.raises(TooManyRequests):
        accounts.authenticate(
            session, email="lee@agency.example.org", password=PASSWORD, address="b", limits=LIMITS
        )
    with session_scope(engine) as session:  # the window started long ago: it is over
        row = session.get(SignInThrottle, "account:lee@agency.example.org")
        assert row is not None
        row.window_started_at -= timedelta(seconds=LIMITS.window + 1)
        session.add(row)
    with session_scope(engine) as session:
        assert accounts.authenticate(
            session, email="lee@agency.example.org", password=PASSWORD, address="b", limits=LIMITS
        )


def test_links_are_bound_to_purpose_and_secret(engine):
    user = _user(engine, confirmed=False)
    confirm = accounts.confirm_link_token(user, LIMITS)
    reset = accounts.reset_link_token(user, LIMITS)
    with Session(engine) as session:
        with pytest.raises(BadRequest):  # a reset token is not a confirmation token
            accounts.confirm_email(session, token=reset, limits=LIMITS)
        with pytest.raises(BadRequest):
            other = accounts.Limits(secret="another secret " * 3)
            accounts.confirm_email(session, token=confirm, limits=other)
        with pytest.raises(BadRequest, match="expired"):
            payload = {"uid": user.id, "email": user.email}
            old = account_links.make(LIMITS.secret, account_links.CONFIRM, payload)
            account_links.read(LIMITS.secret, account_links.CONFIRM, old, max_age=-1)
    with session_scope(engine) as session:
        accounts.reset_password(session, token=reset, password="another good one", limits=LIMITS)
    with session_scope(engine) as session, pytest.raises(BadRequest, match="not valid any more"):
        accounts.reset_password(session, token=reset, password="a third good one", limits=LIMITS)


def test_create_admin_command(monkeypatch, settings, engine):
    monkeypatch.setenv("GOVCODE_ADMIN_PASSWORD", PASSWORD)
    out = govcode(
        monkeypatch, settings, "users", "create-admin", "root@gov.example.org", "--dry-run"
    )
    assert "would make root@gov.example.org" in out
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
    out = govcode(monkeypatch, settings, "users", "create-admin", "Root@gov.example.org")
    assert "site administrator root@gov.example.org" in out
    with Session(engine) as session:
        admin = session.exec(select(User)).one()
        assert admin.is_site_admin and admin.email_confirmed_at is not None


def test_audit_csv_defuses_formulas(engine):
    from registry.services import audit

    user = _user(engine, email="=cmd@agency.example.org")
    with session_scope(engine) as session:
        event = audit.record(
            session, audit.Actor(user=user, address="10.0.0.1"), action="token.create",
            target_type="token", target_id="=HYPERLINK(1)", after={"name": "x"},
        )  # fmt: skip
        text = audit.to_csv([event])
    assert "'=cmd@agency.example.org" in text and "'=HYPERLINK(1)" in text
    assert '"{""name"": ""x""}"' in text
