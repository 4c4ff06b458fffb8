"""Staff enter the assessment and the committee review from the cycle page."""
from datetime import date

from bwadmin.extensions import db
from bwadmin.models import Assessment
from bwadmin.services import questionnaires as bank, responses

from .factories import csrf_from, login, make_cycle, make_user
from .questionnaire_samples import full_answers, load_sample, sample


def entry_post(client, url, data):
    token = csrf_from(client.get(url))
    return client.post(url, data={"csrf_token": token, **data})


def test_cycle_page_links_to_the_entries_and_shows_results(app, client):
    load_sample(kind="assessment")
    cycle = make_cycle()
    login(client, make_user("advisor"))
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert f'href="/admin/assessment-entry/{cycle.id}"' in html
    assert f'href="/admin/committee-review/{cycle.id}"' in html
    assert client.get(f"/admin/assessment-entry/{cycle.id}").status_code == 200
    unknown = client.get("/admin/assessment-entry/999999", follow_redirects=True)
    assert unknown.request.path == "/admin/cycle/" and "No such record" in unknown.get_data(as_text=True)


def test_approving_the_assessment_completes_it_and_moves_the_release(app, client):
    questionnaire = load_sample(kind="assessment")
    # The self-diagnosis's CL.01 anticipates the assessment's CL.01: the gap compares those two.
    self_data = sample()
    self_data["questions"][5]["anticipates"] = ["CL.01"]
    self_questionnaire = bank.load(self_data, publish_now=True)
    cycle = make_cycle(days_in=110)
    advisor = make_user("advisor", name="A. Tran")
    login(client, advisor)
    url = f"/admin/assessment-entry/{cycle.id}"

    # Bad details and a bad answer: messages beside them, the valid answers kept as a draft.
    response = entry_post(client, url, {"a-assessed_on": "yesterday", "action": "complete",
                                        **full_answers(questionnaire, **{"FP.02": "many"})})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a date as YYYY-MM-DD, for example 2026-03-31." in html
    assert "Enter a number, for example 120." in html
    assessed = responses.find(cycle.id, "assessment")
    assert assessed.status == "draft" and len(assessed.answers) == 11
    assert cycle.milestone("assessment_due").done_at is None

    # Submit for review: the assessment is set and waits for its reviewer; nothing is complete, no date moves.
    second = make_user("advisor", name="B. Sok")
    default_release = cycle.milestone("release").due_at
    response = entry_post(client, url, {"a-assessed_on": "2026-01-31", "a-first_assessor": str(advisor.id),
                                        "a-second_assessor": str(second.id), "a-days_on_site": "2",
                                        "a-worker_sample": "40", "action": "complete",
                                        **full_answers(questionnaire, **{"CL.01": "yes"})})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assessment = db.session.query(Assessment).one()
    assert assessment.assessed_on == date(2026, 1, 31) and assessment.assessors == "A. Tran, B. Sok"
    assert assessment.review_status == "in_review" and assessment.completed_at is None
    assert cycle.milestone("assessment_due").done_at is None
    assert cycle.milestone("release").due_at == default_release

    # A reviewer (not one of its assessors) approves it: complete, assessment_due done, the release one month on.
    reviewer = app.test_client()
    login(reviewer, make_user("admin", name="Reviewer"))
    review_url = f"/admin/assessment-entry/{cycle.id}/review"
    assert entry_post(reviewer, review_url, {"action": "approve"}).status_code == 302
    db.session.expire_all()
    assessment = db.session.query(Assessment).one()
    assert assessment.completed_at is not None and assessment.response_id == assessed.id
    assert cycle.milestone("assessment_due").done_at is not None
    assert cycle.milestone("release").due_at.date() == date(2026, 2, 28)
    assert responses.find(cycle.id, "assessment").submitted_by_id == advisor.id

    # The cycle page shows the assessment's findings; with the factory's self-diagnosis, the gap.
    own = responses.response_for(cycle, "self_diagnosis")
    ids = {q.code: q.id for q in self_questionnaire.questions}
    responses.save_draft(own, {ids["CL.01"]: "no", ids["WT.01"]: "yes", ids["WT.02"]: "no"})
    own.status, own.submitted_at = "submitted", assessment.completed_at
    db.session.commit()
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert 'id="assessment-score"' in html and "zero tolerance" in html and "CL.01" in html
    # child_labourers: the factory reported CL.01 compliant; the assessment found CL.01 non-compliant: 0 of 1
    # against 1 of 1.
    assert 'id="gap"' in html and "Child labourers" in html and "+100 pts" in html


def test_committee_review_stores_its_score_on_the_cycle(app, client):
    from bwadmin.services import questionnaires as bank

    bank.ensure_default_questionnaires()
    cycle = make_cycle()
    login(client, make_user("advisor"))
    url = f"/admin/committee-review/{cycle.id}"
    review = responses.response_for(cycle, "committee_review")
    data = {}
    for question in review.questionnaire.questions:
        if question.choices:
            data[f"q{question.id}"] = question.choices[1]["value"]  # the second-lowest: score 1 of 3
        elif question.type == "yes_no":
            data[f"q{question.id}"] = "yes"
        else:
            data[f"q{question.id}"] = "Meets monthly."
    response = entry_post(client, url, {"action": "complete", **data})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert cycle.committee_review_score == 33.3
    html = client.get(f"/admin/cycle/details/?id={cycle.id}").get_data(as_text=True)
    assert 'id="committee-review-score">33.3<' in html
