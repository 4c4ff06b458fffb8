"""What happened in a cycle's advisory work, for the cycle page and the reports built on it."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import AdvisoryVisit, Committee, Cycle, Election
from . import committee as committees
from . import needs, seminars, training


def visits(cycle: Cycle) -> dict:
    log = db.session.scalars(
        select(AdvisoryVisit).where(AdvisoryVisit.cycle_id == cycle.id).order_by(AdvisoryVisit.visited_on)
    ).all()
    self_diagnosis = sum(1 for v in log if v.focus == "self_diagnosis")
    warning = None
    if cycle.returning and log and not self_diagnosis:
        warning = _("This returning cycle's visits have no self-diagnosis focus yet.")
    return {
        "count": len(log), "expected": cycle.expected_visits, "missing": max(0, cycle.expected_visits - len(log)),
        "self_diagnosis": self_diagnosis, "warning": warning,
        "log": [{"id": v.id, "visited_on": v.visited_on, "focus": v.focus, "notes": v.notes,
                 "advisor": str(v.advisor) if v.advisor_id else None} for v in log],
    }


def committee(cycle: Cycle) -> dict:
    found = db.session.scalar(select(Committee).where(Committee.factory_id == cycle.factory_id))
    if found is None:
        return {"exists": False, "id": None, "worker": 0, "management": 0, "balanced": False,
                "message": _("This factory has no committee yet."), "members": [], "meetings": [],
                "last_election": None}
    balance = committees.side_balance(found)
    last = db.session.scalar(
        select(Election).where(Election.committee_id == found.id)
        .order_by(Election.held_on.desc().nulls_last(), Election.id.desc()).limit(1)
    )
    election = None
    if last is not None:
        result = committees.election_result(last)
        election = {"id": last.id, "held_on": last.held_on, "status": last.status, "seats": last.seats,
                    "eligible_voters": last.eligible_voters, "ballots_cast": last.ballots_cast,
                    "turnout": result["turnout"], "elected": [c.name for c in result["elected"]]}
    return {
        "exists": True, "id": found.id, "established_on": found.established_on,
        "worker": balance["worker"], "management": balance["management"], "balanced": balance["balanced"],
        "message": balance["message"],
        "members": [{"name": m.name, "side": m.side, "position": m.position, "department": m.department,
                     "term_start": m.term_start, "term_end": m.term_end} for m in balance["members"]],
        "meetings": [{"held_on": m.held_on, "attendance": m.attendance, "minutes": m.minutes} for m in found.meetings],
        "last_election": election,
    }


def cycle_activity(cycle: Cycle) -> dict:
    """visits, committee, needs (per area, with progress), training (allotted, spent, left, sessions), seminars."""
    spent = training.summary(cycle)
    attendances = seminars.for_cycle(cycle)
    return {
        "visits": visits(cycle),
        "committee": committee(cycle),
        "needs": needs.progress(cycle),
        "training": {
            "allotted": spent["allotted"], "spent": spent["spent"], "left": spent["left"],
            "sessions": [{"topic": s.topic, "held_on": s.held_on, "days": s.days, "participants": s.participants,
                          "need_id": s.need_id} for s in spent["sessions"]],
        },
        "seminars": {
            "invited": len(attendances),
            "attended": sum(1 for a in attendances if a.attended),
            "log": [{"seminar_id": a.seminar_id, "title": a.seminar.title, "held_on": a.seminar.held_on,
                     "invited_at": a.invited_at, "attended": a.attended, "attendees": a.attendees}
                    for a in attendances],
        },
    }
