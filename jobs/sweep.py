"""The periodic sweep: the database says what is due; Redis only carries the work.

Run by `rq cron` every minute and by `flask --app app tick`, one at a time (a lock in Redis: two `rq cron`
processes queue a sweep each in the same minute). It first takes over the jobs whose worker is gone (killed,
its machine lost): a notice batch's rows are settled (the one that may have gone out is left for staff, the rest
pending again), and each such job is listed among the failed ones. Then it queues every milestone due and not
done, every pending notice that no live job carries (its job lost with Redis or with a worker), every released
report still without its PDF, and the report drafts still to be made (the programme progress report's a month
before it is due). Running it twice, or after Redis lost its data, does no harm: the jobs claim their rows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bwadmin import queue as jobqueue
from bwadmin.config import settings
from bwadmin.extensions import db
from bwadmin.models import utcnow
from bwadmin.queueing import abandon, orphaned
from bwadmin.services import milestones, notify, progress_reports, report_docs, report_pdf

from . import app_context, notices

log = logging.getLogger(__name__)


def due_milestone_ids(now: datetime | None = None, cycle_id: int | None = None) -> list[int]:
    return milestones.due_ids(now or utcnow(), cycle_id)


@dataclass
class SweepResult:
    due: list[int] = field(default_factory=list)
    milestone_jobs: list[str] = field(default_factory=list)
    notice_jobs: list[str] = field(default_factory=list)
    pdf_jobs: list[str] = field(default_factory=list)
    draft_jobs: list[str] = field(default_factory=list)
    stale_failed: int = 0
    orphans: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # the cycles whose submitted improvement plan went to buyers
    skipped: bool = False  # another sweep was running

    def __int__(self) -> int:
        return len(self.due)


# A sweep takes seconds; the lock outlives one that died, by this much at most.
LOCK_TIMEOUT = 300


def run_sweep(now: datetime | None = None, cycle_id: int | None = None) -> SweepResult:
    """Queue what is due as of `now` (default: the real now); `cycle_id` limits it to one cycle (simulate).
    Does nothing when another sweep holds the lock (its result says `skipped`)."""
    lock = jobqueue.get_redis().lock("bwadmin:sweep", timeout=LOCK_TIMEOUT, blocking=False)
    if not lock.acquire():
        log.info("sweep: another sweep is running; this one does nothing")
        return SweepResult(skipped=True)
    try:
        return _sweep(now, cycle_id)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - it expired, or Redis went away: the timeout frees it either way
            log.warning("sweep: the lock was gone before it was released")


def _sweep(now: datetime | None, cycle_id: int | None) -> SweepResult:
    result = SweepResult()
    orphan_notices: set[int] = set()
    for queue in jobqueue.get_queues():
        for job in orphaned(queue):
            orphan_notices.update(notices.settle_orphan(job))
            abandon(job, queue)
            result.orphans.append(job.id)
    result.due = due_milestone_ids(now, cycle_id)
    result.milestone_jobs = jobqueue.enqueue_milestones(result.due, now.isoformat() if now else None)
    result.stale_failed = notify.fail_stale_sending()
    # Plans submitted and due but not released (a release or a submission whose work was lost): released now; their
    # buyers' notices are queued below with every other pending notice.
    plans = milestones.release_plans(now or utcnow(), [cycle_id] if cycle_id else None)
    db.session.commit()
    result.plans = [done.cycle for done in plans]
    # A notice recorded a moment ago may not be queued yet: the job that records notices queues them after its
    # commit. Older than the grace and carried by no live job, its job was lost.
    carried = notices.carried_ids()
    lost = orphan_notices | {i for done in plans for i in done.notices}
    lost |= {i for i in notify.pending_ids(settings().notice_requeue_after) if i not in carried}
    result.notice_jobs = jobqueue.enqueue_notices(sorted(lost))
    # The PDF jobs have one id per report, so a live one is never queued twice; the grace is the same moment.
    result.pdf_jobs = jobqueue.enqueue_pdfs(report_pdf.pending_pdf_ids(utcnow() - settings().pdf_requeue_after))
    undrafted = set(report_docs.pending_draft_cycle_ids()) | set(progress_reports.undrafted_programme_progress(
        now or utcnow()))
    result.draft_jobs = jobqueue.enqueue_drafts(sorted(undrafted), now.isoformat() if now else None)
    db.session.rollback()
    log.info("sweep: %d jobs of gone workers taken over; %d milestones due, %d milestone jobs, %d notice jobs, "
             "%d PDF jobs and %d draft jobs queued", len(result.orphans), len(result.due), len(result.milestone_jobs),
             len(result.notice_jobs), len(result.pdf_jobs), len(result.draft_jobs))
    return result


def sweep(now: str | None = None) -> int:
    """What rq cron runs: queue what is due; returns how many milestones were due and not done."""
    with app_context():
        return len(run_sweep(datetime.fromisoformat(now) if now else None).due)
