"""The periodic sweep: the database says what is due; Redis only carries the work.

Run by `rq cron` every minute and by `flask --app app tick`. It queues every milestone due and not done, and
every notice left pending for a while (its job lost with Redis), every released report still without its
PDF after a while, and the report drafts still to be made; it marks failed the notices a dead worker left
half-sent. Running it twice, or after Redis lost its data, does no harm: the jobs claim their rows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
    draft_jobs: list[str] = field(default_factory=list)
    stale_failed: int = 0

    def __int__(self) -> int:
        return len(self.due)


def run_sweep(now: datetime | None = None, cycle_id: int | None = None) -> SweepResult:
    """Queue what is due as of `now` (default: the real now); `cycle_id` limits it to one cycle (simulate)."""
    from flask import current_app

    from bwadmin.extensions import db
    from bwadmin.models import utcnow
    from bwadmin.services import notify, report_docs

    from . import milestones, notices, reports

    config = current_app.config
    result = SweepResult()
    result.due = due_milestone_ids(now, cycle_id)
    result.milestone_jobs = milestones.enqueue(result.due, now.isoformat() if now else None)
    result.stale_failed = notify.fail_stale_sending()
    grace = timedelta(seconds=float(config.get("BWADMIN_NOTICE_REQUEUE_AFTER", 900)))
    result.notice_jobs = notices.enqueue(notify.pending_ids(grace))
    pdf_grace = timedelta(seconds=float(config.get("BWADMIN_PDF_REQUEUE_AFTER", 900)))
    result.pdf_jobs = reports.enqueue(report_docs.pending_pdf_ids(utcnow() - pdf_grace))
    result.draft_jobs = reports.enqueue_drafts(report_docs.pending_draft_cycle_ids(), now.isoformat() if now else None)
    db.session.rollback()
    log.info("sweep: %d milestones due, %d milestone jobs, %d notice jobs and %d draft jobs queued",
             len(result.due), len(result.milestone_jobs), len(result.notice_jobs), len(result.draft_jobs))
    return result


def sweep(now: str | None = None) -> int:
    """What rq cron runs: queue what is due; returns how many milestones were due and not done."""
    with app_context():
        return len(run_sweep(datetime.fromisoformat(now) if now else None).due)
