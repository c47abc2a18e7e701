"""A small error hierarchy; each class carries the HTTP status the web layer renders.

A message is a template and named parameters: ``BadRequest(N_("not an e-mail address:
%(address)r"), address=address)``. ``str(exc)`` is the English text (the API, the CLI and
logs read it); pages render the template through the visitor's catalogue
(``web.i18n.error_text``). A parameter may itself be a :class:`Phrase`, translated with it.
"""

from __future__ import annotations

from typing import Any


def _english(template: str, params: dict[str, Any]) -> str:
    return template % params if params else template


class Phrase:
    """A translatable fragment put inside a message ("name in fr" in "give the agency's
    …"); ``str()`` is its English."""

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return _english(self.template, self.params)

    def __repr__(self) -> str:
        return f"Phrase({self.template!r}, **{self.params!r})"


class GovcodeError(Exception):
    """Base class of every error govcode raises on purpose."""

    status_code = 500
    title = "Internal error"

    def __init__(self, message: str = "", /, **params: Any) -> None:
        self.template = message
        self.params = params
        super().__init__(_english(message, params))


class BadRequest(GovcodeError):
    status_code = 400
    title = "Bad request"


class InvalidParameter(BadRequest):
    """One request parameter is wrong; the API's problem details name it (RFC 9457)."""

    def __init__(
        self, name: str, message: str, /, *, location: str = "query", **params: Any
    ) -> None:
        super().__init__(message, **params)
        self.parameter = name
        self.location = location  # query | path | header | body


class Unauthorized(GovcodeError):
    """Not signed in, or the credentials given were wrong."""

    status_code = 401
    title = "Unauthorized"


class Forbidden(GovcodeError):
    """Signed in, but not allowed to do this."""

    status_code = 403
    title = "Forbidden"


class NotFound(GovcodeError):
    status_code = 404
    title = "Not found"


class Conflict(GovcodeError):
    status_code = 409
    title = "Conflict"


class TooManyRequests(GovcodeError):
    """Too many attempts in a window (sign-in throttle); ``retry_after`` is in seconds."""

    status_code = 429
    title = "Too many requests"

    def __init__(self, message: str, /, *, retry_after: int = 60, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class UnsafeURLError(BadRequest):
    """A URL refused by the URL policy before any request was made."""

    title = "Unsafe URL"


class CrawlError(GovcodeError):
    """A repository or source could not be crawled; the crawl records it and goes on."""

    status_code = 502
    title = "Crawl failed"


class RateLimited(CrawlError):
    """The forge said stop; ``reset_at`` is a UNIX time when it may be asked again."""

    status_code = 503
    title = "Rate limited"

    def __init__(self, message: str, /, *, reset_at: float | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.reset_at = reset_at
