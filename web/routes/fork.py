"""Fork to my organisation, and "we use this": the pages and their JSON API equivalents.

The fork runs in ``crawlers.forking`` (the forge API, then the ``declared`` edge); these
handlers only read forms, check who asks and show the answer. The person's forge token
travels in the form posts and is stored only when they ask (encrypted, and only when the
operator set a key); the page that carries it back for the confirmation step is marked
``no-store``.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from crawlers import forking
from registry.db import session_scope
from registry.errors import BadRequest, GovcodeError
from registry.models import User
from registry.services import audit, declared, forge_credentials, repositories
from registry.source_kinds import KINDS
from registry.token_box import TokenBox
from registry.urlpolicy import link_url
from web import auth
from web.api_auth import actor as api_actor
from web.api_auth import read_json, token_user
from web.bounds import bounded
from web.i18n import N_, _, error_text
from web.views import licence_duties_public

SCOPE = "fork"


def routes() -> list[Route]:
    return [
        Route("/repositories/{repo_id:id}/fork", fork_page, methods=["GET", "POST"]),
        Route("/repositories/{repo_id:id}/declare", declare_page, methods=["POST"]),
        Route("/api/v1/repositories/{repo_id:id}/fork", fork_api, methods=["GET", "POST"]),
        Route("/api/v1/repositories/{repo_id:id}/declarations", declare_api, methods=["POST"]),
    ]


# -- what the pages and the API show ---------------------------------------------------------
def plan(session: Session, request: Request, repo_id: int, user: User | None) -> dict[str, Any]:
    """How this repository can be forked: through govcode, on the forge's own page, or by
    clone and push; what its licence asks; the agencies the person may sign for."""
    repo = repositories.get(session, repo_id)
    kind = KINDS.get(repo.forge)
    duties = licence_duties_public(repo)
    shown = bounded(repo)
    name = repo.name or "repository"
    clone = shlex.quote(repo.clone_url)
    return {
        "repository_id": repo_id,
        "full_name": shown.full_name,
        "forge": repo.forge,
        "through_govcode": bool(kind and kind.has_fork_api),
        "owner_label": kind.label if kind else "",
        "forge_fork_page": link_url(repo.fork_url) or None,
        "clone_command": f"git clone {clone}",
        "push_commands": [
            f"git clone {clone} {shlex.quote(name)}",
            f"cd {shlex.quote(name)}",
            "git remote rename origin upstream",
            "git remote add origin <the URL of your new, empty repository>",
            "git push -u origin --all",
            "git push origin --tags",
        ],
        "licence_duties": duties.model_dump(mode="json"),
        "licence_unclear": duties.warning is not None,
        "agencies": [a.slug for a in declared.verified_agencies(session, user)] if user else [],
    }


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    response = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"  # a forge token may be on the page
    return response


def _agency_names(session: Session, user: User) -> list[tuple[str, str]]:
    return [(a.slug, a.name) for a in declared.verified_agencies(session, user)]


# -- pages ---------------------------------------------------------------------------------
def fork_page(request: Request) -> Response:
    repo_id = request.path_params["repo_id"]
    form = auth.read_form(request) if request.method == "POST" else None
    engine, settings = request.app.state.engine, request.app.state.settings
    with session_scope(engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        origin = declared.fork_origin(session, repo_id, settings=settings)
        if form is not None and form.get("step") == "forget":
            where = {"forge": origin.forge, "api_url": origin.api_url}
            forge_credentials.forget(session, auth_actor(request, user), **where)
        kept = forge_credentials.find(session, user, forge=origin.forge, api_url=origin.api_url)
        context = {
            "plan": plan(session, request, repo_id, user),
            "duties": licence_duties_public(repositories.get(session, repo_id)),
            "agencies": _agency_names(session, user),
            "can_keep": TokenBox.from_settings(settings) is not None,
            "kept_hint": kept.hint if kept is not None else None,
        }
        session.expunge(user)  # the fork below runs in sessions of its own
    if form is None or form.get("step") == "forget":
        return _render(request, "fork/form.html", values={}, **context)
    values = {k: str(form.get(k) or "") for k in ("owner", "agency", "remember")}
    token = str(form.get("token") or "")
    step = form.get("step")
    try:
        if not context["plan"]["through_govcode"]:
            raise BadRequest(N_("this host has no API to fork through; clone and push instead"))
        values["owner"] = forking.check_request(
            settings, origin, values["owner"], token, kept=context["kept_hint"] is not None
        )
    except GovcodeError as exc:
        return _render(request, "fork/form.html", exc.status_code, values=values,
                       error=error_text(exc), **context)  # fmt: skip
    if step != "fork":
        return _render(request, "fork/confirm.html", values=values, token=token, **context)
    unclear = context["plan"]["licence_unclear"]
    if form.get("confirm") != "yes" or (unclear and form.get("confirm_unclear") != "yes"):
        error = _("Tick the box to confirm you have read what the licence asks.")
        if unclear:
            error = _("Tick both boxes: the licence is unclear, so confirm you will check it.")
        return _render(request, "fork/confirm.html", 400, values=values, token=token,
                       error=error, **context)  # fmt: skip
    try:
        result = forking.fork_repository(
            engine, settings, auth_actor(request, user), repository_id=repo_id,
            owner=values["owner"], token=token, agency_slug=values["agency"] or None,
            remember=values["remember"] == "yes",
        )  # fmt: skip
    except GovcodeError as exc:
        return _render(request, "fork/form.html", exc.status_code, values=values,
                       error=error_text(exc), **context)  # fmt: skip
    return _render(request, "fork/done.html", 201, result=result, **context)


def declare_page(request: Request) -> Response:
    """A verified agency's member: "we use this" (the edge is recorded once)."""
    repo_id = request.path_params["repo_id"]
    form = auth.read_form(request)
    with session_scope(request.app.state.engine) as session:
        user = auth.current_user(request, session)
        if user is None:
            return auth.to_sign_in(request)
        made = _declare(request, session, user, repo_id, str(form.get("agency") or "") or None)
    if made.event_ids:
        forking.deliver_soon(request.app.state.settings)
    return RedirectResponse(f"/repositories/{repo_id}#reuse", status_code=303)


def _declare(
    request: Request, session: Session, user: User, repo_id: int, slug: str | None
) -> declared.Declared:
    agency = declared.member_agency(session, user, slug)
    if agency is None:
        if not declared.verified_agencies(session, user):
            raise BadRequest(N_("only members of a verified agency can declare that they use code"))
        raise BadRequest(N_("choose the agency that uses this repository"))
    base = request.app.state.settings.base_url.rstrip("/")
    return declared.declare_use(
        session, auth_actor(request, user), repository_id=repo_id, agency=agency,
        agency_url=f"{base}/agencies/{agency.slug}", now=datetime.now(UTC),
    )  # fmt: skip


def auth_actor(request: Request, user: User) -> audit.Actor:
    return audit.Actor(user=user, address=auth.client_address(request))


# -- the JSON API --------------------------------------------------------------------------
def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise BadRequest(N_("%(key)r must be true or false"), key=key)
    return value


def _text(data: dict, key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadRequest(N_("give %(key)r as a string"), key=key)
    return value


def fork_api(request: Request) -> Response:
    """GET: how to fork (what the page shows). POST ``{"owner", "forge_token", "agency"?,
    "accept_licence": true, "accept_unclear_licence": true (when the licence is unclear),
    "keep_forge_token"?}`` with a token scoped ``fork``: fork, 201 with the new fork. Without
    ``forge_token``, the token the person asked govcode to keep is used."""
    repo_id = request.path_params["repo_id"]
    engine, settings = request.app.state.engine, request.app.state.settings
    if request.method == "GET":
        with Session(engine) as session:
            return JSONResponse(plan(session, request, repo_id, None))
    data = read_json(request)
    with session_scope(engine) as session:
        user = token_user(request, session, SCOPE)
        shown = plan(session, request, repo_id, user)
        session.expunge(user)
    if not shown["through_govcode"]:
        raise BadRequest(N_("this host has no API to fork through; clone and push instead"))
    if not _flag(data, "accept_licence"):
        raise BadRequest(
            N_("read what the licence asks (licence_duties), then send accept_licence")
        )
    if shown["licence_unclear"] and not _flag(data, "accept_unclear_licence"):
        warning = shown["licence_duties"]["warning"]
        raise BadRequest(
            N_("%(warning)s Send accept_unclear_licence to fork all the same."), warning=warning
        )
    result = forking.fork_repository(
        engine, settings, api_actor(request, user), repository_id=repo_id,
        owner=_text(data, "owner"), token=_text(data, "forge_token", required=False),
        agency_slug=_text(data, "agency", required=False) or None,
        remember=_flag(data, "keep_forge_token"),
    )  # fmt: skip
    return JSONResponse(
        {"repository_id": repo_id, "fork": {"name": result.fork_name, "url": result.fork_url,
         "clone_url": result.clone_url}, "declared_edge_id": result.edge_id,
         "notified": bool(result.event_ids)},
        status_code=201,
    )  # fmt: skip


def declare_api(request: Request) -> Response:
    """POST ``{"agency": slug?}`` with a token scoped ``fork``: the agency uses this."""
    repo_id = request.path_params["repo_id"]
    data = read_json(request)
    with session_scope(request.app.state.engine) as session:
        user = token_user(request, session, SCOPE)
        slug = _text(data, "agency", required=False) or None
        made = _declare(request, session, user, repo_id, slug)
    if made.event_ids:
        forking.deliver_soon(request.app.state.settings)
    return JSONResponse(
        {"repository_id": repo_id, "declared_edge_id": made.edge_id, "created": made.created},
        status_code=201 if made.created else 200,
    )
