"""Problem details: the shape of every error the JSON API answers with."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InvalidParam(BaseModel):
    name: str
    in_: str = Field(alias="in")  # query | path | header | body
    reason: str


class Problem(BaseModel):
    """Problem details (RFC 9457), served as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None


# the ones the OpenAPI document names
SCHEMAS: tuple[type[BaseModel], ...] = (Problem,)
