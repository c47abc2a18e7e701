"""Server-rendered pages: search, repository, agencies. They work without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import urlencode

import pycountry
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry import identifiers
from registry.errors import BadRequest, NotFound
from registry.models import Agency
from registry.services import agencies, agency_signup, crawl_runs, repositories, reuse
from web import caching, search_params
from web.bounds import bounded, bounded_all
from web.pictures import activity_sparkline, activity_words, language_bar, language_slices
from web.routes import api
from web.views import (
    badge_markdown,
    clone_command,
    hit_shown,
    hit_status,
    licence_details,
    licence_duties_public,
    readme_html,
    software_heritage_ids,
    status,
)

FACET_LABELS = {
    "licence": "Licence",
    "languages": "Language",
    "maturity": "Maturity",
    "agency": "Agency",
    "country": "Country",
    "topics": "Topic",
    "licence_class": "Licence class",
    "forge": "Forge",
    "archived": "Archived or obsolete",
    "fork": "Is a fork",
    "reused": "Is reused",
}
FACET_TOP = 10  # values shown per facet; "more=<param>" shows them all
PARAM_OF = {field: name for name, field in search_params.FILTER_PARAMS.items()}


def routes() -> list[Route]:
    return [
        Route("/", search_page, name="search"),
        Route("/repositories/{repo_id:id}", repository_page, name="repository"),
        Route("/agencies", agencies_page, name="agencies"),
        Route("/agencies/{slug}", agency_page, name="agency"),
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
        country = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
        return country.name if country else (value or "unknown")
    return value


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
    more = params.get("more", "")
    base = urlencode([(k, v) for k, v in params.multi_items() if k != "page"])
    facets = []
    for field, counts in result.facets.items():
        param = PARAM_OF[field]
        chosen = set(params.getlist(param))
        shown = counts if more == param else counts[:FACET_TOP]
        if chosen:  # keep chosen ones
            shown += [(v, n) for v, n in counts[len(shown) :] if v in chosen]
        facets.append(
            SimpleNamespace(
                label=FACET_LABELS[field],
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
                    for value, n in shown
                ],
                more_url=_more_url(params, param) if len(counts) > len(shown) else None,
                hidden=len(counts) - len(shown),
            )
        )
    return facets


def _more_url(params, param: str) -> str:
    items = [(k, v) for k, v in params.multi_items() if k != "more"]
    return "/?" + urlencode([*items, ("more", param)])


def search_page(request: Request) -> Response:
    try:
        req = search_params.parse(request.query_params)
    except BadRequest:
        req = search_params.parse(request.query_params.__class__(""))
    tag = caching.etag(request)
    if (early := caching.not_modified(request, tag)) is not None:
        return early
    result = request.app.state.index.search(req)
    agencies_shown = [v for v, _ in result.facets.get("agency", [])[:FACET_TOP]]
    agencies_shown += request.query_params.getlist("agency")
    with Session(request.app.state.engine) as session:
        rows = repositories.hit_rows(session, result.ids)
        names = agencies.names(session, agencies_shown)
    hits = [hit_shown(row) for row in rows]
    marks = api.highlights(
        request.app.state.index, result.corrected or req.text, [r.__dict__ for r, _ in hits]
    )
    pages = (result.total + req.per_page - 1) // req.per_page
    base = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    response = request.app.state.templates.TemplateResponse(
        request,
        "search.html",
        {
            "q": req.text,
            "hits": hits,
            "statuses": {row["id"]: hit_status(row) for row in rows},
            "highlights": {
                i: SimpleNamespace(description=m.get("description"), readme=m.get("readme_excerpt"))
                for i, m in marks.items()
            },
            "total": result.total,
            "corrected": result.corrected,
            "did_you_mean": result.did_you_mean,
            "facets": _facets(request, result, names),
            "page": req.page,
            "pages": pages,
            "sort": req.sort,
            "prev_url": "/?" + urlencode([*base, ("page", req.page - 1)]) if req.page > 1 else None,
            "next_url": "/?" + urlencode([*base, ("page", req.page + 1)])
            if req.page < pages
            else None,
        },
    )
    return caching.cached(response, tag)


def repository_page(request: Request) -> Response:
    repo_id = request.path_params["repo_id"]
    with Session(request.app.state.engine) as session:
        repo = repositories.get(session, repo_id)
        agency = session.get(Agency, repo.agency_id)
        assert agency is not None
        langs = repositories.languages(session, repo_id)
        slices = language_slices([(lang.language, lang.share) for lang in langs])
        shown = bounded(repo)  # every string within bounds: stored data never breaks a page
        context = {
            "repo": shown,
            "agency": bounded(agency),
            "languages": bounded_all(langs),
            "language_slices": slices,
            "language_bar": language_bar(slices),
            "sparkline": activity_sparkline(repo.commit_weeks),
            "activity": activity_words(repo.commit_weeks) if repo.commit_weeks else "",
            "evidence": bounded_all(repositories.licence_evidence(session, repo_id)),
            "signals": bounded_all(repositories.maturity_signals(session, repo_id)),
            "reused_by": bounded_all(reuse.reused_by(session, repo_id)),
            "reuses": bounded_all(reuse.reuses(session, repo_id)),
            "clone": clone_command(shown),
            "licences": licence_details(repo.licence),
            "duties": licence_duties_public(repo),
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


def agencies_page(request: Request) -> Response:
    with Session(request.app.state.engine) as session:
        rows = agencies.list_agencies(session)
    return request.app.state.templates.TemplateResponse(
        request, "agencies.html", {"agencies": rows}
    )


def agency_page(request: Request) -> Response:
    _end_stale_runs(request)
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, request.path_params["slug"])
        if agency.status != "approved":  # signed up, not yet reviewed (or refused)
            raise NotFound(f"no agency {agency.slug!r}")
        sources = agencies.sources_of(session, agency)
        context = {
            "identifiers": agency_signup.identifiers_of(session, agency),
            "schemes": identifiers.SCHEMES,
            "agency": bounded(agency),
            "repositories": bounded_all(repositories.of_agency(session, agency.id)),  # type: ignore[arg-type]
            "sources": bounded_all(sources),
            # the agency reads its crawls here: counts, and each repository's error
            "runs": {s.id: bounded_all(_latest_runs(session, s.id)) for s in sources},
        }
    return request.app.state.templates.TemplateResponse(request, "agency.html", context)


def _end_stale_runs(request: Request) -> None:
    """A killed crawl is shown as interrupted, not "running" forever."""
    stale_after = request.app.state.settings.crawl_stale_after
    with Session(request.app.state.engine) as session:
        agency = agencies.get_agency(session, request.path_params["slug"])
        for s in agencies.sources_of(session, agency):
            crawl_runs.interrupt_stale(
                session, now=datetime.now(UTC), stale_after=stale_after, source_id=s.id
            )
        session.commit()


def _latest_runs(session: Session, source_id: int | None) -> list:
    return crawl_runs.latest(session, source_id=source_id or 0, limit=5)
