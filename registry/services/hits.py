"""A page of search hits as plain values, in one SQL query: each repository's columns, its
agency, its languages, its origins (the edges saying it is a fork of, or based on,
another repository) and the inventories' texts of it, which is most of a search request's
work."""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from registry.models import Agency, InventoryText, Repository, RepositoryLanguage, ReuseEdge
from registry.services import inventory_texts
from registry.services.catalogue import ORIGIN_KINDS

# The columns a search hit shows (the public record, and what its archived/obsolete badge
# reads); never the large texts or the analysis details.
HIT_COLUMNS = (
    "id", "forge", "owner", "name", "full_name", "html_url", "url_key", "clone_url", "fork_url",
    "description", "homepage", "default_branch", "stars", "forks_count", "open_issues",
    "releases", "archived", "is_fork", "is_template", "is_mirror", "parent_url", "licence",
    "licence_status", "licence_label", "primary_language", "maturity_level", "maturity_score",
    "development_status", "topics", "readme_excerpt", "licence_mismatches", "last_commit_at",
    "last_crawled_at",
)  # fmt: skip
_WIDTH = len(HIT_COLUMNS) + 5  # and the five below: message, descriptions, agency's three
_LANGUAGE = slice(_WIDTH, _WIDTH + 3)  # language, bytes, share
_ORIGIN = slice(_WIDTH + 3, _WIDTH + 8)  # edge id, kind, target url, target id, its name
_TEXT = slice(_WIDTH + 8, _WIDTH + 12)  # inventory text id, inventory, names, descriptions


def hit_rows(session: Session, ids: list[int]) -> list[dict]:
    """Search hits in the order given: the ``HIT_COLUMNS`` of each repository,
    ``last_commit_message``, ``publiccode_descriptions`` (publiccode.yml's texts by language,
    or None), ``agency_slug``, ``agency_name``, ``agency_names``, ``languages``
    (``(language, bytes, share)``, largest first) and ``origins`` (``(kind, target_url,
    target_repository_id, target_full_name)``, forks first, then by URL), in one SQL query of
    only those columns (no ORM objects), with ``inventory_texts`` (the inventories' names
    and descriptions of it, as ``inventory_texts.of_keys`` gives them)."""
    if not ids:
        return []
    rows = session.connection().execute(_hits_query(), {"ids": list(ids)}).all()
    found: dict[int, dict] = {}
    seen: dict[int, tuple[set, set, set]] = {}  # languages × origins × texts: a row each
    for row in rows:
        entry = found.get(row[0])
        if entry is None:
            entry = found[row[0]] = dict(zip(row._fields[:_WIDTH], row[:_WIDTH], strict=True))
            entry["languages"], entry["origins"], entry["inventory_texts"] = [], [], []
            seen[row[0]] = (set(), set(), set())
        languages, origins, texts = seen[row[0]]
        language, edge, text = row[_LANGUAGE], row[_ORIGIN], row[_TEXT]
        if language[0] is not None and language[0] not in languages:
            languages.add(language[0])
            entry["languages"].append(tuple(language))
        if edge[0] is not None and edge[0] not in origins:
            origins.add(edge[0])
            entry["origins"].append(tuple(edge[1:]))
        if text[0] is not None and text[0] not in texts:
            texts.add(text[0])
            if (described := inventory_texts.described(*text[1:])) is not None:
                entry["inventory_texts"].append(described)
    for entry in found.values():
        entry["languages"].sort(key=lambda lang: -lang[1])
        entry["origins"].sort(key=lambda o: (ORIGIN_KINDS.index(o[0]), o[1]))
        inventory_texts.in_order(entry["inventory_texts"])
    return [found[i] for i in ids if i in found]


@cache
def _hits_query():
    """Built once: the statement of ``hit_rows``, its ids a bound list."""
    columns = [getattr(Repository, c) for c in HIT_COLUMNS]
    message = Repository.extra_metadata["last_commit_message"].as_string()  # type: ignore[index]
    described = Repository.publiccode["descriptions"].as_json()  # type: ignore[index]
    target = aliased(Repository)
    origin = and_(
        ReuseEdge.reuser_repository_id == Repository.id,
        ReuseEdge.kind.in_(ORIGIN_KINDS),  # type: ignore[attr-defined]
        ReuseEdge.direction == "known",
    )
    return (
        select(  # type: ignore[call-overload]
            *columns,
            message.label("last_commit_message"),
            described.label("publiccode_descriptions"),
            Agency.slug.label("agency_slug"),  # type: ignore[attr-defined]
            Agency.name.label("agency_name"),  # type: ignore[attr-defined]
            Agency.names.label("agency_names"),  # type: ignore[attr-defined]
            RepositoryLanguage.language,
            RepositoryLanguage.bytes,
            RepositoryLanguage.share,
            ReuseEdge.id.label("edge_id"),  # type: ignore[union-attr]
            ReuseEdge.kind,
            ReuseEdge.target_url,
            ReuseEdge.target_repository_id,
            target.full_name.label("target_full_name"),
            InventoryText.id.label("text_id"),  # type: ignore[union-attr]
            InventoryText.inventory,
            InventoryText.names,
            InventoryText.descriptions,
        )
        .join(Agency, Agency.id == Repository.agency_id)  # type: ignore[arg-type]
        .outerjoin(RepositoryLanguage, RepositoryLanguage.repository_id == Repository.id)  # type: ignore[arg-type]
        .outerjoin(ReuseEdge, origin)
        .outerjoin(target, target.id == ReuseEdge.target_repository_id)
        .outerjoin(InventoryText, InventoryText.url_key == Repository.url_key)  # type: ignore[arg-type]
        .where(Repository.id.in_(bindparam("ids", expanding=True)))  # type: ignore[union-attr]
    )
