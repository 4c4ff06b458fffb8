"""A factory user in Khmer and in Arabic fills the self-diagnosis on a phone: the page reads in their script and
direction, a draft saves, and nothing is wider than the screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Question
from bwadmin.services import questionnaires, responses

from .browser import browser, live_server, log_in, needs_chromium  # noqa: F401
from .factories import make_cycle, make_factory, make_user

pytestmark = needs_chromium
SCRIPTS = {"km": "[\u1780-\u17FF]", "ar": "[\u0600-\u06FF]"}


@pytest.mark.parametrize("language", ["km", "ar"])
def test_the_self_diagnosis_saves_a_draft_in_the_users_script_at_390_px(app, live_server, browser, language,
                                                                          tmp_path):
    bank = questionnaires.ensure_default_questionnaires(("self_diagnosis",))[0]
    factory = make_factory("Angkor Knits", country="Cambodia" if language == "km" else "Jordan")
    cycle = make_cycle(factory)
    user = make_user("factory", factory=factory, email=f"hr-{language}@angkor.example", language=language)
    db.session.commit()
    text_q = next(q for q in db.session.scalars(select(Question).where(Question.questionnaire_id == bank.id))
                  if q.type == "text")
    cycle_id, text_id, email, question_text = cycle.id, text_q.id, user.email, text_q.text[language]
    db.session.remove()  # the server thread opens its own sessions

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15000)
    log_in(page, live_server, email)
    page.goto(f"{live_server}/factory/cycles/{cycle_id}/self-diagnosis")

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    expect(page.get_by_text(question_text)).to_be_visible()
    buttons = " ".join(page.locator("button").all_inner_texts())
    assert re.search(SCRIPTS[language], buttons), buttons  # the buttons speak the language too
    assert not re.search(r"\b(Save|Submit|Log out|draft)\b", buttons), buttons

    page.fill(f"textarea[name=q{text_id}]", "HR 2 · PICC 3")
    saved = page.locator('#autosave-status[data-state="saved"]')
    expect(saved).to_have_text(re.compile(SCRIPTS[language]), timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / f"self-diagnosis-{language}.png"), full_page=False)
    assert responses.values_of(responses.find(cycle_id, "self_diagnosis"))[text_id] == "HR 2 · PICC 3"
