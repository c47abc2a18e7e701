"""The one error every metadata reader raises, whatever bytes it was given."""

from __future__ import annotations

from registry.errors import GovcodeError


class MetadataError(GovcodeError):
    """A metadata file (code.json, codemeta.json, a manifest, an inventory) could not be read.

    Readers raise it only when nothing useful can be taken from the bytes (not JSON, not an
    object of the expected kind); smaller defects are reported as ``problems`` instead.
    """

    status_code = 422
    title = "Unreadable metadata"
