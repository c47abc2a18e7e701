"""An agency's people and its audit log, for its administrators and site administrators."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry import access
from registry.errors import BadRequest, Forbidden, NotFound
from registry.services import agencies, audit, memberships
from web import auth
from web.i18n import N_, error_text
from web.routes import admin_claims


def routes() -> list[Route]:
    return [
        Route("/agencies/{slug}/members", members_page, methods=["GET", "POST"]),
        Route("/agencies/{slug}/members/remove", remove_member, methods=["POST"]),
        Route("/agencies/{slug}/audit", agency_audit),
        Route("/agencies/{slug}/audit.csv", agency_audit_csv),
        Route("/admin/audit", site_audit),
        Route("/admin/audit.csv", site_audit_csv),
        *admin_claims.routes(),
    ]


def _members(request, session, agency, status=200, **extra) -> Response:  # type: ignore[no-untyped-def]
    return request.app.state.templates.TemplateResponse(
        request, "agency_members.html",
        {"agency": agency, "members": memberships.members(session, agency),
         "roles": access.ROLES, **extra},
        status_code=status,
    )  # fmt: skip


def members_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        session = visit.session
        agency = agencies.get_agency(session, request.path_params["slug"])
        memberships.require(session, visit.user, agency, "manage_members")
        if visit.form is None:
            return _members(request, session, agency)
        try:
            with session.begin_nested():
                memberships.set_role(
                    session, visit.actor, agency=agency, email=str(visit.form.get("email", "")),
                    role=str(visit.form.get("role", "")),
                )  # fmt: skip
        except (BadRequest, NotFound) as exc:
            return _members(request, session, agency, exc.status_code, error=error_text(exc))
    return RedirectResponse(f"/agencies/{agency.slug}/members", status_code=303)


def remove_member(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        agency = agencies.get_agency(visit.session, request.path_params["slug"])
        email = str((visit.form or {}).get("email", ""))
        memberships.remove(visit.session, visit.actor, agency=agency, email=email)
    return RedirectResponse(f"/agencies/{agency.slug}/members", status_code=303)


def _audit_rows(request: Request, session: Session, slug: str | None):  # type: ignore[no-untyped-def]
    user = auth.current_user(request, session)
    if user is None:
        return None, None
    if slug is None:
        if not user.is_site_admin:
            raise Forbidden(N_("only site administrators read the whole audit log"))
        return None, audit.events(session)
    agency = agencies.get_agency(session, slug)
    memberships.require(session, user, agency, "read_audit")
    return agency, audit.events(session, agency_id=agency.id)


def _audit_page(request: Request, slug: str | None) -> Response:
    with Session(request.app.state.engine) as session:
        agency, rows = _audit_rows(request, session, slug)
        if rows is None:
            return auth.to_sign_in(request)
        csv_url = f"/agencies/{agency.slug}/audit.csv" if agency else "/admin/audit.csv"
        return request.app.state.templates.TemplateResponse(
            request, "audit.html", {"agency": agency, "events": rows, "csv_url": csv_url}
        )


def _audit_csv(request: Request, slug: str | None) -> Response:
    with Session(request.app.state.engine) as session:
        agency, rows = _audit_rows(request, session, slug)
        if rows is None:
            return auth.to_sign_in(request)
        name = f"audit-{agency.slug if agency else 'all'}.csv"
        return Response(
            audit.to_csv(rows), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip


def agency_audit(request: Request) -> Response:
    return _audit_page(request, request.path_params["slug"])


def agency_audit_csv(request: Request) -> Response:
    return _audit_csv(request, request.path_params["slug"])


def site_audit(request: Request) -> Response:
    return _audit_page(request, None)


def site_audit_csv(request: Request) -> Response:
    return _audit_csv(request, None)
