"""Bounds on numbers people type or put in a URL: every id column is a 32-bit INTEGER, and PostgreSQL refuses a
parameter past it (SQLite past 64 bits) with an error, where a person should read "not found" or a message."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column in PostgreSQL


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: a number past MAX_ID matches no route, so it is answered 404 like an unknown id."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def as_id(value) -> int | None:
    """An id from a query string or form, or None when it cannot be one (not a whole number, or out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def whole_number(text: str | None, default: int, low: int, high: int) -> int | None:
    """`text` as a whole number within [low, high], `default` when absent, None when it is anything else (an empty
    value too: `?limit=` is a mistake to answer, not a request for the default)."""
    if text is None:
        return default
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    number = int(text)
    return number if low <= number <= high else None
