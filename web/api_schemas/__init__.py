"""The shapes the JSON API answers with, beyond the entities' own Public models, one
module per area of the API.

Each is named in the OpenAPI document (``web.openapi``) by its class name alone, whichever
module of this package holds it; tests/web/test_schemathesis.py checks the live answers
against them, so the document and the answers cannot drift apart.
"""

from __future__ import annotations

from pydantic import BaseModel

from web.api_schemas import agencies, claims, problems, reuse, search, subscriptions

SCHEMAS: tuple[type[BaseModel], ...] = (
    *problems.SCHEMAS,
    *search.SCHEMAS,
    *agencies.SCHEMAS,
    *reuse.SCHEMAS,
    *subscriptions.SCHEMAS,
    *claims.SCHEMAS,
)
