"""Sign up, confirm from the mail, sign in and out, in a real browser (Playwright, Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.accounts_helpers import PASSWORD, link_in, live_app
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (scripts/ensure-browser)",
)


@pytest.mark.parametrize("javascript", [True, False])
def test_sign_up_then_sign_in(settings, engine, javascript, tmp_path):
    from playwright.sync_api import sync_playwright

    with live_app(settings) as (live, mail), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(java_script_enabled=javascript)
        page.goto(live.url + "/")
        page.get_by_role("link", name="Sign in").click()
        page.get_by_role("link", name="Sign up").click()
        page.get_by_label("E-mail address").fill("mo@agency.example.org")
        page.get_by_label("Your name").fill("Mo")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign up").click()
        assert page.get_by_role("heading", name="Check your mail").is_visible()

        page.goto(link_in(mail.wait_for(1)[0], live.url + "/account/confirm?token="))
        assert page.get_by_role("heading", name="Address confirmed").is_visible()

        page.goto(live.url + "/account")  # signed out: sent to sign in, then back here
        page.get_by_label("E-mail address").fill("mo@agency.example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("heading", name="Your account").is_visible()
        assert page.get_by_text("mo@agency.example.org").is_visible()
        page.screenshot(path=str(tmp_path / "account.png"))

        page.get_by_role("button", name="Sign out").click()
        assert page.get_by_role("link", name="Sign in").is_visible()
        browser.close()
