"""Many processes, one truth: two web processes, two RQ workers and two `rq cron` schedulers on one database and one
Redis, while releases fall due for many cycles and several `flask tick` sweeps run at once. Then one worker is killed
with SIGKILL in the middle of its work and Redis is flushed. The sweeps that follow finish the work: every report
released once, every person emailed once about each event (a real SMTP server counts), nothing left undone."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import psutil
import pytest
from flask_migrate import stamp
from sqlalchemy import func, insert, select, text

from bwadmin.extensions import db
from bwadmin.mailsink import MailSink, free_port
from bwadmin.models import (Answer, Assessment, Buyer, Cycle, Factory, Milestone, Notification, Report, Response,
                            Sourcing, User, utcnow)
from bwadmin.queue import get_redis
from bwadmin.services import notify
from tests.clock_support import bank

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CYCLES = 400  # releases falling due at once; each emails the factory's manager, the buyer and the advisor
SWEEPS_AT_ONCE = 3


def build(cycles: int) -> None:
    """Factories with a consenting buyer and a completed assessment whose release fell due an hour ago."""
    questions = bank("assessment").questions
    db.session.commit()
    now, signed = utcnow(), date.today() - timedelta(days=140)
    db.session.execute(insert(User), [{"email": "advisor@many.org", "name": "Advisor", "role": "advisor"}])
    advisor = db.session.scalar(select(User.id).where(User.email == "advisor@many.org"))
    questionnaire = questions[0].questionnaire_id
    ids = range(1, cycles + 1)
    db.session.execute(insert(Factory), [{"id": i, "name": f"Factory {i}", "country": "Vietnam"} for i in ids])
    db.session.execute(insert(Buyer), [{"id": i, "name": f"Buyer {i}"} for i in ids])
    db.session.execute(insert(Sourcing), [{"buyer_id": i, "factory_id": i, "consent_given_at": now} for i in ids])
    db.session.execute(insert(User), [{"email": f"f{i}@many.org", "name": f"Manager {i}", "role": "factory",
                                       "factory_id": i} for i in ids]
                       + [{"email": f"b{i}@many.org", "name": f"Buyer {i}", "role": "buyer", "buyer_id": i}
                          for i in ids])
    db.session.execute(insert(Cycle), [{"id": i, "factory_id": i, "number": 1, "signed_up_on": signed,
                                        "advisor_id": advisor, "status": "assessment"} for i in ids])
    db.session.execute(insert(Response), [{"id": i, "cycle_id": i, "questionnaire_id": questionnaire,
                                           "kind": "assessment", "status": "submitted", "submitted_at": now}
                                          for i in ids])
    db.session.execute(insert(Assessment), [{"cycle_id": i, "assessed_on": signed + timedelta(days=100),
                                             "response_id": i, "completed_at": now, "review_status": "approved"}
                                            for i in ids])
    db.session.execute(insert(Answer), [{"response_id": i, "question_id": q.id,
                                         "value": q.noncompliant_answer if i % 3 == 0 else "yes"}
                                        for i in ids for q in questions])
    db.session.execute(insert(Milestone), [{"cycle_id": i, "kind": "release", "due_at": now - timedelta(hours=1)}
                                           for i in ids])
    db.session.commit()


def environment(app, sink: MailSink, instance: Path) -> dict[str, str]:
    config = app.config
    return dict(os.environ, DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=config["REDIS_URL"],
                MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port), SECRET_KEY="many-processes",
                BWADMIN_INSTANCE=str(instance), BWADMIN_REPORTS_DIR=config["BWADMIN_REPORTS_DIR"],
                BWADMIN_REPORT_PDF="0", BWADMIN_NOTICE_REQUEUE_AFTER="1", BWADMIN_PDF_REQUEUE_AFTER="1",
                BWADMIN_SWEEP_BATCH="50", BWADMIN_NOTICE_BATCH="50", WEB_CONCURRENCY="1", LOG_LEVEL="WARNING")


def start(command: list[str], env: dict[str, str], **extra) -> subprocess.Popen:
    # A session of its own: SIGKILL reaches the worker and its work-horse, and nothing outlives the test.
    return subprocess.Popen(command, cwd=ROOT, env=env | extra, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        members = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        members = []
    for member in members:
        try:
            member.send_signal(sig)
        except psutil.NoSuchProcess:
            pass
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    psutil.wait_procs(members, timeout=10)


def sweeps(env: dict[str, str], times: int) -> None:
    """`flask tick` in `times` processes at once, as cron on several machines would."""
    ticks = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "tick"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(times)]
    for tick in ticks:
        _, errors = tick.communicate(timeout=120)
        assert tick.returncode == 0, errors


def released() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Report)
                             .where(Report.kind == "assessment", Report.released_at.is_not(None)))


def left() -> dict[str, int]:
    """What is left undone: releases, milestones, and notices not yet sent nor failed (by status)."""
    db.session.expire_all()
    undone = {"releases": CYCLES - released(),
              "milestones": db.session.scalar(select(func.count()).select_from(Milestone)
                                              .where(Milestone.done_at.is_(None)))}
    undone |= dict(db.session.execute(select(Notification.status, func.count()).where(
        Notification.status.in_(("pending", "sending"))).group_by(Notification.status)).all())
    return {key: value for key, value in undone.items() if value}


def ready(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
        return response.status


@pytest.fixture
def stamped(app):
    """The test database's schema is the models' (create_all), which tests/test_migrations.py proves is the
    migrations' head: stamped so, the web processes' /readyz says ready."""
    stamp()
    yield
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))


def test_two_of_each_process_release_once_and_email_once_through_a_killed_worker_and_a_flushed_redis(
        app, stamped, tmp_path):
    build(CYCLES)
    processes: list[subprocess.Popen] = []
    with MailSink() as sink:
        env = environment(app, sink, tmp_path / "instance")
        try:
            ports = [free_port(), free_port()]
            processes += [start([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"], env,
                                PORT=str(port)) for port in ports]
            workers = [start([sys.executable, "-m", "bwadmin.rq_cli", "worker", "--url", env["REDIS_URL"],
                              "notices", "default", "pdf"], env) for _ in range(2)]
            processes += workers
            processes += [start([sys.executable, "-m", "bwadmin.rq_cli", "cron", "jobs/cron.py", "--url",
                                 env["REDIS_URL"]], env) for _ in range(2)]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if all(ready(port) == 200 for port in ports):
                        break
                except OSError:
                    time.sleep(0.3)
            assert all(ready(port) == 200 for port in ports)

            sweeps(env, SWEEPS_AT_ONCE)
            deadline = time.monotonic() + 120
            while released() < CYCLES // 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert CYCLES // 4 <= released() < CYCLES, "the kill is to fall in the middle of the work"
            kill(workers[0])  # its machine stopped: no clean-up, no heartbeat
            get_redis(app).flushdb()  # every queued job, lock and registry gone

            sweeps(env, SWEEPS_AT_ONCE)
            deadline = time.monotonic() + 300
            while left() and time.monotonic() < deadline:
                time.sleep(3)
                sweeps(env, 1)  # as the cron schedulers do each minute, sooner
                assert all(ready(port) == 200 for port in ports)  # the web serves on throughout
            assert left() == {}, "work left undone"
        finally:
            for proc in processes:
                kill(proc, signal.SIGTERM)

        notices = db.session.scalars(select(Notification)).all()
        in_doubt = [n for n in notices if n.status == "failed" and notify.in_doubt(n)]
        assert len(in_doubt) <= 1, "only the email being handed over when the worker died may be in doubt"
        assert {n.status for n in notices if n not in in_doubt} == {"sent"}
        assert len(notices) >= 3 * CYCLES  # the factory's manager, the buyer and the advisor about each release
        received = Counter((m["X-Envelope-To"], str(m["Subject"])) for m in sink.messages)
        assert max(received.values()) == 1, "someone got the same email twice"
        expected = {(n.email, n.subject) for n in notices if n.status == "sent"}
        assert expected <= set(received) and len(received) <= len(expected) + len(in_doubt)
    assert db.session.scalar(select(func.count(func.distinct(Report.cycle_id))).where(
        Report.kind == "assessment", Report.released_at.is_not(None))) == CYCLES
