"""Staff type, paste or pick dates in the panel with the browser's own date input; what the server cannot read is
refused beside the field, never guessed."""
from __future__ import annotations

import os
import re
from datetime import date, datetime

from playwright.sync_api import expect

from bwadmin.extensions import db
from bwadmin.models import Cycle, Milestone

from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import PASSWORD, csrf_from, login, make_cycle, make_factory, make_user
from .formparse import form_values

pytestmark = needs_chromium


def test_a_typed_date_is_saved_as_typed_at_desktop_and_phone_width(app, live_server, browser):
    admin = make_user("admin", email="chief@example.org")
    cycle = make_cycle(make_factory("Typed Date Garments"), days_in=10)
    db.session.commit()
    cycle_id = cycle.id
    for width, typed, saved in ((1280, "2026-11-22", date(2026, 11, 22)), (390, "2026-07-14", date(2026, 7, 14))):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(live_server + "/login")
        page.fill("input[name=email]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{live_server}/admin/cycle/edit/?id={cycle_id}")
        field = page.locator("input[name=signed_up_on]")
        assert field.get_attribute("type") == "date"
        field.fill(typed)  # what a person types or pastes in ISO form; the browser's calendar sends the same
        if os.environ.get("BWADMIN_SHOTS"):
            page.screenshot(path=os.path.join(os.environ["BWADMIN_SHOTS"], f"admin-date-{width}.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".alert-danger")).to_have_count(0)
        db.session.expire_all()
        assert db.session.get(Cycle, cycle_id).signed_up_on == saved
        page.close()


def test_a_date_the_server_cannot_read_is_refused_beside_the_field(app, client):
    cycle = make_cycle(make_factory("Pasted Date Garments"), days_in=10)
    login(client, make_user("admin"))
    db.session.commit()
    before = cycle.signed_up_on
    url = f"/admin/cycle/edit/?id={cycle.id}"
    page = client.get(url)
    values = {name: found[0] for name, found in form_values(page.get_data(as_text=True)).items() if found}
    for pasted in ("14/07/2026", "0002-01-01026-11-22", "2026-13-01"):
        answer = client.post(url, data={**values, "csrf_token": csrf_from(page), "signed_up_on": pasted})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "Not a valid date value" in html, pasted
        assert f'value="{pasted}"' in html  # what was typed stays in the field to be corrected
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).signed_up_on == before
    milestone = db.session.query(Milestone).filter_by(cycle_id=cycle.id).first()
    edit = client.get(f"/admin/milestone/edit/?id={milestone.id}").get_data(as_text=True)
    assert 'type="datetime-local"' in edit and milestone.due_at.strftime("%Y-%m-%dT%H:%M") in edit
    assert isinstance(milestone.due_at, datetime)


def test_a_cycle_keeps_its_number_and_its_status_is_a_choice(app, client):
    cycle = make_cycle(make_factory("Numbered Garments"), days_in=10)
    login(client, make_user("admin"))
    db.session.commit()
    url = f"/admin/cycle/edit/?id={cycle.id}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert re.search(r'<select[^>]*name="status"', html)  # a choice, not free text
    values = {name: found[0] for name, found in form_values(html).items() if found}
    cleared = client.post(url, data={**values, "csrf_token": csrf_from(page), "number": ""})
    assert cleared.status_code == 200 and "A cycle keeps its number" in cleared.get_data(as_text=True)
    bad = client.post(url, data={**values, "csrf_token": csrf_from(page), "status": "finished-ish"})
    assert bad.status_code == 200 and "Not a valid choice" in bad.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(Cycle, cycle.id)
    assert kept.number == 1 and kept.status == cycle.status


def test_times_read_to_the_minute_and_an_empty_choice_says_none(app, client):
    cycle = make_cycle(make_factory("Minute Garments"), days_in=10)
    login(client, make_user("admin"))
    db.session.commit()
    listing = client.get("/admin/milestone/").get_data(as_text=True)
    # In the reader's language (English here): the day, the time to the minute and the zone staff read, UTC.
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}\s[AP]M \(UTC\)", listing)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", listing)  # never microseconds
    edit = client.get(f"/admin/cycle/edit/?id={cycle.id}").get_data(as_text=True)
    assert "__None</option>" not in edit and ">(none)</option>" in edit
