"""The factory's improvement plan and progress report are due 30 days after the assessment report's release, their
reminders before; the programme's progress report six months after the factory's. A late assessment moves them all,
and nothing about them is said before the report they answer exists."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Report, utcnow
from bwadmin.services import assessments

from .clock_support import FINDINGS, World, fast_retries, smtp, tick  # noqa: F401
from .factories import csrf_from, login


def subjects(sink, address: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in sink.to(address)]


def dates(world: World) -> dict[str, datetime]:
    db.session.expire_all()
    return {m.kind: m.due_at for m in world.cycle.milestones}


def test_a_late_assessment_puts_the_progress_report_after_its_release(app, smtp):
    world = World()  # signed up 5 January 2026: the assessment due 15 April, its report 15 May
    tick(world.due("release"))
    assert world.cycle.milestone("release").outcome == "skipped: no assessment recorded"
    before = dates(world)
    assert before["factory_progress_report"] == datetime(2026, 6, 14)  # counted from the release's date, for now

    # The factory progress report's date comes before any report exists: nothing is said of it, it waits.
    tick(before["factory_progress_report"])
    for kind in ("factory_progress_reminder_14", "factory_progress_reminder_3", "factory_progress_report",
                 "improvement_plan_reminder_7", "improvement_plan_due"):
        assert world.cycle.milestone(kind).outcome == "skipped: the assessment report is not released", kind
    assert not [s for s in subjects(smtp, "manager@example.org") if "progress" in s or "plan" in s]
    assert not [s for s in subjects(smtp, "advisor@example.org") if "Overdue" in s]

    # Assessed late, on 14 June (day 160): released a month later; the factory's reports 30 days after that.
    world.assess(FINDINGS, days_in=160)
    world.cycle.assessment.completed_at = utcnow()
    db.session.commit()
    after = dates(world)
    assert after["release"] == datetime(2026, 7, 14)
    assert after["factory_progress_report"] == after["improvement_plan_due"] == datetime(2026, 8, 13)
    assert after["factory_progress_reminder_14"] == datetime(2026, 7, 30)
    assert after["factory_progress_reminder_3"] == datetime(2026, 8, 10)
    assert after["improvement_plan_reminder_7"] == datetime(2026, 8, 6)
    assert after["programme_progress_report"] == datetime(2027, 2, 13)
    assert all(world.cycle.milestone(kind).done_at is None for kind in after if kind not in (
        "cycle_start", "advisory_end", "assessment_due"))

    tick(after["release"])
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at == after["release"]
    assert dates(world)["factory_progress_report"] == datetime(2026, 8, 13)  # released on its day: it stays
    tick(after["factory_progress_reminder_14"])
    assert subjects(smtp, "manager@example.org")[-1] == "Reminder: your progress report is due in 14 days"
    tick(after["improvement_plan_reminder_7"])
    assert subjects(smtp, "manager@example.org")[-1] == "Reminder: your improvement plan is due in 7 days"
    tick(after["factory_progress_report"])
    assert "Your progress report is overdue" in subjects(smtp, "manager@example.org")
    assert "Your improvement plan is overdue" in subjects(smtp, "manager@example.org")
    assert "Overdue: improvement plan of Mekong Apparel" in subjects(smtp, "advisor@example.org")
    for kind in ("factory_progress_report", "improvement_plan_due"):
        assert world.cycle.milestone(kind).outcome == "overdue"


def test_a_release_run_again_for_an_assessment_recorded_late_counts_from_the_day_it_ran(app, smtp):
    world = World()
    tick(world.due("release"))  # 15 May: skipped, no assessment recorded
    # Assessed on day 100 (15 April) as planned, but recorded only on 2 June: the release runs at once, and the
    # factory gets its 30 days from the day it did.
    recorded = datetime(2026, 6, 2, 9)
    world.assess(FINDINGS, days_in=100)
    assert world.due("release") == datetime(2026, 5, 15)  # due again, its day past
    tick(recorded)
    report = db.session.scalar(select(Report).where(Report.kind == "assessment"))
    assert report.released_at == recorded
    after = dates(world)
    assert after["release"] == datetime(2026, 6, 2)
    assert after["factory_progress_report"] == after["improvement_plan_due"] == datetime(2026, 7, 2)
    assert after["factory_progress_reminder_14"] == datetime(2026, 6, 18)
    assert after["programme_progress_report"] == datetime(2027, 1, 2)
    assert world.cycle.milestone("factory_progress_report").done_at is None
    assert "Your assessment report is released" in subjects(smtp, "manager@example.org")
    assert not [s for s in subjects(smtp, "manager@example.org") if "overdue" in s]


def test_moving_the_assessment_moves_the_plan_the_progress_reports_and_their_reminders(app, smtp):
    world = World(answers=FINDINGS)  # assessed on 15 April
    before = dates(world)
    assert before["release"] == datetime(2026, 5, 15)
    assert before["factory_progress_report"] == datetime(2026, 6, 14)
    # The assessment took place on 5 May after all: staff correct its date.
    response = world.cycle.assessment.response
    assessments.record_details(world.cycle, response, date(2026, 5, 5))
    db.session.commit()
    after = dates(world)
    assert after["release"] == datetime(2026, 6, 5)
    assert after["factory_progress_report"] == after["improvement_plan_due"] == datetime(2026, 7, 5)
    assert after["factory_progress_reminder_14"] == datetime(2026, 6, 21)
    assert after["factory_progress_reminder_3"] == datetime(2026, 7, 2)
    assert after["improvement_plan_reminder_7"] == datetime(2026, 6, 28)
    assert after["programme_progress_report"] == datetime(2027, 1, 5)
    assert after["differentiation"] == before["differentiation"]  # month 16 counts from sign-up

    # On the old dates nothing about the reports is said; on the new ones it is.
    tick(after["release"])
    tick(before["factory_progress_report"])
    assert not [s for s in subjects(smtp, "manager@example.org") if "progress" in s or "plan" in s]
    tick(after["factory_progress_reminder_14"])
    assert subjects(smtp, "manager@example.org")[-1] == "Reminder: your progress report is due in 14 days"


def test_a_plan_submitted_in_time_is_not_reminded_of_nor_overdue(app, smtp):
    world = World(answers=FINDINGS)
    world.cycle.assessment.completed_at = utcnow()
    db.session.commit()
    tick(world.due("release"))
    client = app.test_client()
    login(client, world.manager)
    page = client.get("/factory/improvement-plan")
    ids = re.findall(r'name="action-(\d+)"', page.get_data(as_text=True))
    assert len(ids) == 2
    answer = client.post("/factory/improvement-plan", data={
        "csrf_token": csrf_from(page), "action": "submit", **{f"action-{i}": "Pay the premium" for i in ids},
        **{f"owner-{i}": "HR" for i in ids}, **{f"due-{i}": "2026-09-30" for i in ids},
        **{f"status-{i}": "planned" for i in ids}})
    assert answer.status_code == 302
    due = world.due("improvement_plan_due")
    assert due == world.due("release") + timedelta(days=30)
    tick(world.due("improvement_plan_reminder_7"))
    tick(due)
    assert world.cycle.milestone("improvement_plan_reminder_7").outcome == "skipped: the plan is submitted"
    assert world.cycle.milestone("improvement_plan_due").outcome == "done"
    assert not [s for s in subjects(smtp, "manager@example.org") if "improvement plan" in s.lower()]
    assert not [s for s in subjects(smtp, "advisor@example.org") if "improvement plan" in s.lower()]
