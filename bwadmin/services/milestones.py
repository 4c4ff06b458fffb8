"""What each milestone does when it falls due, done once.

`run(ids, now)` claims the milestones that are not done yet (SELECT ... FOR UPDATE on PostgreSQL; an atomic
conditional UPDATE on SQLite), does each one's work in a savepoint of the same transaction and commits: the
work and the "done" mark land together or not at all. A milestone whose work fails is rolled back to not done
and reported in MilestoneError, so the job is retried; the others of the batch are kept.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import MILESTONE_KINDS, Cycle, Milestone, Report, Sourcing, User, utcnow
from . import access, audit, differentiation, messages, notify, report_docs

log = logging.getLogger("bwadmin.clock")

STATUS_ORDER = ("advisory", "assessment", "reporting", "measured", "closed")


class MilestoneError(RuntimeError):
    def __init__(self, failures: dict[int, str]):
        self.failures = failures
        super().__init__("; ".join(f"milestone {i}: {e}" for i, e in failures.items()))


@dataclass
class Done:
    """What a milestone's work did: for the log, the CLI and the tests."""

    milestone_id: int
    kind: str
    cycle: str
    outcome: str = "done"
    released: list[str] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{self.kind} of {self.cycle}: {self.outcome}"]
        if self.released:
            parts.append("released " + ", ".join(self.released))
        if self.notices:
            parts.append(f"{len(self.notices)} notice(s)")
        return "; ".join(parts)


# --- claiming -------------------------------------------------------------------------------------
def open_milestones():
    """Milestones not done, of cycles still running: what the sweep works and the dashboard shows."""
    return select(Milestone).join(Milestone.cycle).where(Milestone.done_at.is_(None), Cycle.status != "closed")


def due_ids(now: datetime, cycle_id: int | None = None) -> list[int]:
    """What is due as of `now`: the database decides, whatever Redis holds."""
    query = open_milestones().where(Milestone.due_at <= now).with_only_columns(Milestone.id)
    if cycle_id is not None:
        query = query.where(Milestone.cycle_id == cycle_id)
    return list(db.session.scalars(query.order_by(Milestone.due_at, Milestone.id)))


def claim(ids: list[int], now: datetime) -> list[int]:
    """Mark the not-done milestones among `ids` done, in the current transaction; returns those claimed.

    Another worker holding the same ids waits (PostgreSQL row locks, SQLite's single writer) and then finds
    them done: each milestone is claimed once.
    """
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        locked = list(db.session.scalars(
            select(Milestone.id).where(Milestone.id.in_(ids), Milestone.done_at.is_(None))
            .order_by(Milestone.id).with_for_update()
        ))
        if locked:
            db.session.execute(update(Milestone).where(Milestone.id.in_(locked)).values(done_at=now)
                               .execution_options(synchronize_session=False))
        return locked
    return sorted(db.session.scalars(
        update(Milestone).where(Milestone.id.in_(ids), Milestone.done_at.is_(None)).values(done_at=now)
        .returning(Milestone.id).execution_options(synchronize_session=False)
    ).all())


def run(ids: list[int], now: datetime | None = None) -> list[Done]:
    """Do the work of the given milestones that are not done yet; returns what was done."""
    now = now or utcnow()
    db.session.rollback()  # a transaction of our own
    claimed = claim(list(ids), now)
    if not claimed:
        db.session.rollback()
        return []
    milestones = list(db.session.scalars(
        select(Milestone).where(Milestone.id.in_(claimed))
        .options(selectinload(Milestone.cycle).selectinload(Cycle.factory),
                 selectinload(Milestone.cycle).selectinload(Cycle.advisor))
        .execution_options(populate_existing=True)
    ))
    order = {kind: i for i, kind in enumerate(MILESTONE_KINDS)}
    milestones.sort(key=lambda m: (m.due_at, order[m.kind], m.id))
    done: list[Done] = []
    failures: dict[int, str] = {}
    for milestone in milestones:
        try:
            with db.session.begin_nested():
                result = HANDLERS[milestone.kind](milestone, now)
                milestone.outcome = result.outcome
                db.session.flush()
            done.append(result)
        except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; the job is retried
            log.exception("milestone %s (%s) failed", milestone.id, milestone.kind)
            failures[milestone.id] = f"{type(exc).__name__}: {exc}"
            db.session.execute(update(Milestone).where(Milestone.id == milestone.id)
                               .values(done_at=None, outcome=None).execution_options(synchronize_session=False))
    db.session.commit()
    for result in done:
        log.info("%s", result.describe())
    if failures:
        raise MilestoneError(failures)
    return done


# --- whom to tell ---------------------------------------------------------------------------------
def factory_users(cycle: Cycle) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.factory_id == cycle.factory_id, User.role == "factory", User.active).order_by(User.id)))


def consenting_buyer_users(cycle: Cycle) -> list[User]:
    """Users of every buyer that sources from the factory and whose consent stands (the access rule's clause)."""
    return list(db.session.scalars(
        select(User).join(Sourcing, Sourcing.buyer_id == User.buyer_id)
        .where(Sourcing.factory_id == cycle.factory_id, User.role == "buyer", User.active, access.consent_clause())
        .order_by(User.id)
    ))


def advisors(cycle: Cycle) -> list[User]:
    return [cycle.advisor] if cycle.advisor is not None and cycle.advisor.active else []


def advance(cycle: Cycle, status: str) -> None:
    """Cycle.status only moves forward."""
    if STATUS_ORDER.index(status) > STATUS_ORDER.index(cycle.status):
        cycle.status = status


def tell(result: Done, milestone: Milestone, users: list[User], kind: str, now: datetime, **values) -> None:
    """One notice per user for this milestone and kind; the key makes a second run add nothing."""
    cycle = milestone.cycle
    base_url = current_app.config.get("BWADMIN_BASE_URL", "")
    for user in users:
        language = user.language or "en"
        context = {"factory": cycle.factory.name, "cycle": cycle.number, "date": now.date().isoformat(),
                   "advisor": cycle.advisor.name if cycle.advisor else "-"} | values
        if "verdict_high" in context:
            context["verdict"] = messages.VERDICT.get(language, messages.VERDICT["en"])[0 if context["verdict_high"] else 1]
        subject, lines = messages.message(kind, language, **context)
        portal = {"factory": "/factory/", "buyer": "/buyer/"}.get(user.role, f"/admin/cycle/details/?id={cycle.id}")
        text, html = notify.compose(
            "notice", language, greeting=messages.GREETING.get(language, messages.GREETING["en"]).format(
                name=user.name or user.email),
            lines=lines, link=base_url + portal, link_label=messages.OPEN_LINK.get(language, "Open bwadmin"),
            footer=messages.FOOTER.get(language, messages.FOOTER["en"]))
        row = notify.record(f"milestone:{milestone.id}:{kind}:{user.id}", user.email, kind, subject, text, html,
                            user=user, milestone=milestone, language=language)
        if row is not None:
            result.notices.append(row.id)


def _released(report: Report, result: Done) -> None:
    result.released.append(report.kind)
    audit.record("release", report, summary=f"{report.kind} report released: {report.cycle}")


# --- the handlers ---------------------------------------------------------------------------------
def _start(milestone: Milestone, now: datetime) -> Done:
    result = Done(milestone.id, milestone.kind, str(milestone.cycle))
    tell(result, milestone, factory_users(milestone.cycle), "cycle_start_factory", now)
    tell(result, milestone, advisors(milestone.cycle), "cycle_start_advisor", now)
    return result


def _advisory_end(milestone: Milestone, now: datetime) -> Done:
    result = Done(milestone.id, milestone.kind, str(milestone.cycle))
    tell(result, milestone, factory_users(milestone.cycle), "advisory_end_factory", now)
    tell(result, milestone, advisors(milestone.cycle), "advisory_end_advisor", now)
    return result


def _assessment_due(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    advance(cycle, "assessment")
    result = Done(milestone.id, milestone.kind, str(cycle))
    tell(result, milestone, factory_users(cycle), "assessment_due_factory", now)
    tell(result, milestone, advisors(cycle), "assessment_due_advisor", now)
    return result


def _release(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    reports = [r for r in (report_docs.generate_scored(cycle, "assessment", now),
                           report_docs.generate_scored(cycle, "self_diagnosis", now)) if r is not None]
    if not reports:
        result.outcome = "skipped: no assessment recorded"
        tell(result, milestone, advisors(cycle), "release_missing_advisor", now)
        return result
    for report in reports:
        _released(report, result)
    report_docs.open_improvement_plan(cycle, now)
    advance(cycle, "reporting")
    tell(result, milestone, factory_users(cycle), "release_factory", now)
    tell(result, milestone, consenting_buyer_users(cycle), "release_buyer", now)
    tell(result, milestone, advisors(cycle), "release_advisor", now)
    return result


def _reminder(days: int):
    def handler(milestone: Milestone, now: datetime) -> Done:
        cycle = milestone.cycle
        result = Done(milestone.id, milestone.kind, str(cycle))
        due = cycle.milestone("factory_progress_report")
        if due is None or due.done_at is not None or due.due_at <= now:
            # Caught up late (the clock was stopped): a reminder after the date only confuses.
            result.outcome = "skipped: the report date has passed"
            return result
        when = due.due_at.date().isoformat()
        tell(result, milestone, factory_users(cycle), "factory_progress_reminder_factory", now, days=days, date=when)
        return result

    return handler


def _factory_progress(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "factory_progress"))
    if report is None or report.submitted_at is None:
        result.outcome = "overdue"
        tell(result, milestone, factory_users(cycle), "factory_progress_overdue_factory", now)
        tell(result, milestone, advisors(cycle), "factory_progress_overdue_advisor", now)
        return result
    report.release_at = report.release_at or now
    report.released_at = report.released_at or now
    _released(report, result)
    tell(result, milestone, factory_users(cycle), "factory_progress_released_factory", now)
    tell(result, milestone, consenting_buyer_users(cycle), "factory_progress_released_buyer", now)
    return result


def _programme_progress(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    report = report_docs.generate_programme_progress(cycle, now)
    _released(report, result)
    tell(result, milestone, factory_users(cycle), "programme_progress_factory", now)
    tell(result, milestone, consenting_buyer_users(cycle), "programme_progress_buyer", now)
    tell(result, milestone, advisors(cycle), "programme_progress_advisor", now)
    return result


def _differentiation(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    measured = differentiation.measure(cycle, now)
    advance(cycle, "measured")
    passed, total = sum(1 for m in measured if m.passed), len(measured)
    result.outcome = "high performer" if cycle.high_performer else f"{passed} of {total} criteria met"
    kind = "differentiation_high_factory" if cycle.high_performer else "differentiation_factory"
    tell(result, milestone, factory_users(cycle), kind, now, passed=passed, total=total)
    tell(result, milestone, advisors(cycle), "differentiation_advisor", now, passed=passed, total=total,
         verdict_high=bool(cycle.high_performer))
    return result


HANDLERS = {
    "cycle_start": _start,
    "advisory_end": _advisory_end,
    "assessment_due": _assessment_due,
    "release": _release,
    "factory_progress_reminder_14": _reminder(14),
    "factory_progress_reminder_3": _reminder(3),
    "factory_progress_report": _factory_progress,
    "programme_progress_report": _programme_progress,
    "differentiation": _differentiation,
}
