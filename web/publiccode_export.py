"""A publiccode.yml for a repository that has none, written from what govcode inferred.

``facts_of`` gathers what the registry knows (the repository, its agency, languages,
published packages); ``publiccode_document`` turns it into a publiccode.yml (standard
version "0") that passes govcode's own validation, which follows the reference parser's
rules. Where govcode cannot know a required value (no licence was found) the field is
left out and the validation says so: a guess would be worse than a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import regex
import yaml
from sqlmodel import Session

from registry.analysis.metadata import publiccode_checks as checks
from registry.analysis.metadata.publiccode import parse_publiccode
from registry.analysis.metadata.publiccode_rules import DEVELOPMENT_STATUSES
from registry.errors import NotFound
from registry.models import Agency
from registry.search.text import guess_language
from registry.services import repositories

SHORT_MAX, LONG_MIN, LONG_MAX = 150, 150, 10_000
FEATURES_MAX = 10
WEB = {"JavaScript", "TypeScript", "HTML", "CSS", "SCSS", "Vue", "Svelte", "PHP", "Ruby",
       "Elixir", "Twig", "Blade", "Liquid"}  # fmt: skip
PLATFORMS = {
    "Swift": "ios", "Objective-C": "ios", "Kotlin": "android", "Dart": "android",
    "C#": "windows", "PowerShell": "windows", "Shell": "linux", "Go": "linux", "C": "linux",
    "C++": "linux", "Rust": "linux", "Python": "linux", "Java": "linux",
}  # fmt: skip
CONFIGURATION = {"YAML", "HCL", "Dockerfile", "Nix", "Jsonnet", "Smarty", "Makefile", "JSON"}


@dataclass(frozen=True)
class PubliccodeFacts:
    """What govcode knows of a repository, as plain values."""

    name: str
    url: str
    description: str = ""
    readme_excerpt: str = ""
    homepage: str = ""
    licence: str | None = None
    maturity_level: str = "development"
    archived: bool = False
    is_fork: bool = False
    parent_url: str | None = None
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # by bytes, largest first
    publishes_packages: bool = False
    agency_name: str = ""
    agency_country: str | None = None
    agency_homepage: str | None = None
    contact_email: str | None = None
    last_commit_at: datetime | None = None
    head_commit: str = ""
    language: str = "en"  # of the description and README, as guessed from their words


def clip(text: str, most: int) -> str:
    """``text`` cut to at most ``most`` grapheme clusters, at a word where one is near."""
    clusters = regex.findall(r"\X", text)
    if len(clusters) <= most:
        return text
    cut = "".join(clusters[: most - 1])
    space = cut.rfind(" ")
    return (cut[:space] if space > most // 2 else cut).rstrip() + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _platforms(facts: PubliccodeFacts) -> list[str]:
    found = {"web" if lang in WEB else PLATFORMS.get(lang, "") for lang in facts.languages}
    found.discard("")
    return sorted(found) or ["web"]


def software_type(facts: PubliccodeFacts) -> str:
    """A library when it publishes a package; configuration when it holds nothing but
    configuration languages; an app for its platform otherwise."""
    if facts.publishes_packages or "library" in {t.lower() for t in facts.topics}:
        return "library"
    if facts.languages and set(facts.languages) <= CONFIGURATION:
        return "configurationFiles"
    platforms = _platforms(facts)
    if "web" in platforms:
        return "standalone/web"
    if {"ios", "android"} & set(platforms):
        return "standalone/mobile"
    if "windows" in platforms:
        return "standalone/desktop"
    return "standalone/other"


def development_status(facts: PubliccodeFacts) -> str:
    if facts.archived:
        return "obsolete"
    return facts.maturity_level if facts.maturity_level in DEVELOPMENT_STATUSES else "development"


def descriptions(facts: PubliccodeFacts) -> dict[str, object]:
    short = _one_line(facts.description) or facts.name
    about = [
        _one_line(facts.description),
        _one_line(facts.readme_excerpt),
    ]
    long = "\n\n".join(dict.fromkeys(p for p in about if p))  # each once, in order
    facts_text = _facts_sentence(facts)
    if checks.graphemes(long) < LONG_MIN:
        long = f"{long}\n\n{facts_text}".strip()
    features = [_one_line(t) for t in facts.topics if _one_line(t)][:FEATURES_MAX]
    return {
        "shortDescription": clip(short, SHORT_MAX),
        "longDescription": clip(long, LONG_MAX),
        "features": features or [clip(short, 100)],
    }


def _facts_sentence(facts: PubliccodeFacts) -> str:
    """What govcode saw, in words: always longer than the standard's 150-character floor."""
    who = facts.agency_name or "a public body"
    parts = [f"{facts.name} is source code published by {who} at {facts.url}."]
    if facts.languages:
        parts.append(f"It is written mostly in {', '.join(facts.languages[:3])}.")
    parts.append(
        f"govcode reads its development status as {development_status(facts)} and its "
        f"licence as {facts.licence or 'not stated'}; this description was written from "
        "what govcode inferred, for the publisher to review."
    )
    return " ".join(parts)


def publiccode_document(facts: PubliccodeFacts) -> dict[str, object]:
    doc: dict[str, object] = {
        "publiccodeYmlVersion": "0",
        "name": clip(_one_line(facts.name) or "unnamed", 200),
        "url": facts.url,
    }
    if checks.is_http_url(facts.homepage or ""):
        doc["landingURL"] = facts.homepage
    if facts.is_fork and facts.parent_url and checks.is_url(facts.parent_url):
        doc["isBasedOn"] = [facts.parent_url]
    if facts.last_commit_at is not None:  # the crawled head: the version described here
        doc["releaseDate"] = facts.last_commit_at.date().isoformat()
    if facts.agency_name and facts.agency_homepage and checks.is_uri(facts.agency_homepage):
        doc["organisation"] = {"name": facts.agency_name, "uri": facts.agency_homepage}
    doc["platforms"] = _platforms(facts)
    doc["developmentStatus"] = development_status(facts)
    doc["softwareType"] = software_type(facts)
    if facts.agency_country and checks.is_country(facts.agency_country.upper()):
        doc["intendedAudience"] = {"countries": [facts.agency_country.upper()]}
    doc["description"] = {facts.language: descriptions(facts)}
    legal: dict[str, str] = {}
    if facts.licence and checks.spdx_expression_problem(facts.licence) is None:
        legal["license"] = facts.licence
    if facts.agency_name:
        legal["mainCopyrightOwner"] = facts.agency_name
        legal["repoOwner"] = facts.agency_name
    doc["legal"] = legal
    doc["maintenance"] = maintenance(facts)
    # The interface's languages are unknown; the description's is the one govcode saw.
    doc["localisation"] = {"localisationReady": False, "availableLanguages": [facts.language]}
    return doc


def maintenance(facts: PubliccodeFacts) -> dict[str, object]:
    """None for archived or obsolete code; else the agency maintains it internally, with
    its contact address when govcode has one (a contact's e-mail is optional)."""
    if facts.archived or facts.maturity_level == "obsolete":
        return {"type": "none"}
    contact: dict[str, str] = {"name": facts.agency_name or "the publisher"}
    if facts.contact_email and checks.is_email(facts.contact_email):
        contact["email"] = facts.contact_email
    return {"type": "internal", "contacts": [contact]}


def header(facts: PubliccodeFacts, doc: dict[str, object], *, generated_at: datetime) -> str:
    where = f" at commit {_one_line(facts.head_commit)}" if facts.head_commit else ""
    lines = [
        f"publiccode.yml for {_one_line(facts.url)}{where}",
        f"Generated by govcode on {generated_at.date().isoformat()} from what it inferred;",
        "review it, then commit it to the repository's root.",
    ]
    if "license" not in doc["legal"]:  # type: ignore[operator]
        lines.append("govcode found no licence: add legal.license (an SPDX expression).")
    return "".join(f"# {line}\n" for line in lines)


def publiccode_yaml(facts: PubliccodeFacts, *, generated_at: datetime) -> str:
    doc = publiccode_document(facts)
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header(facts, doc, generated_at=generated_at) + body


class _Dumper(yaml.SafeDumper):
    """Safe YAML with long texts as literal blocks, as people write publiccode.yml."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def problems(text: str) -> list[str]:
    """The errors govcode's own publiccode.yml validation finds in ``text``."""
    parsed = parse_publiccode(text.encode())
    return [f"{p.key}: {p.message}" if p.key else p.message for p in parsed.errors]


def facts_of(repo, agency, languages: list[str], *, publishes_packages: bool) -> PubliccodeFacts:  # type: ignore[no-untyped-def]
    """The facts of a stored repository (``repo`` and ``agency`` rows, bounded or not)."""
    return PubliccodeFacts(
        name=repo.name,
        url=repo.html_url,
        description=repo.description or "",
        readme_excerpt=repo.readme_excerpt or "",
        homepage=repo.homepage or "",
        licence=repo.licence or None,
        maturity_level=repo.maturity_level,
        archived=repo.archived,
        is_fork=repo.is_fork,
        parent_url=repo.parent_url,
        topics=tuple(repo.topics),
        languages=tuple(languages),
        publishes_packages=publishes_packages,
        agency_name=agency.name,
        agency_country=agency.country,
        agency_homepage=agency.homepage,
        contact_email=agency.contact_email,
        last_commit_at=repo.last_commit_at,
        head_commit=repo.head_commit,
        language=guess_language(f"{repo.description or ''} {repo.readme_excerpt or ''}"),
    )


def for_repository(session: Session, repo_id: int, *, now: datetime) -> str:
    """The generated publiccode.yml of a stored repository; NotFound when there is no such
    repository or it has a publiccode.yml of its own (the publisher's file wins)."""
    repo = repositories.get(session, repo_id)
    if repo.publiccode:
        raise NotFound(f"{repo.full_name} has its own publiccode.yml")
    agency = session.get(Agency, repo.agency_id)
    assert agency is not None
    langs = [lang.language for lang in repositories.languages(session, repo_id)]
    published = repositories.publishes_packages(session, repo_id)
    return publiccode_yaml(
        facts_of(repo, agency, langs, publishes_packages=published), generated_at=now
    )
