"""What a staff member sees first: their cycles, what is due this week, what is overdue."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _, ngettext
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AdvisoryVisit, Committee, Cycle, Election, Factory, Milestone, Report, utcnow
from . import milestones, report_review


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
        "overdue": db.session.scalars(pending.where(Milestone.due_at < now).limit(50)).all(),
        "this_week": db.session.scalars(pending.where(Milestone.due_at >= now, Milestone.due_at < week)).all(),
        "cycles": running,
        "advisory": advisory_work(running, now),
        "flags": report_review.open_flags(user),  # factories' flags on their draft reports, to answer
        "counts": {
            "factories": db.session.scalar(select(func.count()).select_from(Factory)),
            "running_cycles": db.session.scalar(select(func.count()).select_from(Cycle).where(Cycle.status != "closed")),
        },
        "now": now,
    }


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

    def task(cycle, what, due, url=None):
        tasks.append({"cycle": cycle, "what": what, "due": due, "url": url})

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
                                 missing, done=done, expected=cycle.expected_visits), end)
        if cycle.committee_review_score is None and end is not None and end <= week:
            task(cycle, _("Committee review not done"), end)
    for election, factory_id in db.session.execute(
        select(Election, Committee.factory_id).join(Election.committee)
        .where(Committee.factory_id.in_(list(by_factory)), Election.status.in_(("planned", "nominating")))
    ):
        cycle = by_id.get(election.cycle_id) or by_factory[factory_id]
        due = election.held_on or advisory_end.get(cycle.id)
        if due is not None:
            task(cycle, ngettext("Election not held (%(num)s seat)", "Election not held (%(num)s seats)",
                                 election.seats), due,
                 ("committee_work.election", {"election_id": election.id}))
    for report in db.session.scalars(
        select(Report).where(Report.cycle_id.in_(list(by_id)), Report.released_at.is_(None),
                             Report.release_at.is_not(None), Report.release_at < now + timedelta(days=7))
    ):
        task(by_id[report.cycle_id], _("Release: %(report)s", report=report), report.release_at.date())
    tasks.sort(key=lambda t: (t["due"], t["cycle"].factory.name))
    return {
        "overdue": [t for t in tasks if t["due"] < today],
        "this_week": [t for t in tasks if today <= t["due"] < week],
        "visits": visits,
    }
