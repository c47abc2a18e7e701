"""The subscriptions pages in French: what a subscription follows (a saved search with the
search page's own filter names), its channel and why it was paused are French words, not the
services' English; the search page's filter chips too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from registry.db import session_scope
from registry.models import User
from registry.notify import pause_reason
from registry.services import audit, following, subscriptions
from tests.conftest import LiveServer
from tests.factories import record, store
from tests.web.accounts_helpers import client, live_app, sign_in, sign_up_and_confirm

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
NBSP = "\u00a0"
HOOK = "https://hooks.example.org/govcode"


def _subscriptions_of(engine, email: str) -> int:  # type: ignore[no-untyped-def]
    """A webhook on a repository (paused after four days of failures, as the delivery pass
    pauses it), an e-mail on a saved search and an Atom feed; the webhook's id."""
    repo_id = store(engine, record("ahs", "tool"), agency="ahs").repository_id
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        hook = subscriptions.subscribe(session, repository_id=repo_id, channel="webhook",
                                       address=HOOK, user_id=user.id)  # fmt: skip
        actor = audit.Actor(user=user, address="127.0.0.1")
        saved = "q=covid&licence=MIT&language=Python&fork=no"
        following.create(session, actor, channel="email", target=following.Target(
            search_query=saved))  # fmt: skip
        following.create(session, actor, channel="atom", target=following.Target(
            repository_id=repo_id))  # fmt: skip
        for day in (0, 4):
            subscriptions.note_outcome(session, hook.id, ok=False, now=start + timedelta(day),
                                       reason="HTTP 503 from the receiver",
                                       pause_after=timedelta(days=3))  # fmt: skip
        assert hook.paused_reason == (
            "every delivery failed for 4.0 days; the last: HTTP 503 from the receiver"
        )
        return hook.id  # type: ignore[return-value]


def test_the_subscriptions_pages_speak_french(settings, engine):
    with live_app(settings) as (live, mail), client(live) as c:
        sign_up_and_confirm(c, live, mail, "eve@sante.example.org")
        hook_id = _subscriptions_of(engine, "eve@sante.example.org")
        assert sign_in(c, "eve@sante.example.org").status_code == 303
        fr = c.get("/account/subscriptions", headers=FR).text
        en = c.get("/account/subscriptions", headers=EN).text
        log_fr = c.get(f"/account/subscriptions/{hook_id}/log", headers=FR).text
        new_fr = c.get("/account/subscriptions/new?search=q%3Dcovid%26language%3DGo",
                       headers=FR).text  # fmt: skip

    search_fr = f"«{NBSP}covid{NBSP}»; Est une bifurcation{NBSP}: non; Langage{NBSP}: Python"
    assert f"Recherche{NBSP}: " in fr and search_fr + f"; Licence{NBSP}: MIT" in fr
    assert f"webhook signé{NBSP}: {HOOK}" in fr and f"courriel{NBSP}: eve@sante" in fr
    assert "flux Atom" in fr
    paused = f"chaque envoi a échoué pendant 4 jours{NBSP}; le dernier{NBSP}: HTTP 503 from"
    assert paused in fr and paused in log_fr
    assert "webhook signé" in log_fr
    for english in ("signed webhook", "Atom feed", "every delivery failed", "Is a fork"):
        assert english not in fr, english
    assert f"la recherche «{NBSP}covid{NBSP}»; Langage{NBSP}: Go" in new_fr

    assert "“covid”; Is a fork: no; Language: Python; Licence: MIT" in en
    assert f"signed webhook: {HOOK}" in en and "Atom feed" in en
    assert "every delivery failed for 4 days; the last: HTTP 503 from the receiver" in en


def test_pause_sentences_not_made_by_govcode_are_shown_as_they_are():
    assert pause_reason.read(pause_reason.stored(2.25, "timeout")) == (2.2, "timeout")
    said = pause_reason.in_words("paused by hand", gettext=str.upper, number=str)
    assert said == "paused by hand"


def test_the_search_chips_are_french(settings, engine):
    store(engine, record("ahs", "tool"), agency="ahs")
    with LiveServer(settings) as live:
        page = httpx.get(f"{live.url}/", params={"q": "tool", "language": "Python",
                                                 "active_days": "30"}, headers=FR).text  # fmt: skip
    chips = page[page.index('class="chips"') :]
    chips = chips[: chips.index("</nav>")]
    shown = re.sub(r"<[^>]+>", "", chips)  # what a person reads
    assert f"Langage{NBSP}: Python" in shown
    assert f"Modifié au cours des derniers{NBSP}: 30 jours" in shown
    assert "Language" not in shown and "days" not in shown
    assert 'aria-label="Retirer le filtre Langage\u00a0: Python"' in chips
