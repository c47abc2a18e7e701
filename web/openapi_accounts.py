"""The OpenAPI paths of the calls on one's own things, with a token: subscriptions and
their delivery log (``web.routes.api_subscriptions``, ``web.routes.api_deliveries``),
claiming an agency and disputed repository claims (one helper a path)."""

from __future__ import annotations

from collections.abc import Callable

from registry.services.repositories import MAX_ID
from web.openapi_parts import SLUG, Operation, ok, operation, path_param, query

SUBSCRIPTIONS = "subscriptions"  # the token scopes (registry.access.SCOPES)
REGISTER = "register"
MANAGE = "manage"

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SUB_ID = path_param("id", "the subscription's id", ID, 1)
DELIVERY_ID = path_param("delivery_id", "the delivery's id", ID, 1)
CLAIM_ID = path_param("id", "the claim's id", ID, 1)


def _subscriptions() -> dict[str, Operation]:
    return {
        "get": operation(
            "listSubscriptions",
            "Your subscriptions, on every channel",
            {"200": ok("the subscriptions (never a secret or a feed token)", "SubscriptionList")},
            tag="subscriptions",
            token=SUBSCRIPTIONS,
            cached=True,
        ),
        "post": operation(
            "subscribe",
            "Follow a repository, an agency or a saved search",
            {"201": ok("the subscription", "SubscriptionMade")},
            tag="subscriptions",
            description="A webhook's secret or the private Atom feed_url is in the answer, "
            "this once. An address other than yours waits for its owner to confirm.",
            errors=[400, 404, 409],
            token=SUBSCRIPTIONS,
            body="SubscriptionRequest",
        ),
    }


def _subscription() -> dict[str, Operation]:
    return {
        "get": operation(
            "getSubscription",
            "One of your subscriptions",
            {"200": ok("the subscription", "SubscriptionPublic")},
            tag="subscriptions",
            parameters=[SUB_ID],
            errors=[404],
            token=SUBSCRIPTIONS,
            cached=True,
        ),
        "patch": operation(
            "changeSubscription",
            "Stop, resume or change how often",
            {"200": ok("the subscription", "SubscriptionPublic")},
            tag="subscriptions",
            parameters=[SUB_ID],
            errors=[400, 404],
            token=SUBSCRIPTIONS,
            body="SubscriptionChange",
        ),
        "delete": operation(
            "unsubscribe",
            "Stop a subscription",
            {"204": {"description": "stopped"}},
            tag="subscriptions",
            parameters=[SUB_ID],
            errors=[404],
            token=SUBSCRIPTIONS,
        ),
    }


def _deliveries() -> dict[str, Operation]:
    params = [
        SUB_ID,
        query("limit", "deliveries a page (at most 200)", {"type": "integer", "minimum": 1,
              "maximum": 200}, 50),
        query("status", "only these", {"enum": ["pending", "delivered", "failed"]}, "failed"),
        query("before", "a delivery id: the older ones (next_before of the last page)",
              ID),
    ]  # fmt: skip
    return {
        "get": operation(
            "deliveryLog",
            "The delivery log: deliveries newest first, each with every attempt",
            {"200": ok("the subscription's state and its deliveries", "DeliveryLog")},
            tag="subscriptions",
            parameters=params,
            errors=[400, 404],
            token=SUBSCRIPTIONS,
            cached=True,
        )
    }


def _redeliver() -> dict[str, Operation]:
    return {
        "post": operation(
            "redeliver",
            "Send one delivery again (a new attempt, the same delivery id)",
            {"202": ok("the delivery, due now", "DeliveryPublic")},
            tag="subscriptions",
            parameters=[SUB_ID, DELIVERY_ID],
            errors=[400, 404],
            token=SUBSCRIPTIONS,
        )
    }


def _rotate_secret() -> dict[str, Operation]:
    return {
        "post": operation(
            "rotateSecret",
            "A new webhook secret (shown once)",
            {"200": ok("the new secret", "SecretRotated")},
            tag="subscriptions",
            description="The old secret stays valid for overlap_hours, and everything is "
            "signed with both meanwhile.",
            parameters=[SUB_ID],
            errors=[400, 404],
            token=SUBSCRIPTIONS,
            body="SecretRotation",
        )
    }


def _resume() -> dict[str, Operation]:
    return {
        "post": operation(
            "resumeSubscription",
            "Resume a paused subscription: the deliveries that waited go out",
            {"200": ok("the subscription's state", "SubscriptionState")},
            tag="subscriptions",
            parameters=[SUB_ID],
            errors=[400, 404],
            token=SUBSCRIPTIONS,
        )
    }


def _claim() -> dict[str, Operation]:
    return {
        "get": operation(
            "claimableSources",
            "The sources of an unclaimed agency, each with your claim token",
            {"200": ok("the sources and tokens", "ClaimableSourceList")},
            tag="agencies",
            parameters=[SLUG],
            errors=[400, 404, 409],
            token=REGISTER,
            cached=True,
        ),
        "post": operation(
            "claimAgency",
            "Claim it: look for your token in one of its sources",
            {"200": ok("claimed: you administer the agency now", "AgencyClaimed")},
            tag="agencies",
            description="409 when the token is not found yet (the problem says where govcode "
            "looked and repeats the token) or the agency is claimed already.",
            parameters=[SLUG],
            errors=[400, 404, 409],
            token=REGISTER,
            body="ClaimRequest",
        ),
    }


def _admin_claims() -> dict[str, Operation]:
    status = query("status", "the claims in this state (default disputed)",
                   {"enum": ["disputed", "dismissed", "upheld"]}, "disputed")  # fmt: skip
    return {
        "get": operation(
            "listRepositoryClaims",
            "Disputed repository claims (site administrators)",
            {"200": ok("the claims, oldest first", "RepositoryClaimList")},
            tag="agencies",
            parameters=[status],
            errors=[400],
            token=MANAGE,
            cached=True,
        )
    }


def _admin_claim() -> dict[str, Operation]:
    return {
        "post": operation(
            "decideRepositoryClaim",
            "Decide a claim: dismiss, or uphold (move the repository)",
            {"200": ok("the claim's new status", "ClaimDecided")},
            tag="agencies",
            parameters=[CLAIM_ID],
            errors=[400, 404, 409],
            token=MANAGE,
            body="ClaimDecision",
        )
    }


ACCOUNT_PATHS: dict[str, Callable[[], dict[str, Operation]]] = {
    "/api/v1/subscriptions": _subscriptions,
    "/api/v1/subscriptions/{id}": _subscription,
    "/api/v1/subscriptions/{id}/deliveries": _deliveries,
    "/api/v1/subscriptions/{id}/deliveries/{delivery_id}/redeliver": _redeliver,
    "/api/v1/subscriptions/{id}/rotate-secret": _rotate_secret,
    "/api/v1/subscriptions/{id}/resume": _resume,
    "/api/v1/agencies/{slug}/claim": _claim,
    "/api/v1/admin/claims": _admin_claims,
    "/api/v1/admin/claims/{id}": _admin_claim,
}
