"""Builders for the advisory tests: a questionnaire response with findings, a committee with members."""
from __future__ import annotations

from datetime import date

from bwadmin.extensions import db
from bwadmin.models import Answer, Committee, CommitteeMember, Question, Questionnaire, Response, utcnow


def make_response(cycle, kind: str = "assessment", answers: dict | None = None, version: int | None = None):
    """A submitted response of `kind`; answers maps question code to value. Questions are yes/no and a
    "no" is the non-compliant answer unless the code ends with "_yes_bad"."""
    answers = answers or {"CL-1": "no", "CL-2": "yes", "OSH-1": "no"}
    questionnaire = Questionnaire(kind=kind, version=version or cycle.id, title={"en": kind}, published_at=utcnow())
    db.session.add(questionnaire)
    response = Response(cycle=cycle, questionnaire=questionnaire, kind=kind, status="submitted", submitted_at=utcnow())
    db.session.add(response)
    for position, (code, value) in enumerate(answers.items()):
        question = Question(questionnaire=questionnaire, position=position, code=code,
                            cluster="child_labour" if code.startswith("CL") else "occupational_safety_and_health",
                            compliance_point="documentation" if code.startswith("CL") else "worker_protection",
                            type="yes_no", text={"en": f"Is {code} in order?"},
                            noncompliant_answer="yes" if code.endswith("_yes_bad") else "no")
        db.session.add(question)
        db.session.add(Answer(response=response, question=question, value=value))
    db.session.flush()
    return response


def make_committee(factory, workers: int = 0, managers: int = 0, established_on: date | None = None):
    committee = Committee(factory=factory, established_on=established_on or utcnow().date())
    db.session.add(committee)
    for i in range(workers):
        db.session.add(CommitteeMember(committee=committee, name=f"Worker {i + 1}", side="worker"))
    for i in range(managers):
        db.session.add(CommitteeMember(committee=committee, name=f"Manager {i + 1}", side="management"))
    db.session.flush()
    return committee


def question(code: str):
    from sqlalchemy import select

    return db.session.scalar(select(Question).where(Question.code == code))
