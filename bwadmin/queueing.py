"""Enqueueing with deterministic job ids: a job still waiting or running is not queued a second time, and a job
whose worker died is not mistaken for a running one."""
from __future__ import annotations

import os
import socket
from collections.abc import Iterable

from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry

from .batches import chunked

LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
# Check and enqueue under one lock per queue: two enqueuers at the same moment (two sweeps, a sweep and a release
# job) would each see the id free and push it twice. Held for the few round trips of one enqueue_unique_many.
ENQUEUE_LOCK_TIMEOUT = 60


def process_alive(pid: int) -> bool:
    """Whether a process of this machine with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def this_process() -> str:
    """Who claims work in the database: this machine's name and this process's id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claimer_gone(claimed_by: str | None) -> bool:
    """Whether the process that claimed a row (this_process) is known to be gone: it ran on this machine and no
    longer exists. One on another machine is not known to be gone (the caller waits for a timeout instead)."""
    host, _, pid = (claimed_by or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


def worker_gone(job: Job) -> bool:
    """Whether the worker that started `job` is gone: its key expired (no heartbeat for a minute and a half, as
    for a worker on another machine that died), or it ran on this machine and its process no longer exists (seen
    at once). A job STARTED by a gone worker will never finish: RQ itself notices only when the job's timeout runs
    out, minutes later."""
    if not job.worker_name:
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=job.connection)
    if worker is None:
        return True
    if worker.hostname == socket.gethostname() and worker.pid:
        return not process_alive(worker.pid)
    return False


def is_live(job: Job | None) -> bool:
    """Queued, scheduled, deferred, or running on a worker that is still there."""
    if job is None:
        return False
    status = job.get_status(refresh=False)
    if status not in LIVE:
        return False
    return not (status == JobStatus.STARTED and worker_gone(job))


def orphaned(queue: Queue) -> list[Job]:
    """The jobs of `queue` started by a worker that is gone."""
    ids = StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)
    return [job for job in Job.fetch_many(ids, connection=queue.connection)
            if job is not None and job.get_status(refresh=False) == JobStatus.STARTED and worker_gone(job)]


def abandon(job: Job, queue: Queue) -> None:
    """Take a job whose worker is gone out of the running jobs and list it among the failed ones (the jobs board
    shows why); its work is queued again by the sweep, from the database."""
    with queue.connection.pipeline() as pipe:
        StartedJobRegistry(queue=queue).remove_executions(job, pipeline=pipe)
        job.set_status(JobStatus.FAILED, pipeline=pipe)
        FailedJobRegistry(queue=queue).add(job, exc_string=f"Its worker ({job.worker_name}) stopped while running it.",
                                           pipeline=pipe)
        pipe.execute()


def enqueue_unique(queue: Queue, func, args: tuple, job_id: str, retry=None, **kw) -> bool:
    """Enqueue unless a job with this id is live (see is_live). Finished, failed or orphaned ones are replaced."""
    return bool(enqueue_unique_many(queue, [(func, args, job_id)], retry))


def enqueue_unique_many(queue: Queue, calls: list[tuple], retry=None) -> list[str]:
    """enqueue_unique for many (func, args, job_id) calls, in a few Redis round trips: a release job queues
    dozens of email jobs. Returns the job ids queued."""
    if not calls:
        return []
    conn = queue.connection
    with conn.lock(f"bwadmin:enqueue:{queue.name}", timeout=ENQUEUE_LOCK_TIMEOUT, blocking_timeout=ENQUEUE_LOCK_TIMEOUT):
        existing = Job.fetch_many([job_id for _, _, job_id in calls], connection=conn)
        fresh = [(call, job) for call, job in zip(calls, existing) if not is_live(job)]
        for _, job in fresh:
            if job is not None and job.get_status(refresh=False) == JobStatus.STARTED:
                # Its old run would otherwise be found abandoned later and retried or failed over the new one.
                StartedJobRegistry(queue=queue).remove_executions(job)
        queue.enqueue_many([Queue.prepare_data(func, args, job_id=job_id, retry=retry, result_ttl=3600,
                                               failure_ttl=7 * 24 * 3600) for (func, args, job_id), _ in fresh])
    return [job_id for (_, _, job_id), _ in fresh]


def chunked_calls(ids: Iterable[int], size: int, name: str, batch: str, single: str | None = None,
                  extra: tuple = ()) -> list[tuple]:
    """(func, args, job_id) for `ids` (once each, in order) in chunks of `size`, for enqueue_unique_many. The job ids say what a job
    holds, so a chunk still waiting is not queued twice: `<name>-<id>` for one, `<name>s-<first>-<last>-<count>`
    for more. A chunk of one runs `single(id, *extra)` when there is one, else `batch([id], *extra)`. Functions
    are dotted paths ("jobs.notices.send_notices"): the web side queues jobs without importing them."""
    calls = []
    for chunk in chunked(sorted(set(ids)), size):
        if len(chunk) == 1:
            func, args = (single, (chunk[0], *extra)) if single else (batch, (chunk, *extra))
            calls.append((func, args, f"{name}-{chunk[0]}"))
        else:
            calls.append((batch, (chunk, *extra), f"{name}s-{chunk[0]}-{chunk[-1]}-{len(chunk)}"))
    return calls

