"""The progress reports, the differentiation results and the improvement plan as reports: each written from its
template for the portal and the PDF, with what the system holds and what people wrote."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import (AdvisoryVisit, Answer, Assessment, Committee, CommitteeMeeting, CommitteeMember,
                            Election, Question, Questionnaire, Report, Response, TrainingSession,
                            TransparencyIssue, utcnow)
from bwadmin.services import differentiation, improvement, progress_reports, report_docs, report_pdf, transparency
from tests.clock_support import fast_retries, smtp, tick  # noqa: F401 - fast_retries, smtp: fixtures
from tests.factories import csrf_from, login, make_buyer, make_cycle, make_factory, make_sourcing, make_user

# One finding in each area: wages (labour standards and law), the safety management system (problem-solving
# systems), union interference (social dialogue); and one compliant check.
QUESTIONS = [  # code, cluster, compliance point, non-compliant answer, answer given
    ("CMP.OT.01", "compensation", "overtime_wages", "no", "no"),
    ("OSH.MS.01", "osh", "osh_management_systems", "no", "no"),
    ("FOA.UO.01", "freedom_of_association", "union_operations", "yes", "yes"),
    ("CMP.MW.01", "compensation", "minimum_wages", "no", "yes"),
]
TEXT = {"CMP.OT.01": "Is overtime paid at the legal premium?",
        "OSH.MS.01": "Does the factory have a safety management system?",
        "FOA.UO.01": "Does management interfere with the union?",
        "CMP.MW.01": "Is the minimum wage paid?"}
POINT_LABELS = {"overtime_wages": "Overtime wages", "osh_management_systems": "OSH management systems",
                "union_operations": "Union operations", "minimum_wages": "Minimum wages"}
ASSESSED_ON = date(2026, 4, 15)


def assessed_factory(name: str = "Riverside Knits"):
    """A factory in Cambodia with a cycle assessed on ASSESSED_ON (three findings), its report released, its plan's
    actions made; the country publishes two issues."""
    factory = make_factory(name, country="Cambodia")
    make_user("factory", factory=factory)
    cycle = make_cycle(factory, signed_up_on=date(2026, 1, 5))
    questionnaire = Questionnaire(kind="assessment", version=1, title={"en": "Compliance assessment"}, languages=["en"],
                                  structure={"compliance_points": {
                                      point: {"cluster": cluster, "en": POINT_LABELS[point]}
                                      for _code, cluster, point, _bad, _given in QUESTIONS}},
                                  published_at=utcnow())
    for position, (code, cluster, point, bad, _given) in enumerate(QUESTIONS, start=1):
        questionnaire.questions.append(Question(position=position, code=code, cluster=cluster, compliance_point=point,
                                                type="yes_no", text={"en": TEXT[code]}, noncompliant_answer=bad))
    db.session.add(questionnaire)
    db.session.flush()
    response = Response(cycle=cycle, questionnaire=questionnaire, kind="assessment", status="submitted",
                        submitted_at=utcnow())
    response.answers = [Answer(question=q, value=QUESTIONS[i][4]) for i, q in enumerate(questionnaire.questions)]
    db.session.add(response)
    db.session.add(Assessment(cycle=cycle, assessed_on=ASSESSED_ON, assessors="A. Tran", response=response,
                              completed_at=utcnow()))
    db.session.add_all([
        TransparencyIssue(country="Cambodia", kind="compliance_point", code="overtime_wages", label="Overtime wages",
                          position=1),
        TransparencyIssue(country="Cambodia", kind="compliance_point", code="minimum_wages", label="Minimum wages",
                          position=2)])
    db.session.commit()
    transparency.forget()
    report_docs.release_scored_many([cycle], "assessment", utcnow())
    db.session.commit()
    return factory, cycle


def record_the_cycle(cycle, factory):
    """The plan's actions in each state, the committee with its meetings and an election, training, visits."""
    actions = {a.finding.split(":")[0]: a for a in improvement.actions(cycle)}
    wages, safety, union = actions["CMP.OT.01"], actions["OSH.MS.01"], actions["FOA.UO.01"]
    wages.action, wages.owner, wages.due_on = "Pay the premium from May", "HR manager", date(2026, 6, 1)
    wages.status, wages.verified_at = "verified", datetime(2026, 7, 1, 9)
    safety.action, safety.status = "Write the safety procedure", "in_progress"
    union.recurring = True
    committee = Committee(factory=factory)
    committee.members = [CommitteeMember(name="Sokha Chan", side="worker", position="Sewing line 3"),
                         CommitteeMember(name="Dara Lim", side="management", position="HR manager")]
    committee.meetings = [CommitteeMeeting(held_on=date(2026, 3, 2), attendance=5),
                          CommitteeMeeting(held_on=date(2026, 5, 20), attendance=6),
                          CommitteeMeeting(held_on=date(2026, 8, 11), attendance=7)]
    db.session.add(committee)
    db.session.flush()
    db.session.add_all([
        Election(committee_id=committee.id, cycle_id=cycle.id, held_on=date(2026, 6, 9), seats=2, status="held"),
        TrainingSession(cycle=cycle, topic="Workplace cooperation", held_on=date(2026, 5, 6), days=Decimal("1.5"),
                        participants=14),
        AdvisoryVisit(cycle=cycle, visited_on=date(2026, 2, 10), focus="committee"),
        AdvisoryVisit(cycle=cycle, visited_on=date(2026, 6, 3), focus="follow_up"),
    ])
    db.session.commit()


@pytest.fixture
def reports_dir(app, tmp_path):
    """PDFs on, written under a folder of the test's own."""
    from bwadmin.config import settings

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext missing: install poppler-utils")
    app.config["BWADMIN_REPORT_PDF"] = True
    app.config["BWADMIN_REPORTS_DIR"] = str(tmp_path)
    assert settings().report_pdf
    return Path(settings().reports_dir)


def pdf_text(report: Report) -> str:
    path = report_pdf.write_pdf(report, report.data, report.data.get("language", "en"))
    from bwadmin.config import settings

    return subprocess.run(["pdftotext", str(settings().reports_dir / path), "-"], capture_output=True,
                          text=True, check=True).stdout


def submit_progress(client, **text):
    page = client.get("/factory/progress-report")
    keys = [key for key, _title in improvement.PROGRESS_SECTIONS]
    return client.post("/factory/progress-report", data={
        "csrf_token": csrf_from(page), "action": "submit", **{k: f"Our {k} text" for k in keys} | text})


# --- the factory progress report --------------------------------------------------------------------------------
PR1_HEADINGS = ("Overview", "Improvement plan", "Social dialogue", "Management systems",
                "Continuous learning and training", "Committee members and meetings", "Advisory visit log",
                "Publicly reported issues", "Feedback to the programme")


def test_the_factory_progress_report_holds_the_template_sections_filled_from_the_data_and_the_factory(app, client):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    login(client, make_user("factory", factory=factory))
    answer = submit_progress(client, feedback="The advisor's visits helped us most.")
    assert answer.status_code == 302
    report = improvement.progress_report(cycle)
    data = report.data
    # Language-free: keys, ISO dates, the factory's text as written.
    assert {a["status"] for a in data["actions"]} == {"verified", "in_progress", "planned"}
    assert [m["held_on"] for m in data["committee"]["meetings"]] == ["2026-03-02", "2026-05-20", "2026-08-11"]
    assert {(i["code"], i["state"]) for i in data["public_issues"]} == {("overtime_wages", "noncompliant"),
                                                                       ("minimum_wages", "compliant")}
    assert data["sections"]["feedback"]["text"] == "The advisor's visits helped us most."
    html = report_docs.render("factory_progress", data)
    positions = [html.index(f">{heading}</h2>") for heading in PR1_HEADINGS]
    assert positions == sorted(positions)  # the template's order
    for shown in ("Pay the premium from May", "Verified", "In progress", "Planned", "Sokha Chan", "<td>worker</td>",
                  "Mar 2, 2026", "Aug 11, 2026", "Workplace cooperation", "follow up", "Overtime wages",
                  "non-compliant", "Our overview text", "The advisor&#39;s visits helped us most."):
        assert shown in html, shown


def test_the_factory_progress_report_is_taken_again_at_its_release_and_shown_to_a_buyer(app, client):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    buyer = make_buyer()
    make_sourcing(buyer, factory)
    login(client, make_user("factory", factory=factory))
    submit_progress(client)
    report = improvement.progress_report(cycle)
    db.session.add(CommitteeMeeting(committee_id=db.session.scalar(select(Committee.id)), held_on=date(2026, 9, 30)))
    progress_reports.snapshot_factory_progress(report, utcnow())
    report.released_at = report.release_at = utcnow()
    db.session.commit()
    reader = app.test_client()
    login(reader, make_user("buyer", buyer=buyer))
    page = reader.get(f"/buyer/reports/{report.id}").get_data(as_text=True)
    assert "Committee members and meetings" in page and "Sep 30, 2026" in page
    assert "Our social_dialogue text" in page


def test_a_factory_may_leave_its_feedback_empty_but_not_its_overview(app, client):
    factory, cycle = assessed_factory()
    login(client, make_user("factory", factory=factory))
    refused = submit_progress(client, overview="", feedback="")
    assert refused.status_code == 400
    assert refused.get_data(as_text=True).count("Write this section before submitting.") == 1
    assert submit_progress(client, feedback="").status_code == 302


def test_a_feedback_too_long_is_refused_beside_its_field(app, client):
    factory, cycle = assessed_factory()
    login(client, make_user("factory", factory=factory))
    long = "x" * (improvement.SECTION_MAX + 1)
    answer = submit_progress(client, feedback=long)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="feedback-error"' in page and "Write at most 10,000 characters here" in page
    assert long in page  # what was typed stays in the field
    assert improvement.progress_report(cycle).submitted_at is None


# --- the programme progress report ------------------------------------------------------------------------------
def test_the_programme_progress_report_lists_verified_open_and_recurring_findings_per_area(app):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    report = progress_reports.draft_programme_progress(cycle, utcnow())
    db.session.commit()
    areas = report.data["areas"]
    assert [f["code"] for f in areas["labour_standards"]["verified"]] == ["CMP.OT.01"]
    assert [f["code"] for f in areas["problem_solving"]["open"]] == ["OSH.MS.01"]
    assert [f["code"] for f in areas["social_dialogue"]["recurring"]] == ["FOA.UO.01"]
    assert [m["held_on"] for m in report.data["committee"]["meetings_since"]] == ["2026-05-20", "2026-08-11"]
    assert report.data["committee"]["elections"][0]["held_on"] == "2026-06-09"
    assert report.released_at is None  # a draft
    html = report.body_html
    labour = html.index('id="labour-standards"')
    solving = html.index('id="problem-solving"')
    dialogue = html.index('id="social-dialogue"')
    assert labour < html.index("CMP.OT.01") < solving < html.index("OSH.MS.01") < dialogue < html.index("FOA.UO.01")
    assert "verified Jul 1, 2026" in html
    for heading in ("Fixed and verified since the assessment", "Still open", "Recurring", "Committee activity",
                    "Training given"):
        assert heading in html
    assert "2 meetings held since the assessment (Apr 15, 2026)." in html
    assert "1 session, 1.5 of 5 training days used." in html
    # A cluster by its name, also where the bank gave its clusters none.
    assert "Compensation: 1 of 2 checks non-compliant (50%)" in html and "compensation:" not in html


def staff_page(client, cycle):
    return client.get(f"/admin/programme-progress/{cycle.id}")


def test_staff_edit_the_draft_and_the_release_publishes_it(app, client):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    login(client, make_user("admin"))
    cycle.milestone("programme_progress_report").due_at = utcnow() + timedelta(days=10)
    db.session.commit()
    listed = client.get("/admin/programme-progress/").get_data(as_text=True)
    assert f"/admin/programme-progress/{cycle.id}" in listed and "Not drafted yet" in listed
    page = staff_page(client, cycle)
    client.post(f"/admin/programme-progress/{cycle.id}", data={"csrf_token": csrf_from(page), "step": "draft"})
    page = staff_page(client, cycle)
    assert 'id="preview"' in page.get_data(as_text=True)
    saved = client.post(f"/admin/programme-progress/{cycle.id}", data={
        "csrf_token": csrf_from(page), "step": "save", "summary": "A year of steady work on wages.",
        "note-labour_standards": "Overtime is now paid right.", "note-problem_solving": "",
        "note-social_dialogue": "The union finding came back."})
    assert saved.status_code == 302
    assert "A year of steady work on wages." in staff_page(client, cycle).get_data(as_text=True)
    report = progress_reports.release_programme_progress(cycle, utcnow())
    db.session.commit()
    assert report.released_at is not None
    assert report.data["staff"]["notes"]["labour_standards"] == "Overtime is now paid right."
    for text in ("A year of steady work on wages.", "Overtime is now paid right.", "The union finding came back.",
                 "CMP.OT.01"):
        assert text in report.body_html
    # Released: no more edits.
    again = client.post(f"/admin/programme-progress/{cycle.id}", data={
        "csrf_token": csrf_from(page), "step": "save", "summary": "Changed after the release"})
    assert again.status_code == 400
    db.session.expire_all()
    assert "Changed after the release" not in db.session.get(Report, report.id).body_html


def test_a_staff_note_too_long_gets_a_message_beside_it_and_keeps_the_text(app, client):
    factory, cycle = assessed_factory()
    login(client, make_user("admin"))
    page = staff_page(client, cycle)
    client.post(f"/admin/programme-progress/{cycle.id}", data={"csrf_token": csrf_from(page), "step": "draft"})
    page = staff_page(client, cycle)
    long = "y" * (progress_reports.STAFF_TEXT_MAX + 1)
    answer = client.post(f"/admin/programme-progress/{cycle.id}", data={
        "csrf_token": csrf_from(page), "step": "save", "summary": "Fine summary", "note-social_dialogue": long})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert 'id="note-social_dialogue-error"' in html and "Write at most 4,000 characters here" in html
    assert long in html
    report = progress_reports.programme_report(cycle)
    assert report.data["staff"]["summary"] == "Fine summary"  # the field that fitted is kept
    assert report.data["staff"]["notes"]["social_dialogue"] == ""


def test_only_staff_edit_the_programme_progress_draft(app, client):
    factory, cycle = assessed_factory()
    progress_reports.draft_programme_progress(cycle, utcnow())
    db.session.commit()
    login(client, make_user("factory", factory=factory))
    assert client.get(f"/admin/programme-progress/{cycle.id}").status_code == 403
    answer = client.post(f"/admin/programme-progress/{cycle.id}", data={"step": "save", "summary": "Ours"})
    assert answer.status_code in (400, 403)
    assert progress_reports.programme_report(cycle).data["staff"]["summary"] == ""


# --- differentiation ---------------------------------------------------------------------------------------------
def test_the_differentiation_results_give_each_criterion_and_what_the_status_means(app):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    now = datetime(2027, 5, 1)
    measured = differentiation.measure(cycle, now)
    report = progress_reports.publish_differentiation(cycle, measured, now)
    db.session.commit()
    html = report.body_html
    rows = {c["kind"]: c for c in report.data["criteria"]}
    assert rows["min_committee_meetings"]["value"] == 3.0 and rows["min_committee_meetings"]["passed"] is False
    assert "At least 4 committee meetings held during the cycle" in html
    assert 'class="num">3</td><td class="num">at least 4</td><td><b>not met</b>' in html
    assert "At least 80% of the improvement plan&#39;s actions verified" in html
    assert 'class="num">33%</td><td class="num">at least 80%</td>' in html
    assert "Not a high performer" in html
    assert "starts with the standard service package" in html and "cycle 2" in html


# --- every kind, as HTML and as PDF --------------------------------------------------------------------------------
def test_each_kind_prints_to_a_pdf_with_its_sections_and_the_factory(app, client, reports_dir):
    factory, cycle = assessed_factory("Mekong Stitch")
    record_the_cycle(cycle, factory)
    login(client, make_user("factory", factory=factory))
    submit_progress(client)
    progress = improvement.progress_report(cycle)
    programme = progress_reports.draft_programme_progress(cycle, utcnow())
    plan = improvement.plan_report(cycle) or report_docs.get_or_create(cycle, "improvement_plan")
    plan.data = report_docs.report_header(cycle, utcnow()) | {"actions": [
        {"finding": a.finding, "action": a.action, "owner": a.owner, "due_on": None, "status": a.status}
        for a in improvement.actions(cycle)]}
    plan.submitted_at = utcnow()
    progress_reports.publish_plan(plan, utcnow())
    difference = progress_reports.publish_differentiation(cycle, differentiation.measure(cycle, utcnow()), utcnow())
    db.session.commit()
    expected = {
        progress: PR1_HEADINGS,
        programme: ("Labour standards and law", "Problem-solving systems", "Social dialogue", "Committee activity",
                    "Training given"),
        plan: ("Actions", "CMP.OT.01", "Verified", "In progress"),
        difference: ("Status", "Criteria", "What this means for the next cycle"),
    }
    for report, headings in expected.items():
        assert report.kind in report_docs.PDF_KINDS
        text = " ".join(pdf_text(report).split())
        assert "Mekong Stitch" in text, report.kind
        for heading in headings:
            assert heading in text, (report.kind, heading, text)


def test_the_clock_releases_the_draft_as_staff_left_it(app):
    from bwadmin.services import milestones

    factory, cycle = assessed_factory()
    report = progress_reports.draft_programme_progress(cycle, utcnow())
    errors = progress_reports.save_staff_text(make_user("admin"), report, {"summary": "Written by the programme officer"})
    assert errors == {}
    db.session.commit()
    drafted_at = report.data["generated_at"]
    milestone = cycle.milestone("programme_progress_report")
    milestones.run([milestone.id], milestone.due_at)
    db.session.expire_all()
    released = progress_reports.programme_report(cycle)
    assert released.released_at is not None
    assert released.data["generated_at"] == drafted_at  # the draft itself, not one written anew
    assert "Written by the programme officer" in released.body_html


def test_each_kind_is_written_in_the_readers_language(app):
    from flask_babel import force_locale

    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    progress = report_docs.get_or_create(cycle, "factory_progress")
    progress.data = {"sections": {"overview": {"title": "Overview", "text": "Texto de la fábrica"}}}
    progress_reports.snapshot_factory_progress(progress, utcnow())
    programme = progress_reports.draft_programme_progress(cycle, utcnow())
    difference = progress_reports.publish_differentiation(cycle, differentiation.measure(cycle, utcnow()), utcnow())
    db.session.commit()
    with force_locale("es"):
        assert "Diálogo social" in report_docs.render("factory_progress", progress.data)
        assert "Texto de la fábrica" in report_docs.render("factory_progress", progress.data)
        assert "Diálogo social" in report_docs.render("programme_progress", programme.data)
        assert "Al menos 4 reuniones del comité celebradas durante el ciclo" in report_docs.render(
            "differentiation", difference.data)
    with force_locale("km"):
        assert "បានផ្ទៀងផ្ទាត់" in report_docs.render("factory_progress", progress.data)  # "Verified"


def test_a_text_changed_after_the_submission_is_what_the_report_shows(app, client):
    factory, cycle = assessed_factory()
    login(client, make_user("factory", factory=factory))
    submit_progress(client)
    page = client.get("/factory/progress-report")
    keys = [key for key, _title in improvement.PROGRESS_SECTIONS]
    client.post("/factory/progress-report", data={"csrf_token": csrf_from(page), "action": "draft",
                                                  **{k: f"Our {k} text" for k in keys}, "overview": "Revised overview"})
    report = improvement.progress_report(cycle)
    assert "Revised overview" in report.body_html and "Our overview text" not in report.body_html
    assert report.data["sections"]["overview"]["text"] == "Revised overview"


def test_the_clock_drafts_the_programme_progress_report_a_month_before_it_is_due_and_writes_it_again_at_release(
        app, client, smtp):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    due = cycle.milestone("programme_progress_report").due_at
    tick(due - timedelta(days=40))
    assert progress_reports.programme_report(cycle) is None  # not due within the month yet

    tick(due - timedelta(days=20))
    draft = progress_reports.programme_report(cycle)
    assert draft is not None and draft.released_at is None
    assert [f["code"] for f in draft.data["areas"]["problem_solving"]["open"]] == ["OSH.MS.01"]
    assert tick(due - timedelta(days=19)).draft_jobs == []  # drafted once

    # Staff find the draft waiting, and are told the release writes it again until they save it.
    login(client, make_user("admin"))
    listed = client.get("/admin/programme-progress/").get_data(as_text=True)
    assert "Drafted from the data, not yet saved" in listed and "Not drafted yet" not in listed
    page = staff_page(client, cycle).get_data(as_text=True)
    assert 'id="clock-draft"' in page and 'id="preview"' in page and "OSH.MS.01" in page

    # What happens after the clock's draft is in the released report: the safety procedure is verified.
    safety = next(a for a in improvement.actions(cycle) if a.finding.startswith("OSH.MS.01"))
    safety.status, safety.verified_at = "verified", due - timedelta(days=5)
    db.session.commit()
    tick(due + timedelta(minutes=1))
    released = progress_reports.programme_report(cycle)
    assert released.released_at is not None
    assert [f["code"] for f in released.data["areas"]["problem_solving"]["verified"]] == ["OSH.MS.01"]
    assert released.data["areas"]["problem_solving"]["open"] == []
    assert "drafted_by" not in released.data


def test_a_clock_draft_staff_saved_stays_as_they_left_it_and_is_released_so(app, client, smtp):
    factory, cycle = assessed_factory()
    record_the_cycle(cycle, factory)
    due = cycle.milestone("programme_progress_report").due_at
    tick(due - timedelta(days=25))
    login(client, make_user("admin"))
    page = staff_page(client, cycle)
    saved = client.post(f"/admin/programme-progress/{cycle.id}", data={
        "csrf_token": csrf_from(page), "step": "save", "summary": "Read and completed by the programme officer."})
    assert saved.status_code == 302
    after_save = staff_page(client, cycle).get_data(as_text=True)
    assert 'id="clock-draft"' not in after_save
    assert "Drafted from the data, not yet saved" not in client.get("/admin/programme-progress/").get_data(as_text=True)
    db.session.expire_all()
    kept = progress_reports.programme_report(cycle).data["generated_at"]

    tick(due - timedelta(days=10))  # the sweep leaves a draft staff saved alone
    assert progress_reports.programme_report(cycle).data["generated_at"] == kept
    tick(due + timedelta(minutes=1))
    released = progress_reports.programme_report(cycle)
    assert released.released_at is not None and released.data["generated_at"] == kept
    assert "Read and completed by the programme officer." in released.body_html
