"""Training days: allotted to a cycle, spent by its sessions; never more spent than allotted."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal, gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Cycle, Need, TrainingSession
from . import audit
from .errors import FieldError


class TrainingError(FieldError):
    pass


class TrainingDaysExceeded(TrainingError):
    """Spending more training days than the cycle has left."""


def _days(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def days_spent(cycle_id: int, excluding_session_id: int | None = None) -> Decimal:
    query = select(func.coalesce(func.sum(TrainingSession.days), 0)).where(TrainingSession.cycle_id == cycle_id)
    if excluding_session_id is not None:
        query = query.where(TrainingSession.id != excluding_session_id)
    return Decimal(str(db.session.scalar(query) or 0))


def days_left(cycle: Cycle) -> Decimal:
    return Decimal(cycle.training_days_allotted or 0) - days_spent(cycle.id)


def check_days(cycle: Cycle, days, excluding_session_id: int | None = None) -> TrainingError | None:
    """The refusal for the days field, or None when the days may be spent."""
    value = _days(days)
    if value is None:
        return TrainingError("days", _("Enter the training days, for example 1 or 0.5."))
    if value <= 0:
        return TrainingError("days", _("Training days must be more than zero."))
    if value != value.quantize(Decimal("0.1")):
        return TrainingError("days", _("Training days are counted in tenths of a day at most (for example 0.5)."))
    allotted = Decimal(cycle.training_days_allotted or 0)
    left = allotted - days_spent(cycle.id, excluding_session_id)
    if value > left:
        return TrainingDaysExceeded(
            "days", _("Only %(left)s of the %(allotted)s training days allotted to this cycle are left; "
                      "%(days)s cannot be spent.", left=_plain(left), allotted=_plain(allotted), days=_plain(value)))
    return None


def days_problem(cycle: Cycle, days, excluding_session_id: int | None = None) -> str | None:
    error = check_days(cycle, days, excluding_session_id)
    return error.message if error else None


def _plain(value: Decimal) -> str:
    """Days as the reader writes numbers (1.5, or 1,5 in Spanish), without trailing zeros."""
    return format_decimal(value.normalize(), "#,##0.###")


def record_session(cycle: Cycle, *, topic: str, held_on: date | None, days, participants: int | None = None,
                   need: Need | None = None) -> TrainingSession:
    if not (topic or "").strip():
        raise TrainingError("topic", _("Enter the topic of the training."))
    if held_on is None:
        raise TrainingError("held_on", _("Enter the day of the training."))
    if participants is not None and participants < 0:
        raise TrainingError("participants", _("Participants cannot be negative."))
    if need is not None and need.cycle_id != cycle.id:
        raise TrainingError("need", _("That need belongs to another cycle."))
    error = check_days(cycle, days)
    if error is not None:
        raise error
    session = TrainingSession(cycle=cycle, topic=topic.strip(), held_on=held_on, days=_days(days),
                              participants=participants, need=need)
    db.session.add(session)
    db.session.flush()
    audit.record("create", session, after=audit.snapshot(session))
    return session


def summary(cycle: Cycle) -> dict:
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.cycle_id == cycle.id).order_by(TrainingSession.held_on)
    ).all()
    allotted = Decimal(cycle.training_days_allotted or 0)
    spent = sum((s.days for s in sessions), Decimal("0"))
    return {"allotted": allotted, "spent": spent, "left": allotted - spent, "sessions": sessions}
