"""The forges: one module per source kind, each a ``crawlers.base.Forge``.

Which class crawls which kind is declared once, in ``registry.source_kinds``; ``forge_for``
looks the kind up there and builds its forge from the crawl context (every forge class has a
``from_context(ctx, api_url)``). The URL policy runs in each constructor, before any request.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from crawlers.base import Forge
from registry.source_kinds import SourceKind, source_kind

if TYPE_CHECKING:
    from crawlers.context import CrawlContext


def forge_class(kind: SourceKind) -> type:
    """The class the table names for ``kind``, imported on first use."""
    module, _, name = kind.forge.partition(":")
    return getattr(import_module(module), name)


def forge_for(kind: str, api_url: str, ctx: CrawlContext) -> Forge:
    """A ready forge for a source of ``kind`` (BadRequest for a kind the table lacks)."""
    return forge_class(source_kind(kind)).from_context(ctx, api_url)
