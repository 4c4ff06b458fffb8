"""An advisor's day in the panel, in a real browser at desktop width and on a 390 px phone: the home page, the cycle list
reached through the menu, a cycle's details, and an advisory visit recorded through the panel's create form; then
log out. Every page fits the screen (wide tables scroll in their own box) and axe-core finds nothing serious."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import AdvisoryVisit

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_cycle, make_factory, make_user

pytestmark = needs_chromium


def open_from_menu(visit: Visit, category: str, item: str) -> None:
    """The panel's menu as a person uses it: the button on a phone, the category, then the page."""
    page = visit.page
    visit.open_menu()
    page.locator(".navbar .dropdown-toggle", has_text=category).click()
    with page.expect_navigation():
        page.locator(".navbar .dropdown-menu.show").get_by_role("link", name=item, exact=True).click()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_advisors_day(app, live_server, browser, tmp_path, width):
    advisor = make_user("advisor", email="mai@programme.org", name="Mai Advisor")
    cycle = make_cycle(make_factory("Lotus Garments"), days_in=30, advisor=advisor)
    make_cycle(make_factory("Tonle Sap Apparel"), days_in=60, advisor=advisor)
    db.session.commit()
    cycle_id = cycle.id
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "advisor")
    page = visit.page

    # The panel's home: my cycles and the visits done against expected.
    visit.log_in("mai@programme.org")
    expect(page.get_by_role("heading", name="Good day, Mai Advisor")).to_be_visible()
    visits = page.locator("#visits")
    expect(visits.get_by_role("row", name="Lotus Garments")).to_contain_text("0 of 3")
    visit.check("home")

    # The cycle list, through the menu.
    open_from_menu(visit, "Cycles", "Cycles")
    expect(page.get_by_role("heading", name="Cycles", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lotus Garments")
    expect(row).to_be_visible()
    visit.check("cycle-list")

    # The cycle's details: its timeline.
    with page.expect_navigation():
        row.get_by_role("link", name="View Record").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Advisory period ends")
    visit.check("cycle-details")

    # Record an advisory visit from the home page: the form comes filled with the cycle, today and the advisor.
    visit.go("/admin/")
    with page.expect_navigation():
        visits.get_by_role("row", name="Lotus Garments").get_by_role("link", name="Record a visit").click()
    expect(page.get_by_role("heading", name="Advisory visits", level=1)).to_be_visible()
    notes = page.get_by_label("Notes")
    notes.fill("Walked the sewing floor with the HR manager; the committee meets on Friday.")
    visit.check("visit-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Record was successfully created.")).to_be_visible()
    visit.check("visit-saved", axe=False)  # a list like the cycle list, checked above
    visit.go("/admin/")
    expect(visits.get_by_role("row", name="Lotus Garments")).to_contain_text("1 of 3")

    visit.log_out()
    saved = db.session.scalars(select(AdvisoryVisit)).all()
    assert [(v.cycle_id, v.advisor.email) for v in saved] == [(cycle_id, "mai@programme.org")]
    assert saved[0].notes.startswith("Walked the sewing floor")
