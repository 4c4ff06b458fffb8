"""Sending notices: each batch over one SMTP connection, retried with backoff, failed after the last try.
They are queued by bwadmin.queue (enqueue_notices, enqueue_reset)."""
from __future__ import annotations

from rq import Queue, get_current_job
from rq.job import Job
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from bwadmin.queue import notice_queue
from bwadmin.queueing import is_live
from bwadmin.services import account_mail, notify

from . import app_context


def send_notices(ids: list[int]) -> list[int]:
    """Send the pending notices among `ids`; on SMTP trouble raise, so RQ retries. Returns the ids sent."""
    with app_context():
        job = get_current_job()
        final = not (job is not None and job.retries_left)
        return notify.deliver_many(list(ids), final=final)


def send_notice(notification_id: int) -> list[int]:
    return send_notices([notification_id])


def ask_for_reset(email: str) -> None:
    """Someone asked for a reset link for `email`: the worker, not the request, looks the account up."""
    with app_context():
        account_mail.send_reset(email)


def _ids_of(job: Job) -> list[int]:
    if job.func_name.endswith(".send_notices"):
        return list(job.args[0])
    if job.func_name.endswith(".send_notice"):
        return [job.args[0]]
    return []


def carried_ids(queue: Queue | None = None) -> set[int]:
    """The notices that live jobs carry: queued, waiting for a retry, or running on a worker that is still there.
    A pending notice that none carries lost its job (Redis flushed, a worker gone)."""
    queue = queue or notice_queue()
    job_ids = set(queue.get_job_ids())
    for registry in (StartedJobRegistry, ScheduledJobRegistry, DeferredJobRegistry):
        job_ids.update(registry(queue=queue).get_job_ids(cleanup=False))
    jobs = Job.fetch_many(sorted(i for i in job_ids if i.startswith("notice")), connection=queue.connection)
    return {notice_id for job in jobs if is_live(job) for notice_id in _ids_of(job)}


def settle_orphan(job: Job) -> list[int]:
    """A notice job whose worker died mid-batch: the first notice it left "sending" may have gone out, the rest are
    pending again (see notify.settle_interrupted). Returns the ids of its pending notices, to queue again now."""
    ids = _ids_of(job)
    if not ids:
        return []
    notify.settle_interrupted(ids)
    return notify.pending_among(ids)
