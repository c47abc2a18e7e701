"""Subscriptions on every channel in a real browser (Playwright, Chromium): a saved search
followed by a private Atom feed, a repository by signed webhook, stopped from the page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import record, store
from tests.fakes.webhooks import WebhookReceiver
from tests.web.accounts_helpers import PASSWORD, client, live_app, sign_up_and_confirm
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian's chromium is not installed (scripts/ensure-browser)"),
]  # fmt: skip


@pytest.mark.parametrize("javascript", [True, False])
def test_follow_a_search_by_atom_and_a_repository_by_webhook(settings, engine, javascript):
    from playwright.sync_api import sync_playwright

    repo_id = store(engine, record("ahs", "covid-tool", description="COVID self assessment"),
                    agency="ahs").repository_id  # fmt: skip
    with WebhookReceiver("unknown") as hook:
        overrides = {"allow_http_hosts": [urlsplit(hook.url).netloc]}
        with live_app(settings, **overrides) as (live, mail), sync_playwright() as p:
            with client(live) as c:
                sign_up_and_confirm(c, live, mail, "mo@ahs.example.org")
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            page = browser.new_page(java_script_enabled=javascript)
            page.goto(live.url + "/account/sign-in")
            page.get_by_label("E-mail address").fill("mo@ahs.example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Your account").wait_for()

            page.goto(live.url + "/?q=covid")
            page.get_by_role("link", name="Save this search and follow it").click()
            page.get_by_role("heading", name="Follow the search “covid”").wait_for()
            page.get_by_label("By a private Atom feed").check()
            page.get_by_role("button", name="Follow").click()
            feed_url = page.get_by_label("Private feed URL").input_value()
            assert feed_url.startswith(live.url + "/feeds/private/")

            page.goto(f"{live.url}/repositories/{repo_id}")
            page.get_by_role("link", name="Other ways to follow").click()
            page.get_by_label("By signed webhook").check()
            page.get_by_label("E-mail address or webhook URL").fill("https://10.0.0.8/hook")
            page.get_by_role("button", name="Follow").click()
            page.get_by_role("alert").get_by_text("private").wait_for()
            page.get_by_label("By signed webhook").check()
            page.get_by_label("E-mail address or webhook URL").fill(hook.url)
            page.get_by_role("button", name="Follow").click()
            secret = page.get_by_label("Signing secret").input_value()
            assert len(secret) == 64

            page.goto(live.url + "/account/subscriptions")
            table = page.locator("#subscriptions")
            table.get_by_text("signed webhook").wait_for()
            assert secret not in page.content() and feed_url not in page.content()
            page.get_by_role("button", name="Stop ahs/covid-tool").click()
            page.get_by_role("button", name="Resume ahs/covid-tool").wait_for()
            browser.close()
