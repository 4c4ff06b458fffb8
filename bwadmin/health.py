"""/healthz: the process is up. /readyz: it can serve — the database and Redis answer and the database's schema is
at the migrations' head (a web process started before `flask db upgrade` would answer 500s on new columns).

A load balancer sends traffic to a process only while /readyz answers 200, and restarts it when /healthz stops
answering; `make run` waits for /readyz before it says the app is running. Neither needs a login or says more than
which check failed (no address, no version, no error text a stranger could use)."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from redis import RedisError

from .extensions import db
from .queue import get_redis

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migration_heads() -> set[str]:
    """The newest revisions the code ships (read once: they change only with a new release of the code)."""
    heads = current_app.extensions.get("bwadmin.migration_heads")
    if heads is None:
        heads = current_app.extensions["bwadmin.migration_heads"] = set(
            ScriptDirectory(str(MIGRATIONS)).get_heads())
    return heads


def checks() -> dict[str, str]:
    """Each check's state: "ok", or what is wrong in a few words."""
    out = {}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
        out["database"] = "ok"
        out["migrations"] = "ok" if current == migration_heads() else "not at head"
    except SQLAlchemyError:
        log.warning("readiness: the database does not answer", exc_info=True)
        out["database"] = out["migrations"] = "unavailable"
    try:
        get_redis().ping()
        out["redis"] = "ok"
    except (RedisError, OSError):
        log.warning("readiness: Redis does not answer", exc_info=True)
        out["redis"] = "unavailable"
    return out


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    state = checks()
    ready = all(value == "ok" for value in state.values())
    return jsonify(status="ready" if ready else "not ready", checks=state), 200 if ready else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
