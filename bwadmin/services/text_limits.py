"""What a person writes in a form, as it is kept: line ends made one, spaces around it trimmed, and a length the
column holds, or a message for beside the field. The limits themselves live with the columns (models.reports)."""
from __future__ import annotations

from flask_babel import format_decimal, gettext as _

from .errors import FieldError


def clean(text: str | None) -> str:
    """The text as kept: a browser sends a textarea's line ends as CR LF, counted here (and by the page) as one."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def too_long(text: str, limit: int) -> str | None:
    """The message for a text past `limit` characters, or None when it fits."""
    if len(text) <= limit:
        return None
    return _("Write at most %(limit)s characters here; this has %(count)s.", limit=format_decimal(limit),
             count=format_decimal(len(text)))


def bounded(field: str, text: str | None, limit: int) -> str:
    """clean(text), or FieldError(field) when it is longer than `limit`."""
    text = clean(text)
    message = too_long(text, limit)
    if message:
        raise FieldError(field, message)
    return text


def hint(limit: int) -> str:
    """What a form says under a field about its length."""
    return _("Up to %(limit)s characters.", limit=format_decimal(limit))
