"""Mail in the reader's language: a French visitor's confirmation mail and reuse notices are
French (the subscription keeps the language it was made in); others stay English."""

from __future__ import annotations

from sqlmodel import Session, select

from registry.delivery import Senders, deliver_pending
from registry.models import Subscription
from tests.factories import NOW, fork_claim, record, store
from tests.web.accounts_helpers import client, live_app, post, sign_in, sign_up_and_confirm


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_french_follower_gets_french_mail(settings, engine):
    target = record("ahs", "outil")
    repo_id = store(engine, target).repository_id
    with live_app(settings) as (live, mail), client(live) as c:
        assert c.get("/?lang=fr").status_code == 303  # the switcher's cookie
        sign_up_and_confirm(c, live, mail, "marie@ahs.example.org")
        confirm = mail.messages[-1]
        assert confirm["Subject"] == "Confirmez votre adresse pour govcode"
        assert confirm["Content-Language"] == "fr"
        assert sign_in(c, "marie@ahs.example.org").status_code == 303
        r = post(c, f"/repositories/{repo_id}/subscribe", {}, form_page=f"/repositories/{repo_id}")
        assert r.status_code == 303
        with Session(engine) as session:
            assert session.exec(select(Subscription)).one().language == "fr"

        target.reuse = [fork_claim("https://github.example/ontario/outil", target)]
        store(engine, target)
        s = live.settings
        assert deliver_pending(engine, s, Senders.from_settings(s), now=NOW)["delivered"] == 1
        notice = mail.wait_for(2)[-1]
    assert notice["Subject"] == "[govcode] ahs/outil réutilisé par ontario/outil"
    assert notice["Content-Language"] == "fr"
    text = _text(notice)
    assert "Votre dépôt ahs/outil a été réutilisé." in text
    assert "Comment\u00a0:" in text and "bifurcation" in text
    assert "Vous recevez ce message parce que vous suivez ahs/outil sur govcode." in text
    html = notice.get_body(("html",)).get_content()
    assert '<html lang="fr">' in html and "Réutilisé par" in html


def test_mail_stays_english_for_an_english_reader(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "max@ahs.example.org")
        confirm = mail.messages[-1]
    assert confirm["Subject"] == "Confirm your address for govcode"
    assert "Confirm it by opening this link within" in _text(confirm)


def test_a_language_without_a_catalogue_is_stored_as_english(engine):
    from registry.db import session_scope
    from registry.services import subscriptions

    repo_id = store(engine, record("ahs", "tool")).repository_id
    with session_scope(engine) as session:
        sub = subscriptions.subscribe(
            session, channel="email", address="a@b.example", repository_id=repo_id,
            language="tlh",
        )  # fmt: skip
        assert sub.language == "en"
        again = subscriptions.subscribe(
            session, channel="email", address="a@b.example", repository_id=repo_id,
            language="fr",
        )  # fmt: skip
        assert again.id == sub.id and again.language == "fr"
