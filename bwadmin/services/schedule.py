"""Where each milestone of a cycle falls, from its sign-up date, its assessment date and the release of its
assessment report (the improvement plan and the factory progress report are due 30 days after that release, the
programme progress report six months after the factory's; a release run again for an assessment recorded late counts
from the day it ran).

"Month N" is a calendar month (31 January + 1 month = 28 or 29 February); the offsets are defaults that
staff change in the admin panel (ScheduleOffset rows) because countries differ.
"""
from __future__ import annotations

from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import select

from ..extensions import db
from ..models import MILESTONE_KINDS, MILESTONE_LABELS, Cycle, Milestone, ScheduleOffset, utcnow
from . import service_packages

# kind: (base, months, days). A base is "signup", "assessment" (done, else due) or an earlier milestone.
DEFAULT_OFFSETS: dict[str, tuple[str, int, int]] = {
    "cycle_start": ("signup", 0, 0),
    "advisory_end": ("signup", 0, 100),
    "assessment_due": ("signup", 0, 100),
    "release": ("assessment", 1, 0),
    # The factory's plan and its progress report count from the release of the assessment report they answer (the
    # day it was released once it was, else the day it is due), not from sign-up: a late assessment moves them.
    "improvement_plan_due": ("release", 0, 30),
    "improvement_plan_reminder_7": ("improvement_plan_due", 0, -7),
    "factory_progress_report": ("release", 0, 30),
    "factory_progress_reminder_14": ("factory_progress_report", 0, -14),
    "factory_progress_reminder_3": ("factory_progress_report", 0, -3),
    "programme_progress_report": ("factory_progress_report", 6, 0),
    "differentiation": ("signup", 16, 0),
}


# What an offset counts from, as a sentence names it: "5 months after sign-up", "14 days before Factory progress
# report".
BASE_LABELS = {
    "signup": _l("sign-up"),
    "assessment": _l("the assessment (done, else due)"),
    "cycle_start": _l("the cycle's start"),
    "advisory_end": _l("the end of the advisory period"),
    "assessment_due": _l("the assessment's due date"),
    "release": _l("the release of the assessment report"),
    "factory_progress_reminder_14": _l("the first reminder of the factory progress report"),
    "factory_progress_reminder_3": _l("the second reminder of the factory progress report"),
    "improvement_plan_due": _l("the improvement plan's due date"),
    "improvement_plan_reminder_7": _l("the reminder of the improvement plan"),
    "factory_progress_report": _l("Factory progress report"),
    "programme_progress_report": _l("Programme progress report"),
    "differentiation": _l("the differentiation"),
}


class ScheduleError(ValueError):
    pass


def offsets() -> dict[str, tuple[str, int, int]]:
    """The defaults, overridden by whatever staff set in the panel."""
    result = dict(DEFAULT_OFFSETS)
    for row in db.session.scalars(select(ScheduleOffset)):
        result[row.kind] = (row.base, row.months, row.days)
    return result


def describe(base: str, months: int, days: int) -> str:
    """An offset in words: "5 months after sign-up", "14 days before Factory progress report", "on sign-up"."""
    name = BASE_LABELS.get(base) or MILESTONE_LABELS.get(base, base)
    later = [part for part in (months, days) if part > 0]
    earlier = [part for part in (months, days) if part < 0]
    if not later and not earlier:
        return _("the same day as %(base)s", base=name)
    if later and earlier:  # calendar months one way, days the other: said as both steps
        if months > 0:
            return _("%(months)s after %(base)s, then %(days)s earlier", months=_duration(months, 0), base=name,
                     days=_duration(0, -days))
        return _("%(months)s before %(base)s, then %(days)s later", months=_duration(-months, 0), base=name,
                 days=_duration(0, days))
    if later:
        return _("%(duration)s after %(base)s", duration=_duration(months, days), base=name)
    return _("%(duration)s before %(base)s", duration=_duration(-months, -days), base=name)


def _duration(months: int, days: int) -> str:
    month_words = ngettext("%(num)s month", "%(num)s months", months) if months else ""
    day_words = ngettext("%(num)s day", "%(num)s days", days) if days else ""
    if month_words and day_words:
        return _("%(months)s and %(days)s", months=month_words, days=day_words)
    return month_words or day_words


def offsets_in_force() -> list[dict]:
    """Every milestone, in the timeline's order, with the offset that places it: staff's override, else the default.
    Each: kind, label, base, months, days, words (describe), default_words, override (the ScheduleOffset or None)."""
    overrides = {row.kind: row for row in db.session.scalars(select(ScheduleOffset))}
    rows = []
    for kind in MILESTONE_KINDS:
        default = DEFAULT_OFFSETS[kind]
        row = overrides.get(kind)
        base, months, days = (row.base, row.months, row.days) if row is not None else default
        rows.append({"kind": kind, "label": MILESTONE_LABELS[kind], "base": base, "months": months, "days": days,
                     "words": describe(base, months, days), "default_words": describe(*default), "override": row})
    return rows


def shift(day: date, months: int = 0, days: int = 0) -> date:
    """Calendar months first (clamped at month ends), then days."""
    return day + relativedelta(months=months) + relativedelta(days=days)


def due_dates(signed_up_on: date, assessed_on: date | None = None, table=None,
              released_on: date | None = None) -> dict[str, date]:
    """Every milestone's due date. `released_on`: the day the assessment report was released, once it was; what
    counts from the release counts from that day, not from the day the release was due. Raises ScheduleError when
    the offsets refer to each other in a loop."""
    table = table or offsets()
    result: dict[str, date] = {}
    resolving: set[str] = set()

    def resolve(kind: str) -> date:
        if kind in result:
            return result[kind]
        if kind in resolving:
            raise ScheduleError(_("the schedule offsets of “%(milestone)s” refer back to it",
                                  milestone=MILESTONE_LABELS.get(kind, kind)))
        if kind == "release" and released_on is not None:
            result[kind] = released_on
            return released_on
        resolving.add(kind)
        base, months, days = table[kind]
        if base == "signup":
            start = signed_up_on
        elif base == "assessment":
            start = assessed_on or resolve("assessment_due")
        else:
            start = resolve(base)
        result[kind] = shift(start, months, days)
        resolving.discard(kind)
        return result[kind]

    for kind in MILESTONE_KINDS:
        resolve(kind)
    return result


def at_start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def released_on(cycle: Cycle) -> date | None:
    """The day of the cycle's release, once its milestone is done: the day it was due (a clock that caught up late
    does not move what counts from it), or, for a release run again for an assessment recorded after its date, the
    day it ran (RELEASED_LATE)."""
    milestone = cycle.milestone("release")
    if milestone is None or milestone.done_at is None or (milestone.outcome or "").startswith("skipped"):
        return None  # not released: counted from the day it is due
    return milestone.due_at.date()


def milestones_for(cycle: Cycle, table=None) -> dict[str, datetime]:
    """The cycle's milestones from the offsets (default: those in force), with its service package's advisory period
    where the package sets one. Only an approved (completed) assessment moves the release: one being entered or
    reviewed moves no date."""
    assessment = cycle.assessment
    assessed_on = assessment.assessed_on if assessment is not None and assessment.completed_at is not None else None
    table = service_packages.adjusted(table or offsets(), cycle)
    return {
        kind: at_start_of(day)
        for kind, day in due_dates(cycle.signed_up_on, assessed_on, table, released_on(cycle)).items()
    }


def sync_milestones(cycle: Cycle, table=None, now: datetime | None = None) -> list[Milestone]:
    """Create the cycle's missing milestones and move those not yet done. Done ones keep their dates, except a
    reminder of a milestone still ahead that moved: it is due again before the new date (reminds_again)."""
    table = table or offsets()
    now = now or utcnow()
    due = milestones_for(cycle, table)
    existing = {m.kind: m for m in cycle.milestones}
    for _round in range(3):  # a milestone due again makes its reminders due again: they come first in the order
        reopened = False
        for kind, due_at in due.items():
            milestone = existing.get(kind)
            if milestone is None:
                milestone = existing[kind] = Milestone(kind=kind, due_at=due_at)
                cycle.milestones.append(milestone)
            elif milestone.done_at is None:
                milestone.due_at = due_at
            elif releases_again(cycle, milestone):
                milestone.due_at, milestone.done_at, milestone.outcome = due_at, None, RELEASED_LATE
                reopened = True
            elif reminds_again(milestone, existing.get(table[kind][0]), due_at, now) or waits_again(milestone, due_at):
                milestone.due_at, milestone.done_at, milestone.outcome = due_at, None, None
                reopened = True
        if not reopened:
            break
    return cycle.milestones


# The outcome of a milestone counted from the release that fell due before any assessment report was released: it
# is due again when its date moves (the assessment recorded, the report released).
WAITING_FOR_RELEASE = "skipped: the assessment report is not released"


def waits_again(milestone: Milestone, due_at: datetime) -> bool:
    return milestone.outcome == WAITING_FOR_RELEASE and due_at != milestone.due_at


# The outcome of a release due again (releases_again) until it runs: when it does, its date becomes the day it ran,
# and the plan and the progress report count from that day (milestones._release_many).
RELEASED_LATE = "due again: the assessment was recorded after the release date"


def releases_again(cycle: Cycle, milestone: Milestone) -> bool:
    """A release skipped because no assessment was recorded by its date runs again once one is: a late assessment
    is released (at once, if its month is over), and the plan and progress report count from that release."""
    return (milestone.kind == "release" and (milestone.outcome or "").startswith("skipped")
            and cycle.assessment is not None)


def reminds_again(milestone: Milestone, base: Milestone | None, due_at: datetime, now: datetime) -> bool:
    """A done milestone counted from another that is not done yet (a reminder 14 days before the report) runs
    again when that one moved and its own new date is still ahead: the factory is reminded of the new date."""
    return base is not None and base.done_at is None and due_at != milestone.due_at and due_at > now


def resync_open_cycles(table=None) -> int:
    """After staff change an offset: move every not-done milestone of the cycles still running."""
    count = 0
    for cycle in db.session.scalars(select(Cycle).where(Cycle.status != "closed")):
        sync_milestones(cycle, table)
        count += 1
    return count
