"""The OpenAPI paths of the calls that need a token: subscriptions, claims, disputes."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"description": "problem details", "content": {"application/problem+json": {}}}
_REFUSED = {"400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM}


def _call(summary: str, scope: str, ok: str | None, **extra: Any) -> dict[str, Any]:
    """One operation; ``ok`` describes its 200 answer (None: it answers otherwise)."""
    answers = {"200": {"description": ok}} if ok else {}
    return {
        "summary": summary,
        "description": f"needs a bearer token with the `{scope}` scope",
        "security": [{"token": [scope]}],
        "responses": {**answers, **extra.pop("responses", {}), **_REFUSED},
        **extra,
    }


def _body(properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}

SUBSCRIPTION_BODY = {
    "channel": {"enum": ["email", "webhook", "atom"]},
    "repository_id": {"type": "integer"},
    "agency": {"type": "string", "description": "an agency's slug"},
    "search": {"type": "string", "description": "the search page's query string"},
    "address": {"type": "string", "description": "e-mail (empty: your own) or webhook URL"},
    "frequency": {"enum": ["immediate", "daily"], "description": "e-mail only"},
}


def account_paths() -> dict[str, Any]:
    return {
        "/api/v1/subscriptions": {
            "get": _call("Your subscriptions, on every channel", "subscriptions",
                         "subscriptions (never a secret or a feed token)"),
            "post": _call(
                "Follow a repository, an agency or a saved search", "subscriptions",
                None, requestBody=_body(SUBSCRIPTION_BODY),
                responses={"201": {"description": "the subscription; a webhook's `secret` or "
                                   "the private `feed_url`, shown this once"},
                           "409": _PROBLEM},
            ),
        },
        "/api/v1/subscriptions/{id}": {
            "get": _call("One of your subscriptions", "subscriptions", "the subscription",
                         parameters=[_ID]),
            "patch": _call("Stop, resume or change how often", "subscriptions",
                           "the subscription", parameters=[_ID], requestBody=_body(
                               {"active": {"type": "boolean"},
                                "frequency": {"enum": ["immediate", "daily"]}})),
            "delete": _call("Stop a subscription", "subscriptions", None,
                            parameters=[_ID], responses={"204": {"description": "stopped"}}),
        },
        "/api/v1/agencies/{slug}/claim": {
            "get": _call("The sources of an unclaimed agency, each with your claim token",
                         "register", "[{source_id, kind, locator, token}]",
                         parameters=[_SLUG], responses={"409": _PROBLEM}),
            "post": _call("Claim it: look for your token in one of its sources", "register",
                          "{claimed: true, where}", parameters=[_SLUG],
                          requestBody=_body({"source_id": {"type": "integer"}}),
                          responses={"409": {"description": "not found yet, or claimed"}}),
        },
        "/api/v1/admin/claims": {
            "get": _call("Disputed repository claims (site administrators)", "manage",
                         "claims", parameters=[{"name": "status", "in": "query", "schema": {
                             "enum": ["disputed", "dismissed", "upheld"]}}]),
        },
        "/api/v1/admin/claims/{id}": {
            "post": _call("Decide a claim: dismiss, or uphold (move the repository)", "manage",
                          "{id, status}", parameters=[_ID],
                          requestBody=_body({"decision": {"enum": ["dismiss", "uphold"]}}),
                          responses={"409": _PROBLEM}),
        },
    }  # fmt: skip


SECURITY_SCHEMES = {"token": {"type": "http", "scheme": "bearer"}}
