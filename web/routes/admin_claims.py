"""Disputed repository claims, for site administrators (page and API)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import InvalidParameter
from registry.services import repository_claims
from web import auth
from web.api_auth import actor, read_json, token_user

STATUSES = (repository_claims.DISPUTED, repository_claims.DISMISSED, repository_claims.UPHELD)


def routes() -> list[Route]:
    return [
        Route("/admin/claims", claims_page),
        Route("/admin/claims/{claim_id:id}", decide_page, methods=["POST"]),
        Route("/api/v1/admin/claims", claims_api),
        Route("/api/v1/admin/claims/{claim_id:id}", decide_api, methods=["POST"]),
    ]


def claims_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        rows = repository_claims.listing(visit.session, visit.actor)
        return request.app.state.templates.TemplateResponse(
            request, "admin_claims.html", {"claims": rows}
        )


def decide_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        form = visit.form or {}
        repository_claims.decide(
            visit.session, visit.actor, claim_id=request.path_params["claim_id"],
            decision=str(form.get("decision", "")),
        )  # fmt: skip
    return RedirectResponse("/admin/claims", status_code=303)


def claims_api(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "manage")
        status = request.query_params.get("status", repository_claims.DISPUTED)
        if status not in STATUSES:  # a misspelt state would answer an empty list
            raise InvalidParameter("status", f"status must be one of {', '.join(STATUSES)}")
        rows = repository_claims.listing(session, actor(request, user), status=status)
        return JSONResponse([row.to_json() for row in rows])


def decide_api(request: Request) -> Response:
    data = read_json(request)
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "manage")
        decision = data.get("decision")
        claim = repository_claims.decide(
            session, actor(request, user), claim_id=request.path_params["claim_id"],
            decision=decision if isinstance(decision, str) else "",
        )  # fmt: skip
        return JSONResponse({"id": claim.id, "status": claim.status})
