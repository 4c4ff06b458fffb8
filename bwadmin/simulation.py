"""`flask --app app simulate`: one fresh demo factory from sign-up to month 16 in seconds.

Ticks the clock as of each milestone date of its cycle (only that cycle), works the queue to empty each time,
and prints each milestone, release and email; the emails go to a local SMTP sink started on a free port.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
from flask import current_app
from sqlalchemy import select

from .clock import tick_once
from .extensions import db
from .mailsink import MailSink
from .models import (
    Answer,
    Assessment,
    Buyer,
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    Factory,
    Milestone,
    Need,
    Question,
    Questionnaire,
    Report,
    Response,
    Sourcing,
    TrainingSession,
    User,
    utcnow,
)
from .services import cycles, questionnaires, schedule
# How often each cluster is found non-compliant in the demo (programme synthesis reports: pay, hours, OSH worst).
CLUSTER_RISK = {"compensation": 0.35, "working_time": 0.4, "osh": 0.3, "contracts_hr": 0.2,
                "freedom_of_association": 0.12}


def questionnaire(kind: str, country: str | None = None) -> Questionnaire:
    """The version a factory of `country` answers; the shipped global banks are loaded when there is none."""
    questionnaires.ensure_default_questionnaires((kind,))
    return questionnaires.bank_for(kind, country)


def _plausible(question: Question, rng: random.Random, day: date, worse: float = 1.0):
    if question.type == "yes_no":
        risk = 0.01 if question.zero_tolerance else min(CLUSTER_RISK.get(question.cluster, 0.05) * worse, 0.9)
        bad = question.noncompliant_answer
        if bad is None:
            return rng.choice(["yes", "no"])
        good = "no" if bad == "yes" else "yes"
        return bad if rng.random() < risk else good
    if question.type == "number":
        low = question.min_value or 0
        high = question.max_value if question.max_value is not None else low + 500
        return rng.randint(int(low), int(max(low, high)))
    if question.type == "date":
        return day.isoformat()
    choices = [c.get("value", c.get("code")) if isinstance(c, dict) else c for c in (question.choices or [])]
    if question.type == "single_choice":
        return rng.choice(choices) if choices else None
    if question.type == "multiple_choice":
        return rng.sample(choices, min(len(choices), 2)) if choices else []
    return "Discussed with the committee."


def fill(cycle, kind: str, rng: random.Random, day: date, submitter: User | None = None,
         worse: float = 1.0) -> Response:
    """A submitted response with random but plausible answers, unless the cycle has one already; `worse` multiplies
    how often a check is found non-compliant (a factory's early cycles, before it improved)."""
    existing = db.session.scalar(select(Response).where(Response.cycle_id == cycle.id, Response.kind == kind))
    if existing is not None and existing.answers:
        return existing
    bank = questionnaire(kind, cycle.factory.country)
    response = existing or Response(cycle=cycle, questionnaire=bank, kind=kind, thresholds=dict(bank.thresholds or {}))
    response.status, response.submitted_at = "submitted", datetime.combine(day, datetime.min.time())
    response.submitted_by = submitter
    db.session.add(response)
    for question in bank.questions:
        value = _plausible(question, rng, day, worse)
        if value is not None:
            response.answers.append(Answer(question=question, value=value))
    db.session.flush()
    return response


def _people(stamp: str, rng: random.Random):
    factory = Factory(name=f"Demo Garment {stamp}", country="Vietnam", city="Dong Nai", workers=1200)
    db.session.add(factory)
    db.session.flush()
    advisor = db.session.scalar(select(User).where(User.role == "advisor", User.active).order_by(User.id))
    if advisor is None:
        advisor = User(email=f"advisor-{stamp}@example.org", name="Demo Advisor", role="advisor")
        db.session.add(advisor)
    manager = User(email=f"manager-{stamp}@example.org", name="Factory Manager", role="factory", factory=factory)
    hr = User(email=f"rrhh-{stamp}@example.org", name="Responsable de RR. HH.", role="factory", factory=factory,
              language="es")
    sharing = Buyer(name=f"Demo Buyer {stamp}", country="Germany")
    private = Buyer(name=f"Demo Buyer without consent {stamp}", country="Japan")
    db.session.add_all([manager, hr, sharing, private])
    db.session.flush()
    db.session.add_all([
        Sourcing(buyer=sharing, factory=factory, consent_given_at=utcnow()),
        Sourcing(buyer=private, factory=factory),
        User(email=f"buyer-{stamp}@example.org", name="Buyer Compliance Lead", role="buyer", buyer=sharing),
        User(email=f"nosee-{stamp}@example.org", name="Buyer Without Consent", role="buyer", buyer=private),
    ])
    db.session.flush()
    return factory, advisor, manager


def _advisory_work(cycle, day: date, rng: random.Random) -> None:
    committee = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    if committee is None:
        committee = Committee(factory_id=cycle.factory_id, established_on=day)
        db.session.add(committee)
        for i, side in enumerate(["worker", "worker", "worker", "management", "management", "management"]):
            committee.members.append(CommitteeMember(name=f"{side.title()} representative {i + 1}", side=side, term_start=day))
        committee.meetings.append(CommitteeMeeting(held_on=day + timedelta(days=14), attendance=6, minutes="Needs and targets agreed."))
        committee.meetings.append(CommitteeMeeting(held_on=day + timedelta(days=45), attendance=6, minutes="Progress reviewed."))
        committee.meetings.append(CommitteeMeeting(held_on=day + timedelta(days=75), attendance=5, minutes="Training plan."))
    for area, title in [("labour_compliance", "Pay overtime at the legal premium"),
                        ("management_systems", "Written grievance procedure"),
                        ("training", "Supervisor training on respectful communication"),
                        ("labour_compliance", "Unlock and clear emergency exits")]:
        db.session.add(Need(cycle=cycle, area=area, title=title, due_on=day + timedelta(days=120),
                            early_improvement=area == "labour_compliance", status="in_progress"))
    db.session.add(TrainingSession(cycle=cycle, topic="Workplace cooperation", held_on=day + timedelta(days=50),
                                   days=Decimal("1.0"), participants=rng.randrange(12, 30)))


def simulate(seed: int | None = None) -> dict:
    """Run the demo; returns a summary (the tests read it)."""
    app = current_app._get_current_object()
    rng = random.Random(seed)
    today = utcnow().date()
    stamp = utcnow().strftime("%Y%m%d%H%M%S") + f"{rng.randrange(1000):03d}"
    caught_total = 0
    with MailSink() as sink:
        sink.configure(app)
        click.echo(f"SMTP sink listening on 127.0.0.1:{sink.port}")
        factory, advisor, manager = _people(stamp, rng)
        cycle = cycles.start_cycle(factory, today, advisor, training_days=6)
        db.session.flush()
        fill(cycle, "self_diagnosis", rng, today + timedelta(days=30), manager)
        _advisory_work(cycle, today, rng)
        db.session.commit()
        click.echo(f"{factory.name} signed up today ({today}); cycle {cycle.number}, advisor {advisor.name}.")
        seen = 0
        while True:
            pending = db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle.id, Milestone.done_at.is_(None))
                                         .order_by(Milestone.due_at)).all()
            if not pending:
                break
            moment = pending[0].due_at
            kinds = {m.kind for m in pending if m.due_at == moment}
            if "factory_progress_report" in kinds:
                report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "factory_progress"))
                report = report or Report(cycle=cycle, kind="factory_progress", title=f"Factory progress report: {cycle}")
                report.submitted_at = moment - timedelta(days=2)
                report.body_html = "<p>Improvement plan under way; committee meets monthly.</p>"
                db.session.add(report)
                click.echo(f"[{moment:%Y-%m-%d}] the factory submits its progress report")
            if "programme_progress_report" in kinds:
                for need in db.session.scalars(select(Need).where(Need.cycle_id == cycle.id)).all()[:3]:
                    need.status, need.closed_at = "done", moment
            if "differentiation" in kinds:
                cycle.committee_review_score = float(rng.randrange(55, 95))
            db.session.commit()
            click.echo(f"[{moment:%Y-%m-%d}] tick: {', '.join(sorted(kinds))}")
            tick_once(moment, run=True, cycle_id=cycle.id)
            db.session.expire_all()
            if "assessment_due" in kinds and cycle.assessment is None:
                assessed_on = moment.date() + timedelta(days=rng.randrange(3, 20))
                response = fill(cycle, "assessment", rng, assessed_on)
                # Recorded as approved already: the time-lapse skips the review the panel asks for.
                db.session.add(Assessment(cycle=cycle, assessed_on=assessed_on, assessors="Two programme assessors",
                                          response=response, review_status="approved",
                                          completed_at=datetime.combine(assessed_on, datetime.min.time())))
                db.session.flush()
                db.session.refresh(cycle)
                schedule.sync_milestones(cycle)
                db.session.commit()
                click.echo(f"[{assessed_on}] assessment recorded; the release moves to "
                           f"{cycle.milestone('release').due_at:%Y-%m-%d}")
            new = sink.messages[seen:]
            seen = len(sink.messages)
            caught_total = seen
            for message in new:
                click.echo(f"    caught by the SMTP sink: to {message['X-Envelope-To']}: {str(message['Subject']).strip()}")
        db.session.refresh(cycle)
        released = db.session.scalars(select(Report.kind).where(Report.cycle_id == cycle.id, Report.released_at.is_not(None))).all()
        click.echo(f"Done: cycle status {cycle.status}, high performer: {'yes' if cycle.high_performer else 'no'}; "
                   f"reports released: {', '.join(sorted(released))}; {caught_total} emails caught.")
        return {"cycle_id": cycle.id, "factory": factory.name, "emails": caught_total, "released": sorted(released),
                "status": cycle.status, "high_performer": cycle.high_performer}
