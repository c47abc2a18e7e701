"""An agency signs up; site administrators approve or refuse; members register sources."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from registry import identifiers, source_kinds
from registry.db import session_scope
from registry.errors import BadRequest, Conflict, Forbidden, GovcodeError, NotFound
from registry.notify import account_mail
from registry.services import (
    agencies,
    agency_signup,
    audit,
    memberships,
    ownership,
    source_registry,
)
from web import auth
from web.i18n import N_, _, error_text
from web.routes import agency_claim


def routes() -> list[Route]:
    return [
        Route("/register-agency", new_agency, methods=["GET", "POST"]),
        Route("/admin/agencies", review_list),
        Route("/admin/agencies/{slug}/review", review, methods=["POST"]),
        Route("/agencies/{slug}/sources", sources_page, methods=["GET", "POST"]),
        Route("/agencies/{slug}/sources/{source_id:id}/verify", verify, methods=["POST"]),
        *agency_claim.routes(),
    ]


def _render(request: Request, name: str, status: int = 200, **context) -> Response:  # type: ignore[no-untyped-def]
    return request.app.state.templates.TemplateResponse(
        request, name, {"levels": identifiers.LEVELS, "schemes": identifiers.SCHEMES,
                        "kinds": source_kinds.KINDS, **context}, status_code=status,
    )  # fmt: skip


def parse_names(text: str) -> dict[str, str]:
    """``fr: Services de santé`` lines → ``{"fr": "Services de santé"}``."""
    names = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        lang, sep, name = line.partition(":")
        if not sep:
            raise BadRequest(
                N_("write other names as 'language: name', not %(line)r"), line=line.strip()
            )
        names[lang.strip()] = name
    return names


def _actor(request: Request, user) -> audit.Actor:  # type: ignore[no-untyped-def]
    return audit.Actor(user=user, address=auth.client_address(request))


def new_agency(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        if visit.form is None:
            return _render(request, "agency_new.html", values={})
        values = {k: str(v) for k, v in visit.form.items() if k != auth.CSRF_FIELD}
        try:
            with visit.session.begin_nested():
                req = agency_signup.AgencyRequest(
                    name=values.get("name", ""), country=values.get("country", ""),
                    level=values.get("level", ""), website=values.get("website", ""),
                    contact_email=values.get("contact_email", ""),
                    names=parse_names(values.get("names", "")),
                    identifiers={s: values.get(s, "") for s in identifiers.SCHEMES},
                )  # fmt: skip
                agency = agency_signup.request_agency(
                    visit.session, visit.actor, req,
                    allow_http_hosts=request.app.state.settings.allow_http_hosts,
                )  # fmt: skip
        except GovcodeError as exc:
            return _render(request, "agency_new.html", exc.status_code, values=values,
                           error=error_text(exc))  # fmt: skip
        name = agency.name
    message = _(
        "%(name)s waits for a site administrator's review; we will write to you when it is done."
    ) % {"name": name}
    return _render(request, "account_notice.html", 201, title=_("Agency signed up"),
                   message=message)  # fmt: skip


def _site_admin(visit: auth.Visit) -> None:
    if not visit.user.is_site_admin:
        raise Forbidden(N_("only site administrators review agencies"))


def review_list(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        _site_admin(visit)
        rows = [
            (a, agency_signup.identifiers_of(visit.session, a))
            for a in agency_signup.pending(visit.session)
        ]
        return _render(request, "admin_agencies.html", agencies=rows)


def review(request: Request) -> Response:
    settings = request.app.state.settings
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        _site_admin(visit)
        form = visit.form or {}
        agency = agencies.get_agency(visit.session, request.path_params["slug"])
        approve = form.get("decision") == "approve"
        reason = str(form.get("reason", ""))
        requester = agency_signup.review(
            visit.session, visit.actor, agency=agency, approve=approve, reason=reason
        )
        to = requester.email if requester else agency.contact_email
        message = account_mail.agency_reviewed(
            to=to or settings.mail_from, agency=agency.name, approved=approve,
            reason=agency.review_reason or "", mail_from=settings.mail_from,
            link=f"{settings.base_url}/agencies/{agency.slug}/sources",
        )  # fmt: skip
    request.app.state.mailer.send(message)  # the decision stands even if the mail fails
    return RedirectResponse("/admin/agencies", status_code=303)


def sources_page(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        session = visit.session
        agency = agencies.get_agency(session, request.path_params["slug"])
        memberships.require(session, visit.user, agency, "register_sources")

        def page(status: int = 200, **extra) -> Response:  # type: ignore[no-untyped-def]
            return _render(request, "agency_sources.html", status, agency=agency,
                           sources=agencies.sources_of(session, agency), **extra)  # fmt: skip

        if visit.form is None:
            return page(values={})
        values = {k: str(v) for k, v in visit.form.items() if k != auth.CSRF_FIELD}
        try:
            with session.begin_nested():
                source = source_registry.register(
                    session, visit.actor, agency=agency, kind=values.get("kind", ""),
                    locator=values.get("locator", ""), api_url=values.get("api_url", ""),
                    settings=request.app.state.settings,
                )  # fmt: skip
        except (BadRequest, Conflict, Forbidden) as exc:
            return page(exc.status_code, values=values, error=error_text(exc))
        return page(201, values={}, registered=source)


def verify(request: Request) -> Response:
    """Look for the source's proof token now; verified sources are crawled at once."""
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        user = visit.user
    return prove(request, user, html=True)


def prove(request: Request, user, *, html: bool) -> Response:  # type: ignore[no-untyped-def]
    from crawlers.forges import proof

    settings = request.app.state.settings
    slug, source_id = request.path_params["slug"], request.path_params["source_id"]
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, slug)
        source = agencies.get_source(session, source_id)
        if source.agency_id != agency.id:
            raise NotFound(
                N_("%(agency_name)s has no source %(source_id)s"),
                agency_name=agency.name,
                source_id=source_id,
            )
        ownership.can_prove(session, _actor(request, user), agency)
        facts = {"kind": source.kind, "locator": source.locator, "api_url": source.api_url,
                 "token": source.proof_token or "", "website": agency.homepage}  # fmt: skip
    found = proof.check(settings, **facts) if facts["token"] else proof.Proof(False, "no token")
    with session_scope(request.app.state.engine) as session:
        source = agencies.get_source(session, source_id)
        verified = ownership.record(
            session, _actor(request, user), source=source, found=found.found, where=found.where
        )
    if verified:
        _crawl_soon(request, source_id)
    if not html:
        return JSONResponse({"id": source_id, "verified": verified, "where": found.where})
    with session_scope(request.app.state.engine) as session:
        agency = agencies.get_agency(session, slug)
        message = (_("Verified: we found the token in %(where)s. Its crawl has started.")
                   if verified else _("Not verified yet: we looked in %(where)s.")
                   ) % {"where": found.where}  # fmt: skip
        return _render(request, "agency_sources.html", 200 if verified else 409, agency=agency,
                       sources=agencies.sources_of(session, agency), values={},
                       proof_message=message)  # fmt: skip


def _crawl_soon(request: Request, source_id: int) -> None:
    """Hand the crawl to the queue (inline when ``queue_immediate``)."""
    from crawlers.tasks import register
    from registry.queue import make_huey

    settings = request.app.state.settings
    register(make_huey(settings), settings).crawl_source(source_id, False)
