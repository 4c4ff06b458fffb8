"""Differentiation at month 16 as the programme measures it: sustained results over two cycles, the committee's reviews
over the cycle, verified remediation; criteria staff edit; and a high performer's next cycle on the advanced service
package, with its visits and its schedule."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import (Committee, CommitteeMeeting, Cycle, DifferentiationCriterion, ImprovementAction,
                            Milestone, Need, Report, ServicePackage)
from bwadmin.services import cycles, differentiation

from .factories import login, make_cycle, make_factory, make_user, post_form
from .pageread import Page

SIGNED_UP = date(2025, 1, 6)
MEASURED = datetime(2026, 5, 6)  # month 16


def assessed(cycle: Cycle, rate: float, findings: int = 0, zero_tolerance: int = 0) -> Report:
    """The cycle's assessment report, released, with this overall rate and these findings."""
    report = Report(cycle_id=cycle.id, kind="assessment", released_at=datetime(2025, 5, 15), data={"scores": {
        "overall": {"questions": 100, "noncompliant": round(rate * 100), "rate": rate},
        "findings": [{"code": f"Q{i}"} for i in range(findings)],
        "zero_tolerance": [f"Q{i}" for i in range(zero_tolerance)]}})
    db.session.add(report)
    db.session.flush()
    return report


def returning_factory(previous_rate: float | None, rate: float):
    """A factory in its second cycle (signed up SIGNED_UP), its first cycle assessed at `previous_rate` (None: not
    assessed) and its second at `rate`."""
    factory = make_factory()
    first = make_cycle(factory, signed_up_on=SIGNED_UP - timedelta(days=500))
    if previous_rate is not None:
        assessed(first, previous_rate)
    second = make_cycle(factory, signed_up_on=SIGNED_UP)
    assessed(second, rate)
    return second


def measured(cycle: Cycle, now: datetime = MEASURED) -> dict[str, tuple[bool, float | None]]:
    """criterion code → (passed, value) of the cycle, measured now."""
    return {m.criterion.code: (m.passed, m.value) for m in differentiation.measure(cycle, now)}


def meet(factory, *days: date) -> None:
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == factory.id))
    if committee is None:
        committee = Committee(factory=factory, established_on=SIGNED_UP - timedelta(days=600))
        db.session.add(committee)
    for day in days:
        committee.meetings.append(CommitteeMeeting(held_on=day))
    db.session.flush()


# --- sustained results ----------------------------------------------------------------------------------------------
def test_results_are_sustained_when_this_cycles_and_the_previous_cycles_assessment_are_both_under_the_threshold(app):
    assert measured(returning_factory(0.10, 0.20))["sustained_rate"] == (True, 0.20)
    # A good cycle after a poor one is not yet sustained; the worse of the two is what was measured.
    assert measured(returning_factory(0.40, 0.10))["sustained_rate"] == (False, 0.40)
    assert measured(returning_factory(0.10, 0.30))["sustained_rate"] == (False, 0.30)
    # A first cycle, or a previous cycle never assessed, has no sustained results to show.
    first = make_cycle(make_factory(), signed_up_on=SIGNED_UP)
    assessed(first, 0.0)
    assert measured(first)["sustained_rate"] == (False, None)
    assert measured(returning_factory(None, 0.0))["sustained_rate"] == (False, None)


# --- the committee's reviews over the cycle -------------------------------------------------------------------------
def test_the_committee_meetings_of_the_cycle_count_and_its_review_score_is_read(app):
    cycle = returning_factory(0.1, 0.1)
    # Before the sign-up (the previous cycle's) and after the measurement do not count.
    meet(cycle.factory, SIGNED_UP - timedelta(days=1), SIGNED_UP, SIGNED_UP + timedelta(days=90),
         SIGNED_UP + timedelta(days=200), MEASURED.date() + timedelta(days=1))
    cycle.committee_review_score = 55
    result = measured(cycle)
    assert result["committee_meetings"] == (False, 3.0) and result["committee_score"] == (False, 55.0)
    meet(cycle.factory, MEASURED.date())
    cycle.committee_review_score = 72
    result = measured(cycle)
    assert result["committee_meetings"] == (True, 4.0) and result["committee_score"] == (True, 72.0)


# --- verified remediation -------------------------------------------------------------------------------------------
def test_remediation_counts_only_what_the_advisor_verified(app):
    cycle = returning_factory(0.1, 0.1)
    assessed_report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id))
    assessed_report.data = {"scores": {**assessed_report.data["scores"], "findings": [{"code": "Q1"}, {"code": "Q2"}]}}
    # Findings and no plan: nothing remediated.
    assert measured(cycle)["verified_remediation"] == (False, None)
    # Declared done by the factory is not verified.
    for status in ("done", "done", "in_progress"):
        db.session.add(ImprovementAction(cycle_id=cycle.id, finding="Overtime above the limit", status=status))
    db.session.flush()
    assert measured(cycle)["verified_remediation"] == (False, 0.0)
    # A clean assessment leaves nothing to remediate.
    clean = returning_factory(0.0, 0.0)
    assert measured(clean)["verified_remediation"] == (True, None)


def test_remediation_is_met_when_enough_actions_are_verified(app):
    cycle = returning_factory(0.1, 0.1)
    for status in ("verified", "verified", "verified", "verified", "done"):
        db.session.add(ImprovementAction(cycle_id=cycle.id, finding="Overtime above the limit", status=status,
                                         verified_at=datetime(2027, 3, 1) if status == "verified" else None))
    db.session.flush()
    assert measured(cycle)["verified_remediation"] == (True, 0.8)


# --- staff edit the criteria ----------------------------------------------------------------------------------------
def test_an_admin_edits_a_criterion_in_the_panel_and_the_next_measurement_follows_it(app, client):
    cycle = returning_factory(0.10, 0.20)
    assert measured(cycle)["sustained_rate"] == (True, 0.20)
    db.session.commit()
    login(client, make_user("admin"))
    listing = client.get("/admin/differentiationcriterion/").get_data(as_text=True)
    assert "Overall non-compliance under 25% in this cycle’s and the previous cycle’s assessment" in unescape(
        listing) or "Overall non-compliance under 25% in this cycle's and the previous cycle's assessment" in unescape(
        listing)
    row = db.session.scalar(select(DifferentiationCriterion).where(DifferentiationCriterion.code == "sustained_rate"))
    url = f"/admin/differentiationcriterion/edit/?id={row.id}"
    # A rate is a fraction: 15, meant as 15%, is refused beside the field.
    refused = post_form(client, url, {"code": row.code, "name": row.name, "kind": row.kind, "threshold": "15",
                                      "active": "y"})
    assert refused.status_code == 200 and "A rate or a share is a fraction from 0 to 1" in unescape(
        refused.get_data(as_text=True))
    saved = post_form(client, url, {"code": row.code, "name": row.name, "kind": row.kind, "threshold": "0.15",
                                    "active": "y"})
    assert saved.status_code == 302
    db.session.expire_all()
    result = measured(db.session.get(Cycle, cycle.id))
    assert result["sustained_rate"] == (False, 0.20)
    # The list names the criterion with the threshold it now holds.
    listing = unescape(client.get("/admin/differentiationcriterion/").get_data(as_text=True))
    assert "under 15%" in listing and "under 25%" not in listing
    # Switched off, it no longer counts.
    post_form(client, url, {"code": row.code, "name": row.name, "kind": row.kind, "threshold": "0.15"})
    db.session.expire_all()
    assert "sustained_rate" not in measured(db.session.get(Cycle, cycle.id))


# --- the next cycle's service package -------------------------------------------------------------------------------
def high_performer() -> Cycle:
    """A returning factory's cycle that meets every default criterion at month 16."""
    cycle = returning_factory(0.05, 0.10)
    meet(cycle.factory, *(SIGNED_UP + timedelta(days=60 * i) for i in range(1, 5)))
    cycle.committee_review_score = 80
    db.session.add(Need(cycle=cycle, area="training", title="Supervisor training", status="done"))
    db.session.execute(Milestone.__table__.update().where(Milestone.cycle_id == cycle.id,
                                                          Milestone.kind == "factory_progress_report")
                       .values(outcome="done"))
    db.session.flush()
    differentiation.measure(cycle, MEASURED)
    assert cycle.high_performer is True
    return cycle


def due(cycle: Cycle) -> dict[str, date]:
    return {m.kind: m.due_at.date() for m in cycle.milestones}


def test_a_high_performers_next_cycle_starts_with_the_advanced_package_and_its_schedule(app):
    measured_cycle = high_performer()
    other = returning_factory(0.4, 0.4)
    differentiation.measure(other, MEASURED)
    assert other.high_performer is False
    start = date(2026, 6, 1)

    advanced = cycles.start_cycle(measured_cycle.factory, start)
    standard = cycles.start_cycle(other.factory, start)
    db.session.flush()
    assert (advanced.service_package, advanced.expected_visits, advanced.advisory_days) == ("advanced", 0, 60)
    assert (standard.service_package, standard.expected_visits, standard.advisory_days) == ("standard", 1, None)
    # Self-assessment led: the advisory period is shorter, the assessment and everything counted from it earlier.
    assert due(advanced)["advisory_end"] == due(advanced)["assessment_due"] == start + timedelta(days=60)
    assert due(standard)["assessment_due"] == start + timedelta(days=100)
    assert due(advanced)["release"] == date(2026, 8, 31) and due(standard)["release"] == date(2026, 10, 9)
    # The month-16 measurement stays where it is.
    assert due(advanced)["differentiation"] == due(standard)["differentiation"] == date(2027, 10, 1)


def test_staff_edit_the_advanced_package_and_cycles_created_afterwards_follow_it(app, client):
    measured_cycle = high_performer()
    running = cycles.start_cycle(make_factory(), date(2026, 6, 1))
    db.session.commit()
    login(client, make_user("admin"))
    rows = Page(client.get("/admin/servicepackage/").get_data(as_text=True)).tables[0]
    assert [row[1:5] for row in rows] == [["Standard services", "3", "1", "the schedule's"],
                                          ["Advanced services", "1", "0", "60"]] or \
        [row[1:5] for row in rows] == [["Standard services", "3", "1", "the schedule’s"],
                                       ["Advanced services", "1", "0", "60"]]
    advanced = db.session.scalar(select(ServicePackage).where(ServicePackage.code == "advanced"))
    url = f"/admin/servicepackage/edit/?id={advanced.id}"
    refused = post_form(client, url, {"first_cycle_visits": "1", "returning_visits": "-1", "advisory_days": "0"})
    assert refused.status_code == 200
    html = unescape(refused.get_data(as_text=True))
    assert "Enter a number of visits, 0 or more." in html and "An advisory period lasts at least a day" in html
    saved = post_form(client, url, {"first_cycle_visits": "1", "returning_visits": "1", "advisory_days": "45"})
    assert saved.status_code == 302
    db.session.expire_all()
    following = cycles.start_cycle(db.session.get(Cycle, measured_cycle.id).factory, date(2026, 7, 1))
    db.session.flush()
    assert (following.service_package, following.expected_visits) == ("advanced", 1)
    assert due(following)["assessment_due"] == date(2026, 7, 1) + timedelta(days=45)
    # A cycle running already keeps what its package gave it when it started.
    assert due(db.session.get(Cycle, running.id))["assessment_due"] == date(2026, 6, 1) + timedelta(days=100)


def test_staff_move_one_cycle_to_another_package_in_the_panel(app, client):
    cycle = make_cycle(make_factory(), signed_up_on=date(2026, 6, 1))
    db.session.commit()
    login(client, make_user("admin"))
    form = client.get(f"/admin/cycle/edit/?id={cycle.id}").get_data(as_text=True)
    assert re.search(r'<option selected value="standard">', form)
    saved = post_form(client, f"/admin/cycle/edit/?id={cycle.id}", {
        "factory": str(cycle.factory_id), "number": "1", "signed_up_on": "2026-06-01", "training_days_allotted": "5",
        "status": "advisory", "service_package": "advanced", "planned_visits": "3", "advisory_days": ""})
    assert saved.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Cycle, cycle.id)
    # The advanced package's numbers, a first cycle's visits included.
    assert (moved.service_package, moved.planned_visits, moved.advisory_days) == ("advanced", 1, 60)
    assert due(moved)["assessment_due"] == date(2026, 7, 31)
    # Staff's own numbers for this cycle, the package unchanged, stand.
    post_form(client, f"/admin/cycle/edit/?id={cycle.id}", {
        "factory": str(cycle.factory_id), "number": "1", "signed_up_on": "2026-06-01", "training_days_allotted": "5",
        "status": "advisory", "service_package": "advanced", "planned_visits": "2", "advisory_days": "75"})
    db.session.expire_all()
    moved = db.session.get(Cycle, cycle.id)
    assert (moved.planned_visits, moved.advisory_days) == (2, 75)
    assert due(moved)["assessment_due"] == date(2026, 8, 15)


def test_a_cycle_staff_create_in_the_panel_for_a_high_performer_starts_advanced(app, client):
    measured_cycle = high_performer()
    db.session.commit()
    login(client, make_user("admin"))
    saved = post_form(client, "/admin/cycle/new/", {
        "factory": str(measured_cycle.factory_id), "number": "", "signed_up_on": "2026-06-01",
        "training_days_allotted": "4", "status": "advisory", "service_package": ""})
    assert saved.status_code == 302
    created = db.session.scalar(select(Cycle).where(Cycle.factory_id == measured_cycle.factory_id, Cycle.number == 3))
    assert (created.service_package, created.expected_visits, created.advisory_days) == ("advanced", 0, 60)
    assert due(created)["assessment_due"] == date(2026, 7, 31)
    listing = Page(client.get("/admin/cycle/").get_data(as_text=True))
    assert any(cell == "Advanced services" for table in listing.tables for row in table for cell in row)
