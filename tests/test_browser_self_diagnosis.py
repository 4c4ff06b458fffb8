"""A factory user fills the self-diagnosis in a real browser: skip rules, autosave, and nothing typed is lost."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Question
from bwadmin.services import questionnaires, responses

from .browser import browser, live_server, log_in, needs_chromium  # noqa: F401
from .factories import make_cycle, make_factory, make_user

pytestmark = needs_chromium


def test_autosave_keeps_what_was_typed_and_skip_rules_follow_the_answers(app, live_server, browser):
    bank = questionnaires.ensure_default_questionnaires(("self_diagnosis",))[0]
    factory = make_factory("Lotus Garments")
    cycle = make_cycle(factory)
    user = make_user("factory", factory=factory, email="hr@lotus.example")
    db.session.commit()
    questions = db.session.scalars(select(Question).where(Question.questionnaire_id == bank.id)).all()
    text_q = next(q for q in questions if q.type == "text")
    child = next(q for q in questions if q.show_if)
    parent = next(q for q in questions if q.code == child.show_if["question"])
    cycle_id, text_id, email = cycle.id, text_q.id, user.email
    text_name, child_id, parent_name = f"q{text_q.id}", f"wrap-q{child.id}", f"q{parent.id}"
    shown_when = child.show_if["equals"]
    db.session.remove()  # the server thread opens its own sessions

    page = browser.new_page()
    page.set_default_timeout(15000)
    log_in(page, live_server, email)
    page.goto(f"{live_server}/factory/cycles/{cycle_id}/self-diagnosis")

    assert page.locator(f"#{child_id}").is_hidden()  # shown only when its parent says so
    page.check(f"input[name={parent_name}][value={shown_when}]")
    expect(page.locator(f"#{child_id}")).to_be_visible()

    page.fill(f"textarea[name={text_name}]", "Ms Lan (HR manager) and Mr Minh (elected worker representative)")
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Draft saved"), timeout=15000)

    page.reload()
    assert page.input_value(f"textarea[name={text_name}]").startswith("Ms Lan (HR manager)")
    assert page.is_checked(f"input[name={parent_name}][value={shown_when}]")
    assert page.locator(f"#{child_id}").is_visible()
    saved = responses.values_of(responses.find(cycle_id, "self_diagnosis"))
    assert saved[text_id].startswith("Ms Lan")
