"""The words of the subscriptions pages in the page's language: what a subscription follows
(a saved search said with the search page's own filter names), its channel's name and why
it was paused. The services keep these in English for the API; pages say them here."""

from __future__ import annotations

from registry.errors import BadRequest
from registry.models import Subscription
from registry.notify import pause_reason
from registry.notify.channels import CHANNELS
from registry.search.saved import SavedSearch
from registry.services.following import Row
from web.i18n import _, format_number
from web.labels import FACET_LABELS, VALUE_LABELS, label


def search_words(search: SavedSearch) -> str:
    """“covid”; Licence: MIT, EUPL-1.2; Language: Python — in the page's language."""
    parts = [_("“%(text)s”") % {"text": search.text}] if search.text else []
    for field, values in sorted(search.filters.items()):
        name = _(FACET_LABELS[field]) if field in FACET_LABELS else field
        shown = [label(v, VALUE_LABELS[field]) if field in VALUE_LABELS else v for v in values]
        parts.append(_("%(name)s: %(values)s") % {"name": name, "values": ", ".join(shown)})
    return "; ".join(parts)


def follows(row: Row) -> str:
    """What ``row`` follows: the repository's or agency's name, or the saved search."""
    return follows_of(row.subscription, row.follows)


def follows_of(sub: Subscription, stored: str) -> str:
    """``stored`` (the services' English words for what ``sub`` follows), or its saved
    search said again in the page's language."""
    if sub.repository_id is not None or sub.agency_id is not None or not sub.search_query:
        return stored
    try:
        return search_words(SavedSearch.from_query_string(sub.search_query))
    except BadRequest:
        return stored


def channel_title(name: str) -> str:
    """A channel's name ("e-mail", "courriel"); an unknown one as it is stored."""
    kind = CHANNELS.get(name)
    return _(kind.title) if kind else name


def paused_because(text: str | None) -> str:
    return pause_reason.in_words(text, gettext=_, number=format_number)
