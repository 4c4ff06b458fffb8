"""Log lines: one per event, each with the request, the user and the job it belongs to, as JSON when LOG_FORMAT=json.

Web processes log one line per request (method, path, status, milliseconds) here instead of gunicorn's access log,
so every line of a request carries the same id. The id comes from the X-Request-ID header a proxy set (when it looks
like an id), else a new one, and goes back in the response's X-Request-ID: a user's report of a failure can name it."""
from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

request_log = logging.getLogger("bwadmin.request")

# What a proxy's id may look like to be kept: anything else (too long, spaces, quotes) is replaced, not logged.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s user=%(user_id)s job=%(job_id)s] %(message)s"
# Asked every few seconds by a load balancer: their lines would drown the others.
QUIET_ENDPOINTS = ("health.healthz", "health.readyz")
# Route arguments that are secrets: a log line never holds them.
SECRET_ARGS = ("token",)
IDS = ("request_id", "user_id", "job_id")
JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}{user_id}{job_id}"


class Context(logging.Filter):
    """Adds request_id, user_id and job_id to every record (None outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        in_request = has_request_context()
        record.request_id = g.get("request_id") if in_request else None
        record.user_id = g.get("log_user_id") if in_request else None
        record.job_id = _job_id()
        return True


class PlainFormatter(logging.Formatter):
    """Text lines, an id that does not apply written "-" (JSON lines keep null)."""

    def format(self, record: logging.LogRecord) -> str:
        ids = {name: getattr(record, name, None) for name in IDS}
        for name, value in ids.items():
            setattr(record, name, "-" if value is None else value)
        try:
            return super().format(record)
        finally:
            for name, value in ids.items():
                setattr(record, name, value)


def _job_id() -> str | None:
    from rq import get_current_job  # here, not at the top: web processes log before any job module is loaded

    job = get_current_job()
    return job.id if job is not None else None


def handler(log_format: str | None = None, stream=None) -> logging.Handler:
    """A handler writing one line per record: JSON for "json", else text, with the ids either way."""
    out = logging.StreamHandler(stream or sys.stderr)
    if (log_format or os.environ.get("LOG_FORMAT", "")).lower() == "json":
        out.setFormatter(JsonFormatter(JSON_FIELDS, style="{", rename_fields={"levelname": "level",
                                                                            "asctime": "time"}))
    else:
        out.setFormatter(PlainFormatter(PLAIN_FORMAT))
    out.addFilter(Context())
    return out


def configure(log_format: str | None = None, level: str | None = None, stream=None) -> None:
    """The process's logging: one handler on the root logger (gunicorn's workers, rq's worker and cron, which then
    add none of their own). Called once per process by its entry point, never by create_app (tests make many apps)."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format, stream))
    root.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    # /readyz reads the schema's revision through alembic, which tells of its set-up each time it is asked.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """The request id and the request's log line."""

    @app.before_request
    def start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.log_started = time.perf_counter()
        g.pop("log_user_id", None)  # a caller's app context (tests, scripts) is shared by its requests

    @app.after_request
    def finish(response):
        request_id = g.get("request_id")
        if request_id is None:  # a request another before_request hook answered first
            return response
        response.headers["X-Request-ID"] = request_id
        if request.endpoint not in QUIET_ENDPOINTS:
            request_log.info("%s %s %s %.1f ms", request.method, logged_path(), response.status_code,
                             (time.perf_counter() - g.log_started) * 1000)
        return response


def logged_path() -> str:
    """The request's path with the secrets a route carries (a password link's token) hidden; never the query."""
    path = request.path
    for name in SECRET_ARGS:
        value = (request.view_args or {}).get(name)
        if value:
            path = path.replace(str(value), "[hidden]")
    return path


def note_user(user_id: int) -> None:
    """The user a request acts for, for its log lines (set where the user is loaded: a session or an API token)."""
    if has_request_context():
        g.log_user_id = user_id
