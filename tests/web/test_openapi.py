"""The OpenAPI document matches the app's routes exactly, and names every response schema."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount, Route

from web.app import create_app
from web.errors import for_machines
from web.openapi import openapi_document

METHODS = {"get", "put", "post", "delete", "patch"}


def shape(path: str) -> str:
    """A path with its parameters unnamed: the document names the repository's id ``id``
    where the routes call it ``repo_id``."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def _routes(routes, prefix: str = "") -> set[tuple[str, str]]:
    """(path shape, method) of every route for programs: the API, exports, feeds, badges."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= _routes(route.routes, prefix + route.path)
        elif isinstance(route, Route) and for_machines(prefix + route.path):
            path = shape(prefix + route.path)
            found |= {(path, m.lower()) for m in route.methods or () if m != "HEAD"}
    return found


@pytest.fixture(scope="module")
def document() -> dict:
    return openapi_document("https://govcode.example")


def test_the_document_and_the_routes_match_both_ways(settings, document):
    app = create_app(settings)
    routed = _routes(app.routes)
    documented = {(shape(p), m) for p, ops in document["paths"].items() for m in ops}
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations the app does not have"
    assert len(routed) >= 24


def test_every_response_names_its_schema(document):
    schemas = document["components"]["schemas"]
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert method in METHODS and op["operationId"] and op["summary"]
            named = set(re.findall(r"\{([^}]+)\}", path))
            assert named == {p["name"] for p in op["parameters"] if p["in"] == "path"}
            for status, response in op["responses"].items():
                if status in ("204", "304"):
                    assert "content" not in response
                    continue
                assert response["content"], (path, method, status)
                for media, content in response["content"].items():
                    schema = content["schema"]
                    name = schema["$ref"].rsplit("/", 1)[-1]
                    assert name in schemas, (path, method, status, name)
                    if status.startswith("4"):
                        assert media == "application/problem+json" and name == "Problem"


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator

    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_reference_resolves(document):
    text = str(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"], name


def test_the_document_is_served(settings):
    import httpx

    from tests.conftest import LiveServer

    with LiveServer(settings) as live:
        doc = httpx.get(live.url + "/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": live.url}]
    assert "/api/v1/repositories/{id}" in doc["paths"]


def test_the_apis_own_shapes_keep_their_class_names(document):
    """A schema's name is what clients generate code from: the shapes of ``web.api_schemas``
    are named by class alone, whichever module of the package holds them, and a clashing
    name elsewhere takes its module's name (a rename would break every client)."""
    from web import api_schemas

    schemas = document["components"]["schemas"]
    own = {model.__name__ for model in api_schemas.SCHEMAS}
    assert len({m.__module__ for m in api_schemas.SCHEMAS}) > 1  # the package is split
    assert own <= schemas.keys()
    # two RepositoryPage models: the search answer keeps the name, the catalogue's is prefixed
    assert schemas["RepositoryPage"]["properties"].keys() >= {"facets", "next_cursor"}
    assert "CataloguePage" in schemas and "CatalogueAgencySummary" in schemas
    assert not [name for name in schemas if "__" in name or name.startswith("Search")]
