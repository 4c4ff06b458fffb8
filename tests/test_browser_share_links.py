"""The factory's share links in a real browser, at desktop width and on a 390 px phone: the factory makes a link to
its released assessment, a reader opens it without an account, the factory revokes it and the reader is told.
Every page fits the screen and axe-core finds nothing serious."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_user
from .travel_helpers import released_assessment

pytestmark = needs_chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_make_open_and_revoke_a_share_link(app, live_server, browser, tmp_path, width):
    report = released_assessment(with_file=False)
    make_user("factory", "hr@mekong.example", factory=report.cycle.factory, name="Mekong HR")
    db.session.commit()
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "share")
    page = visit.page
    visit.log_in("hr@mekong.example")
    page.get_by_role("link", name="Share a released report with a buyer by a link").click()
    expect(page.get_by_role("heading", name="Share a released report by a link")).to_be_visible()
    visit.check("empty")
    page.get_by_label("For whom (optional)").fill("Kestrel Sport compliance team")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("The new link").input_value()
    expect(page.get_by_role("cell", name="Kestrel Sport compliance team")).to_be_visible()
    visit.check("made")

    reader = Visit(browser, live_server, width, tmp_path, "shared")
    reader.page.goto(link)
    expect(reader.page.locator("#report-title")).to_have_text("Assessment report")
    expect(reader.page.get_by_text("Shared by Mekong Apparel")).to_be_visible()
    reader.check("report")

    visit.go("/factory/share-links/")
    expect(page.get_by_label("The new link")).to_have_count(0)  # shown once only
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Link revoked")).to_be_visible()
    assert reader.page.goto(link).status == 410
    # the browser reports the 410 on its console: that one is expected
    reader.errors[:] = [e for e in reader.errors if "410" not in e]
    expect(reader.page.get_by_role("heading", name="This link no longer opens the report")).to_be_visible()
    reader.check("gone")
    assert not visit.errors and not reader.errors
