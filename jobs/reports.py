"""PDF jobs: one per released report. The release itself (HTML, released_at, notices) is done by then; the PDF
is the slow part (fpdf2), so it never holds a release back. Report.file_path is filled when the file is written."""
from __future__ import annotations

import logging

from rq import Retry

from . import app_context
from .queueing import enqueue_unique, intervals

log = logging.getLogger("bwadmin.clock")

DEFAULT_RETRY_INTERVALS = [30, 120, 600]


def make_pdf(report_id: int) -> str | None:
    """Write the report's PDF unless it exists; returns its path relative to the reports directory."""
    with app_context():
        from bwadmin.services import report_docs

        return report_docs.make_pdf(report_id)


def enqueue(report_ids: list[int], queue=None) -> list[str]:
    """Queue one PDF job per report (job id pdf-<id>: not queued twice while waiting); returns the job ids."""
    from flask import current_app

    from bwadmin.queue import get_queue

    ids = sorted(set(report_ids))
    if not ids:
        return []
    config = current_app.config
    if queue is None:
        from rq import Queue

        name = config.get("BWADMIN_PDF_QUEUE")  # PDFs may have a queue (and workers) of their own
        queue = Queue(name, connection=get_queue().connection) if name else get_queue()
    waits = intervals(config.get("BWADMIN_PDF_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    retry = Retry(max=len(waits), interval=waits) if waits else None
    return [f"pdf-{i}" for i in ids if enqueue_unique(queue, make_pdf, (i,), f"pdf-{i}", retry)]
