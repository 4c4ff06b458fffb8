"""The assessment of a cycle and the committee review, entered by staff through the questionnaire engine.

An assessment is entered by its two assessors over their days on site; they submit it for review; a reviewer (a
staff member who is not one of its assessors) approves it or returns it with comments, which stay with it. Only
approval completes it: the assessment_due milestone is done, the release counts from the assessment date
(schedule.milestones_for), and the report is drafted. Submitting alone moves no date."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..extensions import db
from ..models import STAFF_ROLES, Assessment, AssessmentReview, Cycle, Response, User, utcnow
from ..models.questionnaire import REVIEW_COMMENTS_MAX
from . import responses, schedule, scoring, text_limits
from .errors import FieldError

WORKER_SAMPLE_MAX = 100_000
DAYS_ON_SITE_MAX = 30


class ReviewError(ValueError):
    """A review step refused, with the message that says why."""


def record_details(cycle: Cycle, response: Response, assessed_on: date, first_assessor: User | None = None,
                   second_assessor: User | None = None, days_on_site: int | None = None,
                   worker_sample: int | None = None) -> Assessment:
    """The assessment's first day on site, its assessors (staff), days on site and worker-interview sample (a draft
    may carry them). The assessors' names are kept as the report prints them."""
    assessment = cycle.assessment
    if assessment is None:
        assessment = Assessment(cycle=cycle, assessed_on=assessed_on, review_status="entering")
        db.session.add(assessment)
        cycle.assessment = assessment
    for person in (first_assessor, second_assessor):
        if person is not None and person.role not in STAFF_ROLES:
            raise FieldError("first_assessor", _("An assessor is a member of the programme's staff."))
    assessment.assessed_on = assessed_on
    assessment.first_assessor, assessment.second_assessor = first_assessor, second_assessor
    names = [p.name or p.email for p in (first_assessor, second_assessor) if p is not None]
    assessment.assessors = ", ".join(names)[:300] or None
    assessment.days_on_site, assessment.worker_sample = days_on_site, worker_sample
    assessment.response = response
    schedule.sync_milestones(cycle)
    db.session.flush()
    return assessment


def details_problems(assessment: Assessment) -> dict[str, str]:
    """What the details still lack before the assessment goes to its reviewer: field → message."""
    problems = {}
    if assessment.first_assessor_id is None or assessment.second_assessor_id is None:
        problems["second_assessor"] = _("Choose the assessment's two assessors.")
    elif assessment.first_assessor_id == assessment.second_assessor_id:
        problems["second_assessor"] = _("The two assessors are two different people.")
    if assessment.days_on_site is None:
        problems["days_on_site"] = _("Enter the number of days on site.")
    if assessment.worker_sample is None:
        problems["worker_sample"] = _("Enter how many workers were interviewed.")
    return problems


def submit_for_review(cycle: Cycle, user, language: str | None = None) -> responses.SubmitCheck:
    """An assessor sends the assessment to review: its answers pass the checks and become read-only, the details
    are complete. Nothing is completed and no date moves."""
    assessment = cycle.assessment
    if assessment is None or assessment.response is None:
        raise ReviewError(_("Enter the assessment's details and answers first."))
    if assessment.review_status not in ("entering", "returned"):
        raise ReviewError(_("This assessment is with its reviewer or approved already."))
    if getattr(user, "id", None) not in assessment.assessor_ids:
        raise ReviewError(_("Only one of the assessment's two assessors can submit it for review."))
    problems = details_problems(assessment)
    response = assessment.response
    if response.status == "submitted":  # answers recorded locked already (imported, or the demo's)
        check = responses.SubmitCheck()
    else:
        check = responses.submit_check(response, language)
    for field, message in problems.items():
        check.general.append(message)
    if not check.ok:
        return check
    if response.status != "submitted":
        check = responses.submit(response, user, language)
        if not check.ok:
            return check
    assessment.review_status = "in_review"
    assessment.submitted_for_review_at = utcnow()
    assessment.submitted_for_review_by_id = user.id
    db.session.flush()
    return check


def _reviewable(assessment: Assessment | None, reviewer) -> Assessment:
    if assessment is None or assessment.review_status != "in_review":
        raise ReviewError(_("This assessment is not waiting for review."))
    if getattr(reviewer, "role", None) not in STAFF_ROLES:
        raise ReviewError(_("A reviewer is a member of the programme's staff."))
    if reviewer.id in assessment.assessor_ids:
        raise ReviewError(_("You are one of this assessment's assessors: another staff member reviews it."))
    return assessment


def approve(cycle: Cycle, reviewer, comments: str | None = None) -> Assessment:
    """The reviewer approves: the assessment is complete, its assessment_due milestone done, and the release falls
    one month after the assessment date. A release already passed over for want of an approved assessment is due
    again."""
    assessment = _reviewable(cycle.assessment, reviewer)
    comments = text_limits.bounded("comments", comments, REVIEW_COMMENTS_MAX) or None
    now = utcnow()
    assessment.reviews.append(AssessmentReview(reviewer=reviewer, decision="approved", comments=comments,
                                               created_at=now))
    assessment.review_status = "approved"
    assessment.completed_at = now
    due = cycle.milestone("assessment_due")
    if due is not None and due.done_at is None:
        due.done_at, due.outcome = now, "done"
    release = cycle.milestone("release")
    if release is not None and release.done_at is not None and (release.outcome or "").startswith("skipped"):
        release.done_at, release.outcome = None, None
    schedule.sync_milestones(cycle)
    db.session.flush()
    return assessment


def return_to_assessors(cycle: Cycle, reviewer, comments: str | None) -> Assessment:
    """The reviewer returns it with comments (kept, shown to the assessors); its answers open again for them."""
    assessment = _reviewable(cycle.assessment, reviewer)
    comments = text_limits.bounded("comments", comments, REVIEW_COMMENTS_MAX)
    if not comments:
        raise FieldError("comments", _("Say what the assessors should change."))
    assessment.reviews.append(AssessmentReview(reviewer=reviewer, decision="returned", comments=comments,
                                               created_at=utcnow()))
    assessment.review_status = "returned"
    response = assessment.response
    if response is not None and response.status == "submitted":
        response.status, response.submitted_at, response.submitted_by_id = "draft", None, None
    db.session.flush()
    return assessment


def complete_committee_review(cycle: Cycle, response: Response, user) -> responses.SubmitCheck:
    """Submit the advisor's committee review; its score (0–100) is kept on the cycle."""
    check = responses.submit(response, user)
    if check.ok:
        cycle.committee_review_score = scoring.committee_review_score(response)
        db.session.flush()
    return check


def staff_people() -> list[User]:
    """Who may be an assessor or a reviewer: the programme's active staff, by name."""
    from sqlalchemy import select

    return db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES), User.active)
                              .order_by(User.name, User.email)).all()


def can_review(assessment: Assessment | None, user) -> bool:
    """Whether this user may decide on the assessment now: it waits for review and they are staff but not one of
    its assessors."""
    return (assessment is not None and assessment.review_status == "in_review"
            and getattr(user, "role", None) in STAFF_ROLES and user.id not in assessment.assessor_ids)


def review_work(user) -> dict:
    """The staff home's review rows: assessments waiting for a reviewer this user may be (not one of their
    assessors), and this user's own assessments returned to them. Two queries."""
    from sqlalchemy import or_, select
    from sqlalchemy.orm import joinedload

    from ..models import Cycle

    base = select(Assessment).options(joinedload(Assessment.cycle).joinedload(Cycle.factory)).limit(50)
    mine = or_(Assessment.first_assessor_id == user.id, Assessment.second_assessor_id == user.id)
    return {
        "to_review": db.session.scalars(base.where(Assessment.review_status == "in_review", ~mine)
                                        .order_by(Assessment.submitted_for_review_at)).all(),
        "returned": db.session.scalars(base.where(Assessment.review_status == "returned", mine)
                                       .order_by(Assessment.assessed_on)).all(),
    }
