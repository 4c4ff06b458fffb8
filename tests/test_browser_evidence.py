"""An assessor records the evidence of a finding and a reviewer decides, in a browser at desktop and phone width:
each page fits the screen, axe finds nothing serious, a refused file is named beside its field."""
from __future__ import annotations

import pytest

from bwadmin.extensions import db
from bwadmin.services import assessments, responses

from .a11y import WIDTHS, Visit
from .browser import browser, live_server, needs_chromium  # noqa: F401
from .evidence_helpers import ELF, image
from .factories import make_cycle, make_factory, make_user
from .questionnaire_samples import full_answers, load_sample

pytestmark = needs_chromium


@pytest.mark.parametrize("width", WIDTHS)
def test_evidence_and_review_pages(app, live_server, browser, tmp_path, width):
    bank = load_sample(kind="assessment")
    cycle = make_cycle(make_factory("Evidence Garments"), days_in=110)
    response = responses.response_for(cycle, "assessment")
    question = next(q for q in bank.questions if q.code == "WT.02")
    first = make_user("advisor", "first@example.org", name="A. Tran")
    second = make_user("advisor", "second@example.org", name="B. Sok")
    make_user("admin", "reviewer@example.org", name="R. Review")
    answers = {int(name[1:]): value for name, value in full_answers(bank, **{"WT.02": "yes"}).items()}
    responses.save_draft(response, answers)
    db.session.commit()
    cycle_id, question_id = cycle.id, question.id
    db.session.remove()  # the server thread opens its own sessions

    visit = Visit(browser, live_server, width, tmp_path, "evidence")
    visit.log_in("first@example.org")
    page = visit.go(f"/admin/assessment-entry/{cycle_id}/evidence/{question_id}")
    page.fill("textarea[name=statement]", "Workers worked 70 hours in the week of 5 January.")
    page.get_by_label("Document review").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the evidence").click()
    page.set_input_files("input[name=file]", files=[{"name": "setup.jpg", "mimeType": "image/jpeg", "buffer": ELF}])
    with page.expect_navigation():
        page.get_by_role("button", name="Attach", exact=True).click()
    assert "is named as a JPEG photo, but its content is not." in page.inner_text("#file-error")
    visit.check("refused")
    page.set_input_files("input[name=file]", files=[{"name": "time-records.png", "mimeType": "image/png",
                                                     "buffer": image("PNG")}])
    with page.expect_navigation():
        page.get_by_role("button", name="Attach", exact=True).click()
    assert page.get_by_role("link", name="time-records.png").count() == 1
    assert page.input_value("textarea[name=statement]") == "Workers worked 70 hours in the week of 5 January."
    visit.check("evidence")

    # Submitted by the assessors (as the entry page does), then the reviewer's page.
    with app.app_context():
        from bwadmin.models import Cycle, User

        cycle = db.session.get(Cycle, cycle_id)
        people = {u.email: u for u in db.session.query(User)}
        assessments.record_details(cycle, responses.find(cycle_id, "assessment"), cycle.signed_up_on,
                                   people["first@example.org"], people["second@example.org"], 2, 30)
        assert assessments.submit_for_review(cycle, people["first@example.org"]).ok
        db.session.commit()
        db.session.remove()
    reviewer = Visit(browser, live_server, width, tmp_path, "review")
    reviewer.log_in("reviewer@example.org")
    page = reviewer.go(f"/admin/assessment-entry/{cycle_id}/review")
    assert page.get_by_role("button", name="Approve").count() == 1
    reviewer.check("review")
    page.fill("textarea[name=comments]", "Add the payroll of January.")
    with page.expect_navigation():
        page.get_by_role("button", name="Return to the assessors").click()
    assert "Add the payroll of January." in page.inner_text("#review-comments")
    reviewer.check("returned")
