"""Ownership proof: is the agency's token where only the owner of a source can put it?

- GitHub organisation or user: a file ``govcode.txt`` in its ``.github`` repository, or a
  repository topic equal to the token (read through the forge API).
- GitLab group: a project topic equal to the token (the group's projects, subgroups too).
- A URL source (git URL, list, code.json): the line in
  ``https://<the agency's website>/.well-known/govcode.txt``, and only when the source's
  host is the website's host or one of its subdomains; a website never vouches for a
  GitHub organisation, which anyone may name after any agency.

Every request passes the URL policy first (``fetch_url``); nothing here touches the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from crawlers.inventories.fetch import fetch_url
from registry.errors import CrawlError
from registry.settings import Settings
from registry.source_kinds import GITHUB, GITLAB

PROOF_FILE = "govcode.txt"
MAX_BYTES = 100_000


@dataclass(frozen=True)
class Proof:
    found: bool
    where: str  # how it was proven, or what was looked at


def _get(settings: Settings, url: str, headers: dict[str, str]) -> bytes:
    with httpx.Client(trust_env=False, timeout=settings.http_timeout, headers=headers) as c:
        return fetch_url(
            url, allow_http_hosts=settings.allow_http_hosts, max_bytes=MAX_BYTES,
            timeout=settings.http_timeout, client=c,
        )  # fmt: skip


def _json(settings: Settings, url: str, headers: dict[str, str]) -> Any:
    try:
        return json.loads(_get(settings, url, headers))
    except CrawlError:
        return None
    except ValueError:
        return None


def _lines(body: bytes) -> set[str]:
    return {line.strip() for line in body.decode("utf-8", "replace").splitlines()}


def _github(settings: Settings, api: str, login: str, token: str) -> Proof:
    headers = {"Accept": "application/vnd.github+json"}
    if settings.github_token:
        headers["Authorization"] = f"Bearer {settings.github_token.get_secret_value()}"
    api = api.rstrip("/")
    owner = quote(login, safe="")
    file = _json(settings, f"{api}/repos/{owner}/.github/contents/{PROOF_FILE}", headers)
    if isinstance(file, dict) and file.get("encoding") == "base64":
        try:
            if token in _lines(base64.b64decode(str(file.get("content", "")))):
                return Proof(True, f"{login}/.github/{PROOF_FILE}")
        except (binascii.Error, ValueError):
            pass
    for kind in ("orgs", "users"):
        repos = _json(settings, f"{api}/{kind}/{owner}/repos?per_page=100", headers)
        if isinstance(repos, list):
            for repo in repos:
                if isinstance(repo, dict) and token in (repo.get("topics") or []):
                    return Proof(True, f"topic of {repo.get('full_name', login)}")
            break
    return Proof(False, f"{login}/.github/{PROOF_FILE} and the topics of {login}'s repositories")


def _gitlab(settings: Settings, instance: str, group: str, token: str) -> Proof:
    headers = {}
    if settings.gitlab_token:
        headers["PRIVATE-TOKEN"] = settings.gitlab_token.get_secret_value()
    url = (f"{instance.rstrip('/')}/api/v4/groups/{quote(group, safe='')}/projects"
           "?include_subgroups=true&per_page=100")  # fmt: skip
    projects = _json(settings, url, headers)
    for project in projects if isinstance(projects, list) else []:
        if isinstance(project, dict) and token in (project.get("topics") or []):
            return Proof(True, f"topic of {project.get('path_with_namespace', group)}")
    return Proof(False, f"the topics of {group}'s projects")


def _same_site(source_url: str, website: str) -> bool:
    source = (urlsplit(source_url).hostname or "").lower()
    site = (urlsplit(website).hostname or "").lower()
    site = site.removeprefix("www.")
    return bool(site) and (source == site or source.endswith("." + site))


def _well_known(settings: Settings, locator: str, website: str | None, token: str) -> Proof:
    if not website or not _same_site(locator, website):
        return Proof(False, "the agency's website (the source is not on its domain)")
    parts = urlsplit(website)
    url = f"{parts.scheme}://{parts.netloc}/.well-known/{PROOF_FILE}"
    try:
        body = _get(settings, url, {})
    except CrawlError:
        return Proof(False, url)
    return Proof(token in _lines(body), url)


def check(
    settings: Settings, *, kind: str, locator: str, api_url: str, token: str, website: str | None
) -> Proof:
    """Look for ``token`` where only the owner of the source could have put it."""
    if kind == GITHUB.name:
        return _github(settings, api_url, locator, token)
    if kind == GITLAB.name:
        return _gitlab(settings, api_url, locator, token)
    return _well_known(settings, locator, website, token)
