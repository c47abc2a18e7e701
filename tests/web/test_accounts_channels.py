"""Subscriptions on every channel from the web and the API: a signed webhook (its URL passes
the URL policy; the secret is shown once), a private Atom feed, e-mail to another address
(confirmed first), a saved search, a daily digest; the subscriptions page edits them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

import httpx
from sqlmodel import Session, select

from registry.delivery import Senders, deliver_pending
from registry.digest import send_digests
from registry.models import AuditEvent, Delivery, Subscription
from registry.notify.mailer import mailer_from_settings
from tests.factories import NOW, fork_claim, record, store
from tests.fakes.webhooks import WebhookReceiver
from tests.web.accounts_helpers import client, csrf, live_app, post, sign_in, sign_up_and_confirm
from tests.web.test_accounts_tokens import _make_token

_SECRET = re.compile(r'id="webhook-secret" readonly value="([0-9a-f]+)"')
_FEED = re.compile(r'id="feed-url" readonly value="([^"]+)"')


def _new(c: httpx.Client, query: str, data: dict[str, str]) -> httpx.Response:
    token = csrf(c, f"/account/subscriptions/new?{query}")
    return c.post("/account/subscriptions/new", data={**data, "csrf_token": token})


def _reuse(engine, target, reuser: str, now=NOW) -> None:
    target.reuse = [*target.reuse, fork_claim(f"https://github.example/{reuser}", target)]
    store(engine, target, agency="ahs", now=now)


def _count(engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Subscription)).all())


def test_a_webhook_from_the_web_is_signed_and_a_private_address_is_refused(settings, engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target, agency="ahs").repository_id
    with WebhookReceiver("unknown yet") as hook:
        hook_host = urlsplit(hook.url).netloc
        with live_app(settings, allow_http_hosts=[hook_host]) as (live, mail), client(live) as c:
            sign_up_and_confirm(c, live, mail, "wes@ahs.example.org")
            assert sign_in(c, "wes@ahs.example.org").status_code == 303
            form = c.get(f"/account/subscriptions/new?repository={repo_id}")
            assert form.status_code == 200 and "ahs/tool" in form.text
            hook_form = {"repository": str(repo_id), "channel": "webhook"}
            for unsafe, why in (
                ("https://10.1.2.3/hooks", "private"),
                ("https://127.0.0.1:8443/hooks", "loopback"),
                ("https://169.254.169.254/latest/meta-data", "link-local"),
                ("https://[::1]/hooks", "loopback"),
                ("file:///etc/passwd", "absolute https URL"),
            ):
                r = _new(c, f"repository={repo_id}", {**hook_form, "address": unsafe})
                assert r.status_code == 400 and why in r.text, (unsafe, r.text)
            assert _count(engine) == 0

            made = _new(c, f"repository={repo_id}", {**hook_form, "address": hook.url})
            assert made.status_code == 201, made.text
            secret = _SECRET.search(made.text).group(1)
            listing = c.get("/account/subscriptions").text
            assert "signed webhook" in listing and hook.url in listing
            assert secret not in listing  # shown once only
            again = _new(c, f"repository={repo_id}", {**hook_form, "address": hook.url})
            assert again.status_code == 409 and secret not in again.text

            hook.secrets = [secret]
            _reuse(engine, target, "ontario/tool")
            s = live.settings
            assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 1
            assert len(hook.received) == 1 and hook.received[0].valid
            assert hook.received[0].json["repository"]["name"] == "ahs/tool"
    with Session(engine) as session:
        assert [e.action for e in session.exec(select(AuditEvent))] == ["subscription.create"]


def test_a_private_atom_feed_for_an_agency(settings, engine):
    target = record("ahs", "tool")
    store(engine, target, agency="ahs")
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "ada@ahs.example.org")
        assert sign_in(c, "ada@ahs.example.org").status_code == 303
        made = _new(c, "agency=ahs", {"agency": "ahs", "channel": "atom"})
        assert made.status_code == 201, made.text
        feed_url = _FEED.search(made.text).group(1)
        assert feed_url.startswith(live.url + "/feeds/private/gcf_")
        assert feed_url not in c.get("/account/subscriptions").text
        with client(live) as reader:  # no cookie: the URL is the whole authority
            empty = reader.get(feed_url.removeprefix(live.url))
            assert empty.status_code == 200 and "<entry>" not in empty.text
            assert empty.headers["content-type"].startswith("application/atom+xml")
            _reuse(engine, target, "ontario/tool")
            full = reader.get(feed_url.removeprefix(live.url)).text
            assert "<entry>" in full and "ontario/tool" in full and "Reuse of Ahs" in full
            guessed = feed_url[:-10] + "AAAAA.atom"
            assert reader.get(guessed.removeprefix(live.url)).status_code == 404
        with Session(engine) as session:
            sub_id = session.exec(select(Subscription)).one().id
        stop = post(c, f"/account/subscriptions/{sub_id}", {"action": "stop"},
                    form_page="/account/subscriptions")  # fmt: skip
        assert stop.status_code == 303
        assert c.get(feed_url.removeprefix(live.url)).status_code == 404
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        assert sub.channel == "atom" and not sub.active and len(sub.feed_token_hash) == 64
        assert feed_url.rpartition("/")[2].removesuffix(".atom") not in str(sub.model_dump())


def test_another_address_hears_nothing_until_its_owner_confirms(settings, engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target, agency="ahs").repository_id
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "eve@elsewhere.example.org")
        assert sign_in(c, "eve@elsewhere.example.org").status_code == 303
        made = _new(c, f"repository={repo_id}", {"repository": str(repo_id), "channel": "email",
                                                 "address": "team@ahs.example.org"})  # fmt: skip
        assert made.status_code == 201 and "confirmation link" in made.text
        ask = mail.wait_for(2)[-1]
        assert ask["To"] == "team@ahs.example.org" and "Confirm" in ask["Subject"]
        link = re.search(re.escape(live.url) + r"/subscriptions/confirm/\S+",
                         ask.get_body(("plain",)).get_content()).group(0)  # fmt: skip
        assert "waiting for the address to confirm" in c.get("/account/subscriptions").text

        _reuse(engine, target, "ontario/tool")
        s = live.settings
        assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 0
        with client(live) as owner:
            path = link.removeprefix(live.url)
            assert owner.get(path[:-4] + "AAAA").status_code == 400  # forged
            page = owner.get(path)  # a scanner's GET changes nothing
            assert page.status_code == 200 and "Yes, send them" in page.text
            assert owner.post(path).status_code == 403  # no CSRF token from the page
            with Session(engine) as session:
                assert session.exec(select(Subscription)).one().pending
            done = post(owner, path, {})
            assert done.status_code == 200 and "Subscribed" in done.text
        _reuse(engine, target, "quebec/tool", now=NOW + timedelta(hours=1))
        assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 1
        assert mail.wait_for(3)[-1]["To"] == "team@ahs.example.org"
        # Whoever added the address may stop it, but never start it again for its owner.
        with Session(engine) as session:
            sub_id = session.exec(select(Subscription)).one().id
        edit = f"/account/subscriptions/{sub_id}"
        assert post(c, edit, {"action": "stop"}, form_page="/account").status_code == 303
        assert post(c, edit, {"action": "resume"}, form_page="/account").status_code == 403
        with Session(engine) as session:
            assert session.exec(select(Subscription)).one().active is False
    with Session(engine) as session:
        delivered = session.exec(select(Delivery)).all()
        assert len(delivered) == 1  # the event before the confirmation was never queued


def test_a_saved_search_followed_as_a_daily_digest(settings, engine):
    tool = record("ahs", "covid-tool", description="COVID-19 self assessment", licence="MIT")
    other = record("ahs", "payroll", description="Payroll for clerks", licence="MIT")
    gpl = record("ahs", "covid-gpl", description="COVID-19 self assessment", licence="GPL-3.0")
    for rec in (tool, other, gpl):
        store(engine, rec, agency="ahs")
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "dan@ahs.example.org")
        assert sign_in(c, "dan@ahs.example.org").status_code == 303
        query = "q=covid+assess&licence=MIT&page=2"
        form = c.get("/account/subscriptions/new?search=" + quote(query, safe=""))
        assert form.status_code == 200 and "covid assess" in form.text
        made = _new(c, "search=q%3Dcovid", {"search": query, "channel": "email",
                                              "frequency": "daily"})  # fmt: skip
        assert made.status_code == 201, made.text
        listing = c.get("/account/subscriptions").text
        assert "daily digest" in listing and "Licence: MIT" in listing  # the page's filter name

        # The digest lists what happened after the subscription was made (real time).
        later = datetime.now(UTC) + timedelta(minutes=1)
        for rec in (tool, other, gpl):
            _reuse(engine, rec, f"ontario/{rec.name}", now=later)
        s = live.settings
        # Digest subscriptions are not sent one by one.
        assert deliver_pending(engine, s, Senders.from_settings(s), now=later)["delivered"] == 0
        mailer = mailer_from_settings(s)
        evening = later + timedelta(minutes=1)
        assert send_digests(engine, s, mailer, now=evening) == {"sent": 1, "empty": 0, "failed": 0}
        digest = mail.wait_for(2)[-1]
        text = digest.get_body(("plain",)).get_content()
        assert digest["To"] == "dan@ahs.example.org" and "1 reuse event" in digest["Subject"]
        assert "ahs/covid-tool" in text and "payroll" not in text and "covid-gpl" not in text
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Once a day: a second pass the same day sends nothing.
        same_day = evening.replace(hour=23, minute=59, second=59)
        assert send_digests(engine, s, mailer, now=same_day)["sent"] == 0
        next_day = evening + timedelta(days=1)
        assert send_digests(engine, s, mailer, now=next_day) == {"sent": 0, "empty": 1,
                                                                 "failed": 0}  # fmt: skip
        assert len(mail.messages) == 2
        # A long crawl that began before a digest commits its event after it: the event
        # carries the crawl's start time, and the next digest lists it, once.
        _reuse(engine, tool, "quebec/covid-tool", now=later)
        day_after = next_day + timedelta(days=1)
        assert send_digests(engine, s, mailer, now=day_after)["sent"] == 1
        late = mail.wait_for(3)[-1].get_body(("plain",)).get_content()
        assert "quebec/covid-tool" in late and "ontario/covid-tool" not in late
        link = digest["List-Unsubscribe"].strip("<> ")
        with client(live) as mail_client:
            assert mail_client.post(link.removeprefix(live.url)).status_code == 200
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        assert sub.search_query == "q=covid+assess&licence=MIT" and not sub.active


def test_the_subscriptions_api(settings, engine):
    target = record("ahs", "tool")
    repo_id = store(engine, target, agency="ahs").repository_id
    with WebhookReceiver("unknown yet") as hook:
        host = urlsplit(hook.url).netloc
        with live_app(settings, allow_http_hosts=[host]) as (live, mail), client(live) as c:
            sign_up_and_confirm(c, live, mail, "api@ahs.example.org")
            assert sign_in(c, "api@ahs.example.org").status_code == 303
            token = _make_token(c, ["subscriptions"], "subs")
            read = _make_token(c, ["read"], "reader")
            with client(live) as api:
                auth = {"Authorization": f"Bearer {token}"}
                body = {"channel": "webhook", "repository_id": repo_id, "address": hook.url}
                assert api.post("/api/v1/subscriptions", json=body).status_code == 401
                no = api.post("/api/v1/subscriptions", json=body,
                              headers={"Authorization": f"Bearer {read}"})  # fmt: skip
                assert no.status_code == 403
                private = {**body, "address": "https://192.168.0.10/hook"}
                unsafe = api.post("/api/v1/subscriptions", headers=auth, json=private)
                assert unsafe.status_code == 400 and "private" in unsafe.json()["detail"]
                assert _count(engine) == 0
                made = api.post("/api/v1/subscriptions", json=body, headers=auth)
                assert made.status_code == 201, made.text
                hook_sub = made.json()
                assert len(hook_sub["secret"]) == 64 and hook_sub["follows"] == "repository"
                feed = api.post("/api/v1/subscriptions", headers=auth,
                                json={"channel": "atom", "search": "q=tool"}).json()  # fmt: skip
                assert feed["feed_url"].startswith(live.url + "/feeds/private/gcf_")
                mine = api.get("/api/v1/subscriptions", headers=auth).json()
                assert {m["channel"] for m in mine} == {"webhook", "atom"}
                assert all("secret" not in m and "feed_url" not in m for m in mine)
                digest = api.post("/api/v1/subscriptions", headers=auth,
                                  json={"agency": "ahs", "frequency": "daily"}).json()  # fmt: skip
                assert digest["channel"] == "email" and digest["address"] == "api@ahs.example.org"
                url = f"/api/v1/subscriptions/{digest['id']}"
                bad = api.patch(url, headers=auth, json={"frequency": "hourly"})
                assert bad.status_code == 400
                now = api.patch(url, headers=auth, json={"frequency": "immediate"}).json()
                assert now["frequency"] == "immediate"
                assert api.delete(url, headers=auth).status_code == 204
                assert api.get(url, headers=auth).json()["active"] is False
                # Someone else's subscription is not there for this token.
                sign_up_and_confirm(c, live, mail, "other@ahs.example.org")
                with client(live) as other:
                    assert sign_in(other, "other@ahs.example.org").status_code == 303
                    theirs = _make_token(other, ["subscriptions"], "theirs")
                hers = {"Authorization": f"Bearer {theirs}"}
                assert api.patch(url, headers=hers, json={"active": True}).status_code == 404
                assert api.get(url, headers=auth).json()["active"] is False


def test_the_openapi_document_describes_the_token_calls(settings, engine):
    with live_app(settings) as (live, _mail), client(live) as c:
        doc = c.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert {"/api/v1/subscriptions", "/api/v1/subscriptions/{id}",
            "/api/v1/agencies/{slug}/claim", "/api/v1/admin/claims"} <= set(paths)  # fmt: skip
    made = paths["/api/v1/subscriptions"]["post"]
    assert made["security"] == [{"token": ["subscriptions"]}] and "201" in made["responses"]
    assert doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_script_in_a_saved_search_or_an_address_is_shown_escaped(settings, engine):
    script = "<script>alert(1)</script>"
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "xss@ahs.example.org")
        assert sign_in(c, "xss@ahs.example.org").status_code == 303
        query = "q=" + quote(script)
        form = c.get("/account/subscriptions/new?search=" + quote(query, safe=""))
        assert script not in form.text and "&lt;script&gt;" in form.text
        made = _new(c, "search=q%3Dx", {"search": query, "channel": "atom"})
        assert made.status_code == 201 and script not in made.text
        bad = _new(c, "search=q%3Dx", {"search": query, "channel": "email",
                                        "address": f"{script}@ahs.example.org"})  # fmt: skip
        assert bad.status_code == 400 and script not in bad.text
        listing = c.get("/account/subscriptions").text
        assert script not in listing and "&lt;script&gt;" in listing


def test_the_form_offers_every_channel_in_the_table(monkeypatch, settings, engine):
    """A channel added to the table is offered by the subscription form and listed once
    subscribed; the listing names each channel in the visitor's language."""
    from registry.notify import CHANNELS, ChannelKind
    from tests.notify.test_channels import Relay

    relay = ChannelKind("relay", Relay, "relay room", True, False, choice="By relay room")
    monkeypatch.setitem(CHANNELS, "relay", relay)
    repo_id = store(engine, record("ahs", "tool"), agency="ahs").repository_id
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "wes@ahs.example.org")
        assert sign_in(c, "wes@ahs.example.org").status_code == 303
        form = c.get(f"/account/subscriptions/new?repository={repo_id}").text
        assert all(f'name="channel" value="{name}"' in form for name in CHANNELS)
        assert "By relay room" in form
        for channel, address in (("relay", "#ops"), ("email", "")):
            data = {"repository": str(repo_id), "channel": channel, "address": address}
            made = _new(c, f"repository={repo_id}", data)
            assert made.status_code == 201, made.text
        listing = c.get("/account/subscriptions", headers={"Accept-Language": "fr"}).text
    # French puts a no-break space before the colon
    assert "relay room\u00a0: #ops" in listing and "courriel\u00a0: wes@ahs.example.org" in listing
