"""The one story everything serves, end to end over HTTP (see shared/DESIGN.md).

Alberta publishes a COVID-19 self-assessment tool; govcode crawls it; a developer in
Ontario finds it with search filters (page and API), opens it and follows the fork link;
Ontario's fork appears; a recrawl sees it; Alberta's maintainer gets an e-mail, a signed
webhook and a feed entry.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from registry import demo_world
from tests.conftest import LiveServer
from tests.fakes.mail import MailReceiver
from tests.fakes.webhooks import WebhookReceiver
from tests.story_helpers import govcode

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "alberta-webhook-secret"


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
            }
        )
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

            govcode(
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

            fork_name = world.ontario_fork()
            govcode(monkeypatch, s, "crawl", "github", demo_world.ALBERTA)

            mail.wait_for(1)
            message = mail.messages[0]
            assert message["To"] == "maintainer@ahs.example"
            assert fork_name in message.get_body(("plain",)).get_content()

            hook.wait_for(1)
            delivery = hook.received[0]
            assert delivery.valid, "the webhook signature must verify with the shared secret"
            assert delivery.json["kind"] == "fork"
            assert delivery.json["repository"]["name"] == demo_world.COVID
            assert delivery.json["reuser"]["name"] == fork_name

            feed = ET.fromstring(client.get(f"/repositories/{repo_id}/feed.atom").content)
            entries = feed.findall(f"{ATOM}entry")
            assert len(entries) == 1
            assert fork_name in entries[0].find(f"{ATOM}title").text

            # Ontario registers too: its publiccode.yml says isBasedOn Alberta's tool.
            govcode(monkeypatch, s, "crawl", "github", demo_world.ONTARIO)
            live.wait_indexed(
                lambda: (
                    client.get("/api/v1/repositories", params={"q": "ontario"}).json()["total"] >= 1
                )
            )
            assert "based on" in client.get(f"/repositories/{repo_id}").text
            mail.wait_for(2)
            assert len(hook.received) >= 2
            assert all(d.valid for d in hook.received)
