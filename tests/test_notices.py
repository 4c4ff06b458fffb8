"""Notices: the key guard, SMTP down (retries, failed, the admin's Retry), dead workers, the jobs board, the CLI."""
from __future__ import annotations

import re
from datetime import timedelta

from rq.registry import FailedJobRegistry
from sqlalchemy import func, select, update

from bwadmin.extensions import db
from bwadmin.models import Notification, utcnow
from bwadmin.queue import enqueue_notices, notice_queue
from bwadmin.services import notify
from jobs.worker import work_until_empty
from tests.clock_support import FINDINGS, MailSink, World, fast_retries, free_port, smtp, tick  # noqa: F401
from tests.factories import csrf_from, login, make_user


def action_token(listing: str) -> str:
    """The token of the list page's action form (the rows' delete forms carry Flask-Admin's own)."""
    return csrf_from(listing[listing.index('id="action_form"'):])


def _notice(key="k1", email="someone@example.org"):
    row = notify.record(key, email, "test", "Subject", "Text", "<p>Text</p>")
    db.session.commit()
    return row


def test_record_refuses_a_second_notice_with_the_same_key(app):
    assert _notice() is not None
    assert notify.record("k1", "someone@example.org", "test", "Again", "Text") is None
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_batch_goes_over_one_connection_and_is_sent_once(app, smtp):
    ids = [_notice(f"k{i}", f"p{i}@example.org").id for i in range(5)]
    assert notify.deliver_many(ids) == ids
    assert notify.deliver_many(ids) == []  # sent already: nothing goes out twice
    assert notify.deliver(ids[0]) is False
    assert len(smtp.messages) == 5
    assert {m["X-Bwadmin-Notice"] for m in smtp.messages} == {f"k{i}" for i in range(5)}
    rows = db.session.scalars(select(Notification)).all()
    assert {r.status for r in rows} == {"sent"} and all(r.sent_at and r.attempts == 1 for r in rows)


def test_smtp_down_gives_retries_then_a_failed_notice_then_one_email_after_the_admins_retry(app, fast_retries, client):
    port = free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    world = World(answers=FINDINGS)
    tick(world.due("cycle_start"))
    rows = db.session.scalars(select(Notification)).all()
    assert len(rows) == 3
    assert {r.status for r in rows} == {"failed"}
    assert all(r.attempts == 4 for r in rows)  # the first try and three retries
    assert all("Connection refused" in (r.last_error or "") or "Errno" in (r.last_error or "") for r in rows)
    assert FailedJobRegistry(queue=notice_queue()).count == 1

    admin = make_user("admin", "boss@example.org")
    login(client, admin)
    page = client.get("/admin/notification/?flt0_0=failed")
    listing = page.get_data(as_text=True)
    assert page.status_code == 200 and "manager@example.org" in listing and "failed" in listing

    with MailSink(port=port) as sink:
        response = client.post("/admin/notification/action/", data={
            "csrf_token": action_token(listing), "action": "retry", "rowid": [str(r.id) for r in rows]},
            follow_redirects=True)
        assert "3 notice(s) queued to be sent again." in response.get_data(as_text=True)
        work_until_empty()
        db.session.expire_all()
        assert sorted(m["X-Envelope-To"] for m in sink.messages) == [
            "advisor@example.org", "manager@example.org", "rrhh@example.org"]
        assert {r.status for r in db.session.scalars(select(Notification))} == {"sent"}
        # retrying a sent notice does nothing
        client.post("/admin/notification/action/", data={
            "csrf_token": action_token(listing), "action": "retry", "rowid": [str(rows[0].id)]})
        work_until_empty()
        assert len(sink.messages) == 3


def test_a_notice_left_half_sent_by_a_dead_worker_is_never_sent_again_by_itself(app, smtp):
    row = _notice()
    assert notify.claim([row.id]) == [row.id]  # a worker took it and died before marking it sent
    assert notify.deliver(row.id) is False
    db.session.execute(update(Notification).values(attempted_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    tick(run=True)
    db.session.refresh(row)
    assert row.status == "failed" and "may have gone out" in row.last_error
    assert smtp.messages == []


def test_the_jobs_board_lists_failed_jobs_and_requeues_them(app, fast_retries, client):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SUPPRESS_SEND=False)
    row = _notice()
    enqueue_notices([row.id])
    queued = client  # the board needs staff
    advisor = make_user("advisor")
    login(queued, advisor)
    page = client.get("/admin/jobs/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"notice-{row.id}" in html and "Queued" in html
    work_until_empty()
    html = client.get("/admin/jobs/").get_data(as_text=True)
    failed = html[html.index('id="failed"'):]
    assert f"notice-{row.id}" in failed and "DeliveryError" in failed

    with MailSink() as sink:
        sink.configure(app)
        db.session.execute(update(Notification).values(status="pending"))
        db.session.commit()
        token = csrf_from(html)
        response = client.post("/admin/jobs/requeue", data={"csrf_token": token, "job_id": f"notice-{row.id}"},
                               follow_redirects=True)
        assert "Requeued 1 failed job(s)" in response.get_data(as_text=True)
        assert FailedJobRegistry(queue=notice_queue()).count == 0
        work_until_empty()
        assert len(sink.messages) == 1


def test_the_jobs_board_is_for_staff_only(app, client):
    from tests.factories import make_factory

    login(client, make_user("factory", factory=make_factory()))
    assert client.get("/admin/jobs/").status_code == 403


def test_tick_on_the_command_line(app, runner, smtp):
    world = World(answers=FINDINGS)
    at = world.due("release").isoformat()
    result = runner.invoke(args=["tick", "--at", at, "--run"])
    assert result.exit_code == 0, result.output
    # cycle start, advisory end, release: the assessment_due milestone was done when the assessment was approved
    assert "3 milestone(s) due and not done" in result.output
    assert "release of Mekong Apparel, cycle 1: done; released assessment" in result.output
    assert "email to buyer@example.org: Assessment report released: Mekong Apparel" in result.output
    again = runner.invoke(args=["tick", "--at", at, "--run"])
    assert "0 milestone(s) due and not done" in again.output and "email to" not in again.output
    bad = runner.invoke(args=["tick", "--at", "next tuesday"])
    assert bad.exit_code == 2 and "is not an ISO date-time" in bad.output


def test_simulate_takes_a_factory_to_month_16(app, runner, fast_retries):
    result = runner.invoke(args=["simulate", "--seed", "7"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"SMTP sink listening on 127\.0\.0\.1:\d+", out)
    for kind in ("cycle_start", "advisory_end", "assessment_due", "release", "factory_progress_reminder_14",
                 "factory_progress_reminder_3", "factory_progress_report", "programme_progress_report",
                 "differentiation"):
        assert f"{kind} of Demo Garment" in out, kind
    assert "released assessment, self_diagnosis" in out
    assert "caught by the SMTP sink: to buyer-" in out
    assert "nosee-" not in out.split("reports released")[0].split("Done:")[0].replace("Demo Buyer without consent", "")
    assert "cycle status measured" in out
    emails = int(re.search(r"(\d+) emails caught", out).group(1))
    assert emails == db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "sent"))


def test_a_milestone_notice_is_composed_in_its_language_when_sent_and_the_log_keeps_what_went_out(app, smtp):
    from bwadmin.services import milestones

    world = World(answers=FINDINGS)
    milestones.run([world.cycle.milestone("release").id], world.due("release"))  # records the notices, sends none
    spanish = db.session.scalar(select(Notification).where(Notification.email == "rrhh@example.org",
                                                           Notification.kind == "release_factory"))
    assert spanish.status == "pending" and spanish.body_text is None and spanish.parts
    assert spanish.subject.startswith("Se ha publicado su informe de evaluación")
    enqueue_notices([spanish.id])
    work_until_empty()
    db.session.expire_all()
    sent = smtp.to("rrhh@example.org")
    assert len(sent) == 1 and str(sent[0]["Subject"]).startswith("Se ha publicado su informe de evaluación")
    text = MailSink.text_of(sent[0])
    assert text.startswith("Hola, Lucía:") and "Mekong Apparel" in text and "Abrir bwadmin" in text
    assert spanish.status == "sent" and spanish.body_text == text.replace("\r\n", "\n")
    assert sent[0]["Message-ID"].endswith(">") and "multipart/alternative" in sent[0].as_string()
