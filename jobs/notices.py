"""Sending notices: each batch over one SMTP connection, retried with backoff, failed after the last try."""
from __future__ import annotations

import logging

from rq import Queue, Retry, get_current_job
from rq.job import Job
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from . import app_context
from .queueing import chunked_calls, enqueue_unique_many, intervals, is_live

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
    queue = queue or get_queue(name=config.get("BWADMIN_NOTICE_QUEUE"))
    size = int(config.get("BWADMIN_NOTICE_BATCH", 100))
    waits = intervals(config.get("BWADMIN_NOTICE_RETRY_INTERVALS"), DEFAULT_RETRY_INTERVALS)
    calls = chunked_calls(ids, size, "notice", send_notices, send_notice)
    return enqueue_unique_many(queue, calls, Retry(max=len(waits), interval=waits) if waits else None)


def queue() -> Queue:
    from flask import current_app

    from bwadmin.queue import get_queue

    return get_queue(name=current_app.config.get("BWADMIN_NOTICE_QUEUE"))


def _ids_of(job: Job) -> list[int]:
    if job.func_name.endswith(".send_notices"):
        return list(job.args[0])
    if job.func_name.endswith(".send_notice"):
        return [job.args[0]]
    return []


def carried_ids(notice_queue: Queue | None = None) -> set[int]:
    """The notices that live jobs carry: queued, waiting for a retry, or running on a worker that is still there.
    A pending notice that none carries lost its job (Redis flushed, a worker gone)."""
    notice_queue = notice_queue or queue()
    job_ids = set(notice_queue.get_job_ids())
    for registry in (StartedJobRegistry, ScheduledJobRegistry, DeferredJobRegistry):
        job_ids.update(registry(queue=notice_queue).get_job_ids(cleanup=False))
    jobs = Job.fetch_many(sorted(i for i in job_ids if i.startswith("notice")), connection=notice_queue.connection)
    return {notice_id for job in jobs if is_live(job) for notice_id in _ids_of(job)}


def settle_orphan(job: Job) -> list[int]:
    """A notice job whose worker died mid-batch: the first notice it left "sending" may have gone out, the rest are
    pending again (see notify.settle_interrupted). Returns the ids of its pending notices, to queue again now."""
    from bwadmin.services import notify

    ids = _ids_of(job)
    if not ids:
        return []
    notify.settle_interrupted(ids)
    return notify.pending_among(ids)
