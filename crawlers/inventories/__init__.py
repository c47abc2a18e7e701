"""Inventory importers: lists of agencies and of places to crawl, turned into records.

Each reader is a pure function of bytes: no network, no database. It returns records keyed
for idempotent import, or raises ``InventoryError`` (a ``MetadataError``, a
``GovcodeError``) with a clear message; never another exception.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from crawlers.inventories.codejson import agency_key, parse_code_gov_agencies, parse_code_json_index
from crawlers.inventories.entries import (
    AgencyEntry,
    InventoryError,
    InventoryImport,
    SourceEntry,
    merge_agencies,
    owner_source,
    source_from_url,
)
from crawlers.inventories.governments import GROUPS, parse_governments_yml
from crawlers.inventories.ore import OreImport, OreRelease, parse_ore
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml, text
from registry.analysis.tree import decode_text

__all__ = [
    "GROUPS",
    "AgencyEntry",
    "InventoryError",
    "InventoryImport",
    "OreImport",
    "OreRelease",
    "SourceEntry",
    "agency_key",
    "merge_agencies",
    "owner_source",
    "parse_code_gov_agencies",
    "parse_code_json_index",
    "parse_governments_yml",
    "parse_ore",
    "parse_publiccode_url_list",
    "source_from_url",
]

MAX_URL = 2_000


def _structured(body: str) -> list[object]:
    """A JSON or YAML list of URLs, or of objects with a ``url``."""
    try:
        doc = json.loads(body) if body[0] in "[{" else load_yaml(body.encode(), "URL list")
    except (ValueError, RecursionError, MetadataError) as exc:
        raise InventoryError(f"URL list is neither JSON nor YAML: {exc}") from None
    if isinstance(doc, Mapping):
        doc = doc.get("urls") or doc.get("repos") or doc.get("repositories")
    if not isinstance(doc, list):
        raise InventoryError("URL list is not a list")
    return [item.get("url") if isinstance(item, Mapping) else item for item in doc]


def parse_publiccode_url_list(data: bytes) -> list[str]:
    """URLs (of publiccode.yml files or repositories), in order, without duplicates.

    Accepts one URL per line (``#`` comments and blank lines ignored) or a JSON/YAML list.
    Entries that are not http(s) URLs are dropped: they could never be fetched.
    """
    body = decode_text(data).strip()
    if not body:
        return []
    lines = [line.split(" #", 1)[0].strip() for line in body.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    structured = body[0] in "[{" or bool(lines and lines[0].startswith("- "))
    items = _structured(body) if structured else lines
    found: dict[str, str] = {}
    for item in items:
        url = text(item)
        source = source_from_url(url) if url and len(url) <= MAX_URL else None
        if url and source and url.lower().startswith(("https://", "http://")):
            found.setdefault(_dedupe_key(url), url)
    return list(found.values())


def _dedupe_key(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}/{path}".rstrip("/")
