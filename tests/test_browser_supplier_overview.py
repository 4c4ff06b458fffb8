"""The supplier overview and the audits form in a real browser, at desktop width and on a 390 px phone: the buyer
reaches the overview from its home, narrows it to the flagged factories and downloads it; the factory records an
audit, mistakes first. Every page fits the screen and axe-core finds nothing serious."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db
from bwadmin.models import TransparencyIssue, utcnow

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_buyer, make_cycle, make_factory, make_sourcing, make_user
from .test_supplier_overview import assess, audits, plan

pytestmark = needs_chromium


def two_factories():
    db.session.add(TransparencyIssue(country="Cambodia", kind="compliance_point", code="overtime_wages",
                                     label="Overtime wages"))
    buyer = make_buyer("Kestrel Sport")
    flagged = make_factory("Phnom Penh Apparel Manufacturing Company Limited", country="Cambodia")
    quiet = make_factory("Saigon Stitch Garment", country="Vietnam")
    for factory in (flagged, quiet):
        make_sourcing(buyer, factory)
    cycle = make_cycle(flagged, days_in=200)
    assess(cycle, {"osh": (12, 40), "compensation": (9, 40)}, date(2026, 5, 4),
           findings=[("CMP.OT.01", "overtime_wages", False)])
    plan(cycle, [("planned", "2020-01-31"), ("done", "2020-01-31")])
    audits(flagged, (2, True))
    assess(make_cycle(quiet, days_in=200), {"osh": (1, 40)}, date(2026, 4, 1))
    make_user("buyer", "lead@kestrel.example", buyer=buyer, name="Buyer Compliance Lead")
    make_user("factory", "hr@saigon.example", factory=quiet, name="Saigon HR")
    db.session.commit()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overview_and_the_audits_form(app, live_server, browser, tmp_path, width):
    two_factories()
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "overview")
    page = visit.page

    visit.log_in("lead@kestrel.example")
    page.get_by_role("link", name="Supplier overview").click()
    expect(page.get_by_role("heading", name="Supplier overview")).to_be_visible()
    expect(page.get_by_role("link", name="Saigon Stitch Garment")).to_be_visible()
    expect(page.get_by_text("1 audit avoided")).to_be_visible()
    visit.check("all")

    page.get_by_label("Flagged only").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Saigon Stitch Garment")).to_have_count(0)
    expect(page.get_by_text("Published issue")).to_be_visible()
    visit.check("flagged")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel").click()
    saved = tmp_path / f"overview-{width}.xlsx"
    info.value.save_as(saved)
    from openpyxl import load_workbook

    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["Phnom Penh Apparel Manufacturing Company Limited"]
    visit.log_out()

    # The factory records an audit: a day in the future first, then the day it was.
    visit.log_in("hr@saigon.example")
    page.get_by_role("link", name="Other audits your buyers asked of you").click()
    expect(page.get_by_role("heading", name="Other audits your buyers asked of you")).to_be_visible()
    page.get_by_label("Day of the audit").fill((utcnow().date() + timedelta(days=5)).isoformat())
    page.get_by_label("Buyer", exact=True).select_option("Kestrel Sport")
    page.get_by_label("Scheme or standard").fill("SMETA")
    page.get_by_label("Days on site").fill("2")
    page.get_by_label("The buyer accepted the programme’s assessment report instead").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the audit").click()
    expect(page.get_by_text("cannot be in the future")).to_be_visible()
    expect(page.get_by_label("Scheme or standard")).to_have_value("SMETA")
    # The refused form is answered 400, as every refused form of the portal: the browser logs that status, no fault.
    visit.errors = [e for e in visit.errors if "status of 400" not in e]
    visit.check("audit-refused")
    page.get_by_label("Day of the audit").fill((utcnow().date() - timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Record the audit").click()
    expect(page.get_by_text("Audit recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="SMETA")).to_be_visible()
    visit.check("audits")
