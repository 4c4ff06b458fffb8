"""The demo as a new user meets it: seeded, then the clock's first sweep releases what is due."""
import re

from sqlalchemy import func, select

from bwadmin.demo import seed
from bwadmin.extensions import db
from bwadmin.services import users
from bwadmin.models import Assessment, Milestone, Notification, Report, Response, utcnow
from tests.clock_support import fast_retries, smtp, tick  # noqa: F401
from tests.factories import login


def test_the_first_sweep_after_seeding_releases_reports_a_buyer_can_open(app, smtp):
    app.config["BWADMIN_REPORT_PDF"] = False  # PDFs are tested elsewhere; here they only slow the catch-up
    seed("demo-password")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Assessment)) >= 8
    assert db.session.scalar(select(func.count()).select_from(Response).where(Response.kind == "self_diagnosis")) >= 2

    tick()

    released = db.session.scalars(select(Report).where(Report.released_at.is_not(None))).all()
    assert {r.kind for r in released} >= {"assessment", "programme_progress"}
    # Reminders whose date had passed before the clock first ran are skipped, not sent late.
    now = utcnow()
    reminders = db.session.scalars(select(Milestone).where(Milestone.kind == "factory_progress_reminder_14",
                                                           Milestone.done_at.is_not(None))).all()
    late = [m for m in reminders if m.cycle.status != "closed" and m.cycle.milestone("factory_progress_report").due_at <= now]
    assert late and all(m.outcome.startswith("skipped") for m in late)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.status == "sent")) > 0
    assert len(smtp.messages) > 0

    buyer = users.by_email("buyer@example.org")
    client = app.test_client()
    login(client, buyer, "demo-password")
    home = client.get("/buyer/").get_data(as_text=True)
    assert "Kampot Fashion" in home
    report = next(r for r in released if r.kind == "assessment" and r.cycle.factory.name == "Kampot Fashion")
    page = client.get(f"/buyer/reports/{report.id}")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)


def test_the_demo_factory_shows_its_progress_over_three_cycles_to_its_buyer(app, smtp):
    app.config["BWADMIN_REPORT_PDF"] = False
    seed("demo-password")
    db.session.commit()
    tick()

    buyer = users.by_email("buyer@example.org")
    client = app.test_client()
    login(client, buyer, "demo-password")
    factory_id = users.by_email("factory@example.org").factory_id
    html = client.get(f"/buyer/factories/{factory_id}").get_data(as_text=True)
    assert 'id="progress-over-cycles"' in html
    assert re.findall(r"<th scope=\"col\" class=\"num\">Cycle (\d)", html) == ["1", "2", "3"]
