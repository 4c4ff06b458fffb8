"""Password links: only the person they were sent to can read one, and asking for one says nothing of accounts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from bwadmin.extensions import db
from bwadmin.models import Notification

from jobs.worker import work_until_empty

from .clock_support import MailSink, fast_retries, smtp  # noqa: F401
from .factories import csrf_from, login, make_buyer, make_user

LINK = re.compile(r"/password/(?:reset|invite)/[A-Za-z0-9_.\-]{20,}")


def ask_for_reset(client, email: str):
    page = client.get("/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(page)})


def everything_staff_can_open(client) -> list[str]:
    """The notice log as a person in the panel reads it: the list, every details page, the CSV export."""
    pages = [client.get("/admin/notification/").get_data(as_text=True),
             client.get("/admin/notification/export/csv/").get_data(as_text=True),
             client.get("/admin/auditevent/").get_data(as_text=True)]
    for notice_id in db.session.scalars(select(Notification.id)):
        pages.append(client.get(f"/admin/notification/details/?id={notice_id}").get_data(as_text=True))
    return pages


def stored_text() -> str:
    """Every notice and audit row as the database holds it."""
    rows = db.session.execute(text("SELECT * FROM notification")).all()
    rows += db.session.execute(text("SELECT * FROM audit_event")).all()
    return "\n".join(str(tuple(row)) for row in rows)


@pytest.mark.parametrize("smtp_state", ["not sent yet", "server down", "sent"])
def test_no_staff_member_can_read_a_working_password_link(app, smtp_state):
    admin, advisor = make_user("admin", email="chief@example.org"), make_user("advisor", email="adv@example.org")
    db.session.commit()
    assert ask_for_reset(app.test_client(), admin.email).status_code == 302  # anyone may ask, the advisor too
    if smtp_state == "server down":
        app.config.update(BWADMIN_NOTICE_RETRY_INTERVALS=[], MAIL_PORT=1)
        work_until_empty()
        assert db.session.scalar(select(Notification.status)) == "failed"
    elif smtp_state == "sent":
        with MailSink() as sink:
            sink.configure(app)
            work_until_empty()
            assert LINK.search(MailSink.text_of(sink.messages[0]).replace("=\n", ""))  # the admin got a link
    # else: no worker has run yet; the notice waits in the log
    assert not LINK.search(stored_text())

    as_advisor = app.test_client()
    login(as_advisor, advisor)
    seen = "\n".join(everything_staff_can_open(as_advisor))
    assert not LINK.search(seen)
    assert admin.email not in seen  # an advisor sees no account notice at all, not even that there is one
    notice_id = db.session.scalar(select(Notification.id).where(Notification.kind == "account_reset"))
    if notice_id is not None:
        assert as_advisor.get(f"/admin/notification/details/?id={notice_id}").status_code in (302, 404)

    as_admin = app.test_client()
    login(as_admin, admin)
    seen = "\n".join(everything_staff_can_open(as_admin))
    assert not LINK.search(seen)
    if notice_id is not None:  # admins see that the email exists, and what it says without the link
        assert "Reset your bwadmin password" in seen
        if smtp_state == "sent":
            assert "left out of the log" in seen


def test_a_reset_asked_twice_in_one_second_sends_two_working_emails(app, smtp):
    user = make_user("buyer", email="twice@example.org", buyer=make_buyer())
    db.session.commit()
    client = app.test_client()
    assert [ask_for_reset(client, user.email).status_code for _ in range(2)] == [302, 302]
    work_until_empty()
    assert len(smtp.messages) == 2
    links = [LINK.search(MailSink.text_of(m).replace("=\n", "")).group(0) for m in smtp.messages]
    assert app.test_client().get(links[1]).status_code == 200


def test_every_reset_request_answers_alike_whatever_the_account(app):
    make_user("buyer", email="real@example.org", buyer=make_buyer())
    inactive = make_user("buyer", email="gone@example.org", buyer=make_buyer())
    inactive.active = False
    db.session.commit()
    answers = []
    for email in ("real@example.org", "real@example.org", "gone@example.org", "nobody@example.org"):
        answer = ask_for_reset(app.test_client(), email)
        answers.append((answer.status_code, answer.headers.get("Location")))
    assert len(set(answers)) == 1 and answers[0] == (302, "/login")
    # The request did no more for a real account than for an unknown one: the worker looks the account up.
    assert db.session.scalar(select(Notification.id)) is None
    work_until_empty()
    assert sorted(db.session.scalars(select(Notification.email))) == ["real@example.org", "real@example.org"]


def test_asking_for_a_reset_while_the_queue_is_down_still_answers_and_keeps_the_email(app, monkeypatch):
    import redis

    from bwadmin import queue

    make_user("buyer", email="offline@example.org", buyer=make_buyer())
    db.session.commit()

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("the queue is down")

    from bwadmin.services import account_mail

    monkeypatch.setattr(queue, "_enqueue", unreachable)  # every job the request would queue

    monkeypatch.setattr(account_mail, "enqueue_reset", unreachable)
    assert ask_for_reset(app.test_client(), "offline@example.org").status_code == 302
    assert db.session.scalar(select(Notification.status)) == "pending"  # the sweep sends it once Redis is back
