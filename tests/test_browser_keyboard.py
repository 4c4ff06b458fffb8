"""Keyboard only, no mouse: a factory manager logs in, fills the self-diagnosis (Tab between questions, Space and the
arrow keys on the radios, Enter saves the draft) and the improvement plan (Tab between fields, an arrow key in the
status list, Enter saves, Enter on the submit button submits)."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import ImprovementAction, Report
from bwadmin.services import responses

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import PASSWORD
from .test_browser_journey_factory import factory_with_a_released_assessment

pytestmark = needs_chromium

FOCUSED = "(() => { const e = document.activeElement; return [e.tagName.toLowerCase(), e.name || '', e.value || '', " \
          "e.type || '', (e.innerText || '').trim(), e.getAttribute('href') || '']; })()"


def focused(page: Page) -> dict:
    tag, name, value, kind, text, href = page.evaluate(FOCUSED)
    return {"tag": tag, "name": name, "value": value, "type": kind, "text": text, "href": href}


def tab_to(page: Page, wanted, limit: int = 40) -> int:
    """Press Tab until the focused element is the wanted one; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if wanted(focused(page)):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached it; the focus is on {focused(page)}")


def log_in_by_keyboard(page: Page, base: str) -> None:
    page.goto(base + "/login")
    expect(page.get_by_label("Email")).to_be_focused()  # the field is focused on arrival
    page.keyboard.type("manager@mekong.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mekong Apparel", level=1)).to_be_visible()


def follow_link(page: Page, text: str) -> None:
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_self_diagnosis_by_keyboard(app, live_server, browser):
    cycle_id, _ = factory_with_a_released_assessment()
    db.session.remove()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    log_in_by_keyboard(page, live_server)
    follow_link(page, "Self-diagnosis")
    expect(page.get_by_role("heading", name="Factory self-diagnosis")).to_be_visible()
    names = page.locator("input[type=radio]").evaluate_all("els => [...new Set(els.map(e => e.name))]")
    assert len(names) == 4  # CMP.OT.01, CMP.OT.02, CMP.MW.01, CL.CHL.01, in page order

    # The first Tab offers the skip link; following it, the next Tabs reach the questions past the section list.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to the page's content"
    expect(page.get_by_role("link", name="Skip to the page's content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert tab_to(page, lambda f: f["name"] == names[0]) < 12

    # Space chooses the focused radio; Tab goes to the next question; an arrow key moves and chooses within one.
    assert focused(page)["value"] == "yes"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == names[1]
    page.keyboard.press("ArrowRight")
    assert focused(page)["value"] == "no"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == names[3]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")  # and back
    page.keyboard.press("ArrowRight")
    for name, value in zip(names, ["yes", "no", "yes", "no"]):
        expect(page.locator(f"input[name={name}][value={value}]")).to_be_checked()

    # Enter on a radio submits the form with its first button: the draft is saved.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    draft = responses.find(cycle_id, "self_diagnosis")
    assert draft.status == "draft"
    assert sorted(responses.values_of(draft).values()) == ["no", "no", "yes", "yes"]

    # Tab to the submit button; Enter submits.
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit", limit=30)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your self-diagnosis is submitted. Thank you.")).to_be_visible()
    db.session.expire_all()
    assert responses.find(cycle_id, "self_diagnosis").status == "submitted"


def test_the_improvement_plan_by_keyboard(app, live_server, browser):
    cycle_id, _ = factory_with_a_released_assessment()
    db.session.remove()
    page = browser.new_page(viewport={"width": 390, "height": 844})  # on a phone, where the plan reads as cards
    page.set_default_timeout(15000)
    log_in_by_keyboard(page, live_server)
    follow_link(page, "Improvement plan")
    expect(page.get_by_role("heading", name="Improvement plan, cycle 1")).to_be_visible()

    # Tab to the action, then field by field; Enter in a one-line field saves the draft.
    tab_to(page, lambda f: f["tag"] == "textarea" and f["name"].startswith("action-"))
    page.keyboard.type("Pay every overtime hour at the legal premium")
    page.keyboard.press("Tab")
    assert focused(page)["name"].startswith("owner-")
    page.keyboard.type("HR manager")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_label("Owner")).to_have_value("HR manager")

    tab_to(page, lambda f: f["name"].startswith("due-"))
    due = date.today() + timedelta(days=90)
    page.keyboard.type(due.isoformat())
    page.keyboard.press("Tab")
    assert focused(page)["name"].startswith("status-")
    page.keyboard.press("ArrowDown")  # Planned → In progress
    expect(page.get_by_label("Status")).to_have_value("in_progress")
    page.keyboard.press("Tab")
    assert focused(page)["name"].startswith("evidence-")  # the evidence, for when the action is declared done
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Save draft"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Submit plan"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Improvement plan submitted:")).to_be_visible()

    db.session.expire_all()
    action = db.session.scalar(select(ImprovementAction).where(ImprovementAction.cycle_id == cycle_id))
    assert (action.action, action.owner, action.due_on, action.status) == (
        "Pay every overtime hour at the legal premium", "HR manager", due, "in_progress")
    assert db.session.scalar(select(Report.submitted_at).where(Report.kind == "improvement_plan")) is not None
