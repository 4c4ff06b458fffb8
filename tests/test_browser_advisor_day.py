"""An advisor's day in a real browser: log in, record a visit, run an election to its result, add a need."""
from datetime import date

import pytest
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import AdvisoryVisit, CommitteeMember, Need

from .advisory_helpers import make_committee, make_response
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .factories import PASSWORD, make_cycle, make_factory, make_user

pytestmark = needs_chromium


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(15000)
    return page


def submit(page, button_selector):
    with page.expect_navigation():
        page.click(button_selector)


def test_an_advisors_day(app, live_server, page):
    advisor = make_user("advisor", email="mai@programme.org", name="Mai")
    factory = make_factory("Lotus Garments")
    cycle = make_cycle(factory, days_in=30, advisor=advisor)
    committee = make_committee(factory, managers=2)
    make_response(cycle, "assessment", {"OSH-1": "no", "OSH-2": "yes"})
    db.session.commit()
    cycle_id, committee_id = cycle.id, committee.id
    db.session.remove()  # the server thread opens its own sessions

    # Log in.
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "mai@programme.org")
    page.fill("input[name=password]", PASSWORD)
    submit(page, "input[type=submit]")
    assert "Lotus Garments" in page.inner_text("#visits")
    assert "0 of 3" in page.inner_text("#visits")

    # Record an advisory visit from the dashboard.
    submit(page, "#visits a:has-text('Record a visit')")
    page.fill("#notes", "Walked the sewing floor with the HR manager.")
    submit(page, "input[type=submit][value='Save']")
    page.goto(f"{live_server}/admin/")
    assert "1 of 3" in page.inner_text("#visits")

    # Run an election: open it, nominate, election day, votes, certify.
    page.goto(f"{live_server}/admin/committee-work/{committee_id}")
    assert "The sides are not equal" in page.inner_text("#balance")
    page.fill("#election-form input[name=seats]", "2")
    submit(page, "#election-form input[type=submit]")
    for name, dept in [("Nguyen Thi Hoa", "Sewing"), ("Tran Van Nam", "Cutting"), ("Le Thi Lan", "Finishing")]:
        page.fill("#nominate-form input[name=name]", name)
        page.fill("#nominate-form input[name=department]", dept)
        page.select_option("#nominate-form select[name=gender]", "female" if "Thi" in name else "male")
        submit(page, "#nominate-form input[type=submit]")
    page.fill("#ballots-form input[name=held_on]", date.today().isoformat())
    page.fill("#ballots-form input[name=eligible_voters]", "200")
    page.fill("#ballots-form input[name=ballots_cast]", "250")
    submit(page, "#ballots-form input[type=submit]")
    assert "cannot exceed the eligible voters (200)" in page.inner_text("#ballots-form")
    page.fill("#ballots-form input[name=ballots_cast]", "180")
    submit(page, "#ballots-form input[type=submit]")
    inputs = page.locator("#votes-form input[type=number], #votes-form input[name^=votes_]")
    labels = [page.locator(f"label[for='{inputs.nth(i).get_attribute('id')}']").inner_text() for i in range(inputs.count())]
    votes = {"Nguyen Thi Hoa": "90", "Tran Van Nam": "60", "Le Thi Lan": "25"}
    for i, label in enumerate(labels):
        inputs.nth(i).fill(votes[label.strip()])
    submit(page, "#votes-form input[type=submit]")
    assert "Nguyen Thi Hoa, Tran Van Nam" in page.inner_text("#elected")
    assert "90%" in page.inner_text("#turnout")
    submit(page, "#certify-form input[type=submit]")
    assert "Certified" in page.inner_text("body")
    assert "The sides are equal." in page.inner_text("#balance")

    # Add a need from a finding on the cycle page.
    page.goto(f"{live_server}/admin/cycle/details/?id={cycle_id}")
    assert "OSH-1" in page.inner_text("#findings-table")
    submit(page, "#findings-table button:has-text('Add as need')")
    assert "Need added" in page.inner_text("body")  # on the new need's form, to set its owner and due date
    page.goto(f"{live_server}/admin/cycle/details/?id={cycle_id}")
    assert "need: open" in page.inner_text("#findings-table")

    visits = db.session.scalars(select(AdvisoryVisit)).all()
    assert len(visits) == 1 and visits[0].cycle_id == cycle_id and visits[0].advisor.email == "mai@programme.org"
    assert sorted(m.name for m in db.session.scalars(select(CommitteeMember).where(CommitteeMember.side == "worker"))) \
        == ["Nguyen Thi Hoa", "Tran Van Nam"]
    need = db.session.scalar(select(Need))
    assert need.source == "assessment" and need.title == "Worker protection: OSH-1 not in order"
