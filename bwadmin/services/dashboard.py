"""What a staff member sees first: their cycles, what is due this week, what is overdue."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Cycle, Factory, Milestone, utcnow


def for_user(user) -> dict:
    now = utcnow()
    week = now + timedelta(days=7)
    pending = (
        select(Milestone)
        .join(Milestone.cycle)
        .options(joinedload(Milestone.cycle).joinedload(Cycle.factory))
        .where(Milestone.done_at.is_(None), Cycle.status != "closed")
        .order_by(Milestone.due_at)
    )
    cycles = select(Cycle).options(joinedload(Cycle.factory)).where(Cycle.status != "closed")
    if user.role == "advisor":
        pending = pending.where(Cycle.advisor_id == user.id)
        cycles = cycles.where(Cycle.advisor_id == user.id)
    return {
        "overdue": db.session.scalars(pending.where(Milestone.due_at < now).limit(50)).all(),
        "this_week": db.session.scalars(pending.where(Milestone.due_at >= now, Milestone.due_at < week)).all(),
        "cycles": db.session.scalars(cycles.order_by(Cycle.signed_up_on.desc()).limit(50)).all(),
        "counts": {
            "factories": db.session.scalar(select(func.count()).select_from(Factory)),
            "running_cycles": db.session.scalar(select(func.count()).select_from(Cycle).where(Cycle.status != "closed")),
        },
        "now": now,
    }
