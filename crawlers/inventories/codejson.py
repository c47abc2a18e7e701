"""US code.gov: agency inventories (code.json) and the list of agencies that publish them.

An agency is keyed by its code.gov acronym (``us-codegov:treasury``), so the same agency
from ``agency_metadata.json``, from its inventory, or from a byte-identical copy of that
inventory under another file name is one agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from crawlers.inventories.entries import (
    AgencyEntry,
    InventoryError,
    InventoryImport,
    SourceEntry,
    merge_agencies,
    owner_source,
    slug,
    source_from_url,
    unique_sources,
)
from registry.analysis.metadata.codejson import CodeJsonInventory, parse_code_json
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_json, text
from registry.source_kinds import CODE_JSON


def agency_key(acronym: str) -> str:
    return f"us-codegov:{slug(acronym)}"


def _code_json_source(url: str | None) -> SourceEntry | None:
    split = source_from_url(url) if url else None
    return SourceEntry(CODE_JSON.name, url.strip(), split.host) if url and split else None


def parse_code_json_index(data: bytes, *, url: str | None = None) -> InventoryImport:
    """The agency an inventory belongs to, with the GitHub organisations and GitLab groups
    that hold its releases (and the inventory itself when its ``url`` is known) as sources.

    Raises InventoryError (a MetadataError) when the bytes are not a code.json inventory.
    """
    try:
        inventory: CodeJsonInventory = parse_code_json(data)
    except MetadataError as exc:
        raise InventoryError(str(exc)) from None
    if inventory.agency is None or not slug(inventory.agency):
        raise InventoryError("code.json index names no agency")
    sources = unique_sources(
        [
            _code_json_source(url),
            *(owner_source(r.repository_url) for r in inventory.releases if r.repository_url),
        ]
    )
    record = AgencyEntry(agency_key(inventory.agency), inventory.agency, "US", "federal")
    record = replace(record, sources=sources, identifiers={"us_acronym": inventory.agency})
    return InventoryImport((record,), inventory.problems)


def parse_code_gov_agencies(data: bytes) -> InventoryImport:
    """code.gov's ``agency_metadata.json``: name, acronym, website and code.json URL each."""
    try:
        doc = load_json(data, "agency_metadata.json")
    except MetadataError as exc:
        raise InventoryError(str(exc)) from None
    if not isinstance(doc, list):
        raise InventoryError("agency_metadata.json is not a list of agencies")
    records: list[AgencyEntry] = []
    problems: list[str] = []
    for index, raw in enumerate(doc):
        item = raw if isinstance(raw, Mapping) else {}
        acronym = text(item.get("acronym"))
        if acronym is None or not slug(acronym):
            problems.append(f"agency #{index} skipped: no acronym")
            continue
        source = _code_json_source(text(item.get("codeUrl")))
        records.append(
            AgencyEntry(
                agency_key(acronym),
                text(item.get("name")) or acronym,
                "US",
                "federal",
                text(item.get("website")),
                (source,) if source else (),
                {"en": text(item.get("name")) or acronym},
                {"us_acronym": acronym},
            )
        )
    return InventoryImport(tuple(merge_agencies(records)), tuple(problems))
