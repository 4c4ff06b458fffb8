"""Two assessors enter the assessment and submit it; a reviewer who is not one of them approves it or returns it
with comments. Only approval completes it and starts the release clock."""
from __future__ import annotations

from datetime import date

import pytest

from bwadmin.extensions import db
from bwadmin.models import Assessment, AuditEvent
from bwadmin.services import assessments, responses

from .factories import csrf_from, login, make_cycle, make_user
from .questionnaire_samples import full_answers, load_sample


@pytest.fixture
def team(app):
    """A cycle 110 days in, the sample assessment bank, two assessors and a reviewer, each with a client."""
    bank = load_sample(kind="assessment")
    cycle = make_cycle(days_in=110)
    people = {"first": make_user("advisor", name="A. Tran"), "second": make_user("advisor", name="B. Sok"),
              "reviewer": make_user("admin", name="R. Review")}
    clients = {}
    for role, person in people.items():
        clients[role] = app.test_client()
        login(clients[role], person)
    return {"bank": bank, "cycle": cycle, "people": people, "clients": clients,
            "entry": f"/admin/assessment-entry/{cycle.id}", "review": f"/admin/assessment-entry/{cycle.id}/review"}


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url)), **data})


def submit(team, client="first", **details):
    people = team["people"]
    data = {"a-assessed_on": "2026-01-31", "a-first_assessor": str(people["first"].id),
            "a-second_assessor": str(people["second"].id), "a-days_on_site": "2", "a-worker_sample": "40",
            "action": "complete", **full_answers(team["bank"], **{"WT.02": "yes"})}
    data.update(details)
    return post(team["clients"][client], team["entry"], data)


def assessment() -> Assessment:
    db.session.expire_all()
    return db.session.query(Assessment).one()


def test_submitting_alone_completes_nothing_and_moves_no_date(app, team):
    cycle = team["cycle"]
    release_before = cycle.milestone("release").due_at
    assert submit(team).status_code == 302
    a = assessment()
    assert a.review_status == "in_review" and a.completed_at is None
    assert cycle.milestone("assessment_due").done_at is None and cycle.milestone("release").due_at == release_before
    page = team["clients"]["first"].get(team["entry"]).get_data(as_text=True)
    assert 'data-status="in_review"' in page and "Submitted: waiting for review" in page
    # Locked for the assessors while it is reviewed.
    again = submit(team, **{"a-worker_sample": "41"})
    assert "This assessment is with its reviewer or approved: it can no longer be changed." in \
        again.get_data(as_text=True)
    assert assessment().worker_sample == 40


def test_submitting_needs_two_assessors_the_days_and_the_sample_and_an_assessor_to_submit(app, team):
    page = submit(team, **{"a-second_assessor": str(team["people"]["first"].id), "a-worker_sample": "many"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "The two assessors are two different people." in html
    assert "Enter a whole number, for example 30." in html
    missing = submit(team, **{"a-second_assessor": "", "a-days_on_site": ""})
    html = missing.get_data(as_text=True)
    assert "Choose the assessment&#39;s two assessors." in html and "Enter the number of days on site." in html
    assert html.count("Enter the number of days on site.") == 2  # in the messages above, and beside the field
    assert assessment().review_status == "entering"
    # A staff member who is not one of the two cannot submit it for them.
    outsider = make_user("advisor", name="Someone Else")
    team["clients"]["outsider"] = app.test_client()
    login(team["clients"]["outsider"], outsider)
    refused = submit(team, client="outsider")
    assert "Only one of the assessment&#39;s two assessors can submit it for review." in refused.get_data(as_text=True)
    assert assessment().review_status == "entering"
    assert submit(team, client="second").status_code == 302  # the second assessor may
    assert assessment().review_status == "in_review"


def test_an_assessor_cannot_approve_their_own_assessment(app, team):
    submit(team)
    # The reviewer's home lists it to review; the assessors' homes do not.
    assert f'href="{team["review"]}"' in team["clients"]["reviewer"].get("/admin/").get_data(as_text=True)
    assert 'id="to-review"' not in team["clients"]["first"].get("/admin/").get_data(as_text=True)
    for role in ("first", "second"):
        page = team["clients"][role].get(team["review"]).get_data(as_text=True)
        assert 'id="not-reviewer"' in page and 'value="approve"' not in page
        refused = post(team["clients"][role], team["review"], {"action": "approve"})
        assert refused.status_code == 200
        assert "You are one of this assessment&#39;s assessors: another staff member reviews it." in \
            refused.get_data(as_text=True)
    assert assessment().completed_at is None
    with pytest.raises(assessments.ReviewError):
        assessments.approve(team["cycle"], team["people"]["first"])


def test_returned_with_comments_the_assessors_read_them_correct_and_submit_again(app, team):
    submit(team)
    reviewer = team["clients"]["reviewer"]
    empty = post(reviewer, team["review"], {"action": "return", "comments": "  "})
    assert empty.status_code == 200 and "Say what the assessors should change." in empty.get_data(as_text=True)
    assert assessment().review_status == "in_review"
    too_long = post(reviewer, team["review"], {"action": "return", "comments": "x" * 4001})
    assert "Write at most 4,000 characters here; this has 4,001." in too_long.get_data(as_text=True)
    comments = "WT.02: attach the time records you reviewed, and say how many workers you interviewed."
    assert post(reviewer, team["review"], {"action": "return", "comments": comments}).status_code == 302
    a = assessment()
    assert a.review_status == "returned" and a.completed_at is None and a.response.status == "draft"
    page = team["clients"]["first"].get(team["entry"]).get_data(as_text=True)
    assert comments in page and "Returned to its assessors with comments" in page and "R. Review" in page
    home = team["clients"]["first"].get("/admin/").get_data(as_text=True)
    assert 'id="returned"' in home and f'href="{team["entry"]}"' in home
    # Corrected and submitted again; the comments stay with it; then approved.
    assert submit(team, **{"a-worker_sample": "45"}).status_code == 302
    assert assessment().review_status == "in_review" and assessment().worker_sample == 45
    assert post(reviewer, team["review"], {"action": "approve"}).status_code == 302
    a = assessment()
    assert [r.decision for r in a.reviews] == ["returned", "approved"] and a.reviews[0].comments == comments
    assert comments in team["clients"]["second"].get(team["entry"]).get_data(as_text=True)
    assert {e.action for e in db.session.query(AuditEvent)} >= {"submit", "return", "approve"}


def test_approval_completes_it_and_sets_the_release_date(app, team):
    cycle = team["cycle"]
    submit(team)
    assert post(team["clients"]["reviewer"], team["review"], {"action": "approve"}).status_code == 302
    a = assessment()
    assert a.review_status == "approved" and a.completed_at is not None
    assert cycle.milestone("assessment_due").done_at is not None
    assert cycle.milestone("release").due_at.date() == date(2026, 2, 28)  # one calendar month after 31 January
    page = team["clients"]["first"].get(team["entry"]).get_data(as_text=True)
    assert "Approved: complete" in page
    # Approved is final: no second decision.
    with pytest.raises(assessments.ReviewError):
        assessments.return_to_assessors(cycle, team["people"]["reviewer"], "Too late.")


def test_a_release_passed_over_for_want_of_an_approved_assessment_is_due_again_on_approval(app, team):
    from bwadmin.models import utcnow

    cycle = team["cycle"]
    release = cycle.milestone("release")
    release.done_at, release.outcome = utcnow(), "skipped: no assessment recorded"
    db.session.commit()
    submit(team)
    post(team["clients"]["reviewer"], team["review"], {"action": "approve"})
    db.session.expire_all()
    release = cycle.milestone("release")
    assert release.done_at is None and release.due_at.date() == date(2026, 2, 28)
    assert responses.find(cycle.id, "assessment").status == "submitted"
