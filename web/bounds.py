"""Bound every string where stored data enters a page or an API answer.

The crawl side validates what it stores, but a row written before that (or by SQLite, which
never enforces ``VARCHAR(n)``) may hold a 5,000-character ``developmentStatus``: it must be
shown shortened, never make a page answer 500. Each string is cut to its column's declared
``max_length`` (unbounded text to ``TEXT_LIMIT``), each list to ``LIST_LIMIT`` items of at
most ``ITEM_LIMIT`` characters, with an ellipsis where something was cut. A URL that does
not fit is dropped instead: a shortened URL is another URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any

from annotated_types import MaxLen
from pydantic.fields import FieldInfo
from sqlmodel import SQLModel

TEXT_LIMIT = 20_000
LIST_LIMIT = 100
ITEM_LIMIT = 300
ITEM_LIMITS = {"licence_mismatches": 2_000}  # each explains itself in a few sentences
ELLIPSIS = "…"
URL_FIELDS = frozenset({"html_url", "clone_url", "fork_url", "homepage", "parent_url", "url_key"})


def clip(value: str, limit: int) -> str:
    """``value`` if it fits in ``limit`` characters, else its start and an ellipsis."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + ELLIPSIS


def max_length(field: FieldInfo) -> int | None:
    for rule in field.metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    return None


def bounded_fields(row: SQLModel, model: type[SQLModel] | None = None) -> dict[str, Any]:
    """``row``'s fields as a dict, every string within the tighter of its own column's
    limit and that of the same field of ``model`` (the public shape it is going into)."""
    own, shown = type(row).model_fields, (model or type(row)).model_fields
    # Only the fields the public shape has, and never a column the query left unloaded:
    # dumping those would copy large texts and load each deferred column, a query per row.
    wanted = set(shown) & set(own) if model is not None else set(own)
    state = getattr(row, "_sa_instance_state", None)
    data = row.model_dump(include=wanted - (state.unloaded if state is not None else set()))
    return _bounded(data, _plan(type(row), model or type(row)))


def bounded_values(
    values: dict[str, Any], own: type[SQLModel], model: type[SQLModel] | None = None
) -> dict[str, Any]:
    """``bounded_fields`` for column values read without an ORM object (search hits): the
    values of ``own``'s fields, bounded as ``bounded_fields(own(**values), model)`` is."""
    plan = _plan(own, model or own)
    return _bounded({k: v for k, v in values.items() if k in plan}, plan)


_Plan = dict[str, tuple[int, int, bool, Any]]


@cache
def _plan(own_model: type[SQLModel], shown_model: type[SQLModel]) -> _Plan:
    """Per field: its limit, its items' limit, whether it is a URL, and the URL's fallback."""
    own, shown = own_model.model_fields, shown_model.model_fields
    names = set(shown) & set(own) if shown_model is not own_model else set(own)
    plan: _Plan = {}
    for name in names:
        field = shown.get(name) or own.get(name)
        limits = [max_length(f) for f in (own.get(name), shown.get(name)) if f is not None]
        limit = min((n for n in limits if n is not None), default=TEXT_LIMIT)
        fallback = "" if field is None or field.is_required() else field.default
        plan[name] = (limit, ITEM_LIMITS.get(name, ITEM_LIMIT), name in URL_FIELDS, fallback)
    return plan


def _bounded(data: dict[str, Any], plan: _Plan) -> dict[str, Any]:
    for name, value in data.items():
        limit, item_limit, url, fallback = plan[name]
        if isinstance(value, str):
            if len(value) > limit:
                data[name] = fallback if url else clip(value, limit)
        elif isinstance(value, list | dict):
            data[name] = _bound(value, limit, item_limit)
    return data


def _bound(value: Any, limit: int, item_limit: int = ITEM_LIMIT) -> Any:
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, list):
        return [_bound(item, item_limit) for item in value[:LIST_LIMIT]]
    if isinstance(value, dict):
        return {key: _bound(item, limit) for key, item in list(value.items())[:LIST_LIMIT]}
    return value


def bounded(row: SQLModel) -> SimpleNamespace:
    """``row`` for a template: the same attribute names, every string within bounds."""
    return SimpleNamespace(**bounded_fields(row))


def bounded_all(rows: Iterable[SQLModel]) -> list[SimpleNamespace]:
    return [bounded(row) for row in rows]
