"""Learning seminars: four planned per country, invitations recorded and emailed once over real SMTP."""
from datetime import date

import pytest
from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import Notification, Seminar, SeminarAttendance
from bwadmin.services import activity, seminars
from bwadmin.services.errors import FieldError

from jobs.worker import work_until_empty

from .clock_support import MailSink, fast_retries, free_port, smtp  # noqa: F401
from .factories import csrf_from, login, make_cycle, make_factory, make_user


def test_plan_seminars_makes_four_numbered_sessions_three_months_apart(app):
    planned = seminars.plan_seminars("Vietnam", date(2026, 1, 31))
    assert [s.number for s in planned] == [1, 2, 3, 4]
    assert [s.held_on for s in planned] == [date(2026, 1, 31), date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)]
    assert all(s.country == "Vietnam" for s in planned)
    with pytest.raises(FieldError, match="already has a seminar") as refused:
        seminars.plan_seminars("Vietnam", date(2026, 1, 31))
    assert refused.value.field == "first_date"
    with pytest.raises(FieldError) as refused:
        seminars.plan_seminars(" ", date(2026, 1, 31))
    assert refused.value.field == "country"


def test_invitations_are_recorded_and_emailed_once(app, smtp):
    vn = make_factory("Saigon Knit", country="Vietnam")
    cycle = make_cycle(vn)
    closed = make_cycle(make_factory("Old Mill", country="Vietnam"))
    closed.status = "closed"
    other = make_cycle(make_factory("Phnom Penh Wear", country="Cambodia"))
    make_user("factory", email="hr@saigonknit.vn", factory=vn)
    make_user("factory", email="gm@saigonknit.vn", factory=vn)
    make_user("factory", email="gone@saigonknit.vn", factory=vn, active=False)
    make_user("factory", email="boss@oldmill.vn", factory=closed.factory)
    make_user("factory", email="hr@ppwear.kh", factory=other.factory)
    seminar = seminars.plan_seminars("Vietnam", date(2026, 2, 1))[0]
    db.session.commit()

    outcome = seminars.invite(seminar)
    assert outcome == {"cycles": 1, "users": 2, "created": 2}
    work_until_empty()  # a real worker sends them
    recipients = sorted(m["X-Envelope-To"] for m in smtp.messages)
    assert recipients == ["gm@saigonknit.vn", "hr@saigonknit.vn"]
    assert "Learning seminar 1" in MailSink.text_of(smtp.messages[0])
    attendance = db.session.scalar(select(SeminarAttendance))
    assert attendance.cycle_id == cycle.id and attendance.invited_at is not None
    db.session.expire_all()
    notes = db.session.scalars(select(Notification).order_by(Notification.email)).all()
    assert [n.key for n in notes] == [f"seminar:{seminar.id}:gm@saigonknit.vn", f"seminar:{seminar.id}:hr@saigonknit.vn"]
    assert all(n.status == "sent" and n.sent_at for n in notes)

    again = seminars.invite(seminar)
    work_until_empty()
    assert again["created"] == 0
    assert len(smtp.messages) == 2  # nobody is emailed twice
    assert db.session.scalar(select(func.count()).select_from(SeminarAttendance)) == 1


def test_an_unreachable_mail_server_leaves_the_invitation_failed_for_a_retry(app, fast_retries):
    factory = make_factory(country="Vietnam")
    make_cycle(factory)
    make_user("factory", email="hr@factory.vn", factory=factory)
    seminar = seminars.plan_seminars("Vietnam", date(2026, 2, 1))[0]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    seminars.invite(seminar)
    work_until_empty()
    db.session.expire_all()
    note = db.session.scalar(select(Notification))
    assert note.status == "failed" and note.attempts >= 1 and note.last_error


def test_attendance_is_recorded_and_shown_on_the_cycle(app, client):
    factory = make_factory("Hai Phong Garments", country="Vietnam")
    cycle = make_cycle(factory)
    seminar = seminars.plan_seminars("Vietnam", date(2026, 1, 15))[0]
    seminars.invite(seminar)
    with pytest.raises(FieldError, match="at least 1") as refused:
        seminars.record_attendance(seminar, cycle, True, None)
    assert refused.value.field == "attendees"
    seminars.record_attendance(seminar, cycle, True, 3)
    assert activity.cycle_activity(cycle)["seminars"]["attended"] == 1

    login(client, make_user("advisor"))
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert "1 attended of 1 invited." in html and "attended (3)" in html

    page = client.get(f"/admin/seminar-work/{seminar.id}")
    bad = client.post(f"/admin/seminar-work/{seminar.id}/attendance", data={
        "csrf_token": csrf_from(page), "cycle_id": str(cycle.id), "attended": "y", "attendees": "-1"})
    assert bad.status_code == 200 and "Attendees cannot be negative." in bad.get_data(as_text=True)


def test_planning_page_answers_bad_input_beside_the_field(app, client):
    login(client, make_user("advisor"))
    page = client.get("/admin/seminar-work/")
    bad = client.post("/admin/seminar-work/", data={"csrf_token": csrf_from(page), "country": "Vietnam",
                                                     "first_date": "not a date", "months_apart": "3"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'id="first_date-error"' in html and 'value="Vietnam"' in html
    ok = client.post("/admin/seminar-work/", data={"csrf_token": csrf_from(page), "country": "Vietnam",
                                                    "first_date": "2026-03-02", "months_apart": "3"})
    assert ok.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Seminar)) == 4
