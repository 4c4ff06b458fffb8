"""Scoring on cases computed by hand."""
import pytest

from bwadmin.extensions import db
from bwadmin.services import questionnaires as bank, responses, scoring

from .factories import make_cycle, make_user
from .questionnaire_samples import ids, load_sample, q, sample


def answer(response, questionnaire, **by_code):
    by_id = ids(questionnaire)
    responses.save_draft(response, {by_id[code.replace("_", ".")]: value for code, value in by_code.items()})
    return response


@pytest.fixture
def self_response(app):
    questionnaire = load_sample()
    response = responses.response_for(make_cycle(), "self_diagnosis")
    # Counted: CL.01 (yes: non-compliant, zero tolerance), CL.04 (no: non-compliant), WT.01 (no: non-compliant),
    # WT.02 (no: compliant). Not counted: CL.02 (N/A), CL.03 (never a non-compliance), CL.05 (hidden: its
    # parent CL.04 is not "yes", though answered "no"), WT.03 (unanswered).
    return answer(response, questionnaire, CL_01="yes", CL_02="na", CL_03="yes", CL_04="no", CL_05="no",
                  WT_01="no", WT_02="no")


def test_score_counts_answered_shown_yes_no_questions(self_response):
    result = scoring.score(self_response)
    assert result["overall"] == {"questions": 4, "noncompliant": 3, "rate": 0.75}
    assert result["clusters"] == {
        "child_labour": {"label": "Child labour", "questions": 2, "noncompliant": 2, "rate": 1.0},
        "working_time": {"label": "Working time", "questions": 2, "noncompliant": 1, "rate": 0.5},
    }
    assert result["points"]["child_labourers"] == {"cluster": "child_labour", "label": "Child labourers",
                                                   "questions": 1, "noncompliant": 1, "rate": 1.0}
    assert result["points"]["young_workers"]["questions"] == 1
    assert result["points"]["overtime"] == {"cluster": "working_time", "label": "Overtime", "questions": 2,
                                            "noncompliant": 1, "rate": 0.5}
    assert [f["code"] for f in result["findings"]] == ["CL.01", "CL.04", "WT.01"]
    first = result["findings"][0]
    assert first == {"code": "CL.01", "question_id": ids(self_response.questionnaire)["CL.01"],
                     "text": "Question CL.01?", "cluster": "child_labour", "compliance_point": "child_labourers",
                     "zero_tolerance": True}
    assert result["zero_tolerance"] == ["CL.01"]


def test_empty_response_scores_zero(app):
    load_sample()
    result = scoring.score(responses.response_for(make_cycle(), "self_diagnosis"))
    assert result["overall"] == {"questions": 0, "noncompliant": 0, "rate": 0.0}
    assert result["findings"] == [] and result["zero_tolerance"] == []
    assert all(p["rate"] == 0.0 for p in result["points"].values())


def test_gap_compares_no_question_by_a_shared_code_alone(self_response):
    """The sample banks share their codes but map nothing: the gap compares only mapped questions (the mapped
    case is in test_country_banks.py)."""
    assessment_questionnaire = load_sample(kind="assessment")
    assessed = responses.response_for(self_response.cycle, "assessment")
    answer(assessed, assessment_questionnaire, CL_01="no", CL_02="no", WT_01="no", WT_02="yes", WT_03="no")
    assert scoring.gap(self_response, assessed) == {}


def test_committee_review_score(app):
    choices = [{"value": str(n), "en": str(n), "es": str(n), "score": n} for n in range(4)]
    data = sample(kind="committee_review", clusters={"c": {"en": "Committee", "es": "Comité"}},
                  compliance_points={"p": {"cluster": "c", "en": "P", "es": "P"}},
                  questions=[q("R1", "p", "single_choice", choices=choices), q("R2", "p", "single_choice", choices=choices),
                             q("R3", "p", noncompliant="no"),
                             q("R4", "p", "multiple_choice", choices=[{"value": "a", "en": "a", "score": 1},
                                                                      {"value": "b", "en": "b", "score": 2}]),
                             q("R5", "p", "single_choice", choices=choices, required=False)])
    questionnaire = bank.load(data, publish_now=True)
    cycle = make_cycle()
    response = responses.response_for(cycle, "committee_review")
    # R1 2 of 3, R2 3 of 3, R4 "a" 1 of 3 (a + b), R3 has no scores, R5 unanswered: 6 / 9 = 66.7
    answer(response, questionnaire, R1="2", R2="3", R3="yes", R4=["a"])
    assert scoring.committee_review_score(response) == 66.7

    from bwadmin.services import assessments

    check = assessments.complete_committee_review(cycle, response, make_user("advisor"))
    assert check.ok, check
    db.session.commit()
    assert cycle.committee_review_score == 66.7


def test_shipped_committee_review_scores_100_when_all_best(app):
    bank.ensure_default_questionnaires()
    response = responses.response_for(make_cycle(), "committee_review")
    best = {}
    for question in response.questionnaire.questions:
        if question.choices:
            best[question.id] = max(question.choices, key=lambda c: c["score"] or 0)["value"]
    responses.save_draft(response, best)
    assert scoring.committee_review_score(response) == 100.0
