"""The URL policy: refused before any request, judged on resolved addresses."""

from __future__ import annotations

import pytest

from registry.errors import UnsafeURLError
from registry.settings import Settings
from registry.urlpolicy import (
    check_git_ref,
    check_git_url,
    check_url,
    inspect_url,
    link_url,
    normalise_host,
)

# A stand-in DNS: names the tests control, so rebinding-style answers can be tried offline.
DNS = {
    "code.gov.example": ["192.0.32.10"],  # a public address
    "dual.gov.example": ["192.0.32.10", "2001:4860:4860::8888"],
    "rebind.example": ["192.0.32.10", "10.0.0.7"],  # one bad answer among good ones
    "metadata.example": ["169.254.169.254"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "nat64.example": ["64:ff9b::a00:1"],  # 10.0.0.1 through NAT64
    "sixtofour.example": ["2002:c0a8:0101::1"],  # 192.168.1.1 through 6to4
    "ula.example": ["fd00::1"],
    "multicast.example": ["224.0.0.1"],
    "cgnat.example": ["100.64.0.1"],
    "nowhere.example": [],
}
lookups: list[str] = []


def fake_resolve(host: str, port: int) -> list[str]:
    lookups.append(host)
    return DNS.get(host, [])


@pytest.mark.parametrize(
    "url",
    [
        "https://code.gov.example/org/repo.git",
        "https://dual.gov.example:8443/x",
        "https://CODE.gov.example/a",
    ],
)
def test_public_https_passes_unchanged(url: str) -> None:
    assert check_url(url, resolve=fake_resolve) == url
    assert check_git_url(url, resolve=fake_resolve) == url


def test_a_dot_ended_host_is_given_back_as_it_was_checked() -> None:
    assert check_url("https://CODE.gov.example./a", resolve=fake_resolve) == (
        "https://code.gov.example/a"
    )


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("rebind.example", "10.0.0.7"),
        ("metadata.example", "169.254.169.254"),
        ("mapped.example", "::ffff:127.0.0.1"),
        ("nat64.example", "64:ff9b::a00:1"),
        ("sixtofour.example", "2002:c0a8:101::1"),
        ("ula.example", "fd00::1"),
        ("multicast.example", "224.0.0.1"),
        ("cgnat.example", "100.64.0.1"),
    ],
)
def test_every_resolved_address_must_be_public(host: str, address: str) -> None:
    with pytest.raises(UnsafeURLError, match="resolves to"):
        check_url(f"https://{host}/repo", resolve=fake_resolve)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://localhost/",
        "https://2130706433/",  # decimal
        "https://0x7f.0.0.1/",  # hex
        "https://0177.0.0.1/",  # octal
        "https://127.1/",  # short form
        "https://0/",  # unspecified
        "https://[::1]/",
        "https://[::ffff:7f00:1]/",
        "https://[::]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://192.168.0.1/",
        "https://[fe80::1]/",
    ],
)
def test_ip_tricks_are_resolved_then_refused(url: str) -> None:
    """The real resolver does the numeric parsing, exactly as git and curl would."""
    with pytest.raises(UnsafeURLError):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://code.gov.example/x", "plain http"),
        ("file:///etc/passwd", "only https"),
        ("ftp://code.gov.example/x", "only https"),
        ("ssh://git@code.gov.example/x.git", "only https"),
        ("https://user:pw@code.gov.example/x", "user names or passwords"),
        ("https://token@code.gov.example/x", "user names or passwords"),
        ("-uhttps://code.gov.example/x", "option"),
        ("https://code.gov.example/x y", "whitespace"),
        ("https://code.gov.example/x\n", "whitespace"),
        ("https://code.gov.example/\x00", "control"),
        ("https://code.gov.example:99999/", "cannot be parsed"),
        ("https:///no-host", "no host"),
        ("https://nowhere.example/x", "does not resolve"),
        ("https://[fe80::1%25eth0]/", "zone"),
        ("https://%31%32%37.0.0.1/", "percent"),
        ("https://code.gov.example\\.evil.example/", "backslash"),
        ("", "only https"),
    ],
)
def test_refusals_say_why(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError, match=reason):
        check_url(url, resolve=fake_resolve)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ext::sh -c touch% /tmp/pwned", "whitespace"),
        ("ext::sh", "transport helpers"),
        ("fd::17", "transport helpers"),
        ("FD::17/foo", "transport helpers"),
        ("https::code.gov.example/x", "transport helpers"),
        ("code.gov.example:org/repo.git", "scp-like"),
        ("git@code.gov.example:org/repo.git", "scp-like"),
        ("../other-repo", "scp-like"),
        ("file:///srv/git/repo.git", "only https"),
        ("git://code.gov.example/repo.git", "only https"),
        ("--upload-pack=/tmp/evil", "option"),
    ],
)
def test_git_spellings_of_other_transports_are_refused(url: str, reason: str) -> None:
    lookups.clear()
    with pytest.raises(UnsafeURLError, match=reason):
        check_git_url(url, resolve=fake_resolve)
    assert lookups == []  # refused before even a DNS lookup


def test_allow_list_is_the_only_way_to_http_and_loopback() -> None:
    url = "http://127.0.0.1:8765/repo.git"
    with pytest.raises(UnsafeURLError):
        check_git_url(url)
    with pytest.raises(UnsafeURLError):  # the port must match when the entry names one
        check_git_url(url, allow_http_hosts=["127.0.0.1:9999"])
    settings = Settings(allow_http_hosts=["127.0.0.1:8765"])
    assert check_git_url(url, allow_http_hosts=settings.allow_http_hosts) == url
    assert check_url(url, allow_http_hosts=["127.0.0.1"]) == url  # a bare host: any port
    assert check_url("https://localhost/x", allow_http_hosts=["LOCALHOST:443"])
    # Allow-listing never lets credentials or option-looking URLs through.
    with pytest.raises(UnsafeURLError):
        check_url("http://u:p@127.0.0.1:8765/", allow_http_hosts=["127.0.0.1:8765"])


def test_inspect_reports_the_addresses_to_pin() -> None:
    checked = inspect_url("https://dual.gov.example/x", resolve=fake_resolve)
    assert (checked.host, checked.port) == ("dual.gov.example", 443)
    assert checked.addresses == ("192.0.32.10", "2001:4860:4860::8888")
    assert inspect_url(
        "https://bücher.example/", resolve=lambda h, p: [h and "192.0.32.10"]
    ).host == ("xn--bcher-kva.example")


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-n", "", "main\n", "a b"])
def test_option_looking_refs_are_refused(ref: str) -> None:
    with pytest.raises(UnsafeURLError):
        check_git_ref(ref)
    assert check_git_ref("release/1.0") == "release/1.0"


def test_a_host_is_normalised_once_with_idna_2008() -> None:
    """IDNA 2003 maps ß to 'ss' (another host); UTS #46 / IDNA 2008 keeps it."""
    lookups.clear()
    resolve = lambda h, p: [lookups.append(h) or "192.0.32.10"]  # noqa: E731
    checked = inspect_url("https://Straße.example:8443/a?b#c", resolve=resolve)
    assert checked.host == "xn--strae-oqa.example" and lookups == ["xn--strae-oqa.example"]
    assert checked.url == "https://xn--strae-oqa.example:8443/a?b#c"  # the name that was checked
    assert check_url("https://STRASSE.example/", resolve=resolve) == "https://STRASSE.example/"
    assert inspect_url("https://STRASSE.example/", resolve=resolve).host == "strasse.example"
    assert normalise_host("Ⅸ.example") == "ix.example"
    assert normalise_host("[::FFFF:7F00:1]") == "::ffff:7f00:1"
    assert normalise_host("a_b.example.") == "a_b.example"  # DNS allows it; kept as written


@pytest.mark.parametrize("host", ["xn--zz.example", "ex\u200d.example", "a..b\u00df.example"])
def test_names_idna_2008_refuses_are_refused(host: str) -> None:
    with pytest.raises(UnsafeURLError, match="not a valid domain name"):
        check_url(f"https://{host}/", resolve=fake_resolve)


def test_allow_list_entries_are_normalised_like_urls() -> None:
    checked = inspect_url("http://straße.test:8080/", allow_http_hosts=["STRAẞE.test:8080"],
                          resolve=lambda h, p: ["127.0.0.1"])  # fmt: skip
    assert checked.allow_listed and checked.addresses == ("127.0.0.1",)
    assert check_url("http://[::1]:9000/", allow_http_hosts=["[::1]:9000"])
    with pytest.raises(UnsafeURLError, match="plain http"):  # strasse is another host
        check_url("http://straße.test:8080/", allow_http_hosts=["strasse.test:8080"],
                  resolve=lambda h, p: ["127.0.0.1"])  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative/path",
        "https://",
        "https://host.example:99999/",
        "https://host.example/" + "a" * 3000,
        "",
        None,
    ],
)
def test_only_http_urls_become_links(url: str | None) -> None:
    assert link_url(url) is None


@pytest.mark.parametrize(
    "url", ["https://ahs.example/tool", "HTTP://127.0.0.1:8000/x?y=1#z", "https://[::1]/"]
)
def test_http_urls_are_links_as_written(url: str) -> None:
    assert link_url(url) == url
