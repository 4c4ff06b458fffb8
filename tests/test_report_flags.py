"""A factory flags a factual error in its draft assessment report: the cycle's advisor is emailed and finds it on the
panel's home, answers it, and the factory reads the answer beside its flag. The report page says when the release is
and the last day to flag; the findings say what was asked and what was found."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Assessment, Notification, Question, Report, ReportFlag, utcnow
from bwadmin.services import report_docs
from jobs.worker import work_until_empty

from .clock_support import FINDINGS, MailSink, World, fast_retries, smtp  # noqa: F401
from .factories import csrf_from, login, make_user
from .pageread import Page


def drafted(answers=FINDINGS) -> tuple[World, Report]:
    world = World(answers=answers)
    db.session.scalar(select(Assessment).where(Assessment.cycle_id == world.cycle.id)).completed_at = utcnow()
    db.session.commit()
    report_docs.draft_reports([world.cycle.id])
    db.session.expire_all()
    return world, db.session.scalar(select(Report).where(Report.cycle_id == world.cycle.id, Report.kind == "assessment"))


def test_the_advisor_is_told_answers_and_the_factory_reads_the_answer(app, smtp):
    world, draft = drafted()
    f, advisor, other, admin = (app.test_client() for _ in range(4))
    login(f, world.manager)
    login(advisor, world.advisor)
    login(other, make_user("advisor", "other@example.org"))
    login(admin, make_user("admin", "admin@example.org"))

    # The page says when the release is and the last day to flag: the day before, in the factory's country.
    page = f.get(f"/factory/reports/{draft.id}").get_data(as_text=True)
    release = world.due("release")
    local = release.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"Release: {format_date(local.date(), 'medium', locale='en')}" in page
    assert f"Last day to flag an error: {format_date(local.date() - timedelta(days=1), 'medium', locale='en')}." in page
    assert "Up to 5,000 characters." in page

    sent = f.post(f"/factory/reports/{draft.id}/flags", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "comment": "The report says 1,812 workers;\r\nwe have 812."})
    html = sent.get_data(as_text=True)
    assert "programme staff will answer your flag before the release" in html
    flag = db.session.scalar(select(ReportFlag))
    assert flag.comment == "The report says 1,812 workers;\nwe have 812."
    assert [item for item in Page(html).items if "1,812 workers" in item][0].endswith(
        "Awaiting an answer from programme staff.")

    # The cycle's advisor is emailed, and the flag is a row on the advisor's home with a way to answer it.
    assert [n.email for n in db.session.scalars(select(Notification).where(
        Notification.kind == "report_flag_staff"))] == ["advisor@example.org"]
    work_until_empty()
    [email] = smtp.to("advisor@example.org")
    assert str(email["Subject"]).strip() == "Factual error flagged by Mekong Apparel"
    text = MailSink.text_of(email)
    assert "Mekong Apparel flagged a factual error in the draft assessment report of cycle 1 on" in text
    assert "we have 812." in text and f"/admin/flag-answers/{flag.id}" in text
    home = Page(advisor.get("/admin/").get_data(as_text=True))
    [row] = home.table("open-flags")
    assert row[0] == "Mekong Apparel, cycle 1" and "we have 812." in row[1] and row[4] == "Answer"
    assert row[3].startswith(format_date(release, "medium", locale="en")) and row[3].endswith("(UTC)")  # staff: UTC
    assert home.link("Answer") == f"/admin/flag-answers/{flag.id}"
    assert Page(other.get("/admin/").get_data(as_text=True)).table("open-flags") is None  # not their cycle
    assert Page(admin.get("/admin/").get_data(as_text=True)).table("open-flags") is not None  # admins see all
    assert f.get(f"/admin/flag-answers/{flag.id}").status_code == 403

    # The answer is checked on the server: needed, and not too long (what was typed stays to shorten).
    url = f"/admin/flag-answers/{flag.id}"
    form = advisor.get(url)
    assert "we have 812." in form.get_data(as_text=True)
    empty = advisor.post(url, data={"csrf_token": csrf_from(form), "answer": "  "})
    assert empty.status_code == 400 and "Write the answer the factory will read beside its flag." in empty.get_data(
        as_text=True)
    long = advisor.post(url, data={"csrf_token": csrf_from(form), "answer": "y" * 2001})
    assert long.status_code == 400
    assert 'id="answer-error">Write at most 2,000 characters here; this has 2,001.' in long.get_data(as_text=True)
    assert "y" * 2001 in long.get_data(as_text=True)
    done = advisor.post(url, data={"csrf_token": csrf_from(form), "answer": "Corrected: 812 workers."},
                        follow_redirects=True)
    assert "No flag waits for an answer." in done.get_data(as_text=True)

    # The factory is emailed once and reads the answer beside its flag.
    work_until_empty()
    [told] = smtp.to("manager@example.org")
    assert str(told["Subject"]).strip() == "Your flag on the draft report was answered"
    assert "“Corrected: 812 workers.”" in MailSink.text_of(told)
    assert len(smtp.to("rrhh@example.org")) == 1
    page = Page(f.get(f"/factory/reports/{draft.id}").get_data(as_text=True))
    [item] = [item for item in page.items if "1,812 workers" in item]
    assert re.search(r"we have 812\. Answer from programme staff, \w{3} \d{1,2}, \d{4}: Corrected: 812 workers\.$", item)
    advisor.post(url, data={"csrf_token": csrf_from(form), "answer": "Corrected: 812 workers, as the payroll shows."})
    work_until_empty()
    assert len(smtp.to("manager@example.org")) == 1  # a changed answer is shown, not emailed again
    assert "as the payroll shows" in f.get(f"/factory/reports/{draft.id}").get_data(as_text=True)


def test_the_factory_report_and_plan_say_what_was_asked_and_what_was_found(app):
    world, draft = drafted()
    question = db.session.scalar(select(Question).where(Question.code == "CMP.OT.01"))
    question.text = {"en": "Is overtime paid at the legal premium?", "es": "¿Se pagan las horas extra con el recargo legal?"}
    db.session.commit()
    f, hr = app.test_client(), app.test_client()
    login(f, world.manager)
    login(hr, world.hr)

    page = Page(f.get(f"/factory/reports/{draft.id}").get_data(as_text=True))
    found = [item for item in page.items if "Found:" in item]
    assert found == [
        "CMP.OT.01 · Compensation Is overtime paid at the legal premium? Found: No · Not in compliance: Overtime wages",
        "CMP.MW.01 · Compensation Question CMP.MW.01? Found: No · Not in compliance: Minimum wages",
    ]
    spanish = hr.get(f"/factory/reports/{draft.id}").get_data(as_text=True)
    assert "¿Se pagan las horas extra con el recargo legal?" in spanish

    # The plan lists the findings once the report is released (never from a draft the factory is reviewing).
    assert not Page(f.get("/factory/improvement-plan").get_data(as_text=True)).tables
    draft.released_at = utcnow()
    db.session.commit()
    plan = Page(f.get("/factory/improvement-plan").get_data(as_text=True))
    findings = [row[0].removeprefix("Assessment ") for row in plan.tables[0]]
    assert findings == [
        "CMP.OT.01 · Compensation Is overtime paid at the legal premium? Found: No · Not in compliance: Overtime wages",
        "CMP.MW.01 · Compensation Question CMP.MW.01? Found: No · Not in compliance: Minimum wages",
    ]


def test_a_zero_tolerance_finding_says_so_and_a_yes_can_be_what_was_found(app):
    world, draft = drafted({**FINDINGS, "CL.CHL.01": "yes"})
    f = app.test_client()
    login(f, world.manager)
    page = Page(f.get(f"/factory/reports/{draft.id}").get_data(as_text=True))
    [child] = [item for item in page.items if item.startswith("CL.CHL.01")]
    assert child == ("CL.CHL.01 · Child labour zero tolerance Question CL.CHL.01? Found: Yes · "
                     "Not in compliance: Child labourers")
