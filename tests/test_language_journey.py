"""A factory user in each language goes through the cycle's pages and emails without an English interface word."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import LANGUAGES, Notification, Report
from bwadmin.services import notify, questionnaires

from .clock_support import FINDINGS, World, fast_retries, smtp, tick  # noqa: F401
from .factories import login, make_user

TRANSLATED = [language for language in LANGUAGES if language != "en"]
# The interface words a person meets most; none may show through in another language.
ENGLISH = ("Save", "Submit", "Log out", "Report", "report", "Released", "released", "Draft", "Improvement plan",
           "Progress report", "Self-diagnosis", "self-diagnosis", "Cycle", "buyers", "Language", "Due", "Action",
           "Owner", "Finding", "Hello", "Open bwadmin", "Yes", "Not applicable", "Send", "Download")
SCRIPTS = {"km": "[\u1780-\u17FF]", "bn": "[\u0980-\u09FF]", "ar": "[\u0600-\u06FF]", "vi": "[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ]",
           "es": "[áéíóúñ¿]", "id": r"\b(dan|yang|untuk|Simpan|Kirim|Anda)\b"}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_factory_user_meets_no_english_word_through_the_cycle(app, client, smtp, language):
    questionnaires.ensure_default_questionnaires(("self_diagnosis",))
    world = World(answers=FINDINGS)
    person = make_user("factory", f"{language}@mekong.example", factory=world.factory, name="Trần Thị Lan",
                       language=language)
    db.session.commit()
    release = world.due("release")
    with time_machine.travel(release + timedelta(hours=1), tick=False):
        tick(release + timedelta(hours=1))
        login(client, person)
        report_id = db.session.scalar(select(Report.id).where(Report.cycle_id == world.cycle.id,
                                                              Report.kind == "assessment"))
        pages = {"home": "/factory/", "self-diagnosis": f"/factory/cycles/{world.cycle.id}/self-diagnosis",
                 "plan": "/factory/improvement-plan", "progress": "/factory/progress-report",
                 "report": f"/factory/reports/{report_id}"}
        for name, path in pages.items():
            answer = client.get(path)
            assert answer.status_code == 200, (name, answer.status_code)
            html = answer.get_data(as_text=True)
            text = visible_text(html)
            assert english_in(text) == [], (name, english_in(text))
            assert re.search(SCRIPTS[language], text), name
            assert f'lang="{language}"' in html and ('dir="rtl"' in html) == (language == "ar"), name

    notice = db.session.scalar(select(Notification).where(Notification.email == person.email,
                                                          Notification.kind == "release_factory"))
    text, html = notify.body_of(notice)
    assert english_in(notice.subject + " " + text) == [], english_in(notice.subject + " " + text)
    assert re.search(SCRIPTS[language], notice.subject) and re.search(SCRIPTS[language], text)
    assert ('dir="rtl"' in html) == (language == "ar")
