"""The catalogue pages' paths in the OpenAPI document (``web.routes.api_catalogue``): the
home page's stats, one agency, the countries, one country, one licence (one helper a path)."""

from __future__ import annotations

from collections.abc import Callable

from web.openapi_parts import SLUG, Operation, ok, operation, path_param, query

CODE = path_param(
    "code", "an ISO 3166-1 alpha-2 country code", {"type": "string", "minLength": 1}, "CA"
)
SPDX = path_param(
    "spdx",
    "an SPDX licence expression, or none",
    {"type": "string", "minLength": 1, "maxLength": 200},
    "MIT",
)
LISTING = [  # web.routes.api_catalogue.list_request
    query("page", "the page", {"type": "integer", "minimum": 1, "maximum": 1000}, 1),
    query("per_page", "repositories a page", {"type": "integer", "minimum": 1, "maximum": 100}, 20),
    query("sort", "the order of the repositories (default stars)",
          {"enum": ["relevance", "stars", "updated"]}, "stars"),
]  # fmt: skip


def _stats() -> dict[str, Operation]:
    return {
        "get": operation(
            "catalogueStats",
            "The catalogue's counts, newest and most reused repositories",
            {"200": ok("what the home page shows", "CatalogueStats")},
            tag="catalogue",
            cached=True,
        )
    }


def _agency() -> dict[str, Operation]:
    return {
        "get": operation(
            "getAgency",
            "One agency: repositories, reuse given and received, sources, crawls",
            {"200": ok("what the agency page shows", "AgencyDetail")},
            tag="agencies",
            parameters=[SLUG],
            errors=[404],
            cached=True,
        )
    }


def _countries() -> dict[str, Operation]:
    return {
        "get": operation(
            "listCountries",
            "Countries with approved agencies, with agency and repository counts",
            {"200": ok("the countries", "CountryList")},
            tag="catalogue",
            cached=True,
        )
    }


def _country() -> dict[str, Operation]:
    return {
        "get": operation(
            "getCountry",
            "One country: its agencies and a page of its repositories",
            {"200": ok("what the country page shows", "CountryDetail")},
            tag="catalogue",
            parameters=[CODE, *LISTING],
            errors=[400, 404],
            cached=True,
        )
    }


def _licence() -> dict[str, Operation]:
    return {
        "get": operation(
            "getLicence",
            "One licence (an SPDX expression, or none): what it allows and requires, and a "
            "page of the repositories under it",
            {"200": ok("what the licence page shows", "LicencePageDetail")},
            tag="catalogue",
            parameters=[SPDX, *LISTING],
            errors=[400, 404],
            cached=True,
        )
    }


CATALOGUE_PATHS: dict[str, Callable[[], dict[str, Operation]]] = {
    "/api/v1/stats": _stats,
    "/api/v1/agencies/{slug}": _agency,
    "/api/v1/countries": _countries,
    "/api/v1/countries/{code}": _country,
    "/api/v1/licences/{spdx}": _licence,
}
