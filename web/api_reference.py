"""The API reference page's content, read from the OpenAPI document (never written twice).

``reference(document)`` turns the document into what ``api.html`` lists: operations by
tag with their parameters, request body, responses and an example request, then each
schema with its fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

REF = "#/components/schemas/"
PROBLEM_EXAMPLE = {
    "type": "about:blank",
    "title": "Bad request",
    "status": 400,
    "detail": "per_page must be 1–100",
    "instance": "/api/v1/repositories",
    "invalid_params": [{"name": "per_page", "in": "query", "reason": "per_page must be 1–100"}],
}


@dataclass
class Param:
    name: str
    where: str
    required: bool
    type: str
    description: str
    example: str


@dataclass
class Reply:
    status: str
    description: str
    media: list[tuple[str, str, str | None]]  # media type, type text, schema name (a link)
    headers: list[str] = field(default_factory=list)


@dataclass
class Op:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    token: bool
    params: list[Param]
    body: str | None
    replies: list[Reply]
    example: str  # a request to copy


@dataclass
class Group:
    name: str
    description: str
    operations: list[Op] = field(default_factory=list)


@dataclass
class Schema:
    name: str
    description: str
    type: str
    fields: list[tuple[str, str, bool]]  # name, type text, required
    example: str = ""  # JSON


def ref_name(schema: dict[str, Any]) -> str | None:
    target = schema.get("$ref", "")
    return target.removeprefix(REF) if target.startswith(REF) else None


def type_text(schema: dict[str, Any]) -> str:
    """A schema in a few words: ``string``, ``array of RepositoryPublic``, ``integer or null``."""
    if not schema:
        return "any"
    if name := ref_name(schema):
        return name
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(dict.fromkeys(type_text(s) for s in schema[key]))
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"array of {type_text(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_text(schema['additionalProperties'])}"
    bounds = [
        f"{word} {schema[key]}"
        for key, word in (("minimum", "from"), ("maximum", "to"), ("maxLength", "up to"))
        if key in schema
    ]
    if "maxLength" in schema:
        bounds[-1] += " characters"
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def example_request(base_url: str, path: str, method: str, params: list[dict]) -> str:
    url_path = path
    query: list[tuple[str, str]] = []
    for p in params:
        value = p.get("example")
        if value is None:
            continue
        if p["in"] == "path":
            url_path = url_path.replace("{" + p["name"] + "}", str(value))
        elif p["in"] == "query":
            values = value if isinstance(value, list) else [value]
            query += [(p["name"], str(v)) for v in values]
    url = base_url + url_path + ("?" + urlencode(query) if query else "")
    verb = "" if method == "get" else f"-X {method.upper()} "
    return f"curl {verb}'{url}'"


def _replies(responses: dict[str, Any]) -> list[Reply]:
    replies = []
    for status, response in responses.items():
        media = [
            (kind, type_text(content.get("schema", {})), ref_name(content.get("schema", {})))
            for kind, content in response.get("content", {}).items()
        ]
        headers = list(response.get("headers", {}))
        replies.append(Reply(status, response.get("description", ""), media, headers))
    return sorted(replies, key=lambda r: r.status)


def _example_text(value: Any) -> str:
    if value is None:
        return ""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _operation(base_url: str, path: str, method: str, op: dict[str, Any]) -> Op:
    params = [
        Param(
            name=p["name"],
            where=p["in"],
            required=bool(p.get("required")),
            type=type_text(p.get("schema", {})),
            description=p.get("description", ""),
            example=_example_text(p.get("example")),
        )
        for p in op.get("parameters", [])
    ]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    return Op(
        method=method.upper(),
        path=path,
        anchor=op.get("operationId", f"{method}-{path}"),
        summary=op.get("summary", ""),
        description=op.get("description", ""),
        token=bool(op.get("security")),
        params=params,
        body=ref_name(body.get("schema", {})) if body else None,
        replies=_replies(op.get("responses", {})),
        example=example_request(base_url, path, method, op.get("parameters", [])),
    )


def _schema(name: str, schema: dict[str, Any]) -> Schema:
    required = set(schema.get("required", []))
    fields = [
        (prop, type_text(sub), prop in required)
        for prop, sub in schema.get("properties", {}).items()
    ]
    examples = schema.get("examples") or [None]
    example = json.dumps(examples[0], indent=2, ensure_ascii=False) if examples[0] else ""
    return Schema(name, schema.get("description", ""), type_text(schema), fields, example)


def reference(document: dict[str, Any]) -> dict[str, Any]:
    base_url = document["servers"][0]["url"] if document.get("servers") else ""
    groups = {t["name"]: Group(t["name"], t.get("description", "")) for t in document["tags"]}
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, Group(tag, "")).operations.append(
                _operation(base_url, path, method, op)
            )
    schemas = document["components"]["schemas"]
    return {
        "title": document["info"]["title"],
        "version": document["info"]["version"],
        "description": document["info"].get("description", ""),
        "base_url": base_url,
        "groups": [g for g in groups.values() if g.operations],
        "schemas": [_schema(name, schemas[name]) for name in sorted(schemas)],
        "problem_example": json.dumps(PROBLEM_EXAMPLE, indent=2, ensure_ascii=False),
    }
