"""A programme officer completes the programme progress report the clock drafted, in a real browser at desktop width
and on a 390 px phone: the list of reports due, the draft with the clock's notice, a note too long refused beside its
field with the text kept, then saved and read as the factory and its buyers will. Every page fits the screen and
axe-core finds nothing serious."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db
from bwadmin.models import utcnow
from bwadmin.services import progress_reports

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_user
from .test_browser_journey_advisor import open_from_menu
from .test_progress_reports import assessed_factory, record_the_cycle

pytestmark = needs_chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_an_officer_completes_the_clocks_draft(app, live_server, browser, tmp_path, width):
    make_user("admin", email="officer@programme.org", name="Programme Officer")
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    milestone = cycle.milestone("programme_progress_report")
    progress_reports.draft_programme_progress(cycle, milestone.due_at - timedelta(days=20))  # as the drafting job
    milestone.due_at = utcnow() + timedelta(days=12)
    db.session.commit()
    cycle_id = cycle.id
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "programme-progress")
    page = visit.page

    visit.log_in("officer@programme.org")
    open_from_menu(visit, "Reports and notices", "Programme progress drafts")
    row = page.get_by_role("row").filter(has_text="Riverside Knits")
    expect(row).to_contain_text("Drafted from the data, not yet saved")
    visit.check("list")

    with page.expect_navigation():
        row.get_by_role("link").first.click()
    expect(page.locator("#clock-draft")).to_contain_text("Until you save it, the release writes it again")
    expect(page.locator("#preview")).to_contain_text("OSH.MS.01")
    visit.check("clock-draft")  # among its checks: the form's ids and the report's (#summary) never clash

    # A note past the limit: refused beside its field, everything typed still there.
    too_long = "n" * (progress_reports.STAFF_TEXT_MAX + 1)
    page.fill("#staff-summary", "Wages fixed; the safety procedure is still being written.")
    page.fill("#note-social_dialogue", too_long)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#note-social_dialogue-error")).to_contain_text("4,000")
    expect(page.locator("#note-social_dialogue")).to_have_value(too_long)
    expect(page.locator("#staff-summary")).to_have_value("Wages fixed; the safety procedure is still being written.")
    # The refused form is answered 400, as every refused form: the browser logs that status, no fault.
    visit.errors = [e for e in visit.errors if "status of 400" not in e]
    visit.check("too-long")

    page.fill("#note-social_dialogue", "The union finding came back: a meeting with the union is planned.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#clock-draft")).to_have_count(0)  # saved: the release publishes it as it is
    expect(page.locator("#preview")).to_contain_text("Wages fixed; the safety procedure is still being written.")
    expect(page.locator("#preview")).to_contain_text("a meeting with the union is planned")
    visit.check("saved")

    report = progress_reports.programme_report(progress_reports.cycle_for(cycle_id))
    assert report.data["drafted_by"] == "staff" and report.released_at is None
