"""Server-rendered pages: search, repository, agencies. They work without JavaScript."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from urllib.parse import urlencode

import pycountry
from babel import Locale
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry import identifiers, source_kinds
from registry.errors import BadRequest
from registry.models import Agency
from registry.services import (
    agencies,
    agency_claims,
    agency_signup,
    crawl_runs,
    declared,
    repositories,
    reuse,
)
from web import auth, caching, i18n, search_params
from web.bounds import bounded, bounded_all
from web.i18n import _, ngettext
from web.labels import FACET_LABELS, VALUE_LABELS, label
from web.pictures import activity_sparkline, activity_words, language_bar, language_slices
from web.reuse_picture import legend, reuse_graph
from web.routes import api, api_catalogue, catalogue_pages
from web.views import (
    badge_markdown,
    clone_command,
    edge_public,
    header_facts,
    licence_details,
    licence_duties_public,
    readme_html,
    repository_descriptions,
    reuse_edges_public,
    software_heritage_ids,
    status,
    versions_public,
)

PARAM_OF = search_params.PARAM_OF


def routes() -> list[Route]:
    return [
        Route("/", search_page, name="search"),
        Route("/repositories/{repo_id:id}", repository_page, name="repository"),
        Route("/agencies", agencies_page, name="agencies"),
        Route("/agencies/{slug}", agency_page, name="agency"),
        *catalogue_pages.routes(),
    ]


def health(request: Request) -> Response:
    """From memory: no index reader is opened and no query is sent."""
    follower = request.app.state.follower
    ok = follower.healthy()
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "indexed": request.app.state.index.count()},
        status_code=200 if ok else 503,
    )


def _facet_label(field: str, value: str, agency_names: dict[str, str]) -> str:
    """What a person reads for a facet value: agency and country names, not codes."""
    if field == "agency":
        return agency_names.get(value, value)
    if field == "country":
        return country_name(value)
    if field in VALUE_LABELS:
        return label(value, VALUE_LABELS[field])
    return value


def country_name(code: str) -> str:
    """A country's name in the visitor's language (Babel's CLDR data; pycountry's English
    name for a code CLDR lacks)."""
    if len(code) != 2:
        return code or _("unknown")
    name = Locale.parse(i18n.current()).territories.get(code.upper())
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def _toggle_url(params, param: str, value: str) -> str:
    """The URL of this search with ``param=value`` switched on or off (and page reset)."""
    items = [(k, v) for k, v in params.multi_items() if k != "page"]
    if (param, value) in items:
        items.remove((param, value))
    else:
        items.append((param, value))
    return "/?" + urlencode(items)


def _switch_on_url(base: str, param: str, value: str) -> str:
    """``_toggle_url`` for a value not chosen yet: this search's query string without
    ``page`` (``base``, encoded once per page) and the one pair appended."""
    pair = urlencode([(param, value)])
    return "/?" + (f"{base}&{pair}" if base else pair)


def _facets(request: Request, result, names: dict[str, str]) -> list[SimpleNamespace]:
    """The facet lists the page shows. Namespaces, not dicts: Jinja reads ``v.count`` from
    a dict only after an AttributeError, hundreds of times a page."""
    params = request.query_params
    base = urlencode([(k, v) for k, v in params.multi_items() if k != "page"])
    facets = []
    for field, counts in result.facets.items():
        param = PARAM_OF[field]
        chosen = set(params.getlist(param))
        facets.append(
            SimpleNamespace(
                label=_(FACET_LABELS[field]),
                param=param,
                values=[
                    SimpleNamespace(
                        value=value,
                        label=_facet_label(field, value, names),
                        count=n,
                        checked=value in chosen,
                        url=_toggle_url(params, param, value)
                        if value in chosen
                        else _switch_on_url(base, param, value),
                    )
                    for value, n in counts
                ],
                more_url=_more_url(params, param) if field in result.more_facets else None,
            )
        )
    return facets


def _more_url(params, param: str) -> str:
    items = [(k, v) for k, v in params.multi_items() if k != "more"]
    return "/?" + urlencode([*items, ("more", param)])


KEEP = ("sort", "per_page", "active_days")  # carried by every form and link of a search


def _without(params, param: str, value: str) -> str:
    """This search with one filter value removed (and the page reset)."""
    items = [(k, v) for k, v in params.multi_items() if k != "page" and (k, v) != (param, value)]
    return "/?" + urlencode(items)


def active_days_label(value: str) -> str:
    """The ``active_days`` filter's value in words ("30 days", "30 jours")."""
    if not value.isdigit():
        return value
    days = int(value)
    return ngettext("%(num)s day", "%(num)s days", days) % {"num": i18n.format_number(days)}


def _chips(params, names: dict[str, str]) -> list[dict]:
    """One chip per active filter; following its link removes that filter alone."""
    chips = []
    for param, value in dict.fromkeys(params.multi_items()):
        field = search_params.FILTER_PARAMS.get(param)
        if field and value:
            label = _facet_label(field, value, names)
            chips.append({"name": _(FACET_LABELS[field]), "label": label, "param": param})
        elif param == "active_days" and value:
            label = active_days_label(value)
            chips.append({"name": _("Committed to in the last"), "label": label, "param": param})
        else:
            continue
        chips[-1].update(value=value, url=_without(params, param, value))
    return chips


def search_page(request: Request) -> Response:
    if not request.query_params:
        return catalogue_pages.home(request)
    try:
        req = search_params.parse(request.query_params)
    except BadRequest:
        req = search_params.parse(request.query_params.__class__(""))
    try:  # the page shows each facet's top values; "more=<param>" all of that one
        req = search_params.with_facet_window(request.query_params, req)
    except BadRequest:
        req = replace(req, facet_top=search_params.FACET_TOP)
    tag = caching.etag(request)
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    result = request.app.state.index.search(req)
    params = request.query_params
    agencies_shown = [v for v, _ in result.facets.get("agency", [])]
    agencies_shown += params.getlist("agency")
    with Session(request.app.state.engine) as session:  # one for the hits and the names
        hits = api.search_hits(request, result, req.text, session)
        names = agencies.names(session, agencies_shown)
    pages = (result.total + req.per_page - 1) // req.per_page
    base = [(k, v) for k, v in params.multi_items() if k != "page"]
    chips = _chips(params, names)
    keep = [(k, v) for k, v in params.multi_items() if k in KEEP and v]
    response = request.app.state.templates.TemplateResponse(
        request,
        "search.html",
        {
            "q": req.text,
            "hits": hits,
            "total": result.total,
            "corrected": result.corrected,
            "did_you_mean": result.did_you_mean,
            "facets": _facets(request, result, names),
            "chips": chips,
            "clear_url": "/?" + urlencode([(k, v) for k, v in base if k == "q" or k in KEEP]),
            "chosen": [(c["param"], c["value"]) for c in chips if c["param"] != "active_days"]
            + [(k, v) for k, v in keep if k != "sort"],
            "keep": keep,
            "filters_open": bool(params.get("more")),
            "page": req.page,
            "per_page": req.per_page,
            "pages": pages,
            "sort": req.sort,
            "feed_url": search_params.feed_url(request.query_params),
            "prev_url": "/?" + urlencode([*base, ("page", req.page - 1)]) if req.page > 1 else None,
            "next_url": "/?" + urlencode([*base, ("page", req.page + 1)])
            if req.page < pages
            else None,
        },
    )
    return caching.cached(request, response, tag)


def repository_page(request: Request) -> Response:
    repo_id = request.path_params["repo_id"]
    with Session(request.app.state.engine) as session:
        repo = repositories.get(session, repo_id)
        agency = session.get(Agency, repo.agency_id)
        assert agency is not None
        langs = repositories.languages(session, repo_id)
        slices = language_slices([(lang.language, lang.share) for lang in langs])
        shown = bounded(repo)  # every string within bounds: stored data never breaks a page
        reused_by, reuses = reuse.reused_by(session, repo_id), reuse.reuses(session, repo_id)
        edges_by = [edge_public(e, "reused_by", seen_from=repo_id) for e in reused_by]
        edges_to = [edge_public(e, "reuses", seen_from=repo_id) for e in reuses]
        context = {
            "repo": shown,
            "descriptions": repository_descriptions(session, repo).texts,
            "agency": bounded(agency),
            "languages": bounded_all(langs),
            "language_slices": slices,
            "language_bar": language_bar(slices),
            "sparkline": activity_sparkline(repo.commit_weeks),
            "activity": activity_words(repo.commit_weeks) if repo.commit_weeks else "",
            "evidence": bounded_all(repositories.licence_evidence(session, repo_id)),
            "signals": bounded_all(repositories.maturity_signals(session, repo_id)),
            "reused_by": bounded_all(reused_by),
            "declarers": {
                e.id: declared.declarer(session, e)
                for e in reused_by
                if e.kind == declared.DECLARED
            },
            "declare_agencies": _declare_agencies(request, session),
            "reuses": bounded_all(reuses),
            "past_reuse": reuse_edges_public(session, repo_id, ended=True),
            "versions": versions_public(session, repo_id),
            **header_facts(session, repo),
            "reuse_graph": reuse_graph(shown.full_name, edges_by, edges_to),
            "reuse_graph_narrow": reuse_graph(shown.full_name, edges_by, edges_to, narrow=True),
            "reuse_legend": legend(edges_by, edges_to),
            "clone": clone_command(shown),
            "licences": licence_details(repo.licence),
            "duties": licence_duties_public(repo, gettext=_),
            "swh": software_heritage_ids(repo),
            "badge": badge_markdown(request.app.state.settings.base_url, repo.full_name, repo_id),
            "readme_html": readme_html(
                repo, max_chars=request.app.state.settings.readme_render_max_chars
            ),
            "status": status(repo),
            "similar": [
                (bounded(r), bounded(a))
                for r, a, _ in repositories.hits(
                    session, api.similar_ids(request, session, repo_id)
                )
            ],
        }
    return request.app.state.templates.TemplateResponse(request, "repository.html", context)


def _declare_agencies(request: Request, session: Session) -> list[tuple[str, str]]:
    """The verified agencies the signed-in person may declare "we use this" for."""
    if not request.session.get("uid"):
        return []
    user = auth.current_user(request, session)
    return [(a.slug, a.name) for a in declared.verified_agencies(session, user)] if user else []


def agencies_page(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = agencies.list_agencies(session)
    return request.app.state.templates.TemplateResponse(
        request, "agencies.html", {"agencies": rows}
    )


def agency_page(request: Request) -> Response:
    detail = api_catalogue.agency_data(request)  # what /api/v1/agencies/{slug} returns
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, request.path_params["slug"])
        sources = agencies.sources_of(session, agency)
        context = {
            "detail": detail,
            "identifiers": agency_signup.identifiers_of(session, agency),
            "schemes": identifiers.SCHEMES,
            "kinds": source_kinds.KINDS,
            "unclaimed": agency_claims.is_unclaimed(session, agency),
            "agency": bounded(agency),
            "sources": bounded_all(sources),
            # the agency reads its crawls here: counts, and each repository's error
            "runs": {s.id: bounded_all(_latest_runs(session, s.id)) for s in sources},
        }
    return request.app.state.templates.TemplateResponse(request, "agency.html", context)


def _latest_runs(session: Session, source_id: int | None) -> list:
    return crawl_runs.latest(session, source_id=source_id or 0, limit=5)
