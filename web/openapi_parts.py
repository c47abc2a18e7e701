"""Building blocks of the OpenAPI document: operations, parameters and answers, so that
each path's helper in ``web.openapi`` says only what is particular to it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from registry.services.repositories import MAX_ID
from web.search_params import LIMITS

Operation = dict[str, Any]

STATUS_TEXT = {
    304: "not modified: the ETag sent in If-None-Match is still current",
    400: "a parameter is wrong; invalid_params names it",
    401: "no API token, or a wrong one",
    403: "the token or its user may not do this",
    404: "no such resource",
    409: "conflicts with what is already there",
    502: "the forge refused or could not be reached",
    503: "the forge asked to wait (rate limited); try again later",
}


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": {"type": "string"}}


READ_HEADERS = {  # every read's answer carries these (schemathesis checks they are there)
    "ETag": _header("send it back in If-None-Match to get 304 while it is current"),
    "Cache-Control": _header("how long a cache may keep the answer"),
    "Access-Control-Allow-Origin": _header("always *: any site may read the API"),
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(description: str, schema: str, *, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": ref(schema)}}}


def operation(
    op_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    tag: str,
    description: str = "",
    parameters: Iterable[dict] = (),
    errors: Iterable[int] = (),
    token: str | None = None,
    body: str | None = None,
    cached: bool = False,
) -> Operation:
    """One operation; ``errors`` are problem+json statuses, ``token`` the scope needed."""
    codes = set(errors) | ({401, 403} if token else set())
    problems = {
        str(code): {
            "description": STATUS_TEXT[code],
            "content": {"application/problem+json": {"schema": ref("Problem")}},
        }
        for code in sorted(codes)
    }
    if cached:  # a read: CORS, an ETag and 304
        responses = {
            status: {**answer, "headers": READ_HEADERS} if status == "200" else answer
            for status, answer in responses.items()
        }
        problems["304"] = {
            "description": STATUS_TEXT[304],
            "headers": {"ETag": READ_HEADERS["ETag"]},
        }
    op: Operation = {
        "operationId": op_id,
        "summary": summary,
        "tags": [tag],
        "parameters": list(parameters),
        "responses": {**responses, **problems},
    }
    if description:
        op["description"] = description
    if token:
        op["security"] = [{"token": [token]}]  # OpenAPI 3.1: a bearer scheme's role names
        op["description"] = (description + f" Needs a token with the {token!r} scope.").strip()
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return op


def query(name: str, description: str, schema: dict, example: Any = None) -> dict:
    param = {"name": name, "in": "query", "required": False, "description": description}
    param["schema"] = schema
    if example is not None:
        param["example"] = example
    return param


def path_param(name: str, description: str, schema: dict, example: Any) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
        "example": example,
    }


def whole(name: str) -> dict:
    least, most = LIMITS[name]
    return {"type": "integer", "minimum": least, "maximum": most}


REPO_ID = path_param(
    "id", "the repository's id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, 1
)
SLUG_SCHEMA = {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 200}  # agencies.slugify
SLUG = path_param("slug", "the agency's slug", SLUG_SCHEMA, "ahs")
EMAIL = path_param("email", "the member's e-mail address", {"type": "string"}, "a@gov.example")
SOURCE_ID = path_param("source_id", "the source's id", {"type": "integer", "minimum": 0}, 1)
