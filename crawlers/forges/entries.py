"""One listed entry at a time: a bad entry becomes a refused ``RepoRef``, never an exception.

A forge's listing is a generator, and a generator that raises is over: one scp-like line in
a URL list, an ``ext::`` address in a code.json, a GitLab ``web_url`` with port 99999 used
to end the whole crawl there. Every forge therefore builds each entry through ``entry``,
which checks that the URLs the rest of the crawl relies on are well formed and turns any
failure into a ``RepoRef`` that carries its ``error``; the pipeline records that as the
repository's failure (no request is made for it) and goes on with the next entry.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from crawlers.base import HostFacts, RepoRef
from registry.errors import GovcodeError, RateLimited

MAX_LABEL = 500  # characters of a refused entry kept to name it
_SCHEMES = frozenset({"http", "https"})


def well_formed(url: str, what: str) -> str:
    """``url`` if it is an absolute http(s) URL whose host and port parse; else ValueError."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        raise ValueError(f"{what} is missing or longer than 2000 characters")
    parts = urlsplit(url)
    _ = parts.port  # raises ValueError for a port out of range or not a number
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        raise ValueError(f"{what} {url[:200]!r} is not an http(s) URL with a host")
    return url


def checked(ref: RepoRef) -> RepoRef:
    """``ref`` once its web and clone URLs are well formed (ValueError otherwise)."""
    well_formed(ref.html_url, "web URL")
    well_formed(ref.clone_url, "clone URL")
    return ref


def refused(kind: str, label: object, error: str) -> tuple[RepoRef, HostFacts]:
    """A placeholder for an entry that cannot be crawled, named by what the list said."""
    name = str(label).strip()[:MAX_LABEL] or "(empty entry)"
    ref = RepoRef(kind, "refused", name[:200], name, name, error=error[:1000])
    return ref, HostFacts()


def entry(
    kind: str,
    label: object,
    build: Callable[[], tuple[RepoRef, HostFacts]],
    *,
    forge_errors: tuple[type[BaseException], ...] = (),
) -> tuple[RepoRef, HostFacts]:
    """``build()``'s entry, checked; or, whatever went wrong, a refused one saying why.

    ``forge_errors`` (the forge client's own failures: a dropped connection, a rate limit)
    are the forge's state, not the entry's: they pass through to the forge's translation."""
    try:
        ref, facts = build()
        return checked(ref), facts
    except (RateLimited, *forge_errors):
        raise
    except GovcodeError as exc:
        return refused(kind, label, str(exc))
    except Exception as exc:
        return refused(kind, label, f"unusable entry: {type(exc).__name__}: {exc}")
