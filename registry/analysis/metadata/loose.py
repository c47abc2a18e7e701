"""Tolerant accessors for JSON and YAML that real publishers fill in loosely.

Real files put a string where a list belongs, a number where a string belongs, and spell
keys in two cases (``repositoryURL`` / ``repositoryUrl``). These helpers take what can be
taken and never raise, so each reader stays a short list of field mappings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from registry.analysis.metadata import yaml_bounded
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.yaml_bounded import DEFAULT_LIMITS, YamlBudgetError, YamlLimits
from registry.analysis.tree import decode_text

MAX_TEXT = 200_000  # characters kept of any one string value


def load_json(data: bytes, what: str) -> Any:
    """Parse JSON bytes in any encoding ``decode_text`` knows, or raise MetadataError."""
    try:
        return json.loads(decode_text(data))
    except (ValueError, RecursionError) as exc:
        raise MetadataError(f"{what} is not valid JSON: {exc}") from None


def load_yaml(data: bytes, what: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse YAML with the safe loader (no object construction) within ``limits`` (alias
    bombs, cycles, deep nesting and huge values are refused), or raise MetadataError."""
    if len(data) > limits.max_chars * 4:  # no decoding can bring it under the budget
        raise MetadataError(f"{what} is refused: larger than {limits.max_chars} characters")
    try:
        return yaml_bounded.safe_load(decode_text(data), limits)
    except YamlBudgetError as exc:
        raise MetadataError(f"{what} is refused: {exc}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise MetadataError(f"{what} is not valid YAML: {exc}") from None


def text(value: Any) -> str | None:
    """A stripped string, or None for anything that is not a non-empty string or number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        stripped = value.strip()[:MAX_TEXT]
        return stripped or None
    return None


def texts(value: Any, *, split: str | None = None) -> tuple[str, ...]:
    """A tuple of distinct strings from a string, a list of strings, or a list of mixed junk.

    ``split`` cuts a single string into items (keywords given as "a, b, c").
    """
    items: list[Any]
    if isinstance(value, str):
        items = value.split(split) if split else [value]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    seen: dict[str, None] = {}
    for item in items:
        got = text(item)
        if got is not None:
            seen.setdefault(got, None)
    return tuple(seen)


def pick(obj: Any, *names: str) -> Any:
    """The first of ``names`` present in a mapping, matching keys without regard to case."""
    if not isinstance(obj, Mapping):
        return None
    for name in names:
        if name in obj:
            return obj[name]
    lowered = {str(k).lower(): v for k, v in obj.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}
