"""Source news, digests, confirmations and pause notices in the subscriber's language: a
French subscriber reads French over SMTP, an English one English; the webhook stays English."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from crawlers.context import CrawlContext
from crawlers.pipeline import crawl_source
from registry.db import session_scope
from registry.delivery import Senders, deliver_pending
from registry.digest import send_digests
from registry.models import Repository
from registry.notify import account_mail, pause_reason
from registry.notify.mailer import mailer_from_settings
from registry.services import subscriptions
from tests import factories
from tests.factories import fork_claim, record, store
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver

TOOL = "ahs/covid-check"
FORK = "ontario/covid-check"
SECRET = "hook-secret"


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def world(fake_github):
    fake_github.add_org("ahs", name="Alberta Health Services")
    fake_github.add_org("ontario", name="Ontario Digital Service")
    files = {"README.md": "# COVID-19 self-assessment\n", "check.js": "export const a = 1;\n"}
    fake_github.add_repo("ahs", "covid-check", files, tags=["v1.0"], releases=["v1.0"])
    fake_github.fork(TOOL, "ontario")
    return fake_github


def _crawl(settings, engine, world):
    allowed = settings.model_copy(
        update={"allow_http_hosts": [world.base_url.removeprefix("http://")]}
    )
    ctx = CrawlContext.from_settings(allowed)
    sources = {
        org: factories.source(engine, "github", org, api_url=world.api_url, slug=org, name=name)
        for org, name in (("ahs", "Alberta Health Services"), ("ontario", "Ontario Digital"))
    }
    return lambda org: crawl_source(engine, ctx, sources[org])


def test_a_security_fix_reaches_a_french_and_an_english_subscriber_each_in_their_language(
    settings, engine, world
):
    crawl = _crawl(settings, engine, world)
    crawl("ahs")
    crawl("ontario")
    with Session(engine) as session:
        fork = session.exec(select(Repository).where(Repository.full_name == FORK)).one()
    with MailReceiver() as mail, WebhookReceiver(SECRET) as hook:
        with session_scope(engine) as session:
            for address, language in (("marie@ontario.example", "fr"),
                                      ("max@ontario.example", "en")):  # fmt: skip
                subscriptions.subscribe(session, repository_id=fork.id, channel="email",
                                        address=address, language=language)  # fmt: skip
            subscriptions.subscribe(session, repository_id=fork.id, channel="webhook",
                                    address=hook.url, secret=SECRET, language="fr")  # fmt: skip
        notes = "Fixes CVE-2026-12345: the score could be forged."
        world.push(TOOL, {"check.js": "export const a = 3;\n"}, tags=["v1.2"])
        world.update_repo(TOOL, releases=["v1.0", "v1.2"], release_notes={"v1.2": notes})
        crawl("ahs")
        s = settings.model_copy(update={"smtp_host": mail.host, "smtp_port": mail.port,
                                        "allow_http_hosts": [hook.url.split("/")[2]]})  # fmt: skip
        assert deliver_pending(engine, s, Senders.from_settings(s))["delivered"] == 3
        by_to = {m["To"]: m for m in mail.wait_for(2)}
        hook.wait_for(1)
    fr, en = by_to["marie@ontario.example"], by_to["max@ontario.example"]
    assert fr["Content-Language"] == "fr" and en["Content-Language"] == "en"
    assert fr["Subject"] == (
        f"[govcode] {TOOL}, réutilisé par {FORK}\u00a0: correctif de sécurité dans v1.2"
    )
    text = _text(fr)
    assert (f"{TOOL} (Alberta Health Services) a publié v1.2 ; ses notes de version"
            " mentionnent un correctif de sécurité (CVE-2026-12345).") in text  # fmt: skip
    assert f"Votre dépôt {FORK} réutilise {TOOL} (Alberta Health Services) (bifurcation)" in text
    fix = "Ses notes de version mentionnent un correctif de sécurité\u00a0: CVE-2026-12345."
    assert fix in text
    assert "appliquez le correctif" in text and "Quand\u00a0:" in text
    assert "published" not in text and "security fix" not in text  # no English left over
    html = _html(fr)
    assert '<html lang="fr">' in html and "Vérifiez si votre dépôt contient la faille" in html
    assert f"<h1>{TOOL} (Alberta Health Services) a publié v1.2" in html

    assert en["Subject"] == f"[govcode] {TOOL}, which {FORK} reuses: security fix in v1.2"
    english = _text(en)
    assert "Its release notes mention a security fix: CVE-2026-12345." in english
    assert f"Your repository {FORK} reuses {TOOL} (Alberta Health Services) (fork)" in english
    assert "réutilise" not in english

    body = json.loads(hook.received[0].body)  # machines read English whatever the language
    assert body["event"] == "source.security_fix"
    assert "published v1.2; its notes mention a security fix" in body["summary"]


def test_a_french_daily_digest(settings, engine):
    target = record("ahs", "outil")
    repo_id = store(engine, target, agency="ahs").repository_id
    with session_scope(engine) as session:
        subscriptions.subscribe(
            session, channel="email", address="d@ahs.example.org", repository_id=repo_id,
            frequency="daily", language="fr",
        )  # fmt: skip
    target.reuse = [fork_claim("https://github.example/ontario/outil", target)]
    store(engine, target, agency="ahs", now=datetime.now(UTC))
    with MailReceiver() as mail:
        s = settings.model_copy(update={"smtp_host": mail.host, "smtp_port": mail.port})
        assert send_digests(engine, s, mailer_from_settings(s))["sent"] == 1
        [digest] = mail.wait_for(1)
    assert digest["Content-Language"] == "fr"
    assert digest["Subject"].startswith("[govcode] 1 réutilisation le ")
    text = _text(digest)
    assert "Ce que govcode a vu du code que vous suivez depuis le dernier résumé\u00a0:" in text
    assert "Réutilisé par ontario/outil" in text and "bifurcation" in text
    assert "Arrêter tous les résumés quotidiens à cette adresse\u00a0:" in text
    assert "Reused by" not in text and "reuses this repository" not in text
    html = _html(digest)
    assert '<html lang="fr">' in html and "Réutilisation du code que vous suivez" in html


def test_the_confirmation_and_pause_mails_in_french_and_english():
    def confirm(language: str, **who: str):
        return account_mail.subscription_confirm(
            to="team@ahs.example.org", follows="ahs/outil", link="https://govcode.example/c/1",
            days=14, mail_from="govcode <n@govcode.example>", language=language, **who,
        )  # fmt: skip

    fr = confirm("fr", listed_in="ahs/outil")
    assert fr["Content-Language"] == "fr"
    assert fr["Subject"] == (
        "Confirmez que vous souhaitez recevoir les avis de réutilisation de govcode pour ahs/outil"
    )
    assert "Le fichier publiccode.yml de ahs/outil mentionne cette adresse" in _text(fr)
    assert "Le lien est valable 14 jours." in _text(fr)
    assert "Marie a demandé à govcode" in _text(confirm("fr", by="Marie"))
    assert "Quelqu’un a demandé à govcode" in _html(confirm("fr"))
    en = confirm("en", by="Max")
    assert "Max asked govcode to send reuse notices about ahs/outil" in _text(en)

    paused = account_mail.subscription_paused(
        to="o@ahs.example.org", channel="Webhook", what="ahs/outil",
        address="https://hooks.example/x", reason="HTTP 500", link="https://govcode.example/l",
        mail_from="govcode <n@govcode.example>", language="fr",
    )  # fmt: skip
    assert paused["Subject"] == "Votre abonnement govcode Webhook est suspendu"
    assert "Rien n’est perdu" in _text(paused) and "<code>https://hooks.example/x</code>" in _html(
        paused
    )
    why = pause_reason.stored(2.5, "HTTP 503")  # as the delivery pass stores it, in English
    paused = account_mail.subscription_paused(
        to="o@ahs.example.org", channel="signed webhook", what="ahs/outil",
        address="https://hooks.example/x", reason=why, link="https://govcode.example/l",
        mail_from="govcode <n@govcode.example>", language="fr",
    )  # fmt: skip
    assert paused["Subject"] == "Votre abonnement govcode webhook signé est suspendu"
    assert "chaque envoi a échoué pendant 2,5 jours\u00a0; le dernier\u00a0: HTTP 503" in _text(
        paused
    )
