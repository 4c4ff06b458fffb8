"""Who and what the staff panel's pickers offer, and why a record that is not offered does not fit.

A picker offers only records that fit; the server refuses any other one beside the field with the reason from here
(a page can be stale, a form can be posted by hand)."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Cycle, Factory, Need, User

# Each role by its label (the same words as the users' list).
ROLE_LABELS = {"admin": _l("Admin"), "advisor": _l("Advisor"), "factory": _l("Factory user"), "buyer": _l("Buyer user")}

# --- advisors ------------------------------------------------------------------------------------------
def advisors() -> list[User]:
    """The people who may advise a cycle or make an advisory visit: active advisors, by name."""
    return db.session.scalars(
        select(User).where(User.role == "advisor", User.active).order_by(User.name, User.email)).all()


def advisor_problem(user: User | None) -> str | None:
    """Why `user` cannot be a cycle's or a visit's advisor; None when they can (or nobody is chosen)."""
    if user is None:
        return None
    if user.role != "advisor":
        return _("%(person)s is not an advisor (%(role)s): choose an active advisor.",
                 person=user, role=ROLE_LABELS.get(user.role, user.role))
    if not user.active:
        return _("%(person)s's account is deactivated: choose an active advisor.", person=user)
    return None


# --- cycles --------------------------------------------------------------------------------------------
def cycles_for(user) -> list[Cycle]:
    """Every cycle, running ones first; for an advisor, the running cycles they advise before the others.
    Each by its factory's name, the latest cycle first. One query (the factory is loaded with it)."""
    if getattr(user, "role", None) == "advisor":
        rank = case((Cycle.status == "closed", 2), (Cycle.advisor_id == user.id, 0), else_=1)
    else:
        rank = case((Cycle.status == "closed", 1), else_=0)
    return db.session.scalars(
        select(Cycle).join(Cycle.factory).options(contains_eager(Cycle.factory))
        .order_by(rank, Factory.name, Cycle.number.desc(), Cycle.id)).all()


def cycle_label(cycle: Cycle) -> str:
    """A cycle in a picker, in the reader's language: a closed one says so."""
    name = _("%(factory)s, cycle %(number)s", factory=cycle.factory.name, number=cycle.number)
    return _("%(cycle)s (closed)", cycle=name) if cycle.status == "closed" else name


# --- needs ---------------------------------------------------------------------------------------------
def needs_of(cycle_ids) -> list[Need]:
    """The needs of these cycles (a training session spends days on one of its own cycle's needs), by title."""
    ids = [i for i in cycle_ids if i is not None]
    if not ids:
        return []
    return db.session.scalars(select(Need).where(Need.cycle_id.in_(ids)).order_by(Need.title, Need.id)).all()


def needs_of_running_cycles() -> list[Need]:
    """The needs a new training session may name before its cycle is chosen: those of the cycles still running."""
    return db.session.scalars(
        select(Need).join(Cycle, Cycle.id == Need.cycle_id).where(Cycle.status != "closed")
        .order_by(Need.title, Need.id)).all()


def need_problem(need: Need | None, cycle: Cycle | None) -> str | None:
    """Why a training session of `cycle` cannot name `need`; None when it can (or no need is named)."""
    if need is None or cycle is None or need.cycle_id == cycle.id:
        return None
    return _("That need belongs to another cycle (%(cycle)s): choose a need of %(this)s.",
             cycle=cycle_label(need.cycle), this=cycle_label(cycle))
