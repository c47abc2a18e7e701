"""What a licence asks of the person who reuses the code, in plain words.

The facts (which licence permits, requires and limits what) are choosealicense.com's, read
through ``pychoosealicense``; the words addressed to a reuser are ours. An SPDX expression
is read the way a reuser must read it: ``A AND B`` means every duty of both, ``A OR B`` is a
choice, each option with its own duties. A licence choosealicense does not describe, or no
licence at all, gives a warning instead of an empty list that would read as "no duties".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol

from registry.analysis.licence_ids import family, parse_expression

Translate = Callable[[str], str]


def N_(message: str) -> str:
    return message


def _same(message: str) -> str:
    return message


# (tag as choosealicense names it) -> what it means for the reuser
PERMISSIONS = {
    "commercial-use": N_("Use it for commercial purposes"),
    "modifications": N_("Change it"),
    "distribution": N_("Share it, changed or not"),
    "private-use": N_("Use and change it privately"),
    "patent-use": N_("Use the contributors' patents on it (they grant them)"),
}
CONDITIONS = {
    "include-copyright": N_("Keep the copyright notice and a copy of the licence with the code"),
    "include-copyright--source": N_(
        "Keep the copyright notice and the licence with the source (not needed in binaries)"
    ),
    "document-changes": N_("Say what you changed"),
    "disclose-source": N_("Publish your source code when you distribute the software"),
    "network-use-disclose": N_(
        "Running it as a network service counts as distribution: its users may ask for the source"
    ),
    "same-license": N_("Release your changes under the same licence"),
    "same-license--file": N_("Release the files you change under the same licence"),
    "same-license--library": N_(
        "Release your changes under the same licence (software that only links to it as a "
        "library is free of this)"
    ),
}
LIMITATIONS = {
    "liability": N_("Nobody who made it is liable for damage it causes"),
    "warranty": N_("It comes with no warranty"),
    "trademark-use": N_("It gives no right to use the authors' names or trademarks"),
    "patent-use": N_("It grants no rights to the contributors' patents"),
}


@dataclass(frozen=True)
class Duty:
    tag: str  # choosealicense's tag, e.g. "disclose-source"
    text: str  # our plain words
    detail: str  # choosealicense's own description


@dataclass(frozen=True)
class LicenceOption:
    """One way to comply: the licences that all apply, and what they add up to."""

    licences: tuple[str, ...]
    permissions: tuple[Duty, ...] = ()
    conditions: tuple[Duty, ...] = ()
    limitations: tuple[Duty, ...] = ()
    undescribed: tuple[str, ...] = ()  # licences choosealicense has no data for
    exceptions: tuple[str, ...] = ()  # WITH exceptions, which relax conditions


@dataclass(frozen=True)
class LicenceDuties:
    expression: str | None
    options: tuple[LicenceOption, ...] = ()  # more than one: the reuser chooses
    warning: str | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Facts:
    permissions: tuple[tuple[str, str], ...]
    conditions: tuple[tuple[str, str], ...]
    limitations: tuple[tuple[str, str], ...]


@cache
def _facts(spdx_id: str) -> _Facts | None:
    """choosealicense's rules for one SPDX id (``-only``/``-or-later`` read as the family)."""
    import pychoosealicense

    for candidate in dict.fromkeys((spdx_id, family(spdx_id))):
        try:
            found = pychoosealicense.get_license(candidate)
        except ValueError:
            continue
        return _Facts(
            tuple((r.tag, r.description) for r in found.permissions),
            tuple((r.tag, r.description) for r in found.conditions),
            tuple((r.tag, r.description) for r in found.limitations),
        )
    return None


def _alternatives(node: object) -> list[list[object]]:
    """The expression in disjunctive normal form: each inner list is one way to comply."""
    if isinstance(node, OR):
        return [alt for arg in node.args for alt in _alternatives(arg)]
    if isinstance(node, AND):
        combined: list[list[object]] = [[]]
        for arg in node.args:
            combined = [left + right for left in combined for right in _alternatives(arg)]
        return combined
    return [[node]]


def _words(
    words: dict[str, str], facts: list[tuple[str, str]], gettext: Translate
) -> tuple[Duty, ...]:
    seen: dict[str, Duty] = {}
    for tag, detail in facts:
        if tag not in seen:
            text = gettext(words[tag]) if tag in words else detail
            seen[tag] = Duty(tag=tag, text=text, detail=detail)
    return tuple(seen.values())


def _option(symbols: list[object], gettext: Translate) -> LicenceOption:
    ids: list[str] = []
    exceptions: list[str] = []
    for symbol in symbols:
        if isinstance(symbol, LicenseWithExceptionSymbol):
            ids.append(str(symbol.license_symbol.key))
            exceptions.append(str(symbol.exception_symbol.key))
        elif isinstance(symbol, LicenseSymbol):
            ids.append(str(symbol.key))
    ids = list(dict.fromkeys(ids))
    known = {i: f for i in ids if (f := _facts(i)) is not None}
    # Every licence of an AND applies: conditions and limitations add up; a permission
    # holds only if every licence described grants it.
    permissions = None
    for facts in known.values():
        tags = {tag for tag, _ in facts.permissions}
        permissions = tags if permissions is None else permissions & tags
    return LicenceOption(
        licences=tuple(ids),
        permissions=_words(
            PERMISSIONS,
            [p for f in known.values() for p in f.permissions if p[0] in (permissions or set())],
            gettext,
        ),
        conditions=_words(CONDITIONS, [c for f in known.values() for c in f.conditions], gettext),
        limitations=_words(
            LIMITATIONS, [x for f in known.values() for x in f.limitations], gettext
        ),
        undescribed=tuple(i for i in ids if i not in known),
        exceptions=tuple(dict.fromkeys(exceptions)),
    )


def licence_duties(
    expression: str | None, *, status: str = "identified", gettext: Translate = _same
) -> LicenceDuties:
    """What ``expression`` asks of a reuser; ``status`` is the repository's licence status
    (identified | unknown | none | disputed) and decides the warning. Our words go through
    ``gettext`` (the page's language; English as written by default)."""
    if not expression or status == "none":
        return LicenceDuties(
            expression=None,
            warning=gettext(
                N_(
                    "No licence was found: nobody may reuse this code until its owners "
                    "publish one. Ask them before you copy it."
                )
            ),
        )
    parsed = parse_expression(expression)
    if parsed is None:
        return LicenceDuties(
            expression=expression,
            warning=gettext(
                N_(
                    "%(expression)s is not an SPDX expression govcode can read: check the "
                    "licence text yourself before reusing the code."
                )
            )
            % {"expression": repr(expression)},
        )
    options = tuple(_option(alt, gettext) for alt in _alternatives(parsed))
    warning = None
    if status == "unknown":
        warning = gettext(
            N_("The licence could not be identified with confidence: read it yourself.")
        )
    elif status == "disputed":
        warning = gettext(
            N_("The repository's declarations and its files disagree about the licence.")
        )
    notes = []
    if len(options) > 1:
        notes.append(gettext(N_("You may choose which of these options to comply with.")))
    undescribed = sorted({u for o in options for u in o.undescribed})
    if undescribed:
        notes.append(
            gettext(N_("govcode has no plain-words summary for %(licences)s: read its text."))
            % {"licences": ", ".join(undescribed)}
        )
    if any(o.exceptions for o in options):
        notes.append(gettext(N_("A licence exception relaxes some conditions: read it.")))
    return LicenceDuties(
        expression=expression, options=options, warning=warning, notes=tuple(notes)
    )
