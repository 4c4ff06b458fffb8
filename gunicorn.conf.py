"""gunicorn's settings for the web process (the Procfile's `web`, the systemd unit). Each may be overridden on the
command line or by its environment variable.

- workers: WEB_CONCURRENCY, 2 by default. Pages spend most of their time in Python, so about one worker per core;
  each holds its own database pool (config.engine_options), which sets how many fit under PostgreSQL's
  max_connections.
- timeout 30 s: a worker silent that long is killed and replaced. The database's statement timeout is the same, so a
  slow query ends with a "busy" page before its worker is killed; PDFs and emails are made by RQ workers, never here.
- graceful_timeout 20 s: on a restart, requests in flight finish first.
- max_requests 2000 with a jitter of 200: each worker is replaced after about that many requests, so memory a library
  holds on to cannot grow without end, and workers are not all replaced at once.
- keepalive 5 s behind a proxy that keeps connections open.
- No access log of gunicorn's: the app writes one line per request with its request and user ids (bwadmin.logs),
  JSON when LOG_FORMAT=json.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
keepalive = 5
accesslog = None
wsgi_app = "app:create_app()"

if os.environ.get("LOG_FORMAT", "").lower() == "json":
    # gunicorn's own lines (start, worker exits, timeouts) as JSON too, for the same log collector.
    logconfig_dict = {
        "version": 1,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "style": "{",
                                "fmt": "{asctime}{levelname}{name}{message}",
                                "rename_fields": {"levelname": "level", "asctime": "time"}}},
        "handlers": {"error_console": {"class": "logging.StreamHandler", "formatter": "json",
                                       "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}},
    }


def post_fork(server, worker):
    # In each worker, before the app is loaded: its log lines, one per event, with their ids (gunicorn keeps its own).
    from bwadmin import logs

    logs.configure()
