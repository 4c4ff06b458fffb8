"""What an operator relies on: the health endpoints, one log line per event with its request, user and job ids, and a
database that is slow or drops connections answered as "busy" or not noticed, never with a 500."""
from __future__ import annotations

import io
import json
import logging
import re

import psycopg
import pytest
from flask_migrate import upgrade
from rq import Queue, SimpleWorker
from sqlalchemy import text

from bwadmin import config, create_app, logs
from bwadmin.extensions import db
from bwadmin.queue import get_redis
from tests.factories import login, make_user
from tests.test_migrations import migration_app  # noqa: F401 - the fixture: an app on a migrated database of its own

job_log = logging.getLogger("bwadmin.test_job")


@pytest.fixture
def log_lines():
    """The JSON lines the process's handler writes (as `logs.configure` sets it up under gunicorn and rq)."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_healthz_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_readyz_is_ready_on_a_migrated_database(migration_app):  # noqa: F811
    upgrade()
    response = migration_app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}


def test_readyz_says_which_check_fails_and_nothing_more(migration_app):  # noqa: F811
    # Not migrated yet: a web process started before `flask db upgrade` takes no traffic.
    response = migration_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "not at head"

    upgrade()
    migration_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    migration_app.extensions["bwadmin.redis"] = None
    response = migration_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "not ready", "checks": {"database": "ok", "migrations": "ok",
                                                                "redis": "unavailable"}}
    assert "127.0.0.1" not in response.get_data(as_text=True)


def test_each_request_logs_one_line_with_its_request_and_user(client, log_lines):
    user = make_user("admin")
    db.session.commit()
    login(client, user)
    response = client.get("/admin/", headers={"X-Request-ID": "edge-7f3a"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "edge-7f3a"
    line = [entry for entry in log_lines() if entry["name"] == "bwadmin.request" and entry["request_id"] == "edge-7f3a"]
    assert len(line) == 1
    assert line[0]["message"].startswith("GET /admin/ 200 ") and line[0]["user_id"] == user.id
    assert line[0]["level"] == "INFO" and line[0]["job_id"] is None


def test_an_id_that_does_not_look_like_one_is_replaced(client, log_lines):
    for given in ("two words", "x" * 65, '"><script>'):
        response = client.get("/healthz", headers={"X-Request-ID": given})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert all(entry["request_id"] != given for entry in log_lines())


def test_a_password_links_token_never_reaches_the_log(client, log_lines):
    token = "Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3ODkw"
    assert client.get(f"/password/reset/{token}").status_code == 400  # no such link: "This link no longer works"
    text_logged = json.dumps(log_lines())
    assert token not in text_logged and "GET /password/reset/[hidden] 400" in text_logged


def log_from_a_job(word: str) -> str:
    job_log.info("working on %s", word)
    return word


def test_a_jobs_lines_carry_its_id(app, log_lines):
    queue = Queue("log-test", connection=get_redis(app))
    job = queue.enqueue(log_from_a_job, "release")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert job.get_status(refresh=True) == "finished"
    line = [entry for entry in log_lines() if entry["name"] == "bwadmin.test_job"]
    assert line == [line[0]] and line[0]["message"] == "working on release" and line[0]["job_id"] == job.id


def test_plain_lines_carry_the_ids_too(app):
    stream = io.StringIO()
    out = logs.handler("text", stream)
    with app.test_request_context("/", headers={"X-Request-ID": "abc-1"}):
        app.preprocess_request()
        out.handle(logging.LogRecord("bwadmin.x", logging.WARNING, __file__, 1, "seen", None, None))
    assert "[request=abc-1 user=- job=-] seen" in stream.getvalue()


@pytest.fixture
def fresh_app(database_url, redis_url):
    """An app of its own on the test database (routes can still be added to it), with a short statement timeout."""
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url,
                      "BWADMIN_STATEMENT_TIMEOUT_MS": 250})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_slow_or_failing_statement_is_answered_busy_not_500(fresh_app):
    @fresh_app.get("/test-only/slow")
    def slow():
        # PostgreSQL cancels it at the statement timeout; SQLite refuses a missing table with the same kind of error.
        db.session.execute(text("SELECT pg_sleep(2)" if db.engine.dialect.name == "postgresql"
                                else "SELECT * FROM no_such_table"))
        return "finished"

    client = fresh_app.test_client()
    response = client.get("/test-only/slow")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "Try again in a minute" in response.get_data(as_text=True)
    assert client.get("/readyz").json["checks"]["database"] == "ok"  # the session was rolled back: it serves on


def test_the_statement_timeout_reaches_postgresql(fresh_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no statement timeout")
    assert db.session.execute(text("SHOW statement_timeout")).scalar() == "250ms"


def test_postgresql_pools_are_sized_by_the_settings():
    options = config.engine_options("postgresql+psycopg://db/bwadmin", {"BWADMIN_DB_POOL_SIZE": "3"})
    assert options["pool_size"] == 3 and options["max_overflow"] == 5 and options["pool_pre_ping"]
    assert config.engine_options("sqlite:///x.db", {}) == {"pool_pre_ping": True}


def test_a_connection_the_server_dropped_is_replaced_unseen(app, client, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: a SQLite file has no server to drop the connection")
    user = make_user("admin")
    db.session.commit()
    login(client, user)
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.remove()  # the connection goes back to the pool
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert client.get("/admin/").status_code == 200
