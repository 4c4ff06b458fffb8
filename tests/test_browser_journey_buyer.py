"""A buyer's day in a real browser, at desktop width and on a 390 px phone: home, a factory's page with its chart and
improvement plan, a released report and its PDF; then log out from the folded menu. Every page fits the screen and
axe-core finds nothing serious."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, ImprovementAction

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

pytestmark = needs_chromium


def buyer_sourcing_from_two_factories():
    buyer = make_buyer("Kestrel Sport")
    sharing, private = make_factory("Saigon Stitch Garment"), make_factory("Dong Nai Knitwear")
    make_sourcing(buyer, sharing)
    make_sourcing(buyer, private, consent=False)
    cycle = make_cycle(sharing, days_in=200)
    report = make_report(cycle, "assessment", title="Assessment report 2026",
                         rates={"freedom_of_association": 0.62, "compensation": 0.8, "working_time": 0.25})
    plan = make_report(cycle, "improvement_plan", pdf=False)
    plan.body_html = None  # as the release makes it: the plan's page is its actions
    # Buyers read the plan as the factory submitted it (the released report's data), not its working rows.
    plan.data = {"actions": [{"finding": "CMP.OT.01: Are overtime hours paid at the legal premium?",
                              "action": "Pay every overtime hour at the legal premium from the next payroll",
                              "owner": "HR manager", "due_on": "2027-03-31", "status": "in_progress"}]}
    db.session.add(ImprovementAction(cycle_id=cycle.id, finding="CMP.OT.01: Are overtime hours paid at the legal premium?",
                                     action="Pay every overtime hour at the legal premium from the next payroll",
                                     owner="HR manager", due_on=date(2027, 3, 31), status="in_progress"))
    make_user("buyer", "lead@kestrel.example", buyer=buyer, name="Buyer Compliance Lead")
    db.session.commit()
    return report.id


@pytest.mark.parametrize("width", WIDTHS)
def test_a_buyers_day(app, live_server, browser, tmp_path, width):
    report_id = buyer_sourcing_from_two_factories()
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "buyer")
    page = visit.page

    # Home: the factory that shares, and the one that does not yet.
    visit.log_in("lead@kestrel.example")
    expect(page.get_by_role("heading", name="Factories sharing their results with you")).to_be_visible()
    expect(page.get_by_role("link", name="Saigon Stitch Garment")).to_be_visible()
    expect(page.get_by_text("Dong Nai Knitwear")).to_be_visible()
    visit.check("home")

    # The factory's page: released reports, the chart, the improvement plan.
    page.get_by_role("link", name="Saigon Stitch Garment").click()
    expect(page.get_by_role("heading", name="Saigon Stitch Garment", level=1)).to_be_visible()
    chart = page.get_by_role("table", name="Non-compliance per cluster")
    expect(chart).to_be_visible()
    expect(chart.get_by_role("row", name=re.compile(r"Compensation\s*80%"))).to_be_visible()
    assert chart.bounding_box()["width"] <= width
    expect(page.get_by_role("cell", name="Pay every overtime hour at the legal premium from the next payroll")).to_be_visible()
    visit.check("factory")

    # The plan as a report of its own: a table on a desktop, a card per action on a phone.
    page.get_by_role("link", name="Improvement plan", exact=True).click()
    expect(page.get_by_role("heading", name="Improvement plan", level=1)).to_be_visible()
    expect(page.get_by_text("Pay every overtime hour at the legal premium from the next payroll")).to_be_visible()
    headings = page.locator("#plan thead")  # a phone reads each action as a card, each value with its label
    (expect(headings).to_be_hidden() if width < 768 else expect(headings).to_be_visible())
    visit.check("plan")
    page.go_back()

    # A released report, and its PDF.
    page.get_by_role("link", name="Assessment report").click()
    expect(page.get_by_role("heading", name="Assessment report", level=1)).to_be_visible()
    expect(page.get_by_text("Body of the assessment report of Saigon Stitch Garment.")).to_be_visible()
    visit.check("report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / f"report-{width}.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename.endswith(".pdf")

    visit.log_out()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="download", entity_id=str(report_id)).count() == 1
