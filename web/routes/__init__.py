"""Route tables: pages, the JSON API, feeds.

Paths take ids as ``{name:id}``: digits of any length, so that an id no row can have
(``99999999999999999999``, past the id columns' 32 bits, or thousands of digits that
``int()`` refuses) is a 404 from the service, never a 500 from the driver or the converter.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from registry.services.repositories import MAX_ID  # the id columns' bound (32 bits)

_MAX_DIGITS = 19  # more can only be out of range; int() refuses past 4300 digits


class IdConvertor(Convertor[int]):
    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        number = int(value) if len(value) <= _MAX_DIGITS else -1
        return number if number <= MAX_ID else -1  # no row has it: the service says 404

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())
