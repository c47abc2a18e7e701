"""YAML that cannot take the process down: every reader parses through here.

A YAML file of a few hundred bytes can stand for billions of nodes (aliases of aliases:
"billion laughs"; merge keys ``<<`` copy a mapping's pairs at every level), for a cycle
(an anchor used inside itself), or for a stack deeper than Python's (``[[[[…``). PyYAML's
composer keeps aliases shared, so the damage is done later, by whoever walks or copies the
result. ``BoundedLoader`` therefore measures while composing: each node's size *as if every
alias were expanded*, the nesting depth, the number of aliases and the length of each
scalar, and refuses the document the moment one passes its budget (``YamlLimits``).
Nothing is constructed from tags (it is the safe loader underneath).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


@dataclass(frozen=True)
class YamlLimits:
    """Budgets for one document; the defaults fit every real inventory we have seen."""

    max_chars: int = 20_000_000  # of the whole text
    max_nodes: int = 200_000  # after expanding every alias
    max_depth: int = 64
    max_aliases: int = 100  # 0 where the format has no use for aliases
    max_scalar_chars: int = 1_000_000


DEFAULT_LIMITS = YamlLimits()
NO_ALIASES = YamlLimits(max_aliases=0)  # lists of names and URLs have no use for them


class YamlBudgetError(yaml.YAMLError):
    """The document is past one of its budgets (an alias bomb, a cycle, too deep, too big)."""


class BoundedLoader(yaml.SafeLoader):
    """The safe loader with every composed node measured against ``limits``."""

    def __init__(self, stream: str, limits: YamlLimits = DEFAULT_LIMITS) -> None:
        if len(stream) > limits.max_chars:
            raise YamlBudgetError(f"document is longer than {limits.max_chars} characters")
        super().__init__(stream)
        self.limits = limits
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}  # id(node) -> expanded size, once composed

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        limits = self.limits
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > limits.max_aliases:
                raise YamlBudgetError(f"document uses more than {limits.max_aliases} aliases")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > limits.max_depth:
            raise YamlBudgetError(f"document nests deeper than {limits.max_depth} levels")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._measure(node)
        return node

    def _measure(self, node: Node) -> int:
        """1 + the expanded sizes of the children (all composed by now, unless an alias
        points back at a node still being composed: a cycle)."""
        if isinstance(node, ScalarNode):
            if len(node.value) > self.limits.max_scalar_chars:
                raise YamlBudgetError(
                    f"a value is longer than {self.limits.max_scalar_chars} characters"
                )
            return 1
        if isinstance(node, SequenceNode):
            children: list[Node] = node.value
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        total = 1
        for kid in children:
            size = self._sizes.get(id(kid))
            if size is None:
                raise YamlBudgetError("document refers to itself (an alias inside its anchor)")
            total += size
            if total > self.limits.max_nodes:
                raise YamlBudgetError(
                    f"document expands to too many nodes (over {self.limits.max_nodes})"
                )
        return total


def _loader(limits: YamlLimits):
    return lambda stream: BoundedLoader(stream, limits)


def safe_load(text: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Python values from one YAML document, within ``limits`` (YAMLError otherwise)."""
    return yaml.load(text, Loader=_loader(limits))  # BoundedLoader is a SafeLoader


def compose(text: str, limits: YamlLimits = DEFAULT_LIMITS) -> Node | None:
    """The document's node graph (aliases kept shared), within ``limits``."""
    return yaml.compose(text, Loader=_loader(limits))
