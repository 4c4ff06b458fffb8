"""Milestone jobs: each takes a batch of due milestone ids, does their work once, then queues the emails and PDFs."""
from __future__ import annotations

import logging
from datetime import datetime

from rq import Retry

from . import app_context
from .queueing import chunked_calls, enqueue_unique_many, intervals

log = logging.getLogger("bwadmin.clock")

DEFAULT_RETRY_INTERVALS = [30, 120, 600]
# Milestones per job (BWADMIN_SWEEP_BATCH): when thousands fall due at once, a job's fixed costs (its
# queries, commit and bookkeeping in Redis) are shared by this many.
DEFAULT_BATCH = 500


def run_milestones(ids: list[int], now: str | None = None) -> list[str]:
    """Do the work of the not-done milestones among `ids` (as of `now`, ISO, for the time-travelling tick)."""
    with app_context():
        from bwadmin.services import milestones

        moment = datetime.fromisoformat(now) if now else None
        # MilestoneError (some of the batch failed, rolled back) propagates: RQ retries the job.
        done = milestones.run(list(ids), moment)
        notice_ids = [n for result in done for n in result.notices]
        pdf_ids = [r for result in done for r in result.pdfs]
        if pdf_ids:
            from . import reports

            try:
                reports.enqueue(pdf_ids)
            except Exception:  # noqa: BLE001 - Redis down: the sweep queues missing PDFs later
                log.exception("could not queue %d PDFs; the sweep will", len(pdf_ids))
        if notice_ids:
            from . import notices

            try:
                notices.enqueue(notice_ids)
            except Exception:  # noqa: BLE001 - Redis down: the sweep queues pending notices later
                log.exception("could not queue %d notices; the sweep will", len(notice_ids))
        return [result.describe() for result in done]


def run_milestone(milestone_id: int, now: str | None = None) -> list[str]:
    return run_milestones([milestone_id], now)


def enqueue(ids: list[int], now: str | None = None, queue=None) -> list[str]:
    from bwadmin.queue import get_queue

    ids = sorted(set(ids))
    if not ids:
        return []
    queue = queue or get_queue()
    calls = chunked_calls(ids, batch_size(), "milestone", run_milestones, run_milestone, (now,))
    return enqueue_unique_many(queue, calls, retry())


def batch_size() -> int:
    """Milestones per job, and cycles per drafting job (BWADMIN_SWEEP_BATCH)."""
    from flask import current_app

    return int(current_app.config.get("BWADMIN_SWEEP_BATCH", DEFAULT_BATCH))


def retry() -> Retry | None:
    """How the clock's jobs retry (BWADMIN_MILESTONE_RETRY_INTERVALS): the milestone and the drafting jobs."""
    from flask import current_app

    waits = intervals(current_app.config.get("BWADMIN_MILESTONE_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    return Retry(max=len(waits), interval=waits) if waits else None
