"""JSON API for accounts and agencies' people: who am I, members, the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest, InvalidParameter
from registry.services import (
    accounts,
    agencies,
    agency_signup,
    audit,
    memberships,
    source_registry,
)
from web.api_auth import actor, read_json, token_user
from web.routes import api_subscriptions


def routes() -> list[Route]:
    return [
        Route("/api/v1/me", me),
        Route("/api/v1/agencies/{slug}/members", members, methods=["GET"]),
        Route("/api/v1/agencies/{slug}/members/{email}", member, methods=["PUT", "DELETE"]),
        Route("/api/v1/agencies/{slug}/audit", agency_audit),
        Route("/api/v1/agencies", register_agency, methods=["POST"]),
        Route("/api/v1/agencies/{slug}/sources", register_source, methods=["POST"]),
        Route(
            "/api/v1/agencies/{slug}/sources/{source_id:id}/verify",
            verify_source,
            methods=["POST"],
        ),
        *api_subscriptions.routes(),
    ]


def verify_source(request: Request) -> Response:
    from web.routes.agency_signup import prove

    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "register")
    return prove(request, user, html=False)


def _text(data: dict, key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise BadRequest(f"{key!r} must be a string")
    return value


def _mapping(data: dict, key: str) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadRequest(f"{key!r} must be an object of strings")
    return value


def register_agency(request: Request) -> Response:
    data = read_json(request)
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "register")
        req = agency_signup.AgencyRequest(
            name=_text(data, "name"), country=_text(data, "country"), level=_text(data, "level"),
            website=_text(data, "website"), contact_email=_text(data, "contact_email"),
            names=_mapping(data, "names"), identifiers=_mapping(data, "identifiers"),
        )  # fmt: skip
        agency = agency_signup.request_agency(
            session, actor(request, user), req,
            allow_http_hosts=request.app.state.settings.allow_http_hosts,
        )  # fmt: skip
        return JSONResponse({"slug": agency.slug, "status": agency.status}, status_code=201)


def register_source(request: Request) -> Response:
    data = read_json(request)
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "register")
        agency = agencies.get_agency(session, request.path_params["slug"])
        source = source_registry.register(
            session, actor(request, user), agency=agency, kind=_text(data, "kind"),
            locator=_text(data, "locator"), api_url=_text(data, "api_url"),
            settings=request.app.state.settings,
        )  # fmt: skip
        return JSONResponse(
            {"id": source.id, "kind": source.kind, "locator": source.locator,
             "api_url": source.api_url, "verified": False, "proof_token": source.proof_token},
            status_code=201,
        )  # fmt: skip


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
        wanted = request.query_params.get("format", "json")
        if wanted not in ("json", "csv"):
            raise InvalidParameter("format", "format must be json or csv")
        if wanted == "csv":
            return Response(audit.to_csv(rows), media_type="text/csv; charset=utf-8")
        return JSONResponse([
            {"id": e.id, "created_at": e.created_at.isoformat(), "actor": e.actor,
             "address": e.address, "action": e.action, "target_type": e.target_type,
             "target_id": e.target_id, "before": e.before, "after": e.after}
            for e in rows
        ])  # fmt: skip
