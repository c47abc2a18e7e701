"""The ownership checker against real servers: the GitLab stand-in and a website."""

from __future__ import annotations

from crawlers.forges import proof
from localforge.gitlab import FakeGitLab
from tests.fakes.static_http import StaticServer

TOKEN = "govcode-verify-0123456789abcdef0123456789abcdef"


def test_gitlab_project_topic_in_the_group_or_its_subgroups(settings):
    with FakeGitLab() as fake:
        fake.add_project("gov/health", "tool", topics=["covid"])
        fake.add_project("elsewhere", "bait", topics=[TOKEN])  # not the group's
        s = settings.model_copy(update={"allow_http_hosts": [fake.host]})

        def check():  # type: ignore[no-untyped-def]
            return proof.check(s, kind="gitlab", locator="gov", api_url=fake.url, token=TOKEN,
                               website=None)  # fmt: skip

        assert not check().found
        fake.add_project("gov/health/covid", "app", topics=[TOKEN])
        found = check()
        assert found.found and found.where == "topic of gov/health/covid/app"


def test_well_known_file_only_vouches_for_sources_on_the_agency_domain(settings):
    with StaticServer({"/.well-known/govcode.txt": f"# govcode\n{TOKEN}\n".encode()}) as site:
        s = settings.model_copy(update={"allow_http_hosts": [site.host]})
        website = site.url("/")
        on_site = site.url("/code.json")
        ok = proof.check(s, kind="code-json", locator=on_site, api_url="", token=TOKEN,
                         website=website)  # fmt: skip
        assert ok.found and ok.where.endswith("/.well-known/govcode.txt")
        # A list hosted elsewhere, or a GitHub organisation, is not the website's to vouch for.
        elsewhere = proof.check(s, kind="git-list", locator="https://lists.example.org/x.json",
                                api_url="", token=TOKEN, website=website)  # fmt: skip
        assert not elsewhere.found and "not on its domain" in elsewhere.where
        wrong = proof.check(s, kind="code-json", locator=on_site, api_url="",
                            token=TOKEN[:-1] + "0", website=website)  # fmt: skip
        assert not wrong.found
        assert site.requests.count("/.well-known/govcode.txt") == 2
