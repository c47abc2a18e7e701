"""A repository as the search engines index it (engine-neutral), and how it is ranked.

``to_document`` turns a ``services.index_feed`` row into text per language, facet values, sort
keys and the ranking multiplier; the weights are in ``data/ranking.toml`` (documented there).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

from registry.analysis.licence import licence_info
from registry.analysis.licence_ids import licence_keys
from registry.search.text import DEFAULT_LANGUAGE, guess_language, language_of
from registry.source_kinds import GIT

RANKING_FILE = Path(__file__).with_name("data") / "ranking.toml"
README_CHARS = 20_000  # enough to find a repository by its README; the rest is not indexed
SPELL_README_CHARS = 1_000  # of the README, into the vocabulary (spelling, suggestions, similar)


@dataclass(frozen=True)
class Ranking:
    live: float
    reuse: float
    recent: float
    recent_days: float
    max_multiplier: float
    maturity: dict[str, float]
    obsolete_levels: frozenset[str]
    obsolete_patterns: tuple[re.Pattern[str], ...]


@cache
def ranking(path: Path = RANKING_FILE) -> Ranking:
    data = tomllib.loads(path.read_text())
    return Ranking(
        live=float(data["live"]),
        reuse=float(data["reuse"]),
        recent=float(data["recent"]),
        recent_days=float(data["recent_days"]),
        max_multiplier=float(data["max_multiplier"]),
        maturity={k: float(v) for k, v in data["maturity"].items()},
        obsolete_levels=frozenset(data["obsolete"]["levels"]),
        obsolete_patterns=tuple(re.compile(p, re.I) for p in data["obsolete"]["patterns"]),
    )


def is_obsolete(row: dict, rules: Ranking | None = None) -> bool:
    rules = rules or ranking()
    levels = {row.get("maturity") or "", (row.get("development_status") or "").lower()}
    if levels & rules.obsolete_levels:
        return True
    said = " ".join(filter(None, [row.get("description"), row.get("last_commit_message")]))
    return any(p.search(said) for p in rules.obsolete_patterns)


def multiplier(row: dict, *, now: datetime, rules: Ranking | None = None) -> float:
    """The ranking multiplier (≥ 1); exactly 1 for archived or obsolete code."""
    rules = rules or ranking()
    if row.get("archived") or is_obsolete(row, rules):
        return 1.0
    m = 1.0 + rules.live + rules.maturity.get(row.get("maturity") or "", 0.0)
    m += rules.reuse * math.log2(1 + max(0, int(row.get("reused") or 0)))
    updated = row.get("updated")
    if updated is not None:
        age = (now - _utc(updated)).total_seconds() / 86400
        m += rules.recent * max(0.0, 1 - max(0.0, age) / rules.recent_days)
    return min(m, rules.max_multiplier)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


@lru_cache(maxsize=4096)
def _licence_classes(expression: str | None) -> tuple[str, ...]:
    classes: list[str] = []
    for key in licence_keys(expression) if expression else ():
        info = licence_info(key)
        if info is not None and info.licence_class not in classes:
            classes.append(info.licence_class)
    return tuple(classes) or ("unknown",)


def _texts(row: dict) -> dict[str, list[str]]:
    """Description and README text per language: tagged publiccode.yml descriptions go to
    their language; untagged text to the language it reads as."""
    out: dict[str, list[str]] = {}
    for tag, text in (row.get("descriptions") or {}).items():
        lang = language_of(tag)
        if text:
            out.setdefault(lang or guess_language(text), []).append(text)
    plain = " ".join(filter(None, [row.get("description")]))
    readme = (row.get("readme") or "")[:README_CHARS]
    if plain:
        out.setdefault(guess_language(plain), []).append(plain)
    if readme:
        out.setdefault(guess_language(readme), []).append(readme)
    return out or {DEFAULT_LANGUAGE: []}


def to_document(row: dict, *, now: datetime | None = None) -> dict:
    """The engine-neutral search document of one ``index_feed.documents`` row."""
    now = now or datetime.now(UTC)
    updated = row.get("updated")
    obsolete = bool(row.get("archived")) or is_obsolete(row)
    flag = {True: "yes", False: "no"}
    return {
        "id": int(row["id"]),
        "name": f"{row['name']} {row.get('full_name') or ''}",
        "topics_text": " ".join(row.get("topics") or []),
        "vocabulary": " ".join(
            filter(None, [row.get("description"), (row.get("readme") or "")[:SPELL_README_CHARS]])
        ),
        "texts": {lang: "\n".join(parts) for lang, parts in _texts(row).items()},
        "facets": {
            "licence": [row.get("licence") or "none"],
            "languages": list(row.get("languages") or []),
            "maturity": [row.get("maturity") or "development"],
            "agency": [row["agency"]],
            "country": [row.get("country") or ""],
            "topics": [t.lower() for t in row.get("topics") or []],
            "licence_class": list(_licence_classes(row.get("licence"))),
            "forge": [row.get("forge") or GIT.name],
            "archived": [flag[obsolete]],
            "fork": [flag[bool(row.get("is_fork"))]],
            "reused": [flag[int(row.get("reused") or 0) > 0]],
        },
        "stars": int(row.get("stars") or 0),
        "updated": int(_utc(updated).timestamp()) if updated else 0,
        "boost": multiplier(row, now=now),
    }
