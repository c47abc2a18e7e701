"""JSON API for accounts and agencies' people: who am I, members, the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest
from registry.services import accounts, agencies, audit, memberships
from web.api_auth import actor, read_json, token_user


def routes() -> list[Route]:
    return [
        Route("/api/v1/me", me),
        Route("/api/v1/agencies/{slug}/members", members, methods=["GET"]),
        Route("/api/v1/agencies/{slug}/members/{email}", member, methods=["PUT", "DELETE"]),
        Route("/api/v1/agencies/{slug}/audit", agency_audit),
    ]


def me(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "read")
        body = accounts.public(user).model_dump(mode="json")
        body["agencies"] = [
            {"slug": a.slug, "role": m.role} for a, m in memberships.agencies_of(session, user)
        ]
    return JSONResponse(body)


def members(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "manage")
        agency = agencies.get_agency(session, request.path_params["slug"])
        memberships.require(session, user, agency, "manage_members")
        rows = memberships.members(session, agency)
        return JSONResponse([{"email": u.email, "role": m.role} for m, u in rows])


def member(request: Request) -> Response:
    data = read_json(request) if request.method == "PUT" else {}
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "manage")
        agency = agencies.get_agency(session, request.path_params["slug"])
        email = request.path_params["email"]
        if request.method == "DELETE":
            memberships.remove(session, actor(request, user), agency=agency, email=email)
            return Response(status_code=204)
        role = data.get("role")
        if not isinstance(role, str):
            raise BadRequest('give the role: {"role": "admin"} or {"role": "maintainer"}')
        row = memberships.set_role(
            session, actor(request, user), agency=agency, email=email, role=role
        )
        return JSONResponse({"email": email.lower(), "role": row.role})


def agency_audit(request: Request) -> Response:
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "manage")
        agency = agencies.get_agency(session, request.path_params["slug"])
        memberships.require(session, user, agency, "read_audit")
        rows = audit.events(session, agency_id=agency.id)
        if request.query_params.get("format") == "csv":
            return Response(audit.to_csv(rows), media_type="text/csv; charset=utf-8")
        return JSONResponse([
            {"id": e.id, "created_at": e.created_at.isoformat(), "actor": e.actor,
             "address": e.address, "action": e.action, "target_type": e.target_type,
             "target_id": e.target_id, "before": e.before, "after": e.after}
            for e in rows
        ])  # fmt: skip
