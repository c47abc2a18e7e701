"""Claim an imported agency (page and API): prove you own one of its sources."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.db import session_scope
from registry.errors import BadRequest, GovcodeError
from registry.models import Agency
from registry.services import agencies, agency_claims, audit
from registry.source_kinds import KINDS
from web import auth
from web.api_auth import actor as api_actor
from web.api_auth import read_json, token_user
from web.errors import problem
from web.i18n import N_, _, error_text


def routes() -> list[Route]:
    return [
        Route("/agencies/{slug}/claim", claim_page, methods=["GET", "POST"]),
        Route("/api/v1/agencies/{slug}/claim", claim_api, methods=["GET", "POST"]),
    ]


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def _check(request: Request, agency: Agency, item: agency_claims.Claimable) -> Any:
    """Look for the claim token where only an owner of the source can put it."""
    from crawlers.forges import proof

    s = item.source
    return proof.check(request.app.state.settings, kind=s.kind, locator=s.locator,
                       api_url=s.api_url, token=item.token, website=agency.homepage)  # fmt: skip


def _prove(request: Request, session: Any, who: audit.Actor, slug: str, source_id: int):  # type: ignore[no-untyped-def]
    agency = agencies.get_agency(session, slug)
    item = agency_claims.source_to_prove(
        session, who, agency, source_id=source_id, secret=_secret(request)
    )
    found = _check(request, agency, item)
    claimed = agency_claims.record(
        session, who, agency, source=item.source, found=found.found, where=found.where
    )
    return agency, item, found, claimed


def _source_id(value: object) -> int:
    text = str(value or "")
    if not text.isdigit() or len(text) > 19:
        raise BadRequest(N_("say which source you prove: its number"))
    return int(text)


def claim_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    templates = request.app.state.templates
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)

        def page(status: int = 200, **extra: Any) -> Response:
            agency = agencies.get_agency(visit.session, slug)
            items = agency_claims.claimable(visit.session, visit.actor, agency,
                                            secret=_secret(request))  # fmt: skip
            return templates.TemplateResponse(
                request, "agency_claim.html", {"agency": agency, "items": items, "kinds": KINDS,
                                               **extra}, status_code=status,
            )  # fmt: skip

        try:
            if visit.form is None:
                return page()
            with visit.session.begin_nested():
                agency, _item, found, claimed = _prove(
                    request, visit.session, visit.actor, slug,
                    _source_id(visit.form.get("source_id")),
                )  # fmt: skip
            if not claimed:
                return page(409, message=_("Not found yet: we looked in %(where)s.")
                            % {"where": found.where})  # fmt: skip
        except GovcodeError as exc:
            return templates.TemplateResponse(
                request, "account_notice.html",
                {"title": _("Claim refused"), "message": error_text(exc)},
                status_code=exc.status_code,
            )  # fmt: skip
        name = agency.name
    return templates.TemplateResponse(
        request, "account_notice.html",
        {"title": _("Agency claimed"), "message": _(
            "You administer %(name)s now; we found the token in %(where)s. Add its people from "
            "its members page.") % {"name": name, "where": found.where}},
    )  # fmt: skip


def claim_api(request: Request) -> Response:
    data = read_json(request) if request.method == "POST" else {}
    slug = request.path_params["slug"]
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, "register")
        who = api_actor(request, user)
        if request.method == "GET":
            agency = agencies.get_agency(session, slug)
            items = agency_claims.claimable(session, who, agency, secret=_secret(request))
            return JSONResponse([
                {"source_id": i.source.id, "kind": i.source.kind, "locator": i.source.locator,
                 "token": i.token} for i in items
            ])  # fmt: skip
        _agency, item, found, claimed = _prove(
            request, session, who, slug, _source_id(data.get("source_id"))
        )
        body = {"claimed": claimed, "where": found.where, "source_id": item.source.id}
        if not claimed:  # a problem (as every error of the API), which says where we looked
            detail = f"the claim token was not found yet: we looked in {found.where}"
            return problem(request, 409, "Conflict", detail, **body, token=item.token)
    return JSONResponse(body)
