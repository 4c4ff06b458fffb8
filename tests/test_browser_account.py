"""A person who forgot a password, on a 390 px phone: locked out after guessing, a reset link, back in, out again."""
from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from bwadmin.extensions import db

from jobs.worker import work_until_empty

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .clock_support import MailSink, fast_retries, smtp  # noqa: F401
from .factories import make_buyer, make_user

pytestmark = needs_chromium

NEW_PASSWORD = "harbour lights at dawn 7"


def shot(page, name: str) -> None:
    """Screenshots for a person to look at, when BWADMIN_SHOTS names a folder."""
    if os.environ.get("BWADMIN_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["BWADMIN_SHOTS"], f"{name}.png"), full_page=True)


def test_locked_out_then_reset_then_logged_out_on_a_phone(app, live_server, browser, smtp):
    user = make_user("buyer", buyer=make_buyer("Phone Buyer"), email="mai@buyer.example")
    db.session.commit()
    page = browser.new_page(viewport={"width": 390, "height": 844})

    def fits() -> bool:
        return page.evaluate("document.documentElement.scrollWidth") <= 390

    for attempt in range(6):
        page.goto(live_server + "/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", f"my old guess {attempt}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    error = page.locator(".invalid-feedback, .alert-danger").first
    expect(error).to_contain_text(re.compile(r"Try again in 1[45] minutes"))
    assert fits()
    shot(page, "login-locked-390")

    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("input[name=email]", "not-an-address")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".invalid-feedback").first).to_contain_text("valid email")
    page.fill("input[name=email]", user.email)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("If an account uses that address")
    assert fits()
    shot(page, "forgot-sent-390")

    work_until_empty()
    link = re.search(r"http://[^\s<\"]+/password/reset/[A-Za-z0-9_.\-]+",
                     MailSink.text_of(smtp.messages[-1]).replace("=\n", "")).group(0)
    page.goto(live_server + link.split("127.0.0.1:5000", 1)[-1])
    page.fill("input[name=password]", "short")
    page.fill("input[name=confirm]", "short")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".invalid-feedback").first).to_contain_text("at least 12 characters")
    shot(page, "set-password-error-390")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=confirm]", NEW_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("body")).to_contain_text("Your password is set")

    # The lock-out was for guessing from this browser; the owner with the new password is let in once it ends.
    app.config["BWADMIN_LOGIN_LIMIT_ACCOUNT"] = "50 per 15 minutes"
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", NEW_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/buyer/")
    shot(page, "buyer-home-390")
    page.get_by_role("button", name="Menu").click()  # on a phone the navbar folds behind its button
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    page.goto(live_server + "/buyer/")
    assert "/login" in page.url  # the session ended on the server
