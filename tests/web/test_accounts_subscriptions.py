"""A maintainer follows a repository from the web, gets a reuse mail at a real SMTP server
and unsubscribes with one click (RFC 8058), without signing in."""

from __future__ import annotations

from sqlmodel import Session, select

from registry.delivery import Senders, deliver_pending
from registry.models import AuditEvent, Subscription
from tests.factories import NOW, fork_claim, record, store
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm


def test_follow_get_a_reuse_mail_and_unsubscribe_in_one_click(settings, engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target).repository_id
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "max@ahs.example.org")
        assert sign_in(c, "max@ahs.example.org").status_code == 303
        r = post(c, f"/repositories/{repo_id}/subscribe", {}, form_page=f"/repositories/{repo_id}")
        assert r.status_code == 303
        again = post(c, f"/repositories/{repo_id}/subscribe", {}, form_page="/account")
        assert again.status_code == 303  # the same subscription, not a second one
        assert "ahs/tool" in c.get("/account/subscriptions").text

        target.reuse = [fork_claim("https://github.example/ontario/tool", target)]
        store(engine, target)
        s = live.settings
        assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 1
        message = mail.wait_for(2)[-1]
        assert message["To"] == "max@ahs.example.org"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = message["List-Unsubscribe"].strip().strip("<>")
        assert link.startswith(live.url + "/unsubscribe/")

        with client(live) as mail_client:  # no cookie, no CSRF token: RFC 8058 one-click
            path = link.removeprefix(live.url)
            forged = mail_client.post(path[:-4] + "AAAA", data={"List-Unsubscribe": "One-Click"})
            assert forged.status_code == 400
            with Session(engine) as session:
                assert session.exec(select(Subscription)).one().active
            assert "Stop these messages" in mail_client.get(path).text  # GET changes nothing
            with Session(engine) as session:
                assert session.exec(select(Subscription)).one().active
            done = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
            assert done.status_code == 200 and "Unsubscribed" in done.text
            assert mail_client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert "stopped" in c.get("/account/subscriptions").text
    with Session(engine) as session:
        assert session.exec(select(Subscription)).one().active is False
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == ["subscription.subscribe", "subscription.subscribe",
                           "subscription.unsubscribe"]  # fmt: skip
