"""A small error hierarchy; each class carries the HTTP status the web layer renders."""

from __future__ import annotations


class GovcodeError(Exception):
    """Base class of every error govcode raises on purpose."""

    status_code = 500
    title = "Internal error"


class BadRequest(GovcodeError):
    status_code = 400
    title = "Bad request"


class InvalidParameter(BadRequest):
    """One request parameter is wrong; the API's problem details name it (RFC 9457)."""

    def __init__(self, name: str, message: str, *, location: str = "query") -> None:
        super().__init__(message)
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

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
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

    def __init__(self, message: str, *, reset_at: float | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at
