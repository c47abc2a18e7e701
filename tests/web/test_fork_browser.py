"""Fork to my organisation in a real browser (Playwright driving Debian's Chromium), with
and without JavaScript: sign in, the form, the licence confirmation, the new fork."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from registry.db import session_scope
from registry.models import Agency, ReuseEdge
from registry.services import audit, memberships
from tests.web.accounts_helpers import PASSWORD, client, live_app, sign_up_and_confirm
from tests.web.test_browser import CHROMIUM, pytestmark  # noqa: F401  (browser mark, skip)
from tests.web.test_fork import DEV, TOKEN, world  # noqa: F401  (the fixture)


@pytest.mark.parametrize("javascript", [True, False])
def test_fork_to_my_organisation_in_a_browser(world, engine, javascript, tmp_path):  # noqa: F811
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import LAUNCH_ARGS

    with live_app(world.settings) as (live, mail), sync_playwright() as p:
        with client(live) as c:
            sign_up_and_confirm(c, live, mail, DEV, name="Dana")
        with session_scope(engine) as session:
            ontario = session.exec(select(Agency).where(Agency.slug == "ontario")).one()
            memberships.set_role(session, audit.Actor(user=None), agency=ontario, email=DEV,
                                 role="maintainer")  # fmt: skip
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(java_script_enabled=javascript)
        page.goto(f"{live.url}/repositories/{world.tool}/fork")  # signed out: sign in first
        page.get_by_label("E-mail address").fill(DEV)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Your account").or_(
            page.get_by_role("heading", name="Fork to my organisation")
        ).first.wait_for()

        page.goto(f"{live.url}/repositories/{world.tool}")
        page.get_by_role("link", name="Fork to my organisation").click()
        page.get_by_role("heading", name="Fork to my organisation").wait_for()
        page.get_by_label("Organisation or group to fork into").fill("ontario")
        page.get_by_label("Your token on the forge").fill(TOKEN)
        assert page.get_by_label("Record the reuse for").input_value() == "ontario"
        page.get_by_role("button", name="Continue").click()

        page.get_by_role("heading", name="Confirm the fork").wait_for()
        assert page.get_by_role("heading", name="What the licence asks of you").is_visible()
        page.get_by_role("button", name="Fork now").click()  # unticked: the browser refuses
        assert page.get_by_role("heading", name="Confirm the fork").is_visible()
        page.get_by_label("We have read what the licence asks of us").check()
        page.get_by_role("button", name="Fork now").click()

        page.get_by_role("heading", name="Forked").wait_for()
        link = page.get_by_role("link", name="ontario/tool")
        assert link.get_attribute("href") == world.fake.html_url("ontario/tool")
        page.screenshot(path=str(tmp_path / "forked.png"))

        page.get_by_role("link", name="Back to the repository").click()
        page.get_by_text("declared by Ontario Digital Service (Dana)").wait_for()
        browser.close()
    assert world.fake.world.repo("ontario/tool").parent == "alberta/tool"
    with Session(engine) as session:
        assert session.exec(select(ReuseEdge)).one().kind == "declared"
