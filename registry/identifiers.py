"""The identifiers other registries give public bodies, declared once, each with its check.

Italy's iPA code, the Netherlands' TOOI URI, Canada's ORE administration code, a US agency
acronym and a French SIREN. One body is one agency: a (scheme, value) pair names one agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry.errors import BadRequest
from registry.i18n import N_


@dataclass(frozen=True)
class Scheme:
    name: str
    label: str
    pattern: re.Pattern[str]
    upper: bool = False  # stored upper case (acronyms); otherwise lower case

    def normalise(self, value: str) -> str:
        value = value.strip()
        value = value.upper() if self.upper else value.lower()
        if not self.pattern.fullmatch(value):
            raise BadRequest(
                N_("%(value)r is not a valid %(label)s"), value=value, label=self.label
            )
        if self.name == "siren" and not _luhn(value):
            raise BadRequest(
                N_("%(value)r is not a valid %(label)s (its check digit is wrong)"),
                value=value,
                label=self.label,
            )
        return value


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("ipa", "iPA code (Italy)", re.compile(r"[a-z0-9_]{2,20}")),
        Scheme("tooi", "TOOI URI (Netherlands)",
               re.compile(r"https://identifier\.overheid\.nl/tooi/id/[a-z0-9_]+/[a-z0-9_]+")),
        Scheme("ore", "ORE administration code (Canada)", re.compile(r"[a-z0-9_-]{1,50}")),
        Scheme("us_acronym", "US agency acronym", re.compile(r"[A-Z][A-Z0-9&-]{1,15}"), upper=True),
        Scheme("siren", "SIREN (France)", re.compile(r"[0-9]{9}")),
    )
}  # fmt: skip


def normalise(values: dict[str, str]) -> dict[str, str]:
    """The non-empty identifiers, checked and normalised; ``BadRequest`` for a bad one."""
    out = {}
    for name, value in values.items():
        if name not in SCHEMES:
            raise BadRequest(
                N_("unknown identifier %(name)r; one of %(schemes)s"),
                name=name,
                schemes=", ".join(SCHEMES),
            )
        if value and value.strip():
            out[name] = SCHEMES[name].normalise(value)
    return out


LEVELS = {
    "national": "National",
    "regional": "Regional",
    "municipal": "Municipal",
    "other": "Other public body",
}
