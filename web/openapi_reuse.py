"""The reuse graph's paths in the OpenAPI document: a repository's edges and reuse counts
(``web.routes.api_reuse``), forking through govcode and "we use this" (``web.routes.fork``),
one helper a path."""

from __future__ import annotations

from collections.abc import Callable

from web.openapi_parts import REPO_ID, SLUG, Operation, ok, operation, query

FORK_SCOPE = "fork"  # web.routes.fork.SCOPE
COUNTS = "reuse received, given and undirected: live, ended, by kind, per month"


def _reuse() -> dict[str, Operation]:
    ended = query(
        "include_ended",
        "also the past edges, whose evidence a crawl no longer found (they carry ended_at)",
        {"type": "boolean", "default": False},
        False,
    )
    return {
        "get": operation(
            "repositoryReuse",
            "The repository's reuse edges both ways, newest first",
            {"200": ok("the edges", "ReuseEdges")},
            tag="reuse",
            parameters=[REPO_ID, ended],
            errors=[400, 404],
            cached=True,
        )
    }


def _repository_counts() -> dict[str, Operation]:
    return {
        "get": operation(
            "repositoryReuseCounts",
            "Reuse counts of one repository, over time",
            {"200": ok(COUNTS, "ReuseCountsPublic")},
            tag="reuse",
            parameters=[REPO_ID],
            errors=[404],
            cached=True,
        )
    }


def _agency_counts() -> dict[str, Operation]:
    return {
        "get": operation(
            "agencyReuseCounts",
            "Reuse counts of every repository of an agency, over time",
            {"200": ok(COUNTS, "ReuseCountsPublic")},
            tag="reuse",
            parameters=[SLUG],
            errors=[404],
            cached=True,
        )
    }


def _fork() -> dict[str, Operation]:
    return {
        "get": operation(
            "forkPlan",
            "How to fork it: through govcode, the forge's page, or clone and push; what its "
            "licence asks",
            {"200": ok("the fork plan", "ForkPlan")},
            tag="reuse",
            parameters=[REPO_ID],
            errors=[404],
            cached=True,
        ),
        "post": operation(
            "forkRepository",
            "Fork it into your organisation through the forge's API",
            {"201": ok("the new fork and the declared reuse edge", "Forked")},
            tag="reuse",
            description="Records a declared reuse and tells the source's followers. The "
            "forge token is used once and kept (encrypted) only with keep_forge_token; "
            "without one, the token govcode keeps for you is used.",
            parameters=[REPO_ID],
            errors=[400, 404, 409, 502, 503],
            token=FORK_SCOPE,
            body="ForkRequest",
        ),
    }


def _declarations() -> dict[str, Operation]:
    return {
        "post": operation(
            "declareUse",
            "Your verified agency declares it uses this repository",
            {
                "201": ok("declared", "Declared"),
                "200": ok("it had been declared already", "Declared"),
            },
            tag="reuse",
            parameters=[REPO_ID],
            errors=[400, 404],
            token=FORK_SCOPE,
            body="DeclarationRequest",
        )
    }


REUSE_PATHS: dict[str, Callable[[], dict[str, Operation]]] = {
    "/api/v1/repositories/{id}/reuse": _reuse,
    "/api/v1/repositories/{id}/reuse/counts": _repository_counts,
    "/api/v1/agencies/{slug}/reuse/counts": _agency_counts,
    "/api/v1/repositories/{id}/fork": _fork,
    "/api/v1/repositories/{id}/declarations": _declarations,
}
