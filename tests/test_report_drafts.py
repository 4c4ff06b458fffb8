"""Drafts: the worker drafts the assessment report when staff complete the assessment (and the self-diagnosis
results when the factory submits), the factory reviews that draft before the release, and the release publishes
it as it is, or makes it again when what it was made from has changed."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bwadmin.extensions import db
from bwadmin.models import Assessment, Report, utcnow
from bwadmin.queue import get_redis
from bwadmin.services import report_docs
from jobs.worker import work_until_empty
from tests.clock_support import FINDINGS, World, answer, fast_retries, smtp, tick  # noqa: F401
from tests.factories import csrf_from, login, make_buyer, make_cycle, make_sourcing, make_user
from tests.questionnaire_samples import full_answers, load_sample


def _report(cycle, kind: str = "assessment") -> Report | None:
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == kind))


def _completed(world: World) -> World:
    db.session.scalar(select(Assessment).where(Assessment.cycle_id == world.cycle.id)).completed_at = utcnow()
    db.session.commit()
    return world


def test_completing_the_assessment_drafts_the_report_the_factory_reviews_and_the_release_publishes(app, smtp):
    questionnaire = load_sample(kind="assessment")
    cycle = make_cycle(days_in=110)
    buyer = make_buyer("Kestrel Sport")
    make_sourcing(buyer, cycle.factory, consent=True)
    staff, factory_user, buyer_user = app.test_client(), app.test_client(), app.test_client()
    first, second = make_user("advisor", name="A. Tran"), make_user("advisor", name="B. Sok")
    login(staff, first)
    login(factory_user, make_user("factory", factory=cycle.factory))
    login(buyer_user, make_user("buyer", buyer=buyer))
    url = f"/admin/assessment-entry/{cycle.id}"

    # Staff save a draft of the assessment: nothing is drafted for the factory from answers still being entered.
    token = csrf_from(staff.get(url))
    staff.post(url, data={"csrf_token": token, "a-assessed_on": "2026-01-31", "action": "save",
                          **full_answers(questionnaire, **{"CL.01": "yes"})})
    work_until_empty()
    assert _report(cycle) is None

    # The assessors submit it for review: still nothing drafted.
    response = staff.post(url, data={"csrf_token": token, "a-assessed_on": "2026-01-31",
                                     "a-first_assessor": str(first.id), "a-second_assessor": str(second.id),
                                     "a-days_on_site": "2", "a-worker_sample": "30",
                                     "action": "complete", **full_answers(questionnaire, **{"CL.01": "yes"})})
    assert response.status_code == 302
    work_until_empty()
    assert _report(cycle) is None

    # A reviewer approves it: the page answers at once, a worker drafts the report.
    reviewer = app.test_client()
    login(reviewer, make_user("admin", name="Reviewer"))
    review_url = f"/admin/assessment-entry/{cycle.id}/review"
    response = reviewer.post(review_url, data={"csrf_token": csrf_from(reviewer.get(review_url)), "action": "approve"})
    assert response.status_code == 302
    assert _report(cycle) is None
    work_until_empty()
    draft = _report(cycle)
    assert draft is not None and draft.released_at is None and "A. Tran" in draft.body_html
    assert "Child labour" in draft.body_html and "zero tolerance" in draft.body_html

    # The factory reads it and may flag an error; a buyer cannot open it.
    page = factory_user.get(f"/factory/reports/{draft.id}").get_data(as_text=True)
    assert "draft for your review" in page and "A. Tran" in page
    assert f"/factory/reports/{draft.id}" in factory_user.get("/factory/").get_data(as_text=True)
    assert buyer_user.get(f"/buyer/reports/{draft.id}").status_code == 404

    # The release publishes the very draft the factory reviewed.
    drafted_html, drafted_at = draft.body_html, draft.data["generated_at"]
    tick(cycle.milestone("release").due_at)
    released = _report(cycle)
    assert released.id == draft.id and released.released_at is not None
    assert released.body_html == drafted_html and released.data["generated_at"] == drafted_at
    assert "A. Tran" in buyer_user.get(f"/buyer/reports/{draft.id}").get_data(as_text=True)


def test_the_release_makes_the_report_again_when_its_source_changed_after_the_draft(app, smtp):
    world = _completed(World(answers=FINDINGS))
    assert report_docs.draft_reports([world.cycle.id]) == {"assessment": 1, "self_diagnosis": 0}
    draft = _report(world.cycle)
    drafted_stamp = draft.source_stamp
    assert "Corrected Assessor" not in draft.body_html
    # Staff correct the assessors after the factory flagged them.
    db.session.scalar(select(Assessment).where(Assessment.cycle_id == world.cycle.id)).assessors = "Corrected Assessor"
    db.session.commit()
    tick(world.due("release"))
    released = _report(world.cycle)
    assert released.released_at is not None and "Corrected Assessor" in released.body_html
    assert released.source_stamp != drafted_stamp


def test_drafting_twice_makes_one_draft_and_never_unreleases(app, smtp):
    world = _completed(World(answers=FINDINGS))
    assert report_docs.draft_reports([world.cycle.id])["assessment"] == 1
    assert report_docs.draft_reports([world.cycle.id])["assessment"] == 0  # current already
    tick(world.due("release"))
    released = _report(world.cycle)
    assert report_docs.draft_reports([world.cycle.id])["assessment"] == 0
    assert _report(world.cycle).released_at == released.released_at


def test_the_sweep_drafts_what_a_lost_job_left_undrafted(app, smtp):
    world = _completed(World(answers=FINDINGS))
    answer(world.cycle, "self_diagnosis", FINDINGS)
    db.session.commit()
    get_redis(app).flushdb()  # the job queued at completion is gone with Redis (flushall would empty other databases)
    before_release = world.due("release") - timedelta(days=10)
    result = tick(before_release)
    assert result.draft_jobs
    assert _report(world.cycle).released_at is None
    assert _report(world.cycle, "self_diagnosis").body_html
    assert tick(before_release).draft_jobs == []  # nothing left to draft


def test_no_draft_from_an_assessment_not_completed_or_a_self_diagnosis_not_submitted(app, smtp):
    world = World(answers=FINDINGS, approved=False)  # answers entered, assessment not approved
    own = answer(world.cycle, "self_diagnosis", FINDINGS)
    own.status, own.submitted_at = "draft", None
    db.session.commit()
    assert report_docs.pending_draft_cycle_ids() == []
    assert report_docs.draft_reports([world.cycle.id]) == {"assessment": 0, "self_diagnosis": 0}
    assert _report(world.cycle) is None and _report(world.cycle, "self_diagnosis") is None


def test_submitting_the_self_diagnosis_drafts_its_results_for_the_factory(app, client):
    questionnaire = load_sample()
    cycle = make_cycle(days_in=20)
    login(client, make_user("factory", factory=cycle.factory))
    url = f"/factory/cycles/{cycle.id}/self-diagnosis"
    token = csrf_from(client.get(url))
    assert client.post(url, data={"csrf_token": token, "action": "submit", **full_answers(questionnaire)}
                       ).status_code == 302
    work_until_empty()
    results = _report(cycle, "self_diagnosis")
    assert results is not None and results.released_at is None
    assert "Working time" in client.get(f"/factory/reports/{results.id}").get_data(as_text=True)


def test_staff_corrections_after_the_draft_are_drafted_again_for_the_factory_to_review(app, smtp):
    from tests.factories import post_form

    world = _completed(World(answers=FINDINGS))
    assert report_docs.draft_reports([world.cycle.id])["assessment"] == 1
    factory = world.cycle.factory
    staff, factory_user = app.test_client(), app.test_client()
    login(staff, make_user("admin"))
    login(factory_user, make_user("factory", factory=factory))
    draft = _report(world.cycle)
    # The factory flagged the assessors; staff correct them in the admin panel.
    assessment = db.session.scalar(select(Assessment).where(Assessment.cycle_id == world.cycle.id))
    assert post_form(staff, f"/admin/assessment/edit/?id={assessment.id}", {
        "cycle": str(world.cycle.id), "assessed_on": assessment.assessed_on.isoformat(),
        "assessors": "Corrected Assessor"}).status_code == 302
    work_until_empty()
    page = factory_user.get(f"/factory/reports/{draft.id}").get_data(as_text=True)
    assert "Corrected Assessor" in page and "draft for your review" in page
    # And the factory's name, which heads the report.
    assert post_form(staff, f"/admin/factory/edit/?id={factory.id}", {
        "name": "Renamed Garments", "country": factory.country}).status_code == 302
    work_until_empty()
    redrafted = _report(world.cycle)
    assert redrafted.id == draft.id and redrafted.released_at is None and "Renamed Garments" in redrafted.body_html
