"""Helpers for the clock's tests: a small question bank, a cycle with people around it, a real worker."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bwadmin.extensions import db
from bwadmin.mailsink import MailSink, free_port
from bwadmin.models import Answer, Question, Questionnaire, Response, utcnow
from jobs.sweep import run_sweep
from jobs.worker import work_until_empty
from tests.factories import approve_assessment, make_buyer, make_cycle, make_factory, make_sourcing, make_user

STRUCTURE = {
    "clusters": {"compensation": {"en": "Compensation"}, "child_labour": {"en": "Child labour"}},
    "compliance_points": {"overtime_wages": {"cluster": "compensation", "en": "Overtime wages"},
                          "minimum_wages": {"cluster": "compensation", "en": "Minimum wages"},
                          "child_labourers": {"cluster": "child_labour", "en": "Child labourers"}},
}
QUESTIONS = [  # code, cluster, point, non-compliant answer, zero tolerance
    ("CMP.OT.01", "compensation", "overtime_wages", "no", False),
    ("CMP.OT.02", "compensation", "overtime_wages", "no", False),
    ("CMP.MW.01", "compensation", "minimum_wages", "no", False),
    ("CL.CHL.01", "child_labour", "child_labourers", "yes", True),
]


def bank(kind: str = "assessment") -> Questionnaire:
    questionnaire = Questionnaire(kind=kind, version=1, title={"en": kind}, structure=STRUCTURE, published_at=utcnow())
    for position, (code, cluster, point, bad, zt) in enumerate(QUESTIONS, start=1):
        questionnaire.questions.append(Question(position=position, code=code, cluster=cluster, compliance_point=point,
                                                type="yes_no", text={"en": f"Question {code}?"},
                                                noncompliant_answer=bad, zero_tolerance=zt))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def answer(cycle, kind: str, values: dict[str, str]) -> Response:
    questionnaire = db.session.query(Questionnaire).filter_by(kind=kind).one_or_none() or bank(kind)
    response = Response(cycle=cycle, questionnaire=questionnaire, kind=kind, status="submitted", submitted_at=utcnow())
    for question in questionnaire.questions:
        if question.code in values:
            response.answers.append(Answer(question=question, value=values[question.code]))
    db.session.add(response)
    db.session.flush()
    return response


# Two of four checks non-compliant, no zero tolerance: 50% compensation.
FINDINGS = {"CMP.OT.01": "no", "CMP.OT.02": "yes", "CMP.MW.01": "no", "CL.CHL.01": "no"}
CLEAN = {"CMP.OT.01": "yes", "CMP.OT.02": "yes", "CMP.MW.01": "yes", "CL.CHL.01": "no"}


class World:
    """A cycle signed up on `signed_up_on`, assessed 100 days in, with its people."""

    def __init__(self, signed_up_on: date | None = None, answers: dict | None = None, approved: bool = True):
        self.signed_up_on = signed_up_on or date(2026, 1, 5)
        self.factory = make_factory("Mekong Apparel")
        self.advisor = make_user("advisor", "advisor@example.org", name="Mai Advisor")
        self.manager = make_user("factory", "manager@example.org", factory=self.factory, name="Factory Manager")
        self.hr = make_user("factory", "rrhh@example.org", factory=self.factory, name="Lucía", language="es")
        self.sharing = make_buyer("Kestrel Sport")
        self.private = make_buyer("Sakura Basics")
        make_sourcing(self.sharing, self.factory, consent=True)
        make_sourcing(self.private, self.factory, consent=False)
        self.buyer = make_user("buyer", "buyer@example.org", buyer=self.sharing, name="Buyer Lead")
        self.nosee = make_user("buyer", "nosee@example.org", buyer=self.private, name="Buyer Without Consent")
        self.cycle = make_cycle(self.factory, advisor=self.advisor, signed_up_on=self.signed_up_on)
        if answers is not None:
            self.assess(answers, approved=approved)
        db.session.commit()

    def assess(self, answers: dict, days_in: int = 100, approved: bool = True) -> None:
        """The assessment's answers, approved through the review (else only entered)."""
        from bwadmin.models import Assessment
        from bwadmin.services import schedule

        response = answer(self.cycle, "assessment", answers)
        assessed_on = self.signed_up_on + timedelta(days=days_in)
        if approved:
            approve_assessment(self.cycle, response, assessed_on)
        else:
            db.session.add(Assessment(cycle=self.cycle, assessed_on=assessed_on, response=response))
        db.session.flush()
        db.session.refresh(self.cycle)
        schedule.sync_milestones(self.cycle)
        db.session.commit()

    def due(self, kind: str) -> datetime:
        db.session.expire_all()
        return self.cycle.milestone(kind).due_at


def tick(at: datetime | None = None, run: bool = True):
    """The sweep as of `at`, then a real burst worker (rq SimpleWorker) until the queue is empty."""
    result = run_sweep(at)
    if run:
        work_until_empty()
    db.session.expire_all()
    return result


@pytest.fixture
def fast_retries(app):
    app.config["BWADMIN_NOTICE_RETRY_INTERVALS"] = [0, 0, 0]
    app.config["BWADMIN_MILESTONE_RETRY_INTERVALS"] = [0, 0, 0]
    return app


@pytest.fixture
def smtp(app, fast_retries):
    with MailSink() as sink:
        sink.configure(app)
        yield sink


__all__ = ["CLEAN", "FINDINGS", "MailSink", "World", "answer", "bank", "fast_retries", "free_port", "smtp", "tick"]
