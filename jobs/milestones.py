"""Milestone jobs: each takes a batch of due milestone ids, does their work once, then queues the emails and PDFs."""
from __future__ import annotations

import logging
from datetime import datetime

from bwadmin import queue
from bwadmin.services import milestones

from . import app_context

log = logging.getLogger("bwadmin.clock")


def run_milestones(ids: list[int], now: str | None = None) -> list[str]:
    """Do the work of the not-done milestones among `ids` (as of `now`, ISO, for the time-travelling tick)."""
    with app_context():
        moment = datetime.fromisoformat(now) if now else None
        # MilestoneError (some of the batch failed, rolled back) propagates: RQ retries the job.
        done = milestones.run(list(ids), moment)
        pdf_ids = [r for result in done for r in result.pdfs]
        notice_ids = [n for result in done for n in result.notices]
        if pdf_ids:
            try:
                queue.enqueue_pdfs(pdf_ids)
            except Exception:  # noqa: BLE001 - Redis down: the sweep queues missing PDFs later
                log.exception("could not queue %d PDFs; the sweep will", len(pdf_ids))
        if notice_ids:
            try:
                queue.enqueue_notices(notice_ids)
            except Exception:  # noqa: BLE001 - Redis down: the sweep queues pending notices later
                log.exception("could not queue %d notices; the sweep will", len(notice_ids))
        return [result.describe() for result in done]


def run_milestone(milestone_id: int, now: str | None = None) -> list[str]:
    return run_milestones([milestone_id], now)
