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
        page.get_by_role("heading", name="Check your mail").wait_for()

        page.goto(link_in(mail.wait_for(1)[0], live.url + "/account/confirm?token="))
        page.get_by_role("heading", name="Address confirmed").wait_for()

        page.goto(live.url + "/account")  # signed out: sent to sign in, then back here
        page.get_by_label("E-mail address").fill("mo@agency.example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your account").wait_for()
        page.get_by_text("mo@agency.example.org").wait_for()
        page.screenshot(path=str(tmp_path / "account.png"))

        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("link", name="Sign in").wait_for()
        browser.close()


def test_an_agency_from_sign_up_to_a_verified_crawled_source(
    settings, engine, monkeypatch, fake_github, tmp_path
):
    """Sign up, sign up the agency, a site administrator approves it, register the GitHub
    organisation, place the token, check the proof: the repositories are on the page."""
    import re

    from playwright.sync_api import sync_playwright

    from tests.story_helpers import govcode

    fake_github.add_org("ahs-org")
    fake_github.add_repo("ahs-org", "covid-self-assessment", {"README.md": "# COVID\n"})
    site = "localhost"  # resolves offline; allow-listed
    hosts = [fake_github.base_url.removeprefix("http://"), site]
    overrides = {"github_api_url": fake_github.api_url, "queue_immediate": True,
                 "allow_http_hosts": hosts}  # fmt: skip
    with live_app(settings, **overrides) as (live, mail), sync_playwright() as p:
        monkeypatch.setenv("GOVCODE_ADMIN_PASSWORD", "site admin password")
        govcode(monkeypatch, live.settings, "users", "create-admin", "root@gov.example.org")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)

        def signed_in(email: str, password: str):  # type: ignore[no-untyped-def]
            page = browser.new_context().new_page()
            page.goto(live.url + "/account/sign-in")
            page.get_by_label("E-mail address").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Your account").wait_for()
            return page

        page = browser.new_page()
        page.goto(live.url + "/account/sign-up")
        page.get_by_label("E-mail address").fill("ana@ahs.example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign up").click()
        page.goto(link_in(mail.wait_for(1)[0], live.url + "/account/confirm?token="))
        ana = signed_in("ana@ahs.example.org", PASSWORD)
        ana.get_by_role("link", name="Sign up an agency").click()
        ana.get_by_label("Name", exact=True).fill("Alberta Health Services")
        ana.get_by_label("Country (ISO 3166 code, e.g. CA)").fill("CA")
        ana.get_by_label("Level").select_option("regional")
        ana.get_by_label("Website").fill(f"https://{site}/")
        ana.get_by_label("Contact e-mail address").fill("digital@ahs.example.org")
        ana.get_by_role("button", name="Sign up the agency").click()
        ana.get_by_role("heading", name="Agency signed up").wait_for()

        root = signed_in("root@gov.example.org", "site admin password")
        root.get_by_role("link", name="Agencies to review").click()
        root.get_by_role("button", name="Approve Alberta Health Services").click()
        root.get_by_text("No agency waits for review.").wait_for()
        assert "is approved" in mail.wait_for(2)[-1]["Subject"]

        ana.goto(live.url + "/account")
        ana.get_by_role("link", name="sources").click()
        ana.get_by_label("Kind").select_option("github")
        ana.get_by_label("Where (organisation login, group path or https URL)").fill("ahs-org")
        ana.get_by_role("button", name="Register").click()
        ana.get_by_text("Registered. Prove you own it").wait_for()
        token = re.search(r"govcode-verify-[0-9a-f]+", ana.content())
        assert token
        fake_github.add_repo("ahs-org", ".github", {"govcode.txt": token.group(0) + "\n"})
        ana.get_by_role("button", name="Check the proof of ahs-org").click()
        ana.get_by_text("Verified: we found the token").wait_for()
        ana.goto(live.url + "/agencies/alberta-health-services")
        ana.get_by_role("link", name="ahs-org/covid-self-assessment").wait_for()
        assert "(unverified)" not in ana.content()
        ana.screenshot(path=str(tmp_path / "agency.png"))
        browser.close()
