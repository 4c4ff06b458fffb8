"""Settings from the environment. `BWADMIN_*` variables set the programme's own settings."""
import os
import secrets
from pathlib import Path


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


def from_environment(instance: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
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
        # A connection the database server closed (restart, failover) is found and replaced before a request
        # uses it, not answered with a 500 once per pooled connection.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BWADMIN_BASE_URL": "http://127.0.0.1:5000",
        # An API token stops working this many days after it was issued (the OpenAPI description says so).
        "BWADMIN_TOKEN_DAYS": 90,
    } | {key: value for key, value in os.environ.items() if key.startswith("BWADMIN_")}
