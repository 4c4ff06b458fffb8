"""Sending notices: each batch over one SMTP connection, retried with backoff, failed after the last try."""
from __future__ import annotations

import logging

from rq import Retry, get_current_job

from . import app_context
from .queueing import chunked_calls, enqueue_unique_many, intervals

log = logging.getLogger("bwadmin.clock")

DEFAULT_RETRY_INTERVALS = [10, 60, 300]


def send_notices(ids: list[int]) -> list[int]:
    """Send the pending notices among `ids`; on SMTP trouble raise, so RQ retries. Returns the ids sent."""
    with app_context():
        from bwadmin.services import notify

        job = get_current_job()
        final = not (job is not None and job.retries_left)
        sent = notify.deliver_many(list(ids), final=final)
        return sent


def send_notice(notification_id: int) -> list[int]:
    return send_notices([notification_id])


def ask_for_reset(email: str) -> None:
    """Someone asked for a reset link for `email`: the worker, not the request, looks the account up."""
    with app_context():
        from bwadmin.services import account_mail

        account_mail.send_reset(email)


def enqueue_reset(email: str) -> None:
    from flask import current_app

    from bwadmin.queue import get_queue

    get_queue(name=current_app.config.get("BWADMIN_NOTICE_QUEUE")).enqueue(
        ask_for_reset, email, result_ttl=0, failure_ttl=24 * 3600)


def enqueue(ids: list[int], queue=None) -> list[str]:
    """Queue the notices in batches (one SMTP connection each); returns the job ids."""
    from flask import current_app

    from bwadmin.queue import get_queue

    ids = sorted(set(ids))
    if not ids:
        return []
    config = current_app.config
    # Notices may have a queue of their own (BWADMIN_NOTICE_QUEUE), so emails never wait behind releases.
    queue = queue or get_queue(name=config.get("BWADMIN_NOTICE_QUEUE"))
    size = int(config.get("BWADMIN_NOTICE_BATCH", 100))
    waits = intervals(config.get("BWADMIN_NOTICE_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    calls = chunked_calls(ids, size, "notice", send_notices, send_notice)
    return enqueue_unique_many(queue, calls, Retry(max=len(waits), interval=waits) if waits else None)
