"""The public's pages in a real browser, at desktop width and on a 390 px phone: the login page and the transparency
index, a country and a factory. Every page fits the screen and axe-core finds nothing serious. On a phone the
navbar's menu folds behind its button, which works under the app's Content-Security-Policy (no inline script); a
browser without scripts keeps the menu open."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bwadmin.extensions import db

from .a11y import PHONE, WIDTHS, Visit, fits
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import make_factory
from .test_transparency import assessed, publish_issues, respond

pytestmark = needs_chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_pages(app, live_server, browser, tmp_path, width):
    publish_issues()
    cycle = assessed(make_factory("Lotus Textile Vina"), "findings")
    respond(cycle, "approved", "We paid the overtime owed.", approved="We paid the overtime owed and pay every hour at "
            "the legal premium from the next payroll.")
    assessed(make_factory("Saigon Stitch Garment"), "clean")
    db.session.commit()
    db.session.remove()
    visit = Visit(browser, live_server, width, tmp_path, "public")
    page = visit.page

    response = page.goto(live_server + "/login")
    assert "script-src 'self';" in response.headers["content-security-policy"]  # no inline script allowed
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_focused()
    visit.check("login")

    visit.go("/transparency/")
    page.get_by_role("link", name="Vietnam").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vietnam")
    expect(page.get_by_role("rowheader", name="Lotus Textile Vina")).to_be_visible()
    visit.check("country")
    page.get_by_role("link", name="Lotus Textile Vina").click()
    expect(page.get_by_role("heading", name="Lotus Textile Vina", level=1)).to_be_visible()
    expect(page.get_by_text("pay every hour at the legal premium")).to_be_visible()
    visit.check("factory")
    visit.go("/transparency/")
    expect(page.get_by_role("link", name="Vietnam")).to_be_visible()
    visit.check("index")

    menu, toggler = page.locator("#site-menu"), page.get_by_role("button", name="Menu")
    if width == PHONE:  # folded: the button opens it, Escape closes it and gives the focus back
        expect(menu).to_be_hidden()
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_label("Language")).to_be_visible()
        page.get_by_label("Language").focus()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(toggler).to_be_focused()
        expect(toggler).to_have_attribute("aria-expanded", "false")
    else:
        expect(toggler).to_be_hidden()
        expect(page.get_by_label("Language")).to_be_visible()


def test_without_scripts_the_phone_menu_stays_open(app, live_server, browser):
    page = browser.new_page(viewport={"width": PHONE, "height": 844}, java_script_enabled=False)
    page.goto(live_server + "/login")
    expect(page.get_by_label("Language")).to_be_visible()
    expect(page.locator(".navbar-toggler")).to_be_hidden()
    assert fits(page)
