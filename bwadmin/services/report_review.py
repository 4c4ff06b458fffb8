"""The factory's review of its draft assessment report: during the month before the release it may flag factual
errors; the cycle's advisor is told (by email, and on the panel's home), answers each flag, and the factory reads
the answer beside its flag.

The page promises the last day to flag as the day before the release (in the factory's country), so that staff
have a day to answer; a flag sent later is still taken until the release is carried out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..i18n import time_zone_of
from ..models import Cycle, Milestone, Report, ReportFlag, utcnow
from ..models.reports import FLAG_ANSWER_MAX, FLAG_COMMENT_MAX
from . import audit, messages, person_notices, text_limits
from .errors import FieldError

MAX_COMMENT = FLAG_COMMENT_MAX
MAX_ANSWER = FLAG_ANSWER_MAX


def reviewable(report: Report) -> bool:
    """The draft assessment report, until the release job has published it: a release the clock has not carried out
    yet (its time passed while the workers were stopped) still takes flags, which staff read before it runs."""
    return report.kind == "assessment" and report.released_at is None


@dataclass(frozen=True)
class ReviewWindow:
    """When the draft is released (None when no date is set) and the last day, in the factory's country, to flag."""
    release_at: datetime | None
    last_day: date | None


def release_time(report: Report) -> datetime | None:
    """When the report is (or was) released: its own time, else its cycle's release milestone."""
    if report.release_at is not None or report.kind != "assessment":
        return report.release_at
    return db.session.scalar(select(Milestone.due_at).where(Milestone.cycle_id == report.cycle_id,
                                                            Milestone.kind == "release"))


def window(report: Report) -> ReviewWindow:
    """The draft's review window as the factory reads it; both None once the report is released."""
    if not reviewable(report):
        return ReviewWindow(None, None)
    release_at = release_time(report)
    if release_at is None:
        return ReviewWindow(None, None)
    zone = ZoneInfo(time_zone_of(report.cycle.factory.country))
    release_day = release_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
    return ReviewWindow(release_at, release_day - timedelta(days=1))


def flags(report: Report) -> list[ReportFlag]:
    return db.session.scalars(select(ReportFlag).where(ReportFlag.report_id == report.id)
                              .order_by(ReportFlag.created_at, ReportFlag.id)).all()


def _release_day(report: Report, language: str) -> str:
    release_at = release_time(report)
    return messages.local_day(release_at, report.cycle.factory.country, language) if release_at else "-"


def flag(user, report: Report, comment: str | None) -> ReportFlag:
    """Record the factory's flag on its draft and tell the cycle's advisor (the admins while it has none); FieldError
    ("comment") when it is refused. Commits."""
    if not reviewable(report):
        raise FieldError("comment", _("This report is released; flags are taken only before the release."))
    comment = text_limits.bounded("comment", comment, MAX_COMMENT)
    if not comment:
        raise FieldError("comment", _("Describe the factual error you found."))
    row = ReportFlag(report_id=report.id, user_id=user.id, comment=comment)
    db.session.add(row)
    db.session.flush()
    audit.record("flag", report, summary=f"Factual error flagged in {report}")
    cycle, now = report.cycle, utcnow()
    ids = person_notices.record([
        person_notices.row(f"report_flag:{row.id}", person, "report_flag_staff", f"/admin/flag-answers/{row.id}",
                           now, cycle.factory.country, factory=cycle.factory.name, cycle=cycle.number,
                           comment=comment, release=_release_day(report, person.language or "en"))
        for person in person_notices.staff_of(cycle)])
    person_notices.commit_and_queue(ids)
    return row


# --- staff's side -----------------------------------------------------------------------------------------
class OpenFlag(NamedTuple):
    flag: ReportFlag
    release_at: datetime | None  # when its report is to be released


def open_flags(user, limit: int = 50) -> list[OpenFlag]:
    """The flags not answered yet, oldest first, with their report, cycle and factory and the report's release time:
    an advisor's on the cycles they advise, an admin's all. Two queries."""
    query = (select(ReportFlag).join(Report, Report.id == ReportFlag.report_id).join(Cycle, Cycle.id == Report.cycle_id)
             .where(ReportFlag.resolved_at.is_(None))
             .options(joinedload(ReportFlag.report).joinedload(Report.cycle).joinedload(Cycle.factory))
             .order_by(ReportFlag.created_at, ReportFlag.id).limit(limit))
    if user.role == "advisor":
        query = query.where(Cycle.advisor_id == user.id)
    rows = db.session.scalars(query).all()
    cycle_ids = {row.report.cycle_id for row in rows}
    releases = dict(db.session.execute(select(Milestone.cycle_id, Milestone.due_at).where(
        Milestone.cycle_id.in_(cycle_ids), Milestone.kind == "release")).all()) if cycle_ids else {}
    return [OpenFlag(row, row.report.release_at or releases.get(row.report.cycle_id)) for row in rows]


def flag_for_staff(user, flag_id: int) -> ReportFlag:
    """One flag, with its report, cycle and factory, for staff; NotFound for anyone else or a missing flag."""
    row = db.session.scalar(select(ReportFlag).where(ReportFlag.id == flag_id).options(
        joinedload(ReportFlag.report).joinedload(Report.cycle).joinedload(Cycle.factory),
        joinedload(ReportFlag.user)))
    if row is None or not getattr(user, "is_staff", False):
        raise NotFound()
    return row


def answer(user, row: ReportFlag, text: str | None) -> ReportFlag:
    """Staff's answer to a flag, which the factory reads beside it; its users are emailed the first time. FieldError
    ("answer") for an empty or too long answer. Commits."""
    text = text_limits.bounded("answer", text, MAX_ANSWER)
    if not text:
        raise FieldError("answer", _("Write the answer the factory will read beside its flag."))
    first = row.resolved_at is None
    row.resolution, row.resolved_at = text, utcnow()
    audit.record("answer", row, user=user, summary=f"Flag on {row.report} answered")
    ids = []
    if first:
        cycle = row.report.cycle
        ids = person_notices.record([
            person_notices.row(f"report_flag:{row.id}", person, "report_flag_answered_factory",
                               f"/factory/reports/{row.report_id}#flags", row.resolved_at, cycle.factory.country,
                               factory=cycle.factory.name, answer=text)
            for person in person_notices.factory_people(cycle.factory_id)])
    person_notices.commit_and_queue(ids)
    return row
