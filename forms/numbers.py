"""Numbers typed into any form: NaN, infinity and values past what the database stores are refused beside the
field, rather than stored silently or failing at the database."""
from __future__ import annotations

import math
from decimal import Decimal

from wtforms import DecimalField, FloatField, IntegerField

from bwadmin.input_bounds import MAX_ID

NOT_A_NUMBER = "Enter a number."
# Past what a float keeps exactly, and far past any count, wage or day count here: a typing slip or a probe.
LARGEST = 1e15


def number_problem(field) -> str | None:
    """What is wrong with a numeric field's value, or None (not numeric, empty, or fine)."""
    value = field.data
    if value is None or not isinstance(field, (IntegerField, DecimalField, FloatField)):
        return None
    if isinstance(field, IntegerField):
        if abs(value) > MAX_ID:
            return f"Enter a number between {-MAX_ID:,} and {MAX_ID:,}."
        return None
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    if not finite:
        return NOT_A_NUMBER
    if abs(value) > LARGEST:
        return "Enter a smaller number."
    return None


def check_numbers(form) -> bool:
    """Put each numeric field's problem beside it; True when there was none."""
    ok = True
    for field in form:
        problem = number_problem(field)
        if problem:
            field.errors = list(field.errors) + [problem]
            ok = False
    return ok

