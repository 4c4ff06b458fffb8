"""Pages of the factories a user may see, in name order: the buyer home and the API's list both show one.

Keyset pagination on (name, id): a page starts after (or ends before) a row the reader saw, so a deep page costs what
the first one does (the index on factory (name, id) serves it), and a factory added or removed between two pages
neither repeats nor skips another. The position travels as an opaque cursor. A cursor only says where to start: every
page is cut from access.visible_factories, so a forged cursor moves the position and shows nothing more.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_

from ..extensions import db
from ..models import Factory
from . import access

MAX_CURSOR = 1000  # characters: a name of 200 characters, escaped and encoded, fits many times over
MAX_ID = 2**63 - 1  # a larger id cannot be bound as a parameter on every database


class BadCursor(ValueError):
    """The cursor was not made by this service (or was cut short)."""


@dataclass(frozen=True)
class Page:
    """Rows with id, name, country and city; the cursor of the page after and of the page before (None at an end)."""
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def encode_cursor(name: str, factory_id: int) -> str:
    raw = json.dumps([name, factory_id], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(name, id) from a cursor; BadCursor for anything encode_cursor cannot have made, including values the
    database would refuse to compare (a NUL, a lone surrogate, an id too large to bind)."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise BadCursor("cursor too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, factory_id = json.loads(raw.decode())
        name.encode()  # a lone surrogate cannot be sent to the database
    except (BadCursor, binascii.Error, UnicodeError, ValueError, TypeError, AttributeError) as exc:
        raise BadCursor("This cursor was not given by this list.") from exc
    if (not isinstance(name, str) or "\0" in name or type(factory_id) is not int
            or not 0 <= factory_id <= MAX_ID):
        raise BadCursor("This cursor was not given by this list.")
    return name, factory_id


def page(user, limit: int, *, after: str | None = None, before: str | None = None, offset: int = 0,
         last: bool = False) -> Page:
    """`limit` factories the user may see, in (name, id) order: the first ones, those after the cursor `after`, those
    just before the cursor `before` (the first page, full, once fewer are left before it), the `last` ones, or (slower
    on deep pages: the database reads past every skipped row) those after the first `offset`. BadCursor for a cursor
    this service did not make."""
    visible = access.visible_factories(user).with_only_columns(Factory.id, Factory.name, Factory.country,
                                                               Factory.city)
    if before is not None or last:
        return _backwards(visible, limit, decode_cursor(before) if before is not None else None) or page(user, limit)
    if after is not None:
        visible = visible.where(tuple_(Factory.name, Factory.id) > tuple_(*decode_cursor(after)))
    # One row more than the page tells whether another page follows, without counting.
    rows = db.session.execute(visible.offset(offset).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    return Page(rows, _cursor(rows[-1]) if rows and more else None,
                _cursor(rows[0]) if rows and (after is not None or offset) else None)


def _backwards(visible, limit: int, position: tuple[str, int] | None) -> Page | None:
    """The `limit` rows before `position` (before none: the last rows), or None when fewer are left before it."""
    stmt = visible.order_by(None).order_by(Factory.name.desc(), Factory.id.desc())
    if position is not None:
        stmt = stmt.where(tuple_(Factory.name, Factory.id) < tuple_(*position))
    rows = db.session.execute(stmt.limit(limit + 1)).all()
    if position is not None and len(rows) <= limit:
        return None
    more, rows = len(rows) > limit, rows[:limit][::-1]
    return Page(rows, _cursor(rows[-1]) if rows and position is not None else None,
                _cursor(rows[0]) if more else None)


def _cursor(row) -> str:
    return encode_cursor(row.name, row.id)


def total(user) -> int:
    """How many factories the user may see."""
    return db.session.scalar(select(func.count()).select_from(access.visible_factories(user).order_by(None)
                                                              .subquery()))
