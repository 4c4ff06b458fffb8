"""What every database connection of the app is set up with when it opens."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from .config import settings
from .extensions import db


def init_app(app: Flask) -> None:
    """On PostgreSQL, the statement timeout (BWADMIN_STATEMENT_TIMEOUT_MS) on each new connection: a statement
    running longer is cancelled by the server, and the user is told the service is busy (a 503, not a 500).
    Migrations lift it for their own connection (migrations/env.py)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    timeout = settings(app).statement_timeout_ms

    @event.listens_for(engine, "connect")
    def set_statement_timeout(dbapi_connection, connection_record):
        # Outside a transaction (SQLAlchemy's documented way for session settings), so it lasts the connection's life.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(timeout)}")
        dbapi_connection.autocommit = autocommit
