"""The assessment of a cycle and the committee review, entered by staff through the questionnaire engine."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..models import Assessment, Cycle, Response, utcnow
from . import responses, schedule, scoring


def record_details(cycle: Cycle, response: Response, assessed_on: date, assessors: str | None) -> Assessment:
    """The assessment's date and assessors (a draft may carry them); the release counts from the date."""
    assessment = cycle.assessment
    if assessment is None:
        assessment = Assessment(cycle=cycle, assessed_on=assessed_on)
        db.session.add(assessment)
        cycle.assessment = assessment
    assessment.assessed_on = assessed_on
    assessment.assessors = (assessors or "").strip() or None
    assessment.response = response
    schedule.sync_milestones(cycle)
    db.session.flush()
    return assessment


def complete_assessment(cycle: Cycle, response: Response, assessed_on: date, assessors: str | None,
                        user) -> responses.SubmitCheck:
    """Submit the assessment's answers; when they pass the checks the assessment is complete: its
    assessment_due milestone is done and the release moves to one month after the assessment date."""
    record_details(cycle, response, assessed_on, assessors)
    check = responses.submit(response, user)
    if not check.ok:
        return check
    now = utcnow()
    cycle.assessment.completed_at = now
    due = cycle.milestone("assessment_due")
    if due is not None and due.done_at is None:
        due.done_at, due.outcome = now, "done"
    schedule.sync_milestones(cycle)
    db.session.flush()
    return check


def complete_committee_review(cycle: Cycle, response: Response, user) -> responses.SubmitCheck:
    """Submit the advisor's committee review; its score (0–100) is kept on the cycle."""
    check = responses.submit(response, user)
    if check.ok:
        cycle.committee_review_score = scoring.committee_review_score(response)
        db.session.flush()
    return check
