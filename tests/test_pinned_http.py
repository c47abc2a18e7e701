"""The pinned client: the URL policy in the transport, connections only to the approved
addresses (with the name kept for Host, SNI and the certificate), one deadline per request."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import trustme

from crawlers.inventories.fetch import fetch_url
from registry.errors import CrawlError, UnsafeURLError
from registry.notify import ReuseNotice
from registry.notify.webhooks import HttpxWebhookSender
from registry.pinned_http import pinned_client
from tests.fakes.raw_http import RawServer, Write, ok


class Resolver:
    """A DNS the test controls; each answer is used once, the last one forever after."""

    def __init__(self, **answers: list[list[str]]) -> None:
        self.answers = {name.replace("_", "."): list(a) for name, a in answers.items()}
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        queue = self.answers.get(host, [[]])
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.fixture
def server() -> Iterator[RawServer]:
    with RawServer(ok(b"from 127.0.0.1")) as s:
        yield s


def test_connects_to_the_approved_address_not_a_fresh_lookup(server: RawServer) -> None:
    """``localhost`` resolves to 127.0.0.1 on this machine; the policy approved 127.0.0.2,
    so that is where the request must land (a second resolution would reach the other)."""
    with RawServer(ok(b"from 127.0.0.2"), address="127.0.0.2", port=server.port) as other:
        dns = Resolver(localhost=[["127.0.0.2"], ["127.0.0.1"]])
        allowed = [f"localhost:{server.port}"]
        with pinned_client(allow_http_hosts=allowed, timeout=5, deadline=5, resolve=dns) as c:
            answer = c.get(f"http://localhost:{server.port}/list.json")
        assert answer.text == "from 127.0.0.2"
        assert [s.address for s in other.seen] == ["127.0.0.2"] and server.seen == []
        assert other.seen[0].host_header == f"localhost:{server.port}"
        assert dns.asked == ["localhost"]  # one lookup: the one that was checked


def test_a_name_only_the_policy_knows_is_reached_by_its_approved_address(
    server: RawServer,
) -> None:
    dns = Resolver(inventory_govcode_test=[["127.0.0.1"]])
    url = f"http://inventory.govcode.test:{server.port}/code.json"
    allowed = [f"inventory.govcode.test:{server.port}"]
    assert fetch_url_with(url, allowed, dns) == b"from 127.0.0.1"
    assert server.seen[0].host_header == f"inventory.govcode.test:{server.port}"
    with pytest.raises(CrawlError, match="ConnectError"):  # an ordinary client cannot
        fetch_url(url, allow_http_hosts=allowed, client=httpx.Client(trust_env=False))


def fetch_url_with(url: str, allowed: list[str], dns: Resolver) -> bytes:
    with pinned_client(allow_http_hosts=allowed, timeout=5, deadline=5, resolve=dns) as client:
        return fetch_url(url, allow_http_hosts=allowed, client=client)


def test_refused_answers_never_connect(server: RawServer) -> None:
    dns = Resolver(code_gov_example=[["10.0.0.7"]], rebind_example=[["8.8.8.8", "127.0.0.1"]])
    with pinned_client(timeout=5, deadline=5, resolve=dns) as client:
        for host in ("code.gov.example", "rebind.example"):
            with pytest.raises(UnsafeURLError, match="resolves to"):
                client.get(f"https://{host}:{server.port}/")
        with pytest.raises(UnsafeURLError, match="plain http"):
            client.get(f"http://127.0.0.1:{server.port}/")
    assert server.seen == []


def test_the_name_is_normalised_once_and_that_name_is_sent(server: RawServer) -> None:
    """ß is kept by IDNA 2008 (xn--strae-oqa); IDNA 2003 would have asked for 'strasse'."""
    dns = Resolver(**{"xn--strae-oqa_govcode_test": [["127.0.0.1"]]})
    allowed = [f"straße.govcode.test:{server.port}"]  # written as a person would
    assert fetch_url_with(f"http://STRAßE.govcode.test:{server.port}/", allowed, dns) == (
        b"from 127.0.0.1"
    )
    assert dns.asked == ["xn--strae-oqa.govcode.test"]
    assert server.seen[0].host_header == f"xn--strae-oqa.govcode.test:{server.port}"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _tls_server(ca: trustme.CA, name: str) -> RawServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return RawServer(ok(b"over tls"), tls=context)


def test_tls_keeps_the_name_for_sni_and_the_certificate(ca: trustme.CA) -> None:
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    dns = Resolver(hooks_govcode_test=[["127.0.0.1"]])
    with _tls_server(ca, "hooks.govcode.test") as tls:
        allowed = [f"hooks.govcode.test:{tls.port}"]
        with pinned_client(
            allow_http_hosts=allowed, timeout=5, deadline=5, resolve=dns, verify=trust
        ) as client:
            assert client.get(f"https://hooks.govcode.test:{tls.port}/").text == "over tls"
    with _tls_server(ca, "other.govcode.test") as wrong:
        allowed = [f"hooks.govcode.test:{wrong.port}"]
        with (
            pinned_client(
                allow_http_hosts=allowed, timeout=5, deadline=5, resolve=dns, verify=trust
            ) as client,
            pytest.raises(httpx.ConnectError, match=r"certificate|hostname"),
        ):
            client.get(f"https://hooks.govcode.test:{wrong.port}/")


def _trickle_headers(write: Write) -> None:
    write(b"HTTP/1.1 200 OK\r\n")
    for i in range(40):  # one header line every 0.2 s: each read is quick, the whole is not
        time.sleep(0.2)
        write(b"X-Slow-%d: 1\r\n" % i)


def _trickle_body(write: Write) -> None:
    write(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n")
    for _ in range(40):
        time.sleep(0.2)
        write(b"x")


@pytest.mark.parametrize("answer", [_trickle_headers, _trickle_body])
def test_a_slow_server_cannot_hold_a_request_past_its_deadline(answer) -> None:
    with RawServer(answer) as slow:
        started = time.monotonic()
        with pytest.raises(CrawlError, match="Timeout"):
            fetch_url(
                f"http://127.0.0.1:{slow.port}/list.json",
                allow_http_hosts=[f"127.0.0.1:{slow.port}"],
                timeout=1.0,
                deadline=1.5,
            )
        assert time.monotonic() - started < 3.0  # the per-read timeout alone: 8 s


def test_webhooks_from_settings_go_through_the_pinned_client(server: RawServer) -> None:
    notice = ReuseNotice(
        event_id=1,
        kind="fork",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        repository_name="ahs/covid",
        repository_url="http://x/repositories/1",
        repository_html_url="https://github.example/ahs/covid",
        reuser_name="ods/covid",
        reuser_url="https://github.example/ods/covid",
        reuser_agency=None,
        summary="Forked",
    )
    with HttpxWebhookSender(timeout=5, allow_http_hosts=[]) as sender:
        refused = sender.send(f"http://127.0.0.1:{server.port}/", "s", notice, delivery_id="1")
    assert not refused.ok and "URL policy" in (refused.error or "") and server.seen == []
    with HttpxWebhookSender(timeout=5, allow_http_hosts=[f"127.0.0.1:{server.port}"]) as sender:
        sent = sender.send(f"http://127.0.0.1:{server.port}/", "s", notice, delivery_id="1")
    assert sent.ok and server.seen[0].head.startswith("POST / HTTP/1.1")
