"""One problem found in a publiccode.yml, and the collector the validator passes around."""

from __future__ import annotations

from dataclasses import dataclass

from registry.analysis.metadata.publiccode_yaml import Node, position

ERROR = "error"
WARNING = "warning"
DEPRECATED = "This key is DEPRECATED and will be removed in the future. "
SAFE_TO_DROP = "It's safe to drop it"


@dataclass(frozen=True)
class PubliccodeProblem:
    """``key`` and ``message`` follow the reference parser (italia/publiccode-parser-go).

    ``line`` and ``column`` are 1-based, None when the problem has no place (a missing
    section, an unreadable file).
    """

    key: str
    message: str
    line: int | None
    column: int | None
    severity: str  # "error" | "warning"


class Reporter:
    """Collects problems in the order found; the validator never raises."""

    def __init__(self) -> None:
        self.problems: list[PubliccodeProblem] = []

    def error(self, key: str, message: str, node: Node | None) -> None:
        self.problems.append(PubliccodeProblem(key, message, *position(node), ERROR))

    def warning(self, key: str, message: str, node: Node | None) -> None:
        self.problems.append(PubliccodeProblem(key, message, *position(node), WARNING))

    def deprecated(self, key: str, node: Node | None, advice: str = SAFE_TO_DROP) -> None:
        """The reference parser's deprecation warning; ``advice`` says what to do instead."""
        self.warning(key, DEPRECATED + advice, node)
