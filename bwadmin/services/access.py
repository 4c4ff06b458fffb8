"""Who may see what. Everything a user may not see is answered 404 (NotFound), never 403: the answer must
not tell whether the record exists."""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Cycle


def is_factory_user_of(user, factory_id: int) -> bool:
    """A factory user belongs to exactly one factory and sees only that one."""
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == "factory"
        and user.factory_id is not None
        and user.factory_id == factory_id
    )


def cycle_for_factory_user(user, cycle_id: int) -> Cycle:
    """The cycle when it belongs to the user's own factory; NotFound otherwise (another factory's cycle, a
    missing one, or a user who is not a factory user)."""
    cycle = db.session.get(Cycle, cycle_id)
    if cycle is None or not is_factory_user_of(user, cycle.factory_id):
        raise NotFound()
    return cycle
