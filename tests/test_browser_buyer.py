"""A buyer logs in with a real browser, opens a released report and downloads its PDF."""
from __future__ import annotations

from bwadmin.extensions import db
from bwadmin.models import AuditEvent

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import PASSWORD, make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .portal_helpers import make_report

pytestmark = needs_chromium


def test_buyer_opens_a_released_report_and_downloads_the_pdf(app, live_server, browser, tmp_path):
    factory, buyer = make_factory("Saigon Stitch"), make_buyer("Browser Buyer")
    make_sourcing(buyer, factory)
    report = make_report(make_cycle(factory, days_in=200), "assessment", title="Assessment report 2026")
    user = make_user("buyer", buyer=buyer, email="reader@buyer.example")
    db.session.commit()
    page = browser.new_page(accept_downloads=True)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/buyer/")
    page.click("text=Saigon Stitch")
    page.click("text=Assessment report 2026")
    assert "Body of the assessment report of Saigon Stitch" in page.content()
    with page.expect_download() as info:
        page.click("text=Download PDF")
    saved = tmp_path / "report.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="download", entity_id=str(report.id)).count() == 1
