"""Enqueueing with deterministic job ids: a job still waiting or running is not queued a second time."""
from __future__ import annotations

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def enqueue_unique(queue: Queue, func, args: tuple, job_id: str, retry=None, **kw) -> bool:
    """Enqueue unless a job with this id is queued, scheduled or running. Finished or failed ones are replaced.

    A duplicate that slips through (two sweeps at once) is harmless: the job claims its rows in the database.
    """
    try:
        existing = Job.fetch(job_id, connection=queue.connection)
        if existing.get_status(refresh=False) in LIVE:
            return False
    except NoSuchJobError:
        pass
    queue.enqueue(func, *args, job_id=job_id, retry=retry, result_ttl=3600, failure_ttl=7 * 24 * 3600, **kw)
    return True


def enqueue_unique_many(queue: Queue, calls: list[tuple], retry=None) -> list[str]:
    """enqueue_unique for many (func, args, job_id) calls, with two Redis round trips in all: a release job queues
    dozens of email jobs. Returns the job ids queued."""
    if not calls:
        return []
    existing = Job.fetch_many([job_id for _, _, job_id in calls], connection=queue.connection)
    fresh = [call for call, job in zip(calls, existing)
             if job is None or job.get_status(refresh=False) not in LIVE]
    queue.enqueue_many([Queue.prepare_data(func, args, job_id=job_id, retry=retry, result_ttl=3600,
                                           failure_ttl=7 * 24 * 3600) for func, args, job_id in fresh])
    return [job_id for _, _, job_id in fresh]


def chunked_calls(ids: list[int], size: int, name: str, batch, single=None, extra: tuple = ()) -> list[tuple]:
    """(func, args, job_id) for `ids` in chunks of `size`, for enqueue_unique_many. The job ids say what a job
    holds, so a chunk still waiting is not queued twice: `<name>-<id>` for one, `<name>s-<first>-<last>-<count>`
    for more. A chunk of one runs `single(id, *extra)` when there is one, else `batch([id], *extra)`."""
    calls = []
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        if len(chunk) == 1:
            func, args = (single, (chunk[0], *extra)) if single else (batch, (chunk, *extra))
            calls.append((func, args, f"{name}-{chunk[0]}"))
        else:
            calls.append((batch, (chunk, *extra), f"{name}s-{chunk[0]}-{chunk[-1]}-{len(chunk)}"))
    return calls


def intervals(value, default: list[int]) -> list[int]:
    """Retry intervals from the config: a list, or "10,60,300" from a BWADMIN_* environment variable."""
    if value is None:
        return list(default)
    if isinstance(value, str):
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    return [int(v) for v in value]
