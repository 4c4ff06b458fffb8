"""Lists and records of the panel as staff read them: the schedule's offsets in words, questionnaires and questions in
the reader's language one version at a time, an unknown record said to be unknown, times to the minute."""
import re
from datetime import date
from html import unescape

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import AuditEvent, Cycle, ScheduleOffset
from bwadmin.services import questionnaires as bank

from .adminpage import text_of
from .factories import csrf_from, login, make_cycle, make_factory, make_user, post_form
from .pageread import Page


# --- schedule offsets ------------------------------------------------------------------------------------
def test_the_schedule_lists_every_milestone_with_the_offset_in_force_in_words(app, client):
    login(client, make_user("admin"))
    rows = Page(client.get("/admin/scheduleoffset/").get_data(as_text=True)).table("offsets")
    assert [row[:3] for row in rows] == [
        ["Cycle starts, advisory period begins", "the same day as sign-up", "Default"],
        ["Advisory period ends", "100 days after sign-up", "Default"],
        ["Assessment due", "100 days after sign-up", "Default"],
        ["Assessment report released", "1 month after the assessment (done, else due)", "Default"],
        ["Reminder: factory progress report in 14 days", "14 days before Factory progress report", "Default"],
        ["Reminder: improvement plan due in 7 days", "7 days before the improvement plan's due date", "Default"],
        ["Reminder: factory progress report in 3 days", "3 days before Factory progress report", "Default"],
        ["Improvement plan due", "30 days after the release of the assessment report", "Default"],
        ["Factory progress report released", "30 days after the release of the assessment report", "Default"],
        ["Programme progress report released", "6 months after Factory progress report", "Default"],
        ["Performance measured against differentiation criteria", "16 months after sign-up", "Default"],
    ]
    assert all(row[3].startswith("Change") for row in rows)


def test_changing_an_offset_from_the_list_and_going_back_to_the_default(app, client):
    cycle = make_cycle(signed_up_on=date(2026, 1, 1))
    login(client, make_user("admin"))
    html = client.get("/admin/scheduleoffset/").get_data(as_text=True)
    change = unescape(re.search(r'<tr id="offset-advisory_end">.*?href="([^"]+)"', html, re.S).group(1))
    form = client.get(change).get_data(as_text=True)
    assert re.search(r'<option selected value="advisory_end">', form)  # the milestone, with its default filled in
    assert 'name="days" type="number" value="100"' in form or re.search(r'name="days"[^>]*value="100"', form)
    saved = post_form(client, change, {"kind": "advisory_end", "base": "signup", "months": "3", "days": "0"})
    assert saved.status_code == 302
    listing = client.get("/admin/scheduleoffset/").get_data(as_text=True)
    assert text_of(listing, "offset-advisory_end") .startswith(
        "Advisory period ends 3 months after sign-up Changed by staff (default: 100 days after sign-up) Change "
        "Back to the default")
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).milestone("advisory_end").due_at.date() == date(2026, 4, 1)
    # A second change of the same milestone goes through its row, not a second override.
    twice = post_form(client, "/admin/scheduleoffset/new/", {"kind": "advisory_end", "base": "signup", "months": "2",
                                                             "days": "0"})
    message = "This milestone's offset is changed already: change it from the list."
    assert message in unescape(twice.get_data(as_text=True))

    reset = client.post("/admin/scheduleoffset/reset/advisory_end", data={"csrf_token": csrf_from(listing)},
                        follow_redirects=True)
    html = unescape(reset.get_data(as_text=True))
    assert "“Advisory period ends” is back to its default: 100 days after sign-up." in html
    assert text_of(html, "offset-advisory_end").startswith("Advisory period ends 100 days after sign-up Default")
    assert db.session.scalar(select(ScheduleOffset)) is None
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).milestone("advisory_end").due_at.date() == date(2026, 4, 11)


# --- questionnaires and questions --------------------------------------------------------------------------
def test_questionnaires_and_their_questions_read_in_the_staff_members_language(app, client):
    bank.ensure_default_questionnaires()
    login(client, make_user("admin", language="es"))
    html = client.get("/admin/questionnaire/").get_data(as_text=True)
    rows = Page(html).tables[-1]
    assert {row[4] for row in rows} == {"Evaluación de cumplimiento", "Autodiagnóstico de la fábrica",
                                        "Revisión de la eficacia del comité bipartito (PICC)"}
    assert "Compliance assessment" not in unescape(html)  # not the raw titles of every language
    assessment = bank.latest_published("assessment")
    count = len(assessment.questions)
    # The count links to this version's questions ("179 questions": a new text, English until the catalogs have it).
    link = next(href for text, href in Page(html).links if text.startswith(f"{count} "))
    listing = client.get(unescape(link)).get_data(as_text=True)
    rows = [row for row in Page(listing).tables[-1] if len(row) > 3]
    assert len(rows) == 20 and all(row[2].startswith("Evaluación de cumplimiento, ") for row in rows)
    first = assessment.questions[0]
    # The question itself, in Spanish, its thresholds read ("{minimum_age}" is 15 in the global template).
    assert rows[0][3:5] == [first.code, first.text_in("es")] and "{" not in rows[0][4]
    assert f"({count})" in listing  # the list holds this version's questions, and only them


def test_the_questions_list_filters_to_one_questionnaire(app, client):
    made = bank.ensure_default_questionnaires()
    login(client, make_user("admin"))
    review = next(q for q in made if q.kind == "committee_review")
    html = client.get("/admin/questionnaire/").get_data(as_text=True)
    link = next(href for text, href in Page(html).links if text == f"{len(review.questions)} questions")
    listing = unescape(client.get(unescape(link)).get_data(as_text=True))
    assert f"List ({len(review.questions)})" in " ".join(listing.split())
    rows = [row for row in Page(listing).tables[-1] if len(row) > 3]
    assert {row[2] for row in rows} == {"Worker-management committee (PICC) effectiveness review, version 1"}
    assert rows[0][4] == review.questions[0].text["en"]


# --- unknown records and times ---------------------------------------------------------------------------
def test_an_unknown_record_is_said_to_be_unknown(app, client):
    committee_factory = make_factory()
    login(client, make_user("admin"))
    for url in ["/admin/cycle/details/?id=999999", "/admin/cycle/edit/?id=999999", "/admin/need/edit/?id=abc",
                "/admin/factory/details/?id=999999", "/admin/advisoryvisit/details/", "/admin/user/edit/?id=",
                "/admin/committee-work/999999", "/admin/committee-work/election/999999",
                "/admin/assessment-entry/999999", "/admin/committee-review/999999", "/admin/flag-answers/999999",
                "/admin/seminar-work/999999"]:
        response = client.get(url)
        assert response.status_code == 302, url
        html = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
        assert "No such record" in html, url
        assert "Record does not exist" not in html
    html = unescape(client.get("/admin/cycle/details/?id=999999", follow_redirects=True).get_data(as_text=True))
    assert "No such record: nothing here has the id “999999”. It may have been deleted." in html
    listing = client.get("/admin/factory/").get_data(as_text=True)
    gone = client.post("/admin/factory/delete/", data={"csrf_token": csrf_from(listing), "id": "999999",
                                                       "url": "/admin/factory/"}, follow_redirects=True)
    assert "No such record" in unescape(gone.get_data(as_text=True))
    assert db.session.get(type(committee_factory), committee_factory.id) is not None


def test_times_are_shown_to_the_minute(app, client):
    login(client, make_user("admin"))
    post_form(client, "/admin/factory/new/", {"name": "Minute Garments", "country": "Cambodia"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "factory"))
    assert "." in event.after["created_at"]  # stored with microseconds
    for url in ["/admin/factory/", f"/admin/auditevent/details/?id={event.id}", "/admin/auditevent/"]:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"\d\d:\d\d:\d\d", html), url
    details = unescape(client.get(f"/admin/auditevent/details/?id={event.id}").get_data(as_text=True))
    assert re.search(r"Created</strong>: \w{3} \d{1,2}, \d{4} \d{1,2}:\d\d\s[AP]M \(UTC\)", details)
