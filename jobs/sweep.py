"""The periodic sweep: the database says what is due; Redis only carries the work."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from . import app_context

log = logging.getLogger(__name__)


def due_milestone_ids(now: datetime | None = None) -> list[int]:
    from bwadmin.extensions import db
    from bwadmin.models import Milestone, utcnow

    now = now or utcnow()
    return list(db.session.scalars(
        select(Milestone.id).where(Milestone.done_at.is_(None), Milestone.due_at <= now).order_by(Milestone.due_at)
    ))


def sweep(now: str | None = None) -> int:
    """Count what is due and not done. (The clock's jobs hang off this.)"""
    with app_context():
        due = due_milestone_ids(datetime.fromisoformat(now) if now else None)
        log.info("sweep: %d milestones due and not done", len(due))
        return len(due)
