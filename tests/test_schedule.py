from datetime import date, datetime

import pytest

from bwadmin.extensions import db
from bwadmin.models import Assessment, ScheduleOffset
from bwadmin.services import schedule

from .factories import make_cycle, make_factory


def test_the_progress_reports_count_from_the_release_not_from_sign_up():
    # Signed up 31 January: day 100 is 11 May, the release a calendar month later (11 June), the factory's progress
    # report and its plan 30 days after that release, the programme's six calendar months after the factory's.
    due = schedule.due_dates(date(2026, 1, 31), table=schedule.DEFAULT_OFFSETS)
    assert due["release"] == date(2026, 6, 11)
    assert due["factory_progress_report"] == due["improvement_plan_due"] == date(2026, 7, 11)
    assert due["factory_progress_reminder_14"] == date(2026, 6, 27)
    assert due["factory_progress_reminder_3"] == date(2026, 7, 8)
    assert due["improvement_plan_reminder_7"] == date(2026, 7, 4)
    assert due["programme_progress_report"] == date(2027, 1, 11)
    assert due["differentiation"] == date(2027, 5, 31)
    # Released later than due (30 June): what counts from the release counts from that day.
    due = schedule.due_dates(date(2026, 1, 31), table=schedule.DEFAULT_OFFSETS, released_on=date(2026, 6, 30))
    assert due["factory_progress_report"] == date(2026, 7, 30) and due["programme_progress_report"] == date(2027, 1, 30)


def test_day_100_and_release_one_calendar_month_after_the_assessment():
    due = schedule.due_dates(date(2027, 11, 21), table=schedule.DEFAULT_OFFSETS)
    assert due["advisory_end"] == due["assessment_due"] == date(2028, 2, 29)  # over a leap day
    assert due["release"] == date(2028, 3, 29)
    # Assessed on 31 January of a leap year: a month later is 29 February.
    due = schedule.due_dates(date(2023, 10, 20), assessed_on=date(2024, 1, 31), table=schedule.DEFAULT_OFFSETS)
    assert due["release"] == date(2024, 2, 29)


def test_signing_up_on_29_february_lands_on_28_february_sixteen_months_on():
    due = schedule.due_dates(date(2024, 2, 29), table=schedule.DEFAULT_OFFSETS)
    assert due["differentiation"] == date(2025, 6, 29)
    assert due["release"] == date(2024, 7, 8) and due["factory_progress_report"] == date(2024, 8, 7)
    due = schedule.due_dates(date(2024, 10, 31), table=schedule.DEFAULT_OFFSETS)
    assert due["differentiation"] == date(2026, 2, 28)
    # Released on 31 August: the programme's report six calendar months after the factory's (30 September) is
    # 30 March.
    due = schedule.due_dates(date(2024, 10, 31), table=schedule.DEFAULT_OFFSETS, released_on=date(2025, 8, 31))
    assert due["factory_progress_report"] == date(2025, 9, 30) and due["programme_progress_report"] == date(2026, 3, 30)


def test_creating_a_cycle_creates_every_milestone(app):
    cycle = make_cycle(signed_up_on=date(2026, 1, 31))
    kinds = {m.kind: m.due_at for m in cycle.milestones}
    assert len(kinds) == 11
    assert kinds["cycle_start"] == datetime(2026, 1, 31)
    assert kinds["factory_progress_report"] == kinds["improvement_plan_due"] == datetime(2026, 7, 11)


def test_moving_dates_moves_only_milestones_not_done(app):
    cycle = make_cycle(signed_up_on=date(2026, 1, 1))
    start = cycle.milestone("cycle_start")
    start.done_at = datetime(2026, 1, 1, 9)
    cycle.signed_up_on = date(2026, 2, 1)
    schedule.sync_milestones(cycle)
    assert start.due_at == datetime(2026, 1, 1)  # done: kept
    assert cycle.milestone("advisory_end").due_at == datetime(2026, 5, 12)
    assessment = Assessment(cycle=cycle, assessed_on=date(2026, 5, 20))
    db.session.add(assessment)
    db.session.flush()
    schedule.sync_milestones(cycle)
    # Entered, not approved yet: the release stays a month after the assessment's due date.
    assert cycle.milestone("release").due_at == datetime(2026, 6, 12)
    assessment.completed_at = datetime(2026, 5, 25, 17)  # approved (services.assessments.approve)
    schedule.sync_milestones(cycle)
    assert cycle.milestone("release").due_at == datetime(2026, 6, 20)


def test_returning_factory_expects_fewer_visits(app):
    factory = make_factory()
    first = make_cycle(factory)
    second = make_cycle(factory)
    assert (first.number, first.returning, first.expected_visits) == (1, False, 3)
    assert (second.number, second.returning, second.expected_visits) == (2, True, 1)


def test_offsets_staff_set_override_the_defaults(app):
    db.session.add(ScheduleOffset(kind="advisory_end", base="signup", months=0, days=90))
    db.session.flush()
    cycle = make_cycle(signed_up_on=date(2026, 1, 1))
    assert cycle.milestone("advisory_end").due_at == datetime(2026, 4, 1)


def test_offsets_that_loop_are_refused():
    table = dict(schedule.DEFAULT_OFFSETS)
    table["factory_progress_report"] = ("programme_progress_report", 0, 0)
    with pytest.raises(schedule.ScheduleError):
        schedule.due_dates(date(2026, 1, 1), table=table)
