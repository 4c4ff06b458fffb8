"""What a staff member sees first: their cycles, what is due this week, what is overdue."""
from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from flask_babel import gettext as _, ngettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AdvisoryVisit, Committee, Cycle, Election, Factory, Milestone, Report, utcnow
from ..models.reports import REPORT_LABELS
from . import assessments, milestones, other_audits, remediation, report_review


def for_user(user) -> dict:
    now = utcnow()
    week = now + timedelta(days=7)
    pending = (
        milestones.open_milestones()
        .options(joinedload(Milestone.cycle).joinedload(Cycle.factory))
        .order_by(Milestone.due_at)
    )
    cycles = select(Cycle).options(joinedload(Cycle.factory)).where(Cycle.status != "closed")
    if user.role == "advisor":
        pending = pending.where(Cycle.advisor_id == user.id)
        cycles = cycles.where(Cycle.advisor_id == user.id)
    running = db.session.scalars(cycles.order_by(Cycle.signed_up_on.desc()).limit(50)).all()
    return {
        "overdue": [(m, milestone_action(m))
                    for m in db.session.scalars(pending.where(Milestone.due_at < now).limit(50))],
        "this_week": [(m, milestone_action(m))
                      for m in db.session.scalars(pending.where(Milestone.due_at >= now, Milestone.due_at < week))],
        "cycles": running,
        "advisory": advisory_work(running, now),
        "flags": report_review.open_flags(user),  # factories' flags on their draft reports, to answer
        "reviews": assessments.review_work(user),  # assessments to review, and one's own returned
        "to_verify": remediation.to_verify(user, limit=20),  # actions factories declared done
        "counts": counts(user),
        "audits": other_audits.totals(),  # the programme's: audits its report replaced, and the days saved
        "now": now,
    }


def counts(user) -> dict:
    """The home's header: an advisor's own factories (those of the running cycles they advise) and running cycles;
    for an admin, the programme's."""
    running = select(Cycle).where(Cycle.status != "closed")
    if user.role == "advisor":
        running = running.where(Cycle.advisor_id == user.id)
        factories = select(func.count(func.distinct(running.subquery().c.factory_id)))
    else:
        factories = select(func.count()).select_from(Factory)
    return {"factories": db.session.scalar(factories),
            "running_cycles": db.session.scalar(select(func.count()).select_from(running.subquery())),
            "own": user.role == "advisor"}


class Action(NamedTuple):
    """A home row's button: what it says and the page it opens (an endpoint and its arguments)."""

    label: str
    endpoint: str
    args: dict


def report_task(report: Report) -> tuple[str, Action]:
    """A report waiting for its release, said as what is awaited, with the button that opens it.

    The clock releases reports itself; an improvement plan opened at the release goes to the buyers once the factory
    submits it, so the row says that the factory has not, and opens the plan (staff cannot release it for them)."""
    if report.kind == "improvement_plan" and report.submitted_at is None:
        return (_("Improvement plan not yet submitted by the factory"),
                Action(_("Open the plan"), "report.details_view", {"id": report.id}))
    return (_("To be released: %(report)s", report=REPORT_LABELS.get(report.kind, report.kind)),
            Action(_("Open the report"), "report.details_view", {"id": report.id}))


def milestone_action(milestone: Milestone) -> Action:
    """A milestone row's button: the assessment's entry for an assessment due, else the cycle's timeline (the clock
    does the milestone's work; the timeline says what it did)."""
    if milestone.kind == "assessment_due":
        return Action(_("Enter the assessment"), "assessment_entry.entry", {"cycle_id": milestone.cycle_id})
    return Action(_("Open the timeline"), "cycle.details_view", {"id": milestone.cycle_id, "_anchor": "timeline"})


def advisory_work(cycles, now) -> dict:
    """The advisory period's work for these cycles: visits not yet made, elections not held, committee
    reviews not done, reports to release; overdue or due within a week. Five queries, whatever the count."""
    today, week = now.date(), (now + timedelta(days=7)).date()
    by_id = {c.id: c for c in cycles}
    by_factory = {c.factory_id: c for c in cycles}
    tasks: list[dict] = []
    visits: list[dict] = []
    if not by_id:
        return {"overdue": [], "this_week": [], "visits": []}
    counts = {cid: (n, sd) for cid, n, sd in db.session.execute(
        select(AdvisoryVisit.cycle_id, func.count(),
               func.sum(case((AdvisoryVisit.focus == "self_diagnosis", 1), else_=0)))
        .where(AdvisoryVisit.cycle_id.in_(list(by_id))).group_by(AdvisoryVisit.cycle_id))}
    advisory_end = {cid: due.date() for cid, due in db.session.execute(
        select(Milestone.cycle_id, Milestone.due_at)
        .where(Milestone.cycle_id.in_(list(by_id)), Milestone.kind == "advisory_end"))}

    def task(cycle, what, due, action):
        tasks.append({"cycle": cycle, "what": what, "due": due, "action": action})

    for cycle in cycles:
        done, self_diagnosis = counts.get(cycle.id, (0, 0))
        end = advisory_end.get(cycle.id)
        warning = None
        if cycle.returning and done and not self_diagnosis:
            warning = _("No visit focused on self-diagnosis")
        visits.append({"cycle": cycle, "done": done, "expected": cycle.expected_visits, "warning": warning,
                       "advisory_end": end})
        if done < cycle.expected_visits and end is not None:
            missing = cycle.expected_visits - done
            task(cycle, ngettext("%(num)s advisory visit not yet made (%(done)s of %(expected)s)",
                                 "%(num)s advisory visits not yet made (%(done)s of %(expected)s)",
                                 missing, done=done, expected=cycle.expected_visits), end,
                 Action(_("Record a visit"), "advisoryvisit.create_view", {"cycle": cycle.id}))
        if cycle.committee_review_score is None and end is not None and end <= week:
            task(cycle, _("Committee review not done"), end,
                 Action(_("Review the committee"), "committee_review.entry", {"cycle_id": cycle.id}))
    for election, factory_id in db.session.execute(
        select(Election, Committee.factory_id).join(Election.committee)
        .where(Committee.factory_id.in_(list(by_factory)), Election.status.in_(("planned", "nominating")))
    ):
        cycle = by_id.get(election.cycle_id) or by_factory[factory_id]
        due = election.held_on or advisory_end.get(cycle.id)
        if due is not None:
            task(cycle, ngettext("Election not held (%(num)s seat)", "Election not held (%(num)s seats)",
                                 election.seats), due,
                 Action(_("Open the election"), "committee_work.election", {"election_id": election.id}))
    for report in db.session.scalars(
        select(Report).where(Report.cycle_id.in_(list(by_id)), Report.released_at.is_(None),
                             Report.release_at.is_not(None), Report.release_at < now + timedelta(days=7))
    ):
        what, action = report_task(report)
        task(by_id[report.cycle_id], what, report.release_at.date(), action)
    tasks.sort(key=lambda t: (t["due"], t["cycle"].factory.name))
    return {
        "overdue": [t for t in tasks if t["due"] < today],
        "this_week": [t for t in tasks if today <= t["due"] < week],
        "visits": visits,
    }
