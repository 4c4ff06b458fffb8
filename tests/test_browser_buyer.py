"""A buyer logs in with a real browser, opens a released report and downloads its PDF."""
from __future__ import annotations

import re

from playwright.sync_api import expect

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
    page.get_by_role("link", name="Assessment report").click()
    # expect() waits for the page the click opens; page.content() read at once could still be the previous one.
    expect(page.get_by_text("Body of the assessment report of Saigon Stitch")).to_be_visible()
    with page.expect_download() as info:
        page.click("text=Download PDF")
    saved = tmp_path / "report.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    db.session.expire_all()
    assert db.session.query(AuditEvent).filter_by(action="download", entity_id=str(report.id)).count() == 1


def test_a_buyer_pages_through_factories_and_reads_the_chart_on_a_390_px_screen(app, live_server, browser,
                                                                                 monkeypatch):
    from bwadmin.services import portal

    monkeypatch.setattr(portal, "PER_PAGE", 3)
    buyer = make_buyer("Narrow Buyer")
    for i in range(4):
        factory = make_factory(f"Freedom of Association Garments {i}")
        make_sourcing(buyer, factory)
    make_report(make_cycle(factory, days_in=200), "assessment",
                rates={"freedom_of_association": 0.62, "compensation": 0.8})
    user = make_user("buyer", buyer=buyer, email="narrow@buyer.example")
    db.session.commit()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    def fits() -> bool:
        return page.evaluate("document.documentElement.scrollWidth") <= 390

    assert fits() and page.get_by_role("link", name="Previous").count() == 0
    assert page.get_by_role("row").count() == 4  # the heading and three factories
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("link", name="Freedom of Association Garments 3")).to_be_visible()
    assert fits()
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_role("link", name="Freedom of Association Garments 0")).to_be_visible()
    page.get_by_role("link", name="Next").click()
    page.get_by_role("link", name="Freedom of Association Garments 3").click()
    # The factory's own rates: the country is compared per compliance point, never from one factory (country_shares).
    # A table named by its caption: each row a cluster and its rate, as a screen reader reads them.
    chart = page.get_by_role("table", name="Non-compliance per cluster")
    expect(chart).to_be_visible()
    assert fits()
    assert chart.bounding_box()["width"] <= 390
    expect(chart.get_by_role("row", name=re.compile(r"Freedom of association and collective bargaining\s*62%"))).to_be_visible()
    expect(chart.get_by_role("row", name=re.compile(r"Compensation\s*80%"))).to_be_visible()
