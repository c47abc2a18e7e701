"""publiccode.yml bytes to YAML nodes that remember where each key is.

We compose (never construct) the document: the nodes keep line and column, no Python
object is built from tags, and the scalars stay the text the author wrote, so the
validator can apply YAML 1.2 rules the reference parser (Go, yaml.v3) applies
(``yes`` is a string, not a boolean) rather than PyYAML's YAML 1.1 ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry.analysis.metadata import yaml_bounded
from registry.analysis.metadata.yaml_bounded import YamlBudgetError, YamlLimits

# Nesting and node budgets: aliases can make a small file a huge (or cyclic) graph.
MAX_DEPTH = 40
MAX_NODES = 50_000
LIMITS = YamlLimits(max_nodes=MAX_NODES, max_depth=MAX_DEPTH, max_chars=5_000_000)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode"]


@dataclass(frozen=True)
class YamlFailure:
    """Why the bytes are not a YAML document, and where (1-based) when known."""

    message: str
    line: int | None
    column: int | None


def compose(text: str) -> Node | YamlFailure | None:
    """The document's root node; None for an empty document; YamlFailure on any error.

    Documents whose aliases loop, nest deeper than MAX_DEPTH or expand past MAX_NODES are
    refused here (as yaml.v3 refuses excessive aliasing), so later walks need no guard.
    """
    try:
        return yaml_bounded.compose(text, LIMITS)
    except YamlBudgetError as exc:
        return YamlFailure(f"invalid YAML: {exc}", None, None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return YamlFailure(f"invalid YAML: {message}", *where)
    except Exception as exc:  # PyYAML raises odd things on odd bytes; none may escape
        return YamlFailure(f"invalid YAML: {type(exc).__name__}", None, None)


def position(node: Node | None) -> tuple[int | None, int | None]:
    """1-based line and column of a node (None, None when there is no node)."""
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1


def is_null(node: Node | None) -> bool:
    return node is None or (
        isinstance(node, ScalarNode) and node.style is None and node.value in _NULLS
    )


def as_bool(node: ScalarNode) -> bool | None:
    """YAML 1.2 core booleans only, and only unquoted: ``"true"`` and ``yes`` are not."""
    return _BOOLS.get(node.value) if node.style is None else None


def items(node: MappingNode) -> Iterator[tuple[str, ScalarNode, Node]]:
    """(key text, key node, value node) for every scalar key of a mapping."""
    for key, value in node.value:
        if isinstance(key, ScalarNode):
            yield key.value, key, value


def child(path: str, key: str | int) -> str:
    """Paths as the reference parser writes them: ``a.b``, ``a[0]``, ``description[en-US]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key}]"


def plain(node: Node | None, depth: int = 0) -> object:
    """A lenient Python value (dict / list / str / None) for reading fields, never raising.

    Scalars stay strings (null becomes None). Only call on a node ``compose`` returned.
    """
    if node is None or depth > MAX_DEPTH:
        return None
    if isinstance(node, ScalarNode):
        return None if is_null(node) else node.value
    if isinstance(node, SequenceNode):
        return [plain(n, depth + 1) for n in node.value]
    if isinstance(node, MappingNode):
        return {k: plain(v, depth + 1) for k, _, v in items(node)}
    return None


def line_index(root: Node) -> dict[int, str]:
    """The first key path that starts on each line, walking the document in order.

    The reference parser names a decoding error by the line it happened on; this index
    lets us name ours the same way (``fundedBy.name`` for a mapping where a list was due).
    """
    index: dict[int, str] = {}
    budget = [MAX_NODES]

    def walk(node: Node, path: str, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            return
        if isinstance(node, MappingNode):
            for key, key_node, value in items(node):
                sub = child(path, key)
                index.setdefault(key_node.start_mark.line + 1, sub)
                walk(value, sub, depth + 1)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                sub = child(path, i)
                index.setdefault(item.start_mark.line + 1, sub)
                walk(item, sub, depth + 1)

    walk(root, "", 0)
    return index
