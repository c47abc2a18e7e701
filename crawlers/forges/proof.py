"""Ownership proof: is the agency's token where only the owner of a source can put it?

Where that is depends on the kind of source, so each forge class answers it in its own
module, as the ``prove`` capability of ``crawlers.base.Forge``:

- GitHub organisation or user (``forges.github``): a file ``govcode.txt`` in its ``.github``
  repository, or a repository topic equal to the token (read through the forge API).
- GitLab group (``forges.gitlab``): a project topic equal to the token (subgroups too).
- A URL source (git URL, list, code.json; ``ForgeBase``): the line in
  ``https://<the agency's website>/.well-known/govcode.txt`` (``well_known`` here), and only
  when the source's host is the website's host or one of its subdomains; a website never
  vouches for a GitHub organisation, which anyone may name after any agency.

This module holds what they share. Every request passes the URL policy first
(``fetch_url``); nothing here touches the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawlers.forges import forge_class
from crawlers.inventories.fetch import fetch_url
from registry.errors import CrawlError
from registry.settings import Settings
from registry.source_kinds import source_kind

PROOF_FILE = "govcode.txt"
MAX_BYTES = 100_000


@dataclass(frozen=True)
class Proof:
    found: bool
    where: str  # how it was proven, or what was looked at


def get(settings: Settings, url: str, headers: dict[str, str]) -> bytes:
    with httpx.Client(trust_env=False, timeout=settings.http_timeout, headers=headers) as c:
        return fetch_url(
            url, allow_http_hosts=settings.allow_http_hosts, max_bytes=MAX_BYTES,
            timeout=settings.http_timeout, client=c,
        )  # fmt: skip


def get_json(settings: Settings, url: str, headers: dict[str, str]) -> Any:
    try:
        return json.loads(get(settings, url, headers))
    except CrawlError:
        return None
    except ValueError:
        return None


def lines(body: bytes) -> set[str]:
    return {line.strip() for line in body.decode("utf-8", "replace").splitlines()}


def _same_site(source_url: str, website: str) -> bool:
    source = (urlsplit(source_url).hostname or "").lower()
    site = (urlsplit(website).hostname or "").lower()
    site = site.removeprefix("www.")
    return bool(site) and (source == site or source.endswith("." + site))


def well_known(settings: Settings, locator: str, website: str | None, token: str) -> Proof:
    if not website or not _same_site(locator, website):
        return Proof(False, "the agency's website (the source is not on its domain)")
    parts = urlsplit(website)
    url = f"{parts.scheme}://{parts.netloc}/.well-known/{PROOF_FILE}"
    try:
        body = get(settings, url, {})
    except CrawlError:
        return Proof(False, url)
    return Proof(token in lines(body), url)


def check(
    settings: Settings, *, kind: str, locator: str, api_url: str, token: str, website: str | None
) -> Proof:
    """Look for ``token`` where only the owner of the source could have put it: each kind's
    forge class knows where that is (``crawlers.base.Forge.prove``)."""
    cls = forge_class(source_kind(kind))
    return cls.prove(settings, locator=locator, api_url=api_url, token=token, website=website)
