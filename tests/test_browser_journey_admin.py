"""A programme admin's day in the panel, in a real browser at desktop width and on a 390 px phone: the home page, the
cycle list and a cycle's details, then a factory user created through the panel's form, whose invitation is queued
and shows in the notice log; then log out. Every page fits the screen and axe-core finds nothing serious."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Notification, User

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_cycle, make_factory, make_user
from .test_browser_journey_advisor import open_from_menu

pytestmark = needs_chromium


def choose(page, field: str, text: str) -> None:
    """A choice in one of the panel's select boxes (select2), as a person makes it: open the box, type, Enter."""
    page.locator(f"#s2id_{field} .select2-choice").click()
    page.keyboard.type(text)
    expect(page.locator(".select2-drop-active .select2-highlighted")).to_contain_text(text)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admins_day(app, live_server, browser, tmp_path, width):
    make_user("admin", email="chief@programme.org", name="Programme Admin")
    factory = make_factory("Padma Knit Composite", country="Bangladesh")
    make_cycle(factory, days_in=45)
    make_cycle(make_factory("Java Denim Works", country="Indonesia"), days_in=120)
    db.session.commit()
    factory_id = factory.id
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "admin")
    page = visit.page
    email = f"hr.{width}@padma.example"

    # The panel's home: every running cycle.
    visit.log_in("chief@programme.org")
    expect(page.get_by_role("heading", name="Good day, Programme Admin")).to_be_visible()
    expect(page.locator("#my-cycles")).to_contain_text("Padma Knit Composite")
    visit.check("home")

    # The cycle list, through the menu, and a cycle's details.
    open_from_menu(visit, "Cycles", "Cycles")
    row = page.get_by_role("row").filter(has_text="Padma Knit Composite")
    expect(row).to_be_visible()
    visit.check("cycle-list")
    with page.expect_navigation():
        row.get_by_role("link", name="View Record").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    visit.check("cycle-details")

    # A factory user, created through the panel: no password typed, an invitation is queued.
    open_from_menu(visit, "People", "Users")
    with page.expect_navigation():
        page.get_by_role("link", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    visit.check("user-form")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name", exact=True).fill("Rina Akter")
    choose(page, "role", "Factory user")
    choose(page, "factory", "Padma Knit Composite")
    expect(page.locator("select#role")).to_have_value("factory")
    expect(page.locator("select#factory")).to_have_value(str(factory_id))
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"An invitation to set a password is on its way to {email}")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=email)).to_contain_text("Padma Knit Composite")
    visit.check("user-created")

    # The notice log shows the invitation, waiting for the worker.
    open_from_menu(visit, "Reports and notices", "Notifications")
    invitation = page.get_by_role("row").filter(has_text=email)
    expect(invitation).to_contain_text("Your bwadmin account: set your password")
    visit.check("notices")

    visit.log_out()
    user = db.session.scalar(select(User).where(User.email == email))
    assert (user.role, user.factory_id, user.password_hash) == ("factory", factory_id, None)
    notice = db.session.scalar(select(Notification).where(Notification.email == email))
    assert notice.kind == "account_invite" and notice.sent_at is None
