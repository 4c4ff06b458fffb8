"""What each milestone does when it falls due, done once.

`run(ids, now)` claims the milestones that are not done yet (SELECT ... FOR UPDATE on PostgreSQL; an atomic
conditional UPDATE on SQLite), does each one's work in a savepoint of the same transaction and commits: the
work and the "done" mark land together or not at all. A milestone whose work fails is rolled back to not done
and reported in MilestoneError, so the job is retried; the others of the batch are kept.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import selectinload

from ..batches import chunked
from ..config import settings
from ..extensions import db
from ..models import MILESTONE_KINDS, Cycle, Milestone, Report, Sourcing, User, utcnow
from . import audit, differentiation, messages, notify, progress_reports, report_docs, schedule
from .cycle_rows import CycleLike, Person, cycle_rows

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
    pdfs: list[int] = field(default_factory=list)  # reports whose PDF is to be made (its own job)

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
    # Plain rows: a batch handler (`Handler.many`) reads what it needs itself; the others get ORM milestones.
    rows = db.session.execute(select(Milestone.id, Milestone.kind, Milestone.due_at, Milestone.cycle_id,
                                     Milestone.outcome).where(Milestone.id.in_(claimed))).all()
    order = {kind: i for i, kind in enumerate(MILESTONE_KINDS)}
    rows.sort(key=lambda m: (m.due_at, order[m.kind], m.id))
    done: list[Done] = []
    failures: dict[int, str] = {}
    start = 0
    while start < len(rows):
        # Consecutive milestones of a kind whose handler has a batch form are done together; if the batch
        # fails, each is done alone, so one bad milestone does not hold back the others.
        handler = HANDLERS[rows[start].kind]
        many = handler.many
        end = start + 1
        if many is not None:
            while end < len(rows) and rows[end].kind == rows[start].kind:
                end += 1
        group = rows[start:end]
        start = end
        if many is not None and len(group) > 1:
            try:
                with db.session.begin_nested():
                    results = many(group, now)
                    _record_outcomes(results)
                done.extend(results)
                continue
            except Exception:  # noqa: BLE001 - rolled back to the savepoint; now one by one
                log.warning("batch of %d %s milestones failed; doing them one by one", len(group), group[0].kind,
                            exc_info=True)
        milestones = {} if many is not None else {m.id: m for m in db.session.scalars(
            select(Milestone).where(Milestone.id.in_([row.id for row in group]))
            .options(selectinload(Milestone.cycle).selectinload(Cycle.factory),
                     selectinload(Milestone.cycle).selectinload(Cycle.advisor))
            .execution_options(populate_existing=True))}
        for row in group:
            try:
                with db.session.begin_nested():
                    result = many([row], now)[0] if many is not None else handler.one(milestones[row.id], now)
                    _record_outcomes([result])
                    db.session.flush()  # the handler's ORM changes, inside the savepoint
                done.append(result)
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; the job is retried
                log.exception("milestone %s (%s) failed", row.id, row.kind)
                failures[row.id] = f"{type(exc).__name__}: {exc}"
                db.session.execute(update(Milestone).where(Milestone.id == row.id)
                                   .values(done_at=None, outcome=None)
                                   .execution_options(synchronize_session=False))
    db.session.commit()
    for result in done:
        log.info("%s", result.describe())
    if failures:
        raise MilestoneError(failures)
    return done


def _record_outcomes(results: list[Done]) -> None:
    """Each milestone's outcome, in one statement for a batch (Core: the session does not track them)."""
    table = Milestone.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("milestone_id")).values(outcome=bindparam("text")),
                       [{"milestone_id": r.milestone_id, "text": r.outcome} for r in results])


# --- whom to tell ---------------------------------------------------------------------------------
# Users are plain rows (id, email, name, language, role): a release tells thousands of people in a batch.
_USER_COLUMNS = (User.id, User.email, User.name, User.language, User.role)


def factory_users_of(cycles: list[CycleLike]) -> dict[int, list]:
    """cycle id → the active users of its factory, for many cycles in one query."""
    by_factory: dict[int, list] = {}
    factory_ids = sorted({c.factory_id for c in cycles})
    for chunk in chunked(factory_ids):
        for row in db.session.execute(select(*_USER_COLUMNS, User.factory_id).where(
                User.factory_id.in_(chunk), User.active).order_by(User.id)):
            if row.role == "factory":  # checked here: in SQL it would steer SQLite to the role index
                by_factory.setdefault(row.factory_id, []).append(row)
    return {c.id: by_factory.get(c.factory_id, []) for c in cycles}


def consenting_buyer_users_of(cycles: list[CycleLike]) -> dict[int, list]:
    """cycle id → the users of every buyer that sources from its factory and whose consent stands.

    Two indexed queries (the links, then their buyers' users) rather than one join, which SQLite would plan as a
    walk over every buyer user."""
    factory_ids = sorted({c.factory_id for c in cycles})
    factories_of_buyer: dict[int, list[int]] = {}
    for chunk in chunked(factory_ids):
        for link in db.session.execute(
                select(Sourcing.buyer_id, Sourcing.factory_id, Sourcing.consent_given_at, Sourcing.consent_withdrawn_at)
                .where(Sourcing.factory_id.in_(chunk))):
            if Sourcing.consent_stands_for(link.consent_given_at, link.consent_withdrawn_at):
                factories_of_buyer.setdefault(link.buyer_id, []).append(link.factory_id)
    by_factory: dict[int, list] = {}
    buyer_ids = sorted(factories_of_buyer)
    for chunk in chunked(buyer_ids):
        for row in db.session.execute(select(*_USER_COLUMNS, User.buyer_id).where(
                User.buyer_id.in_(chunk), User.active)):
            if row.role != "buyer":  # checked here: in SQL it would steer SQLite to the role index
                continue
            for factory_id in factories_of_buyer[row.buyer_id]:
                by_factory.setdefault(factory_id, []).append(row)
    for users in by_factory.values():
        users.sort(key=lambda user: user.id)
    return {c.id: by_factory.get(c.factory_id, []) for c in cycles}


def factory_users(cycle: Cycle) -> list:
    return factory_users_of([cycle])[cycle.id]


def consenting_buyer_users(cycle: Cycle) -> list:
    return consenting_buyer_users_of([cycle])[cycle.id]


def advisors(cycle: CycleLike) -> list:
    return [cycle.advisor] if cycle.advisor is not None and cycle.advisor.active else []


def advance(cycle: Cycle, status: str) -> None:
    """Cycle.status only moves forward."""
    if STATUS_ORDER.index(status) > STATUS_ORDER.index(cycle.status):
        cycle.status = status


def advance_many(cycles: list[CycleLike], status: str) -> None:
    """advance() for many cycles, in one statement per 500."""
    behind = STATUS_ORDER[:STATUS_ORDER.index(status)]
    ids = [c.id for c in cycles if c.status in behind]
    for chunk in chunked(ids):
        db.session.execute(update(Cycle).where(Cycle.id.in_(chunk), Cycle.status.in_(behind))
                           .values(status=status).execution_options(synchronize_session=False))


def notice_context(cycle: CycleLike, now: datetime) -> dict:
    """What every notice about this cycle's milestone says, whoever it tells: worked out once per cycle."""
    return {"factory": cycle.factory.name, "cycle": cycle.number, "now": now, "country": cycle.factory.country,
            "advisor": cycle.advisor.name if cycle.advisor else "-"}


def notice(milestone_id: int, cycle: CycleLike, user: Person, kind: str, now: datetime, context: dict | None = None,
           **values) -> dict:
    """The notice (a Notification row: its subject now, its body when sent) telling `user` about the milestone of
    `cycle`; its key makes it once. `context`: notice_context(cycle, now), if at hand."""
    language = user.language or "en"
    context = (context or notice_context(cycle, now)) | values
    # The day the notice speaks of (today, unless `on` says otherwise), as the factory's country counts days.
    context["date"] = messages.local_day(context.get("on") or context["now"], context["country"], language)
    if "verdict_high" in context:
        context["verdict"] = messages.in_language(language, messages.VERDICTS[0 if context["verdict_high"] else 1])
    subject, lines = messages.message(kind, language, **context)
    portal = {"factory": "/factory/", "buyer": "/buyer/"}.get(user.role, f"/admin/cycle/details/?id={cycle.id}")
    # The body is composed from these parts when the notice is sent (notify.body_of), not here: a release
    # records thousands of notices at once.
    parts = {"template": "notice", "lines": lines, "link": settings().base_url + portal,
             "greeting": messages.in_language(language, messages.GREETING, name=user.name or user.email)}
    # A reminder is once per date it reminds of: moved, the date is reminded of again (schedule.reminds_again).
    key = f"milestone:{milestone_id}:{kind}:{user.id}" + (f":{context['on']:%Y-%m-%d}" if context.get("on") else "")
    return notify.row(key, user.email, kind, subject, None, None,
                      user=user, milestone=milestone_id, language=language, parts=parts)


def record_notices(pending: list[tuple[Done, dict]]) -> None:
    """Record the notices (one statement), each added one noted on its milestone's result."""
    added = notify.record_many([row for _, row in pending])
    for result, row in pending:
        if row["key"] in added:
            result.notices.append(added.pop(row["key"]))


def tell(result: Done, milestone: Milestone, users: list, kind: str, now: datetime, **values) -> None:
    """One notice per user for this milestone and kind; the key makes a second run add nothing."""
    record_notices([(result, notice(milestone.id, milestone.cycle, user, kind, now, **values)) for user in users])


def release_plans(now: datetime, cycle_ids: list[int] | None = None) -> list[Done]:
    """The improvement plans factories submitted whose time has come (the release of their assessment report, which
    opened them): each released to its factory's consenting buyers, who are told. A plan submitted before that
    release goes with it; one submitted after goes at once. Claimed in one UPDATE, so twice releases once."""
    claim = (update(Report).where(Report.kind == "improvement_plan", Report.submitted_at.is_not(None),
                                  Report.release_at <= now, Report.released_at.is_(None))
             .values(released_at=now).returning(Report.id).execution_options(synchronize_session=False))
    if cycle_ids is not None:
        claim = claim.where(Report.cycle_id.in_(list(cycle_ids)))
    results = []
    plans = list(db.session.scalars(select(Report).where(Report.id.in_(db.session.scalars(claim).all()))
                                    .options(selectinload(Report.cycle).selectinload(Cycle.factory))))
    languages = report_docs.factory_languages(report.cycle.factory_id for report in plans)
    for report in plans:
        cycle = report.cycle
        milestone = cycle.milestone("release")
        result = Done(milestone.id, milestone.kind, str(cycle))
        progress_reports.publish_plan(report, now, languages[cycle.factory_id])
        _released(report, result)
        if settings().report_pdf:
            result.pdfs.append(report.id)
        tell(result, milestone, consenting_buyer_users(cycle), "improvement_plan_released_buyer", now)
        results.append(result)
    return results


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


def _release_many(milestones: list, now: datetime) -> list[Done]:
    """The release of many cycles at once (milestones as rows: id, kind, cycle_id): the drafts released, or the
    reports made, the plans opened, audited and told with one statement each. Returns one Done per milestone,
    in order."""
    by_id = cycle_rows(m.cycle_id for m in milestones)
    cycles = [by_id[cycle_id] for cycle_id in dict.fromkeys(m.cycle_id for m in milestones)]  # in due order
    released: dict[int, list[tuple[str, int]]] = {}
    for kind in ("assessment", "self_diagnosis"):
        for cycle_id, report_id in report_docs.release_scored_many(cycles, kind, now).items():
            released.setdefault(cycle_id, []).append((kind, report_id))
    results = [Done(m.id, m.kind, str(by_id[m.cycle_id])) for m in milestones]
    pending: list[tuple[Done, dict]] = []
    told = [(r, m) for r, m in zip(results, milestones) if m.cycle_id in released]
    for result, milestone in zip(results, milestones):
        if milestone.cycle_id not in released:
            result.outcome = "skipped: no assessment recorded"
            cycle = by_id[milestone.cycle_id]
            pending += [(result, notice(milestone.id, cycle, u, "release_missing_advisor", now)) for u in advisors(cycle)]
    if told:
        told_cycles = [by_id[cycle_id] for cycle_id in dict.fromkeys(m.cycle_id for _, m in told)]
        audit.record_many("release", "report", [
            (report_id, f"{kind} report released: {cycle}")
            for cycle in told_cycles for kind, report_id in released[cycle.id]])
        report_docs.open_improvement_plans(told_cycles, now)
        plans = {done.milestone_id: done for done in release_plans(now, [c.id for c in told_cycles])}
        factory_people = factory_users_of(told_cycles)
        buyer_people = consenting_buyer_users_of(told_cycles)
        pdf = settings().report_pdf
        advance_many(told_cycles, "reporting")
        _resync_late([m for _, m in told if m.outcome == schedule.RELEASED_LATE], now)
        for result, milestone in told:
            cycle = by_id[milestone.cycle_id]
            result.released = [kind for kind, _ in released[cycle.id]]
            if milestone.id in plans:
                result.released.append("improvement_plan")
                result.notices += plans[milestone.id].notices
            result.pdfs = [report_id for _, report_id in released[cycle.id]] if pdf else []
            context = notice_context(cycle, now)
            for kind, people in (("release_factory", factory_people[cycle.id]), ("release_buyer", buyer_people[cycle.id]),
                                 ("release_advisor", advisors(cycle))):
                pending += [(result, notice(milestone.id, cycle, u, kind, now, context)) for u in people]
    record_notices(pending)
    return results


def _counted_from_release(milestone: Milestone, now: datetime, result: Done) -> bool:
    """The factory's plan and progress report and their reminders count from the release of the assessment report.
    Before that release there is nothing to plan or report on: the milestone waits (due again when its date moves,
    schedule.waits_again). After a release that came late its date moves with it: due later, not done. True when
    the milestone's work is to be done now."""
    cycle = milestone.cycle
    if db.session.scalar(select(Report.id).where(Report.cycle_id == cycle.id, Report.kind == "assessment",
                                                 Report.released_at.is_not(None))) is None:
        result.outcome = schedule.WAITING_FOR_RELEASE
        return False
    due_at = schedule.milestones_for(cycle).get(milestone.kind)
    if due_at is not None and due_at > now:
        milestone.due_at, milestone.done_at = due_at, None
        result.outcome = f"moved to {due_at:%Y-%m-%d}: counted from the release"
        return False
    return True


def _plan(cycle) -> Report | None:
    return db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "improvement_plan"))


def _plan_reminder(days: int):
    def handler(milestone: Milestone, now: datetime) -> Done:
        cycle = milestone.cycle
        result = Done(milestone.id, milestone.kind, str(cycle))
        if not _counted_from_release(milestone, now, result):
            return result
        due = cycle.milestone("improvement_plan_due")
        plan = _plan(cycle)
        if due is None or due.done_at is not None or due.due_at <= now:
            result.outcome = "skipped: the plan's date has passed"
        elif plan is not None and plan.submitted_at is not None:
            result.outcome = "skipped: the plan is submitted"
        else:
            tell(result, milestone, factory_users(cycle), "improvement_plan_reminder_factory", now, days=days,
                 on=due.due_at)
        return result

    return handler


def _plan_due(milestone: Milestone, now: datetime) -> Done:
    """The plan is due: one the factory submitted went to its buyers then already (release_plans); a plan not
    submitted is overdue, and the factory and its advisor are told."""
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    if not _counted_from_release(milestone, now, result):
        return result
    plan = _plan(cycle)
    if plan is None or plan.submitted_at is None:
        result.outcome = "overdue"
        tell(result, milestone, factory_users(cycle), "improvement_plan_overdue_factory", now)
        tell(result, milestone, advisors(cycle), "improvement_plan_overdue_advisor", now)
    return result


def _resync_late(released: list, now: datetime) -> None:
    """Releases run again for an assessment recorded after the release date: each is dated the day it ran, and
    what counts from it (the plan, the progress reports) moves with it. Rare, so one cycle at a time."""
    if not released:
        return
    day = schedule.at_start_of(now.date())
    db.session.execute(update(Milestone).where(Milestone.id.in_([m.id for m in released])).values(due_at=day)
                       .execution_options(synchronize_session=False))
    for cycle in db.session.scalars(select(Cycle).where(Cycle.id.in_([m.cycle_id for m in released]))
                                    .options(selectinload(Cycle.milestones), selectinload(Cycle.assessment))
                                    .execution_options(populate_existing=True)):
        schedule.sync_milestones(cycle, now=now)


def _reminder(days: int):
    def handler(milestone: Milestone, now: datetime) -> Done:
        cycle = milestone.cycle
        result = Done(milestone.id, milestone.kind, str(cycle))
        if not _counted_from_release(milestone, now, result):
            return result
        due = cycle.milestone("factory_progress_report")
        if due is None or due.done_at is not None or due.due_at <= now:
            # Caught up late (the clock was stopped): a reminder after the date only confuses.
            result.outcome = "skipped: the report date has passed"
            return result
        tell(result, milestone, factory_users(cycle), "factory_progress_reminder_factory", now, days=days,
             on=due.due_at)
        return result

    return handler


def _factory_progress(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    if not _counted_from_release(milestone, now, result):
        return result
    report = db.session.scalar(select(Report).where(Report.cycle_id == cycle.id, Report.kind == "factory_progress"))
    if report is None or report.submitted_at is None:
        result.outcome = "overdue"
        tell(result, milestone, factory_users(cycle), "factory_progress_overdue_factory", now)
        tell(result, milestone, advisors(cycle), "factory_progress_overdue_advisor", now)
        return result
    report.release_at = report.release_at or now
    report.released_at = report.released_at or now
    progress_reports.snapshot_factory_progress(report, now)  # what the system holds as at the release
    _released(report, result)
    if settings().report_pdf:
        result.pdfs.append(report.id)
    tell(result, milestone, factory_users(cycle), "factory_progress_released_factory", now)
    tell(result, milestone, consenting_buyer_users(cycle), "factory_progress_released_buyer", now)
    return result


def _programme_progress(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    report = progress_reports.release_programme_progress(cycle, now)  # the draft staff edited, where one is
    db.session.flush()
    _released(report, result)
    if settings().report_pdf:
        result.pdfs.append(report.id)
    tell(result, milestone, factory_users(cycle), "programme_progress_factory", now)
    tell(result, milestone, consenting_buyer_users(cycle), "programme_progress_buyer", now)
    tell(result, milestone, advisors(cycle), "programme_progress_advisor", now)
    return result


def _differentiation(milestone: Milestone, now: datetime) -> Done:
    cycle = milestone.cycle
    result = Done(milestone.id, milestone.kind, str(cycle))
    measured = differentiation.measure(cycle, now)
    advance(cycle, "measured")
    report = progress_reports.publish_differentiation(cycle, measured, now)
    db.session.flush()
    _released(report, result)
    if settings().report_pdf:
        result.pdfs.append(report.id)
    passed, total = sum(1 for m in measured if m.passed), len(measured)
    result.outcome = "high performer" if cycle.high_performer else f"{passed} of {total} criteria met"
    kind = "differentiation_high_factory" if cycle.high_performer else "differentiation_factory"
    tell(result, milestone, factory_users(cycle), kind, now, passed=passed, total=total)
    tell(result, milestone, advisors(cycle), "differentiation_advisor", now, passed=passed, total=total,
         verdict_high=bool(cycle.high_performer))
    return result


@dataclass(frozen=True)
class Handler:
    """What a milestone of one kind does when due: `one(milestone, now)` with an ORM Milestone, or, for a kind done
    for many cycles at once, `many(rows, now)` with plain rows (id, kind, due_at, cycle_id, outcome: what an earlier
    run or a re-opening left), one Done per row."""

    one: Callable[[Milestone, datetime], Done] | None = None
    many: Callable[[list, datetime], list[Done]] | None = None


HANDLERS = {
    "cycle_start": Handler(one=_start),
    "advisory_end": Handler(one=_advisory_end),
    "assessment_due": Handler(one=_assessment_due),
    "release": Handler(many=_release_many),
    "factory_progress_reminder_14": Handler(one=_reminder(14)),
    "factory_progress_reminder_3": Handler(one=_reminder(3)),
    "improvement_plan_reminder_7": Handler(one=_plan_reminder(7)),
    "improvement_plan_due": Handler(one=_plan_due),
    "factory_progress_report": Handler(one=_factory_progress),
    "programme_progress_report": Handler(one=_programme_progress),
    "differentiation": Handler(one=_differentiation),
}
