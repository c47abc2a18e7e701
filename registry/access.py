"""Who may do what: the closed sets of agency roles and token scopes, declared once.

A site administrator may do everything. Inside one agency, an administrator manages its
people and reads its audit log; a maintainer registers sources and subscriptions. Nobody
acts for an agency they are not a member of.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import BadRequest
from registry.i18n import N_


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    manage_members: bool
    read_audit: bool
    register_sources: bool


ROLES: dict[str, Role] = {
    "admin": Role("admin", "Agency administrator", True, True, True),
    "maintainer": Role("maintainer", "Agency maintainer", False, False, True),
}

# Which token scope a kind of API call needs. Reads stay open; ``read`` lets a token read
# what only its owner may see (their own account, an agency's audit log with ``manage``).
SCOPES: dict[str, str] = {
    "read": "read what only you may see (your account, your tokens)",
    "register": "register agencies and sources",
    "subscriptions": "create and change your subscriptions",
    "manage": "manage an agency's people and read its audit log",
    "fork": "fork repositories through govcode and declare that your agency uses one",
}


def role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise BadRequest(
            N_("unknown role %(name)r; one of %(roles)s"), name=name, roles=", ".join(ROLES)
        ) from None


def scopes(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in SCOPES]
    if unknown or not names:
        raise BadRequest(
            N_("scopes must be some of %(scopes)s; got %(names)r"),
            scopes=", ".join(SCOPES),
            names=names,
        )
    return [n for n in SCOPES if n in names]
