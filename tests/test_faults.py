"""Faults: a real worker process killed mid-job, Redis losing queued jobs, the SMTP server stalling, two sweeps
at once, the database server closing connections. Nothing is lost, nothing goes out twice, and what is due is
done by the next sweep rather than after a timeout."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import func, select, text, update

from bwadmin.extensions import db
from bwadmin.models import Notification, Report, utcnow
from bwadmin import queue as jobqueue
from bwadmin import queueing
from bwadmin.queue import enqueue_notices, get_queues, get_redis
from bwadmin.services import notify
from jobs import notices as notice_jobs
from jobs.sweep import run_sweep
from jobs.worker import work_until_empty
from tests.clock_support import FINDINGS, MailSink, World, fast_retries, smtp, tick  # noqa: F401
from tests.factories import csrf_from, login, make_user

ROOT = Path(__file__).resolve().parent.parent


def wait_until(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.05)


@contextmanager
def worker_process(app, *args: str):
    """A real `rq` worker (forking a work-horse per job) on the test's database, Redis and mail server."""
    config = app.config
    env = dict(os.environ, DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=config["REDIS_URL"],
               MAIL_SERVER=str(config["MAIL_SERVER"]), MAIL_PORT=str(config["MAIL_PORT"]),
               SECRET_KEY="test", BWADMIN_REPORTS_DIR=config["BWADMIN_REPORTS_DIR"],
               BWADMIN_INSTANCE=str(Path(config["BWADMIN_REPORTS_DIR"]).parent / "worker-instance"),
               BWADMIN_NOTICE_RETRY_INTERVALS="", BWADMIN_MILESTONE_RETRY_INTERVALS="")
    proc = subprocess.Popen([sys.executable, "-m", "tests.worker_process", *args], cwd=ROOT, env=env,
                            start_new_session=True)
    try:
        yield proc
    finally:
        kill(proc)


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL to the worker and its work-horse (a session of its own), as when their machine stops: nothing of
    theirs runs after this, no clean-up, no heartbeat."""
    import psutil

    try:
        horses = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        horses = []
    for process in [psutil.Process(proc.pid), *horses] if proc.poll() is None else horses:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait()
    psutil.wait_procs(horses, timeout=10)


def status_of(job_id: str):
    try:
        return Job.fetch(job_id, connection=get_redis()).get_status()
    except Exception:  # noqa: BLE001 - not there yet
        return None


def count(*where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Notification).where(*where))


def test_a_release_whose_worker_was_killed_mid_job_is_done_by_the_next_sweep(app, smtp):
    world = World(answers=FINDINGS)
    at = world.due("release")
    tick(at - timedelta(days=1))  # what came before the release is done
    before = len(smtp.messages)
    with worker_process(app, "--stuck", "release") as worker:
        job_id = run_sweep(at).milestone_jobs[0]
        wait_until(lambda: status_of(job_id) == JobStatus.STARTED, "the worker took the release")
        kill(worker)
    assert status_of(job_id) == JobStatus.STARTED  # as the dead worker left it

    swept = tick(at)  # the next sweep, and a worker
    assert swept.orphans == [job_id] and swept.milestone_jobs == [job_id]
    assert world.cycle.milestone("release").done_at == at
    assert db.session.scalar(select(Report.released_at).where(Report.kind == "assessment")) == at
    assert [str(m["Subject"]) for m in smtp.to("buyer@example.org")] == ["Assessment report released: Mekong Apparel"]
    assert len(smtp.messages) - before == 4
    assert tick(at).milestone_jobs == [] and len(smtp.messages) - before == 4  # and once only


class StallingSink(MailSink):
    """Accepts `accept` emails, then holds the next one in DATA until released (and then refuses it)."""

    def __init__(self, accept: int):
        super().__init__()
        self.accept = accept
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler API
        if self.count >= self.accept and not self.released.is_set():
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            return "451 not taken"
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_mid_smtp_batch_leaves_one_notice_in_doubt_and_the_rest_sent_once(app, fast_retries, client):
    ids = []
    for i in range(10):
        ids.append(notify.record(f"fault-{i}", f"p{i}@example.org", "test", f"Notice {i}", "Text").id)
    db.session.commit()
    with StallingSink(accept=3) as sink:
        sink.configure(app)
        enqueue_notices(ids)
        with worker_process(app) as worker:
            assert sink.holding.wait(60), "the worker did not reach the fourth email"
            kill(worker)
        sink.released.set()
        # Each email was marked sent as the server took it: the three it accepted are sent, not in doubt.
        assert count(Notification.status == "sent") == 3

        swept = tick()
        assert len(swept.orphans) == 1
        rows = {r.email: r for r in db.session.scalars(select(Notification))}
        assert rows["p3@example.org"].status == "failed" and notify.in_doubt(rows["p3@example.org"])
        assert {r.status for e, r in rows.items() if e != "p3@example.org"} == {"sent"}
        received = sorted(m["X-Envelope-To"] for m in sink.messages)
        assert received == sorted(f"p{i}@example.org" for i in range(10) if i != 3)  # each once, none twice

        admin = make_user("admin", "boss@example.org")
        login(client, admin)
        listing = client.get("/admin/notification/").get_data(as_text=True)
        assert "may have been sent" in listing
        assert "Retry, even though it may have been sent" in listing and "Send them again anyway?" in listing
        token = csrf_from(listing[listing.index('id="action_form"'):])
        plain = client.post("/admin/notification/action/", data={
            "csrf_token": token, "action": "retry", "rowid": [str(rows["p3@example.org"].id)]}, follow_redirects=True)
        assert "may have been sent already" in plain.get_data(as_text=True)
        work_until_empty()
        assert len(sink.to("p3@example.org")) == 0
        sure = client.post("/admin/notification/action/", data={
            "csrf_token": token, "action": "retry_maybe_sent", "rowid": [str(rows["p3@example.org"].id)]},
            follow_redirects=True)
        assert "1 notice(s) queued to be sent again." in sure.get_data(as_text=True)
        work_until_empty()
        assert len(sink.to("p3@example.org")) == 1 and count(Notification.status == "sent") == 10


def test_ordinary_failed_notices_keep_plain_retry(app, client):
    row = notify.record("plain", "someone@example.org", "test", "Subject", "Text")
    row.status, row.last_error = "failed", "SMTPServerDisconnected: closed"
    db.session.commit()
    assert not notify.in_doubt(row) and notify.retry(row) and row.status == "pending"


def test_notices_whose_queued_jobs_redis_lost_are_sent_by_the_next_sweep(app, smtp):
    ids = [notify.record(f"lost-{i}", f"l{i}@example.org", "test", "Subject", "Text").id for i in range(3)]
    db.session.commit()
    enqueue_notices(ids)
    get_redis(app).flushdb()  # Redis lost the queued email jobs
    # recorded a minute ago: long past the moment between recording and queueing, far short of 15 minutes
    db.session.execute(update(Notification).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    tick()
    assert count(Notification.status == "sent") == 3 and len(smtp.messages) == 3


def test_the_sweep_leaves_alone_notices_a_live_job_carries(app, smtp):
    ids = [notify.record(f"carried-{i}", f"c{i}@example.org", "test", "Subject", "Text").id for i in range(3)]
    db.session.execute(update(Notification).values(created_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    queued = enqueue_notices(ids)
    assert run_sweep().notice_jobs == [] and notice_jobs.carried_ids() == set(ids)
    work_until_empty()
    assert len(smtp.messages) == 3 and queued


def test_a_second_sweep_while_one_runs_does_nothing(app, monkeypatch):
    world = World(answers=FINDINGS)
    inner = []
    real = jobqueue.enqueue_milestones

    def meanwhile_another_cron_sweeps(*args, **kwargs):
        if not inner:
            inner.append(run_sweep(world.due("release")))
        return real(*args, **kwargs)

    monkeypatch.setattr(jobqueue, "enqueue_milestones", meanwhile_another_cron_sweeps)
    first = run_sweep(world.due("release"))
    assert inner[0].skipped and inner[0].milestone_jobs == [] and not first.skipped and first.milestone_jobs
    assert run_sweep(world.due("release")).skipped is False  # the lock was given back


def test_two_enqueuers_at_the_same_moment_queue_a_job_id_once(app, monkeypatch):
    app_object = app
    queue = get_queues()[-1]
    real = Job.fetch_many
    other = []

    def second_enqueuer():
        with app_object.app_context():
            jobqueue.enqueue_pdfs([7, 8, 9], queue=queue)

    def fetch_then_let_another_in(*args, **kwargs):
        found = real(*args, **kwargs)
        if not other:  # the first enqueuer has looked and found no job; another one comes in now
            other.append(threading.Thread(target=second_enqueuer))
            other[0].start()
            other[0].join(timeout=2)  # it finishes here unless a lock keeps it waiting
        return found

    monkeypatch.setattr(queueing.Job, "fetch_many", staticmethod(fetch_then_let_another_in))
    jobqueue.enqueue_pdfs([7, 8, 9], queue=queue)
    other[0].join()
    assert queue.get_job_ids() == ["pdf-7", "pdf-8", "pdf-9"]


def test_a_release_emails_go_out_before_its_pdfs_are_made(app, smtp, monkeypatch):
    from bwadmin.services import report_pdf

    world = World(answers=FINDINGS)
    at = world.due("release")
    tick(at - timedelta(days=1))
    before = len(smtp.messages)
    emails_when_a_pdf_began = []
    real = report_pdf.make_pdf

    def make_pdf(report_id, language=None):
        emails_when_a_pdf_began.append(len(smtp.messages) - before)
        return real(report_id, language)

    monkeypatch.setattr(report_pdf, "make_pdf", make_pdf)
    tick(at)
    assert emails_when_a_pdf_began and len(smtp.messages) - before == 4
    assert emails_when_a_pdf_began == [4] * len(emails_when_a_pdf_began)


def test_a_connection_closed_by_the_database_server_costs_no_error_page(app, client):
    from sqlalchemy import create_engine

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to close connections")
    login(client, make_user("admin", "boss@example.org"))
    assert client.get("/admin/notification/").status_code == 200
    db.session.remove()  # between requests, as a web process is: its connections wait in the pool
    # The server closes the app's connections (a restart, a failover, an administrator).
    outside = create_engine(db.engine.url)
    with outside.connect() as conn:
        closed = conn.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    outside.dispose()
    assert closed >= 1
    assert client.get("/admin/notification/").status_code == 200
