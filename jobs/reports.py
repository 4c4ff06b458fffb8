"""Report jobs.

Drafts: when an assessment is completed or a self-diagnosis submitted, a job scores and renders its report as a
draft, which the factory reviews before the release and the release publishes.
PDFs: one job per released report. The release itself (HTML, released_at, notices) is done by then; the PDF is
the slow part (fpdf2), so it never holds a release back. Report.file_path is filled when the file is written."""
from __future__ import annotations

import logging

from rq import Retry

from . import app_context
from .queueing import chunked_calls, enqueue_unique_many, intervals

log = logging.getLogger("bwadmin.clock")

DEFAULT_RETRY_INTERVALS = [30, 120, 600]


def make_pdf(report_id: int) -> str | None:
    """Write the report's PDF unless it exists; returns its path relative to the reports directory."""
    with app_context():
        from bwadmin.services import report_docs

        return report_docs.make_pdf(report_id)


def make_drafts(cycle_ids: list[int], now: str | None = None) -> dict[str, int]:
    """Draft the assessment report and the self-diagnosis results of these cycles where due (as of `now`, ISO,
    for the time-travelling tick); returns how many of each kind were drafted."""
    with app_context():
        from datetime import datetime

        from bwadmin.services import report_docs

        return report_docs.draft_reports(cycle_ids, datetime.fromisoformat(now) if now else None)


def enqueue_drafts(cycle_ids: list[int], now: str | None = None, queue=None) -> list[str]:
    """Queue drafting jobs of up to BWADMIN_SWEEP_BATCH cycles each; returns the job ids queued."""
    from bwadmin.queue import get_queue

    from . import milestones

    # Drafting is the clock's work: batched and retried as the milestone jobs are.
    calls = chunked_calls(sorted(set(cycle_ids)), milestones.batch_size(), "draft", make_drafts, extra=(now,))
    return enqueue_unique_many(queue or get_queue(), calls, milestones.retry())


def queue_drafts(cycle_ids: list[int]) -> None:
    """What a view calls after committing a completed assessment or a submitted self-diagnosis. With Redis down
    the page still answers: the sweep queues the missing drafts later."""
    try:
        enqueue_drafts(cycle_ids)
    except Exception:  # noqa: BLE001 - any Redis error
        log.exception("could not queue the drafts of cycles %s; the sweep will", cycle_ids)


def enqueue(report_ids: list[int], queue=None) -> list[str]:
    """Queue one PDF job per report (job id pdf-<id>: not queued twice while waiting); returns the job ids."""
    from flask import current_app

    from bwadmin.queue import get_queue

    ids = sorted(set(report_ids))
    if not ids:
        return []
    config = current_app.config
    queue = queue or get_queue(name=config.get("BWADMIN_PDF_QUEUE"))
    waits = intervals(config.get("BWADMIN_PDF_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    retry = Retry(max=len(waits), interval=waits) if waits else None
    return enqueue_unique_many(queue, chunked_calls(ids, 1, "pdf", make_pdf, make_pdf), retry)
