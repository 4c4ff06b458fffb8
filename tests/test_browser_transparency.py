"""The public transparency page at 390 px: the page never scrolls sideways, the country's table scrolls inside its own
container; a reader sorts it and opens a factory."""
from __future__ import annotations

from bwadmin.extensions import db
from bwadmin.models import TransparencyIssue

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .clock_support import QUESTIONS
from .factories import make_factory
from .test_transparency import assessed

pytestmark = needs_chromium

WIDTH = 390


def test_the_country_page_fits_a_phone_and_its_table_scrolls_in_its_own_box(app, live_server, browser):
    # Every compliance point and question of the small bank: seven columns of issues, wider than a phone.
    issues = [("compliance_point", point) for point in dict.fromkeys(q[2] for q in QUESTIONS)]
    issues += [("question", q[0]) for q in QUESTIONS]
    for position, (kind, code) in enumerate(issues, start=1):
        db.session.add(TransparencyIssue(country="Vietnam", kind=kind, code=code, label=f"Issue number {position}",
                                         position=position))
    for i, results in enumerate(["clean", "findings", "partial"]):
        assessed(make_factory(f"Phone Factory with a rather long name {i}"), results)
    db.session.commit()
    page = browser.new_page(viewport={"width": WIDTH, "height": 800})
    for path in ("/transparency/", "/transparency/vietnam/?sort=name&dir=desc", "/transparency/vietnam/"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, path
    box = page.locator(".transparency-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # wider than the phone: it scrolls, the page does not
    with page.expect_navigation():
        page.click("text=Non-compliant issues")  # the most non-compliant first
    assert page.locator("#factories tbody th").all_inner_texts()[-1] == "Phone Factory with a rather long name 0"
    with page.expect_navigation():
        page.click("text=Phone Factory with a rather long name 1")
    assert page.locator("h1").inner_text() == "Phone Factory with a rather long name 1"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
