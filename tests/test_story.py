"""The one story everything serves, end to end over HTTP (see shared/DESIGN.md).

Alberta publishes a COVID-19 self-assessment tool; govcode crawls it; a developer in
Ontario finds it with search filters (page and API) and opens it. Signed in, they press
**Fork to my organisation**, name Ontario's GitHub organisation and give their own GitHub
token, read what the MIT licence asks and confirm; govcode forks through the (fake) GitHub
API, waits for the fork, records the reuse at once, and Alberta's maintainer gets an
e-mail, a signed webhook and a feed entry. A later crawl sees the fork on GitHub without
telling anyone twice; Ontario's publiccode.yml then says isBasedOn Alberta's tool. Every
webhook is signed with its time, so a captured one cannot be replayed an hour later. Then
Alberta tags a release whose notes name a security fix, and Ontario's maintainer, who
follows the fork, is told: reuse is a relationship both ends hear about.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from registry import demo_world
from registry.notify import webhooks
from tests.conftest import LiveServer
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver
from tests.story_helpers import govcode
from tests.web.accounts_helpers import csrf, sign_in, sign_up_and_confirm

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "alberta-webhook-secret"
ONTARIO_TOKEN = "ghp_ontario_developer_token"  # the developer's own GitHub token
DEVELOPER = "dev@ontario.example"
ONTARIO_MAINTAINER = "maintainer@ontario.example"


@pytest.fixture
def world(fake_github):
    return demo_world.build(fake_github, with_fork=False)


def test_alberta_to_ontario(monkeypatch, settings, fake_github, world):
    with MailReceiver() as mail, WebhookReceiver(SECRET) as hook:
        hook_host = hook.url.split("/")[2]
        s = settings.model_copy(
            update={
                "github_api_url": fake_github.api_url,
                "allow_http_hosts": [fake_github.base_url.removeprefix("http://"), hook_host],
                "smtp_host": mail.host,
                "smtp_port": mail.port,
                "queue_immediate": True,  # the notice is delivered as the fork is recorded
                "fork_poll_seconds": 0.05,
            }
        )
        fake_github.add_person(ONTARIO_TOKEN, demo_world.ONTARIO)  # may create repositories
        govcode(
            monkeypatch,
            s,
            "crawl",
            "github",
            demo_world.ALBERTA,
            "--agency",
            "Alberta Health Services",
        )

        with LiveServer(s) as live, httpx.Client(base_url=live.url, timeout=10) as client:
            agencies = client.get("/api/v1/agencies").json()
            assert agencies == [
                {
                    "slug": "alberta-health-services",
                    "country": None,
                    "name": "Alberta Health Services",
                    "names": {},
                    "repositories": 2,
                }
            ]
            query = {
                "q": "covid self assessment",
                "licence": "MIT",
                "language": "JavaScript",
                "maturity": "stable",
            }
            page = client.get("/", params=query)
            assert page.status_code == 200
            assert 'href="/repositories/' in page.text and demo_world.COVID in page.text
            assert "clinic-finder" not in page.text  # Apache-2.0 Python: filtered out

            api = client.get("/api/v1/repositories", params=query).json()
            assert api["total"] == 1
            item = api["items"][0]
            assert item["full_name"] == demo_world.COVID
            assert item["licence"] == "MIT"
            assert item["maturity_level"] == "stable"
            assert item["languages"][0]["language"] == "JavaScript"
            assert {"value": "MIT", "count": 1} in api["facets"]["licence"]
            repo_id = item["id"]

            repo_page = client.get(f"/repositories/{repo_id}").text
            assert f"git clone {fake_github.clone_url(demo_world.COVID)}" in repo_page
            fork_href = re.search(r'id="fork" href="([^"]+)"', repo_page).group(1)
            fork_page = httpx.get(fork_href)
            assert fork_page.status_code == 200 and demo_world.COVID in fork_page.text

            subscribed = govcode(
                monkeypatch,
                s,
                "subscribe",
                demo_world.COVID,
                "--email",
                "maintainer@ahs.example",
                "--webhook",
                hook.url,
                "--secret",
                SECRET,
            )

            # Ontario's developer has an account and is a maintainer of their agency.
            govcode(monkeypatch, s, "sources", "add", "github", demo_world.ONTARIO,
                    "--agency", "Ontario Digital Service")  # fmt: skip
            sign_up_and_confirm(client, live, mail, DEVELOPER, name="Dana")
            govcode(monkeypatch, s, "users", "grant", DEVELOPER, demo_world.ONTARIO,
                    "--role", "maintainer")  # fmt: skip
            assert sign_in(client, DEVELOPER).status_code == 303

            # Fork to my organisation, through govcode: the form, the licence, the fork.
            repo_page = client.get(f"/repositories/{repo_id}").text
            fork_form = re.search(r'id="fork" href="([^"]+)"', repo_page).group(1)
            assert fork_form == f"/repositories/{repo_id}/fork"
            fields = {"owner": demo_world.ONTARIO, "token": ONTARIO_TOKEN}
            token = csrf(client, fork_form)
            review = client.post(fork_form, data={**fields, "step": "review", "csrf_token": token})
            assert review.status_code == 200
            assert "What the licence asks of you" in review.text
            assert "Keep the copyright notice and a copy of the licence" in review.text
            confirmed = {**fields, "step": "fork", "confirm": "yes", "csrf_token": token}
            done = client.post(fork_form, data=confirmed)
            assert done.status_code == 201, done.text
            fork_name = f"{demo_world.ONTARIO}/covid-self-assessment"
            new_fork = re.search(r'id="new-fork" href="([^"]+)"', done.text).group(1)
            assert new_fork == fake_github.html_url(fork_name)
            assert httpx.get(new_fork).status_code == 200  # it exists on GitHub
            assert fake_github.world.repo(fork_name).parent == demo_world.COVID

            told = mail.wait_for(2)  # the sign-up confirmation, then the reuse
            [message] = [m for m in told if m["To"] == "maintainer@ahs.example"]
            body = message.get_body(("plain",)).get_content()
            assert fork_name in body
            assert "forked through govcode by Ontario Digital Service (Dana)" in body

            hook.wait_for(1)
            delivery = hook.received[0]
            assert delivery.valid, "the webhook signature must verify with the shared secret"
            assert delivery.json["kind"] == "declared"
            assert delivery.json["repository"]["name"] == demo_world.COVID
            assert delivery.json["reuser"]["name"] == fork_name

            feed = ET.fromstring(client.get(f"/repositories/{repo_id}/feed.atom").content)
            entries = feed.findall(f"{ATOM}entry")
            assert len(entries) == 1
            assert fork_name in entries[0].find(f"{ATOM}title").text
            page = client.get(f"/repositories/{repo_id}").text
            assert "declared by Ontario Digital Service (Dana)" in page

            # A recrawl of Alberta sees the fork on GitHub: recorded, nobody told twice.
            world.adapt_ontario_fork()
            govcode(monkeypatch, s, "crawl", "github", demo_world.ALBERTA)
            detail = client.get(f"/api/v1/repositories/{repo_id}").json()
            assert {"fork", "declared"} <= {e["kind"] for e in detail["reused_by"]}
            assert len(hook.received) == 1
            assert [m["To"] for m in mail.messages].count("maintainer@ahs.example") == 1

            # Ontario's crawl: its publiccode.yml says isBasedOn Alberta's tool.
            govcode(monkeypatch, s, "crawl", "github", demo_world.ONTARIO)
            live.wait_indexed(
                lambda: (
                    client.get("/api/v1/repositories", params={"q": "ontario"}).json()["total"] >= 1
                )
            )
            assert "based on" in client.get(f"/repositories/{repo_id}").text
            hook.wait_for(2)
            assert all(d.valid for d in hook.received)
            assert [m["To"] for m in mail.wait_for(3)].count("maintainer@ahs.example") >= 2

            # Replay-safe: the signature carries its time; the same request later is refused.
            first = hook.received[0]
            header = first.headers["x-govcode-signature"]
            sent_at = int(header.split(",")[0].removeprefix("t="))
            assert webhooks.verify([SECRET], first.body, header, now=sent_at + 60)
            assert not webhooks.verify([SECRET], first.body, header, now=sent_at + 3600)
            assert first.headers["x-govcode-delivery"]  # one id per delivery, across retries

            # Ontario's maintainer follows the fork; Alberta tags a release fixing a CVE.
            govcode(monkeypatch, s, "subscribe", fork_name, "--email", ONTARIO_MAINTAINER)
            before = len(mail.messages)
            fake_github.push(demo_world.COVID, {"CHANGELOG.md": "## 1.3.0\n- Safer scoring\n"},
                             tags=["v1.3.0"])  # fmt: skip
            releases = [*fake_github.world.repo(demo_world.COVID).releases, "v1.3.0"]
            notes = "Security: fixes CVE-2026-4242 in the risk score."
            fake_github.update_repo(demo_world.COVID, releases=releases,
                                    release_notes={"v1.3.0": notes})  # fmt: skip
            govcode(monkeypatch, s, "crawl", "github", demo_world.ALBERTA)
            mail.wait_for(before + 1, timeout=15)
            [news] = [m for m in mail.messages[before:] if m["To"] == ONTARIO_MAINTAINER]
            assert "v1.3.0" in news["Subject"] and demo_world.COVID in news["Subject"]
            text = news.get_body(("plain",)).get_content()
            assert "CVE-2026-4242" in text and fork_name in text
            assert news["List-Unsubscribe"]  # one click, without signing in

            final = client.get(f"/api/v1/repositories/{repo_id}").json()
            assert final["agency_name"] == "Alberta Health Services"  # recrawls keep names
            declared = {e.get("declared_by") for e in final["reused_by"]}
            assert "Ontario Digital Service (Dana)" in declared

            # The webhook subscription's delivery log: each delivery, each attempt, its answer.
            hook_sub = re.search(r"subscription (\d+): webhook", subscribed).group(1)
            log = govcode(monkeypatch, s, "notify", "log", hook_sub)
            assert log.count(": delivered") == len(hook.received) == 2
            assert log.count("reuse.detected: delivered") == 2 and " 204 " in log
            keep = os.environ.get("GOVCODE_ARTEFACTS")
            if keep:  # what the note quotes: the reuse graph page and the delivery log
                folder = Path(keep) / "story"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "delivery-log.txt").write_text(log)
                (folder / "alberta-tool.html").write_text(
                    client.get(f"/repositories/{repo_id}").text
                )
                detail = client.get(f"/api/v1/repositories/{repo_id}").content
                (folder / "alberta-tool.json").write_bytes(detail)
