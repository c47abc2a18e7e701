"""The API reference page at /api: every documented operation, its parameters, responses
and an example, rendered on the server from the OpenAPI document (no script, no CDN)."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer
from web.api_reference import type_text
from web.openapi import openapi_document


def test_the_page_lists_every_operation_with_its_parts(settings):
    with LiveServer(settings) as live:
        r = httpx.get(live.url + "/api")
        home = httpx.get(live.url + "/").text
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<a href="/api">API</a>' in home
    doc = openapi_document(live.url)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert f'id="{op["operationId"]}"' in page, op["operationId"]
            assert (
                f'<span class="method">{method.upper()}</span> <code class="wrap">{path}</code>'
                in page
            )
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    # parameters with their types and examples, responses linked to their schemas, examples
    assert "<code>per_page</code>" in page and "integer (from 1, to 100)" in page
    assert '<a href="#schema-RepositoryPage">RepositoryPage</a>' in page
    assert f"curl &#39;{live.url}/api/v1/repositories/1&#39;" in page
    assert "invalid_params" in page and "application/problem+json" in page
    assert "Headers: <code>ETag</code>" in page  # a read's answer headers
    assert "&#34;suggestions&#34;: [" in page  # a schema's example
    # every in-page link has its target
    for target in set(re.findall(r'href="#([^"]+)"', page)):
        assert f'id="{target}"' in page, target
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from elsewhere


def test_types_read_as_words():
    assert type_text({"type": "array", "items": {"$ref": "#/components/schemas/Member"}}) == (
        "array of Member"
    )
    assert type_text({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string or null"
    assert type_text({"enum": ["json", "csv"]}) == 'one of "json", "csv"'
