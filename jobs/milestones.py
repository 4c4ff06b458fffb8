"""Milestone jobs: each takes a batch of due milestone ids, does their work once, then queues the emails and PDFs."""
from __future__ import annotations

import logging
from datetime import datetime

from rq import Retry

from . import app_context
from .queueing import enqueue_unique, intervals

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
    from flask import current_app

    from bwadmin.queue import get_queue

    ids = sorted(set(ids))
    if not ids:
        return []
    queue = queue or get_queue()
    config = current_app.config
    size = int(config.get("BWADMIN_SWEEP_BATCH", DEFAULT_BATCH))
    waits = intervals(config.get("BWADMIN_MILESTONE_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    retry = Retry(max=len(waits), interval=waits) if waits else None
    job_ids = []
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        if len(chunk) == 1:
            job_id, func, args = f"milestone-{chunk[0]}", run_milestone, (chunk[0], now)
        else:
            job_id, func, args = f"milestones-{chunk[0]}-{chunk[-1]}-{len(chunk)}", run_milestones, (chunk, now)
        if enqueue_unique(queue, func, args, job_id, retry):
            job_ids.append(job_id)
    return job_ids
