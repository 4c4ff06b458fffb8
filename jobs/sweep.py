"""The periodic sweep: the database says what is due; Redis only carries the work.

Run by `rq cron` every minute and by `flask --app app tick`. It queues every milestone due and not done, and
every notice left pending for a while (its job lost with Redis), every released report still without its
PDF after a while; it marks failed the notices a dead worker left
half-sent. Running it twice, or after Redis lost its data, does no harm: the jobs claim their rows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime


from . import app_context

log = logging.getLogger(__name__)


def due_milestone_ids(now: datetime | None = None, cycle_id: int | None = None) -> list[int]:
    from bwadmin.models import utcnow
    from bwadmin.services import milestones

    return milestones.due_ids(now or utcnow(), cycle_id)


@dataclass
class SweepResult:
    due: list[int] = field(default_factory=list)
    milestone_jobs: list[str] = field(default_factory=list)
    notice_jobs: list[str] = field(default_factory=list)
    pdf_jobs: list[str] = field(default_factory=list)
    stale_failed: int = 0

    def __int__(self) -> int:
        return len(self.due)


def run_sweep(now: datetime | None = None, cycle_id: int | None = None) -> SweepResult:
    """Queue what is due as of `now` (default: the real now); `cycle_id` limits it to one cycle (simulate)."""
    from bwadmin.extensions import db
    from bwadmin.services import notify

    from . import milestones, notices, reports

    result = SweepResult()
    result.due = due_milestone_ids(now, cycle_id)
    result.milestone_jobs = milestones.enqueue(result.due, now.isoformat() if now else None)
    result.stale_failed = notify.fail_stale_sending()
    from datetime import timedelta

    from flask import current_app

    grace = timedelta(seconds=float(current_app.config.get("BWADMIN_NOTICE_REQUEUE_AFTER", 900)))
    result.notice_jobs = notices.enqueue(notify.pending_ids(grace))
    from bwadmin.models import utcnow
    from bwadmin.services import report_docs

    pdf_grace = timedelta(seconds=float(current_app.config.get("BWADMIN_PDF_REQUEUE_AFTER", 900)))
    result.pdf_jobs = reports.enqueue(report_docs.pending_pdf_ids(utcnow() - pdf_grace))
    db.session.rollback()
    log.info("sweep: %d milestones due, %d milestone jobs and %d notice jobs queued",
             len(result.due), len(result.milestone_jobs), len(result.notice_jobs))
    return result


def sweep(now: str | None = None) -> int:
    """What rq cron runs: queue what is due; returns how many milestones were due and not done."""
    with app_context():
        return len(run_sweep(datetime.fromisoformat(now) if now else None).due)
