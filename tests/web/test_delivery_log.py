"""A subscription's delivery log over HTTP: the owner's page and the API (token scope
``subscriptions``), redelivery with the same delivery id, secret rotation, resuming a
paused subscription; nobody else sees or touches it."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.models import AuditEvent, Subscription, User
from registry.services import subscriptions
from tests.factories import fork_claim, record, store
from tests.fakes.webhooks import WebhookReceiver
from tests.web.accounts_helpers import client, csrf, live_app, sign_in, sign_up_and_confirm
from tests.web.test_accounts_tokens import _make_token

SECRET = "web-log-secret-0123456789"


def _subscription_of(engine, email: str, hook_url: str) -> int:  # type: ignore[no-untyped-def]
    """A webhook subscription made by ``email`` (the accounts pages make these; here the
    service does), to a repository that is then reused once."""
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        sub = subscriptions.subscribe(
            session, repository_id=repo_id, channel="webhook", address=hook_url, secret=SECRET
        )
        sub.user_id = user.id
        sub_id = sub.id
    target.reuse = [fork_claim("https://github.example/ontario/tool", target)]
    store(engine, target)
    return sub_id  # type: ignore[return-value]


def test_the_owner_reads_the_log_and_redelivers_in_the_api_and_on_the_page(settings, engine):
    with WebhookReceiver(SECRET) as hook:
        overrides = {"allow_http_hosts": [hook.url.split("/")[2]], "queue_immediate": True}
        with live_app(settings, **overrides) as (live, mail), client(live) as c:
            sign_up_and_confirm(c, live, mail, "alice@gov.example.org")
            sign_up_and_confirm(c, live, mail, "bob@gov.example.org")
            sub_id = _subscription_of(engine, "alice@gov.example.org", hook.url)
            hook.fail_next(1, status=500)
            with Senders.from_settings(live.settings) as senders:
                deliver_pending(engine, live.settings, senders)
            (first,) = hook.wait_for(1)
            key = first.headers["x-govcode-delivery"]

            assert sign_in(c, "bob@gov.example.org").status_code == 303
            bob = _make_token(c, ["subscriptions"], "bob")
            c.cookies.clear()
            assert sign_in(c, "alice@gov.example.org").status_code == 303
            token = _make_token(c, ["subscriptions"], "alice")
            reader = _make_token(c, ["read"], "alice read")
            api = f"/api/v1/subscriptions/{sub_id}/deliveries"
            auth = {"Authorization": f"Bearer {token}"}

            assert c.get(api).status_code == 401
            assert c.get(api, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
            assert c.get(api, headers={"Authorization": f"Bearer {bob}"}).status_code == 404
            body = c.get(api, headers=auth).json()
            assert body["subscription"]["id"] == sub_id and body["subscription"]["active"]
            assert body["subscription"]["follows"] == "ahs/tool"
            assert "secret" not in body["subscription"]
            (entry,) = body["deliveries"]
            assert entry["key"] == key and entry["status"] == "pending"
            (attempt,) = entry["history"]
            assert attempt["status_code"] == 500 and not attempt["ok"]
            assert attempt["error"].startswith("HTTP 500") and attempt["latency_ms"] >= 0

            # Redeliver through the API: a new attempt at once, with the same delivery id.
            redo = f"/api/v1/subscriptions/{sub_id}/deliveries/{entry['id']}/redeliver"
            assert c.post(redo, headers={"Authorization": f"Bearer {bob}"}).status_code == 404
            r = c.post(redo, headers=auth)
            assert r.status_code == 202, r.text
            again = hook.wait_for(2)[-1]
            assert again.headers["x-govcode-delivery"] == key and again.valid
            (entry,) = c.get(api, headers=auth).json()["deliveries"]
            assert entry["status"] == "delivered"
            assert [a["redelivery"] for a in entry["history"]] == [True, False]

            # The page shows the same log, and redelivers from its button.
            page = c.get(f"/account/subscriptions/{sub_id}/log")
            assert page.status_code == 200
            assert key in page.text and "HTTP 500" in page.text and "redelivery" in page.text
            form = f"/account/subscriptions/{sub_id}/deliveries/{entry['id']}/redeliver"
            token_field = csrf(c, f"/account/subscriptions/{sub_id}/log")
            assert c.post(form, data={}).status_code == 403  # no CSRF token: refused
            r = c.post(form, data={"csrf_token": token_field})
            assert r.status_code == 303 and r.headers["location"].endswith(f"/{sub_id}/log")
            assert hook.wait_for(3)[-1].headers["x-govcode-delivery"] == key
            assert len(hook.view) == 1 and hook.repeats == [key]  # the 500 was not acted on

            c.cookies.clear()
            assert sign_in(c, "bob@gov.example.org").status_code == 303
            assert c.get(f"/account/subscriptions/{sub_id}/log").status_code == 404
            with Session(engine) as session:
                actions = session.exec(select(AuditEvent.action)).all()
            assert actions.count("subscription.redeliver") == 2


def test_rotating_the_secret_and_resuming_a_paused_subscription_over_http(settings, engine):
    with WebhookReceiver(SECRET) as hook:
        overrides = {"allow_http_hosts": [hook.url.split("/")[2]], "queue_immediate": True}
        with live_app(settings, **overrides) as (live, mail), client(live) as c:
            sign_up_and_confirm(c, live, mail, "alice@gov.example.org")
            sub_id = _subscription_of(engine, "alice@gov.example.org", hook.url)
            assert sign_in(c, "alice@gov.example.org").status_code == 303
            auth = {"Authorization": f"Bearer {_make_token(c, ['subscriptions'])}"}

            r = c.post(f"/api/v1/subscriptions/{sub_id}/rotate-secret", headers=auth,
                       json={"overlap_hours": 2})  # fmt: skip
            assert r.status_code == 200, r.text
            new_secret = r.json()["secret"]
            assert len(new_secret) == 64 and r.json()["previous_secret_valid_until"]
            bad = c.post(f"/api/v1/subscriptions/{sub_id}/rotate-secret", headers=auth,
                         json={"overlap_hours": "soon"})  # fmt: skip
            assert bad.status_code == 400

            # Paused after failing for days: nothing goes out until it is resumed.
            with session_scope(engine) as session:
                sub = session.get(Subscription, sub_id)
                sub.active, sub.paused_reason = False, "every delivery failed for 3.0 days"
                sub.paused_at = sub.created_at
            with Senders.from_settings(live.settings) as senders:
                deliver_pending(engine, live.settings, senders)
            assert hook.received == []
            page = c.get(f"/account/subscriptions/{sub_id}/log").text
            assert "every delivery failed for 3.0 days" in page and "Resume" in page

            r = c.post(f"/api/v1/subscriptions/{sub_id}/resume", headers=auth)
            assert r.status_code == 200 and r.json()["active"] and r.json()["paused_at"] is None
            (got,) = hook.wait_for(1)  # the waiting delivery went out on resuming
            signature = got.headers["x-govcode-signature"]
            assert got.valid and signature.count("v1=") == 2  # old and new during the overlap
            hook.secrets = [new_secret]
            assert hook.signature_valid(got.body, signature)

            # The page's rotation shows the new secret once.
            token_field = csrf(c, f"/account/subscriptions/{sub_id}/log")
            r = c.post(f"/account/subscriptions/{sub_id}/rotate-secret",
                       data={"csrf_token": token_field})  # fmt: skip
            assert r.status_code == 200
            shown = re.search(r'id="new-secret" readonly value="([0-9a-f]{64})"', r.text)
            assert shown and shown.group(1) != new_secret
            assert shown.group(1) not in c.get(f"/account/subscriptions/{sub_id}/log").text
            with Session(engine) as session:
                sub = session.get(Subscription, sub_id)
                assert sub.secret == shown.group(1) and sub.previous_secret == new_secret
