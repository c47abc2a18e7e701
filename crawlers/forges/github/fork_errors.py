"""GitHub's refusals of a fork (``POST /repos/{o}/{r}/forks``), as the person who asked
for it should read them: a bad token, no right on the organisation, nothing to see."""

from __future__ import annotations

from github import GithubException

from registry.errors import BadRequest, CrawlError, Forbidden, GovcodeError, NotFound


class fork_errors:
    """A fork's refusals as the person who asked should read them."""

    def __init__(self, source: str, owner: str) -> None:
        self.source, self.owner = source, owner

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, GovcodeError):
            return False
        if isinstance(exc, GithubException):
            said = _said(exc.data)
            if exc.status == 401:
                raise BadRequest(f"GitHub did not accept that token{said}") from exc
            if exc.status == 403:
                raise Forbidden(
                    f"that token may not create repositories in {self.owner} on GitHub{said}"
                ) from exc
            if exc.status == 404:
                raise NotFound(
                    f"GitHub has no repository {self.source} or organisation {self.owner}"
                    f" that this token can see{said}"
                ) from exc
            if exc.status == 422:
                raise BadRequest(f"GitHub refused to fork into {self.owner}{said}") from exc
            raise CrawlError(f"GitHub answered {exc.status} to the fork{said}") from exc
        if isinstance(exc, OSError):
            raise CrawlError(f"network error while forking {self.source}: {exc}") from exc
        return False


def _said(data: object) -> str:
    """GitHub's own words in an error answer: its message and each error's message."""
    if not isinstance(data, dict):
        return ""
    words = [str(data.get("message") or "")]
    for error in data.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            words.append(str(error["message"]))
    text = ": ".join(w for w in words if w)[:300]
    return f" (GitHub said: {text})" if text else ""
