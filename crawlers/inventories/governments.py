"""government.github.com's lists (governments.yml and friends): a heading per country or
level of government, under it the GitHub organisation logins. One agency per organisation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from crawlers.inventories.entries import (
    AgencyEntry,
    InventoryError,
    InventoryImport,
    SourceEntry,
    merge_agencies,
)
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml
from registry.source_kinds import GITHUB

# GitHub logins: alphanumerics and single inner dashes, at most 39 characters (older
# organisations may still carry a double or trailing dash, so those are accepted).
_LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")

# heading -> (ISO 3166-1 alpha-2 or None, level or None). A country heading mixes national,
# regional and local bodies, so it has no level; the U.S. and U.K. headings say theirs.
GROUPS: dict[str, tuple[str | None, str | None]] = {
    "Argentina": ("AR", None), "Australia": ("AU", None), "Austria": ("AT", None),
    "Belgium": ("BE", None), "Bolivia": ("BO", None), "Brazil": ("BR", None),
    "Bulgaria": ("BG", None), "Cambodia": ("KH", None), "Canada": ("CA", None),
    "Chile": ("CL", None), "Colombia": ("CO", None), "Czech Republic": ("CZ", None),
    "Denmark": ("DK", None), "Ecuador": ("EC", None), "Egypt": ("EG", None),
    "Estonia": ("EE", None), "Ethiopia": ("ET", None),
    "European Union": (None, "supranational"), "Finland": ("FI", None),
    "France": ("FR", None), "French Polynesia": ("PF", None), "Germany": ("DE", None),
    "Guatemala": ("GT", None), "Hong Kong": ("HK", None), "Hungary": ("HU", None),
    "India": ("IN", None), "Indonesia": ("ID", None),
    "International": (None, "international"), "Ireland": ("IE", None),
    "Isle of Man": ("IM", None), "Israel": ("IL", None), "Italy": ("IT", None),
    "Japan": ("JP", None), "Jersey": ("JE", None),
    "Kosovo": ("XK", None),  # user-assigned code, used by the EU and the IMF
    "Latvia": ("LV", None), "Lithuania": ("LT", None), "Luxemburg": ("LU", None),
    "Malaysia": ("MY", None), "Mauritius": ("MU", None), "Mexico": ("MX", None),
    "Netherlands": ("NL", None), "New Zealand": ("NZ", None), "Norway": ("NO", None),
    "Panama": ("PA", None), "Paraguay": ("PY", None), "Peru": ("PE", None),
    "Philippines": ("PH", None), "Poland": ("PL", None), "Portugal": ("PT", None),
    "Republic of Korea": ("KR", None), "Romania": ("RO", None), "Russia": ("RU", None),
    "Saudi Arabia": ("SA", None), "Singapore": ("SG", None), "Slovakia": ("SK", None),
    "South Africa": ("ZA", None), "Spain": ("ES", None), "Sweden": ("SE", None),
    "Switzerland": ("CH", None), "Taiwan": ("TW", None), "Thailand": ("TH", None),
    "U.K. Central": ("GB", "central"), "U.K. Councils": ("GB", "local"),
    "U.S. City": ("US", "city"), "U.S. County": ("US", "county"),
    "U.S. Federal": ("US", "federal"), "U.S. Local Law Enforcement": ("US", "local"),
    "U.S. Military and Intelligence": ("US", "federal"),
    "U.S. Special District": ("US", "special-district"), "U.S. States": ("US", "state"),
    "U.S. Tribal Nations": ("US", "tribal"), "Ukraine": ("UA", None),
    "United Nations": (None, "international"), "Venezuela": ("VE", None),
}  # fmt: skip


def parse_governments_yml(data: bytes) -> InventoryImport:
    """Every organisation under every heading; unknown headings keep no country and are
    reported, bad logins are skipped and reported, a login listed twice is one agency."""
    try:
        doc = load_yaml(data, "governments.yml")
    except MetadataError as exc:
        raise InventoryError(str(exc)) from None
    if not isinstance(doc, Mapping):
        raise InventoryError("governments.yml is not a mapping of headings to logins")
    problems: list[str] = []
    records: list[AgencyEntry] = []
    seen: dict[str, str] = {}
    for heading, logins in doc.items():
        group = str(heading)
        if group not in GROUPS:
            problems.append(f"unknown heading {group[:100]!r}: no country or level")
        country, level = GROUPS.get(group, (None, None))
        if logins is None:
            continue
        if not isinstance(logins, list):
            problems.append(f"{group[:100]!r}: not a list of logins")
            continue
        for raw in logins:
            login = str(raw).strip() if isinstance(raw, str | int) else ""
            if not _LOGIN.match(login):
                problems.append(f"{group[:100]!r}: {str(raw)[:100]!r} is not a GitHub login")
                continue
            key = f"gh:{login.lower()}"
            if key in seen:
                problems.append(f"{login!r} listed under {seen[key]!r} and {group!r}")
                continue
            seen[key] = group
            source = SourceEntry(GITHUB.name, login, GITHUB.default_host or "github.com")
            records.append(AgencyEntry(key, login, country, level, None, (source,)))
    return InventoryImport(tuple(merge_agencies(records)), tuple(problems))
