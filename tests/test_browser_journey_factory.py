"""A factory manager's day in a real browser, at desktop width and on a 390 px phone: home, the self-diagnosis (a draft
saved), the improvement plan (an action submitted), the progress report, a released report; then log out from the
folded menu. Every page fits the screen and axe-core finds nothing serious."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Assessment, ImprovementAction, Report
from bwadmin.services import responses, schedule

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .clock_support import answer, bank
from .factories import make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

pytestmark = needs_chromium

# One finding (overtime unpaid): one row in the plan.
ASSESSED = {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"}


def factory_with_a_released_assessment():
    factory = make_factory("Mekong Apparel")
    make_sourcing(make_buyer("Kestrel Sport"), factory)
    cycle = make_cycle(factory, days_in=140, advisor=make_user("advisor", name="Mai Advisor"))
    bank("self_diagnosis").title = {"en": "Factory self-diagnosis"}
    response = answer(cycle, "assessment", ASSESSED)
    db.session.add(Assessment(cycle=cycle, assessed_on=cycle.signed_up_on + timedelta(days=100), response=response,
                              completed_at=datetime.combine(cycle.signed_up_on + timedelta(days=100), time(17))))
    db.session.flush()
    schedule.sync_milestones(cycle)
    report = make_report(cycle, "assessment", title="Assessment report 2026",
                         rates={"compensation": 0.33, "child_labour": 0.0})
    # The released report lists its one finding, as scoring stores it: the plan is made from it.
    overtime = next(a.question for a in response.answers if a.question.code == "CMP.OT.01")
    report.data = {**report.data, "scores": {**report.data["scores"], "findings": [
        {"code": overtime.code, "question_id": overtime.id, "text": "Question CMP.OT.01?", "cluster": "compensation",
         "compliance_point": "overtime_wages", "zero_tolerance": False}]}}
    make_user("factory", "manager@mekong.example", factory=factory, name="Factory Manager")
    db.session.commit()
    return cycle.id, report.id


@pytest.mark.parametrize("width", WIDTHS)
def test_a_factory_managers_day(app, live_server, browser, tmp_path, width):
    cycle_id, report_id = factory_with_a_released_assessment()
    db.session.remove()  # the server thread opens its own sessions
    visit = Visit(browser, live_server, width, tmp_path, "factory")
    page = visit.page

    # Log in: the factory's home, its timeline and its reports.
    visit.log_in("manager@mekong.example")
    expect(page.get_by_role("heading", name="Mekong Apparel", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Cycle 1: timeline")).to_be_visible()
    expect(page.get_by_role("link", name="Assessment report")).to_be_visible()
    visit.check("home")

    # The self-diagnosis: answer two questions, save the draft, find the answers kept.
    page.get_by_role("link", name="Self-diagnosis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Factory self-diagnosis")
    first = page.get_by_role("radiogroup", name="Question CMP.OT.01?")
    first.get_by_label("Yes").check()
    page.get_by_role("radiogroup", name="Question CL.CHL.01?").get_by_label("No").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    expect(page.get_by_role("radiogroup", name="Question CMP.OT.01?").get_by_label("Yes")).to_be_checked()
    visit.check("self-diagnosis")

    # The improvement plan: one action for the one finding, submitted.
    visit.go("/factory/")
    page.get_by_role("link", name="Improvement plan").first.click()
    expect(page.get_by_role("heading", name="Improvement plan, cycle 1")).to_be_visible()
    expect(page.get_by_text("Question CMP.OT.01?")).to_be_visible()
    due = (date.today() + timedelta(days=60)).isoformat()
    page.get_by_label("Action").fill("Pay every overtime hour at the legal premium from the next payroll")
    page.get_by_label("Owner").fill("HR manager")
    page.get_by_label("Due date").fill(due)
    page.get_by_label("Status").select_option(label="In progress")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit plan").click()
    expect(page.get_by_text("Improvement plan submitted:")).to_be_visible()
    expect(page.get_by_text("You can keep it up to date.")).to_be_visible()
    expect(page.get_by_label("Owner")).to_have_value("HR manager")
    visit.check("plan")

    # The progress report lists the plan's action beside its finding.
    page.get_by_role("link", name="Your factory").click()
    page.get_by_role("link", name="Factory progress report").click()
    expect(page.get_by_role("heading", name="Factory progress report, cycle 1")).to_be_visible()
    expect(page.get_by_text("Pay every overtime hour at the legal premium").first).to_be_visible()
    visit.check("progress-report")

    # A released report: its text and its chart.
    page.get_by_role("link", name="Your factory").click()
    page.get_by_role("link", name="Assessment report").click()
    expect(page.get_by_text("Body of the assessment report of Mekong Apparel.")).to_be_visible()
    visit.check("report")

    visit.log_out()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    visit.check("logged-out", axe=False)

    draft = responses.find(cycle_id, "self_diagnosis")
    assert draft.status == "draft" and sorted(responses.values_of(draft).values()) == ["no", "yes"]
    action = db.session.scalar(select(ImprovementAction).where(ImprovementAction.cycle_id == cycle_id))
    assert (action.owner, action.status, action.due_on.isoformat()) == ("HR manager", "in_progress", due)
    plan = db.session.scalar(select(Report).where(Report.cycle_id == cycle_id, Report.kind == "improvement_plan"))
    assert plan.submitted_at is not None
