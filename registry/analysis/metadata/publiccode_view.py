"""A read-only view of one YAML mapping for the rule pass: values, and where to point.

A section the type pass found broken is seen "zeroed": every value reads as absent, but
missing-field problems still point at the key (or the section) the author wrote, which is
how the reference parser reports them.
"""

from __future__ import annotations

from registry.analysis.metadata.publiccode_yaml import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    child,
    is_null,
    items,
)


class View:
    def __init__(self, node: Node | None, path: str, *, zeroed: bool = False) -> None:
        self.node = node
        self.path = path
        self.zeroed = zeroed
        self._entries: dict[str, tuple[ScalarNode, Node]] = {}
        if isinstance(node, MappingNode):
            for key, key_node, value in items(node):
                self._entries.setdefault(key, (key_node, value))

    @property
    def present(self) -> bool:
        return self.node is not None and not is_null(self.node)

    def path_of(self, key: str) -> str:
        return child(self.path, key)

    def key_node(self, key: str) -> ScalarNode | None:
        entry = self._entries.get(key)
        return entry[0] if entry else None

    def anchor(self, key: str) -> Node | None:
        """Where a problem about ``key`` points: its key when written, else this mapping."""
        return self.key_node(key) or self.node

    def raw(self, key: str) -> Node | None:
        """The value node as written (even null or in a zeroed section)."""
        entry = self._entries.get(key)
        return entry[1] if entry else None

    def value(self, key: str) -> Node | None:
        """The value node, None when absent, null, or the section is zeroed."""
        if self.zeroed:
            return None
        entry = self._entries.get(key)
        if entry is None or is_null(entry[1]):
            return None
        return entry[1]

    def text(self, key: str) -> str | None:
        node = self.value(key)
        return node.value if isinstance(node, ScalarNode) else None

    def seq(self, key: str) -> list[Node] | None:
        node = self.value(key)
        return list(node.value) if isinstance(node, SequenceNode) else None

    def sub(self, key: str) -> View:
        return View(self.value(key), self.path_of(key), zeroed=self.zeroed)

    def keys(self) -> list[str]:
        return [] if self.zeroed else list(self._entries)


def scalar_items(nodes: list[Node] | None) -> list[tuple[int, ScalarNode]]:
    """(index, node) of the non-null scalars of a sequence."""
    return [
        (i, n) for i, n in enumerate(nodes or []) if isinstance(n, ScalarNode) and not is_null(n)
    ]
