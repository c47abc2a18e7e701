"""The subscriptions page: every subscription of the signed-in person, on every channel;
make one (e-mail at once or daily, webhook, private Atom feed) for a repository, an agency
or a saved search; stop, resume or change how often."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from registry import confirmations
from registry.errors import BadRequest, GovcodeError
from registry.models import FREQUENCIES
from registry.notify.channels import CHANNELS, EMAIL
from registry.search.saved import SavedSearch
from registry.services import agencies, following, repositories, subscription_links
from registry.urlpolicy import check_url
from web import auth, follow_words
from web.i18n import N_, _, error_text


def routes() -> list[Route]:
    return [
        Route("/account/subscriptions", my_subscriptions),
        Route("/account/subscriptions/new", new_subscription, methods=["GET", "POST"]),
        Route("/account/subscriptions/{sub_id:id}", edit_subscription, methods=["POST"]),
    ]


def _secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def my_subscriptions(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        secret = _secret(request)
        rows = [
            (row, subscription_links.token_for(secret, row.subscription.id or 0))
            for row in following.of_user(visit.session, visit.user)
        ]
        return _page(
            request, "account_subscriptions.html", rows=rows, channels=CHANNELS,
            frequencies=FREQUENCIES,
        )  # fmt: skip


def target_of(visit: auth.Visit, values: Any) -> tuple[following.Target, str]:
    """The thing to follow named by ``repository`` (id), ``agency`` (slug) or ``search``
    (a query string), and how to call it; ``BadRequest``/``NotFound`` otherwise."""
    repository, agency, search = (str(values.get(k, "") or "").strip()
                                  for k in ("repository", "agency", "search"))  # fmt: skip
    if sum(bool(x) for x in (repository, agency, search)) != 1:
        raise BadRequest(N_("say what to follow: one repository, one agency or one saved search"))
    if repository:
        if not repository.isdigit() or len(repository) > 19:
            raise BadRequest(N_("a repository is named by its number"))
        repo = repositories.get(visit.session, int(repository))
        return following.Target(repository_id=repo.id), repo.full_name
    if agency:
        found = agencies.get_agency(visit.session, agency)
        return following.Target(agency_id=found.id), found.name
    saved = SavedSearch.from_query_string(search)
    words = _("the search %(search)s") % {"search": follow_words.search_words(saved)}
    return following.Target(search_query=saved.query_string()), words


def _hidden(values: Any) -> dict[str, str]:
    return {k: str(values.get(k, "") or "") for k in ("repository", "agency", "search")}


def new_subscription(request: Request) -> Response:
    settings = request.app.state.settings
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        values = visit.form if visit.form is not None else request.query_params
        form = {"target": _hidden(values), "channels": CHANNELS, "frequencies": FREQUENCIES,
                "values": {k: str(values.get(k, "") or "") for k in
                           ("channel", "address", "frequency")}}  # fmt: skip
        try:
            target, label = target_of(visit, values)
        except GovcodeError as exc:
            return _page(request, "account_subscription_new.html", exc.status_code,
                         label="", error=error_text(exc), **form)  # fmt: skip
        if visit.form is None:
            return _page(request, "account_subscription_new.html", label=label, **form)
        try:
            with visit.session.begin_nested():
                made = following.create(
                    visit.session, visit.actor, channel=str(values.get("channel", EMAIL.name)),
                    target=target, address=str(values.get("address", "")),
                    frequency=str(values.get("frequency", "immediate") or "immediate"),
                    url_check=partial(check_url, allow_http_hosts=settings.allow_http_hosts),
                )  # fmt: skip
        except GovcodeError as exc:
            return _page(request, "account_subscription_new.html", exc.status_code,
                         label=label, error=error_text(exc), **form)  # fmt: skip
        sub_id = made.subscription.id or 0
    if made.confirm_to:
        send_confirmation(request, sub_id=sub_id)
    feed_url = f"{settings.base_url.rstrip('/')}/feeds/private/{made.feed_token}.atom"
    return _page(
        request, "account_subscription_made.html", 201, label=label, made=made,
        feed_url=feed_url if made.feed_token else None,
    )  # fmt: skip


def send_confirmation(request: Request, *, sub_id: int) -> bool:
    """Mail the owner of an address someone else added; nothing is sent to it before."""
    state = request.app.state
    return confirmations.ask(state.engine, state.settings, state.mailer, ids=[sub_id])["asked"] == 1


def edit_subscription(request: Request) -> Response:
    with auth.signed_in(request) as visit:
        if visit is None:
            return auth.to_sign_in(request)
        form = visit.form or {}
        action = str(form.get("action", ""))
        frequency = str(form.get("frequency", "")) or None
        active = {"stop": False, "resume": True}.get(action)
        following.update(
            visit.session, visit.actor, subscription_id=request.path_params["sub_id"],
            active=active, frequency=frequency,
        )  # fmt: skip
    return RedirectResponse("/account/subscriptions", status_code=303)
