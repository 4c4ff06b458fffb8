"""Settings from the environment. `BWADMIN_*` variables set the programme's own settings."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ and kept there."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'bwadmin.db'}"
    # psycopg 3 is the driver we ship; plain postgresql:// URLs would ask for psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, env: Mapping[str, str] = os.environ) -> dict:
    """The database connections of one process.

    A connection the database server closed (restart, failover) is found and replaced before a request uses it,
    not answered with a 500 once per pooled connection. On PostgreSQL each process holds at most
    BWADMIN_DB_POOL_SIZE + BWADMIN_DB_MAX_OVERFLOW connections (5 + 5): the sum over every gunicorn worker, RQ worker
    and cron process must stay under the server's max_connections (README, Deployment). The statement timeout is
    set on each new connection (database.init_app)."""
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options |= {"pool_size": int(env.get("BWADMIN_DB_POOL_SIZE", "5")),
                    "max_overflow": int(env.get("BWADMIN_DB_MAX_OVERFLOW", "5")), "pool_timeout": 10}
    return options


def from_environment(instance: Path) -> dict:
    url = database_url(instance)
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "8025")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "bwadmin <noreply@bwadmin.local>"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("BWADMIN_HTTPS", "") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # Queues by priority: a worker listens to them in this order (`rq worker notices default pdf`), so a
        # release's emails go out before its PDFs, which take far longer. The milestone jobs and the sweep use
        # BWADMIN_QUEUE. Give two of them the same name for fewer queues.
        "BWADMIN_NOTICE_QUEUE": "notices",
        "BWADMIN_QUEUE": "default",
        "BWADMIN_PDF_QUEUE": "pdf",
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        "BWADMIN_BASE_URL": "http://127.0.0.1:5000",
    } | {key: value for key, value in os.environ.items() if key.startswith("BWADMIN_")}


# --- the programme's settings, typed -----------------------------------------------------------------
def intervals(value) -> tuple[int, ...]:
    """Retry intervals in seconds: a list, or "10,60,300" as a BWADMIN_* environment variable gives it."""
    if isinstance(value, str):
        return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
    return tuple(int(v) for v in value)


def flag(value) -> bool:
    """On unless "0", "false", "no", "off" or empty (environment variables are strings)."""
    return bool(value) and str(value).lower() not in ("0", "false", "no", "off")


def seconds(value) -> timedelta:
    return timedelta(seconds=float(value))


def hours(value) -> timedelta:
    return timedelta(hours=float(value))


def days(value) -> timedelta:
    return timedelta(days=float(value))


def _text(value) -> str:
    return str(value)


def _optional(value) -> str | None:
    return str(value) if value else None


# attribute → (config key, default, parser). A missing or None value stands for the default, and so does an empty
# text; an empty list of retry intervals means no retry.
SETTINGS = {
    "base_url": ("BWADMIN_BASE_URL", "", _text),
    "queue": ("BWADMIN_QUEUE", "default", _text),
    "notice_queue": ("BWADMIN_NOTICE_QUEUE", None, _optional),
    "pdf_queue": ("BWADMIN_PDF_QUEUE", None, _optional),
    "reports_dir": ("BWADMIN_REPORTS_DIR", None, _optional),
    "report_pdf": ("BWADMIN_REPORT_PDF", True, flag),
    # Evidence files of the assessments: kept under instance/attachments unless set, each at most this many bytes.
    "attachments_dir": ("BWADMIN_ATTACHMENTS_DIR", None, _optional),
    "attachment_max_bytes": ("BWADMIN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, int),
    "session_idle": ("BWADMIN_SESSION_IDLE_HOURS", 8, hours),
    "session_longest": ("BWADMIN_SESSION_MAX_DAYS", 30, days),
    "login_limit_account": ("BWADMIN_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes", _text),  # failures, account + address
    "login_limit_account_wide": ("BWADMIN_LOGIN_LIMIT_ACCOUNT_WIDE", "50 per 15 minutes", _text),  # unknown devices
    "login_limit_address": ("BWADMIN_LOGIN_LIMIT_ADDRESS", "50 per 15 minutes", _text),  # attempts, per address
    # An API token stops working this long after it was issued (the OpenAPI description says so).
    "token_lifetime": ("BWADMIN_TOKEN_DAYS", 90, days),
    # PostgreSQL cancels a statement running longer (milliseconds; 0: never), so one slow query cannot hold a web
    # worker (database.init_app).
    "statement_timeout_ms": ("BWADMIN_STATEMENT_TIMEOUT_MS", 30000, int),
    # Milestones per job and cycles per drafting job: when thousands fall due at once, a job's fixed costs (its
    # queries, commit and bookkeeping in Redis) are shared by this many.
    "sweep_batch": ("BWADMIN_SWEEP_BATCH", 500, int),
    "notice_batch": ("BWADMIN_NOTICE_BATCH", 100, int),  # notices per job: one SMTP connection each
    "milestone_retry": ("BWADMIN_MILESTONE_RETRY_INTERVALS", (30, 120, 600), intervals),
    "notice_retry": ("BWADMIN_NOTICE_RETRY_INTERVALS", (10, 60, 300), intervals),
    "pdf_retry": ("BWADMIN_PDF_RETRY_INTERVALS", (30, 120, 600), intervals),
    # A notice or a PDF recorded a moment ago may not be queued yet (its job queues it after its commit); older
    # than this and carried by no live job, the sweep queues it again.
    "notice_requeue_after": ("BWADMIN_NOTICE_REQUEUE_AFTER", 30, seconds),
    "pdf_requeue_after": ("BWADMIN_PDF_REQUEUE_AFTER", 30, seconds),
}


@dataclass(frozen=True)
class Settings:
    """The `BWADMIN_*` settings parsed: read `settings().sweep_batch`, never app.config["BWADMIN_SWEEP_BATCH"]."""

    base_url: str
    queue: str
    notice_queue: str | None
    pdf_queue: str | None
    reports_dir: Path
    report_pdf: bool
    attachments_dir: Path
    attachment_max_bytes: int
    session_idle: timedelta
    session_longest: timedelta
    login_limit_account: str
    login_limit_account_wide: str
    login_limit_address: str
    token_lifetime: timedelta
    statement_timeout_ms: int
    sweep_batch: int
    notice_batch: int
    milestone_retry: tuple[int, ...]
    notice_retry: tuple[int, ...]
    pdf_retry: tuple[int, ...]
    notice_requeue_after: timedelta
    pdf_requeue_after: timedelta

    @classmethod
    def parse(cls, config: Mapping, instance_path: str) -> Settings:
        """From app.config; a bad value raises ValueError naming its key. Reports go under instance/ by default."""
        values = {}
        for name, (key, default, parse) in SETTINGS.items():
            raw = config.get(key)
            try:
                values[name] = parse(default if raw is None or (raw == "" and parse is _text) else raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{key}={raw!r}: {exc}") from exc
        values["reports_dir"] = Path(values["reports_dir"] or Path(instance_path) / "reports")
        values["attachments_dir"] = Path(values["attachments_dir"] or Path(instance_path) / "attachments")
        return cls(**values)


def _raw(config: Mapping) -> tuple:
    return tuple(config.get(key) for key, _, _ in SETTINGS.values())


def init_app(app: Flask) -> None:
    """Parse the settings once, at start-up, so a bad value stops the app before it serves."""
    settings(app)


def settings(app: Flask | None = None) -> Settings:
    """The app's settings. Parsed again only when app.config changed since (a test setting one value)."""
    app = app or current_app._get_current_object()
    raw = _raw(app.config)
    cached = app.extensions.get("bwadmin.settings")
    if cached is None or cached[0] != raw:
        cached = app.extensions["bwadmin.settings"] = (raw, Settings.parse(app.config, app.instance_path))
    return cached[1]
