"""Needs from findings in one click, progress per area; training days never spent beyond the allotment."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bwadmin.extensions import db
from bwadmin.models import Need, TrainingSession
from bwadmin.services import needs, training
from bwadmin.services.errors import FieldError

from .advisory_helpers import make_response, question
from .factories import csrf_from, login, make_cycle, make_user, post_form


# --- needs --------------------------------------------------------------------------------------------
def test_findings_are_the_noncompliant_yes_no_answers_of_assessment_and_self_diagnosis(app):
    cycle = make_cycle()
    make_response(cycle, "assessment", {"CL-1": "no", "CL-2": "yes", "OSH-1": "no"})
    make_response(cycle, "self_diagnosis", {"SD-1": "no", "SD-2_yes_bad": "yes", "SD-3": "yes"}, version=900)
    found = [(f["source"], f["question"].code) for f in needs.findings(cycle)]
    assert found == [("assessment", "CL-1"), ("assessment", "OSH-1"),
                     ("self_diagnosis", "SD-1"), ("self_diagnosis", "SD-2_yes_bad")]


def test_need_from_finding_in_one_click_and_only_once(app):
    cycle = make_cycle()
    make_response(cycle, "assessment", {"CL-1": "no", "CL-2": "yes"})
    need = needs.need_from_finding(cycle, question("CL-1"), "assessment")
    assert need.source == "assessment" and need.area == "labour_compliance" and need.status == "open"
    assert need.title == "Documentation: CL-1 not in order" and need.target == "Comply with Documentation (Child labour)."
    assert needs.need_from_finding(cycle, question("CL-1"), "assessment").id == need.id
    assert db.session.scalar(select(func.count()).select_from(Need)) == 1
    assert needs.findings(cycle)[0]["need"].id == need.id
    with pytest.raises(FieldError, match="CL-2 is not a finding"):
        needs.need_from_finding(cycle, question("CL-2"), "assessment")
    with pytest.raises(FieldError, match="assessment or the self-diagnosis"):
        needs.need_from_finding(cycle, question("CL-1"), "committee")


def test_progress_per_area_counts_done_of_total_without_dropped(app):
    cycle = make_cycle()
    for area, status, early in [("labour_compliance", "done", True), ("labour_compliance", "open", False),
                                ("labour_compliance", "dropped", False), ("training", "in_progress", True)]:
        needs.add_need(cycle, area=area, title=f"{area} {status}", status=status, early_improvement=early)
    progress = needs.progress(cycle)
    assert (progress["labour_compliance"]["done"], progress["labour_compliance"]["total"]) == (1, 2)
    assert progress["labour_compliance"]["early"] == 1
    assert (progress["training"]["done"], progress["training"]["total"]) == (0, 1)
    assert progress["management_systems"]["total"] == 0


def test_button_per_finding_on_the_cycle_page_adds_the_need(app, client):
    cycle = make_cycle()
    make_response(cycle, "assessment", {"CL-1": "no", "OSH-1": "no"})
    login(client, make_user("advisor"))
    url = f"/admin/cycle/details/?id={cycle.id}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert html.count("Add as need") == 2
    osh = question("OSH-1")
    response = client.post(f"/admin/cycle-work/{cycle.id}/need-from-finding", data={
        "csrf_token": csrf_from(page), "question_id": str(osh.id), "source": "assessment", "area": "management_systems"})
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.question_id == osh.id and need.area == "management_systems"
    html = client.get(url).get_data(as_text=True)
    assert html.count("Add as need") == 1 and "need: open" in html
    assert "0 / 1" in html  # management systems: none done of one
    bogus = client.post(f"/admin/cycle-work/{cycle.id}/need-from-finding", data={
        "csrf_token": csrf_from(page), "question_id": "abc", "source": "assessment", "area": "training"},
        follow_redirects=True)
    assert bogus.status_code == 200 and "no longer exists" in bogus.get_data(as_text=True)


# --- training -----------------------------------------------------------------------------------------
def test_sessions_spend_the_allotted_days_and_the_rest_is_refused(app):
    cycle = make_cycle(training_days=5)
    training.record_session(cycle, topic="Fire safety", held_on=date(2026, 2, 1), days="3", participants=20)
    assert training.days_left(cycle) == Decimal("2")
    with pytest.raises(training.TrainingDaysExceeded) as refused:
        training.record_session(cycle, topic="Wages", held_on=date(2026, 2, 8), days="2.5")
    assert refused.value.field == "days"
    assert str(refused.value) == "Only 2 of the 5 training days allotted to this cycle are left; 2.5 cannot be spent."
    assert isinstance(refused.value, ValueError)
    training.record_session(cycle, topic="Wages", held_on=date(2026, 2, 8), days=Decimal("2"))
    assert training.summary(cycle)["left"] == 0
    with pytest.raises(FieldError, match="more than zero"):
        training.record_session(cycle, topic="Nothing", held_on=date(2026, 2, 9), days=0)


def test_admin_form_refuses_overspending_beside_the_days_field(app, client):
    cycle = make_cycle(training_days=4)
    training.record_session(cycle, topic="Fire safety", held_on=date(2026, 2, 1), days=3)
    login(client, make_user("advisor"))
    response = post_form(client, f"/admin/trainingsession/new/?cycle={cycle.id}", {
        "cycle": str(cycle.id), "topic": "Chemicals handling", "held_on": "2026-03-01", "days": "1.5",
        "participants": "12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only 1 of the 4 training days allotted to this cycle are left; 1.5 cannot be spent." in html
    assert "Chemicals handling" in html  # what the user typed is kept
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 1
    ok = post_form(client, "/admin/trainingsession/new/", {
        "cycle": str(cycle.id), "topic": "Chemicals handling", "held_on": "2026-03-01", "days": "1"})
    assert ok.status_code == 302
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.topic == "Fire safety"))
    # Editing a session counts the days it already holds only once.
    edit = post_form(client, f"/admin/trainingsession/edit/?id={session.id}", {
        "cycle": str(cycle.id), "topic": "Fire safety", "held_on": "2026-02-01", "days": "3"})
    assert edit.status_code == 302
    over = post_form(client, f"/admin/trainingsession/edit/?id={session.id}", {
        "cycle": str(cycle.id), "topic": "Fire safety", "held_on": "2026-02-01", "days": "3.5"})
    assert "Only 3 of the 4 training days" in over.get_data(as_text=True)
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert "4.0 of 4.0 days spent" in html and "0.0 left" in html
